/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Attribution fallbacks for a process no launcher registered: the Mesos container it runs in,
 * from /proc/<pid>/cgroup, and what the Mesos and Marathon environment says about it, from
 * /proc/<pid>/environ.
 *
 * The parsers are pure functions (bytes in, struct out; they read [text, text + len) only);
 * the readers add the /proc file and nothing else.
 *
 * Trust: only root can create a cgroup directly under the hierarchy roots, so a container id
 * found at /<root>/<id> is the kernel's word; below it, a task allowed to create cgroups can
 * only add nested levels under its own container. The environment is written by the process
 * itself: it is a claim, to be weighed as one (a process can exec with any environment).
 */
#ifndef SIGSYS_TRACE_CGROUP_H
#define SIGSYS_TRACE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MESOS_ID_MAX	     255     /* Mesos's own bound on ids (NAME_MAX: they are dir names) */
#define MESOS_NESTING_MAX    8	     /* container, nested, nested in nested… */
#define MESOS_CGROUPS_ROOT   "mesos" /* the agent's --cgroups_root default (and DC/OS's) */
#define CGROUP_TEXT_MAX	     (64 * 1024) /* /proc/<pid>/cgroup is ~500 bytes here */
#define CGROUP_LINES_MAX     256
#define CGROUP_HIERARCHY_MAX 1023 /* hierarchy ids are small idr numbers */
#define MESOS_ENV_VALUE_MAX  255
#define MESOS_ENV_READ_MAX   (1024 * 1024) /* environ beyond this is not read */

enum mesos_container_flag {
	MESOS_CONTAINER_V1 = 1u << 0,	   /* named by a cgroup v1 hierarchy */
	MESOS_CONTAINER_V2 = 1u << 1,	   /* named by the cgroup2 (unified) hierarchy */
	MESOS_CONTAINER_DELETED = 1u << 2, /* a cgroup2 path marked " (deleted)": exiting */
};

/* The container chain of a process: ids[0] outermost … ids[depth - 1] the innermost. */
struct mesos_container {
	uint32_t depth;
	uint32_t flags; /* enum mesos_container_flag */
	char ids[MESOS_NESTING_MAX][MESOS_ID_MAX + 1];
};

static inline const char *mesos_container_id(const struct mesos_container *c)
{
	return c->depth ? c->ids[c->depth - 1] : NULL;
}

/*
 * A container id as sigsys accepts it: 1..MESOS_ID_MAX bytes of [A-Za-z0-9._-], not
 * starting with '.' (so never "." or ".."). Mesos makes UUIDs; anything else that would
 * be unsafe in a path, a log line or a query is refused.
 */
bool mesos_id_valid(const char *id, size_t len);

/*
 * The Mesos container of a process, from the text of /proc/<pid>/cgroup: every line
 * "HIERARCHY:CONTROLLERS:PATH\n" (cgroup v1, and "0::PATH" for cgroup2), where Mesos puts a
 * container at /<root>/<id> and a nested one at /<root>/<parent>/mesos/<child> (root: the
 * agent's --cgroups_root, NULL for MESOS_CGROUPS_ROOT: up to 8 components of valid ids).
 * Components after the chain (a cgroup2 "leaf", a task's own sub-cgroups) are allowed.
 *
 * Every line must be well-formed (a hierarchy id once, controllers of [A-Za-z0-9_,=.-], an
 * absolute path without empty, "." or ".." components) and end with '\n'. Lines naming a
 * container must agree: one chain a prefix of the other (a controller may place a nested
 * container with its parent); the longest wins.
 *
 * Returns 0 with *ret filled (zeroed first), -ENOENT when no line names a container,
 * -EINVAL when the text is malformed or an id is invalid, -ENOTUNIQ when lines name
 * different containers, -E2BIG for a chain deeper than MESOS_NESTING_MAX.
 */
int cgroup_mesos_container(const char *text, size_t len, const char *root,
			   struct mesos_container *ret);

/* The same for a live process. Also -ESRCH (gone), -EFBIG (file over CGROUP_TEXT_MAX),
 * -ENOMEM, or the errno of reading /proc. */
int cgroup_mesos_container_of(pid_t pid, const char *root, struct mesos_container *ret);

/* The variables read from the environment, as bits of found / invalid / conflicting. */
enum mesos_env_var {
	MESOS_ENV_TASK_ID = 1u << 0,		  /* MESOS_TASK_ID (Marathon sets it) */
	MESOS_ENV_EXECUTOR_ID = 1u << 1,	  /* MESOS_EXECUTOR_ID (the agent) */
	MESOS_ENV_FRAMEWORK_ID = 1u << 2,	  /* MESOS_FRAMEWORK_ID (the agent) */
	MESOS_ENV_CONTAINER_NAME = 1u << 3,	  /* MESOS_CONTAINER_NAME (Docker containerizer) */
	MESOS_ENV_MARATHON_APP_ID = 1u << 4,	  /* MARATHON_APP_ID */
	MESOS_ENV_MARATHON_APP_VERSION = 1u << 5, /* MARATHON_APP_VERSION */
	MESOS_ENV_CONTAINER_ID = 1u << 6,	  /* derived from MESOS_CONTAINER_NAME */
};

enum mesos_env_flag {
	MESOS_ENV_INCOMPLETE = 1u << 0, /* the text ended inside an entry, or the read was cut */
};

struct mesos_env {
	uint32_t found;	      /* enum mesos_env_var: present with a valid value */
	uint32_t invalid;     /* present, refused: empty, too long, or bytes outside 0x21..0x7e */
	uint32_t conflicting; /* defined again with another value (the first one is kept) */
	uint32_t flags;	      /* enum mesos_env_flag */
	char task_id[MESOS_ENV_VALUE_MAX + 1];
	char executor_id[MESOS_ENV_VALUE_MAX + 1];
	char framework_id[MESOS_ENV_VALUE_MAX + 1];
	/* "mesos-<agent id>.<container id>[.executor]", or "mesos-<container id>" before
	 * Mesos 0.23: container_id is taken from it when valid (mesos_id_valid). */
	char container_name[MESOS_ENV_VALUE_MAX + 1];
	char container_id[MESOS_ID_MAX + 1];
	char marathon_app_id[MESOS_ENV_VALUE_MAX + 1];
	char marathon_app_version[MESOS_ENV_VALUE_MAX + 1];
};

/*
 * Parse /proc/<pid>/environ content: NAME=VALUE entries, each ended by a NUL; entries
 * without '=' are skipped; for a name given twice the first wins, as getenv(3) would have
 * it. Returns the number of variables found (bits in ret->found), 0 when none; *ret is zeroed
 * first. Never fails on content: what is refused is flagged.
 */
int mesos_env_parse(const char *text, size_t len, struct mesos_env *ret);

/* The same for a live process (its first MESOS_ENV_READ_MAX bytes). -ESRCH when gone,
 * -ENOMEM, or the errno of reading /proc (-EACCES without the right to ptrace-read it). */
int mesos_env_of(pid_t pid, struct mesos_env *ret);

#endif
