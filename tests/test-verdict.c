/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The verdict across restarts and retries, live: tasks of a Marathon app and of a Metronome
 * job run are launched through sigsys-apply with their scheduler identity, killed, denied or
 * failing on their own; `sigsys report` must say when restarting will not help, with the
 * backoff Marathon applies next or the deadline Metronome retries until, in every format.
 */
#include "test-helpers.h"
#include "cli-harness.h"
#include "daemon-harness.h"
#include "store.h"
#include "text.h"

#include <json-c/json.h>
#include <signal.h>
#include <sys/wait.h>

#define PROBE_PERSONALITY "\"$SIGSYS_PROBE\" personality:5"

struct identity {
	const char *framework, *app_id, *job_id, *run_id;
};

/* A task through sigsys-apply as its scheduler would name it: `sh -c SHELL_COMMAND`. */
static int launch(const struct daemon_run *d, const char *task_id, const char *mode,
		  const struct identity *who, const char *shell_command)
{
	char *argv[40] = {(char *)env_path("SIGSYS_APPLY"),
			  "-q",
			  "--run-dir",
			  (char *)d->run_dir,
			  "--profile-dir",
			  (char *)env_path("SIGSYS_PROFILES"),
			  "--no-cache",
			  "--caps",
			  "",
			  "--mode",
			  (char *)mode,
			  "--task-id",
			  (char *)task_id,
			  "--framework",
			  (char *)who->framework};
	size_t n = 15;
	const char *flags[] = {"--app-id",  who->app_id, "--job-id",
			       who->job_id, "--run-id",	 who->run_id};
	for (size_t i = 0; i < ARRAY_SIZE(flags); i += 2) {
		if (!flags[i + 1])
			continue;
		argv[n++] = (char *)flags[i];
		argv[n++] = (char *)flags[i + 1];
	}
	const char *tail[] = {"--", "/bin/sh", "-c", shell_command};
	for (size_t i = 0; i < ARRAY_SIZE(tail); i++)
		argv[n++] = (char *)tail[i];
	argv[n] = NULL;
	return harness_wait(harness_spawn(argv, NULL));
}

static bool exit_stored(const char *db, const char *task_id);

static int on_task(const struct store_task *t, void *userdata)
{
	*(bool *)userdata = t->exit.kind != STORE_EXIT_NONE;
	return 0;
}

static bool exit_stored(const char *db, const char *task_id)
{
	struct store_options o;
	struct store *s = NULL;
	bool exited = false;
	store_options_init(&o);
	o.read_only = true;
	if (store_open(db, &o, &s, NULL) < 0)
		return false;
	store_get_task(s, task_id, on_task, &exited, NULL);
	store_close(s);
	return exited;
}

/* Until the task's exit is stored (its events came before it, in the same loop turn). */
static void wait_exit(const struct daemon_run *d, const char *task_id)
{
	for (int i = 0; i < 100 && !exit_stored(d->db, task_id); i++)
		harness_sleep_ms(100);
	cr_assert(exit_stored(d->db, task_id), "the exit of %s is not stored", task_id);
	harness_sleep_ms(300); /* a kill's audit record may trail its exit by a tick */
}

static struct json_object *report(const struct daemon_run *d, const char *task_id,
				  const char *format, const char *policy_flag,
				  const char *policy_file)
{
	const char *args[] = {
		"report",   "--db", d->db,   "--profile-dir", env_path("SIGSYS_PROFILES"),
		"--format", format, task_id, policy_flag,     policy_file,
		NULL};
	struct cli_result r = run_cli(args);
	cr_assert_eq(r.status, 0, "sigsys report %s: exit %d: %s", task_id, r.status, r.err);
	struct json_object *root = json_tokener_parse(r.out);
	cr_assert(root, "sigsys report %s --format %s: not JSON:\n%s", task_id, format, r.out);
	cli_result_free(&r);
	return root;
}

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/sigsys-test-verdict-XXXXXX");
	int fd = mkstemp(path);
	cr_assert(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	return path;
}

static double jdouble_at(struct json_object *root, const char *path, size_t i)
{
	struct json_object *a = jget(root, path);
	cr_assert(a && json_object_is_type(a, json_type_array), "%s is not an array", path);
	cr_assert_lt(i, json_object_array_length(a));
	return json_object_get_double(json_object_array_get_idx(a, i));
}

/* ---- Marathon: restarts of one app --------------------------------------------------------- */

static void check_first_failure(const struct daemon_run *d)
{
	struct json_object *root = report(d, "web.1", "json", NULL, NULL);
	expect_str(root, "outcome", "seccomp-kill");
	cr_expect(jnull(root, "verdict.deterministic") &&
			  null_reason(root, "verdict.deterministic"),
		  "one failure: the next one will tell, and null_reasons says so");
	cr_expect_eq(jint(root, "verdict.failures"), 1);
	json_object_put(root);
}

static void check_third_failure(const struct daemon_run *d)
{
	struct json_object *root = report(d, "web.3", "json", NULL, NULL);
	expect_str(root, "outcome", "seccomp-kill");
	expect_str(root, "syscall.name", "personality");
	cr_expect(jbool(root, "verdict.deterministic"), "three kills on personality in a row");
	cr_expect_eq(jint(root, "verdict.failures"), 3);
	cr_expect_eq(jint(root, "verdict.same_cause"), 3);
	cr_expect(strstr(jstr(root, "verdict.advice"), "will not help"), "%s",
		  jstr(root, "verdict.advice"));
	/* Marathon's defaults: 1 s × 1.15 per failure, capped at 300 s; after 3 failures. */
	double want = 1.15 * 1.15;
	for (size_t i = 0; i < 5; i++, want *= 1.15) {
		double got = jdouble_at(root, "verdict.next_delays_s", i);
		cr_expect(got > want - 0.001 && got < want + 0.001, "delay %zu: %g, expected %g", i,
			  got, want);
	}
	cr_expect_eq(jint(root, "verdict.max_delay_after_failures"), 42);
	cr_expect(strstr(jstr(root, "message"), "restarts will not help") &&
			  strlen(jstr(root, "message")) < 200,
		  "%s", jstr(root, "message"));
	json_object_put(root);
}

static void check_app_backoff(const struct daemon_run *d)
{
	char *app = write_temp("{\"id\": \"/web\", \"backoffSeconds\": 2, \"backoffFactor\": 2,"
			       " \"maxLaunchDelaySeconds\": 10}");
	struct json_object *root = report(d, "web.3", "json", "--marathon-app", app);
	const double want[] = {8, 10, 10, 10, 10}; /* 2 × 2² after 3 failures, then the cap */
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		cr_expect_eq(jdouble_at(root, "verdict.next_delays_s", i), want[i], "delay %zu", i);
	cr_expect_eq(jint(root, "verdict.max_delay_after_failures"), 4);
	json_object_put(root);
	unlink(app);
	free(app);

	/* No growth: the delay never reaches its maximum, and that is said, not looped on. */
	app = write_temp("{\"backoffSeconds\": 0.5, \"backoffFactor\": 1, "
			 "\"maxLaunchDelaySeconds\": 300}");
	root = report(d, "web.3", "json", "--marathon-app", app);
	cr_expect_eq(jdouble_at(root, "verdict.next_delays_s", 4), 0.5);
	cr_expect(jnull(root, "verdict.max_delay_after_failures") &&
			  null_reason(root, "verdict.max_delay_after_failures"),
		  "never reached, and why");
	json_object_put(root);
	unlink(app);
	free(app);
}

static void check_marathon_format(const struct daemon_run *d)
{
	struct json_object *json = report(d, "web.3", "json", NULL, NULL);
	struct json_object *root = report(d, "web.3", "marathon", NULL, NULL);
	expect_str(root, "appId", "/web");
	expect_str(root, "lastTaskFailure.appId", "/web");
	expect_str(root, "lastTaskFailure.taskId", "web.3");
	expect_str(root, "lastTaskFailure.state", "TASK_FAILED");
	expect_str(root, "lastTaskFailure.message", jstr(json, "message"));
	expect_str(root, "lastTaskFailure.timestamp", jstr(json, "exit.time"));
	cr_expect(jbool(root, "verdict.deterministic"));
	expect_str(root, "sigsys.outcome", "seccomp-kill");
	json_object_put(root);
	json_object_put(json);
}

/* A success between two kills ends the streak; a failure of its own is not seccomp's. */
static void check_streak_and_not_seccomp(const struct daemon_run *d)
{
	struct json_object *root = report(d, "api.3", "json", NULL, NULL);
	expect_str(root, "outcome", "seccomp-kill");
	cr_expect(jnull(root, "verdict.deterministic"), "a success came between the kills");
	cr_expect_eq(jint(root, "verdict.same_cause"), 1);
	cr_expect_eq(jint(root, "verdict.failures"), 2);
	json_object_put(root);

	root = report(d, "worker.1", "json", NULL, NULL);
	expect_str(root, "outcome", "not-seccomp");
	cr_expect(!jbool(root, "verdict.deterministic"), "not seccomp: not its verdict");
	cr_expect(strstr(jstr(root, "verdict.advice"), "did not cause"), "%s",
		  jstr(root, "verdict.advice"));
	cr_expect(jnull(root, "pattern"), "nothing seccomp did to explain");
	json_object_put(root);
}

Test(verdict, restarts_of_a_marathon_app, .timeout = 240)
{
	struct daemon_run d;
	const struct identity web = {"marathon", "/web", NULL, NULL};
	const struct identity api = {"marathon", "/api", NULL, NULL};
	const struct identity worker = {"marathon", "/worker", NULL, NULL};
	daemon_run_dirs(&d, "verdict");
	daemon_run_start(&d);
	const char *web_tasks[] = {"web.1", "web.2", "web.3"};
	for (size_t i = 0; i < ARRAY_SIZE(web_tasks); i++) {
		int status = launch(&d, web_tasks[i], "kill", &web, PROBE_PERSONALITY);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGSYS);
		wait_exit(&d, web_tasks[i]);
	}
	launch(&d, "api.1", "kill", &api, PROBE_PERSONALITY);
	wait_exit(&d, "api.1");
	cr_assert_eq(launch(&d, "api.2", "kill", &api, "exit 0"), 0);
	wait_exit(&d, "api.2");
	launch(&d, "api.3", "kill", &api, PROBE_PERSONALITY);
	wait_exit(&d, "api.3");
	launch(&d, "worker.1", "enforce", &worker, "exit 3");
	wait_exit(&d, "worker.1");
	daemon_run_stop(&d);

	check_first_failure(&d);
	check_third_failure(&d);
	check_app_backoff(&d);
	check_marathon_format(&d);
	check_streak_and_not_seccomp(&d);
	daemon_run_remove(&d);
}

/* ---- Metronome: retries of a job run, and an earlier run ----------------------------------- */

static void check_metronome(const struct daemon_run *d)
{
	char *job = write_temp("{\"id\": \"nightly\", \"run\": {\"cmd\": \"x\", \"restart\": "
			       "{\"policy\": \"ON_FAILURE\", \"activeDeadlineSeconds\": 120}}}");
	struct json_object *root = report(d, "nightly.R1.2", "metronome", "--metronome-job", job);
	struct json_object *tasks = jget(root, "run.tasks");
	expect_str(root, "jobId", "nightly");
	expect_str(root, "runId", "20261128000000RUN01");
	expect_str(root, "run.status", "FAILED");
	cr_assert(tasks && json_object_array_length(tasks) == 2, "the run's two tasks");
	expect_str(json_object_array_get_idx(tasks, 0), "id", "nightly.R1.1");
	expect_str(json_object_array_get_idx(tasks, 1), "id", "nightly.R1.2");
	expect_str(json_object_array_get_idx(tasks, 1), "status", "TASK_FAILED");
	cr_expect(strstr(jstr(json_object_array_get_idx(tasks, 0), "message"), "personality"));
	expect_str(root, "cause.outcome", "seccomp-kill");
	expect_str(root, "cause.syscall.name", "personality");
	cr_expect(jbool(root, "verdict.deterministic"));
	cr_expect_eq(jint(root, "verdict.same_cause"), 3, "two retries and the earlier run");
	cr_expect_eq(jint(root, "verdict.failures"), 2, "this run's failures");
	expect_str(root, "verdict.deadline.restart_policy", "ON_FAILURE");
	cr_expect_eq(jint(root, "verdict.deadline.active_deadline_s"), 120);
	cr_expect(jstr(root, "verdict.deadline.ends"));
	expect_str(root, "verdict.earlier_runs.0.run_id", "20261127000000RUN00");
	cr_expect_eq(jint(root, "verdict.earlier_runs.0.same_cause"), 1);
	cr_expect(strstr(jstr(root, "verdict.advice"), "activeDeadlineSeconds"), "%s",
		  jstr(root, "verdict.advice"));
	cr_expect(jnull(root, "verdict.next_delays_s"), "Metronome retries have no backoff");
	json_object_put(root);
	unlink(job);
	free(job);
}

Test(verdict, retries_of_a_metronome_run, .timeout = 240)
{
	struct daemon_run d;
	const struct identity run0 = {"metronome", NULL, "nightly", "20261127000000RUN00"};
	const struct identity run1 = {"metronome", NULL, "nightly", "20261128000000RUN01"};
	daemon_run_dirs(&d, "verdict");
	daemon_run_start(&d);
	launch(&d, "nightly.R0.1", "kill", &run0, PROBE_PERSONALITY);
	wait_exit(&d, "nightly.R0.1");
	launch(&d, "nightly.R1.1", "kill", &run1, PROBE_PERSONALITY);
	wait_exit(&d, "nightly.R1.1");
	launch(&d, "nightly.R1.2", "kill", &run1, PROBE_PERSONALITY);
	wait_exit(&d, "nightly.R1.2");
	daemon_run_stop(&d);
	check_metronome(&d);
	daemon_run_remove(&d);
}

/* ---- every format for every outcome, and long names ---------------------------------------- */

static void check_formats(const struct daemon_run *d, const char *task_id, const char *outcome)
{
	const char *text_args[] = {"report", "--db", d->db, task_id, NULL};
	const char *message_args[] = {"report",	 "--db",  d->db, "--format",
				      "message", task_id, NULL};
	char want[64];
	struct cli_result text = run_cli(text_args), message = run_cli(message_args);
	struct json_object *json = report(d, task_id, "json", NULL, NULL);
	struct json_object *marathon = report(d, task_id, "marathon", NULL, NULL);
	struct json_object *metronome = report(d, task_id, "metronome", NULL, NULL);
	format_into(want, sizeof(want), "outcome    %s: ", outcome);
	cr_expect(text.status == 0 && strstr(text.out, want), "text of %s:\n%s", outcome, text.out);
	cr_expect(text.status == 0 && strstr(text.out, "verdict    "), "%s", text.out);
	cr_expect_eq(message.status, 0);
	cr_expect(strlen(message.out) <= 200 &&
			  strchr(message.out, '\n') == strrchr(message.out, '\n'),
		  "one line under 200 characters: %s", message.out);
	expect_str(json, "outcome", outcome);
	cr_expect(!strncmp(message.out, jstr(json, "message"), strlen(jstr(json, "message"))));
	expect_str(marathon, "sigsys.outcome", outcome);
	expect_str(marathon, "lastTaskFailure.message", jstr(json, "message"));
	expect_str(metronome, "cause.outcome", outcome);
	cli_result_free(&text);
	cli_result_free(&message);
	json_object_put(json);
	json_object_put(marathon);
	json_object_put(metronome);
}

Test(verdict, every_format_of_every_outcome_and_long_names, .timeout = 240)
{
	struct daemon_run d;
	char long_id[241], long_app[201];
	memset(long_id, 't', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	long_app[0] = '/';
	memset(long_app + 1, 'a', sizeof(long_app) - 2);
	long_app[sizeof(long_app) - 1] = '\0';
	const struct identity app = {"marathon", long_app, NULL, NULL};
	const struct identity job = {"metronome", NULL, "job", "20261128000000RUN02"};
	daemon_run_dirs(&d, "verdict");
	daemon_run_start(&d);
	launch(&d, long_id, "kill", &app, PROBE_PERSONALITY);
	launch(&d, "f-denied", "enforce", &job,
	       "\"$SIGSYS_PROBE\" personality:5 | grep -q EPERM && exit 4");
	launch(&d, "f-logged", "log", &job, PROBE_PERSONALITY);
	launch(&d, "f-exit", "enforce", &app, "exit 5");
	const char *ids[] = {long_id, "f-denied", "f-logged", "f-exit"};
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		wait_exit(&d, ids[i]);
	daemon_run_stop(&d);
	check_formats(&d, long_id, "seccomp-kill");
	check_formats(&d, "f-denied", "seccomp-denied");
	check_formats(&d, "f-logged", "seccomp-logged");
	check_formats(&d, "f-exit", "not-seccomp");
	daemon_run_remove(&d);
}

/* ---- a denial another task survived is not the cause ---------------------------------------- */

static void check_denial_blamed(const struct daemon_run *d, bool survivor)
{
	struct json_object *root = report(d, "c.fails", "json", NULL, NULL);
	struct json_object *denials = jget(root, "denials");
	const char *why = NULL;
	for (size_t i = 0; denials && i < json_object_array_length(denials); i++) {
		struct json_object *e = json_object_array_get_idx(denials, i);
		if (!strcmp(jstr(e, "syscall"), "personality"))
			why = jstr(e, "benign_reason");
	}
	if (survivor) {
		expect_str(root, "outcome", "not-seccomp");
		cr_expect(why && strstr(why, "c.survives"), "benign, naming c.survives: %s",
			  why ? why : "(null)");
	} else {
		expect_str(root, "outcome", "seccomp-denied");
		expect_str(root, "syscall.name", "personality");
		cr_expect(!why, "no task survived it yet: %s", why);
	}
	json_object_put(root);
}

Test(verdict, a_denial_another_task_survived_is_not_the_cause, .timeout = 180)
{
	struct daemon_run d;
	const struct identity other = {"other", NULL, NULL, NULL};
	daemon_run_dirs(&d, "verdict");
	daemon_run_start(&d);
	cr_assert_eq(launch(&d, "c.fails", "enforce", &other,
			    "\"$SIGSYS_PROBE\" personality:5 | grep -q EPERM && exit 7"),
		     7 << 8);
	wait_exit(&d, "c.fails");
	check_denial_blamed(&d, false);
	cr_assert_eq(launch(&d, "c.survives", "enforce", &other,
			    "\"$SIGSYS_PROBE\" personality:5 | grep -q EPERM"),
		     0);
	wait_exit(&d, "c.survives");
	daemon_run_stop(&d);
	check_denial_blamed(&d, true);
	daemon_run_remove(&d);
}

/* ---- what a task names itself is shown safely ------------------------------------------ */

Test(verdict, a_comm_with_terminal_escapes_and_bad_utf8_is_shown_safely, .timeout = 120)
{
	struct daemon_run d;
	const struct identity other = {"other", NULL, NULL, NULL};
	char dir[] = "/tmp/sigsys-test-comm-XXXXXX", cmd[512];
	cr_assert(mkdtemp(dir));
	/* comm is the executable's name: a C1 CSI (in UTF-8) and a byte that is not UTF-8 */
	format_into(cmd, sizeof(cmd),
		    "cp \"$SIGSYS_PROBE\" '%s/x\xc2\x9b"
		    "31m\xff' && "
		    "exec '%s/x\xc2\x9b"
		    "31m\xff' personality:5",
		    dir, dir);
	daemon_run_dirs(&d, "verdict");
	daemon_run_start(&d);
	launch(&d, "weird.1", "kill", &other, cmd);
	wait_exit(&d, "weird.1");
	daemon_run_stop(&d);

	struct json_object *root = report(&d, "weird.1", "json", NULL, NULL);
	const char *comm = jstr(root, "syscall.comm");
	expect_str(root, "outcome", "seccomp-kill");
	cr_expect(comm && text_is_clean(comm, false) && strchr(comm, '?'),
		  "the comm is UTF-8, its escape and bad byte shown as '?': %s", comm);
	json_object_put(root);
	const char *text_args[] = {"report", "--db", d.db, "weird.1", NULL};
	struct cli_result text = run_cli(text_args);
	cr_expect(text.status == 0 && text_is_clean(text.out, false) &&
			  !strstr(text.out, "\xc2\x9b") && strstr(text.out, "x??31m?"),
		  "the text report carries no escape:\n%s", text.out);
	cli_result_free(&text);
	daemon_run_remove(&d);
	format_into(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}
