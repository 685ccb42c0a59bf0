/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Faults survived by a live sigsysd: a SIGKILL in the middle of a storm, a full disk, audit
 * records dropped by a socket buffer made small on purpose, the profile file changed or
 * removed after the launch. Each must leave the evidence it acknowledged intact, say where
 * evidence is missing, and never turn missing evidence into a silent "not-seccomp".
 */
#include "storm-harness.h"
#include "test-helpers.h"

#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#define MIB (1024ull * 1024ull)

static const char *profiles(void)
{
	return env_path("SIGSYS_PROFILES");
}

/* `sh -c 'until [ -e FLAG ]; do sleep 0.05; done; exec probe CALL'`: a task that waits for
 * the test, then makes CALL (in place of the shell: the registered pid makes it). */
static pid_t launch_gated(const struct daemon_run *d, const char *task_id, const char *mode,
			  const char *flag, const char *call)
{
	char script[512];
	format_into(script, sizeof(script), "until [ -e '%s' ]; do sleep 0.05; done; exec '%s' %s",
		    flag, env_path("SIGSYS_PROBE"), call);
	const char *argv[] = {"/bin/sh", "-c", script, NULL};
	return storm_launch(d, task_id, mode, profiles(), "default.json", argv);
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	close(fd);
}

static bool exited(const struct daemon_run *d, const void *task_id)
{
	return storm_task_exited(d, task_id);
}

static void expect_not_silent(struct json_object *r, const char *task_id)
{
	cr_expect_str_neq(storm_jstr(r, "outcome"), "not-seccomp",
			  "%s: missing evidence reported as not-seccomp: %s", task_id,
			  storm_jstr(r, "reason"));
}

static void expect_integrity(const char *db)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK, "%s", db);
	cr_assert_eq(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_expect_str_eq((const char *)sqlite3_column_text(st, 0), "ok", "integrity_check of %s",
			 db);
	sqlite3_finalize(st);
	sqlite3_close(h);
}

/* ---- SIGKILL in a storm ------------------------------------------------------------------ */

/*
 * What sigsysd acknowledges: an event is acknowledged once store_put_events() committed it
 * (trace/daemon.c flushes every loop iteration, one transaction per batch; WAL with
 * synchronous=NORMAL survives a crash of the process). From then on every reader — the API,
 * `sigsys --db` — sees it, and nothing else can see it before. So what a reader saw before
 * the SIGKILL is exactly what must be found after the restart. What the daemon had read from
 * audit but not committed was not acknowledged: it falls in the daemon-down window that the
 * restart records (trace/restart.c), as do the kills made while it was down.
 */
#define ACKED_MAX 20000

struct acked {
	struct row {
		int64_t id;
		int32_t pid, nr;
		uint32_t action;
		uint64_t time_ns;
	} rows[ACKED_MAX];
	size_t n;
	uint64_t storm_count;
	size_t found, mismatched;
	int64_t last_id;
};

static int collect_row(const struct store_event_row *e, void *userdata)
{
	struct acked *a = userdata;
	if (a->n < ACKED_MAX)
		a->rows[a->n++] = (struct row){e->id, e->event.pid, e->event.nr,
					       seccomp_event_action(&e->event), e->event.time_ns};
	return 0;
}

static int sum_counts(const struct store_count *c, void *userdata)
{
	*(uint64_t *)userdata += c->count;
	return 0;
}

static void read_acked(const struct daemon_run *d, struct acked *a)
{
	struct store *s = storm_reader(d);
	a->n = 0;
	a->storm_count = 0;
	for (int64_t since = 0;;) {
		size_t before = a->n;
		store_events_since(s, since, STORE_PAGE_MAX, collect_row, a, NULL);
		if (a->n == before || a->n == ACKED_MAX)
			break;
		since = a->rows[a->n - 1].id;
	}
	store_task_counts(s, "crash-storm", sum_counts, &a->storm_count, NULL);
	store_close(s);
}

static int by_id(const void *key, const void *elem)
{
	int64_t id = *(const int64_t *)key, other = ((const struct row *)elem)->id;
	return id < other ? -1 : id > other;
}

/* An event after the restart: if it was acknowledged before, it must be the same. */
static int check_row(const struct store_event_row *e, void *userdata)
{
	struct acked *a = userdata;
	const struct row *r = bsearch(&e->id, a->rows, a->n, sizeof(*r), by_id);
	a->last_id = e->id;
	if (!r)
		return 0;
	a->found++;
	a->mismatched += r->pid != e->event.pid || r->nr != e->event.nr ||
			 r->action != seccomp_event_action(&e->event) ||
			 r->time_ns != e->event.time_ns;
	return 0;
}

static size_t kills_seen(const struct daemon_run *d)
{
	static struct acked a;
	size_t kills = 0;
	read_acked(d, &a);
	for (size_t i = 0; i < a.n; i++)
		kills += a.rows[i].action == SECCOMP_RET_KILL_PROCESS;
	return kills;
}

static bool some_kills_stored(const struct daemon_run *d, const void *arg)
{
	return kills_seen(d) >= *(const size_t *)arg;
}

#define CRASH_KILLS 24 /* kill tasks: half before the SIGKILL, half while sigsysd is down */

static void launch_kill_wave(const struct daemon_run *d, int from, int to, pid_t *pids)
{
	static const char *const calls[] = {"mbind", "bpf", "add_key", "sysfs"};
	for (int i = from; i < to; i++) {
		char id[32];
		const char *argv[] = {env_path("SIGSYS_PROBE"), calls[i % 4], NULL};
		format_into(id, sizeof(id), "crash-kill-%02d", i);
		pids[i] = storm_launch(d, id, "kill", profiles(), "default.json", argv);
	}
}

Test(faults, sigkill_in_a_storm_keeps_what_was_acknowledged_and_reports_the_gap, .timeout = 600)
{
	int lock = storm_lock();
	struct daemon_run d;
	char flag_later[160], flag_down[160];
	static struct acked acked;
	pid_t kills[CRASH_KILLS];
	daemon_run_dirs(&d, "crash");
	format_into(flag_later, sizeof(flag_later), "%s/go-later", d.dir);
	format_into(flag_down, sizeof(flag_down), "%s/go-down", d.dir);
	storm_daemon_start(&d, NULL);

	/* across the crash: one killed while sigsysd is down, one after it is back */
	pid_t down = launch_gated(&d, "crash-down", "kill", flag_down, "personality:5");
	pid_t later = launch_gated(&d, "crash-later", "kill", flag_later, "mbind");
	const char *storm_argv[] = {env_path("SIGSYS_PROBE"), "personality:5*300000", NULL};
	pid_t storm =
		storm_launch(&d, "crash-storm", "log", profiles(), "default.json", storm_argv);
	launch_kill_wave(&d, 0, CRASH_KILLS / 2, kills);
	size_t want = 4;
	cr_assert(storm_poll(some_kills_stored, &d, &want, 120), "no kill was stored");

	/* what a reader saw is acknowledged; then the crash, in the middle of the storm */
	read_acked(&d, &acked);
	uint64_t crash_ns = (uint64_t)time(NULL) * 1000000000ull;
	storm_daemon_crash(&d);
	expect_integrity(d.db);

	/* while it is down: a registered task is killed, new tasks are killed (spooled) */
	touch(flag_down);
	int status = harness_wait(down);
	cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "crash-down: %#x", status);
	launch_kill_wave(&d, CRASH_KILLS / 2, CRASH_KILLS, kills);
	for (int i = 0; i < CRASH_KILLS; i++) {
		status = harness_wait(kills[i]);
		cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "crash-kill-%02d: %#x",
			  i, status);
	}
	harness_wait(storm);

	storm_daemon_start(&d, NULL);
	expect_integrity(d.db);

	/* every acknowledged event is still there, unchanged; counts never go back */
	struct store *s = storm_reader(&d);
	acked.found = acked.mismatched = 0;
	acked.last_id = 0;
	while (store_events_since(s, acked.last_id, STORE_PAGE_MAX, check_row, &acked, NULL) > 0)
		;
	uint64_t storm_after = 0;
	store_task_counts(s, "crash-storm", sum_counts, &storm_after, NULL);
	store_close(s);
	cr_assert_gt(acked.n, 0);
	cr_expect_eq(acked.found, acked.n, "%zu of %zu acknowledged events survived", acked.found,
		     acked.n);
	cr_expect_eq(acked.mismatched, 0, "%zu acknowledged events changed", acked.mismatched);
	cr_expect_geq(storm_after, acked.storm_count, "the LOG count went back");

	/* /v1/health names the time sigsysd was down */
	struct json_object *h = storm_api_get(&d, "/v1/health");
	cr_assert(h, "no /v1/health");
	struct json_object *from = storm_jget(h, "daemon_down.from_ns");
	struct json_object *to = storm_jget(h, "daemon_down.to_ns");
	cr_assert(from && to, "no daemon_down in %s", json_object_to_json_string(h));
	cr_expect_leq((uint64_t)json_object_get_int64(from), crash_ns);
	cr_expect_geq((uint64_t)json_object_get_int64(to), crash_ns);
	json_object_put(h);

	/* the task killed while it was down: a gap, never "not seccomp" */
	cr_assert(storm_poll(exited, &d, "crash-down", 60), "crash-down has no exit");
	struct json_object *r = storm_report(&d, profiles(), "crash-down");
	cr_expect_str_eq(storm_jstr(r, "outcome"), "unknown", "crash-down: %s",
			 storm_jstr(r, "reason"));
	cr_expect(strstr(storm_jstr(r, "reason"), "sigsysd was down"), "%s",
		  storm_jstr(r, "reason"));
	json_object_put(r);

	/* every kill task: its kill, or the gap — never "not seccomp" */
	for (int i = 0; i < CRASH_KILLS; i++) {
		char id[32];
		format_into(id, sizeof(id), "crash-kill-%02d", i);
		cr_assert(storm_poll(exited, &d, id, 60), "%s has no exit", id);
		r = storm_report(&d, profiles(), id);
		expect_not_silent(r, id);
		json_object_put(r);
	}

	/* the task that lived through the crash is followed again: its kill is attributed */
	touch(flag_later);
	status = harness_wait(later);
	cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "crash-later: %#x", status);
	cr_assert(storm_poll(exited, &d, "crash-later", 60), "crash-later has no exit");
	r = storm_report(&d, profiles(), "crash-later");
	cr_expect_str_eq(storm_jstr(r, "outcome"), "seccomp-kill", "crash-later: %s",
			 storm_jstr(r, "reason"));
	cr_expect_str_eq(storm_jstr(r, "syscall.name"), "mbind");
	json_object_put(r);

	daemon_run_stop(&d);
	expect_integrity(d.db);
	daemon_run_remove(&d);
	storm_unlock(lock);
}

/* ---- disk full ------------------------------------------------------------------------------ */

/* Fill the filesystem of dir with one file, to ENOSPC. */
static void fill(const char *path)
{
	static char chunk[64 * 1024];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	cr_assert_geq(fd, 0);
	memset(chunk, 0xa5, sizeof(chunk));
	for (size_t size = sizeof(chunk); size >= 512;) {
		ssize_t w = write(fd, chunk, size);
		if (w < 0 && errno == ENOSPC)
			size /= 2;
		else
			cr_assert_gt(w, 0, "filling: %s", strerror(errno));
	}
	close(fd);
}

static bool health_is(const struct daemon_run *d, const void *want_full)
{
	struct json_object *h = storm_api_get(d, "/v1/health");
	if (!h)
		return false;
	struct json_object *full = storm_jget(h, "store.full");
	bool ok = full && json_object_get_boolean(full) == *(const bool *)want_full;
	if (!*(const bool *)want_full)
		ok = ok && !storm_jget(h, "store.last_error");
	json_object_put(h);
	return ok;
}

struct task_event {
	const char *task_id;
	uint32_t action;
	bool found;
};

static int has_action(const struct store_event_row *e, void *userdata)
{
	struct task_event *t = userdata;
	t->found |= seccomp_event_action(&e->event) == t->action;
	return 0;
}

static bool task_has_event(const struct daemon_run *d, const void *arg)
{
	struct task_event t = *(const struct task_event *)arg;
	struct store *s = storm_reader(d);
	store_task_events(s, t.task_id, 0, 0, has_action, &t, NULL);
	store_close(s);
	return t.found;
}

static bool log_counted(const struct daemon_run *d, const void *task_id)
{
	uint64_t n = 0;
	struct store *s = storm_reader(d);
	store_task_counts(s, task_id, sum_counts, &n, NULL);
	store_close(s);
	return n > 0;
}

#define STR_(x)	       #x
#define STR(x)	       STR_(x)
#define FULL_LOG_CALLS 20000

Test(faults, a_full_disk_keeps_kills_first_says_so_and_recovers, .timeout = 600)
{
	int lock = storm_lock();
	struct daemon_run d;
	char store_dir[128], filler[160], flag[160], opts[32];
	daemon_run_dirs(&d, "full");
	format_into(store_dir, sizeof(store_dir), "%s/store", d.dir);
	format_into(filler, sizeof(filler), "%s/filler", store_dir);
	format_into(flag, sizeof(flag), "%s/go", d.dir);
	format_into(d.db, sizeof(d.db), "%s/sigsys.db", store_dir);
	cr_assert_eq(mkdir(store_dir, 0700), 0);
	format_into(opts, sizeof(opts), "size=%llu", 12 * MIB);
	cr_assert_eq(mount("sigsys-full", store_dir, "tmpfs", MS_NOSUID | MS_NODEV, opts), 0,
		     "mount tmpfs: %s", strerror(errno));
	storm_daemon_start(&d, NULL);

	/* registered while there is room; their calls come once the disk is full */
	pid_t logger =
		launch_gated(&d, "full-log", "log", flag, "personality:5*" STR(FULL_LOG_CALLS));
	pid_t killed = launch_gated(&d, "full-kill", "kill", flag, "mbind");
	harness_sleep_ms(500); /* both registered: sigsys-apply waits for the answer */
	fill(filler);
	touch(flag);
	harness_wait(logger);
	int status = harness_wait(killed);
	cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "full-kill: %#x", status);

	/* the kill is stored, the daemon runs and says the disk is full */
	struct task_event the_kill = {"full-kill", SECCOMP_RET_KILL_PROCESS};
	cr_expect(storm_poll(task_has_event, &d, &the_kill, 60), "the kill was not kept");
	bool full = true;
	cr_expect(storm_poll(health_is, &d, &full, 60), "/v1/health does not say the disk is full");
	cr_expect_eq(kill(d.pid, 0), 0, "sigsysd died");

	/* room again: the LOG calls that waited go in, the health clears */
	cr_assert_eq(unlink(filler), 0);
	full = false;
	cr_expect(storm_poll(health_is, &d, &full, 120), "/v1/health still says full");
	cr_expect(storm_poll(log_counted, &d, "full-log", 60),
		  "the LOG calls were not stored once there was room");
	/* every LOG call is counted, or what the daemon had to drop is a recorded loss */
	struct store_stats st;
	uint64_t calls = 0;
	struct store *s = storm_reader(&d);
	store_task_counts(s, "full-log", sum_counts, &calls, NULL);
	cr_assert_eq(store_stats(s, &st, NULL), 0);
	store_close(s);
	cr_expect(calls >= FULL_LOG_CALLS || st.loss_reports[STORE_LOSS_STORE_FULL] > 0,
		  "%ju of %d LOG calls stored and no store-full loss recorded", (uintmax_t)calls,
		  FULL_LOG_CALLS);
	daemon_run_stop(&d);
	expect_integrity(d.db);
	cr_expect_eq(umount(store_dir), 0, "umount: %s", strerror(errno));
	daemon_run_remove(&d);
	storm_unlock(lock);
}

/* ---- audit records dropped --------------------------------------------------------------------
 */

static bool audit_lost(const struct daemon_run *d, const void *arg)
{
	(void)arg;
	struct json_object *h = storm_api_get(d, "/v1/health");
	if (!h)
		return false;
	bool lost = json_object_get_int64(storm_jget(h, "records.enobufs")) > 0 ||
		    json_object_get_int64(storm_jget(h, "records.audit_lost")) > 0;
	json_object_put(h);
	return lost;
}

/* The report says evidence is missing: a count of lost records, or null with a reason. */
static void expect_loss_noted(struct json_object *r, const char *task_id)
{
	struct json_object *lost = storm_jget(r, "evidence.records_lost");
	struct json_object *reasons = storm_jget(r, "null_reasons");
	struct json_object *why = NULL;
	bool noted = (lost && json_object_get_int64(lost) > 0) ||
		     (!lost && reasons &&
		      json_object_object_get_ex(reasons, "evidence.records_lost", &why));
	cr_expect(noted, "%s: the report does not note the lost records: %s", task_id,
		  json_object_to_json_string(storm_jget(r, "evidence")));
}

Test(faults, dropped_audit_records_show_as_missing_evidence, .timeout = 600)
{
	int lock = storm_lock();
	struct daemon_run d;
	const char *extra[] = {"--audit-rcvbuf", "4096", NULL};
	daemon_run_dirs(&d, "drop");
	storm_daemon_start(&d, extra);

	const char *storm_argv[] = {env_path("SIGSYS_PROBE"), "personality:5*400000", NULL};
	pid_t storm = storm_launch(&d, "drop-storm", "log", profiles(), "default.json", storm_argv);
	cr_assert(storm_poll(audit_lost, &d, NULL, 120), "a 4 KiB buffer lost nothing");

	/* in the storm: a task that fails on its own, and one seccomp kills */
	const char *fail_argv[] = {"/bin/sh", "-c", "exit 3", NULL};
	pid_t failing =
		storm_launch(&d, "drop-fail", "enforce", profiles(), "default.json", fail_argv);
	const char *kill_argv[] = {env_path("SIGSYS_PROBE"), "mbind", NULL};
	pid_t killed = storm_launch(&d, "drop-kill", "kill", profiles(), "default.json", kill_argv);
	harness_wait(failing);
	harness_wait(killed);
	harness_wait(storm);
	static const char *const tasks[] = {"drop-storm", "drop-fail", "drop-kill"};
	for (size_t i = 0; i < ARRAY_SIZE(tasks); i++)
		cr_assert(storm_poll(exited, &d, tasks[i], 120), "%s has no exit", tasks[i]);

	struct json_object *r = storm_report(&d, profiles(), "drop-fail");
	cr_expect_str_eq(storm_jstr(r, "outcome"), "unknown", "drop-fail: %s",
			 storm_jstr(r, "reason"));
	cr_expect(strstr(storm_jstr(r, "reason"), "lost"), "%s", storm_jstr(r, "reason"));
	expect_loss_noted(r, "drop-fail");
	json_object_put(r);

	r = storm_report(&d, profiles(), "drop-kill");
	expect_not_silent(r, "drop-kill");
	if (!strcmp(storm_jstr(r, "outcome"), "unknown"))
		expect_loss_noted(r, "drop-kill");
	json_object_put(r);

	r = storm_report(&d, profiles(), "drop-storm");
	expect_not_silent(r, "drop-storm");
	expect_loss_noted(r, "drop-storm");
	json_object_put(r);
	daemon_run_stop(&d);
	daemon_run_remove(&d);
	storm_unlock(lock);
}

/* ---- the profile file drifts ---------------------------------------------------------------- */

static void copy_file(const char *from, const char *to)
{
	char *text = NULL;
	size_t len = 0;
	cr_assert_eq(read_file_bounded(from, 1 << 20, &text, &len), 0, "%s", from);
	FILE *f = fopen(to, "we");
	cr_assert(f);
	cr_assert_eq(fwrite(text, 1, len, f), len);
	fclose(f);
	free(text);
}

/* The report explains with the text recorded at launch: the default action killed
 * personality, whatever the file says now. */
static void expect_drift(struct json_object *r, const char *when)
{
	cr_expect_str_eq(storm_jstr(r, "outcome"), "seccomp-kill", "%s: %s", when,
			 storm_jstr(r, "reason"));
	cr_expect_str_eq(storm_jstr(r, "syscall.name"), "personality", "%s", when);
	struct json_object *dflt = storm_jget(r, "rule.default");
	cr_expect(dflt && json_object_get_boolean(dflt), "%s: the recorded default action", when);
	cr_expect_str_eq(storm_jstr(r, "rule.action"), "KILL_PROCESS", "%s", when);
	struct json_object *changed = storm_jget(r, "profile.changed_on_disk");
	cr_expect(changed && json_object_get_boolean(changed), "%s: the drift is not flagged: %s",
		  when, json_object_to_json_string(storm_jget(r, "profile")));
}

Test(faults, a_profile_changed_or_removed_after_launch_is_explained_and_flagged, .timeout = 300)
{
	int lock = storm_lock();
	struct daemon_run d;
	char dir[128], path[192], source[PATH_MAX];
	daemon_run_dirs(&d, "drift");
	format_into(dir, sizeof(dir), "%s/profiles", d.dir);
	format_into(path, sizeof(path), "%s/drift.json", dir);
	format_into(source, sizeof(source), "%s/default.json", profiles());
	cr_assert_eq(mkdir(dir, 0755), 0);
	copy_file(source, path);
	const char *extra[] = {"--profile-dir", dir, NULL};
	storm_daemon_start(&d, extra);

	const char *argv[] = {env_path("SIGSYS_PROBE"), "personality:5", NULL};
	int status = harness_wait(storm_launch(&d, "drift", "kill", dir, "drift.json", argv));
	cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "drift: %#x", status);
	cr_assert(storm_poll(exited, &d, "drift", 60), "drift has no exit");
	struct task_event kill = {"drift", SECCOMP_RET_KILL_PROCESS};
	cr_assert(storm_poll(task_has_event, &d, &kill, 60), "the kill is not stored");

	/* changed: personality allowed now */
	FILE *f = fopen(path, "we");
	cr_assert(f);
	fputs("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": "
	      "[\"personality\", \"exit_group\"], \"action\": \"SCMP_ACT_ALLOW\"}]}\n",
	      f);
	fclose(f);
	struct json_object *r = storm_report(&d, dir, "drift");
	expect_drift(r, "changed (sigsys --db)");
	json_object_put(r);
	r = storm_api_get(&d, "/v1/tasks/drift/report");
	cr_assert(r, "no report from the API");
	expect_drift(r, "changed (API)");
	json_object_put(r);

	/* removed */
	cr_assert_eq(unlink(path), 0);
	r = storm_report(&d, dir, "drift");
	expect_drift(r, "removed (sigsys --db)");
	json_object_put(r);
	r = storm_api_get(&d, "/v1/tasks/drift/report");
	cr_assert(r, "no report from the API");
	expect_drift(r, "removed (API)");
	json_object_put(r);

	daemon_run_stop(&d);
	daemon_run_remove(&d);
	storm_unlock(lock);
}

/* ---- a registration later than its kill ------------------------------------------------------ */

/* A stopped (or overloaded) daemon: sigsys-apply waits 2 s for the answer, spools the
 * registration and runs the task, which is killed before sigsysd reads either. Once it runs
 * again, the kill must still be the task's. */
Test(faults, a_registration_later_than_its_kill_still_gets_it, .timeout = 300)
{
	int lock = storm_lock();
	struct daemon_run d;
	daemon_run_dirs(&d, "late");
	storm_daemon_start(&d, NULL);
	cr_assert_eq(kill(d.pid, SIGSTOP), 0);
	const char *argv[] = {env_path("SIGSYS_PROBE"), "mbind", NULL};
	int status =
		harness_wait(storm_launch(&d, "late", "kill", profiles(), "default.json", argv));
	cr_assert_eq(kill(d.pid, SIGCONT), 0);
	cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "late: %#x", status);

	struct task_event the_kill = {"late", SECCOMP_RET_KILL_PROCESS};
	cr_expect(storm_poll(task_has_event, &d, &the_kill, 60), "the kill is not the task's");
	cr_assert(storm_poll(exited, &d, "late", 60), "late has no exit");
	struct json_object *r = storm_report(&d, profiles(), "late");
	cr_expect_str_eq(storm_jstr(r, "outcome"), "seccomp-kill", "late: %s",
			 storm_jstr(r, "reason"));
	cr_expect_str_eq(storm_jstr(r, "syscall.name"), "mbind");
	json_object_put(r);
	daemon_run_stop(&d);
	daemon_run_remove(&d);
	storm_unlock(lock);
}
