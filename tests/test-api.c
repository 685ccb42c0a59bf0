/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The HTTP API of sigsysd, live: the daemon runs on a temporary run dir, a task is killed
 * through sigsys-apply, and a raw HTTP/1.1 client on api.sock checks every endpoint.
 */
#include "daemon-harness.h"
#include "test-helpers.h"

#include <dirent.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <fcntl.h>

#define RESPONSE_MAX (4u << 20)

struct response {
	int status;
	char *text; /* the whole response */
	const char *body;
};

static void response_free(struct response *r)
{
	free(r->text);
}

static int connect_api(const struct daemon_run *d)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	format_into(addr.sun_path, sizeof(addr.sun_path), "%s/api.sock", d->run_dir);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0, "connect %s: %s",
		     addr.sun_path, strerror(errno));
	return fd;
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

/* One request, Connection: close; the response split into status and body. */
static struct response request(const struct daemon_run *d, const char *method, const char *path)
{
	char req[1024];
	struct response r = {0};
	format_into(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		    method, path);
	int fd = connect_api(d);
	cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	r.text = read_all(fd);
	close(fd);
	cr_assert_eq(sscanf(r.text, "HTTP/1.1 %d", &r.status), 1, "no status line: %.200s", r.text);
	char *end = strstr(r.text, "\r\n\r\n");
	cr_assert(end, "no end of headers: %.200s", r.text);
	r.body = end + 4;
	return r;
}

/* GET path, expect the status and a JSON object body; the caller puts it. */
static struct json_object *get_json(const struct daemon_run *d, const char *path, int status)
{
	struct response r = request(d, "GET", path);
	cr_expect_eq(r.status, status, "GET %s: %d, not %d: %s", path, r.status, status, r.body);
	struct json_object *o = json_tokener_parse(r.body);
	cr_assert(o && json_object_is_type(o, json_type_object), "GET %s: not JSON: %.300s", path,
		  r.body);
	response_free(&r);
	return o;
}

static const char *string_at(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	cr_assert(json_object_object_get_ex(o, key, &v), "no \"%s\" in %s", key,
		  json_object_to_json_string(o));
	return v;
}

static void expect_error(const struct daemon_run *d, const char *method, const char *path,
			 int status)
{
	struct response r = request(d, method, path);
	cr_expect_eq(r.status, status, "%s %s: %d, not %d", method, path, r.status, status);
	struct json_object *o = json_tokener_parse(r.body);
	cr_expect(o && strlen(string_at(o, "error")) > 0, "%s %s: no JSON error: %.200s", method,
		  path, r.body);
	json_object_put(o);
	response_free(&r);
}

static void start(struct daemon_run *d)
{
	char sock[160];
	daemon_run_dirs(d, "api");
	daemon_run_start(d);
	format_into(sock, sizeof(sock), "%s/api.sock", d->run_dir);
	for (int i = 0; i < 100 && access(sock, F_OK) < 0; i++)
		harness_sleep_ms(50);
	cr_assert_eq(access(sock, F_OK), 0, "no %s", sock);
}

static void stop(struct daemon_run *d)
{
	char sock[160];
	daemon_run_stop(d);
	format_into(sock, sizeof(sock), "%s/api.sock", d->run_dir);
	cr_expect_neq(access(sock, F_OK), 0, "api.sock is left behind");
	daemon_run_remove(d);
}

static bool is_the_kill(struct json_object *e)
{
	return !strcmp(string_at(e, "syscall"), "personality") &&
	       !strcmp(string_at(e, "action"), "KILL_PROCESS") &&
	       !strcmp(string_at(e, "task_id"), "t-kill") &&
	       !strcmp(string_at(e, "arch"), "x86_64");
}

static bool has_the_kill(struct json_object *events)
{
	for (size_t k = 0; k < json_object_array_length(events); k++)
		if (is_the_kill(json_object_array_get_idx(events, k)))
			return true;
	return false;
}

/* The kill of t-kill in /v1/events, waited for (the daemon stores within a second). */
static bool kill_listed(const struct daemon_run *d)
{
	for (int i = 0; i < 50; i++) {
		struct json_object *o = get_json(d, "/v1/events", 200);
		bool found = has_the_kill(member(o, "events"));
		json_object_put(o);
		if (found)
			return true;
		harness_sleep_ms(100);
	}
	return false;
}

#define PROBE_DENIED "\"$SIGSYS_PROBE\" personality:5"

Test(api, health_events_tasks_and_errors, .timeout = 120)
{
	struct daemon_run d;
	start(&d);
	daemon_run_launch(&d, "t-kill", "kill", NULL, PROBE_DENIED);
	daemon_run_launch(&d, "t-deny", "enforce", NULL, PROBE_DENIED);

	struct json_object *o = get_json(&d, "/v1/health", 200);
	cr_expect_str_eq(string_at(o, "status"), "ok");
	cr_expect(json_object_get_boolean(member(member(o, "sources"), "audit")));
	cr_expect_str_eq(string_at(o, "version"), SIGSYS_VERSION);
	json_object_put(o);

	cr_expect(kill_listed(&d), "the kill of t-kill is not in /v1/events");

	o = get_json(&d, "/v1/tasks/t-kill/events", 200);
	cr_expect(has_the_kill(member(o, "events")), "%s", json_object_to_json_string(o));
	json_object_put(o);
	o = get_json(&d, "/v1/tasks/t%2Dkill/events", 200); /* percent-encoded */
	cr_expect_geq(json_object_array_length(member(o, "events")), 1);
	json_object_put(o);

	expect_error(&d, "GET", "/v1/tasks/nope/events", 404);
	expect_error(&d, "GET", "/nope", 404);
	expect_error(&d, "POST", "/v1/health", 405);
	expect_error(&d, "GET", "/v1/events?limit=100000", 400);
	expect_error(&d, "GET", "/v1/events?since=x", 400);
	stop(&d);
}

/* limit=1 walks the events one by one: each page one event, next = its id, more until the
 * last one. */
Test(api, events_paginate_with_a_cursor, .timeout = 120)
{
	struct daemon_run d;
	char path[128];
	start(&d);
	daemon_run_launch(&d, "t-kill", "kill", NULL, PROBE_DENIED);
	daemon_run_launch(&d, "t-deny", "enforce", NULL, PROBE_DENIED);
	cr_assert(kill_listed(&d));
	for (int i = 0; i < 50; i++) {
		struct json_object *all = get_json(&d, "/v1/events", 200);
		size_t n = json_object_array_length(member(all, "events"));
		json_object_put(all);
		if (n >= 2)
			break;
		harness_sleep_ms(100);
	}

	int64_t since = 0, pages = 0;
	bool more = true;
	while (more && pages < 100) {
		format_into(path, sizeof(path), "/v1/events?since=%jd&limit=1", (intmax_t)since);
		struct json_object *o = get_json(&d, path, 200);
		struct json_object *events = member(o, "events");
		cr_assert_eq(json_object_array_length(events), 1, "page %jd: %s", (intmax_t)pages,
			     json_object_to_json_string(o));
		int64_t id =
			json_object_get_int64(member(json_object_array_get_idx(events, 0), "id"));
		int64_t next = json_object_get_int64(member(o, "next"));
		cr_expect_gt(id, since, "ids increase");
		cr_expect_eq(next, id, "next is the page's last id");
		more = json_object_get_boolean(member(o, "more"));
		since = next;
		pages++;
		json_object_put(o);
	}
	cr_expect_geq(pages, 2, "two events at least, one page each");
	/* The daemon records every seccomp event on the machine (the other test of this file
	 * runs beside this one): what comes after the last page can only be newer. */
	format_into(path, sizeof(path), "/v1/events?since=%jd&limit=10000", (intmax_t)since);
	struct json_object *o = get_json(&d, path, 200);
	struct json_object *after = member(o, "events");
	for (size_t i = 0; i < json_object_array_length(after); i++)
		cr_expect_gt(
			json_object_get_int64(member(json_object_array_get_idx(after, i), "id")),
			since, "nothing before the cursor comes back");
	cr_expect(!json_object_get_boolean(member(o, "more")), "one page of 10000 holds the rest");
	json_object_put(o);
	stop(&d);
}

static const char *metrics_line_for_the_kill(const char *body)
{
	return strstr(body, "sigsys_events_total{action=\"KILL_PROCESS\",syscall=\"personality\","
			    "arch=\"x86_64\"} ");
}

Test(api, metrics_profiles_and_socket_mode, .timeout = 120)
{
	struct daemon_run d;
	char sock[160];
	start(&d);
	format_into(sock, sizeof(sock), "%s/api.sock", d.run_dir);
	struct stat st;
	cr_assert_eq(stat(sock, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0600, "api.sock mode %o", st.st_mode & 07777);
	cr_expect_eq(st.st_uid, 0);

	daemon_run_launch(&d, "t-kill", "kill", NULL, PROBE_DENIED);
	cr_assert(kill_listed(&d));
	struct response r = request(&d, "GET", "/metrics");
	cr_expect_eq(r.status, 200);
	cr_expect(strstr(r.text, "text/plain; version=0.0.4"), "content type: %.300s", r.text);
	cr_expect(strstr(r.body, "# TYPE sigsys_events_total counter"));
	cr_expect(metrics_line_for_the_kill(r.body), "no kill line in:\n%s", r.body);
	cr_expect(strstr(r.body, "\nsigsys_registrations_total "));
	cr_expect(strstr(r.body, "\nsigsys_store_bytes "));
	cr_expect(strstr(r.body, "sigsys_records_lost_total{source="));
	response_free(&r);

	struct json_object *o = get_json(&d, "/v1/profiles", 200);
	struct json_object *list = member(o, "profiles"), *def = NULL;
	for (size_t k = 0; k < json_object_array_length(list); k++)
		if (!strcmp(string_at(json_object_array_get_idx(list, k), "name"), "default.json"))
			def = json_object_array_get_idx(list, k);
	cr_assert(def, "default.json is not listed: %s", json_object_to_json_string(o));
	char path[PATH_MAX];
	struct sigsys_profile *profile = NULL;
	format_into(path, sizeof(path), "%s/default.json", env_path("SIGSYS_PROFILES"));
	struct sigsys_error err;
	cr_assert_eq(sigsys_profile_load(path, &profile, &err), 0, "%s", err.message);
	cr_expect_str_eq(string_at(def, "digest"), sigsys_profile_digest(profile));
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(json_object_get_int64(member(def, "size")), st.st_size);
	sigsys_profile_free(profile);
	json_object_put(o);
	stop(&d);
}

/* ---- reports ------------------------------------------------------------------------------ */

/* `sigsys ARGS…`: its stdout, and its exit status in *status. */
static char *run_cli(const char *const *args, int *status)
{
	char *argv[16] = {(char *)env_path("SIGSYS_CLI")};
	int out_pipe[2];
	size_t n = 1;
	for (; args[n - 1] && n < ARRAY_SIZE(argv) - 1; n++)
		argv[n] = (char *)args[n - 1];
	argv[n] = NULL;
	cr_assert_eq(pipe2(out_pipe, O_CLOEXEC), 0);
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
	pid_t pid = harness_spawn(argv, &actions);
	posix_spawn_file_actions_destroy(&actions);
	close(out_pipe[1]);
	char *out = read_all(out_pipe[0]);
	close(out_pipe[0]);
	int ws = harness_wait(pid);
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
	return out;
}

/* The report of t-kill once the daemon has stored its kill. */
static struct json_object *kill_report(const struct daemon_run *d)
{
	for (int i = 0; i < 50; i++) {
		struct json_object *o = get_json(d, "/v1/tasks/t-kill/report", 200);
		if (!strcmp(string_at(o, "outcome"), "seccomp-kill"))
			return o;
		json_object_put(o);
		harness_sleep_ms(100);
	}
	cr_assert_fail("/v1/tasks/t-kill/report never says seccomp-kill");
	return NULL;
}

Test(api, report_and_failures, .timeout = 120)
{
	struct daemon_run d;
	int status;
	start(&d);
	daemon_run_launch(&d, "t-kill", "kill", NULL, PROBE_DENIED);

	struct json_object *o = kill_report(&d);
	cr_expect_str_eq(string_at(o, "task_id"), "t-kill");
	cr_expect_str_eq(string_at(member(o, "syscall"), "name"), "personality");
	cr_expect_eq(json_object_get_int(member(o, "schema_version")), 1);
	cr_expect(strlen(string_at(o, "message")) > 0);
	json_object_put(o);
	o = get_json(&d, "/v1/tasks/t%2Dkill/report", 200); /* percent-encoded */
	cr_expect_str_eq(string_at(o, "outcome"), "seccomp-kill");
	json_object_put(o);
	struct response text = request(&d, "GET", "/v1/tasks/t-kill/report?format=text");
	cr_expect_eq(text.status, 200);
	cr_expect(strstr(text.body, "outcome    seccomp-kill"), "%s", text.body);
	response_free(&text);

	expect_error(&d, "GET", "/v1/tasks/nope/report", 404);
	expect_error(&d, "GET", "/v1/tasks/t-kill/report?format=yaml", 400);
	expect_error(&d, "GET", "/v1/failures", 400);
	expect_error(&d, "GET", "/v1/failures?run_id=1", 400);
	o = get_json(&d, "/v1/failures?app_id=%2Fno-such-app", 200);
	cr_expect_eq(json_object_array_length(member(o, "failures")), 0);
	json_object_put(o);
	o = get_json(&d, "/v1/failures?job_id=no-job&run_id=r1", 200);
	cr_expect_eq(json_object_array_length(member(o, "failures")), 0);
	json_object_put(o);
	expect_error(&d, "GET", "/v1/tasks/t-kill/report?backoff_factor=abc", 400);
	expect_error(&d, "GET", "/v1/tasks/t-kill/report?backoff_seconds=-1", 400);
	expect_error(&d, "GET", "/v1/tasks/t-kill/report?restart_policy=ALWAYS", 400);
	expect_error(&d, "GET", "/v1/failures?job_id=j&format=marathon", 400);
	expect_error(&d, "GET", "/v1/failures?app_id=a&format=metronome", 400);
	expect_error(&d, "GET", "/v1/failures?app_id=a&format=yaml", 400);
	o = get_json(&d, "/v1/tasks/t-kill/report?format=marathon&backoff_seconds=2", 200);
	cr_expect_str_eq(string_at(member(o, "lastTaskFailure"), "taskId"), "t-kill");
	cr_expect_str_eq(string_at(member(o, "lastTaskFailure"), "state"), "TASK_FAILED");
	cr_expect_str_eq(string_at(member(o, "sigsys"), "outcome"), "seccomp-kill");
	json_object_put(o);
	o = get_json(&d, "/v1/tasks/t-kill/report?format=metronome", 200);
	cr_expect_str_eq(string_at(member(o, "cause"), "outcome"), "seccomp-kill");
	json_object_put(o);

	/* The CLI without --db asks the daemon, and prints what --db prints. */
	const char *over_api[] = {"report",   "t-kill", "--run-dir", d.run_dir,
				  "--format", "json",	NULL};
	const char *from_db[] = {"report",   "t-kill",	      "--db",
				 d.db,	     "--profile-dir", env_path("SIGSYS_PROFILES"),
				 "--format", "json",	      NULL};
	char *a = run_cli(over_api, &status);
	cr_expect_eq(status, 0, "sigsys report over the API: exit %d", status);
	struct json_object *ja = json_tokener_parse(a);
	cr_assert(ja, "not JSON: %.300s", a);
	char *b = run_cli(from_db, &status);
	cr_expect_eq(status, 0);
	struct json_object *jb = json_tokener_parse(b);
	cr_assert(jb, "not JSON: %.300s", b);
	cr_expect_str_eq(a, b, "the daemon's report differs from the store's");
	cr_expect_str_eq(string_at(ja, "outcome"), "seccomp-kill");
	cr_expect_str_eq(string_at(ja, "outcome"), string_at(jb, "outcome"));
	cr_expect_str_eq(string_at(ja, "message"), string_at(jb, "message"));
	json_object_put(ja);
	json_object_put(jb);
	free(a);
	free(b);

	const char *message[] = {"report",   "t-kill",	"--run-dir", d.run_dir,
				 "--format", "message", NULL};
	a = run_cli(message, &status);
	cr_expect_eq(status, 0);
	cr_expect(strstr(a, "personality"), "%s", a);
	free(a);
	const char *unknown[] = {"report", "nope", "--run-dir", d.run_dir, NULL};
	free(run_cli(unknown, &status));
	cr_expect_eq(status, 3, "unknown task over the API: exit %d", status);
	stop(&d);
}

static struct json_object *report_of(const struct daemon_run *d, const char *task_id)
{
	char path[128];
	struct json_object *o = NULL;
	format_into(path, sizeof(path), "/v1/tasks/%s/report", task_id);
	for (int i = 0; i < 40; i++) { /* stored within a loop turn; the exit may follow */
		struct response r = request(d, "GET", path);
		if (r.status == 200)
			o = json_tokener_parse(r.body);
		response_free(&r);
		if (o && strcmp(string_at(o, "outcome"), "unknown") != 0)
			return o;
		json_object_put(o);
		o = NULL;
		harness_sleep_ms(100);
	}
	cr_assert_fail("no settled report for %s", task_id);
	return NULL;
}

static void expect_outcome(const struct daemon_run *d, const char *task_id, const char *outcome,
			   const char *action)
{
	struct json_object *o = report_of(d, task_id);
	cr_expect_str_eq(string_at(o, "task_id"), task_id);
	cr_expect_str_eq(string_at(o, "outcome"), outcome, "%s", task_id);
	cr_expect_str_eq(string_at(member(o, "syscall"), "name"), "personality", "%s", task_id);
	cr_expect_str_eq(string_at(o, "action"), action, "%s", task_id);
	json_object_put(o);
}

/* Garbage on register.sock: refused, and the daemon goes on serving and registering. */
static void send_garbage(const struct daemon_run *d)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	static const char *const messages[] = {"\x00\x00\x00\x05hello", "\x7f\xff\xff\xff",
					       "\x00\x00\x00\x02{}", "x"};
	static const size_t lengths[] = {9, 4, 6, 1};
	format_into(addr.sun_path, sizeof(addr.sun_path), "%s/register.sock", d->run_dir);
	for (size_t i = 0; i < ARRAY_SIZE(messages); i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		cr_assert_geq(fd, 0);
		cr_assert_eq(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
		cr_expect_eq(send(fd, messages[i], lengths[i], MSG_NOSIGNAL), (ssize_t)lengths[i]);
		shutdown(fd, SHUT_WR);
		char reply[512];
		ssize_t n = recv(fd, reply, sizeof(reply) - 1, MSG_WAITALL);
		reply[n > 0 ? n : 0] = '\0';
		cr_expect(n > 4 && strstr(reply + 4, "\"ok\":false"), "message %zu: %s", i,
			  n > 4 ? reply + 4 : "(no answer)");
		close(fd);
	}
}

/* Every outcome over the socket, a kill in a grandchild, and bad input survived. */
Test(api, reports_over_the_socket_and_bad_input_survived, .timeout = 120)
{
	struct daemon_run d;
	start(&d);
	send_garbage(&d);
	expect_error(&d, "GET", "/v1/events?since=-1", 400);
	expect_error(&d, "DELETE", "/v1/health", 405);

	/* Clients that connect and say nothing must not hold up anyone else's
	 * registration: with it connected, launches are registered, not spooled. */
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	format_into(addr.sun_path, sizeof(addr.sun_path), "%s/register.sock", d.run_dir);
	int silent[3]; /* together longer than a launcher waits for its answer */
	for (int i = 0; i < 3; i++) {
		silent[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		cr_assert_eq(connect(silent[i], (struct sockaddr *)&addr, sizeof(addr)), 0);
	}
	daemon_run_launch(&d, "t-kill", "kill", NULL, PROBE_DENIED);
	daemon_run_launch(&d, "t-grandchild", "kill", NULL, "(" PROBE_DENIED "; true); true");
	char spool[160];
	format_into(spool, sizeof(spool), "%s/spool", d.run_dir);
	DIR *dir = opendir(spool);
	int spooled = 0;
	for (struct dirent *e; dir && (e = readdir(dir));)
		spooled += e->d_name[0] != '.';
	if (dir)
		closedir(dir);
	cr_expect_eq(spooled, 0, "silent clients made %d launch(es) spool", spooled);
	for (int i = 0; i < 3; i++)
		close(silent[i]);
	daemon_run_launch(&d, "t-deny", "enforce", NULL, PROBE_DENIED "; exit 1");
	daemon_run_launch(&d, "t-log", "log", NULL, PROBE_DENIED);
	expect_outcome(&d, "t-kill", "seccomp-kill", "KILL_PROCESS");
	expect_outcome(&d, "t-grandchild", "seccomp-kill", "KILL_PROCESS");
	expect_outcome(&d, "t-deny", "seccomp-denied", "ERRNO");
	expect_outcome(&d, "t-log", "seccomp-logged", "LOG");
	struct json_object *health = get_json(&d, "/v1/health", 200);
	cr_expect_str_eq(string_at(health, "status"), "ok");
	json_object_put(health);

	/* sigsys events asks the daemon and prints what the store file gives */
	int status;
	const char *over_api[] = {"events", "--task", "t-kill", "--run-dir", d.run_dir, NULL};
	const char *from_db[] = {"events", "--task", "t-kill", "--db", d.db, NULL};
	char *a = run_cli(over_api, &status);
	cr_expect_eq(status, 0);
	char *b = run_cli(from_db, &status);
	cr_expect(strstr(a, "personality KILL_PROCESS"), "%s", a);
	cr_expect_str_eq(a, b, "sigsys events differs between the daemon and the store");
	free(a);
	free(b);
	const char *unknown[] = {"events", "--task", "nope", "--run-dir", d.run_dir, NULL};
	free(run_cli(unknown, &status));
	cr_expect_eq(status, 3);
	stop(&d);
}
