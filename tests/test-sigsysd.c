/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsysd live: the daemon runs on a temporary run dir and store; tasks launched through
 * sigsys-apply are killed, denied and logged by the kernel; their events must be stored
 * under the right task — a kill in a grandchild included — and survive a restart.
 */
#include "test-helpers.h"
#include "daemon-harness.h"
#include "store.h"

#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

struct found {
	int32_t nr;
	uint32_t action;
	int rows;
	bool seen;
};

static int match_event(const struct store_event_row *row, void *userdata)
{
	struct found *f = userdata;
	f->rows++;
	if (row->event.nr == f->nr && seccomp_event_action(&row->event) == f->action)
		f->seen = true;
	return 0;
}

static int match_count(const struct store_count *c, void *userdata)
{
	struct found *f = userdata;
	if (c->nr == f->nr && c->action == f->action && c->count > 0)
		f->seen = true;
	return 0;
}

/* Poll the store (read-only, as `sigsys --db` will) until the task's event is there. */
static bool stored(const struct daemon_run *d, const char *task_id, int32_t nr, uint32_t action)
{
	struct store_options o;
	store_options_init(&o);
	o.read_only = true;
	for (int i = 0; i < 60; i++) {
		struct store *s = NULL;
		struct found f = {.nr = nr, .action = action};
		if (store_open(d->db, &o, &s, NULL) == 0) {
			store_task_events(s, task_id, 0, 0, match_event, &f, NULL);
			store_task_counts(s, task_id, match_count, &f, NULL);
			store_close(s);
		}
		if (f.seen)
			return true;
		harness_sleep_ms(100);
	}
	return false;
}

#define SYS_PERSONALITY 135
#define PROBE_DENIED	"\"$SIGSYS_PROBE\" personality:5"

Test(sigsysd, kills_denials_and_logs_are_stored_under_their_task, .timeout = 120)
{
	struct daemon_run d;
	daemon_run_dirs(&d, "daemon");
	daemon_run_start(&d);

	int status = daemon_run_launch(&d, "t-kill", "kill", NULL, PROBE_DENIED);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGSYS,
		  "the shell reports its child's SIGSYS: %#x", status);
	status = daemon_run_launch(&d, "t-grandchild", "kill", NULL,
				   "(" PROBE_DENIED "; true) ; true");
	status = daemon_run_launch(&d, "t-deny", "enforce", NULL, PROBE_DENIED);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	status = daemon_run_launch(&d, "t-log", "log", NULL, PROBE_DENIED);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);

	cr_expect(stored(&d, "t-kill", SYS_PERSONALITY, SECCOMP_RET_KILL_PROCESS),
		  "the kill of t-kill's child is not stored under t-kill");
	cr_expect(stored(&d, "t-grandchild", SYS_PERSONALITY, SECCOMP_RET_KILL_PROCESS),
		  "the kill in a grandchild is not stored under its task");
	cr_expect(stored(&d, "t-deny", SYS_PERSONALITY, SECCOMP_RET_ERRNO),
		  "the ERRNO denial of t-deny is not stored");
	cr_expect(stored(&d, "t-log", SYS_PERSONALITY, SECCOMP_RET_LOG),
		  "the LOG record of t-log is not counted");

	daemon_run_stop(&d);
	daemon_run_start(&d);
	cr_expect(stored(&d, "t-kill", SYS_PERSONALITY, SECCOMP_RET_KILL_PROCESS),
		  "a restart lost the kill");
	daemon_run_stop(&d);
	daemon_run_remove(&d);
}

/* Launched while sigsysd is down: spooled, registered at start, and its later kill
 * attributed (the task's process still runs when the daemon comes back). */
Test(sigsysd, a_task_spooled_while_down_is_attributed_after_start, .timeout = 120)
{
	struct daemon_run d;
	daemon_run_dirs(&d, "daemon");
	char *argv[] = {(char *)env_path("SIGSYS_APPLY"),
			"-q",
			"--run-dir",
			d.run_dir,
			"--profile-dir",
			(char *)env_path("SIGSYS_PROFILES"),
			"--no-cache",
			"--caps",
			"",
			"--mode",
			"kill",
			"--task-id",
			"t-spooled",
			"--",
			"/bin/sh",
			"-c",
			"sleep 2; " PROBE_DENIED,
			NULL};
	pid_t task = harness_spawn(argv, NULL);
	harness_sleep_ms(300); /* registered into the spool by now */
	daemon_run_start(&d);
	harness_wait(task);
	cr_expect(stored(&d, "t-spooled", SYS_PERSONALITY, SECCOMP_RET_KILL_PROCESS),
		  "the spooled task's kill is not attributed");
	daemon_run_stop(&d);
	daemon_run_remove(&d);
}

/* A peer that is neither root nor in the register group is refused. */
Test(sigsysd, non_root_registration_is_refused, .timeout = 60)
{
	struct daemon_run d;
	char err_path[128];
	daemon_run_dirs(&d, "daemon");
	daemon_run_start(&d);
	cr_assert_eq(chmod(d.dir, 0755), 0);
	cr_assert_eq(chmod(d.run_dir, 0755), 0);
	format_into(err_path, sizeof(err_path), "%s/run/register.sock", d.dir);
	cr_assert_eq(chmod(err_path, 0666), 0, "open the socket to everyone for the test");
	pid_t pid = test_fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		struct sigsys_registration reg = {
			.pid = getpid(), .task_id = "forged", .framework = "other"};
		struct sigsys_error e;
		_exit(sigsys_register(d.run_dir, &reg, &e) == -EPERM ? 0 : 1);
	}
	int status = harness_wait(pid);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	daemon_run_stop(&d);
	daemon_run_remove(&d);
}

static int task_exit(const struct store_task *t, void *userdata)
{
	*(struct store_exit *)userdata = t->exit;
	return 0;
}

/* A thread that is not the leader execs: the kernel reports the leader's exit (0) before
 * the exec; the task's exit must be the status of what it exec'd, not that 0. */
Test(sigsysd, an_exec_from_a_thread_is_not_the_task_exit, .timeout = 120)
{
	struct daemon_run d;
	daemon_run_dirs(&d, "daemon");
	daemon_run_start(&d);
	char *argv[] = {
		(char *)env_path("SIGSYS_APPLY"),
		"-q",
		"--run-dir",
		d.run_dir,
		"--profile-dir",
		(char *)env_path("SIGSYS_PROFILES"),
		"--profile",
		"relaxed.json",
		"--no-cache",
		"--caps",
		"",
		"--task-id",
		"t-thread-exec",
		"--",
		"/usr/bin/python3",
		"-c",
		"import os, threading, time\n"
		"threading.Thread(target=lambda: os.execv('/bin/sh', ['sh', '-c', 'exit 4']))"
		".start()\ntime.sleep(10)",
		NULL};
	int status = harness_wait(harness_spawn(argv, NULL));
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 4, "status %#x", status);

	struct store_options o;
	struct store_exit exit = {0};
	store_options_init(&o);
	o.read_only = true;
	for (int i = 0; i < 50 && exit.kind == STORE_EXIT_NONE; i++) {
		struct store *s = NULL;
		harness_sleep_ms(100);
		if (store_open(d.db, &o, &s, NULL) == 0) {
			store_get_task(s, "t-thread-exec", task_exit, &exit, NULL);
			store_close(s);
		}
	}
	cr_expect_eq(exit.kind, STORE_EXIT_STATUS);
	cr_expect_eq(exit.code, 4, "the task's exit is %d, not the exec'd shell's 4", exit.code);
	daemon_run_stop(&d);
	daemon_run_remove(&d);
}

/* Denied by default.json without capabilities, none a kill-mode start-up probe (those get
 * ENOSYS), each harmless if it ran: no argument, or one that makes it fail. */
static const char *const par_syscalls[] = {
	"unshare",
	"setns:-1",
	"mount",
	"umount2",
	"pivot_root",
	"chroot",
	"swapon",
	"swapoff",
	"init_module",
	"finit_module:-1",
	"delete_module",
	"acct",
	"settimeofday",
	"clock_settime",
	"clock_adjtime",
	"ioperm",
	"iopl",
	"personality:5",
	"quotactl",
	"quotactl_fd:-1",
	"bpf",
	"perf_event_open",
	"lookup_dcookie",
	"fanotify_init:-1",
	"open_by_handle_at:-1",
	"name_to_handle_at:-1",
	"add_key",
	"keyctl:-1",
	"request_key",
	"userfaultfd:-1",
	"syslog",
	"ptrace:-1",
	"process_vm_readv",
	"process_vm_writev",
	"kcmp:-1",
	"get_mempolicy",
	"set_mempolicy:-1",
	"mbind",
	"move_pages:-1",
	"migrate_pages:-1",
	"nfsservctl",
	"uselib",
	"ustat",
	"sysfs",
	"_sysctl",
	"create_module",
	"get_kernel_syms",
	"query_module",
	"open_tree:-1",
	"fsopen",
};

#define N_PAR (sizeof(par_syscalls) / sizeof(par_syscalls[0]))

struct par_task {
	char id[16];
	char command[96];
	int32_t nr;
	pid_t pid;
	bool killed; /* a KILL_PROCESS row of its own syscall */
	int foreign; /* rows or counts of another task's syscall */
};

static struct par_task par_tasks[N_PAR];

static bool par_nr_is_other(int32_t nr, size_t self)
{
	for (size_t i = 0; i < N_PAR; i++)
		if (i != self && par_tasks[i].nr == nr)
			return true;
	return false;
}

struct par_match {
	size_t self;
};

static int par_event(const struct store_event_row *row, void *userdata)
{
	size_t self = ((struct par_match *)userdata)->self;
	struct par_task *t = &par_tasks[self];
	if (row->event.nr == t->nr && seccomp_event_action(&row->event) == SECCOMP_RET_KILL_PROCESS)
		t->killed = true;
	else if (par_nr_is_other(row->event.nr, self))
		t->foreign++;
	return 0;
}

static int par_count(const struct store_count *c, void *userdata)
{
	size_t self = ((struct par_match *)userdata)->self;
	if (c->count > 0 && par_nr_is_other(c->nr, self))
		par_tasks[self].foreign++;
	return 0;
}

/* One pass over the store (read-only); true when every task's kill is there. */
static bool par_scan(const struct daemon_run *d)
{
	struct store_options o;
	struct store *s = NULL;
	bool all = true;
	store_options_init(&o);
	o.read_only = true;
	if (store_open(d->db, &o, &s, NULL) < 0)
		return false;
	for (size_t i = 0; i < N_PAR; i++) {
		struct par_match m = {.self = i};
		par_tasks[i].killed = false;
		par_tasks[i].foreign = 0;
		store_task_events(s, par_tasks[i].id, 0, 0, par_event, &m, NULL);
		store_task_counts(s, par_tasks[i].id, par_count, &m, NULL);
		all = all && par_tasks[i].killed;
	}
	store_close(s);
	return all;
}

/* 50 tasks at once, each killed on a syscall of its own: every kill under its own task id,
 * none under another's (attribution must not mix concurrent registrations up). */
Test(sigsysd, concurrent_kills_are_each_stored_under_their_own_task, .timeout = 120)
{
	struct daemon_run d;
	daemon_run_dirs(&d, "par");
	daemon_run_start(&d);

	for (size_t i = 0; i < N_PAR; i++) {
		struct par_task *t = &par_tasks[i];
		char name[64];
		format_into(t->id, sizeof(t->id), "t-par-%zu", i);
		format_into(t->command, sizeof(t->command), "\"$SIGSYS_PROBE\" %s",
			    par_syscalls[i]);
		format_into(name, sizeof(name), "%s", par_syscalls[i]);
		*strchrnul(name, ':') = '\0';
		t->nr = seccomp_syscall_resolve_name(name);
		cr_assert_geq(t->nr, 0, "libseccomp does not know %s", name);
		for (size_t j = 0; j < i; j++)
			cr_assert_neq(par_tasks[j].nr, t->nr, "%s twice", name);
	}
	for (size_t i = 0; i < N_PAR; i++) {
		char *argv[] = {(char *)env_path("SIGSYS_APPLY"),
				"-q",
				"--run-dir",
				d.run_dir,
				"--profile-dir",
				(char *)env_path("SIGSYS_PROFILES"),
				"--profile",
				"default.json",
				"--no-cache",
				"--caps",
				"",
				"--mode",
				"kill",
				"--task-id",
				par_tasks[i].id,
				"--",
				"/bin/sh",
				"-c",
				par_tasks[i].command,
				NULL};
		par_tasks[i].pid = harness_spawn(argv, NULL);
	}
	for (size_t i = 0; i < N_PAR; i++) {
		int status = harness_wait(par_tasks[i].pid);
		bool sigsys = (WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGSYS) ||
			      (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS);
		cr_expect(sigsys, "%s (%s) was not killed by SIGSYS: status %#x", par_tasks[i].id,
			  par_syscalls[i], status);
	}

	for (int i = 0; i < 100 && !par_scan(&d); i++)
		harness_sleep_ms(100);
	for (size_t i = 0; i < N_PAR; i++) {
		cr_expect(par_tasks[i].killed, "no KILL_PROCESS of %s (nr %d) under %s",
			  par_syscalls[i], par_tasks[i].nr, par_tasks[i].id);
		cr_expect_eq(par_tasks[i].foreign, 0, "%s holds %d events of other tasks' syscalls",
			     par_tasks[i].id, par_tasks[i].foreign);
	}
	daemon_run_stop(&d);
	daemon_run_remove(&d);
}
