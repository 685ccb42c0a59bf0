/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsysd live: the daemon runs on a temporary run dir and store; tasks launched through
 * sigsys-apply are killed, denied and logged by the kernel; their events must be stored
 * under the right task — a kill in a grandchild included — and survive a restart.
 */
#include "test-helpers.h"
#include "store.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

struct daemon_run {
	char dir[64];
	char run_dir[96];
	char db[96];
	pid_t pid;
};

static pid_t spawn(char *const argv[])
{
	pid_t pid;
	cr_assert_eq(posix_spawn(&pid, argv[0], NULL, NULL, argv, environ), 0, "spawn %s", argv[0]);
	return pid;
}

static int wait_for(pid_t pid)
{
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return status;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

static void start_daemon(struct daemon_run *d)
{
	char sock[128];
	char *argv[] = {(char *)env_path("SIGSYSD"),
			"--foreground",
			"--run-dir",
			d->run_dir,
			"--db",
			d->db,
			"--sources",
			"audit,proc",
			NULL};
	d->pid = spawn(argv);
	format_into(sock, sizeof(sock), "%s/register.sock", d->run_dir);
	for (int i = 0; i < 100 && access(sock, F_OK) < 0; i++)
		sleep_ms(50);
	cr_assert_eq(access(sock, F_OK), 0, "sigsysd did not start (no %s)", sock);
}

static void stop_daemon(struct daemon_run *d)
{
	kill(d->pid, SIGTERM);
	int status = wait_for(d->pid);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "sigsysd exit status %#x", status);
}

static void setup_dirs(struct daemon_run *d)
{
	strcpy(d->dir, "/tmp/sigsys-test-daemon-XXXXXX");
	cr_assert(mkdtemp(d->dir));
	format_into(d->run_dir, sizeof(d->run_dir), "%s/run", d->dir);
	format_into(d->db, sizeof(d->db), "%s/sigsys.db", d->dir);
}

static void remove_dirs(struct daemon_run *d)
{
	char cmd[128];
	format_into(cmd, sizeof(cmd), "rm -rf '%s'", d->dir);
	cr_expect_eq(system(cmd), 0);
}

/* A task launched through sigsys-apply; returns its wait status. */
static int launch(const struct daemon_run *d, const char *task_id, const char *mode,
		  const char *shell_command)
{
	char *argv[] = {(char *)env_path("SIGSYS_APPLY"),
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
			"--",
			"/bin/sh",
			"-c",
			(char *)shell_command,
			NULL};
	return wait_for(spawn(argv));
}

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
		sleep_ms(100);
	}
	return false;
}

#define SYS_PERSONALITY 135
#define PROBE_DENIED	"\"$SIGSYS_PROBE\" personality:5"

Test(sigsysd, kills_denials_and_logs_are_stored_under_their_task, .timeout = 120)
{
	struct daemon_run d;
	setup_dirs(&d);
	start_daemon(&d);

	int status = launch(&d, "t-kill", "kill", PROBE_DENIED);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGSYS,
		  "the shell reports its child's SIGSYS: %#x", status);
	status = launch(&d, "t-grandchild", "kill", "(" PROBE_DENIED "; true) ; true");
	status = launch(&d, "t-deny", "enforce", PROBE_DENIED);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	status = launch(&d, "t-log", "log", PROBE_DENIED);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);

	cr_expect(stored(&d, "t-kill", SYS_PERSONALITY, SECCOMP_RET_KILL_PROCESS),
		  "the kill of t-kill's child is not stored under t-kill");
	cr_expect(stored(&d, "t-grandchild", SYS_PERSONALITY, SECCOMP_RET_KILL_PROCESS),
		  "the kill in a grandchild is not stored under its task");
	cr_expect(stored(&d, "t-deny", SYS_PERSONALITY, SECCOMP_RET_ERRNO),
		  "the ERRNO denial of t-deny is not stored");
	cr_expect(stored(&d, "t-log", SYS_PERSONALITY, SECCOMP_RET_LOG),
		  "the LOG record of t-log is not counted");

	stop_daemon(&d);
	start_daemon(&d);
	cr_expect(stored(&d, "t-kill", SYS_PERSONALITY, SECCOMP_RET_KILL_PROCESS),
		  "a restart lost the kill");
	stop_daemon(&d);
	remove_dirs(&d);
}

/* Launched while sigsysd is down: spooled, registered at start, and its later kill
 * attributed (the task's process still runs when the daemon comes back). */
Test(sigsysd, a_task_spooled_while_down_is_attributed_after_start, .timeout = 120)
{
	struct daemon_run d;
	setup_dirs(&d);
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
	pid_t task = spawn(argv);
	sleep_ms(300); /* registered into the spool by now */
	start_daemon(&d);
	wait_for(task);
	cr_expect(stored(&d, "t-spooled", SYS_PERSONALITY, SECCOMP_RET_KILL_PROCESS),
		  "the spooled task's kill is not attributed");
	stop_daemon(&d);
	remove_dirs(&d);
}

/* A peer that is neither root nor in the register group is refused. */
Test(sigsysd, non_root_registration_is_refused, .timeout = 60)
{
	struct daemon_run d;
	char err_path[128];
	setup_dirs(&d);
	start_daemon(&d);
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
	int status = wait_for(pid);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	stop_daemon(&d);
	remove_dirs(&d);
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
	setup_dirs(&d);
	start_daemon(&d);
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
	int status = wait_for(spawn(argv));
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 4, "status %#x", status);

	struct store_options o;
	struct store_exit exit = {0};
	store_options_init(&o);
	o.read_only = true;
	for (int i = 0; i < 50 && exit.kind == STORE_EXIT_NONE; i++) {
		struct store *s = NULL;
		sleep_ms(100);
		if (store_open(d.db, &o, &s, NULL) == 0) {
			store_get_task(s, "t-thread-exec", task_exit, &exit, NULL);
			store_close(s);
		}
	}
	cr_expect_eq(exit.kind, STORE_EXIT_STATUS);
	cr_expect_eq(exit.code, 4, "the task's exit is %d, not the exec'd shell's 4", exit.code);
	stop_daemon(&d);
	remove_dirs(&d);
}
