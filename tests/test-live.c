/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live, on this kernel: one child per case loads a compiled filter and makes real
 * syscalls; the parent checks how it ended and what the kernel wrote to audit.
 */
#include "test-helpers.h"
#include "audit-watch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define RET_KILL_PROCESS 0x80000000u
#define RET_ERRNO	 0x00050000u
#define RET_LOG		 0x7ffc0000u

static struct sigsys_filter *filter_of(const char *profile, enum sigsys_mode mode, unsigned flags)
{
	struct sigsys_profile *p = profile[0] == '{' ? parse_text(profile) : load_profile(profile);
	struct sigsys_filter *f = compile_with(p, mode, 0, flags);
	sigsys_profile_free(p);
	return f;
}

/* Fork; the child loads `f` and runs `body` (which returns its exit status). */
static pid_t run_child(const struct sigsys_filter *f, int (*body)(void *), void *arg,
		       int *ret_status)
{
	pid_t pid = test_fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (sigsys_filter_load(f, 0) < 0)
			_exit(125);
		_exit(body(arg));
	}
	cr_assert_eq(waitpid(pid, ret_status, 0), pid);
	return pid;
}

/* The child execs the probe with `argv` after loading, stdout into a pipe. */
struct probe_run {
	char *const *argv;
	int out_fd;
};

static int exec_probe(void *arg)
{
	struct probe_run *run = arg;
	dup2(run->out_fd, STDOUT_FILENO);
	execv(getenv("SIGSYS_PROBE"), run->argv);
	return 127;
}

static pid_t probe(const struct sigsys_filter *f, const char *a1, const char *a2, char *out,
		   size_t size, int *ret_status)
{
	int pipefd[2];
	cr_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);
	char *const argv[] = {"probe", (char *)a1, (char *)a2, NULL};
	struct probe_run run = {.argv = argv, .out_fd = pipefd[1]};
	pid_t pid = run_child(f, exec_probe, &run, ret_status);
	close(pipefd[1]);
	ssize_t n = read(pipefd[0], out, size - 1);
	out[n > 0 ? n : 0] = '\0';
	close(pipefd[0]);
	return pid;
}

static int call_getppid(void *arg)
{
	(void)arg;
	return syscall(SYS_getppid) > 0 ? 0 : 1;
}

static int call_mkdir(void *arg)
{
	(void)arg;
	return syscall(SYS_mkdir, "/nonexistent-sigsys/x", 0700) < 0 ? errno : 0;
}

static int audit_fd(void)
{
	int fd = audit_watch_open();
	cr_assert_geq(fd, 0, "cannot join the audit multicast group: %s (run as root)",
		      strerror(-fd));
	return fd;
}

Test(live, kill_process_gives_sigsys_on_the_named_syscall, .timeout = 30)
{
	int fd = audit_fd(), status;
	struct audit_record rec;
	struct sigsys_filter *f = filter_of("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{"
					    "\"names\":[\"getppid\"],\"action\":"
					    "\"SCMP_ACT_KILL_PROCESS\"}]}",
					    SIGSYS_MODE_ENFORCE, 0);
	pid_t pid = run_child(f, call_getppid, NULL, &status);
	cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "status %#x", status);
	cr_expect_eq(audit_watch_find(fd, pid, SYS_getppid, RET_KILL_PROCESS, 5000, &rec), 0,
		     "no KILL_PROCESS record for getppid of pid %d", pid);
	sigsys_filter_free(f);
	close(fd);
}

Test(live, errno_ret_gives_that_errno, .timeout = 30)
{
	int status;
	struct sigsys_filter *f = filter_of("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{"
					    "\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\","
					    "\"errnoRet\":100}]}",
					    SIGSYS_MODE_ENFORCE, 0);
	run_child(f, call_mkdir, NULL, &status);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == ENETDOWN,
		  "mkdir should fail with errno 100, child status %#x", status);
	sigsys_filter_free(f);
}

Test(live, log_mode_lets_the_call_through_and_audits_it, .timeout = 30)
{
	int fd = audit_fd(), status;
	struct audit_record rec;
	struct sigsys_filter *f = filter_of("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{"
					    "\"names\":[\"getppid\"],\"action\":"
					    "\"SCMP_ACT_KILL_PROCESS\"}]}",
					    SIGSYS_MODE_LOG, 0);
	pid_t pid = run_child(f, call_getppid, NULL, &status);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	cr_expect_eq(audit_watch_find(fd, pid, SYS_getppid, RET_LOG, 5000, &rec), 0,
		     "no LOG record (code 0x7ffc0000) for getppid of pid %d", pid);
	sigsys_filter_free(f);
	close(fd);
}

Test(live, enforce_makes_an_errno_denial_visible_to_audit, .timeout = 30)
{
	int fd = audit_fd(), status;
	char out[256];
	struct audit_record rec;
	struct sigsys_filter *f = filter_of("dcos-default.json", SIGSYS_MODE_ENFORCE, 0);
	pid_t pid = probe(f, "personality:5", NULL, out, sizeof(out), &status);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	cr_expect(strstr(out, "personality=-EPERM"), "probe said: %s", out);
	cr_expect_eq(audit_watch_find(fd, pid, SYS_personality, RET_ERRNO, 5000, &rec), 0,
		     "no ERRNO record for personality of pid %d", pid);
	sigsys_filter_free(f);
	close(fd);
}

Test(live, kill_mode_kills_on_the_denied_syscall_and_lets_probes_run, .timeout = 30)
{
	int fd = audit_fd(), status;
	char out[256];
	struct audit_record rec;
	struct sigsys_filter *f = filter_of("dcos-default.json", SIGSYS_MODE_KILL, 0);
	/* glibc's rseq probe at start-up gets ENOSYS; the thread uses clone3's fallback. */
	pid_t pid = probe(f, "thread", "personality:5", out, sizeof(out), &status);
	cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "status %#x, out %s", status,
		  out);
	cr_expect(strstr(out, "thread=0"), "the thread should start in kill mode: %s", out);
	cr_expect_eq(audit_watch_find(fd, pid, SYS_personality, RET_KILL_PROCESS, 5000, &rec), 0,
		     "pid %d was not killed on personality", pid);
	sigsys_filter_free(f);
	close(fd);
}

Test(live, kill_mode_plain_true_runs_under_the_dcos_default, .timeout = 30)
{
	int status;
	struct sigsys_filter *f = filter_of("dcos-default.json", SIGSYS_MODE_KILL, 0);
	pid_t pid = test_fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (sigsys_filter_load(f, 0) < 0)
			_exit(125);
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "true: status %#x", status);
	sigsys_filter_free(f);
}

Test(live, threads_fail_under_the_dcos_default_with_eperm, .timeout = 30)
{
	int status;
	char out[256];
	struct sigsys_filter *f = filter_of("dcos-default.json", SIGSYS_MODE_ENFORCE, 0);
	probe(f, "thread", "clone3:0:0", out, sizeof(out), &status);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	cr_expect(!strstr(out, "thread=0"), "a thread started under DC/OS default: %s", out);
	cr_expect(strstr(out, "clone3=-EPERM"), "clone3 should get EPERM: %s", out);
	sigsys_filter_free(f);
}

Test(live, enosys_newer_lets_threads_fall_back, .timeout = 30)
{
	int status;
	char out[256];
	struct sigsys_filter *f =
		filter_of("dcos-default.json", SIGSYS_MODE_ENFORCE, SIGSYS_OPT_ENOSYS_NEWER);
	probe(f, "thread", "clone3:0:0", out, sizeof(out), &status);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	cr_expect(strstr(out, "thread=0"), "the thread should start: %s", out);
	cr_expect(strstr(out, "clone3=-ENOSYS"), "clone3 should get ENOSYS: %s", out);
	sigsys_filter_free(f);
}

static int load_as_nobody(void *arg)
{
	(void)arg;
	return 0;
}

/* Without root the kernel wants no_new_privs; the library sets it when asked. */
Test(live, non_root_needs_no_new_privs, .timeout = 30)
{
	struct sigsys_filter *f = filter_of("dcos-default.json", SIGSYS_MODE_ENFORCE, 0);
	pid_t pid = test_fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		if (sigsys_filter_load(f, 0) != -EACCES)
			_exit(3);
		if (sigsys_filter_load(f, SIGSYS_LOAD_NO_NEW_PRIVS) != 0)
			_exit(4);
		_exit(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? load_as_nobody(NULL) : 5);
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child step %d failed",
		  WEXITSTATUS(status));
	sigsys_filter_free(f);
}
