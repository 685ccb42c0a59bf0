/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Live daemon tests: sigsysd on a temporary run dir and store, tasks through sigsys-apply.
 * Children are made with posix_spawn (criterion's fork handlers break plain fork()). */
#ifndef SIGSYS_TEST_DAEMON_HARNESS_H
#define SIGSYS_TEST_DAEMON_HARNESS_H

#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct daemon_run {
	char dir[64];
	char run_dir[96];
	char db[96];
	pid_t pid;
};

pid_t harness_spawn(char *const argv[], const posix_spawn_file_actions_t *actions);
int harness_wait(pid_t pid);
void harness_sleep_ms(long ms);

/* A new temporary directory for the run dir and the store (prefix: a word for its name). */
void daemon_run_dirs(struct daemon_run *d, const char *prefix);
/* Start sigsysd (audit, proc and bpf) and wait until its sockets are all open. */
void daemon_run_start(struct daemon_run *d);
/* The same with --sources SOURCES (e.g. "bpf", "audit,proc,bpf"). */
void daemon_run_start_sources(struct daemon_run *d, const char *sources);
/* SIGTERM, and expect a clean exit. */
void daemon_run_stop(struct daemon_run *d);
/* Remove the directories, and the bpf source's pins of the run dir if it made some. */
void daemon_run_remove(struct daemon_run *d);

/* A task through sigsys-apply under profiles/PROFILE (NULL: default.json), caps none,
 * running `sh -c SHELL_COMMAND`; returns its wait status. */
int daemon_run_launch(const struct daemon_run *d, const char *task_id, const char *mode,
		      const char *profile, const char *shell_command);

/* Until the store holds the task's exit and (nr >= 0) its event with that action (up to a
 * minute: a busy machine, sanitizers). False, with the expectations failed, if it does not. */
bool daemon_run_settled(const struct daemon_run *d, const char *task_id, int32_t nr,
			uint32_t action);

#endif
