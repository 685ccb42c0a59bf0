/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsys-apply as a user and a launcher see it: exit codes, which profile a task gets, what
 * each mode does to a real program, privileges, scheduler files, the dry run and the cache.
 * Each case runs the command in a child (test_fork + execve) with stdout and stderr in
 * memfds; the task reports its own seccomp state from /proc/self/status.
 */
#include "test-helpers.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <pwd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define OUTPUT_BYTES	 8192
#define EXIT_HARNESS	 124 /* the child could not be set up: not sigsys-apply's answer */
#define EXIT_OWN_FAILURE 125
#define EXIT_CANNOT_RUN	 126
#define EXIT_NOT_FOUND	 127

/* A task that prints its own seccomp state. */
#define SHOW_SECCOMP "grep", "-E", "^(Seccomp|NoNewPrivs):", "/proc/self/status"
#define THREADED_PYTHON           \
	"/usr/bin/python3", "-c", \
		"import threading; t=threading.Thread(target=print); t.start(); t.join()"
/* Allows everything but personality, which gets EINVAL: tells this profile from default.json. */
#define MARKED_PROFILE                                                                      \
	"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"personality\"]," \
	"\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":22}]}"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

extern char **environ;

struct outcome {
	int status;
	char out[OUTPUT_BYTES];
	char err[OUTPUT_BYTES];
};

/* Where and as whom to run; zeroes mean here, as this test (root), our environment. */
struct how {
	const char *cwd;
	uid_t uid;
	gid_t gid;
	const char *const *env; /* extra NAME=VALUE, NULL-terminated */
};

#define OUTCOME_FMT " (status %#x)\nstdout: %s\nstderr: %s"
#define OUTCOME(o)  (o)->status, (o)->out, (o)->err

static const char *profiles(void)
{
	return env_path("SIGSYS_PROFILES");
}

static const char *probe_bin(void)
{
	return env_path("SIGSYS_PROBE");
}

/* Whether `extra` sets the variable of entry `e` ("KEY=…"). */
static bool overridden(const char *e, const char *const *extra)
{
	size_t key = strcspn(e, "=");
	for (; extra && *extra; extra++)
		if (strncmp(*extra, e, key + 1) == 0)
			return true;
	return false;
}

/* Ours without any Mesos or Marathon identity (the tests set those), plus `extra`, which
 * replaces variables of the same name. */
static char **task_env(const char *const *extra)
{
	size_t n = 1, k = 0;
	for (char **e = environ; *e; e++)
		n++;
	for (const char *const *e = extra; e && *e; e++)
		n++;
	char **env = calloc(n, sizeof(*env));
	cr_assert(env);
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "MESOS_", 6) && strncmp(*e, "MARATHON_", 9) &&
		    !overridden(*e, extra))
			env[k++] = *e;
	for (const char *const *e = extra; e && *e; e++)
		env[k++] = (char *)*e;
	return env;
}

static void read_output(int fd, char *buf)
{
	ssize_t n = pread(fd, buf, OUTPUT_BYTES - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

/* Everything is prepared before the fork: the child only makes plain syscalls and execs. */
static void run_program(const struct how *how, const char *const *argv, struct outcome *ret)
{
	static const struct how here;
	how = how ? how : &here;
	char **env = task_env(how->env);
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int out = memfd_create("stdout", MFD_CLOEXEC), err = memfd_create("stderr", MFD_CLOEXEC);
	cr_assert(in >= 0 && out >= 0 && err >= 0);
	pid_t pid = test_fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(EXIT_HARNESS);
		if (how->cwd && chdir(how->cwd) < 0)
			_exit(EXIT_HARNESS);
		/* Raw calls: glibc's setuid would try to reach other threads. */
		if (how->uid &&
		    (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setgid, how->gid) < 0 ||
		     syscall(SYS_setuid, how->uid) < 0))
			_exit(EXIT_HARNESS);
		execve(argv[0], (char *const *)argv, env);
		_exit(EXIT_HARNESS);
	}
	cr_assert_eq(waitpid(pid, &ret->status, 0), pid);
	close(in);
	read_output(out, ret->out);
	read_output(err, ret->err);
	free(env);
	cr_assert(!WIFEXITED(ret->status) || WEXITSTATUS(ret->status) != EXIT_HARNESS,
		  "the test harness could not start sigsys-apply" OUTCOME_FMT, OUTCOME(ret));
}

/* sigsys-apply ARGS…, run as a launcher would: by its full path. */
static void apply_how(const struct how *how, const char *const *args, struct outcome *ret)
{
	const char *argv[64];
	size_t n = 0;
	argv[n++] = env_path("SIGSYS_APPLY");
	for (; *args; args++) {
		cr_assert_lt(n, ARRAY_SIZE(argv) - 1);
		argv[n++] = *args;
	}
	argv[n] = NULL;
	run_program(how, argv, ret);
}

static void apply(const char *const *args, struct outcome *ret)
{
	apply_how(NULL, args, ret);
}

static void expect_exit(const struct outcome *o, int code)
{
	cr_expect(WIFEXITED(o->status) && WEXITSTATUS(o->status) == code,
		  "expected exit %d" OUTCOME_FMT, code, OUTCOME(o));
}

static void expect_signal(const struct outcome *o, int sig)
{
	cr_expect(WIFSIGNALED(o->status) && WTERMSIG(o->status) == sig,
		  "expected death by signal %d" OUTCOME_FMT, sig, OUTCOME(o));
}

static void expect_out(const struct outcome *o, const char *needle)
{
	cr_expect(strstr(o->out, needle), "stdout should hold \"%s\"" OUTCOME_FMT, needle,
		  OUTCOME(o));
}

static void expect_err(const struct outcome *o, const char *needle)
{
	cr_expect(strstr(o->err, needle), "stderr should hold \"%s\"" OUTCOME_FMT, needle,
		  OUTCOME(o));
}

/* sigsys-apply's own failure: exit 125 and exactly one line "sigsys-apply: …" naming
 * `needle`, so that a launcher can show it as the task's failure message. */
static void expect_refused(const struct outcome *o, const char *needle)
{
	const char *nl = strchr(o->err, '\n');
	expect_exit(o, EXIT_OWN_FAILURE);
	cr_expect(strncmp(o->err, "sigsys-apply: ", 14) == 0 && nl && nl[1] == '\0',
		  "expected one stderr line starting \"sigsys-apply: \"" OUTCOME_FMT, OUTCOME(o));
	expect_err(o, needle);
}

/* "Seccomp:" or "NoNewPrivs:" as the task printed it from /proc/self/status; -1: absent. */
static long status_field(const struct outcome *o, const char *name)
{
	const char *p = strstr(o->out, name);
	return p ? strtol(p + strlen(name), NULL, 10) : -1;
}

static void expect_field(const struct outcome *o, const char *name, long value)
{
	cr_expect_eq(status_field(o, name), value, "the task should show %s %ld" OUTCOME_FMT, name,
		     value, OUTCOME(o));
}

/* ---- scratch files ----------------------------------------------------------------------- */

/* World-readable, so that a task or caller running as nobody can read it. */
static char *temp_dir(void)
{
	char *dir = strdup("/tmp/sigsys-test-apply.XXXXXX");
	cr_assert(dir && mkdtemp(dir), "mkdtemp: %m");
	cr_assert_eq(chmod(dir, 0755), 0);
	return dir;
}

static char *path_in(const char *dir, const char *name)
{
	char *path;
	cr_assert(asprintf(&path, "%s/%s", dir, name) > 0);
	return path;
}

static void write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	_cleanup_free_ char *path = path_in(dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	cr_assert_geq(fd, 0, "%s: %m", path);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

/* The repo's DC/OS default under another name, as a DC/OS operator installs a profile. */
static void copy_default_profile(const char *dir, const char *name)
{
	_cleanup_free_ char *src = path_in(profiles(), "default.json"), *text = NULL;
	size_t len;
	cr_assert_eq(read_file_bounded(src, 1u << 20, &text, &len), 0, "reading %s", src);
	write_file(dir, name, text, 0644);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(path);
}

static void remove_tree(char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static struct passwd *nobody(void)
{
	struct passwd *pw = getpwnam("nobody");
	cr_assert(pw, "this machine has no user \"nobody\" in /etc/passwd");
	return pw;
}

/* ---- exit codes -------------------------------------------------------------------------- */

Test(apply, bad_mode_is_refused, .timeout = 30)
{
	struct outcome o;
	apply(ARGS("--profile-dir", profiles(), "--mode", "enforcing", "--", "true"), &o);
	expect_refused(&o, "\"enforcing\"");
}

Test(apply, unknown_capability_is_refused, .timeout = 30)
{
	struct outcome o;
	apply(ARGS("--profile-dir", profiles(), "--caps", "CAP_SYS_ADMN", "--", "true"), &o);
	expect_refused(&o, "CAP_SYS_ADMN");
}

Test(apply, unknown_option_is_one_line_and_125, .timeout = 30)
{
	struct outcome o;
	apply(ARGS("--profile-dri", profiles(), "--", "true"), &o);
	expect_refused(&o, "--profile-dri");
}

Test(apply, missing_profile_is_refused, .timeout = 30)
{
	struct outcome o;
	apply(ARGS("--profile-dir", profiles(), "--profile", "no-such-profile.json", "--", "true"),
	      &o);
	expect_refused(&o, "no-such-profile.json");
}

Test(apply, malformed_profile_names_file_and_json_path, .timeout = 30)
{
	struct outcome o;
	char *dir = temp_dir();
	write_file(dir, "typo.json",
		   "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
		   "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		   "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_KILLL\"}]}",
		   0644);
	write_file(dir, "cut.json", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[", 0644);
	apply(ARGS("--profile-dir", dir, "--profile", "typo.json", "--", "true"), &o);
	expect_refused(&o, "typo.json: syscalls[1].action");
	expect_err(&o, "SCMP_ACT_KILLL");
	apply(ARGS("--profile-dir", dir, "--profile", "cut.json", "--", "true"), &o);
	expect_refused(&o, "cut.json");
	remove_tree(dir);
}

Test(apply, profile_and_unconfined_together_are_refused, .timeout = 30)
{
	struct outcome o;
	apply(ARGS("--profile-dir", profiles(), "--profile", "default.json", "--unconfined", "--",
		   "true"),
	      &o);
	expect_refused(&o, "--unconfined");
}

Test(apply, no_command_is_refused, .timeout = 30)
{
	struct outcome o;
	apply(ARGS("--profile-dir", profiles()), &o);
	expect_refused(&o, "command");
	apply(ARGS("--profile-dir", profiles(), "--"), &o);
	expect_refused(&o, "command");
}

Test(apply, command_not_found_is_127, .timeout = 30)
{
	struct outcome o;
	apply(ARGS("--profile-dir", profiles(), "--no-cache", "--", "sigsys-no-such-command"), &o);
	expect_exit(&o, EXIT_NOT_FOUND);
	expect_err(&o, "sigsys-no-such-command");
	apply(ARGS("--profile-dir", profiles(), "--no-cache", "--", "/nonexistent/cmd"), &o);
	expect_exit(&o, EXIT_NOT_FOUND);
}

/* As env(1): a file that exists but cannot be executed is 126, by path or found in PATH. */
Test(apply, command_without_x_bit_is_126, .timeout = 30)
{
	struct outcome o;
	char *dir = temp_dir();
	_cleanup_free_ char *script = path_in(dir, "noexec"), *path_var = NULL;
	write_file(dir, "noexec", "#!/bin/sh\necho ran\n", 0644);
	apply(ARGS("--profile-dir", profiles(), "--no-cache", "--", script), &o);
	expect_exit(&o, EXIT_CANNOT_RUN);
	expect_err(&o, "noexec");

	cr_assert(asprintf(&path_var, "PATH=%s", dir) > 0);
	struct how in_path = {.env = ARGS(path_var)};
	apply_how(&in_path, ARGS("--profile-dir", profiles(), "--no-cache", "--", "noexec"), &o);
	expect_exit(&o, EXIT_CANNOT_RUN);
	remove_tree(dir);
}

Test(apply, task_exit_status_passes_through, .timeout = 30)
{
	struct outcome o;
	apply(ARGS("--profile-dir", profiles(), "--no-cache", "--", "sh", "-c", "exit 42"), &o);
	expect_exit(&o, 42);
}

Test(apply, task_death_signal_passes_through, .timeout = 30)
{
	struct outcome o;
	apply(ARGS("--profile-dir", profiles(), "--no-cache", "--", "sh", "-c", "kill -TERM $$"),
	      &o);
	expect_signal(&o, SIGTERM);
}

/* ---- which profile ----------------------------------------------------------------------- */

Test(apply, named_profile_comes_from_the_profile_dir, .timeout = 30)
{
	struct outcome o;
	char *dir = temp_dir();
	write_file(dir, "marked.json", MARKED_PROFILE, 0644);
	apply(ARGS("--profile-dir", dir, "--profile", "marked.json", "--no-cache", "--",
		   probe_bin(), "personality:5"),
	      &o);
	expect_exit(&o, 0);
	expect_out(&o, "personality=-EINVAL");
	remove_tree(dir);
}

Test(apply, default_json_when_no_profile_is_named, .timeout = 30)
{
	struct outcome o;
	char *dir = temp_dir();
	write_file(dir, "default.json", MARKED_PROFILE, 0644);
	apply(ARGS("--profile-dir", dir, "--no-cache", "--", probe_bin(), "personality:5"), &o);
	expect_exit(&o, 0);
	expect_out(&o, "personality=-EINVAL");
	remove_tree(dir);
}

/* The name may not leave the directory, even when "../x" exists and is a good profile. */
Test(apply, profile_name_with_dotdot_is_refused, .timeout = 30)
{
	struct outcome o;
	char *top = temp_dir();
	_cleanup_free_ char *dir = path_in(top, "profiles");
	cr_assert_eq(mkdir(dir, 0755), 0);
	copy_default_profile(dir, "default.json");
	write_file(top, "x", MARKED_PROFILE, 0644);
	struct how in_dir = {.cwd = dir};
	apply_how(&in_dir,
		  ARGS("--profile-dir", dir, "--profile", "../x", "--no-cache", "--", probe_bin(),
		       "personality:5"),
		  &o);
	expect_refused(&o, "../x");
	remove_tree(top);
}

Test(apply, symlink_out_of_the_profile_dir_is_refused, .timeout = 30)
{
	struct outcome o;
	char *top = temp_dir();
	_cleanup_free_ char *dir = path_in(top, "profiles"), *outside = path_in(top, "out.json");
	cr_assert_eq(mkdir(dir, 0755), 0);
	write_file(top, "out.json", MARKED_PROFILE, 0644);
	_cleanup_free_ char *abs_link = path_in(dir, "abs.json"),
			    *rel_link = path_in(dir, "rel.json");
	cr_assert_eq(symlink(outside, abs_link), 0);
	cr_assert_eq(symlink("../out.json", rel_link), 0);
	apply(ARGS("--profile-dir", dir, "--profile", "abs.json", "--no-cache", "--", "true"), &o);
	expect_refused(&o, "abs.json");
	apply(ARGS("--profile-dir", dir, "--profile", "rel.json", "--no-cache", "--", "true"), &o);
	expect_refused(&o, "rel.json");
	remove_tree(top);
}

Test(apply, profile_with_a_slash_is_a_path, .timeout = 30)
{
	struct outcome o;
	char *dir = temp_dir();
	_cleanup_free_ char *file = path_in(dir, "marked.json");
	write_file(dir, "marked.json", MARKED_PROFILE, 0644);
	apply(ARGS("--profile-dir", "/nonexistent", "--profile", file, "--no-cache", "--",
		   probe_bin(), "personality:5"),
	      &o);
	expect_exit(&o, 0);
	expect_out(&o, "personality=-EINVAL");
	remove_tree(dir);
}

Test(apply, unconfined_loads_no_filter, .timeout = 30)
{
	struct outcome o;
	apply(ARGS("--profile-dir", profiles(), "--unconfined", "--", SHOW_SECCOMP), &o);
	expect_exit(&o, 0);
	expect_field(&o, "Seccomp:", 0);
	apply(ARGS("--profile-dir", profiles(), "--no-cache", "--", SHOW_SECCOMP), &o);
	expect_exit(&o, 0);
	expect_field(&o, "Seccomp:", 2);
}

/* ---- modes, under the DC/OS default ------------------------------------------------------ */

Test(apply, kill_mode_kills_a_denied_syscall_with_sigsys, .timeout = 30)
{
	struct outcome o;
	apply(ARGS("--profile-dir", profiles(), "--mode", "kill", "--caps", "", "--no-cache", "--",
		   probe_bin(), "personality:5"),
	      &o);
	expect_signal(&o, SIGSYS);
	cr_expect(!strstr(o.out, "personality="), "personality returned: %s", o.out);
}

Test(apply, enforce_mode_denies_with_eperm, .timeout = 30)
{
	struct outcome o;
	apply(ARGS("--profile-dir", profiles(), "--mode", "enforce", "--caps", "", "--no-cache",
		   "--", probe_bin(), "personality:5"),
	      &o);
	expect_exit(&o, 0);
	expect_out(&o, "personality=-EPERM");
}

/* personality(5) returns the previous persona: a number, not an error. */
Test(apply, log_mode_lets_a_denied_syscall_succeed, .timeout = 30)
{
	struct outcome o;
	apply(ARGS("--profile-dir", profiles(), "--mode", "log", "--caps", "", "--no-cache", "--",
		   probe_bin(), "personality:5"),
	      &o);
	expect_exit(&o, 0);
	const char *r = strstr(o.out, "personality=");
	cr_expect(r && r[12] >= '0' && r[12] <= '9', "personality should succeed" OUTCOME_FMT,
		  OUTCOME(&o));
}

/* The start-up probes (clone3, rseq) get ENOSYS: threads and plain programs still run. */
Test(apply, kill_mode_lets_ordinary_programs_run, .timeout = 30)
{
	struct outcome o;
	apply(ARGS("--profile-dir", profiles(), "--mode", "kill", "--caps", "", "--no-cache", "--",
		   probe_bin(), "thread"),
	      &o);
	expect_exit(&o, 0);
	expect_out(&o, "thread=0");
	apply(ARGS("--profile-dir", profiles(), "--mode", "kill", "--caps", "", "--no-cache", "--",
		   "/bin/true"),
	      &o);
	expect_exit(&o, 0);
}

/* Without the probe list, glibc's own start-up (rseq) is killed: the list is what makes kill
 * mode usable, and "none" really removes it. */
Test(apply, kill_mode_without_probes_kills_at_start_up, .timeout = 30)
{
	struct outcome o;
	apply(ARGS("--profile-dir", profiles(), "--mode", "kill", "--probes", "none", "--caps", "",
		   "--no-cache", "--", probe_bin(), "getpid"),
	      &o);
	expect_signal(&o, SIGSYS);
}

/* FACTS.md: the DC/OS default has no clone3, so glibc's thread creation gets EPERM. */
Test(apply, threads_fail_under_the_dcos_default_in_enforce_mode, .timeout = 30)
{
	struct outcome o;
	apply(ARGS("--profile-dir", profiles(), "--mode", "enforce", "--no-cache", "--",
		   THREADED_PYTHON),
	      &o);
	expect_exit(&o, 1);
	expect_err(&o, "can't start new thread");
}

Test(apply, enosys_newer_lets_threads_start, .timeout = 30)
{
	struct outcome o;
	apply(ARGS("--profile-dir", profiles(), "--mode", "enforce", "--enosys-newer", "--no-cache",
		   "--", THREADED_PYTHON),
	      &o);
	expect_exit(&o, 0);
}

Test(apply, kill_mode_lets_threads_start, .timeout = 30)
{
	struct outcome o;
	apply(ARGS("--profile-dir", profiles(), "--mode", "kill", "--no-cache", "--",
		   THREADED_PYTHON),
	      &o);
	expect_exit(&o, 0);
}

/* ---- capabilities: the DC/OS default allows unshare only with CAP_SYS_ADMIN -------------- */

static void unshare_with_caps(const char *caps, struct outcome *o)
{
	apply(ARGS("--profile-dir", profiles(), "--caps", caps, "--no-cache", "--", probe_bin(),
		   "unshare:0"),
	      o);
	expect_exit(o, 0);
}

Test(apply, caps_decide_the_includes, .timeout = 30)
{
	struct outcome o;
	unshare_with_caps("", &o);
	expect_out(&o, "unshare=-EPERM");
	unshare_with_caps("CAP_SYS_ADMIN", &o);
	expect_out(&o, "unshare=0");
}

Test(apply, caps_auto_as_root_holds_cap_sys_admin, .timeout = 30)
{
	struct outcome o;
	unshare_with_caps("auto", &o);
	expect_out(&o, "unshare=0");
}

/* ---- privileges -------------------------------------------------------------------------- */

/* As root: the filter is loaded without no_new_privs (setuid programs keep working), then
 * the user is switched. Seccomp 2 with NoNewPrivs 0 in a task of uid nobody proves the order:
 * nobody could not have loaded it without no_new_privs. */
Test(apply, user_switches_after_loading, .timeout = 30)
{
	struct outcome o;
	_cleanup_free_ char *uid_line = NULL;
	cr_assert(asprintf(&uid_line, "%u\n", (unsigned)nobody()->pw_uid) > 0);
	apply(ARGS("--profile-dir", profiles(), "--user", "nobody", "--no-cache", "--", "sh", "-c",
		   "id -u && grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status"),
	      &o);
	expect_exit(&o, 0);
	cr_expect_eq(strncmp(o.out, uid_line, strlen(uid_line)), 0,
		     "id -u should print %s" OUTCOME_FMT, uid_line, OUTCOME(&o));
	expect_field(&o, "Seccomp:", 2);
	expect_field(&o, "NoNewPrivs:", 0);
}

Test(apply, user_needs_a_root_caller, .timeout = 30)
{
	struct outcome o;
	struct passwd *pw = nobody();
	struct how as_nobody = {.uid = pw->pw_uid, .gid = pw->pw_gid};
	apply_how(&as_nobody, ARGS("--profile-dir", profiles(), "--user", "nobody", "--", "true"),
		  &o);
	expect_refused(&o, "--user");
}

/* The kernel refuses a filter from an unprivileged caller without no_new_privs. */
Test(apply, non_root_caller_gets_no_new_privs, .timeout = 30)
{
	struct outcome o;
	struct passwd *pw = nobody();
	struct how as_nobody = {.uid = pw->pw_uid, .gid = pw->pw_gid};
	apply_how(&as_nobody, ARGS("--profile-dir", profiles(), "--", SHOW_SECCOMP), &o);
	expect_exit(&o, 0);
	expect_field(&o, "Seccomp:", 2);
	expect_field(&o, "NoNewPrivs:", 1);
}

/* ---- schedulers -------------------------------------------------------------------------- */

static char *scheduler_file(const char *name)
{
	char *path;
	cr_assert(asprintf(&path, "%s/schedulers/%s", env_path("SIGSYS_DATA"), name) > 0);
	return path;
}

/* seccomp-app-example-2.json names "relaxed.json": installed here as a copy of the default. */
Test(apply, marathon_app_profile_name_is_used, .timeout = 30)
{
	struct outcome o;
	char *dir = temp_dir();
	_cleanup_free_ char *app = scheduler_file("marathon/seccomp-app-example-2.json");
	copy_default_profile(dir, "relaxed.json");
	apply(ARGS("--profile-dir", dir, "--marathon-app", app, "--no-cache", "--", SHOW_SECCOMP),
	      &o);
	expect_exit(&o, 0);
	expect_field(&o, "Seccomp:", 2);
	apply(ARGS("--profile-dir", dir, "--marathon-app", app, "--no-cache", "--dry-run"), &o);
	expect_exit(&o, 0);
	expect_out(&o, "relaxed.json");
	expect_out(&o, "app_id=/mesos-seccomp-app");
	expect_out(&o, "framework=marathon");
	remove_tree(dir);
}

Test(apply, marathon_app_without_its_profile_is_refused, .timeout = 30)
{
	struct outcome o;
	char *dir = temp_dir();
	_cleanup_free_ char *app = scheduler_file("marathon/seccomp-app-example-2.json");
	copy_default_profile(dir, "default.json");
	apply(ARGS("--profile-dir", dir, "--marathon-app", app, "--", "true"), &o);
	expect_refused(&o, "relaxed.json");
	remove_tree(dir);
}

Test(apply, marathon_app_unconfined_runs_without_filter, .timeout = 30)
{
	struct outcome o;
	_cleanup_free_ char *app = scheduler_file("marathon/seccomp-app-example-1.json");
	apply(ARGS("--profile-dir", profiles(), "--marathon-app", app, "--", SHOW_SECCOMP), &o);
	expect_exit(&o, 0);
	expect_field(&o, "Seccomp:", 0);
}

Test(apply, marathon_app_unconfined_with_a_name_is_refused, .timeout = 30)
{
	struct outcome o;
	char *dir = temp_dir();
	copy_default_profile(dir, "relaxed.json");
	write_file(dir, "app.json",
		   "{\"id\":\"/both\",\"container\":{\"type\":\"MESOS\",\"linuxInfo\":{\"seccomp\":"
		   "{\"unconfined\":true,\"profileName\":\"relaxed.json\"}}}}",
		   0644);
	_cleanup_free_ char *app = path_in(dir, "app.json");
	apply(ARGS("--profile-dir", dir, "--marathon-app", app, "--", "true"), &o);
	expect_refused(&o, "container.linuxInfo.seccomp");
	expect_err(&o, "app.json");
	remove_tree(dir);
}

/* A Marathon profileName is a name, never a path: it may not leave the directory. */
Test(apply, marathon_profile_name_may_not_escape, .timeout = 30)
{
	struct outcome o;
	char *dir = temp_dir();
	write_file(
		dir, "app.json",
		"{\"id\":\"/escape\",\"container\":{\"type\":\"MESOS\",\"linuxInfo\":{\"seccomp\":"
		"{\"profileName\":\"../../etc/passwd\"}}}}",
		0644);
	_cleanup_free_ char *app = path_in(dir, "app.json");
	apply(ARGS("--profile-dir", dir, "--marathon-app", app, "--", "true"), &o);
	expect_refused(&o, "../../etc/passwd");
	remove_tree(dir);
}

Test(apply, metronome_job_gets_the_agent_default, .timeout = 30)
{
	struct outcome o;
	char *dir = temp_dir();
	_cleanup_free_ char *job = scheduler_file("metronome/job.json");
	_cleanup_free_ char *profile_line = NULL;
	write_file(dir, "default.json", MARKED_PROFILE, 0644);
	cr_assert(asprintf(&profile_line, "profile: %s/default.json\n", dir) > 0);
	apply(ARGS("--profile-dir", dir, "--metronome-job", job, "--no-cache", "--dry-run"), &o);
	expect_exit(&o, 0);
	expect_out(&o, profile_line);
	expect_out(&o, "job_id=prod.example.app");
	expect_out(&o, "framework=metronome");
	apply(ARGS("--profile-dir", dir, "--metronome-job", job, "--no-cache", "--", probe_bin(),
		   "personality:5"),
	      &o);
	expect_exit(&o, 0);
	expect_out(&o, "personality=-EINVAL");
	remove_tree(dir);
}

/* ---- the dry run ------------------------------------------------------------------------- */

static void expect_digest(const struct outcome *o)
{
	const char *d = strstr(o->out, "digest: sha256:");
	size_t hex = d ? strspn(d + 15, "0123456789abcdef") : 0;
	cr_expect(hex == 64 && d[15 + hex] == '\n', "expected a sha256 digest line" OUTCOME_FMT,
		  OUTCOME(o));
}

Test(apply, dry_run_shows_profile_digest_mode_and_identity_from_mesos, .timeout = 30)
{
	struct outcome o;
	_cleanup_free_ char *profile_line = NULL;
	cr_assert(asprintf(&profile_line, "profile: %s/default.json\n", profiles()) > 0);
	struct how mesos = {
		.env = ARGS("MESOS_TASK_ID=web.1234-abcd", "MARATHON_APP_ID=/prod/web")};
	apply_how(&mesos,
		  ARGS("--profile-dir", profiles(), "--mode", "kill", "--no-cache", "--dry-run"),
		  &o);
	expect_exit(&o, 0);
	expect_out(&o, profile_line);
	expect_digest(&o);
	expect_out(&o, "mode: kill\n");
	expect_out(&o, "task_id=web.1234-abcd ");
	expect_out(&o, "app_id=/prod/web ");
	expect_out(&o, "framework=marathon ");
}

Test(apply, dry_run_identity_flags_override_the_environment, .timeout = 30)
{
	struct outcome o;
	struct how mesos = {
		.env = ARGS("MESOS_TASK_ID=web.1234-abcd", "MARATHON_APP_ID=/prod/web")};
	apply_how(&mesos,
		  ARGS("--profile-dir", profiles(), "--no-cache", "--dry-run", "--task-id",
		       "job.5678", "--app-id", "/prod/other"),
		  &o);
	expect_exit(&o, 0);
	expect_out(&o, "mode: enforce\n");
	expect_out(&o, "task_id=job.5678 ");
	expect_out(&o, "app_id=/prod/other ");
}

/* ---- unknown syscall names --------------------------------------------------------------- */

#define UNKNOWN_NAME_PROFILE                                                               \
	"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"personality\"," \
	"\"sigsys_no_such_call\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":22}]}"

static char *unknown_name_dir(void)
{
	char *dir = temp_dir();
	write_file(dir, "unknown.json", UNKNOWN_NAME_PROFILE, 0644);
	return dir;
}

Test(apply, strict_refuses_an_unknown_syscall_name, .timeout = 30)
{
	struct outcome o;
	char *dir = unknown_name_dir();
	apply(ARGS("--profile-dir", dir, "--profile", "unknown.json", "--strict", "--no-cache",
		   "--", "true"),
	      &o);
	expect_refused(&o, "sigsys_no_such_call");
	remove_tree(dir);
}

Test(apply, unknown_syscall_name_is_a_warning_and_the_rest_applies, .timeout = 30)
{
	struct outcome o;
	char *dir = unknown_name_dir();
	apply(ARGS("--profile-dir", dir, "--profile", "unknown.json", "--no-cache", "--",
		   probe_bin(), "personality:5"),
	      &o);
	expect_exit(&o, 0);
	expect_out(&o, "personality=-EINVAL");
	expect_err(&o, "sigsys-apply: warning: ");
	expect_err(&o, "sigsys_no_such_call");
	apply(ARGS("--profile-dir", dir, "--profile", "unknown.json", "--no-cache", "-q", "--",
		   probe_bin(), "personality:5"),
	      &o);
	expect_exit(&o, 0);
	expect_out(&o, "personality=-EINVAL");
	cr_expect_str_empty(o.err, "-q should hide the warning" OUTCOME_FMT, OUTCOME(&o));
	remove_tree(dir);
}

/* ---- the cache --------------------------------------------------------------------------- */

static char *cache_dir(void)
{
	char *dir = temp_dir();
	cr_assert_eq(chmod(dir, 0700), 0);
	return dir;
}

/* The one file the cache holds; its mode in *ret_mode. */
static void only_cache_file_mode(const char *dir, mode_t *ret_mode)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	int files = 0;
	cr_assert(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			cr_assert_eq(fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW), 0);
			*ret_mode = st.st_mode & 07777;
			files++;
		}
	closedir(d);
	cr_assert_eq(files, 1, "expected one cached filter in %s, found %d", dir, files);
}

Test(apply, second_run_is_served_from_a_root_only_cache, .timeout = 30)
{
	struct outcome o;
	mode_t mode = 0;
	char *dir = cache_dir();
	apply(ARGS("--profile-dir", profiles(), "--cache-dir", dir, "--dry-run"), &o);
	expect_exit(&o, 0);
	cr_expect(strstr(o.out, "program: ") && !strstr(o.out, "(cached)"),
		  "the first run cannot be cached" OUTCOME_FMT, OUTCOME(&o));
	apply(ARGS("--profile-dir", profiles(), "--cache-dir", dir, "--dry-run"), &o);
	expect_exit(&o, 0);
	expect_out(&o, "(cached)");
	only_cache_file_mode(dir, &mode);
	cr_expect_eq(mode, 0600, "cache file mode %o", (unsigned)mode);
	/* The cached program enforces the profile as the compiled one did. */
	apply(ARGS("--profile-dir", profiles(), "--cache-dir", dir, "--caps", "", "--", probe_bin(),
		   "personality:5"),
	      &o);
	expect_exit(&o, 0);
	expect_out(&o, "personality=-EPERM");
	remove_tree(dir);
}

/* Another user could plant a filter in a group- or world-writable directory. */
Test(apply, cache_dir_open_to_others_is_not_used, .timeout = 30)
{
	struct outcome o;
	char *dir = temp_dir(); /* 0755 */
	for (int i = 0; i < 2; i++) {
		apply(ARGS("--profile-dir", profiles(), "--cache-dir", dir, "--dry-run"), &o);
		expect_exit(&o, 0);
		cr_expect(!strstr(o.out, "(cached)"), "served from an open cache" OUTCOME_FMT,
			  OUTCOME(&o));
		expect_err(&o, "sigsys-apply: warning: ");
	}
	remove_tree(dir);
}

/* sigsysd is down: the launch goes on, the registration waits in the spool, and the
 * operator is told once (-q: not at all). */
Test(apply, registration_is_spooled_when_sigsysd_is_down, .timeout = 30)
{
	struct outcome o;
	char *dir = temp_dir();
	_cleanup_free_ char *spool = path_in(dir, "spool");
	apply(ARGS("--profile-dir", profiles(), "--no-cache", "--run-dir", dir, "--task-id",
		   "web.42", "--", "true"),
	      &o);
	expect_exit(&o, 0);
	expect_err(&o, "sigsysd is not running; the task's registration waits in");
	cr_expect_eq(strchr(o.err, '\n'), o.err + strlen(o.err) - 1, "one line: %s", o.err);
	DIR *d = opendir(spool);
	cr_assert(d, "no spool at %s", spool);
	int files = 0;
	for (struct dirent *e; (e = readdir(d));)
		files += e->d_name[0] != '.';
	closedir(d);
	cr_expect_eq(files, 1);

	apply(ARGS("-q", "--profile-dir", profiles(), "--no-cache", "--run-dir", dir, "--", "true"),
	      &o);
	expect_exit(&o, 0);
	cr_expect_str_empty(o.err, "-q: %s", o.err);
	remove_tree(dir);
}
