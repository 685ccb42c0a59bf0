/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli-harness.h"
#include "test-helpers.h"
#include "daemon-harness.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <spawn.h>
#include <sys/wait.h>

char *read_all(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;
	cr_assert(buf);
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			cr_assert(buf);
		}
	}
	buf[len] = '\0';
	return buf;
}

/* Run `sigsys ARGS…`: stdout through a pipe, stderr through a file. */
struct cli_result run_cli(const char *const *args)
{
	char *argv[32] = {(char *)env_path("SIGSYS_CLI")};
	char err_path[] = "/tmp/sigsys-test-report-err-XXXXXX";
	int out_pipe[2];
	size_t n = 1;
	for (; args[n - 1] && n < ARRAY_SIZE(argv) - 1; n++)
		argv[n] = (char *)args[n - 1];
	argv[n] = NULL;
	int err_fd = mkstemp(err_path);
	cr_assert_geq(err_fd, 0);
	cr_assert_eq(pipe2(out_pipe, O_CLOEXEC), 0);
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
	pid_t pid = harness_spawn(argv, &actions);
	posix_spawn_file_actions_destroy(&actions);
	close(out_pipe[1]);
	struct cli_result r = {.out = read_all(out_pipe[0])};
	close(out_pipe[0]);
	int status = harness_wait(pid);
	r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	lseek(err_fd, 0, SEEK_SET);
	r.err = read_all(err_fd);
	close(err_fd);
	unlink(err_path);
	return r;
}

void cli_result_free(struct cli_result *r)
{
	free(r->out);
	free(r->err);
}

/* The value at a dotted path ("syscall.name"); NULL when absent or null. */
struct json_object *jget(struct json_object *root, const char *path)
{
	char key[64];
	struct json_object *v = root;
	while (v && *path) {
		size_t len = strcspn(path, ".");
		cr_assert_lt(len, sizeof(key));
		memcpy(key, path, len);
		key[len] = '\0';
		if (json_object_is_type(v, json_type_array)) /* "earlier_runs.0.run_id" */
			v = json_object_array_get_idx(v, strtoul(key, NULL, 10));
		else if (!json_object_object_get_ex(v, key, &v))
			return NULL;
		path += len + (path[len] == '.');
	}
	return v;
}

const char *jstr(struct json_object *root, const char *path)
{
	struct json_object *v = jget(root, path);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

int64_t jint(struct json_object *root, const char *path)
{
	struct json_object *v = jget(root, path);
	cr_assert(v && json_object_is_type(v, json_type_int), "%s is not a number", path);
	return json_object_get_int64(v);
}

bool jbool(struct json_object *root, const char *path)
{
	struct json_object *v = jget(root, path);
	cr_assert(v && json_object_is_type(v, json_type_boolean), "%s is not a boolean", path);
	return json_object_get_boolean(v);
}

/* null_reasons is keyed by dotted paths: {"syscall.args": "…"}. */
const char *null_reason(struct json_object *root, const char *path)
{
	struct json_object *reasons = jget(root, "null_reasons"), *v;
	if (!reasons || !json_object_object_get_ex(reasons, path, &v))
		return NULL;
	return json_object_get_string(v);
}

bool jnull(struct json_object *root, const char *path)
{
	struct json_object *v;
	char parent[64];
	const char *dot = strrchr(path, '.');
	struct json_object *obj = root;
	if (dot) {
		format_into(parent, sizeof(parent), "%.*s", (int)(dot - path), path);
		obj = jget(root, parent);
	}
	return obj && json_object_object_get_ex(obj, dot ? dot + 1 : path, &v) && !v;
}
