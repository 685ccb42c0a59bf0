/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Mesos container of a process, from /proc/<pid>/cgroup, and the Mesos and Marathon
 * variables of its environment, from /proc/<pid>/environ.
 *
 * Both parsers walk a cursor that never passes its end; the text need not be terminated.
 */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NESTED_SEPARATOR "mesos" /* Mesos's CGROUP_SEPARATOR: <parent>/mesos/<child> */
#define DELETED_SUFFIX	 " (deleted)"
#define DOCKER_PREFIX	 "mesos-" /* Mesos's DOCKER_NAME_PREFIX */

struct span {
	const char *p;
	size_t len;
};

static bool span_is(struct span s, const char *lit)
{
	size_t n = strlen(lit);
	return s.len == n && memcmp(s.p, lit, n) == 0;
}

static bool id_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '_' || ch == '-';
}

bool mesos_id_valid(const char *id, size_t len)
{
	if (!id || len == 0 || len > MESOS_ID_MAX || id[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!id_char(id[i]))
			return false;
	return true;
}

/* ---- /proc/<pid>/cgroup ---------------------------------------------------------------- */

#define ROOT_DEPTH_MAX 8
#define ROOT_LEN_MAX   255
/* Enough for the root and the deepest chain; later components are checked, not kept. */
#define PATH_KEPT (ROOT_DEPTH_MAX + 2 * MESOS_NESTING_MAX + 1)

/* The first components of a path. */
struct path {
	struct span comp[PATH_KEPT];
	size_t n;
};

static bool controller_char(char ch)
{
	return id_char(ch) || ch == ',' || ch == '=';
}

/* "/a/b/c": absolute, no empty, "." or ".." components, no control bytes. */
static int split_path(struct span s, struct path *ret)
{
	const char *p = s.p, *end = s.p + s.len;

	ret->n = 0;
	if (s.len == 0 || *p != '/' || s.len > PATH_MAX)
		return -EINVAL;
	if (s.len == 1)
		return 0; /* the root */
	while (p < end) {
		struct span c = {++p, 0};

		while (p < end && *p != '/') {
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return -EINVAL;
			p++;
		}
		c.len = (size_t)(p - c.p);
		if (c.len == 0 || span_is(c, ".") || span_is(c, ".."))
			return -EINVAL;
		if (ret->n < PATH_KEPT)
			ret->comp[ret->n++] = c;
	}
	return 0;
}

/* The chain in one path: 0 and depth 0 when the path is not under root. */
static int chain_of(const struct path *path, const struct path *root, struct mesos_container *ret)
{
	size_t i;

	ret->depth = 0;
	if (path->n <= root->n)
		return 0;
	for (i = 0; i < root->n; i++)
		if (path->comp[i].len != root->comp[i].len ||
		    memcmp(path->comp[i].p, root->comp[i].p, root->comp[i].len) != 0)
			return 0;
	/* i: the first id; then "mesos/<id>" pairs as long as they last. */
	for (;;) {
		struct span id = path->comp[i];

		if (!mesos_id_valid(id.p, id.len))
			return -EINVAL;
		if (ret->depth == MESOS_NESTING_MAX)
			return -E2BIG;
		memcpy(ret->ids[ret->depth], id.p, id.len);
		ret->ids[ret->depth][id.len] = '\0';
		ret->depth++;
		if (i + 2 >= path->n || !span_is(path->comp[i + 1], NESTED_SEPARATOR))
			return 0;
		i += 2;
	}
}

/* One chain a prefix of the other (or equal): they name the same container or its parent. */
static bool chains_agree(const struct mesos_container *a, const struct mesos_container *b)
{
	uint32_t n = a->depth < b->depth ? a->depth : b->depth;

	for (uint32_t i = 0; i < n; i++)
		if (strcmp(a->ids[i], b->ids[i]) != 0)
			return false;
	return true;
}

struct line {
	unsigned hierarchy;
	struct span controllers;
	struct span path;
	bool deleted;
};

/* "ID:CONTROLLERS:PATH" (the '\n' already cut off). */
static int split_line(struct span s, struct line *ret)
{
	const char *p = s.p, *end = s.p + s.len, *colon;
	unsigned long id = 0;

	if (p == end || *p < '0' || *p > '9' || (*p == '0' && p + 1 < end && p[1] != ':'))
		return -EINVAL;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		id = id * 10 + (unsigned)(*p - '0');
		if (id > CGROUP_HIERARCHY_MAX)
			return -EINVAL;
	}
	if (p == end || *p++ != ':')
		return -EINVAL;
	colon = memchr(p, ':', (size_t)(end - p));
	if (!colon)
		return -EINVAL;
	for (const char *c = p; c < colon; c++)
		if (!controller_char(*c))
			return -EINVAL;
	ret->hierarchy = (unsigned)id;
	ret->controllers = (struct span){p, (size_t)(colon - p)};
	ret->path = (struct span){colon + 1, (size_t)(end - colon - 1)};
	/* Hierarchy 0 is cgroup2, the only one without controllers listed. */
	if ((id == 0) != (ret->controllers.len == 0))
		return -EINVAL;
	/* cgroup2 marks the path of a removed cgroup (a task exiting in it). */
	ret->deleted = false;
	if (id == 0 && ret->path.len > strlen(DELETED_SUFFIX) &&
	    memcmp(end - strlen(DELETED_SUFFIX), DELETED_SUFFIX, strlen(DELETED_SUFFIX)) == 0) {
		ret->path.len -= strlen(DELETED_SUFFIX);
		ret->deleted = true;
	}
	return 0;
}

struct cgroup_scan {
	const struct path *root;
	struct mesos_container best;
	unsigned char seen[CGROUP_HIERARCHY_MAX / 8 + 1];
	struct path path; /* scratch */
	struct mesos_container chain;
};

static int scan_line(struct cgroup_scan *s, struct span text)
{
	struct line line;
	int r = split_line(text, &line);

	if (r < 0)
		return r;
	if (s->seen[line.hierarchy / 8] & (1u << (line.hierarchy % 8)))
		return -EINVAL; /* one line per hierarchy: two would be a forged line */
	s->seen[line.hierarchy / 8] |= (unsigned char)(1u << (line.hierarchy % 8));
	r = split_path(line.path, &s->path);
	if (r < 0)
		return r;
	r = chain_of(&s->path, s->root, &s->chain);
	if (r < 0 || s->chain.depth == 0)
		return r;
	if (!chains_agree(&s->best, &s->chain))
		return -ENOTUNIQ;
	if (s->chain.depth > s->best.depth) {
		memcpy(s->best.ids, s->chain.ids, sizeof(s->best.ids));
		s->best.depth = s->chain.depth;
	}
	s->best.flags |= line.hierarchy == 0 ? MESOS_CONTAINER_V2 : MESOS_CONTAINER_V1;
	if (line.deleted)
		s->best.flags |= MESOS_CONTAINER_DELETED;
	return 0;
}

/* The root argument ("mesos", "a/b"): components as in a path, each a valid id. */
static int parse_root(const char *root, struct path *ret)
{
	char buf[ROOT_LEN_MAX + 2];
	size_t len;

	if (!root)
		root = MESOS_CGROUPS_ROOT;
	len = strnlen(root, ROOT_LEN_MAX + 1);
	if (len == 0 || len > ROOT_LEN_MAX || root[0] == '/')
		return -EINVAL;
	buf[0] = '/';
	memcpy(buf + 1, root, len);
	/* Components point into buf: compare them now, keep only what outlives it. */
	if (split_path((struct span){buf, len + 1}, ret) < 0 || ret->n > ROOT_DEPTH_MAX)
		return -EINVAL;
	for (size_t i = 0; i < ret->n; i++) {
		if (!mesos_id_valid(ret->comp[i].p, ret->comp[i].len))
			return -EINVAL;
		ret->comp[i].p = root + (ret->comp[i].p - buf - 1);
	}
	return 0;
}

int cgroup_mesos_container(const char *text, size_t len, const char *root,
			   struct mesos_container *ret)
{
	struct path root_path;
	struct cgroup_scan scan = {.root = &root_path}, *s = &scan;
	const char *p = text, *end = text + len;
	size_t lines = 0;
	int r = 0;

	if (!text || len == 0 || len > CGROUP_TEXT_MAX)
		return -EINVAL;
	if (parse_root(root, &root_path) < 0)
		return -EINVAL;
	while (p < end && r == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		/* The kernel ends every line: a line without its end is a cut read. */
		if (!nl || ++lines > CGROUP_LINES_MAX) {
			r = -EINVAL;
			break;
		}
		r = scan_line(s, (struct span){p, (size_t)(nl - p)});
		p = nl + 1;
	}
	if (r == 0 && s->best.depth == 0)
		r = -ENOENT;
	if (r == 0)
		*ret = s->best;
	return r;
}

/* ---- reading /proc ---------------------------------------------------------------------- */

/* Up to max bytes of /proc/<pid>/<name> into a new buffer; *ret_full: it all fit. */
static int read_proc(pid_t pid, const char *name, size_t max, char **ret_buf, size_t *ret_len,
		     bool *ret_full)
{
	char path[64];
	size_t len = 0;
	char *buf;
	int fd;

	if (pid <= 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	buf = malloc(max + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	/* One byte more than max tells a file of exactly max bytes from a longer one. */
	while (len < max + 1) {
		ssize_t n = read(fd, buf + len, max + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int r = errno == ESRCH ? -ESRCH : -errno;

			close(fd);
			free(buf);
			return r;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	*ret_full = len <= max;
	*ret_len = len <= max ? len : max;
	*ret_buf = buf;
	return 0;
}

int cgroup_mesos_container_of(pid_t pid, const char *root, struct mesos_container *ret)
{
	char *text;
	size_t len;
	bool full;
	int r = read_proc(pid, "cgroup", CGROUP_TEXT_MAX, &text, &len, &full);

	if (r < 0)
		return r;
	r = full ? cgroup_mesos_container(text, len, root, ret) : -EFBIG;
	free(text);
	return r;
}

/* ---- /proc/<pid>/environ ---------------------------------------------------------------- */

struct env_var {
	const char *name;
	enum mesos_env_var bit;
	size_t offset;
};

static const struct env_var env_vars[] = {
	{"MESOS_TASK_ID", MESOS_ENV_TASK_ID, offsetof(struct mesos_env, task_id)},
	{"MESOS_EXECUTOR_ID", MESOS_ENV_EXECUTOR_ID, offsetof(struct mesos_env, executor_id)},
	{"MESOS_FRAMEWORK_ID", MESOS_ENV_FRAMEWORK_ID, offsetof(struct mesos_env, framework_id)},
	{"MESOS_CONTAINER_NAME", MESOS_ENV_CONTAINER_NAME,
	 offsetof(struct mesos_env, container_name)},
	{"MARATHON_APP_ID", MESOS_ENV_MARATHON_APP_ID, offsetof(struct mesos_env, marathon_app_id)},
	{"MARATHON_APP_VERSION", MESOS_ENV_MARATHON_APP_VERSION,
	 offsetof(struct mesos_env, marathon_app_version)},
};

/* Printable, no space: ids, app paths and ISO timestamps all are. */
static bool env_value_valid(struct span v)
{
	if (v.len == 0 || v.len > MESOS_ENV_VALUE_MAX)
		return false;
	for (size_t i = 0; i < v.len; i++)
		if ((unsigned char)v.p[i] < 0x21 || (unsigned char)v.p[i] > 0x7e)
			return false;
	return true;
}

static void take_env_value(struct mesos_env *env, const struct env_var *var, struct span v)
{
	char *dst = (char *)env + var->offset;
	uint32_t done = env->found | env->invalid;

	if (done & var->bit) {
		/* getenv() returns the first: a later, different one is worth a flag. */
		if (!(env->found & var->bit) || strlen(dst) != v.len || memcmp(dst, v.p, v.len))
			env->conflicting |= var->bit;
		return;
	}
	if (!env_value_valid(v)) {
		env->invalid |= var->bit;
		return;
	}
	memcpy(dst, v.p, v.len);
	dst[v.len] = '\0';
	env->found |= var->bit;
}

static void take_env_entry(struct mesos_env *env, struct span e)
{
	const char *eq = memchr(e.p, '=', e.len);

	if (!eq)
		return;
	for (size_t i = 0; i < sizeof(env_vars) / sizeof(env_vars[0]); i++) {
		struct span name = {e.p, (size_t)(eq - e.p)};

		if (span_is(name, env_vars[i].name)) {
			struct span value = {eq + 1, e.len - name.len - 1};

			take_env_value(env, &env_vars[i], value);
			return;
		}
	}
}

/* "mesos-<agent>.<container>[.executor]" or, before Mesos 0.23, "mesos-<container>". */
static void derive_container_id(struct mesos_env *env)
{
	const char *name = env->container_name, *id, *dot;
	size_t prefix = strlen(DOCKER_PREFIX), len;

	if (!(env->found & MESOS_ENV_CONTAINER_NAME) || strncmp(name, DOCKER_PREFIX, prefix) != 0)
		return;
	id = name + prefix;
	dot = strchr(id, '.');
	if (dot) {
		id = dot + 1;
		dot = strchr(id, '.');
		if (dot && strcmp(dot, ".executor") != 0)
			goto invalid;
	}
	len = dot ? (size_t)(dot - id) : strlen(id);
	if (!mesos_id_valid(id, len))
		goto invalid;
	memcpy(env->container_id, id, len);
	env->container_id[len] = '\0';
	env->found |= MESOS_ENV_CONTAINER_ID;
	return;
invalid:
	env->invalid |= MESOS_ENV_CONTAINER_ID;
}

int mesos_env_parse(const char *text, size_t len, struct mesos_env *ret)
{
	const char *p = text, *end = text + len;

	memset(ret, 0, sizeof(*ret));
	if (!text)
		return 0;
	while (p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));

		if (!nul) {
			ret->flags |= MESOS_ENV_INCOMPLETE;
			break;
		}
		take_env_entry(ret, (struct span){p, (size_t)(nul - p)});
		p = nul + 1;
	}
	derive_container_id(ret);
	return __builtin_popcount(ret->found);
}

int mesos_env_of(pid_t pid, struct mesos_env *ret)
{
	char *text;
	size_t len;
	bool full;
	int r = read_proc(pid, "environ", MESOS_ENV_READ_MAX, &text, &len, &full);

	if (r < 0)
		return r;
	r = mesos_env_parse(text, len, ret);
	if (!full)
		ret->flags |= MESOS_ENV_INCOMPLETE;
	free(text);
	return r;
}
