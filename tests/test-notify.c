/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Seccomp user notification end to end, live: sigsys-apply --mode notify hands its listener
 * to a real sigsysd, which records each notified call (arguments, path strings) and answers
 * with the profile's errno; sigsysd killed (ENOSYS) and restarted with SIGHUP (still
 * answered); a storm from several tasks; notify.sock, the OCI agent, with malformed messages
 * and with crun as the client.
 */
#include "daemon-harness.h"
#include "notify-source.h"
#include "store.h"
#include "test-helpers.h"

#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <grp.h>
#include <sys/syscall.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

/* open gets EACCES by its rule, mkdir the default errno of an ERRNO rule (EPERM). */
static const char notify_profile[] =
	"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
	" {\"names\": [\"open\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13},"
	" {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\"}]}";

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	cr_assert(f, "%s: %m", path);
	fputs(text, f);
	fclose(f);
}

static char *read_text(const char *path)
{
	char *text = NULL;
	cr_assert_eq(read_file_bounded(path, 16u << 20, &text, NULL), 0, "reading %s", path);
	return text;
}

static size_t count_lines(const char *text, const char *line)
{
	size_t n = 0, len = strlen(line);
	for (const char *p = text; (p = strstr(p, line)); p += len)
		n++;
	return n;
}

struct notify_run {
	struct daemon_run d;
	char profile[160];
};

static void notify_run_start(struct notify_run *r, const char *name)
{
	daemon_run_dirs(&r->d, name);
	format_into(r->profile, sizeof(r->profile), "%s/notify.json", r->d.dir);
	write_text(r->profile, notify_profile);
	daemon_run_start_sources(&r->d, "audit,proc,bpf,notify");
}

/* sigsys-apply --mode notify -- ARGV…, stdout to OUT (NULL: inherited); not waited for. */
static pid_t launch(const struct notify_run *r, const char *task_id, const char *out,
		    char *const argv[])
{
	char *args[64] = {(char *)env_path("SIGSYS_APPLY"),
			  "-q",
			  "--run-dir",
			  (char *)r->d.run_dir,
			  "--profile",
			  (char *)r->profile,
			  "--no-cache",
			  "--caps",
			  "",
			  "--mode",
			  "notify",
			  "--task-id",
			  (char *)task_id,
			  "--"};
	size_t n = 14;
	for (size_t i = 0; argv[i]; i++) {
		cr_assert_lt(n, ARRAY_SIZE(args) - 1);
		args[n++] = argv[i];
	}
	args[n] = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	if (out)
		posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	pid_t pid = harness_spawn(args, &fa);
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

/* A shell running under the filter: `sh -c SCRIPT`, PROBE set to the probe program. */
static pid_t launch_shell(const struct notify_run *r, const char *task_id, const char *out,
			  const char *script)
{
	char cmd[4096];
	format_into(cmd, sizeof(cmd), "PROBE='%s'; %s", env_path("SIGSYS_PROBE"), script);
	char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	return launch(r, task_id, out, argv);
}

static struct json_object *report_json(const struct notify_run *r, const char *task_id)
{
	char out[192];
	format_into(out, sizeof(out), "%s/report-%s.json", r->d.dir, task_id);
	char *argv[] = {(char *)env_path("SIGSYS_CLI"), "report",   (char *)task_id, "--run-dir",
			(char *)r->d.run_dir,		"--format", "json",	     NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int status = harness_wait(harness_spawn(argv, &fa));
	posix_spawn_file_actions_destroy(&fa);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "sigsys report: %#x", status);
	_cleanup_free_ char *text = read_text(out);
	struct json_object *o = json_tokener_parse(text);
	cr_assert(o, "the report is not JSON: %s", text);
	return o;
}

static const char *json_path_string(struct json_object *o, const char *a, const char *b)
{
	struct json_object *v = o;
	if (a && !json_object_object_get_ex(v, a, &v))
		return NULL;
	if (b && !json_object_object_get_ex(v, b, &v))
		return NULL;
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* ---- the store, read as the report would ----------------------------------------------- */

struct seen {
	size_t n;
	size_t from_notify; /* events the notify source recorded */
	char strings[4][256];
	char container_id[256];
	uint32_t code;
	uint8_t has_args;
};

static int on_row(const struct store_event_row *row, void *userdata)
{
	struct seen *s = userdata;
	if (s->n < ARRAY_SIZE(s->strings))
		format_into(s->strings[s->n], sizeof(s->strings[0]), "%s",
			    row->strings ? row->strings : "");
	format_into(s->container_id, sizeof(s->container_id), "%s",
		    row->container_id ? row->container_id : "");
	s->code = row->event.code;
	s->has_args = row->event.has_args;
	s->from_notify += (row->event.sources & SECCOMP_EVENT_SOURCE_NOTIFY) != 0;
	s->n++;
	return 0;
}

static struct seen task_events(const struct daemon_run *d, const char *task_id)
{
	struct store *s;
	struct store_options o;
	struct store_error err = {{0}};
	struct seen seen = {0};
	store_options_init(&o);
	o.read_only = true;
	/* A sigsysd re-executing itself (SIGHUP) reopens the store: SQLite may then answer
	 * "locked" at once, without waiting. */
	int r = store_open(d->db, &o, &s, &err);
	for (int i = 0; i < 50 && r < 0; i++) {
		harness_sleep_ms(100);
		r = store_open(d->db, &o, &s, &err);
	}
	cr_assert_eq(r, 0, "%s", err.message);
	cr_assert_geq(store_task_events(s, task_id, 0, 0, on_row, &seen, &err), 0, "%s",
		      err.message);
	store_close(s);
	return seen;
}

static int add_count(const struct store_count *c, void *userdata)
{
	*(uint64_t *)userdata += c->count;
	return 0;
}

static uint64_t task_count(const struct daemon_run *d, const char *task_id)
{
	struct store *s;
	struct store_options o;
	struct store_error err = {{0}};
	uint64_t n = 0;
	store_options_init(&o);
	o.read_only = true;
	cr_assert_eq(store_open(d->db, &o, &s, &err), 0, "%s", err.message);
	cr_assert_geq(store_task_counts(s, task_id, add_count, &n, &err), 0, "%s", err.message);
	store_close(s);
	return n;
}

static void wait_for_file(const char *path)
{
	while (access(path, F_OK) < 0)
		harness_sleep_ms(20);
}

/* How many seccomp listeners process PID holds. */
static int listeners_held(pid_t pid)
{
	char dir[64], path[128], target[64];
	int n = 0;
	format_into(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(dir);
	cr_assert(d, "%s: %m", dir);
	for (struct dirent *e; (e = readdir(d));) {
		format_into(path, sizeof(path), "%s/%s", dir, e->d_name);
		ssize_t len = readlink(path, target, sizeof(target) - 1);
		if (len > 0) {
			target[len] = '\0';
			n += strcmp(target, "anon_inode:seccomp notify") == 0;
		}
	}
	closedir(d);
	return n;
}

/* ---- sigsys-apply --mode notify ---------------------------------------------------------- */

Test(notify, the_task_gets_the_profiles_errno_and_sigsysd_the_path)
{
	struct notify_run r;
	char out[160], secret[160], dir[160], probe_open[200], probe_mkdir[200];
	notify_run_start(&r, "notify-errno");
	format_into(out, sizeof(out), "%s/probe.out", r.d.dir);
	format_into(secret, sizeof(secret), "%s/secret-file", r.d.dir);
	format_into(dir, sizeof(dir), "%s/new-dir", r.d.dir);
	format_into(probe_open, sizeof(probe_open), "open:s%s:0", secret);
	format_into(probe_mkdir, sizeof(probe_mkdir), "mkdir:s%s:0755", dir);
	char *argv[] = {(char *)env_path("SIGSYS_PROBE"), "getpid", probe_open, probe_mkdir, NULL};
	int status = harness_wait(launch(&r, "notify-errno-1", out, argv));
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	_cleanup_free_ char *text = read_text(out);
	cr_expect(strstr(text, "open=-EACCES\n"), "the rule's errnoRet 13: %s", text);
	cr_expect(strstr(text, "mkdir=-EPERM\n"), "an ERRNO rule without errnoRet: %s", text);
	cr_expect_eq(access(dir, F_OK), -1, "never CONTINUE: the directory was not made");

	struct seen seen = task_events(&r.d, "notify-errno-1");
	char want[256];
	cr_assert_eq(seen.n, 2, "one event per notified call, got %zu", seen.n);
	format_into(want, sizeof(want), "[\"%s\"]", secret);
	for (char *p; (p = strstr(seen.strings[0], "\\/"));) /* json-c escapes slashes */
		memmove(p, p + 1, strlen(p));
	cr_expect_str_eq(seen.strings[0], want);
	cr_expect(seen.has_args, "all six arguments are recorded");
	/* The task is gone: its listener hangs up (EPOLLHUP) and sigsysd lets go of it. */
	while (listeners_held(r.d.pid) > 0)
		harness_sleep_ms(20);
	daemon_run_stop(&r.d);
	daemon_run_remove(&r.d);
}

Test(notify, redact_keeps_the_strings_out_of_the_store)
{
	struct notify_run r;
	char sock[160], out[160], call[200];
	daemon_run_dirs(&r.d, "notify-redact");
	format_into(r.profile, sizeof(r.profile), "%s/notify.json", r.d.dir);
	write_text(r.profile, notify_profile);
	char *daemon[] = {(char *)env_path("SIGSYSD"),
			  "--foreground",
			  "--run-dir",
			  r.d.run_dir,
			  "--db",
			  r.d.db,
			  "--sources",
			  "proc,notify",
			  "--redact",
			  NULL};
	r.d.pid = harness_spawn(daemon, NULL);
	format_into(sock, sizeof(sock), "%s/register.sock", r.d.run_dir);
	wait_for_file(sock);
	format_into(out, sizeof(out), "%s/probe.out", r.d.dir);
	format_into(call, sizeof(call), "mkdir:s%s/private-name:0755", r.d.dir);
	char *argv[] = {(char *)env_path("SIGSYS_PROBE"), call, NULL};
	int status = harness_wait(launch(&r, "notify-redact-1", out, argv));
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	struct seen seen = task_events(&r.d, "notify-redact-1");
	cr_assert_eq(seen.n, 1);
	cr_expect_str_eq(seen.strings[0], "", "no strings stored under --redact");
	cr_expect(seen.has_args, "the arguments are kept");
	daemon_run_stop(&r.d);
	daemon_run_remove(&r.d);
}

Test(notify, a_denied_open_is_named_in_the_report)
{
	struct notify_run r;
	char secret[160], script[512];
	notify_run_start(&r, "notify-report");
	format_into(secret, sizeof(secret), "%s/secret-file", r.d.dir);
	write_text(secret, "x");
	/* The task fails because its open failed: the report must name the file. */
	format_into(script, sizeof(script), "\"$PROBE\" open:s%s:0 | grep -q 'open=[0-9]'", secret);
	int status = harness_wait(launch_shell(&r, "notify-report-1", NULL, script));
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1, "status %#x", status);

	struct json_object *rep = report_json(&r, "notify-report-1");
	cr_expect_str_eq(json_path_string(rep, "outcome", NULL), "seccomp-denied");
	cr_expect_str_eq(json_path_string(rep, "syscall", "name"), "open");
	cr_expect_str_eq(json_path_string(rep, "errno", NULL), "EACCES");
	struct json_object *sys, *strings, *args;
	cr_assert(json_object_object_get_ex(rep, "syscall", &sys));
	cr_assert(json_object_object_get_ex(sys, "strings", &strings) &&
		  json_object_array_length(strings) == 1);
	cr_expect_str_eq(json_object_get_string(json_object_array_get_idx(strings, 0)), secret);
	cr_assert(json_object_object_get_ex(sys, "args", &args) &&
		  json_object_array_length(args) == 6);
	json_object_put(rep);
	daemon_run_stop(&r.d);
	daemon_run_remove(&r.d);
}

Test(notify, a_profiles_own_notify_rule_goes_to_sigsysd_in_enforce_mode)
{
	struct notify_run r;
	char out[160], call[200];
	notify_run_start(&r, "notify-own");
	write_text(r.profile, "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
			      " {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}");
	format_into(out, sizeof(out), "%s/probe.out", r.d.dir);
	format_into(call, sizeof(call), "mkdir:s%s/own:0755", r.d.dir);
	char *args[] = {(char *)env_path("SIGSYS_APPLY"),
			"-q",
			"--run-dir",
			r.d.run_dir,
			"--profile",
			r.profile,
			"--no-cache",
			"--caps",
			"",
			"--mode",
			"enforce",
			"--task-id",
			"notify-own-1",
			"--",
			(char *)env_path("SIGSYS_PROBE"),
			call,
			NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int status = harness_wait(harness_spawn(args, &fa));
	posix_spawn_file_actions_destroy(&fa);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	_cleanup_free_ char *text = read_text(out);
	cr_expect(strstr(text, "mkdir=-EPERM\n"),
		  "no errno in a NOTIFY rule: EPERM, not ENOSYS: %s", text);
	/* Enforce mode keeps FLAG_LOG (its ERRNO rules are audited): the kernel's audit
	 * record of the notification (action USER_NOTIF) may be stored beside sigsysd's. */
	cr_expect_eq(task_events(&r.d, "notify-own-1").from_notify, 1);
	daemon_run_stop(&r.d);
	daemon_run_remove(&r.d);
}

/* Every call the hand-off makes is notified for the task thread: had that thread sent the
 * listener itself, it would block forever on its first socket call (FACTS.md). */
Test(notify, the_hand_off_does_not_deadlock_when_its_own_calls_are_notified)
{
	struct notify_run r;
	char out[160];
	notify_run_start(&r, "notify-handoff");
	write_text(
		r.profile,
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"socket\","
		" \"connect\", \"sendmsg\", \"sendto\", \"recvmsg\", \"recvfrom\", \"nanosleep\","
		" \"clock_nanosleep\", \"futex\", \"setsockopt\", \"getsockopt\"],"
		" \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13}]}");
	format_into(out, sizeof(out), "%s/probe.out", r.d.dir);
	char *argv[] = {(char *)env_path("SIGSYS_PROBE"), "socket:1:1:0", NULL};
	int status = harness_wait(launch(&r, "notify-handoff-1", out, argv));
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	_cleanup_free_ char *text = read_text(out);
	cr_expect(strstr(text, "socket=-EACCES\n"), "answered by sigsysd: %s", text);
	cr_expect_eq(task_events(&r.d, "notify-handoff-1").from_notify, 1,
		     "only the task's own call was notified, none of the hand-off's");
	daemon_run_stop(&r.d);
	daemon_run_remove(&r.d);
}

Test(notify, without_sigsysd_the_launch_refuses_to_start)
{
	struct notify_run r;
	char marker[160], script[256];
	daemon_run_dirs(&r.d, "notify-down");
	format_into(r.profile, sizeof(r.profile), "%s/notify.json", r.d.dir);
	write_text(r.profile, notify_profile);
	format_into(marker, sizeof(marker), "%s/ran", r.d.dir);
	format_into(script, sizeof(script), "echo > '%s'", marker);
	int status = harness_wait(launch_shell(&r, "notify-down-1", NULL, script));
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 125, "status %#x", status);
	cr_expect_eq(access(marker, F_OK), -1, "the task must not have run");
	daemon_run_remove(&r.d);
}

/* The task makes one notified call, waits for GO, makes another. */
static pid_t launch_two_calls(const struct notify_run *r, const char *task_id, const char *out,
			      const char *first_done, const char *go)
{
	char script[1024];
	format_into(script, sizeof(script),
		    "\"$PROBE\" mkdir:s%s/one:0755; echo > '%s';"
		    " while [ ! -e '%s' ]; do sleep 0.02; done; \"$PROBE\" mkdir:s%s/two:0755",
		    r->d.dir, first_done, go, r->d.dir);
	return launch_shell(r, task_id, out, script);
}

Test(notify, a_killed_sigsysd_leaves_enosys)
{
	struct notify_run r;
	char out[160], first[160], go[160];
	notify_run_start(&r, "notify-killed");
	format_into(out, sizeof(out), "%s/probe.out", r.d.dir);
	format_into(first, sizeof(first), "%s/first", r.d.dir);
	format_into(go, sizeof(go), "%s/go", r.d.dir);
	pid_t task = launch_two_calls(&r, "notify-killed-1", out, first, go);
	wait_for_file(first);
	kill(r.d.pid, SIGKILL);
	harness_wait(r.d.pid);
	write_text(go, "");
	int status = harness_wait(task);
	cr_assert(WIFEXITED(status), "status %#x", status);
	_cleanup_free_ char *text = read_text(out);
	cr_expect(strstr(text, "mkdir=-EPERM\nmkdir=-ENOSYS\n"),
		  "answered while sigsysd lived, ENOSYS once the last listener closed: %s", text);
	daemon_run_remove(&r.d);
}

Test(notify, sighup_restarts_sigsysd_and_keeps_the_listener)
{
	struct notify_run r;
	char out[160], first[160], go[160];
	notify_run_start(&r, "notify-hup");
	format_into(out, sizeof(out), "%s/probe.out", r.d.dir);
	format_into(first, sizeof(first), "%s/first", r.d.dir);
	format_into(go, sizeof(go), "%s/go", r.d.dir);
	pid_t task = launch_two_calls(&r, "notify-hup-1", out, first, go);
	wait_for_file(first);
	kill(r.d.pid, SIGHUP);
	write_text(go, ""); /* the second call may come while sigsysd re-execs: it waits */
	int status = harness_wait(task);
	cr_assert(WIFEXITED(status), "status %#x", status);
	_cleanup_free_ char *text = read_text(out);
	cr_expect(strstr(text, "mkdir=-EPERM\nmkdir=-EPERM\n"),
		  "both calls answered with the profile's errno across the restart: %s", text);
	cr_expect_eq(kill(r.d.pid, 0), 0, "the same sigsysd process lives on");
	struct seen seen = task_events(&r.d, "notify-hup-1");
	cr_expect_eq(seen.n, 2, "both calls recorded, got %zu", seen.n);
	daemon_run_stop(&r.d);
	daemon_run_remove(&r.d);
}

/* ---- TOCTOU: the path rewritten by another thread while sigsysd reads it ---------------- */

#define FLIP_CALLS 600 /* under max_rows_per_key: every call keeps its row */

struct flip_seen {
	const char *a, *b;
	size_t n, as_a, as_b, unreadable, torn;
	char torn_example[256];
};

/* Each recorded string is A, B, or null (unreadable) — never a mix of the two. */
static int on_flip_row(const struct store_event_row *row, void *userdata)
{
	struct flip_seen *f = userdata;
	struct json_object *a = row->strings ? json_tokener_parse(row->strings) : NULL;
	struct json_object *v =
		a && json_object_is_type(a, json_type_array) && json_object_array_length(a) == 1
			? json_object_array_get_idx(a, 0)
			: NULL;
	const char *path = v ? json_object_get_string(v) : NULL;
	f->n++;
	if (a && !v && json_object_array_length(a) == 1)
		f->unreadable++;
	else if (path && strcmp(path, f->a) == 0)
		f->as_a++;
	else if (path && strcmp(path, f->b) == 0)
		f->as_b++;
	else if (f->torn++ == 0)
		format_into(f->torn_example, sizeof(f->torn_example), "%s",
			    row->strings ? row->strings : "(no strings)");
	json_object_put(a);
	return 0;
}

Test(notify, a_path_rewritten_while_it_is_read_never_gets_through_nor_recorded_torn, .timeout = 120)
{
	struct notify_run r;
	char out[160], a[160], b[160], calls[16], want[64];
	notify_run_start(&r, "notify-toctou");
	format_into(out, sizeof(out), "%s/probe.out", r.d.dir);
	format_into(a, sizeof(a), "aaaaaaa"); /* relative to r.d.dir, one 64-bit word each */
	format_into(b, sizeof(b), "bbbbbbb");
	format_into(calls, sizeof(calls), "%d", FLIP_CALLS);
	char *argv[] = {(char *)env_path("SIGSYS_PROBE"), "flip-mkdir", r.d.dir, a, b, calls, NULL};
	int status = harness_wait(launch(&r, "notify-toctou-1", out, argv));
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);

	_cleanup_free_ char *text = read_text(out);
	format_into(want, sizeof(want), "calls=%d ok=0\nmkdir=-EPERM %d\n", FLIP_CALLS, FLIP_CALLS);
	cr_expect_str_eq(text, want, "every call denied with the profile's errno");
	DIR *dir = opendir(r.d.dir);
	cr_assert(dir);
	for (struct dirent *e; (e = readdir(dir));)
		cr_expect(strspn(e->d_name, "ab") != strlen(e->d_name),
			  "no directory at either path, nor at a mix of them: %s", e->d_name);
	closedir(dir);

	struct store *s;
	struct store_options o;
	struct store_error err = {{0}};
	struct flip_seen f = {.a = a, .b = b};
	store_options_init(&o);
	o.read_only = true;
	cr_assert_eq(store_open(r.d.db, &o, &s, &err), 0, "%s", err.message);
	cr_assert_geq(store_task_events(s, "notify-toctou-1", 0, 0, on_flip_row, &f, &err), 0, "%s",
		      err.message);
	store_close(s);
	cr_log_info("toctou: %zu events: %zu A, %zu B, %zu unreadable, %zu torn", f.n, f.as_a,
		    f.as_b, f.unreadable, f.torn);
	cr_expect_eq(f.n, FLIP_CALLS, "every call recorded, got %zu", f.n);
	cr_expect_eq(f.torn, 0, "%zu strings recorded torn, e.g. %s", f.torn, f.torn_example);
	cr_expect_gt(f.as_a + f.as_b, 0, "some paths were read (not all given up)");
	daemon_run_stop(&r.d);
	daemon_run_remove(&r.d);
}

#define STORM_TASKS    4
#define STORM_PER_TASK 2500

Test(notify, a_storm_of_ten_thousand_is_answered_and_recorded, .timeout = 240)
{
	struct notify_run r;
	char out[STORM_TASKS][160], task_id[STORM_TASKS][32], call[160];
	pid_t pids[STORM_TASKS];
	notify_run_start(&r, "notify-storm");
	format_into(call, sizeof(call), "mkdir:s%s/storm:0755", r.d.dir);
	static char *argv[STORM_PER_TASK + 2];
	argv[0] = (char *)env_path("SIGSYS_PROBE");
	for (int i = 1; i <= STORM_PER_TASK; i++)
		argv[i] = call;
	argv[STORM_PER_TASK + 1] = NULL;
	for (int t = 0; t < STORM_TASKS; t++) {
		format_into(out[t], sizeof(out[t]), "%s/storm-%d.out", r.d.dir, t);
		format_into(task_id[t], sizeof(task_id[t]), "notify-storm-%d", t);
		char *args[64] = {(char *)env_path("SIGSYS_APPLY"),
				  "-q",
				  "--run-dir",
				  r.d.run_dir,
				  "--profile",
				  r.profile,
				  "--no-cache",
				  "--caps",
				  "",
				  "--mode",
				  "notify",
				  "--task-id",
				  task_id[t],
				  "--",
				  NULL};
		static char *full[STORM_PER_TASK + 32];
		size_t n = 0;
		for (; args[n]; n++)
			full[n] = args[n];
		for (size_t i = 0; argv[i]; i++)
			full[n++] = argv[i];
		full[n] = NULL;
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 1, out[t], O_WRONLY | O_CREAT | O_TRUNC,
						 0644);
		pids[t] = harness_spawn(full, &fa);
		posix_spawn_file_actions_destroy(&fa);
	}
	for (int t = 0; t < STORM_TASKS; t++) {
		int status = harness_wait(pids[t]);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "task %d: %#x", t, status);
		_cleanup_free_ char *text = read_text(out[t]);
		cr_expect_eq(count_lines(text, "mkdir=-EPERM\n"), STORM_PER_TASK,
			     "task %d: every call answered with EPERM", t);
	}
	daemon_run_stop(&r.d); /* what was stored is committed */
	for (int t = 0; t < STORM_TASKS; t++)
		cr_expect_eq(task_count(&r.d, task_id[t]), STORM_PER_TASK,
			     "task %d: every notification recorded", t);
	daemon_run_remove(&r.d);
}

/* ---- notify.sock: malformed runtime messages ------------------------------------------- */

static int connect_agent(const struct daemon_run *d)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	format_into(addr.sun_path, sizeof(addr.sun_path), "%s/notify.sock", d->run_dir);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0, "%s: %m",
		     addr.sun_path);
	return fd;
}

/* One sendmsg, as crun does: JSON with N fds. */
static void send_message(int sock, const char *json, size_t len, const int *fds, size_t n_fds)
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} control = {0};
	struct iovec iov = {(void *)json, len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	if (n_fds) {
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(n_fds * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(n_fds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, n_fds * sizeof(int));
	}
	size_t sent = 0;
	ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	cr_assert_gt(n, 0, "sendmsg: %m");
	for (sent = (size_t)n; sent < len; sent += (size_t)n) {
		n = send(sock, json + sent, len - sent, MSG_NOSIGNAL);
		if (n <= 0)
			break; /* refused early: the daemon closed the connection */
	}
}

/* The daemon closes a refused connection: read gives EOF (or a reset). */
static void expect_closed(int sock, const char *what)
{
	char c;
	ssize_t n;
	do
		n = read(sock, &c, 1);
	while (n > 0);
	cr_expect_leq(n, 0, "%s: the connection is closed", what);
}

/* Every copy of the pipe's write end is closed once its read end sees EOF. */
static void expect_fd_closed(int read_end, const char *what)
{
	char c;
	cr_expect_eq(read(read_end, &c, 1), 0, "%s: sigsysd closed the fd it was sent", what);
}

static const char good_json[] =
	"{\"ociVersion\":\"0.2.0\",\"fds\":[\"seccompFd\"],\"pid\":1,"
	"\"metadata\":\"task_id=x\",\"state\":{\"ociVersion\":\"0.2.0\","
	"\"id\":\"c1\",\"status\":\"creating\",\"pid\":1,\"bundle\":\"/b\"}}";

static void malformed_case(const struct daemon_run *d, const char *what, const char *json,
			   size_t len, size_t n_fds)
{
	int pipes[4][2], fds[4];
	for (size_t i = 0; i < n_fds; i++) {
		cr_assert_eq(pipe2(pipes[i], O_CLOEXEC), 0);
		fds[i] = pipes[i][1];
	}
	int sock = connect_agent(d);
	send_message(sock, json, len, fds, n_fds);
	for (size_t i = 0; i < n_fds; i++)
		close(pipes[i][1]);
	expect_closed(sock, what);
	close(sock);
	for (size_t i = 0; i < n_fds; i++) {
		expect_fd_closed(pipes[i][0], what);
		close(pipes[i][0]);
	}
}

Test(notify, malformed_listener_messages_are_refused_and_their_fds_closed)
{
	struct notify_run r;
	notify_run_start(&r, "notify-malformed");
	malformed_case(&r.d, "no fd", good_json, strlen(good_json), 0);
	malformed_case(&r.d, "two fds", good_json, strlen(good_json), 2);
	malformed_case(&r.d, "bad JSON", "{\"fds\": [\"seccompFd\"", 21, 1);
	malformed_case(&r.d, "not JSON", "hello]", 6, 1);
	malformed_case(&r.d, "an fd that is no seccomp listener", good_json, strlen(good_json), 1);
	size_t huge = 256 * 1024;
	char *big = malloc(huge);
	cr_assert(big);
	big[0] = '[';
	memset(big + 1, ' ', huge - 1);
	malformed_case(&r.d, "huge payload", big, huge, 1);
	free(big);
	cr_expect_eq(kill(r.d.pid, 0), 0, "sigsysd is alive");

	/* And still serves. */
	char out[160];
	format_into(out, sizeof(out), "%s/probe.out", r.d.dir);
	char *argv[] = {(char *)env_path("SIGSYS_PROBE"), "mkdir:s/nonexistent/x:0755", NULL};
	int status = harness_wait(launch(&r, "notify-malformed-1", out, argv));
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	_cleanup_free_ char *text = read_text(out);
	cr_expect(strstr(text, "mkdir=-EPERM\n"), "%s", text);
	daemon_run_stop(&r.d);
	daemon_run_remove(&r.d);
}

/* ---- listenerMetadata, the pure parser --------------------------------------------------- */

Test(notify, listener_metadata_forms)
{
	struct notify_task t;
	char why[256];
	memset(&t, 0, sizeof(t));
	cr_assert_eq(notify_metadata_parse("task_id=a.1; app_id=/web ;on_notify=errno:13", &t, why,
					   sizeof(why)),
		     0, "%s", why);
	cr_expect_str_eq(t.task_id, "a.1");
	cr_expect_str_eq(t.app_id, "/web");
	cr_expect(t.answer == NOTIFY_ANSWER_ERRNO && t.errnum == 13);

	memset(&t, 0, sizeof(t));
	cr_assert_eq(notify_metadata_parse("{\"task_id\":\"b\",\"framework\":\"metronome\","
					   "\"job_id\":\"j\",\"run_id\":\"r\","
					   "\"on_notify\":\"kill\"}",
					   &t, why, sizeof(why)),
		     0, "%s", why);
	cr_expect_str_eq(t.framework, "metronome");
	cr_expect_str_eq(t.run_id, "r");
	cr_expect(t.answer == NOTIFY_ANSWER_KILL);

	memset(&t, 0, sizeof(t));
	cr_assert_eq(notify_metadata_parse("meta-1", &t, why, sizeof(why)), 0, "%s", why);
	cr_expect_str_eq(t.task_id, "meta-1", "a bare string is the task id");
	cr_expect(t.answer == NOTIFY_ANSWER_ERRNO && t.errnum == EPERM, "fail closed: EPERM");

	memset(&t, 0, sizeof(t));
	cr_assert_eq(notify_metadata_parse("on_notify=errno:EACCES", &t, why, sizeof(why)), 0);
	cr_expect_eq(t.errnum, EACCES);

	static const char *const bad[] = {"on_notify=continue",
					  "on_notify=errno:0",
					  "on_notify=errno:5000",
					  "colour=blue",
					  "{\"task_id\": 5}",
					  "framework=yarn",
					  "task_id="};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&t, 0, sizeof(t));
		why[0] = '\0';
		cr_expect_lt(notify_metadata_parse(bad[i], &t, why, sizeof(why)), 0, "%s", bad[i]);
		cr_expect(why[0], "%s: says why", bad[i]);
	}
}

/* ---- crun, a real OCI runtime, as the agent's client ----------------------------------- */

static const char crun_config[] =
	"{\"ociVersion\": \"1.0.2\","
	" \"process\": {\"terminal\": false, \"user\": {\"uid\": 0, \"gid\": 0}, \"cwd\": \"/\","
	"   \"env\": [\"PATH=/usr/bin:/bin\"], \"args\": [\"/probe\", \"getpid\","
	"   \"mkdir:s/tmp/made-by-the-container:0755\"]},"
	" \"root\": {\"path\": \"rootfs\", \"readonly\": false},"
	" \"mounts\": ["
	"  {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
	"  {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
	"   \"options\": [\"nosuid\", \"mode=755\"]},"
	"  {\"destination\": \"/usr\", \"type\": \"bind\", \"source\": \"/usr\","
	"   \"options\": [\"rbind\", \"ro\"]},"
	"  {\"destination\": \"/etc\", \"type\": \"bind\", \"source\": \"/etc\","
	"   \"options\": [\"rbind\", \"ro\"]},"
	"  {\"destination\": \"/probe\", \"type\": \"bind\", \"source\": \"%s\","
	"   \"options\": [\"bind\", \"ro\"]}],"
	" \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}],"
	"  \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\","
	"   \"architectures\": [\"SCMP_ARCH_X86_64\"],"
	"   \"listenerPath\": \"%s/notify.sock\","
	"   \"listenerMetadata\": \"%s\","
	"   \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"],"
	"     \"action\": \"SCMP_ACT_NOTIFY\"}]}}}";

/* The rootfs: host /usr and /etc (bind mounts), the merged-/usr links, /tmp. */
static void write_bundle(const char *bundle, const char *run_dir, const char *metadata)
{
	char path[PATH_MAX], config[4096];
	static const char *const links[][2] = {{"bin", "usr/bin"},
					       {"lib", "usr/lib"},
					       {"lib64", "usr/lib64"},
					       {"sbin", "usr/sbin"}};
	cr_assert_eq(mkdir(bundle, 0755), 0);
	format_into(path, sizeof(path), "%s/rootfs", bundle);
	cr_assert_eq(mkdir(path, 0755), 0);
	static const char *const dirs[] = {"usr", "etc", "proc", "dev", "tmp"};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		format_into(path, sizeof(path), "%s/rootfs/%s", bundle, dirs[i]);
		cr_assert_eq(mkdir(path, 0755), 0, "%s: %m", path);
	}
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		format_into(path, sizeof(path), "%s/rootfs/%s", bundle, links[i][0]);
		cr_assert_eq(symlink(links[i][1], path), 0, "%s: %m", path);
	}
	format_into(path, sizeof(path), "%s/rootfs/probe", bundle);
	write_text(path, "");
	format_into(config, sizeof(config), crun_config, env_path("SIGSYS_PROBE"), run_dir,
		    metadata);
	format_into(path, sizeof(path), "%s/config.json", bundle);
	write_text(path, config);
}

/* crun refuses the hybrid cgroup layout (FACTS.md): it runs in a mount namespace without
 * cgroup2. In the child: plain syscalls only, then exec. */
static int run_crun(char *const argv[], const char *out, const char *err)
{
	static char *const env[] = {"PATH=/usr/bin:/bin", NULL};
	pid_t pid = test_fork();
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0 ||
		    unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(120);
		umount2("/sys/fs/cgroup/unified", MNT_DETACH);
		execve(argv[0], argv, env);
		_exit(121);
	}
	cr_assert_gt(pid, 0, "fork: %m");
	return harness_wait(pid);
}

/* crun run of the probe container, with this listenerMetadata; returns crun's status. */
static int crun_container(const struct notify_run *r, const char *metadata, char id[64],
			  char **ret_output)
{
	char bundle[160], state[160], out[160], err[160];
	format_into(bundle, sizeof(bundle), "%s/bundle", r->d.dir);
	format_into(state, sizeof(state), "%s/crun-state", r->d.dir);
	format_into(out, sizeof(out), "%s/crun.out", r->d.dir);
	format_into(err, sizeof(err), "%s/crun.err", r->d.dir);
	format_into(id, 64, "sigsys-notify-%d", (int)getpid());
	cr_assert_eq(mkdir(state, 0700), 0);
	write_bundle(bundle, r->d.run_dir, metadata);
	char *run[] = {
		"/usr/bin/crun", "--root", state, "--cgroup-manager=disabled", "run", "--bundle",
		bundle,		 id,	   NULL};
	int status = run_crun(run, out, err);
	char *del[] = {"/usr/bin/crun", "--root", state, "--cgroup-manager=disabled",
		       "delete",	"-f",	  id,	 NULL};
	run_crun(del, "/dev/null", "/dev/null");
	_cleanup_free_ char *errors = read_text(err);
	*ret_output = read_text(out);
	cr_assert(WIFEXITED(status), "crun: %#x: %s", status, errors);
	return status;
}

Test(notify, crun_hands_its_container_listener_to_notify_sock)
{
	struct notify_run r;
	char id[64];
	notify_run_start(&r, "notify-crun");
	_cleanup_free_ char *text = NULL;
	int status = crun_container(
		&r, "task_id=crun-task-1;framework=marathon;app_id=/notify;on_notify=errno:EACCES",
		id, &text);
	cr_assert_eq(WEXITSTATUS(status), 0, "crun: %#x: %s", status, text);
	cr_expect(strstr(text, "mkdir=-EACCES\n"), "the metadata's on_notify errno: %s", text);

	struct seen seen = task_events(&r.d, "crun-task-1");
	cr_assert_eq(seen.n, 1, "the notified mkdir, recorded for the metadata's task: %zu",
		     seen.n);
	cr_expect_str_eq(seen.container_id, id, "the container id from state.id");
	cr_expect(strstr(seen.strings[0], "made-by-the-container"), "the path: %s",
		  seen.strings[0]);
	cr_expect_eq(seen.code, SECCOMP_RET_ERRNO | EACCES);
	daemon_run_stop(&r.d);
	daemon_run_remove(&r.d);
}

Test(notify, crun_on_notify_kill_records_then_kills)
{
	struct notify_run r;
	char id[64];
	notify_run_start(&r, "notify-crun-kill");
	_cleanup_free_ char *text = NULL;
	int status = crun_container(&r,
				    "{\\\"task_id\\\": \\\"crun-kill-1\\\", "
				    "\\\"on_notify\\\": \\\"kill\\\"}",
				    id, &text);
	/* crun reports a container killed by signal N as 128 + N */
	cr_expect_eq(WEXITSTATUS(status), 128 + SIGKILL, "crun: %#x: %s", status, text);
	cr_expect(strstr(text, "getpid="), "the probe ran: %s", text);
	cr_expect_null(strstr(text, "mkdir="), "the mkdir never returned: %s", text);
	struct seen seen = task_events(&r.d, "crun-kill-1");
	cr_assert_eq(seen.n, 1, "recorded before the kill: %zu", seen.n);
	cr_expect_eq(seen.code, SECCOMP_RET_USER_NOTIF);
	daemon_run_stop(&r.d);
	daemon_run_remove(&r.d);
}

/* ---- strings the store would not take as they are ------------------------------------- */

/* json-c writes a control byte as \u00XX: a 4095-byte path of them is 24 KiB of JSON, over
 * the store's limit, which would refuse the whole batch. The string is dropped instead. */
Test(notify, a_path_too_long_as_json_is_dropped_and_the_event_stored)
{
	struct notify_run r;
	static char call[NOTIFY_STRING_MAX + 32];
	char out[160];
	notify_run_start(&r, "notify-long");
	format_into(out, sizeof(out), "%s/probe.out", r.d.dir);
	memcpy(call, "mkdir:s", 7);
	memset(call + 7, '\x01', NOTIFY_STRING_MAX - 1);
	memcpy(call + 7 + NOTIFY_STRING_MAX - 1, ":0755", 6);
	char *argv[] = {(char *)env_path("SIGSYS_PROBE"), call, NULL};
	int status = harness_wait(launch(&r, "notify-long-1", out, argv));
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	_cleanup_free_ char *text = read_text(out);
	cr_expect(strstr(text, "mkdir=-EPERM\n"), "%s", text);
	struct seen seen = task_events(&r.d, "notify-long-1");
	cr_assert_eq(seen.n, 1, "the notified mkdir is stored: %zu", seen.n);
	cr_expect_str_eq(seen.strings[0], "[null]", "the string is dropped, the event kept");
	daemon_run_stop(&r.d);
	daemon_run_remove(&r.d);
}

/* Three 4095-byte paths of slashes: 24 KiB of JSON if '/' were escaped as json-c does by
 * default, 12 KiB written plain: all three are kept. */
Test(notify, three_long_paths_are_stored_whole)
{
	struct notify_run r;
	static char path[NOTIFY_STRING_MAX], call[3 * NOTIFY_STRING_MAX + 32];
	char out[160];
	notify_run_start(&r, "notify-three");
	write_text(r.profile, "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
			      " {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
	format_into(out, sizeof(out), "%s/probe.out", r.d.dir);
	memset(path, '/', NOTIFY_STRING_MAX - 1);
	format_into(call, sizeof(call), "mount:s%s:s%s:s%s:0:0", path, path, path);
	char *argv[] = {(char *)env_path("SIGSYS_PROBE"), call, NULL};
	int status = harness_wait(launch(&r, "notify-three-1", out, argv));
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	_cleanup_free_ char *text = read_text(out);
	cr_expect(strstr(text, "mount=-EPERM\n"), "%s", text);
	struct seen seen = task_events(&r.d, "notify-three-1");
	cr_assert_eq(seen.n, 1, "the notified mount is stored: %zu", seen.n);
	cr_expect_eq(strncmp(seen.strings[0], "[\"////", 6), 0, "the first path is kept: %.40s",
		     seen.strings[0]);
	cr_expect_null(strstr(seen.strings[0], "\\/"), "'/' is not escaped");
	daemon_run_stop(&r.d);
	daemon_run_remove(&r.d);
}

/* ---- notify.sock: a peer that is not root names only itself ---------------------------- */

#define AGENT_GROUP 2 /* "bin" */

/* A listener of this process's own (root may make one without no_new_privs), for mknodat,
 * a call the child never makes. */
static int own_listener(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mknodat, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sock_fprog prog = {ARRAY_SIZE(code), code};
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
			    &prog);
}

/* Send LISTENER for container ID with PID; wait until sigsysd closes the connection (it
 * does once the message is taken or refused). In a test_fork() child: no cr_assert. */
static bool agent_send_meta(const char *run_dir, int listener, int pid, const char *id,
			    const char *metadata)
{
	char json[512];
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	format_into(addr.sun_path, sizeof(addr.sun_path), "%s/notify.sock", run_dir);
	format_into(json, sizeof(json),
		    "{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\"],\"pid\":%d,"
		    "\"metadata\":\"%s\",\"state\":{\"id\":\"%s\",\"pid\":%d}}",
		    pid, metadata, id, pid);
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control = {0};
	struct iovec iov = {json, strlen(json)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	*c = (struct cmsghdr){.cmsg_len = CMSG_LEN(sizeof(int)),
			      .cmsg_level = SOL_SOCKET,
			      .cmsg_type = SCM_RIGHTS};
	memcpy(CMSG_DATA(c), &listener, sizeof(int));
	int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    sendmsg(sock, &msg, MSG_NOSIGNAL) != (ssize_t)strlen(json))
		return false;
	char byte;
	while (read(sock, &byte, 1) > 0)
		;
	close(sock);
	return true;
}

static bool agent_send(const char *run_dir, int listener, int pid, const char *id)
{
	return agent_send_meta(run_dir, listener, pid, id, "");
}

/* 0: both sent; 1: setup failed. */
static int agent_as_member(const char *run_dir)
{
	gid_t groups[] = {AGENT_GROUP};
	int listener = own_listener();
	if (listener < 0 || setgroups(1, groups) < 0 || setresgid(65534, 65534, 65534) < 0 ||
	    setresuid(65534, 65534, 65534) < 0)
		return 1;
	return agent_send(run_dir, listener, (int)getppid(), "forged-container") &&
			       agent_send(run_dir, listener, (int)getpid(), "own-container")
		       ? 0
		       : 1;
}

static int no_task(const struct store_task *t, void *userdata)
{
	(void)t;
	(void)userdata;
	return 0;
}

static bool task_stored(const struct daemon_run *d, const char *task_id)
{
	struct store *s;
	struct store_options o;
	struct store_error err = {{0}};
	store_options_init(&o);
	o.read_only = true;
	cr_assert_eq(store_open(d->db, &o, &s, &err), 0, "%s", err.message);
	int r = store_get_task(s, task_id, no_task, NULL, &err);
	store_close(s);
	cr_assert(r >= 0 || r == -ENOENT, "%s", err.message);
	return r >= 0;
}

Test(notify, a_register_group_runtime_may_name_only_its_own_pid)
{
	struct notify_run r;
	char spool[192];
	daemon_run_dirs(&r.d, "notify-agent-peer");
	char *daemon[] = {(char *)env_path("SIGSYSD"),
			  "--foreground",
			  "--run-dir",
			  r.d.run_dir,
			  "--db",
			  r.d.db,
			  "--sources",
			  "proc,notify",
			  "--register-group",
			  "bin",
			  NULL};
	r.d.pid = harness_spawn(daemon, NULL);
	format_into(spool, sizeof(spool), "%s/spool", r.d.run_dir);
	wait_for_file(spool);
	cr_assert_eq(chmod(r.d.dir, 0711), 0, "let the group member reach the run dir");
	pid_t child = test_fork();
	cr_assert_geq(child, 0);
	if (child == 0)
		_exit(agent_as_member(r.d.run_dir));
	int status = harness_wait(child);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the member: %#x", status);
	cr_expect_not(task_stored(&r.d, "forged-container"), "another pid, named by a non-root "
							     "peer, became a task");
	cr_expect(task_stored(&r.d, "own-container"), "the member's own pid is taken");
	daemon_run_stop(&r.d);
	daemon_run_remove(&r.d);
}

/* ---- --sources: notify is a source like the others ------------------------------------- */

Test(notify, sources_without_notify_open_no_notify_socket)
{
	struct daemon_run d;
	char path[192];
	daemon_run_dirs(&d, "notify-off");
	daemon_run_start_sources(&d, "proc");
	format_into(path, sizeof(path), "%s/spool", d.run_dir);
	wait_for_file(path); /* made last, after the notify source would have started */
	format_into(path, sizeof(path), "%s/notify.sock", d.run_dir);
	cr_expect_neq(access(path, F_OK), 0, "--sources proc: no notify.sock");
	daemon_run_stop(&d);
	daemon_run_remove(&d);
}

/* ---- a full disk: what the store defers is a recorded loss ----------------------------- */

static void fill_to_enospc(const char *path)
{
	static char chunk[64 * 1024];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	cr_assert_geq(fd, 0, "%s: %m", path);
	memset(chunk, 0xa5, sizeof(chunk));
	for (size_t size = sizeof(chunk); size >= 512;) {
		ssize_t w = write(fd, chunk, size);
		if (w < 0 && errno == ENOSPC)
			size /= 2;
		else
			cr_assert_gt(w, 0, "filling: %m");
	}
	close(fd);
}

static int count_notify_loss(const struct store_loss *l, void *userdata)
{
	*(uint64_t *)userdata += strcmp(l->source, "notify") == 0 && l->records > 0;
	return 0;
}

static uint64_t notify_losses(const struct daemon_run *d)
{
	struct store *s;
	struct store_options o;
	struct store_error err = {{0}};
	uint64_t n = 0;
	store_options_init(&o);
	o.read_only = true;
	if (store_open(d->db, &o, &s, &err) < 0)
		return 0; /* busy now: asked again */
	store_losses(s, 0, UINT64_MAX, 0, count_notify_loss, &n, &err);
	store_close(s);
	return n;
}

Test(notify, notifications_the_full_store_cannot_take_are_a_recorded_loss, .timeout = 300)
{
	struct notify_run r;
	char store_dir[128], filler[160], flag[160], script[512], out[160];
	daemon_run_dirs(&r.d, "notify-full");
	format_into(store_dir, sizeof(store_dir), "%s/store", r.d.dir);
	format_into(filler, sizeof(filler), "%s/filler", store_dir);
	format_into(flag, sizeof(flag), "%s/go", r.d.dir);
	format_into(out, sizeof(out), "%s/probe.out", r.d.dir);
	format_into(r.d.db, sizeof(r.d.db), "%s/sigsys.db", store_dir);
	cr_assert_eq(mkdir(store_dir, 0700), 0);
	cr_assert_eq(
		mount("sigsys-notify-full", store_dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=12m"),
		0, "mount tmpfs: %m");
	format_into(r.profile, sizeof(r.profile), "%s/notify.json", r.d.dir);
	write_text(r.profile, notify_profile);
	daemon_run_start_sources(&r.d, "proc,notify");
	/* Registered while there is room; its calls come once the disk is full. */
	format_into(script, sizeof(script),
		    "while [ ! -e %s ]; do sleep 0.05; done; \"$PROBE\" "
		    "'mkdir:s/nonexistent/x:0755*4000'",
		    flag);
	pid_t task = launch_shell(&r, "notify-full-1", out, script);
	while (listeners_held(r.d.pid) == 0)
		harness_sleep_ms(20);
	fill_to_enospc(filler);
	int fd = open(flag, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	cr_assert_geq(fd, 0);
	close(fd);
	int status = harness_wait(task);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "every call answered: %#x",
		  status);
	/* Room again: the held loss goes in at the next maintenance. */
	cr_assert_eq(unlink(filler), 0);
	uint64_t losses = 0;
	for (int i = 0; i < 600 && !(losses = notify_losses(&r.d)); i++)
		harness_sleep_ms(100);
	cr_expect_gt(losses, 0, "no notify loss recorded for the deferred notifications");
	daemon_run_stop(&r.d);
	cr_expect_eq(umount(store_dir), 0, "umount: %m");
	daemon_run_remove(&r.d);
}

/* ---- a re-exec's listener list that does not parse ------------------------------------- */

/* In the child: a listener of its own, left inheritable and listed with an answer that
 * does not exist, then sigsysd exec'd as a restart would. No cr_assert here. */
static void exec_with_bad_listener(const struct daemon_run *d)
{
	char spec[64];
	int listener = own_listener();
	if (listener < 0 || fcntl(listener, F_SETFD, 0) < 0) /* as the old sigsysd leaves it */
		_exit(120);
	format_into(spec, sizeof(spec), "%d,9,1,1,74", listener);
	setenv(NOTIFY_ENV, spec, 1);
	execl(env_path("SIGSYSD"), "sigsysd", "--foreground", "--run-dir", d->run_dir, "--db",
	      d->db, "--sources", "proc,notify", (char *)NULL);
	_exit(121);
}

Test(notify, an_inherited_listener_whose_spec_is_refused_is_closed)
{
	struct daemon_run d;
	char spool[192];
	daemon_run_dirs(&d, "notify-bad-spec");
	d.pid = test_fork();
	cr_assert_geq(d.pid, 0);
	if (d.pid == 0)
		exec_with_bad_listener(&d);
	format_into(spool, sizeof(spool), "%s/spool", d.run_dir);
	wait_for_file(spool); /* made after the inherited listeners were looked at */
	cr_expect_eq(listeners_held(d.pid), 0, "the refused listener is still open in sigsysd");
	daemon_run_stop(&d);
	daemon_run_remove(&d);
}

/* ---- on_notify=kill from a thread that is not the leader ------------------------------- */

static void *mknodat_thread(void *arg)
{
	(void)arg;
	syscall(__NR_mknodat, AT_FDCWD, "/nonexistent/sigsys-kill", S_IFIFO | 0600, 0);
	return NULL;
}

/* In the child: its listener to notify.sock with on_notify=kill, then the notified call from
 * a second thread. Exits 0 only if that call returned (nobody killed it). */
static int notified_from_a_thread(const char *run_dir)
{
	pthread_t t;
	int listener = own_listener();
	if (listener < 0 || !agent_send_meta(run_dir, listener, (int)getpid(), "thread-kill",
					     "task_id=thread-kill-1;on_notify=kill"))
		return 1;
	close(listener);
	if (pthread_create(&t, NULL, mknodat_thread, NULL) != 0)
		return 1;
	pthread_join(t, NULL);
	return 0;
}

Test(notify, on_notify_kill_kills_a_call_from_a_second_thread)
{
	struct notify_run r;
	notify_run_start(&r, "notify-thread-kill");
	pid_t child = test_fork();
	cr_assert_geq(child, 0);
	if (child == 0)
		_exit(notified_from_a_thread(r.d.run_dir));
	int status = harness_wait(child);
	cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the task: %#x", status);
	struct seen seen = task_events(&r.d, "thread-kill-1");
	cr_expect_eq(seen.n, 1, "recorded before the kill: %zu", seen.n);
	daemon_run_stop(&r.d);
	daemon_run_remove(&r.d);
}
