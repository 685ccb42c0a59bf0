/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fault and load tests on a live sigsysd (tests/test-faults.c, tests/test-load.c): a daemon
 * with extra options, tasks launched without waiting, the API over api.sock, reports through
 * the CLI, the store read as the API reads it. */
#ifndef SIGSYS_TEST_STORM_HARNESS_H
#define SIGSYS_TEST_STORM_HARNESS_H

#include "daemon-harness.h"
#include "store.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

/* Storms flood the one audit multicast every daemon reads: the tests of these binaries take
 * this lock, so that one's storm is never another's lost record. */
int storm_lock(void);
void storm_unlock(int fd);

/* sigsysd (audit and proc) with more options (NULL-terminated), waited for its api.sock. */
void storm_daemon_start(struct daemon_run *d, const char *const *extra);
/* SIGKILL, reaped: the crash under test. */
void storm_daemon_crash(struct daemon_run *d);

/* sigsys-apply -q --caps "" --mode MODE --task-id TASK_ID --profile-dir DIR --profile NAME
 * -- ARGV…, started and not waited for (stdout and stderr to /dev/null). */
pid_t storm_launch(const struct daemon_run *d, const char *task_id, const char *mode,
		   const char *profile_dir, const char *profile, const char *const *argv);

/* GET PATH on api.sock: the JSON body of a 200, or NULL (any other answer, or none). */
struct json_object *storm_api_get(const struct daemon_run *d, const char *path);
/* `sigsys report --db --profile-dir DIR --format json TASK_ID`, exit 0 expected. */
struct json_object *storm_report(const struct daemon_run *d, const char *profile_dir,
				 const char *task_id);

/* The value at a dotted path ("syscall.name"); NULL when absent or null. */
struct json_object *storm_jget(struct json_object *root, const char *path);
const char *storm_jstr(struct json_object *root, const char *path); /* "" when not a string */

/* A read-only handle on the daemon's store (the API's view: what is committed). */
struct store *storm_reader(const struct daemon_run *d);

/* The task's exit is stored (any kind), read through a fresh reader. */
bool storm_task_exited(const struct daemon_run *d, const char *task_id);
/* Poll cond(d, arg) every 100 ms for up to timeout_s seconds. */
bool storm_poll(bool (*cond)(const struct daemon_run *, const void *), const struct daemon_run *d,
		const void *arg, int timeout_s);

/* The daemon's peak resident set (VmHWM), bytes. */
uint64_t storm_daemon_peak_rss(const struct daemon_run *d);
/* The store on disk: the database, its WAL and shm, the reserve for kills; bytes. */
uint64_t storm_store_bytes(const struct daemon_run *d);

#endif
