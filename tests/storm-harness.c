/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "storm-harness.h"
#include "test-helpers.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#define RESPONSE_MAX (8u << 20)
#define LOCK_PATH    "/tmp/sigsys-test-storm.lock"

int storm_lock(void)
{
	int fd = open(LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	cr_assert_geq(fd, 0, "open %s: %s", LOCK_PATH, strerror(errno));
	cr_assert_eq(flock(fd, LOCK_EX), 0);
	return fd;
}

void storm_unlock(int fd)
{
	close(fd);
}

void storm_daemon_start(struct daemon_run *d, const char *const *extra)
{
	char *argv[32] = {(char *)env_path("SIGSYSD"),
			  "--foreground",
			  "--run-dir",
			  d->run_dir,
			  "--db",
			  d->db,
			  "--sources",
			  "audit,proc",
			  "--profile-dir",
			  (char *)env_path("SIGSYS_PROFILES")};
	size_t n = 10;
	for (; extra && *extra && n < ARRAY_SIZE(argv) - 1; extra++)
		argv[n++] = (char *)*extra;
	argv[n] = NULL;
	/* a later --profile-dir in extra wins: getopt takes the last one */
	/* answered, not only present: a killed daemon leaves its socket files behind */
	struct json_object *health = NULL;
	d->pid = harness_spawn(argv, NULL);
	for (int i = 0; i < 600 && !(health = storm_api_get(d, "/v1/health")); i++)
		harness_sleep_ms(50);
	cr_assert(health, "sigsysd did not start (no answer on %s/api.sock)", d->run_dir);
	json_object_put(health);
}

void storm_daemon_crash(struct daemon_run *d)
{
	cr_assert_eq(kill(d->pid, SIGKILL), 0);
	int status = harness_wait(d->pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
	d->pid = 0;
}

pid_t storm_launch(const struct daemon_run *d, const char *task_id, const char *mode,
		   const char *profile_dir, const char *profile, const char *const *argv)
{
	char *args[48] = {(char *)env_path("SIGSYS_APPLY"),
			  "-q",
			  "--run-dir",
			  (char *)d->run_dir,
			  "--profile-dir",
			  (char *)profile_dir,
			  "--profile",
			  (char *)profile,
			  "--no-cache",
			  "--caps",
			  "",
			  "--mode",
			  (char *)mode,
			  "--task-id",
			  (char *)task_id,
			  "--"};
	size_t n = 16;
	for (; *argv && n < ARRAY_SIZE(args) - 1; argv++)
		args[n++] = (char *)*argv;
	args[n] = NULL;
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	pid_t pid = harness_spawn(args, &actions);
	posix_spawn_file_actions_destroy(&actions);
	return pid;
}

static char *read_all(int fd)
{
	size_t len = 0;
	char *buf = malloc(RESPONSE_MAX + 1);
	cr_assert(buf);
	for (ssize_t n; len < RESPONSE_MAX && (n = read(fd, buf + len, RESPONSE_MAX - len)) > 0;)
		len += (size_t)n;
	buf[len] = '\0';
	return buf;
}

struct json_object *storm_api_get(const struct daemon_run *d, const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char req[512];
	int status = 0;
	format_into(addr.sun_path, sizeof(addr.sun_path), "%s/api.sock", d->run_dir);
	format_into(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		    path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return NULL;
	}
	char *text = read_all(fd);
	close(fd);
	char *body = strstr(text, "\r\n\r\n");
	struct json_object *o = NULL;
	if (sscanf(text, "HTTP/1.1 %d", &status) == 1 && status == 200 && body)
		o = json_tokener_parse(body + 4);
	free(text);
	return o;
}

struct json_object *storm_report(const struct daemon_run *d, const char *profile_dir,
				 const char *task_id)
{
	char *argv[] = {(char *)env_path("SIGSYS_CLI"),
			"report",
			"--db",
			(char *)d->db,
			"--profile-dir",
			(char *)profile_dir,
			"--format",
			"json",
			(char *)task_id,
			NULL};
	int out[2];
	cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
	pid_t pid = harness_spawn(argv, &actions);
	posix_spawn_file_actions_destroy(&actions);
	close(out[1]);
	char *text = read_all(out[0]);
	close(out[0]);
	int status = harness_wait(pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "sigsys report %s: status %#x",
		  task_id, status);
	struct json_object *o = json_tokener_parse(text);
	cr_assert(o, "sigsys report %s: not JSON: %.300s", task_id, text);
	free(text);
	return o;
}

struct json_object *storm_jget(struct json_object *root, const char *path)
{
	char key[64];
	struct json_object *v = root;
	while (v && *path) {
		size_t len = strcspn(path, ".");
		cr_assert_lt(len, sizeof(key));
		memcpy(key, path, len);
		key[len] = '\0';
		if (!json_object_object_get_ex(v, key, &v))
			return NULL;
		path += len + (path[len] == '.');
	}
	return v;
}

const char *storm_jstr(struct json_object *root, const char *path)
{
	struct json_object *v = storm_jget(root, path);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

struct store *storm_reader(const struct daemon_run *d)
{
	struct store_options o;
	struct store *s = NULL;
	struct store_error err;
	store_options_init(&o);
	o.read_only = true;
	o.busy_timeout_ms = 10000;
	cr_assert_eq(store_open(d->db, &o, &s, &err), 0, "reading %s: %s", d->db, err.message);
	return s;
}

static int on_task(const struct store_task *t, void *userdata)
{
	*(bool *)userdata = t->exit.kind != STORE_EXIT_NONE;
	return 0;
}

bool storm_task_exited(const struct daemon_run *d, const char *task_id)
{
	struct store *s = storm_reader(d);
	bool exited = false;
	store_get_task(s, task_id, on_task, &exited, NULL);
	store_close(s);
	return exited;
}

bool storm_poll(bool (*cond)(const struct daemon_run *, const void *), const struct daemon_run *d,
		const void *arg, int timeout_s)
{
	for (int i = 0; i < timeout_s * 10; i++) {
		if (cond(d, arg))
			return true;
		harness_sleep_ms(100);
	}
	return cond(d, arg);
}

uint64_t storm_daemon_peak_rss(const struct daemon_run *d)
{
	char path[64], line[256];
	unsigned long long kib = 0;
	format_into(path, sizeof(path), "/proc/%d/status", d->pid);
	FILE *f = fopen(path, "re");
	cr_assert(f, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %llu kB", &kib) == 1)
			break;
	fclose(f);
	cr_assert_gt(kib, 0, "no VmHWM in %s", path);
	return kib * 1024;
}

uint64_t storm_store_bytes(const struct daemon_run *d)
{
	char path[160];
	struct stat st;
	uint64_t total = 0;
	if (stat(d->db, &st) == 0)
		total += (uint64_t)st.st_size;
	static const char *const suffixes[] = {"-wal", "-shm", "-reserve"};
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		format_into(path, sizeof(path), "%s%s", d->db, suffixes[i]);
		if (stat(path, &st) == 0)
			total += (uint64_t)st.st_size;
	}
	return total;
}
