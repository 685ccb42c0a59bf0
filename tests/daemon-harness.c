/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "daemon-harness.h"
#include "store.h"
#include "test-helpers.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

pid_t harness_spawn(char *const argv[], const posix_spawn_file_actions_t *actions)
{
	pid_t pid;
	cr_assert_eq(posix_spawn(&pid, argv[0], actions, NULL, argv, environ), 0, "spawn %s",
		     argv[0]);
	return pid;
}

int harness_wait(pid_t pid)
{
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return status;
}

void harness_sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

void daemon_run_dirs(struct daemon_run *d, const char *prefix)
{
	format_into(d->dir, sizeof(d->dir), "/tmp/sigsys-test-%s-XXXXXX", prefix);
	cr_assert(mkdtemp(d->dir));
	format_into(d->run_dir, sizeof(d->run_dir), "%s/run", d->dir);
	format_into(d->db, sizeof(d->db), "%s/sigsys.db", d->dir);
}

void daemon_run_start(struct daemon_run *d)
{
	daemon_run_start_sources(d, "audit,proc,bpf");
}

void daemon_run_start_sources(struct daemon_run *d, const char *sources)
{
	char sock[128];
	/* Killed with the test process: a failed assertion ends the test without stopping its
	 * daemon, which would hold the runner's output open until meson's timeout. */
	char *argv[] = {"/usr/bin/setpriv",
			"--pdeathsig",
			"SIGKILL",
			"--",
			(char *)env_path("SIGSYSD"),
			"--foreground",
			"--run-dir",
			d->run_dir,
			"--db",
			d->db,
			"--sources",
			(char *)sources,
			"--profile-dir",
			(char *)env_path("SIGSYS_PROFILES"),
			NULL};
	d->pid = harness_spawn(argv, NULL);
	/* api.sock opens last (after register.sock and notify.sock): then every socket is there */
	format_into(sock, sizeof(sock), "%s/api.sock", d->run_dir);
	for (int i = 0; i < 100 && access(sock, F_OK) < 0; i++)
		harness_sleep_ms(50);
	cr_assert_eq(access(sock, F_OK), 0, "sigsysd did not start (no %s)", sock);
}

void daemon_run_stop(struct daemon_run *d)
{
	kill(d->pid, SIGTERM);
	int status = harness_wait(d->pid);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "sigsysd exit status %#x", status);
}

/* The programs stay attached while pinned: a test's pins go with its run dir. */
static void remove_bpf_pins(const struct daemon_run *d)
{
	char path[160], cmd[256], *text = NULL;
	format_into(path, sizeof(path), "%s/bpf-pins", d->run_dir);
	if (read_file_bounded(path, 4096, &text, NULL) < 0)
		return;
	text[strcspn(text, "\n")] = '\0';
	if (strncmp(text, "/sys/fs/bpf/sigsys/", 19) == 0 && !strstr(text, "..") &&
	    !strchr(text, '\'')) {
		format_into(cmd, sizeof(cmd), "rm -rf '%s'", text);
		cr_expect_eq(system(cmd), 0);
	}
	free(text);
}

void daemon_run_remove(struct daemon_run *d)
{
	char cmd[128];
	remove_bpf_pins(d);
	format_into(cmd, sizeof(cmd), "rm -rf '%s'", d->dir);
	cr_expect_eq(system(cmd), 0);
}

int daemon_run_launch(const struct daemon_run *d, const char *task_id, const char *mode,
		      const char *profile, const char *shell_command)
{
	char *argv[] = {(char *)env_path("SIGSYS_APPLY"),
			"-q",
			"--run-dir",
			(char *)d->run_dir,
			"--profile-dir",
			(char *)env_path("SIGSYS_PROFILES"),
			"--profile",
			(char *)(profile ? profile : "default.json"),
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
	return harness_wait(harness_spawn(argv, NULL));
}

/* ---- waiting for the store ---------------------------------------------------------- */

struct settled {
	int32_t nr; /* -1: any */
	uint32_t action;
	bool seen, exited;
};

static int settled_event(const struct store_event_row *row, void *userdata)
{
	struct settled *s = userdata;
	s->seen |= row->event.nr == s->nr && seccomp_event_action(&row->event) == s->action;
	return 0;
}

static int settled_count(const struct store_count *c, void *userdata)
{
	struct settled *s = userdata;
	s->seen |= c->nr == s->nr && c->action == s->action && c->count > 0;
	return 0;
}

static int settled_exit(const struct store_task *t, void *userdata)
{
	struct settled *s = userdata;
	s->exited = t->exit.kind != STORE_EXIT_NONE;
	return 0;
}

static bool settled_once(const char *db, const char *task_id, struct settled *s)
{
	struct store_options o;
	struct store *store = NULL;
	store_options_init(&o);
	o.read_only = true;
	if (store_open(db, &o, &store, NULL) < 0)
		return false;
	s->seen = s->nr < 0;
	store_get_task(store, task_id, settled_exit, s, NULL);
	if (s->nr >= 0) {
		store_task_events(store, task_id, 0, 0, settled_event, s, NULL);
		store_task_counts(store, task_id, settled_count, s, NULL);
	}
	store_close(store);
	return s->seen && s->exited;
}

bool daemon_run_settled(const struct daemon_run *d, const char *task_id, int32_t nr,
			uint32_t action)
{
	struct settled s = {.nr = nr, .action = action};
	for (int i = 0; i < 600 && !settled_once(d->db, task_id, &s); i++)
		harness_sleep_ms(100);
	cr_expect(s.exited, "the exit of %s is not stored", task_id);
	cr_expect(s.seen, "the event (nr %d, action %#x) of %s is not stored", nr, action, task_id);
	return s.exited && s.seen;
}
