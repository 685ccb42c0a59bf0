/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsigsys — parse real seccomp profiles, compile them for a per-task mode, load them.
 *
 * Every function returns 0 (or a count) on success and a negative errno on failure:
 *   -EINVAL  the profile or an argument is invalid (err->message says where and why)
 *   -ENOENT  a file, profile name or syscall name does not exist
 *   -EPERM   a profile name tries to leave its directory
 *   -E2BIG   an input exceeds its documented limit
 *   -ENOMEM  out of memory;  other codes come straight from the kernel.
 * The library never prints, exits or installs signal handlers.
 */
#ifndef SIGSYS_H
#define SIGSYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default)

#define SIGSYS_VERSION "0.1.0"

/* Limits on input that comes from outside. */
#define SIGSYS_MAX_PROFILE_BYTES (4u << 20)
#define SIGSYS_MAX_RULES	 4096u
#define SIGSYS_MAX_JSON_DEPTH	 32

struct sigsys_error {
	char message[768];
};

/* ---- profiles ---------------------------------------------------------------------------- */

struct sigsys_profile;

enum sigsys_format {
	SIGSYS_FORMAT_DOCKER,	  /* Docker/moby or Podman: archMap, includes/excludes */
	SIGSYS_FORMAT_OCI,	  /* an OCI runtime-spec linux.seccomp object */
	SIGSYS_FORMAT_OCI_CONFIG, /* a whole OCI config.json; linux.seccomp is used */
};

/* Parse profile text; `source` names it in messages (a file name). */
int sigsys_profile_parse(const char *text, size_t len, const char *source,
			 struct sigsys_profile **ret, struct sigsys_error *err);
/* Read and parse a profile file (at most SIGSYS_MAX_PROFILE_BYTES). */
int sigsys_profile_load(const char *path, struct sigsys_profile **ret, struct sigsys_error *err);
void sigsys_profile_free(struct sigsys_profile *profile);

/* "sha256:<hex>" of the canonical JSON (keys sorted, no whitespace, numbers as written). */
const char *sigsys_profile_digest(const struct sigsys_profile *profile);
const char *sigsys_profile_source(const struct sigsys_profile *profile);
const char *sigsys_profile_text(const struct sigsys_profile *profile, size_t *ret_len);
enum sigsys_format sigsys_profile_format(const struct sigsys_profile *profile);
size_t sigsys_profile_rule_count(const struct sigsys_profile *profile);
/* Warnings found while parsing (unknown keys, dubious values). */
size_t sigsys_profile_warning_count(const struct sigsys_profile *profile);
const char *sigsys_profile_warning(const struct sigsys_profile *profile, size_t i);

/* One rule of the profile's "syscalls", as written (pointers live as long as the profile). */
struct sigsys_rule_info {
	unsigned index; /* position in "syscalls" */
	size_t n_names;
	const char *const *names; /* syscall names ("name" or "names") */
	uint32_t action;	  /* SCMP_ACT_* as written, errno included */
	size_t n_conditions;	  /* argument conditions, see sigsys_profile_rule_condition */
};

struct sigsys_condition {
	unsigned index;	    /* argument 0 to 5 */
	const char *op;	    /* "SCMP_CMP_EQ", "SCMP_CMP_MASKED_EQ" … */
	uint64_t value;	    /* for MASKED_EQ: the mask */
	uint64_t value_two; /* for MASKED_EQ: the value after masking */
};

int sigsys_profile_rule(const struct sigsys_profile *profile, size_t i,
			struct sigsys_rule_info *ret);
int sigsys_profile_rule_condition(const struct sigsys_profile *profile, size_t rule, size_t k,
				  struct sigsys_condition *ret);

/* Load profile NAME from DIR the way DC/OS names profiles: the file name is the profile
 * name, NULL means "default.json"; the name may not leave DIR (no "/", no "..", no symlink
 * out: -EPERM). */
int sigsys_profile_load_named(const char *dir, const char *name, struct sigsys_profile **ret,
			      struct sigsys_error *err);

/* Marathon's container.linuxInfo.seccomp of an app definition: the profile name (NULL when
 * the app does not set one: the agent default applies) or unconfined. */
int sigsys_marathon_seccomp(const char *app_json_path, char **ret_profile_name,
			    bool *ret_unconfined, struct sigsys_error *err);

/* ---- compiling --------------------------------------------------------------------------- */

enum sigsys_mode {
	SIGSYS_MODE_ENFORCE, /* actions as written; every denial audited (FILTER_FLAG_LOG) */
	SIGSYS_MODE_LOG,     /* every denying action becomes LOG */
	SIGSYS_MODE_KILL,    /* every denial becomes KILL_PROCESS, start-up probes get ENOSYS */
	SIGSYS_MODE_NOTIFY,  /* ERRNO and TRAP denials go to a supervisor (user notification) */
};

#define SIGSYS_OPT_STRICT	0x1u /* unknown syscall names are errors, not warnings */
#define SIGSYS_OPT_ENOSYS_NEWER 0x2u /* syscalls newer than the profile knows get ENOSYS */

struct sigsys_options {
	enum sigsys_mode mode;
	uint64_t caps;		    /* capabilities includes/excludes are resolved against */
	unsigned flags;		    /* SIGSYS_OPT_* */
	const char *kernel_release; /* for minKernel; NULL: this kernel */
	const char *const *probes;  /* kill-mode start-up probes, NULL-terminated; NULL: default */
	const char *cache_dir;	    /* root-only cache of compiled filters; NULL: no cache */
};

/* Defaults: enforce, no capabilities, the default probe list, no cache. */
void sigsys_options_init(struct sigsys_options *options);
/* The documented list of start-up feature probes (NULL-terminated). */
const char *const *sigsys_default_probes(void);

struct sigsys_filter;

int sigsys_compile(const struct sigsys_profile *profile, const struct sigsys_options *options,
		   struct sigsys_filter **ret, struct sigsys_error *err);
void sigsys_filter_free(struct sigsys_filter *filter);
/* Warnings found while compiling (e.g. syscall names unknown to libseccomp, skipped). */
size_t sigsys_filter_warning_count(const struct sigsys_filter *filter);
const char *sigsys_filter_warning(const struct sigsys_filter *filter, size_t i);
/* Whether the program came from the on-disk cache. */
bool sigsys_filter_cached(const struct sigsys_filter *filter);
/* The BPF program; returns the instruction count, *ret_insns points at struct sock_filter. */
size_t sigsys_filter_program(const struct sigsys_filter *filter, const void **ret_insns);
/* SECCOMP_FILTER_FLAG_* the filter is loaded with. */
unsigned sigsys_filter_flags(const struct sigsys_filter *filter);
/* The architectures the filter handles (SCMP_ARCH_* tokens), the native one first. Returns
 * how many there are; stores at most `max`. */
size_t sigsys_filter_arches(const struct sigsys_filter *filter, uint32_t *ret, size_t max);
/* Why profile rule `i` is not in the filter ("includes.caps: needs CAP_SYS_CHROOT",
 * "excludes.arches lists amd64", "includes.minKernel: needs kernel 5.8 …"); NULL when it
 * is. */
const char *sigsys_filter_rule_skipped(const struct sigsys_filter *filter, size_t i);

#define SIGSYS_LOAD_NO_NEW_PRIVS 0x1u /* set no_new_privs first (required when not root) */

/* Load the filter into the calling thread with seccomp(2). Async-signal-safe: no allocation,
 * safe between fork() and exec(). Returns 0, or the listener fd in notify mode. */
int sigsys_filter_load(const struct sigsys_filter *filter, unsigned load_flags);

/* ---- registering with sigsysd --------------------------------------------------------- */

struct sigsys_registration {
	pid_t pid; /* the task's first process (sigsysd trusts it only from a root peer) */
	const char *task_id, *framework, *app_id, *job_id, *run_id, *container_id, *agent_id;
	const struct sigsys_profile *profile; /* NULL: unconfined */
	const char *profile_name;	      /* as the scheduler named it, or NULL */
	enum sigsys_mode mode;
	uint64_t caps;
};

#define SIGSYS_REGISTERED 0 /* sigsysd took it */
#define SIGSYS_SPOOLED	  1 /* sigsysd is down: left in RUN_DIR/spool for it to read at start */

/* Register a task with sigsysd on RUN_DIR/register.sock, before the filter is loaded (the
 * profile may deny the socket calls). Returns SIGSYS_REGISTERED, SIGSYS_SPOOLED, or a
 * negative errno (e.g. -EACCES: the daemon is down and the spool is root-only). */
int sigsys_register(const char *run_dir, const struct sigsys_registration *reg,
		    struct sigsys_error *err);

/* Notify mode: register the task and hand its seccomp listener fd (what
 * sigsys_filter_load() returned) to sigsysd in the same message. Never spooled: until sigsysd
 * holds the fd, every notified call of the task blocks. Returns SIGSYS_REGISTERED, -EPERM
 * when sigsysd refused (err says why), or another negative errno when it is not reachable.
 * Call it from a thread or process that is not under the filter and shares the fd table. */
int sigsys_register_listener(const char *run_dir, const struct sigsys_registration *reg,
			     int listener_fd, struct sigsys_error *err);

/* ---- explaining -------------------------------------------------------------------------- */

struct sigsys_decision {
	uint32_t action;      /* the kernel's SECCOMP_RET_* value, data included */
	int rule_index;	      /* index in the profile's "syscalls", -1: the default action */
	bool added_by_sigsys; /* a probe or --enosys-newer rule sigsys added for the mode */
	int syscall_nr;	      /* on the requested arch */
};

/* Which rule decides SYSCALL (a name, or a number as text) with ARGS (NULL: all zero) on
 * ARCH (a SCMP_ARCH_* token, equal to AUDIT_ARCH_* but for x32; 0 means native), and what
 * the task gets. Runs the compiled
 * program, so the answer is the kernel's. */
int sigsys_explain(const struct sigsys_filter *filter, const char *syscall, uint32_t arch,
		   const uint64_t args[6], struct sigsys_decision *ret, struct sigsys_error *err);

/* ---- names ------------------------------------------------------------------------------- */

/* "enforce", "log", "kill", "notify" and back (-EINVAL for another name). */
const char *sigsys_mode_name(enum sigsys_mode mode);
int sigsys_mode_from_name(const char *name, enum sigsys_mode *ret);
/* "KILL_PROCESS", "ERRNO", "LOG", … for a SECCOMP_RET_* value (data ignored). */
const char *sigsys_action_name(uint32_t action);
/* "EPERM" for 1; NULL when unknown. */
const char *sigsys_errno_name(int errnum);
/* Capability set from "CAP_A,CAP_B" (CAP_ prefix optional, case-insensitive), "all", "". */
int sigsys_caps_parse(const char *list, uint64_t *ret_caps, struct sigsys_error *err);
/* The calling process's capability bounding set (as Mesos resolves includes/excludes). */
int sigsys_caps_bounding(uint64_t *ret_caps);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif
