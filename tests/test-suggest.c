/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsys suggest, live: tasks launched through sigsys-apply under a temporary sigsysd fail
 * (a thread that cannot start under default.json, a kill rule, kill mode) or run in log
 * mode; the suggested profile is read back field by field, applied with sigsys-apply to the
 * same command, and the command must then run. A task seccomp did not fail gets no change.
 */
#include "test-helpers.h"
#include "daemon-harness.h"
#include "store.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <linux/audit.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#define PYTHON	       "/usr/bin/python3"
#define PYTHON_THREADS "import threading; t = threading.Thread(target=print); t.start(); t.join()"

struct run_result {
	int status; /* exit status, or 128 + signal */
	char *out;
	char *err;
};

/* ---- processes --------------------------------------------------------------------------- */

static char *read_all(int fd)
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

/* argv[0] must be a path. stdout through a pipe, stderr through a file. */
static struct run_result run(char *const argv[])
{
	char err_path[] = "/tmp/sigsys-test-suggest-err-XXXXXX";
	int out_pipe[2];
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
	struct run_result r = {.out = read_all(out_pipe[0])};
	close(out_pipe[0]);
	int status = harness_wait(pid);
	r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	lseek(err_fd, 0, SEEK_SET);
	r.err = read_all(err_fd);
	close(err_fd);
	unlink(err_path);
	return r;
}

static void run_result_free(struct run_result *r)
{
	free(r->out);
	free(r->err);
}

/* `sigsys ARGS…` (NULL-terminated). */
static struct run_result run_cli(const char *const *args)
{
	char *argv[24] = {(char *)env_path("SIGSYS_CLI")};
	size_t n = 1;
	for (; args[n - 1]; n++) {
		cr_assert_lt(n, ARRAY_SIZE(argv) - 1);
		argv[n] = (char *)args[n - 1];
	}
	argv[n] = NULL;
	return run(argv);
}

/* CMD… (NULL-terminated) through sigsys-apply under PROFILE_DIR/default.json or the profile
 * named, registered with the daemon of d. */
static struct run_result launch(const struct daemon_run *d, const char *task_id, const char *mode,
				const char *profile_dir, const char *profile,
				const char *const *cmd)
{
	char *argv[32] = {(char *)env_path("SIGSYS_APPLY"),
			  "-q",
			  "--run-dir",
			  (char *)d->run_dir,
			  "--profile-dir",
			  (char *)profile_dir,
			  "--profile",
			  (char *)(profile ? profile : "default.json"),
			  "--no-cache",
			  "--caps",
			  "",
			  "--mode",
			  (char *)mode,
			  "--task-id",
			  (char *)task_id,
			  "--"};
	size_t n = 16;
	for (size_t i = 0; cmd[i]; i++) {
		cr_assert_lt(n, ARRAY_SIZE(argv) - 1);
		argv[n++] = (char *)cmd[i];
	}
	argv[n] = NULL;
	return run(argv);
}

/* ---- files and JSON -------------------------------------------------------------------- */

static char *path_in(const struct daemon_run *d, const char *sub, const char *name)
{
	char *dir, *path;
	cr_assert(asprintf(&dir, "%s/%s", d->dir, sub) > 0);
	cr_assert(mkdir(dir, 0755) == 0 || errno == EEXIST);
	cr_assert(asprintf(&path, "%s/%s", dir, name) > 0);
	free(dir);
	return path;
}

static struct json_object *read_json(const char *path)
{
	struct json_object *root = json_object_from_file(path);
	cr_assert(root, "%s: not JSON (%s)", path, json_util_get_last_err());
	return root;
}

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	json_object_object_get_ex(o, key, &v);
	return v;
}

static const char *member_str(struct json_object *o, const char *key)
{
	struct json_object *v = member(o, key);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

static struct json_object *original_default(void)
{
	char *path = data_profile("profiles/default.json");
	struct json_object *root = read_json(path);
	free(path);
	return root;
}

/* Everything but the rules is the original's, and so are its first rules; returns the
 * rules the suggestion added (the caller checks them). */
static size_t expect_original_kept(struct json_object *orig, struct json_object *got, size_t kept)
{
	struct json_object *orig_rules = member(orig, "syscalls"), *rules = member(got, "syscalls");
	cr_assert(rules && json_object_is_type(rules, json_type_array));
	cr_expect(json_object_equal(member(orig, "defaultAction"), member(got, "defaultAction")));
	cr_expect(json_object_equal(member(orig, "archMap"), member(got, "archMap")),
		  "archMap is the original's");
	cr_assert_geq(json_object_array_length(rules), kept);
	for (size_t i = 0; i < kept; i++)
		cr_expect(json_object_equal(json_object_array_get_idx(orig_rules, i),
					    json_object_array_get_idx(rules, i)),
			  "syscalls[%zu] is the original's", i);
	return json_object_array_length(rules) - kept;
}

/* names == [name], args, includes and excludes as Docker writes them empty. */
static void expect_rule(struct json_object *rule, const char *name, const char *action,
			const char *task_id)
{
	struct json_object *names = member(rule, "names");
	cr_assert(names && json_object_array_length(names) == 1, "one name: %s",
		  json_object_to_json_string(rule));
	cr_expect_str_eq(json_object_get_string(json_object_array_get_idx(names, 0)), name);
	cr_expect_str_eq(member_str(rule, "action"), action);
	cr_expect(strstr(member_str(rule, "comment"), task_id), "the comment names the task: %s",
		  member_str(rule, "comment"));
	cr_expect(member(rule, "includes") &&
			  json_object_object_length(member(rule, "includes")) == 0,
		  "includes {}");
	cr_expect(member(rule, "excludes") &&
			  json_object_object_length(member(rule, "excludes")) == 0,
		  "excludes {}");
}

static void expect_no_args(struct json_object *rule)
{
	struct json_object *args = member(rule, "args");
	cr_expect(args && json_object_is_type(args, json_type_array) &&
			  json_object_array_length(args) == 0,
		  "args []: %s", json_object_to_json_string(rule));
}

/* sigsys suggest --db DB [--target TARGET] --output OUTPUT TASK: exit 0, stdout kept. */
static char *suggest(const struct daemon_run *d, const char *task_id, const char *target,
		     const char *output)
{
	const char *args[] = {
		"suggest",  "--db", d->db,	"--profile-dir", env_path("SIGSYS_PROFILES"),
		"--target", target, "--output", output,		 task_id,
		NULL};
	struct run_result r = run_cli(args);
	cr_assert_eq(r.status, 0, "sigsys suggest %s: exit %d:\n%s%s", task_id, r.status, r.out,
		     r.err);
	cr_expect(strstr(r.out, output), "stdout says where it wrote:\n%s", r.out);
	free(r.err);
	return r.out;
}

/* ---- (a) clone3 -------------------------------------------------------------------------- */

static const char *const python_threads[] = {PYTHON, "-c", PYTHON_THREADS, NULL};

static void expect_runs(const struct daemon_run *d, const char *task_id, const char *mode,
			const char *profile_path, const char *const *cmd)
{
	char *dir = strdup(profile_path);
	char *slash = strrchr(dir, '/');
	cr_assert(slash);
	*slash = '\0';
	struct run_result r = launch(d, task_id, mode, dir, slash + 1, cmd);
	cr_expect_eq(r.status, 0, "%s under %s (%s mode): exit %d\n%s%s", cmd[0], profile_path,
		     mode, r.status, r.out, r.err);
	run_result_free(&r);
	free(dir);
}

static void check_clone3_sigsys(const struct daemon_run *d, struct json_object *orig)
{
	char *output = path_in(d, "sigsys", "default.json");
	char *out = suggest(d, "t-clone3", "sigsys", output);
	cr_expect(strstr(out, "clone3 on x86_64 (nr 435): ERRNO(EPERM) -> ERRNO(ENOSYS)"),
		  "the diff shows the decision that changes:\n%s", out);
	cr_expect(strstr(out, "3 decisions differ"), "clone3 on x86_64, x86, x32 only:\n%s", out);

	struct json_object *got = read_json(output);
	cr_assert_eq(
		expect_original_kept(orig, got, json_object_array_length(member(orig, "syscalls"))),
		1, "one rule added");
	struct json_object *rule = json_object_array_get_idx(
		member(got, "syscalls"), json_object_array_length(member(got, "syscalls")) - 1);
	expect_rule(rule, "clone3", "SCMP_ACT_ERRNO", "t-clone3");
	expect_no_args(rule);
	cr_expect_eq(json_object_get_int(member(rule, "errnoRet")), 38, "errnoRet ENOSYS");
	json_object_put(got);

	expect_runs(d, "t-clone3-rerun", "enforce", output, python_threads);
	free(out);
	free(output);
}

static void check_clone3_mesos(const struct daemon_run *d, struct json_object *orig)
{
	char *output = path_in(d, "mesos", "default.json");
	char *out = suggest(d, "t-clone3", "mesos", output);
	cr_expect(strstr(out, "clone3 on x86_64 (nr 435): ERRNO(EPERM) -> ALLOW"), "%s", out);

	struct json_object *got = read_json(output);
	cr_assert_eq(
		expect_original_kept(orig, got, json_object_array_length(member(orig, "syscalls"))),
		1, "one rule added");
	struct json_object *rule = json_object_array_get_idx(
		member(got, "syscalls"), json_object_array_length(member(got, "syscalls")) - 1);
	expect_rule(rule, "clone3", "SCMP_ACT_ALLOW", "t-clone3");
	expect_no_args(rule);
	cr_expect(!member(rule, "errnoRet"), "Mesos ignores errnoRet: none is written");
	json_object_put(got);

	const char *check[] = {"profile", "check", "--target", "mesos", output, NULL};
	struct run_result r = run_cli(check);
	cr_expect_eq(r.status, 0, "profile check --target mesos: exit %d\n%s%s", r.status, r.out,
		     r.err);
	cr_expect(strstr(r.out, "accepted by Mesos"), "%s", r.out);
	run_result_free(&r);

	expect_runs(d, "t-clone3-mesos-rerun", "enforce", output, python_threads);
	free(out);
	free(output);
}

Test(suggest, clone3_gets_enosys_for_sigsys_allow_for_mesos_and_the_task_then_runs, .timeout = 180)
{
	struct daemon_run d;
	struct json_object *orig = original_default();
	cr_assert_eq(access(PYTHON, X_OK), 0, "%s: meson itself runs on it", PYTHON);
	daemon_run_dirs(&d, "suggest");
	daemon_run_start(&d);
	struct run_result r = launch(&d, "t-clone3", "enforce", env_path("SIGSYS_PROFILES"), NULL,
				     python_threads);
	bool settled = daemon_run_settled(&d, "t-clone3", SYS_clone3, SECCOMP_RET_ERRNO);
	daemon_run_stop(&d);
	cr_assert_eq(r.status, 1, "a thread cannot start under default.json: exit %d\n%s", r.status,
		     r.err);
	cr_expect(strstr(r.err, "can't start new thread"), "%s", r.err);
	run_result_free(&r);
	cr_assert(settled);

	check_clone3_sigsys(&d, orig);
	check_clone3_mesos(&d, orig);
	json_object_put(orig);
	daemon_run_remove(&d);
}

/* ---- (b) killed tasks -------------------------------------------------------------------- */

/* default.json and a rule that kills syslog (which default.json leaves to the default). */
static char *write_kill_profile(const struct daemon_run *d, struct json_object *orig)
{
	char *path = path_in(d, "profiles", "kill.json");
	struct json_object *copy = NULL,
			   *rule = json_tokener_parse(
				   "{\"names\": [\"syslog\"], \"action\": "
				   "\"SCMP_ACT_KILL_PROCESS\", \"args\": [], "
				   "\"comment\": \"\", \"includes\": {}, \"excludes\": {}}");
	cr_assert(rule);
	cr_assert_eq(json_object_deep_copy(orig, &copy, NULL), 0);
	cr_assert_eq(json_object_array_add(member(copy, "syscalls"), rule), 0);
	cr_assert_eq(json_object_to_file_ext(path, copy, JSON_C_TO_STRING_PRETTY), 0);
	json_object_put(copy);
	return path;
}

/* The kill rule goes (it named only syslog), and syslog is allowed. */
static void check_kill_rule(const struct daemon_run *d, struct json_object *orig,
			    const char *const *cmd)
{
	char *output = path_in(d, "kill-rule", "kill.json");
	char *out = suggest(d, "t-kill-rule", "sigsys", output);
	size_t n = json_object_array_length(member(orig, "syscalls")) - 1; /* the kill rule */
	cr_expect(strstr(out, "- syscalls[25]: removed, it named only syslog (KILL_PROCESS)"), "%s",
		  out);
	cr_expect(strstr(out, "syslog on x86_64 (nr 103): KILL_PROCESS -> ALLOW"), "%s", out);

	struct json_object *got = read_json(output);
	cr_assert_eq(expect_original_kept(orig, got, n), 1, "the kill rule replaced by one");
	struct json_object *rule = json_object_array_get_idx(member(got, "syscalls"), n);
	expect_rule(rule, "syslog", "SCMP_ACT_ALLOW", "t-kill-rule");
	expect_no_args(rule);
	json_object_put(got);

	expect_runs(d, "t-kill-rule-rerun", "enforce", output, cmd);
	free(out);
	free(output);
}

/* kill mode: personality(5) falls to the default action, a kill in that mode. */
static void check_kill_mode(const struct daemon_run *d, struct json_object *orig,
			    const char *const *cmd)
{
	char *output = path_in(d, "kill-mode", "default.json");
	char *out = suggest(d, "t-kill-mode", "sigsys", output);
	cr_expect(strstr(out, "KILL_PROCESS -> ALLOW"), "%s", out);
	cr_expect(strstr(out, "mode kill"), "compared in the task's mode:\n%s", out);

	struct json_object *got = read_json(output);
	cr_assert_eq(
		expect_original_kept(orig, got, json_object_array_length(member(orig, "syscalls"))),
		1);
	struct json_object *rule = json_object_array_get_idx(
		member(got, "syscalls"), json_object_array_length(member(got, "syscalls")) - 1);
	expect_rule(rule, "personality", "SCMP_ACT_ALLOW", "t-kill-mode");
	/* The bpf source saw the kill's registers: allowed for that value only. */
	struct json_object *cond = json_object_array_get_idx(member(rule, "args"), 0);
	cr_expect(cond && json_object_array_length(member(rule, "args")) == 1 &&
			  json_object_get_int64(member(cond, "value")) == 5 &&
			  !strcmp(member_str(cond, "op"), "SCMP_CMP_EQ"),
		  "allowed if a0 == 5: %s", json_object_to_json_string(rule));
	json_object_put(got);

	expect_runs(d, "t-kill-mode-rerun", "kill", output, cmd);
	free(out);
	free(output);
}

Test(suggest, killed_tasks_the_kill_rule_goes_or_the_call_is_allowed_and_they_then_run,
     .timeout = 180)
{
	struct daemon_run d;
	struct json_object *orig = original_default();
	const char *syslog_size[] = {env_path("SIGSYS_PROBE"), "syslog:10", NULL};
	const char *personality[] = {env_path("SIGSYS_PROBE"), "personality:5", NULL};
	daemon_run_dirs(&d, "suggest");
	char *kill_profile = write_kill_profile(&d, orig);
	char *kill_dir = strdup(kill_profile);
	*strrchr(kill_dir, '/') = '\0';
	struct json_object *kill_orig = read_json(kill_profile);
	daemon_run_start(&d);
	struct run_result r =
		launch(&d, "t-kill-rule", "enforce", kill_dir, "kill.json", syslog_size);
	cr_expect_eq(r.status, 128 + SIGSYS, "killed by the syslog rule: %d %s", r.status, r.err);
	run_result_free(&r);
	r = launch(&d, "t-kill-mode", "kill", env_path("SIGSYS_PROFILES"), NULL, personality);
	cr_expect_eq(r.status, 128 + SIGSYS, "killed in kill mode: %d %s", r.status, r.err);
	run_result_free(&r);
	bool settled = daemon_run_settled(&d, "t-kill-rule", SYS_syslog, SECCOMP_RET_KILL_PROCESS);
	settled &= daemon_run_settled(&d, "t-kill-mode", SYS_personality, SECCOMP_RET_KILL_PROCESS);
	daemon_run_stop(&d);
	cr_assert(settled);

	check_kill_rule(&d, kill_orig, syslog_size);
	check_kill_mode(&d, orig, personality);
	json_object_put(kill_orig);
	json_object_put(orig);
	free(kill_dir);
	free(kill_profile);
	daemon_run_remove(&d);
}

/* ---- (c) log mode, (d) nothing harmful -------------------------------------------------- */

static void check_logged(const struct daemon_run *d, struct json_object *orig)
{
	const char *personality[] = {env_path("SIGSYS_PROBE"), "personality:5", NULL};
	char *output = path_in(d, "log", "default.json");
	char *out = suggest(d, "t-log", "sigsys", output);
	cr_expect(strstr(out, "got LOG, written ERRNO(EPERM)"), "%s", out);
	cr_expect(strstr(out, "mode enforce"), "compared as written, not in log mode:\n%s", out);

	struct json_object *got = read_json(output);
	cr_assert_eq(
		expect_original_kept(orig, got, json_object_array_length(member(orig, "syscalls"))),
		1);
	struct json_object *rule = json_object_array_get_idx(
		member(got, "syscalls"), json_object_array_length(member(got, "syscalls")) - 1);
	expect_rule(rule, "personality", "SCMP_ACT_ALLOW", "t-log");
	expect_no_args(rule);
	json_object_put(got);

	/* Enforced now: the call the log recorded is allowed, not EPERM. */
	char *dir = path_in(d, "log", "");
	struct run_result r =
		launch(d, "t-log-enforced", "enforce", dir, "default.json", personality);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "personality=") && !strstr(r.out, "EPERM"), "%s", r.out);
	run_result_free(&r);
	free(dir);
	free(out);
	free(output);
}

static void check_nothing(const struct daemon_run *d, const char *task_id)
{
	char *output = path_in(d, "nothing", "default.json");
	const char *args[] = {"suggest", "--db", d->db, "--output", output, task_id, NULL};
	struct run_result r = run_cli(args);
	cr_expect_eq(r.status, 0, "%s: exit %d %s", task_id, r.status, r.err);
	cr_expect(strncmp(r.out, "Nothing to change", 17) == 0, "%s", r.out);
	cr_expect(strstr(r.out, "not-seccomp"), "%s", r.out);
	cr_expect(strstr(r.out, "was not written"), "%s", r.out);
	cr_expect(access(output, F_OK) < 0 && errno == ENOENT, "%s must not be written", output);
	run_result_free(&r);
	free(output);
}

static void expect_exit(const char *const *args, int status, const char *in_stderr)
{
	struct run_result r = run_cli(args);
	cr_expect_eq(r.status, status, "sigsys suggest: exit %d, expected %d (%s)", r.status,
		     status, r.err);
	cr_expect(!in_stderr || strstr(r.err, in_stderr), "stderr lacks \"%s\": %s", in_stderr,
		  r.err);
	cr_expect(!r.out[0] || status == 0, "nothing on stdout on failure: %s", r.out);
	run_result_free(&r);
}

static void check_exit_codes(const struct daemon_run *d)
{
	const char *unknown[] = {"suggest", "--db", d->db, "no-such-task", NULL};
	const char *no_task[] = {"suggest", "--db", d->db, NULL};
	const char *two[] = {"suggest", "--db", d->db, "t-log", "t-exit3", NULL};
	const char *target[] = {"suggest", "--db", d->db, "--target", "docker", "t-log", NULL};
	const char *no_file[] = {"suggest", "--db", "/nonexistent/sigsys.db", "t-log", NULL};
	const char *help[] = {"suggest", "--help", NULL};
	expect_exit(unknown, 3, "\"no-such-task\"");
	expect_exit(no_task, 2, "TASK_ID");
	expect_exit(two, 2, NULL);
	expect_exit(target, 2, "\"docker\"");
	expect_exit(no_file, 1, "/nonexistent/sigsys.db");
	expect_exit(help, 0, NULL);
}

Test(suggest, log_records_are_allowed_and_a_task_seccomp_did_not_fail_gets_no_change,
     .timeout = 180)
{
	struct daemon_run d;
	struct json_object *orig = original_default();
	const char *personality[] = {env_path("SIGSYS_PROBE"), "personality:5", NULL};
	const char *exit3[] = {"/bin/sh", "-c", "exit 3", NULL};
	const char *getpid[] = {env_path("SIGSYS_PROBE"), "getpid", NULL};
	daemon_run_dirs(&d, "suggest");
	daemon_run_start(&d);
	struct run_result r =
		launch(&d, "t-log", "log", env_path("SIGSYS_PROFILES"), NULL, personality);
	cr_expect_eq(r.status, 0, "log mode lets it run: %s", r.err);
	run_result_free(&r);
	r = launch(&d, "t-exit3", "enforce", env_path("SIGSYS_PROFILES"), NULL, exit3);
	cr_expect_eq(r.status, 3);
	run_result_free(&r);
	r = launch(&d, "t-ok", "enforce", env_path("SIGSYS_PROFILES"), NULL, getpid);
	cr_expect_eq(r.status, 0);
	run_result_free(&r);
	bool settled = daemon_run_settled(&d, "t-log", SYS_personality, SECCOMP_RET_LOG);
	settled &= daemon_run_settled(&d, "t-exit3", -1, 0);
	settled &= daemon_run_settled(&d, "t-ok", -1, 0);
	daemon_run_stop(&d);
	cr_assert(settled);

	check_logged(&d, orig);
	check_nothing(&d, "t-exit3");
	check_nothing(&d, "t-ok");
	check_exit_codes(&d);
	json_object_put(orig);
	daemon_run_remove(&d);
}

/* ---- stores written directly: arguments, OCI formats ---------------------------------- */

static uint64_t realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct store *open_store(const char *db)
{
	struct store_options o;
	struct store *s = NULL;
	struct store_error err;
	store_options_init(&o);
	cr_assert_eq(store_open(db, &o, &s, &err), 0, "%s", err.message);
	return s;
}

/* A task registered in enforce mode with this profile text, its process pid. */
static void put_task(struct store *s, const char *task_id, int32_t pid, const char *text)
{
	struct store_error err;
	struct sigsys_profile *p = parse_text(text);
	struct store_task t = {.task_id = task_id,
			       .framework = "other",
			       .pid = pid,
			       .pid_start_ns = 1000,
			       .profile_name = "default.json",
			       .profile_digest = sigsys_profile_digest(p),
			       .profile_text = text,
			       .mode = "enforce",
			       .registered_ns = realtime_ns()};
	cr_assert_geq(store_put_task(s, &t, &err), 0, "%s", err.message);
	sigsys_profile_free(p);
}

/* A denial with EPERM; args NULL: as audit records it, without arguments. */
static void put_denial(struct store *s, const char *task_id, int32_t pid, int32_t nr,
		       const uint64_t *args)
{
	struct store_error err;
	struct store_put_result res;
	struct seccomp_event e = {.time_ns = realtime_ns(),
				  .pid = pid,
				  .arch = AUDIT_ARCH_X86_64,
				  .nr = nr,
				  .code = SECCOMP_RET_ERRNO | EPERM,
				  .sources = args ? SECCOMP_EVENT_SOURCE_NOTIFY
						  : SECCOMP_EVENT_SOURCE_AUDIT,
				  .has_args = args != NULL,
				  .comm = "app"};
	if (args)
		memcpy(e.args, args, sizeof(e.args));
	struct store_event se = {.event = &e, .task_id = task_id};
	cr_assert_eq(store_put_events(s, &se, 1, &res, &err), 1, "%s", err.message);
}

static void put_exit(struct store *s, int32_t pid, int status)
{
	struct store_error err;
	struct store_proc_event x = {.kind = STORE_PROC_EXIT,
				     .pid = pid,
				     .start_ns = 1000,
				     .time_ns = realtime_ns(),
				     .wait_status = status << 8};
	cr_assert_geq(store_put_procs(s, &x, 1, &err), 0, "%s", err.message);
}

/* t-args exited 1 after personality(5) was denied, the arguments recorded (as the notify
 * source records them); and rseq, denied to every process, harmlessly. t-other-filter was
 * denied a call its profile allows. */
static void write_args_store(const char *db)
{
	static const uint64_t five[6] = {5};
	struct sigsys_profile *p = load_profile("profiles/default.json");
	struct store *s = open_store(db);
	size_t len;
	put_task(s, "t-args", 5001, sigsys_profile_text(p, &len));
	put_denial(s, "t-args", 5001, SYS_rseq, NULL);
	put_denial(s, "t-args", 5001, SYS_personality, five);
	put_exit(s, 5001, 1);
	/* getpid denied, though default.json allows it: another filter did it */
	put_task(s, "t-other-filter", 5002, sigsys_profile_text(p, &len));
	put_denial(s, "t-other-filter", 5002, SYS_getpid, NULL);
	put_exit(s, 5002, 1);
	store_close(s);
	sigsys_profile_free(p);
}

Test(suggest, recorded_arguments_make_a_rule_for_those_values_only, .timeout = 120)
{
	struct daemon_run d;
	struct json_object *orig = original_default();
	const char *five[] = {env_path("SIGSYS_PROBE"), "personality:5", NULL};
	const char *six[] = {env_path("SIGSYS_PROBE"), "personality:6", NULL};
	daemon_run_dirs(&d, "suggest");
	write_args_store(d.db);

	char *output = path_in(&d, "args", "default.json");
	char *out = suggest(&d, "t-args", "sigsys", output);
	cr_expect(strstr(out, "personality if a0 == 0x5"), "%s", out);
	cr_expect(!strstr(out, "rseq ("), "rseq is benign, not in the change:\n%s", out);
	struct json_object *got = read_json(output);
	cr_assert_eq(
		expect_original_kept(orig, got, json_object_array_length(member(orig, "syscalls"))),
		1);
	struct json_object *rule = json_object_array_get_idx(
		member(got, "syscalls"), json_object_array_length(member(got, "syscalls")) - 1);
	expect_rule(rule, "personality", "SCMP_ACT_ALLOW", "t-args");
	struct json_object *args = member(rule, "args");
	cr_assert(args && json_object_array_length(args) == 1, "one condition: %s",
		  json_object_to_json_string(rule));
	struct json_object *cond = json_object_array_get_idx(args, 0);
	cr_expect_eq(json_object_get_int64(member(cond, "index")), 0);
	cr_expect_eq(json_object_get_uint64(member(cond, "value")), 5);
	cr_expect_eq(json_object_get_int64(member(cond, "valueTwo")), 0);
	cr_expect_str_eq(member_str(cond, "op"), "SCMP_CMP_EQ");
	json_object_put(got);

	/* Live: personality(5) now runs, personality(6) is still refused. */
	char *dir = path_in(&d, "args", "");
	struct run_result r = launch(&d, "t-args-five", "enforce", dir, NULL, five);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "personality=") && !strstr(r.out, "EPERM"), "%s", r.out);
	run_result_free(&r);
	r = launch(&d, "t-args-six", "enforce", dir, NULL, six);
	cr_expect(strstr(r.out, "personality=-EPERM"), "only the value seen is allowed: %s", r.out);
	run_result_free(&r);
	free(dir);
	free(out);
	free(output);

	output = path_in(&d, "other", "default.json");
	const char *other[] = {"suggest", "--db", d.db, "--output", output, "t-other-filter", NULL};
	r = run_cli(other);
	cr_expect_eq(r.status, 1, "no change to the profile helps: %s%s", r.out, r.err);
	cr_expect(strstr(r.err, "getpid, which no rule of default.json as launched refuses"), "%s",
		  r.err);
	cr_expect(access(output, F_OK) < 0, "nothing written");
	run_result_free(&r);
	free(output);
	json_object_put(orig);
	daemon_run_remove(&d);
}

/* An OCI deny list: these calls fail with EPERM, everything else runs. */
#define OCI_DENY_LIST_OF(NAMES)                                                              \
	"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\", " \
	"\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"], \"syscalls\": [{\"names\": [" NAMES "], "    \
	"\"action\": \"SCMP_ACT_ERRNO\"}]}"
#define OCI_DENY_LIST OCI_DENY_LIST_OF("\"personality\", \"syslog\"")
/* The store keeps one text per digest: the config's list differs, so its own text is kept. */
#define OCI_CONFIG                                                                \
	"{\"ociVersion\": \"1.0.2\", \"linux\": {\"seccomp\": " OCI_DENY_LIST_OF( \
		"\"personality\", \"syslog\", \"acct\"") "}}"

/* The rule that denied personality no longer names it; nothing is added (a rule equal to
 * the default action would be refused), and no Docker-only key appears. */
static void expect_deny_list_edited(struct json_object *seccomp, size_t names_left)
{
	struct json_object *rules = member(seccomp, "syscalls");
	cr_assert(rules && json_object_array_length(rules) == 1, "%s",
		  json_object_to_json_string(seccomp));
	struct json_object *rule = json_object_array_get_idx(rules, 0);
	struct json_object *names = member(rule, "names");
	cr_assert(names && json_object_array_length(names) == names_left, "%s",
		  json_object_to_json_string(rule));
	cr_expect_str_eq(json_object_get_string(json_object_array_get_idx(names, 0)), "syslog");
	cr_expect_str_eq(member_str(rule, "action"), "SCMP_ACT_ERRNO");
	cr_expect_str_eq(member_str(seccomp, "defaultAction"), "SCMP_ACT_ALLOW");
	cr_expect(!member(seccomp, "archMap") && !member(rule, "includes") &&
			  !member(rule, "comment"),
		  "still OCI: %s", json_object_to_json_string(seccomp));
}

static void expect_probe(const struct daemon_run *d, const char *dir, const char *name,
			 const char *call, const char *want)
{
	const char *cmd[] = {env_path("SIGSYS_PROBE"), call, NULL};
	struct run_result r = launch(d, "t-oci-rerun", "enforce", dir, name, cmd);
	cr_expect(strstr(r.out, want), "%s under %s/%s: %s, expected %s", call, dir, name, r.out,
		  want);
	run_result_free(&r);
}

Test(suggest, oci_profiles_stay_oci_a_deny_rule_loses_the_name_and_mesos_refuses_them,
     .timeout = 120)
{
	struct daemon_run d;
	daemon_run_dirs(&d, "suggest");
	struct store *s = open_store(d.db);
	put_task(s, "t-oci", 6001, OCI_DENY_LIST);
	put_denial(s, "t-oci", 6001, SYS_personality, NULL);
	put_exit(s, 6001, 1);
	put_task(s, "t-config", 6002, OCI_CONFIG);
	put_denial(s, "t-config", 6002, SYS_personality, NULL);
	put_exit(s, 6002, 1);
	store_close(s);

	char *output = path_in(&d, "oci", "deny.json");
	char *out = suggest(&d, "t-oci", "sigsys", output);
	cr_expect(strstr(out, "- syscalls[0]: personality taken out of this ERRNO rule"), "%s",
		  out);
	cr_expect(!strstr(out, "+ syscalls["), "no rule added:\n%s", out);
	struct json_object *got = read_json(output);
	expect_deny_list_edited(got, 1);
	json_object_put(got);
	char *dir = path_in(&d, "oci", "");
	expect_probe(&d, dir, "deny.json", "personality:5", "personality=0");
	expect_probe(&d, dir, "deny.json", "syslog:10", "syslog=-EPERM");
	free(out);
	free(output);

	output = path_in(&d, "config", "config.json");
	out = suggest(&d, "t-config", "sigsys", output);
	got = read_json(output);
	cr_expect_str_eq(member_str(got, "ociVersion"), "1.0.2");
	expect_deny_list_edited(member(member(got, "linux"), "seccomp"), 2);
	json_object_put(got);
	free(out);
	free(output);

	/* Mesos reads neither: the suggestion says why and writes nothing. */
	output = path_in(&d, "oci-mesos", "deny.json");
	const char *args[] = {"suggest",  "--db", d.db,	   "--target", "mesos",
			      "--output", output, "t-oci", NULL};
	struct run_result r = run_cli(args);
	cr_expect_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_expect(strstr(r.err, "would refuse") && strstr(r.err, "archMap"), "%s", r.err);
	cr_expect(access(output, F_OK) < 0, "nothing written");
	run_result_free(&r);
	free(output);
	free(dir);
	daemon_run_remove(&d);
}
