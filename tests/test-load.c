/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Load on a live sigsysd: 200 tasks launched through sigsys-apply in a few seconds, each
 * killed on its own syscall, must give 200 reports that each name their own syscall; a task
 * in log mode making a million denied calls must leave the store and the daemon bounded while
 * another task's kill during the storm is still recorded. The workload's pace is how it is
 * run, never asserted (a shared 2-CPU machine): only outcomes and size bounds are.
 */
#include "storm-harness.h"
#include "test-helpers.h"

#include <sys/wait.h>

#define TASKS	200
#define WAVE	10 /* launches in flight at once: 200 in a few seconds on 2 CPUs */
#define STORM_N 1000000
#define MIB	(1024ull * 1024ull)
/* Bounds for the million LOG calls. The store keeps LOG calls as one counter per (task,
 * syscall): a few hundred KiB of pages, plus the 4 MiB reserve file for kills and the WAL
 * (checkpointed at 1000 pages, 4 MiB); 16 MiB is room for all of it, and ~1/20 of what a
 * row per call (~100 bytes each) would take. The daemon's resident set holds its batch of
 * 4096 pending events, SQLite's page cache and the API's thread: 64 MiB is a generous cap
 * that a per-call allocation (a million of anything) would break. */
#define STORE_BOUND (16 * MIB)
#ifdef __SANITIZE_ADDRESS__ /* sigsysd is built like the tests: ASan's shadow and the \
			     * quarantine of freed memory (256 MiB at most) come on top */
#define RSS_BOUND (320 * MIB)
#else
#define RSS_BOUND (64 * MIB)
#endif

/* Syscalls default.json denies (without capabilities) that are harmless if they ever ran:
 * kill mode turns each denial into KILL_PROCESS, so the probe dies on the first one. */
static const char *const killing_calls[] = {
	"personality:5",
	"add_key",
	"bpf",
	"keyctl:99",
	"quotactl",
	"request_key",
	"userfaultfd",
	"syslog",
	"perf_event_open",
	"fanotify_init",
	"open_by_handle_at",
	"name_to_handle_at",
	"get_mempolicy",
	"set_mempolicy",
	"mbind",
	"move_pages",
	"uselib",
	"ustat",
	"sysfs",
	"mount",
	"umount2",
	"pivot_root",
	"chroot",
	"unshare",
	"setns:-1",
};

static const char *syscall_name(const char *spec, char *buf, size_t size)
{
	format_into(buf, size, "%.*s", (int)strcspn(spec, ":"), spec);
	return buf;
}

static int on_task(const struct store_task *t, void *userdata)
{
	*(bool *)userdata = t->exit.kind != STORE_EXIT_NONE;
	return 0;
}

static bool all_exited(const struct daemon_run *d, const void *arg)
{
	const int *n = arg;
	bool exited = true;
	struct store *s = storm_reader(d);
	for (int i = 0; i < *n && exited; i++) {
		char id[32];
		format_into(id, sizeof(id), "load-%03d", i);
		exited = false;
		store_get_task(s, id, on_task, &exited, NULL);
	}
	store_close(s);
	return exited;
}

static void expect_killed_on(const struct daemon_run *d, const char *task_id, const char *spec)
{
	char name[32];
	struct json_object *r = storm_report(d, env_path("SIGSYS_PROFILES"), task_id);
	syscall_name(spec, name, sizeof(name));
	cr_expect_str_eq(storm_jstr(r, "task_id"), task_id);
	cr_expect_str_eq(storm_jstr(r, "outcome"), "seccomp-kill", "%s: %s", task_id,
			 storm_jstr(r, "reason"));
	cr_expect_str_eq(storm_jstr(r, "syscall.name"), name, "%s was killed on %s", task_id, name);
	cr_expect_str_eq(storm_jstr(r, "action"), "KILL_PROCESS", "%s", task_id);
	json_object_put(r);
}

Test(load, two_hundred_kills_give_two_hundred_reports, .timeout = 600)
{
	int lock = storm_lock(), n = TASKS;
	struct daemon_run d;
	pid_t pids[WAVE];
	const char *probe = env_path("SIGSYS_PROBE");
	daemon_run_dirs(&d, "load");
	storm_daemon_start(&d, NULL);

	for (int i = 0; i < TASKS; i += WAVE) {
		for (int k = 0; k < WAVE; k++) {
			char id[32];
			const char *argv[] = {probe, "getpid",
					      killing_calls[(i + k) % ARRAY_SIZE(killing_calls)],
					      NULL};
			format_into(id, sizeof(id), "load-%03d", i + k);
			pids[k] = storm_launch(&d, id, "kill", env_path("SIGSYS_PROFILES"),
					       "default.json", argv);
		}
		for (int k = 0; k < WAVE; k++) {
			int status = harness_wait(pids[k]);
			cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
				  "load-%03d: status %#x, not SIGSYS", i + k, status);
		}
	}
	cr_assert(storm_poll(all_exited, &d, &n, 120), "not every exit was stored");

	for (int i = 0; i < TASKS; i++) {
		char id[32];
		format_into(id, sizeof(id), "load-%03d", i);
		expect_killed_on(&d, id, killing_calls[i % ARRAY_SIZE(killing_calls)]);
	}
	daemon_run_stop(&d);
	daemon_run_remove(&d);
	storm_unlock(lock);
}

struct log_progress {
	const char *task_id;
	uint64_t min_calls;
};

static int sum_log(const struct store_count *c, void *userdata)
{
	if (c->action == SECCOMP_RET_LOG && c->nr == SYS_personality)
		*(uint64_t *)userdata += c->count;
	return 0;
}

static uint64_t logged_calls(const struct daemon_run *d, const char *task_id)
{
	uint64_t calls = 0;
	struct store *s = storm_reader(d);
	store_task_counts(s, task_id, sum_log, &calls, NULL);
	store_close(s);
	return calls;
}

static bool storm_under_way(const struct daemon_run *d, const void *arg)
{
	const struct log_progress *p = arg;
	return logged_calls(d, p->task_id) >= p->min_calls;
}

struct storm_account {
	uint64_t calls, lost, enobufs;
};

/* The storm's calls are all counted, or losses are reported. */
static bool accounted(const struct daemon_run *d, const void *arg)
{
	struct storm_account *a = (struct storm_account *)arg; /* the caller's, to fill */
	struct json_object *health = storm_api_get(d, "/v1/health");
	a->calls = logged_calls(d, "storm");
	if (health) {
		a->lost = (uint64_t)json_object_get_int64(storm_jget(health, "records.audit_lost"));
		a->enobufs = (uint64_t)json_object_get_int64(storm_jget(health, "records.enobufs"));
		json_object_put(health);
	}
	return a->calls == STORM_N || a->lost || a->enobufs;
}

static bool exited(const struct daemon_run *d, const void *arg)
{
	return storm_task_exited(d, arg);
}

Test(load, a_million_logged_calls_stay_bounded_and_kills_are_kept, .timeout = 600)
{
	int lock = storm_lock();
	struct daemon_run d;
	char storm_spec[64];
	const char *probe = env_path("SIGSYS_PROBE"), *profiles = env_path("SIGSYS_PROFILES");
	daemon_run_dirs(&d, "million");
	storm_daemon_start(&d, NULL);

	format_into(storm_spec, sizeof(storm_spec), "personality:5*%d", STORM_N);
	const char *storm_argv[] = {probe, storm_spec, NULL};
	pid_t storm = storm_launch(&d, "storm", "log", profiles, "default.json", storm_argv);
	struct log_progress started = {"storm", 1000};
	cr_assert(storm_poll(storm_under_way, &d, &started, 120), "the LOG storm is not counted");

	/* a kill in the middle of the storm */
	const char *kill_argv[] = {probe, "mbind", NULL};
	pid_t victim = storm_launch(&d, "victim", "kill", profiles, "default.json", kill_argv);
	int status = harness_wait(victim);
	cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "victim: status %#x", status);
	status = harness_wait(storm);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "storm: status %#x", status);
	cr_assert(storm_poll(exited, &d, "storm", 300), "the storm's exit is not stored");
	cr_assert(storm_poll(exited, &d, "victim", 60), "the victim's exit is not stored");

	expect_killed_on(&d, "victim", "mbind");
	/* every call is counted, or the daemon says records were lost (the exit can be stored
	 * before the last records are read: the daemon may be behind its audit socket) */
	struct storm_account acc = {0};
	storm_poll(accounted, &d, &acc, 300);
	uint64_t calls = acc.calls, lost = acc.lost, enobufs = acc.enobufs;
	cr_expect(calls == STORM_N || lost || enobufs,
		  "%ju of %d calls counted and no loss reported", (uintmax_t)calls, STORM_N);
	uint64_t rss = storm_daemon_peak_rss(&d), bytes = storm_store_bytes(&d);
	cr_log_info("million LOG calls: %ju counted, %ju lost, %ju ENOBUFS; store %.1f MiB, "
		    "daemon peak RSS %.1f MiB",
		    (uintmax_t)calls, (uintmax_t)lost, (uintmax_t)enobufs, (double)bytes / MIB,
		    (double)rss / MIB);
	fprintf(stderr,
		"million LOG calls: %ju counted, %ju lost, %ju ENOBUFS; store %.1f MiB, daemon "
		"peak RSS %.1f MiB\n",
		(uintmax_t)calls, (uintmax_t)lost, (uintmax_t)enobufs, (double)bytes / MIB,
		(double)rss / MIB);
	cr_expect_lt(bytes, STORE_BOUND, "the store takes %ju bytes", (uintmax_t)bytes);
	cr_expect_lt(rss, RSS_BOUND, "sigsysd's peak RSS is %ju bytes", (uintmax_t)rss);
	daemon_run_stop(&d);
	daemon_run_remove(&d);
	storm_unlock(lock);
}
