/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsys report, events and doctor, live: sigsysd runs on a temporary run dir and store,
 * tasks launched through sigsys-apply are killed, denied, logged or fail on their own; once
 * the daemon is stopped, `sigsys --db` must name the right outcome, syscall, rule, profile
 * and exit of each, list the events page by page, and the doctor must see this kernel.
 */
#include "test-helpers.h"
#include "daemon-harness.h"
#include "cli-harness.h"
#include "store.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <json-c/json.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

#define PROBE_PERSONALITY "\"$SIGSYS_PROBE\" personality:5"
#define PYTHON		  "/usr/bin/python3"
#define PYTHON_THREAD \
	"exec " PYTHON " -c 'import threading; threading.Thread(target=print).start()'"

/* ---- processes ------------------------------------------------------------------------ */

/* ---- the daemon --------------------------------------------------------------------------- */

/* ---- JSON ------------------------------------------------------------------------------ */

static struct json_object *report_json(const struct daemon_run *d, const char *task_id)
{
	const char *args[] = {
		"report", "--db",  d->db, "--profile-dir", env_path("SIGSYS_PROFILES"), "--format",
		"json",	  task_id, NULL};
	struct cli_result r = run_cli(args);
	cr_assert_eq(r.status, 0, "sigsys report %s: exit %d: %s", task_id, r.status, r.err);
	struct json_object *root = json_tokener_parse(r.out);
	cr_assert(root, "sigsys report %s: not JSON:\n%s", task_id, r.out);
	cli_result_free(&r);
	return root;
}

/* The denials of the report with this syscall: how many, and how many benign. */
static void denials_of(struct json_object *root, const char *syscall, int *ret_n, int *ret_benign)
{
	struct json_object *denials = jget(root, "denials");
	*ret_n = *ret_benign = 0;
	cr_assert(denials && json_object_is_type(denials, json_type_array));
	for (size_t i = 0; i < json_object_array_length(denials); i++) {
		struct json_object *e = json_object_array_get_idx(denials, i);
		const char *name = jstr(e, "syscall");
		if (!name || strcmp(name, syscall) != 0)
			continue;
		(*ret_n)++;
		*ret_benign += jbool(e, "benign");
	}
}

static void expect_common(struct json_object *root, const char *task_id, const char *mode)
{
	cr_expect_eq(jint(root, "schema_version"), 1);
	expect_str(root, "task_id", task_id);
	expect_str(root, "mode", mode);
	expect_str(root, "profile.name", "default.json");
	cr_expect(jstr(root, "profile.digest") &&
			  strncmp(jstr(root, "profile.digest"), "sha256:", 7) == 0,
		  "profile.digest");
	cr_expect(!jbool(root, "profile.changed_on_disk"),
		  "default.json is the file the task was launched with");
	cr_expect(jstr(root, "reason") && *jstr(root, "reason"), "a reason, always");
	cr_expect(!jnull(root, "syscall.args") || null_reason(root, "syscall.args"),
		  "no arguments: null_reasons says why");
	cr_expect(jstr(root, "verdict.why") && *jstr(root, "verdict.advice"),
		  "a verdict, with why and the advice");
	cr_expect(!jnull(root, "verdict.deterministic") ||
			  null_reason(root, "verdict.deterministic"),
		  "a null says why, in null_reasons");
	cr_expect(jstr(root, "message") && strlen(jstr(root, "message")) < 200);
}

/* ---- report: one task per outcome --------------------------------------------------------- */

static void check_kill(const struct daemon_run *d)
{
	struct json_object *root = report_json(d, "t-kill");
	int n, benign;
	expect_common(root, "t-kill", "kill");
	expect_str(root, "outcome", "seccomp-kill");
	expect_str(root, "syscall.name", "personality");
	cr_expect_eq(jint(root, "syscall.nr"), SYS_personality);
#ifdef __x86_64__
	expect_str(root, "syscall.arch", "x86_64");
#endif
	expect_str(root, "action", "KILL_PROCESS");
	expect_str(root, "syscall.args.0", "0x5"); /* the bpf source saw the kill's registers */
	cr_expect(jbool(root, "rule.exact"), "from the arguments, the rule is known exactly");
	cr_expect(jbool(root, "rule.default"), "personality(5) falls to the default action");
	expect_str(root, "rule.action", "KILL_PROCESS");
	expect_str(root, "rule.written.errno", "EPERM");
	cr_expect_eq(jint(root, "exit.status"), 128 + SIGSYS,
		     "the shell reports its child's SIGSYS");
	denials_of(root, "personality", &n, &benign);
	cr_expect(n == 1 && benign == 0, "personality: %d denials, %d benign", n, benign);
	cr_expect(strstr(jstr(root, "message"), "personality"), "%s", jstr(root, "message"));
	json_object_put(root);
}

static void check_denied(const struct daemon_run *d)
{
	struct json_object *root = report_json(d, "t-denied");
	int n, benign;
	expect_common(root, "t-denied", "enforce");
	expect_str(root, "outcome", "seccomp-denied");
	expect_str(root, "syscall.name", "clone3");
	expect_str(root, "action", "ERRNO");
	expect_str(root, "errno", "EPERM");
	cr_expect(jnull(root, "syscall.args"), "only audit sees an ERRNO denial");
	expect_str(root, "pattern.id", "clone3-eperm");
	cr_expect(strstr(jstr(root, "pattern.fix"), "\"errnoRet\": 38") &&
			  strstr(jstr(root, "pattern.fix"), "Mesos isolator"),
		  "the fix for sigsys and for Mesos: %s", jstr(root, "pattern.fix"));
	cr_expect(strstr(jstr(root, "verdict.advice"), "clone3"), "%s",
		  jstr(root, "verdict.advice"));
	cr_expect(jbool(root, "rule.default"), "clone3 is not in default.json: default action");
	expect_str(root, "rule.errno", "EPERM");
	cr_expect_eq(jint(root, "exit.status"), 1, "python exits 1 when a thread cannot start");
	denials_of(root, "clone3", &n, &benign);
	cr_expect(n >= 1 && benign == 0, "clone3: %d denials, %d benign", n, benign);
	denials_of(root, "rseq", &n, &benign);
	cr_expect_eq(n, benign, "rseq denials are benign");
	json_object_put(root);
}

static void check_logged(const struct daemon_run *d)
{
	struct json_object *root = report_json(d, "t-log");
	expect_common(root, "t-log", "log");
	expect_str(root, "outcome", "seccomp-logged");
	expect_str(root, "syscall.name", "personality");
	expect_str(root, "action", "LOG");
	expect_str(root, "rule.action", "LOG");
	expect_str(root, "rule.written.errno", "EPERM");
	cr_expect_eq(jint(root, "exit.status"), 0);
	json_object_put(root);
}

static void check_not_seccomp(const struct daemon_run *d)
{
	struct json_object *root = report_json(d, "t-exit3");
	struct json_object *denials = jget(root, "denials");
	expect_common(root, "t-exit3", "enforce");
	expect_str(root, "outcome", "not-seccomp");
	cr_expect_eq(jint(root, "exit.status"), 3);
	cr_expect(jnull(root, "syscall"), "no syscall decided a not-seccomp outcome");
	cr_expect(null_reason(root, "syscall"), "null_reasons says why there is no syscall");
	for (size_t i = 0; denials && i < json_object_array_length(denials); i++)
		cr_expect(jbool(json_object_array_get_idx(denials, i), "benign"),
			  "denial %zu of t-exit3 is not benign", i);
	json_object_put(root);
}

Test(report, names_the_outcome_syscall_rule_and_exit_of_each_task, .timeout = 180)
{
	struct daemon_run d;
	bool python = access(PYTHON, X_OK) == 0;
	daemon_run_dirs(&d, "report");
	daemon_run_start_sources(&d, "audit,proc,bpf"); /* bpf: the kill's arguments */
	daemon_run_launch(&d, "t-kill", "kill", NULL, PROBE_PERSONALITY);
	if (python)
		daemon_run_launch(&d, "t-denied", "enforce", NULL, PYTHON_THREAD);
	daemon_run_launch(&d, "t-log", "log", NULL, PROBE_PERSONALITY);
	daemon_run_launch(&d, "t-exit3", "enforce", NULL, "exit 3");
	cr_assert(daemon_run_settled(&d, "t-kill", SYS_personality, SECCOMP_RET_KILL_PROCESS));
	if (python)
		cr_assert(daemon_run_settled(&d, "t-denied", SYS_clone3, SECCOMP_RET_ERRNO));
	cr_assert(daemon_run_settled(&d, "t-log", SYS_personality, SECCOMP_RET_LOG));
	cr_assert(daemon_run_settled(&d, "t-exit3", -1, 0));
	daemon_run_stop(&d);

	check_kill(&d);
	if (python)
		check_denied(&d);
	else
		cr_log_warn("%s is missing: the seccomp-denied case was not run", PYTHON);
	check_logged(&d);
	check_not_seccomp(&d);
	daemon_run_remove(&d);
}

/* ---- report: text, message, selectors, exit codes -------------------------------------- */

static void check_text_and_selectors(const struct daemon_run *d, const char *long_id)
{
	const char *text[] = {"report", "--db", d->db, long_id, NULL};
	struct cli_result r = run_cli(text);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strchr(r.out, '\n') && strstr(r.out, "personality") < strchr(r.out, '\n') &&
			  strstr(r.out, "personality"),
		  "the first line names the syscall:\n%s", r.out);
	cli_result_free(&r);

	struct json_object *root = report_json(d, long_id);
	expect_str(root, "task_id", long_id);
	cr_expect_lt(strlen(jstr(root, "message")), 200, "message: %s", jstr(root, "message"));
	char pid[16];
	format_into(pid, sizeof(pid), "%jd", (intmax_t)jint(root, "exit.pid"));
	json_object_put(root);

	const char *by_pid[] = {"report", "--db", d->db, "--pid", pid, "--format", "message", NULL};
	r = run_cli(by_pid);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "personality") && strlen(r.out) < 201, "%s", r.out);
	cli_result_free(&r);
}

static void expect_exit(const char *const *args, int status, const char *in_stderr)
{
	struct cli_result r = run_cli(args);
	cr_expect_eq(r.status, status, "sigsys %s %s: exit %d, expected %d (%s)", args[0],
		     args[1] ? args[1] : "", r.status, status, r.err);
	cr_expect(!in_stderr || strstr(r.err, in_stderr), "stderr lacks \"%s\": %s", in_stderr,
		  r.err);
	cli_result_free(&r);
}

static void check_exit_codes(const struct daemon_run *d)
{
	const char *unknown[] = {"report", "--db", d->db, "no-such-task", NULL};
	const char *no_task[] = {"report", "--db", d->db, NULL};
	const char *bad_format[] = {"report", "--db", d->db, "--format", "yaml", "t", NULL};
	const char *two[] = {"report", "--db", d->db, "--pid", "1", "t", NULL};
	const char *no_file[] = {"report", "--db", "/nonexistent/sigsys.db", "t", NULL};
	const char *no_db[] = {"report", "t", NULL};
	expect_exit(unknown, 3, "\"no-such-task\"");
	expect_exit(no_task, 2, NULL);
	expect_exit(bad_format, 2, "\"yaml\"");
	expect_exit(two, 2, NULL);
	expect_exit(no_file, 1, "/nonexistent/sigsys.db");
	if (access("/var/lib/sigsys/sigsys.db", F_OK) < 0)
		expect_exit(no_db, 1, "is not listening on");
}

Test(report, text_first_line_short_message_selectors_and_exit_codes, .timeout = 120)
{
	struct daemon_run d;
	char long_id[251];
	memset(long_id, 'k', 250);
	long_id[250] = '\0';
	daemon_run_dirs(&d, "report");
	daemon_run_start(&d);
	daemon_run_launch(&d, long_id, "kill", NULL, PROBE_PERSONALITY);
	cr_assert(daemon_run_settled(&d, long_id, SYS_personality, SECCOMP_RET_KILL_PROCESS));
	daemon_run_stop(&d);
	check_text_and_selectors(&d, long_id);
	check_exit_codes(&d);
	daemon_run_remove(&d);
}

/* ---- report: what is missing, named (a store written directly) ----------------------- */

static uint64_t realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void put_task(struct store *s, const char *task_id, int32_t pid, const char *text,
		     const char *digest)
{
	struct store_error err;
	struct store_task t = {.task_id = task_id,
			       .framework = "marathon",
			       .app_id = "/shop/web",
			       .pid = pid,
			       .pid_start_ns = 1000,
			       .profile_name = "default.json",
			       .profile_digest = digest,
			       .profile_text = text,
			       .mode = "enforce",
			       .registered_ns = realtime_ns()};
	cr_assert_geq(store_put_task(s, &t, &err), 0, "%s", err.message);
}

static void put_exit(struct store *s, int32_t pid, int wait_status)
{
	struct store_error err;
	struct store_proc_event e = {.kind = STORE_PROC_EXIT,
				     .pid = pid,
				     .start_ns = 1000,
				     .time_ns = realtime_ns(),
				     .wait_status = wait_status};
	cr_assert_geq(store_put_procs(s, &e, 1, &err), 0, "%s", err.message);
}

static void put_denial(struct store *s, const char *task_id, int32_t pid, int32_t nr)
{
	struct store_error err;
	struct store_put_result res;
	struct seccomp_event e = {.time_ns = realtime_ns(),
				  .pid = pid,
				  .arch = AUDIT_ARCH_X86_64,
				  .nr = nr,
				  .code = SECCOMP_RET_ERRNO,
				  .sources = SECCOMP_EVENT_SOURCE_AUDIT,
				  .comm = "java"};
	struct store_event se = {.event = &e, .task_id = task_id};
	cr_assert_eq(store_put_events(s, &se, 1, &res, &err), 1, "%s", err.message);
}

static void put_gap(struct store *s)
{
	struct store_error err;
	uint64_t now = realtime_ns();
	struct store_loss l = {.source = "audit",
			       .kind = STORE_LOSS_SERIAL_GAP,
			       .records = 3,
			       .first_serial = 100,
			       .last_serial = 102,
			       .first_ns = now,
			       .last_ns = now};
	cr_assert_eq(store_put_loss(s, &l, &err), 0, "%s", err.message);
}

/* t-lost failed while 3 audit records were lost; t-running has no exit and a profile that
 * is not the file on disk; t-bare is known only from an event. */
static void write_store(const char *db)
{
	struct store_options o;
	struct store *s = NULL;
	struct store_error err;
	struct sigsys_profile *p = load_profile("profiles/default.json");
	const char *changed = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[]}";
	struct sigsys_profile *other = parse_text(changed);
	size_t len;
	store_options_init(&o);
	cr_assert_eq(store_open(db, &o, &s, &err), 0, "%s", err.message);
	put_task(s, "t-lost", 4001, sigsys_profile_text(p, &len), sigsys_profile_digest(p));
	put_exit(s, 4001, 1 << 8);
	put_task(s, "t-running", 4002, changed, sigsys_profile_digest(other));
	put_denial(s, "t-running", 4002, SYS_clone3);
	put_denial(s, "t-bare", 4003, SYS_clone3);
	put_task(s, "t-sigsys", 4004, sigsys_profile_text(p, &len), sigsys_profile_digest(p));
	put_exit(s, 4004, SIGSYS); /* killed, and no record of the kill (yet) */
	put_gap(s);
	store_close(s);
	sigsys_profile_free(p);
	sigsys_profile_free(other);
}

Test(report, unknown_names_the_missing_evidence, .timeout = 60)
{
	struct daemon_run d = {0};
	daemon_run_dirs(&d, "report");
	write_store(d.db);

	struct json_object *root = report_json(&d, "t-lost");
	expect_str(root, "outcome", "unknown");
	cr_expect(strstr(jstr(root, "reason"), "3 record(s) were lost"), "%s",
		  jstr(root, "reason"));
	cr_expect_eq(jint(root, "evidence.records_lost"), 3);
	cr_expect_eq(jint(root, "exit.status"), 1);
	expect_str(root, "app_id", "/shop/web");
	json_object_put(root);

	root = report_json(&d, "t-running");
	expect_str(root, "outcome", "unknown");
	cr_expect(strstr(jstr(root, "reason"), "no exit seen"), "%s", jstr(root, "reason"));
	cr_expect(jnull(root, "exit") && null_reason(root, "exit"));
	expect_str(root, "syscall.name", "clone3");
	expect_str(root, "errno", "EPERM");
	cr_expect(jbool(root, "profile.changed_on_disk"),
		  "the recorded profile is not default.json");
	json_object_put(root);

	root = report_json(&d, "t-sigsys");
	expect_str(root, "outcome", "unknown");
	cr_expect(strstr(jstr(root, "reason"), "died of SIGSYS"), "never not-seccomp: %s",
		  jstr(root, "reason"));
	json_object_put(root);

	root = report_json(&d, "t-bare");
	expect_str(root, "outcome", "unknown");
	cr_expect(strstr(jstr(root, "reason"), "never registered"), "%s", jstr(root, "reason"));
	cr_expect(jnull(root, "profile") && null_reason(root, "profile"));
	cr_expect(jnull(root, "rule") && null_reason(root, "rule"));
	json_object_put(root);
	daemon_run_remove(&d);
}

/* ---- events -------------------------------------------------------------------------------- */

static struct json_object *events_json(const struct daemon_run *d, const char *task_id,
				       const char *since, const char *limit)
{
	const char *args[] = {"events",	 "--db", d->db,	    "--format", "json",
			      "--since", since,	 "--limit", limit,	task_id ? "--task" : NULL,
			      task_id,	 NULL};
	struct cli_result r = run_cli(args);
	cr_assert_eq(r.status, 0, "sigsys events: exit %d: %s", r.status, r.err);
	struct json_object *root = json_tokener_parse(r.out);
	cr_assert(root, "sigsys events: not JSON:\n%s", r.out);
	cli_result_free(&r);
	return root;
}

/* Pages of one event: their ids, in order, until "more" is false. */
static size_t page_through(const struct daemon_run *d, const char *task_id, int64_t *ids,
			   size_t max)
{
	char since[24] = "0";
	size_t n = 0;
	for (;;) {
		struct json_object *page = events_json(d, task_id, since, "1");
		struct json_object *events = jget(page, "events");
		cr_assert(events && json_object_array_length(events) <= 1);
		if (json_object_array_length(events) == 1) {
			cr_assert_lt(n, max);
			ids[n++] = jint(json_object_array_get_idx(events, 0), "id");
			cr_expect_eq(jint(page, "next_since"), ids[n - 1],
				     "the cursor is the last id");
		}
		bool more = jbool(page, "more");
		format_into(since, sizeof(since), "%jd", (intmax_t)jint(page, "next_since"));
		json_object_put(page);
		if (!more)
			return n;
	}
}

Test(report, events_lists_every_stored_event_and_paginates, .timeout = 120)
{
	struct daemon_run d;
	int64_t ids[64];
	daemon_run_dirs(&d, "report");
	daemon_run_start(&d);
	daemon_run_launch(&d, "t-events", "kill", NULL, PROBE_PERSONALITY "; " PROBE_PERSONALITY);
	cr_assert(daemon_run_settled(&d, "t-events", SYS_personality, SECCOMP_RET_KILL_PROCESS));
	daemon_run_stop(&d);

	struct json_object *all = events_json(&d, "t-events", "0", "10000");
	struct json_object *events = jget(all, "events");
	size_t n_all = json_object_array_length(events);
	bool kill_listed = false;
	cr_expect_geq(n_all, 1);
	for (size_t i = 0; i < n_all; i++) {
		struct json_object *e = json_object_array_get_idx(events, i);
		expect_str(e, "task", "t-events");
		kill_listed |= strcmp(jstr(e, "syscall"), "personality") == 0 &&
			       strcmp(jstr(e, "action"), "KILL_PROCESS") == 0;
	}
	cr_expect(kill_listed, "the kill of t-events is listed");
	cr_expect(!jbool(all, "more"));

	size_t n_paged = page_through(&d, "t-events", ids, ARRAY_SIZE(ids));
	cr_expect_eq(n_paged, n_all, "paging one by one gives every event once");
	for (size_t i = 1; i < n_paged; i++)
		cr_expect_gt(ids[i], ids[i - 1], "ids increase page after page");
	for (size_t i = 0; i < n_paged && i < n_all; i++)
		cr_expect_eq(ids[i], jint(json_object_array_get_idx(events, i), "id"));
	json_object_put(all);

	const char *text[] = {"events", "--db", d.db, "--task", "t-events", NULL};
	struct cli_result r = run_cli(text);
	cr_expect_eq(r.status, 0);
	cr_expect(strstr(r.out, "personality KILL_PROCESS") && strstr(r.out, "next: --since"), "%s",
		  r.out);
	cli_result_free(&r);
	const char *unknown[] = {"events", "--db", d.db, "--task", "no-such-task", NULL};
	const char *too_many[] = {"events", "--db", d.db, "--limit", "10001", NULL};
	expect_exit(unknown, 3, "\"no-such-task\"");
	expect_exit(too_many, 2, "\"10001\"");
	daemon_run_remove(&d);
}

/* ---- doctor ------------------------------------------------------------------------------ */

static bool check_ok(struct json_object *root, const char *name)
{
	struct json_object *checks = jget(root, "checks");
	for (size_t i = 0; checks && i < json_object_array_length(checks); i++) {
		struct json_object *c = json_object_array_get_idx(checks, i);
		if (strcmp(jstr(c, "name"), name) == 0)
			return jbool(c, "ok") && jstr(c, "detail") && jstr(c, "meaning");
	}
	cr_expect_fail("no check named \"%s\"", name);
	return false;
}

Test(report, doctor_sees_the_audit_multicast_and_the_proc_connector, .timeout = 60)
{
	const char *json[] = {"doctor", "--format", "json", NULL};
	const char *text[] = {"doctor", NULL};
	struct cli_result r = run_cli(json);
	cr_assert_eq(r.status, 0, "%s", r.err);
	struct json_object *root = json_tokener_parse(r.out);
	cr_assert(root, "not JSON:\n%s", r.out);
	cr_expect(check_ok(root, "audit multicast"), "%s", r.out);
	cr_expect(check_ok(root, "proc connector"), "%s", r.out);
	cr_expect(check_ok(root, "seccomp actions available"), "%s", r.out);
	json_object_put(root);
	cli_result_free(&r);
	r = run_cli(text);
	cr_expect_eq(r.status, 0);
	cr_expect(strstr(r.out, "ok       audit multicast") &&
			  strstr(r.out, "ok       proc connector"),
		  "%s", r.out);
	cli_result_free(&r);
}
