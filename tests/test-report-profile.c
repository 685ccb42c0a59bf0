/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `sigsys profile check|explain|digest|diff`, run as the built binary ($SIGSYS_CLI) on the
 * real profiles in $SIGSYS_DATA/profiles and profiles/default.json.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 32

struct run {
	int status; /* exit status, or 128 + signal */
	char out[1 << 20];
	char err[1 << 16];
};

static const char *env(const char *name)
{
	const char *v = getenv(name);
	cr_assert(v && *v, "%s is not set: run the tests with meson test", name);
	return v;
}

static void data_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/profiles/%s", env("SIGSYS_DATA"), name);
}

static void read_all(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

/* Run `sigsys ARGS...` (NULL-terminated) with stdout and stderr captured. */
static struct run *run_cli(const char *first, ...)
{
	static struct run r;
	const char *argv[MAX_ARGS] = {env("SIGSYS_CLI"), first};
	size_t n = 2;
	va_list ap;
	va_start(ap, first);
	while (n < MAX_ARGS - 1 && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;

	int out = memfd_create("stdout", MFD_CLOEXEC), err = memfd_create("stderr", MFD_CLOEXEC);
	cr_assert(out >= 0 && err >= 0);
	pid_t pid = fork();
	if (pid == 0) {
		/* no criterion call here: --full-stats would report it from a stranger pid */
		dup2(out, STDOUT_FILENO);
		dup2(err, STDERR_FILENO);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	cr_assert(pid > 0);
	int status;
	cr_assert(waitpid(pid, &status, 0) == pid);
	r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	read_all(out, r.out, sizeof(r.out));
	read_all(err, r.err, sizeof(r.err));
	return &r;
}

static struct json_object *parse_output(const struct run *r)
{
	struct json_object *root = json_tokener_parse(r->out);
	cr_assert(root, "stdout is not JSON: %s", r->out);
	return root;
}

/* A dotted path of keys and array indexes: "files.0.valid". */
static struct json_object *at(struct json_object *o, const char *path)
{
	char copy[256], *save = NULL;
	snprintf(copy, sizeof(copy), "%s", path);
	for (char *k = strtok_r(copy, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, (size_t)atoi(k));
		else if (!json_object_object_get_ex(o, k, &o))
			cr_assert_fail("no \"%s\" in the output (looking for %s)", k, path);
	}
	return o;
}

static const char *at_str(struct json_object *o, const char *path)
{
	return json_object_get_string(at(o, path));
}

static char temp_paths[8][64];
static size_t n_temp_paths;

/* The suites' .fini: temp files go even when an assertion ends the test early. */
static void remove_temps(void)
{
	for (size_t i = 0; i < n_temp_paths; i++)
		unlink(temp_paths[i]);
	n_temp_paths = 0;
}

TestSuite(check, .fini = remove_temps);
TestSuite(mesos, .fini = remove_temps);
TestSuite(digest, .fini = remove_temps);
TestSuite(diff, .fini = remove_temps);

/* A profile file written for one test, removed by remove_temps(). */
static void write_temp(char *path, size_t size, const char *text)
{
	snprintf(path, size, "/tmp/sigsys-test-report-XXXXXX.json");
	int fd = mkstemps(path, 5);
	cr_assert(fd >= 0);
	cr_assert_lt(n_temp_paths, sizeof(temp_paths) / sizeof(temp_paths[0]));
	snprintf(temp_paths[n_temp_paths++], sizeof(temp_paths[0]), "%s", path);
	cr_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

/* A Mesos-valid profile (every required key) with `action` on its second rule. */
static void mesos_profile(char *path, size_t size, const char *action)
{
	char text[1024];
	snprintf(text, sizeof(text),
		 "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"archMap\": [{\"architecture\": "
		 "\"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_X86\"]}], "
		 "\"syscalls\": ["
		 "{\"names\": [\"read\", \"write\", \"exit_group\"], \"action\": "
		 "\"SCMP_ACT_ALLOW\", "
		 "\"args\": [], \"includes\": {}, \"excludes\": {}},"
		 "{\"names\": [\"mkdir\"], \"action\": \"%s\", \"args\": [], \"includes\": {}, "
		 "\"excludes\": {}}]}",
		 action);
	write_temp(path, size, text);
}

/* ---- check ------------------------------------------------------------------------------- */

Test(check, every_real_profile_is_valid)
{
	char dir[512], path[1024];
	size_t checked = 0;
	snprintf(dir, sizeof(dir), "%s/profiles", env("SIGSYS_DATA"));
	DIR *d = opendir(dir);
	cr_assert(d, "cannot open %s", dir);
	for (struct dirent *e; (e = readdir(d));) {
		if (!strstr(e->d_name, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		struct run *r = run_cli("profile", "check", path, NULL);
		cr_expect_eq(r->status, 0, "%s: exit %d\n%s%s", e->d_name, r->status, r->out,
			     r->err);
		cr_expect(strstr(r->out, "valid for sigsys"), "%s: %s", e->d_name, r->out);
		checked++;
	}
	closedir(d);
	cr_expect_geq(checked, 10, "only %zu profiles in %s", checked, dir);

	snprintf(path, sizeof(path), "%s/default.json", env("SIGSYS_PROFILES"));
	struct run *r = run_cli("profile", "check", path, NULL);
	cr_expect_eq(r->status, 0, "default.json: %s%s", r->out, r->err);
}

Test(check, unknown_action_names_file_and_path)
{
	char path[64];
	write_temp(path, sizeof(path),
		   "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		   "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		   "{\"names\": [\"write\"], \"action\": \"SCMP_ACT_KILLL\"}]}");
	struct run *r = run_cli("profile", "check", path, NULL);
	cr_expect_eq(r->status, 1, "exit %d: %s", r->status, r->out);
	cr_expect(strstr(r->out, "syscalls[1].action: unknown action \"SCMP_ACT_KILLL\""), "%s",
		  r->out);
	cr_expect(strstr(r->out, path), "the message does not name %s: %s", path, r->out);
}

Test(check, malformed_json_is_invalid)
{
	char path[64];
	write_temp(path, sizeof(path), "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [");
	struct run *r = run_cli("profile", "check", path, NULL);
	cr_expect_eq(r->status, 1, "exit %d: %s", r->status, r->out);
	cr_expect(strstr(r->out, path) && strstr(r->out, "invalid JSON"), "%s", r->out);
}

Test(check, one_invalid_file_among_valid_ones_fails)
{
	char bad[64], good[512];
	write_temp(bad, sizeof(bad), "[]");
	data_path(good, sizeof(good), "dcos-default.json");
	struct run *r = run_cli("profile", "check", "--format", "json", good, bad, NULL);
	cr_expect_eq(r->status, 1);
	struct json_object *root = parse_output(r);
	cr_expect(json_object_get_boolean(at(root, "files.0.valid")));
	cr_expect_not(json_object_get_boolean(at(root, "files.1.valid")));
	cr_expect(strstr(at_str(root, "files.1.error"), bad), "%s", at_str(root, "files.1.error"));
	cr_expect_not(json_object_get_boolean(at(root, "valid")));
	json_object_put(root);
}

Test(check, capability_gated_rules_are_listed_for_the_caps_given)
{
	char path[512];
	data_path(path, sizeof(path), "dcos-default.json");
	struct run *r = run_cli("profile", "check", path, NULL);
	cr_expect(strstr(r->out, "syscalls[16] (chroot, pivot_root): includes.caps: needs "
				 "CAP_SYS_CHROOT"),
		  "%s", r->out);
	r = run_cli("profile", "check", "--caps", "CAP_SYS_CHROOT", path, NULL);
	cr_expect_eq(r->status, 0);
	cr_expect_not(strstr(r->out, "syscalls[16]"), "%s", r->out);
}

/* The reasons come from libsigsys (the plan it compiles), not from a copy of moby's rules. */
Test(check, kernel_gated_rules_are_listed_with_the_library_reason)
{
	char path[64];
	write_temp(path, sizeof(path),
		   "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		   "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		   "{\"names\": [\"write\"], \"action\": \"SCMP_ACT_ALLOW\", "
		   "\"includes\": {\"minKernel\": \"999.0\"}},"
		   "{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ALLOW\", "
		   "\"excludes\": {\"minKernel\": \"2.6\"}},"
		   "{\"names\": [\"rmdir\"], \"action\": \"SCMP_ACT_ALLOW\", "
		   "\"includes\": {\"arches\": [\"s390x\"]}}]}");
	struct run *r = run_cli("profile", "check", "--format", "json", path, NULL);
	cr_expect_eq(r->status, 0, "%s%s", r->out, r->err);
	struct json_object *root = parse_output(r);
	struct json_object *skipped = at(root, "files.0.skipped");
	cr_assert_eq(json_object_array_length(skipped), 2, "%s", r->out);
	const char *includes = json_object_get_string(json_object_array_get_idx(skipped, 0));
	const char *excludes = json_object_get_string(json_object_array_get_idx(skipped, 1));
	cr_expect(strstr(includes, path) &&
			  strstr(includes,
				 ": syscalls[1] (write): includes.minKernel: needs kernel "
				 "999.0 (this is "),
		  "%s", includes);
	cr_expect(strstr(excludes, ": syscalls[2] (mkdir): excludes.minKernel: kernel ") &&
			  strstr(excludes, " is at least 2.6"),
		  "%s", excludes);
	json_object_put(root);
}

/* ---- check --target mesos ---------------------------------------------------------------- */

Test(mesos, accepts_the_dcos_default)
{
	char path[512];
	data_path(path, sizeof(path), "dcos-default.json");
	struct run *r = run_cli("profile", "check", "--target", "mesos", path, NULL);
	cr_expect_eq(r->status, 0, "%s", r->out);
	cr_expect(strstr(r->out, "accepted by Mesos"), "%s", r->out);
	cr_expect_not(strstr(r->out, "mesos refuses"), "%s", r->out);
}

Test(mesos, flags_what_moby_2026_relies_on)
{
	char path[512];
	data_path(path, sizeof(path), "moby-profiles-default-2026.json");
	struct run *r = run_cli("profile", "check", path, NULL);
	cr_expect_eq(r->status, 0, "valid for sigsys: %s", r->out);

	r = run_cli("profile", "check", "--target", "mesos", "--format", "json", path, NULL);
	cr_expect_eq(r->status, 1);
	struct json_object *root = parse_output(r);
	struct json_object *refused = at(root, "files.0.mesos.refused");
	struct json_object *ignored = at(root, "files.0.mesos.ignored");
	bool errno_ret_ignored = false, clone3_refused = false;
	for (size_t i = 0; i < json_object_array_length(ignored); i++) {
		const char *m = json_object_get_string(json_object_array_get_idx(ignored, i));
		errno_ret_ignored = errno_ret_ignored ||
				    (strstr(m, "syscalls[20].errnoRet") && strstr(m, "ENOSYS"));
	}
	/* clone3's ERRNO(ENOSYS) rule becomes ERRNO(EPERM) there: equal to the default */
	for (size_t i = 0; i < json_object_array_length(refused); i++) {
		const char *m = json_object_get_string(json_object_array_get_idx(refused, i));
		clone3_refused = clone3_refused || strstr(m, "syscalls[20].action");
	}
	cr_expect(errno_ret_ignored, "errnoRet 38 not reported as ignored: %s", r->out);
	cr_expect(clone3_refused, "%s", r->out);
	cr_expect_not(json_object_get_boolean(at(root, "files.0.mesos.accepted")));
	json_object_put(root);
}

Test(mesos, refuses_log_and_kill_process)
{
	static const char *const refused[] = {"SCMP_ACT_LOG", "SCMP_ACT_KILL_PROCESS",
					      "SCMP_ACT_NOTIFY"};
	char path[64], expected[128];
	mesos_profile(path, sizeof(path), "SCMP_ACT_ALLOW");
	struct run *r = run_cli("profile", "check", "--target", "mesos", path, NULL);
	cr_expect_eq(r->status, 0, "the control profile: %s", r->out);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		mesos_profile(path, sizeof(path), refused[i]);
		r = run_cli("profile", "check", "--target", "mesos", path, NULL);
		snprintf(expected, sizeof(expected),
			 "syscalls[1].action: action \"%s\" is refused by Mesos", refused[i]);
		cr_expect_eq(r->status, 1, "%s: %s", refused[i], r->out);
		cr_expect(strstr(r->out, expected) && strstr(r->out, path), "%s", r->out);
	}
}

/* ---- explain ----------------------------------------------------------------------------- */

static struct json_object *explain(const char *profile, const char *syscall, const char *arg)
{
	char path[512];
	data_path(path, sizeof(path), profile);
	struct run *r = run_cli("profile", "explain", "--format", "json", path, syscall, arg, NULL);
	cr_assert_eq(r->status, 0, "%s%s", r->out, r->err);
	return parse_output(r);
}

Test(explain, personality_depends_on_its_argument)
{
	struct json_object *allowed = explain("dcos-default.json", "personality", "0xffffffff");
	struct json_object *denied = explain("dcos-default.json", "personality", "5");
	cr_expect_str_eq(at_str(allowed, "decision.decision"), "ALLOW");
	cr_expect_geq(json_object_get_int(at(allowed, "rule.index")), 0);
	cr_expect_str_eq(at_str(allowed, "task_sees"), "allowed");
	cr_expect_str_eq(at_str(denied, "decision.decision"), "ERRNO(EPERM)");
	cr_expect_eq(json_object_get_int(at(denied, "rule.index")), -1);
	cr_expect(json_object_get_boolean(at(denied, "rule.default")));
	json_object_put(allowed);
	json_object_put(denied);
}

Test(explain, clone3_under_dcos_falls_to_the_default)
{
	struct json_object *o = explain("dcos-default.json", "clone3", NULL);
	cr_expect_str_eq(at_str(o, "decision.decision"), "ERRNO(EPERM)");
	cr_expect(json_object_get_boolean(at(o, "rule.default")));
	cr_expect(strstr(at_str(o, "task_sees"), "EPERM"));
	json_object_put(o);
}

/* The index of moby's clone3 ENOSYS rule, read from the file rather than assumed. */
static int clone3_enosys_rule(const char *profile)
{
	char path[512];
	data_path(path, sizeof(path), profile);
	struct json_object *root = json_object_from_file(path), *rules, *v;
	cr_assert(root && json_object_object_get_ex(root, "syscalls", &rules));
	int found = -1;
	for (size_t i = 0; found < 0 && i < json_object_array_length(rules); i++) {
		struct json_object *rule = json_object_array_get_idx(rules, i), *names;
		if (json_object_object_get_ex(rule, "errnoRet", &v) &&
		    json_object_get_int(v) == 38 &&
		    json_object_object_get_ex(rule, "names", &names) &&
		    strcmp(json_object_get_string(json_object_array_get_idx(names, 0)), "clone3") ==
			    0)
			found = (int)i;
	}
	json_object_put(root);
	cr_assert_geq(found, 0, "no clone3 errnoRet 38 rule in %s", profile);
	return found;
}

Test(explain, clone3_under_moby_2026_gets_enosys_from_its_rule)
{
	struct json_object *o = explain("moby-profiles-default-2026.json", "clone3", NULL);
	cr_expect_str_eq(at_str(o, "decision.decision"), "ERRNO(ENOSYS)");
	cr_expect_eq(json_object_get_int(at(o, "rule.index")),
		     clone3_enosys_rule("moby-profiles-default-2026.json"));
	cr_expect_str_eq(at_str(o, "rule.names.0"), "clone3");
	json_object_put(o);
}

Test(explain, text_output_and_kill_mode)
{
	char path[512];
	data_path(path, sizeof(path), "dcos-default.json");
	struct run *r = run_cli("profile", "explain", path, "clone3", NULL);
	cr_expect_eq(r->status, 0);
	cr_expect(strstr(r->out, "decision:  ERRNO(EPERM)") && strstr(r->out, "default action"),
		  "%s", r->out);
	r = run_cli("profile", "explain", "--mode", "kill", path, "reboot", "--", "0", NULL);
	cr_expect(strstr(r->out, "KILL_PROCESS") && strstr(r->out, "killed by SIGSYS"), "%s",
		  r->out);
	r = run_cli("profile", "explain", "--mode", "kill", path, "clone3", NULL);
	cr_expect(strstr(r->out, "ERRNO(ENOSYS)") && strstr(r->out, "added by sigsys"), "%s",
		  r->out);
}

Test(explain, bad_input)
{
	char path[512];
	data_path(path, sizeof(path), "dcos-default.json");
	cr_expect_eq(run_cli("profile", "explain", path, "no_such_call", NULL)->status, 1);
	cr_expect_eq(run_cli("profile", "explain", path, "read", "12abc", NULL)->status, 2);
	cr_expect_eq(run_cli("profile", "explain", "--arch", "sparc", path, "read", NULL)->status,
		     2);
}

/* ---- digest ------------------------------------------------------------------------------ */

/* The same JSON with every object's keys in reverse order. */
static struct json_object *reversed(struct json_object *o)
{
	if (json_object_is_type(o, json_type_array)) {
		struct json_object *a = json_object_new_array();
		for (size_t i = 0; i < json_object_array_length(o); i++)
			json_object_array_add(a, reversed(json_object_array_get_idx(o, i)));
		return a;
	}
	if (!json_object_is_type(o, json_type_object))
		return json_object_get(o);
	const char *keys[64];
	size_t n = 0;
	json_object_object_foreach (o, k, v) {
		(void)v;
		cr_assert_lt(n, 64);
		keys[n++] = k;
	}
	struct json_object *r = json_object_new_object();
	while (n-- > 0)
		json_object_object_add(r, keys[n], reversed(json_object_object_get(o, keys[n])));
	return r;
}

static void digest_of(const char *path, char *buf, size_t size)
{
	struct run *r = run_cli("profile", "digest", path, NULL);
	cr_assert_eq(r->status, 0, "%s%s", r->out, r->err);
	cr_assert(strncmp(r->out, "sha256:", 7) == 0 && strlen(r->out) > 7 + 64, "%s", r->out);
	cr_assert_eq(r->out[7 + 64], ' ');
	cr_assert(strstr(r->out, path), "%s", r->out);
	snprintf(buf, size, "%.71s", r->out);
}

Test(digest, ignores_formatting_and_sees_changes)
{
	char original[512], reformatted[64], changed[64];
	char d_original[80], d_reformatted[80], d_changed[80];
	data_path(original, sizeof(original), "dcos-default.json");
	struct json_object *root = json_object_from_file(original), *rules;
	cr_assert(root);

	struct json_object *other = reversed(root);
	write_temp(reformatted, sizeof(reformatted),
		   json_object_to_json_string_ext(other, JSON_C_TO_STRING_PLAIN));
	cr_assert(json_object_object_get_ex(root, "syscalls", &rules));
	json_object_array_del_idx(rules, 1, 1); /* one personality rule less */
	write_temp(changed, sizeof(changed),
		   json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));

	digest_of(original, d_original, sizeof(d_original));
	digest_of(reformatted, d_reformatted, sizeof(d_reformatted));
	digest_of(changed, d_changed, sizeof(d_changed));
	json_object_put(root);
	json_object_put(other);
	cr_expect_str_eq(d_original, d_reformatted);
	cr_expect_str_neq(d_original, d_changed);
}

Test(digest, invalid_file_fails)
{
	char path[64];
	write_temp(path, sizeof(path), "{");
	struct run *r = run_cli("profile", "digest", path, NULL);
	cr_expect_eq(r->status, 1);
	cr_expect(strstr(r->err, path), "%s", r->err);
}

/* ---- diff -------------------------------------------------------------------------------- */

static struct json_object *diff(const char *caps, const char *a, const char *b, int status)
{
	char pa[512], pb[512];
	data_path(pa, sizeof(pa), a);
	data_path(pb, sizeof(pb), b);
	struct run *r =
		run_cli("profile", "diff", "--format", "json", "--caps", caps, pa, pb, NULL);
	cr_assert_eq(r->status, status, "exit %d: %s%s", r->status, r->out, r->err);
	return parse_output(r);
}

Test(diff, dcos_is_moby_2018_plus_pivot_root_for_cap_sys_chroot)
{
	/* pivot_root is in the CAP_SYS_CHROOT rule: without that capability neither profile
	 * includes the rule, so their decisions are equal */
	struct json_object *o = diff("", "dcos-default.json", "moby-default-2018.json", 0);
	cr_expect(json_object_get_boolean(at(o, "equal")));
	json_object_put(o);

	static const char *const caps[] = {"CAP_SYS_CHROOT", "all"};
	for (size_t c = 0; c < 2; c++) {
		o = diff(caps[c], "dcos-default.json", "moby-default-2018.json", 1);
		struct json_object *diffs = at(o, "differences");
		size_t n = json_object_array_length(diffs);
		cr_expect_eq(n, json_object_array_length(at(o, "arches")),
			     "%s: one difference per architecture expected, got %zu", caps[c], n);
		for (size_t i = 0; i < n; i++) {
			struct json_object *d = json_object_array_get_idx(diffs, i);
			cr_expect_str_eq(at_str(d, "syscall"), "pivot_root");
			cr_expect_str_eq(at_str(d, "a.decision"), "ALLOW");
			cr_expect_str_eq(at_str(d, "b.decision"), "ERRNO(EPERM)");
		}
		json_object_put(o);
	}
}

Test(diff, a_profile_equals_itself)
{
	struct json_object *o = diff("all", "moby-profiles-default-2026.json",
				     "moby-profiles-default-2026.json", 0);
	cr_expect(json_object_get_boolean(at(o, "equal")));
	cr_expect_gt(json_object_get_int(at(o, "compared")), 300);
	json_object_put(o);
}

Test(diff, finds_an_argument_value_that_changes_the_decision)
{
#define PERSONALITY_PROFILE                                                             \
	"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": "           \
	"[\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, " \
	"\"value\": %d, \"op\": \"SCMP_CMP_EQ\"}]}]}"
	char a[64], b[64], text[512];
	snprintf(text, sizeof(text), PERSONALITY_PROFILE, 8);
	write_temp(a, sizeof(a), text);
	snprintf(text, sizeof(text), PERSONALITY_PROFILE, 9);
	write_temp(b, sizeof(b), text);
	struct run *r = run_cli("profile", "diff", a, b, NULL);
	cr_expect_eq(r->status, 1, "%s%s", r->out, r->err);
	cr_expect(strstr(r->out, "personality(a0=0x8) on x86_64"), "%s", r->out);
	cr_expect(strstr(r->out, "personality(a0=0x9) on x86_64") == NULL, "one line per syscall");
	cr_expect(strstr(r->out, "ALLOW -> ERRNO(EPERM)"), "%s", r->out);
}

/* ---- the command line -------------------------------------------------------------------- */

Test(cli, usage_errors_exit_2_and_help_teaches)
{
	cr_expect_eq(run_cli("frobnicate", NULL)->status, 2);
	cr_expect_eq(run_cli("suggest", NULL)->status, 2, "suggest: which task?");
	cr_expect_eq(run_cli("profile", "lint", "x", NULL)->status, 2);
	cr_expect_eq(run_cli("profile", "check", NULL)->status, 2);
	cr_expect_eq(run_cli("profile", "digest", "--caps", "all", "x", NULL)->status, 2);
	cr_expect_eq(run_cli("profile", "diff", "a", NULL)->status, 2);
	/* as diff(1): 2 when the comparison cannot be made, 1 means "they differ" */
	cr_expect_eq(
		run_cli("profile", "diff", "/nonexistent.json", "/nonexistent.json", NULL)->status,
		2);

	struct run *r = run_cli("profile", "--help", NULL);
	cr_expect_eq(r->status, 0);
	cr_expect(strstr(r->out, "--target sigsys|mesos") && strstr(r->out, "Example"), "%s",
		  r->out);
	r = run_cli("--version", NULL);
	cr_expect_eq(r->status, 0);
	cr_expect(strncmp(r->out, "sigsys ", 7) == 0, "%s", r->out);
}
