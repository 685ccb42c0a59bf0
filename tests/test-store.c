/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The store of sigsysd: schema and migrations, registrations and process trees, batched
 * events and their queries, LOG storms, kill merging, losses, retention, a full disk (a real
 * 4 MiB tmpfs) and a second connection reading while the writer writes.
 */
#include "store.h"
#include "test-helpers.h"

#include <linux/audit.h>

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define SEC	  1000000000ull
#define T0	  (1700000000ull * SEC) /* a fixed "now" for the tests */
#define ERRNO	  SECCOMP_RET_ERRNO
#define LOG	  SECCOMP_RET_LOG
#define KILL	  SECCOMP_RET_KILL_PROCESS
#define NR_OPENAT 257
#define NR_PTRACE 101

/* ---- fixtures ----------------------------------------------------------------------------- */

struct tmp {
	char dir[64];
	char db[128];
};

/* What the running test made, undone by its suite's fini even when an assertion ends the
 * test early: no directory or mount is left behind by a failure. */
static struct tmp made;
static bool mounted;

static void tmp_make(struct tmp *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/sigsys-store-XXXXXX");
	cr_assert_not_null(mkdtemp(t->dir));
	snprintf(t->db, sizeof(t->db), "%s/sigsys.db", t->dir);
	made = *t;
}

static void tmp_remove(struct tmp *t)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal", "-reserve"};
	char path[160];
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		snprintf(path, sizeof(path), "%s%s", t->db, suffixes[i]);
		unlink(path);
	}
	rmdir(t->dir);
	memset(&made, 0, sizeof(made));
}

static void cleanup(void)
{
	if (mounted)
		umount2(made.dir, MNT_DETACH);
	mounted = false;
	if (made.dir[0])
		tmp_remove(&made);
}

TestSuite(schema, .fini = cleanup);
TestSuite(tasks, .fini = cleanup);
TestSuite(procs, .fini = cleanup);
TestSuite(events, .fini = cleanup);
TestSuite(losses, .fini = cleanup);
TestSuite(metrics, .fini = cleanup);
TestSuite(retention, .fini = cleanup);
TestSuite(full, .fini = cleanup);
TestSuite(wal, .fini = cleanup);

static struct store *open_with(const char *path, const struct store_options *o)
{
	struct store *s = NULL;
	struct store_error err = {{0}};
	int r = store_open(path, o, &s, &err);
	cr_assert_eq(r, 0, "store_open %s: %d %s", path, r, err.message);
	return s;
}

static struct store *open_default(const char *path)
{
	return open_with(path, NULL);
}

static struct seccomp_event make_event(int32_t pid, int32_t nr, uint32_t action, uint64_t time_ns)
{
	struct seccomp_event e;
	memset(&e, 0, sizeof(e));
	e.time_ns = time_ns;
	e.pid = pid;
	e.uid = 1000;
	e.gid = 1000;
	e.auid = SECCOMP_EVENT_ID_UNSET;
	e.ses = SECCOMP_EVENT_ID_UNSET;
	e.arch = AUDIT_ARCH_X86_64;
	e.nr = nr;
	e.code = action;
	e.sig = action == KILL ? SIGSYS : 0;
	e.sources = SECCOMP_EVENT_SOURCE_AUDIT;
	e.ip = 0x7f0000001234ull;
	e.serial = (uint32_t)(time_ns / 1000);
	snprintf(e.comm, sizeof(e.comm), "python3");
	snprintf(e.exe, sizeof(e.exe), "/usr/bin/python3.11");
	return e;
}

/* n events with their attributions, built once and stored in one call. */
struct batch {
	struct seccomp_event *events;
	struct store_event *refs;
	size_t n;
};

static void batch_init(struct batch *b, size_t n)
{
	b->events = calloc(n, sizeof(*b->events));
	b->refs = calloc(n, sizeof(*b->refs));
	cr_assert(b->events && b->refs);
	b->n = n;
	for (size_t i = 0; i < n; i++)
		b->refs[i].event = &b->events[i];
}

static void batch_free(struct batch *b)
{
	free(b->events);
	free(b->refs);
}

static void batch_set(struct batch *b, size_t i, const char *task_id, struct seccomp_event e)
{
	b->events[i] = e;
	b->refs[i].task_id = task_id;
}

static struct store_put_result put_ok(struct store *s, const struct store_event *evs, size_t n)
{
	struct store_put_result res;
	struct store_error err = {{0}};
	int r = store_put_events(s, evs, n, &res, &err);
	cr_assert_eq(r, (int)n, "store_put_events: %d %s", r, err.message);
	return res;
}

static void put_one(struct store *s, const char *task_id, struct seccomp_event e)
{
	struct store_event ref = {.event = &e, .task_id = task_id};
	put_ok(s, &ref, 1);
}

static const char profile_text[] = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[]}";
static const char profile_digest[] =
	"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static struct store_task make_task(const char *task_id, int32_t pid, uint64_t registered_ns)
{
	return (struct store_task){
		.task_id = task_id,
		.framework = "marathon",
		.app_id = "/prod/web",
		.container_id = "c0ffee",
		.agent_id = "agent-1",
		.pid = pid,
		.pid_start_ns = 1000u + (uint64_t)pid,
		.profile_name = "default.json",
		.profile_digest = profile_digest,
		.profile_text = profile_text,
		.mode = "enforce",
		.caps = 1ull << 21,
		.registered_ns = registered_ns,
	};
}

static int put_task_ok(struct store *s, const struct store_task *t)
{
	struct store_error err = {{0}};
	int r = store_put_task(s, t, &err);
	cr_assert_geq(r, 0, "store_put_task %s: %d %s", t->task_id, r, err.message);
	return r;
}

/* A second, raw connection: what any other reader (sqlite3 CLI) sees. */
static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static int64_t raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
		     sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s: %s", sql, sqlite3_errmsg(db));
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int64_t db_int(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);
	int64_t v = raw_int(db, sql);
	sqlite3_close(db);
	return v;
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);
	char *msg = NULL;
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK, "%s: %s", sql, msg);
	sqlite3_close(db);
}

/* PRAGMA integrity_check says "ok", and every declared reference holds. */
static void assert_consistent(const char *path)
{
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_DONE, "a dangling reference in %s",
		     (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* ---- collectors --------------------------------------------------------------------------- */

struct rows {
	int64_t *ids;
	size_t n, cap;
	struct store_event_row first, last;
	char first_task[STORE_ID_MAX + 1];
	size_t stop_after; /* 0: never stop */
};

static int collect_event(const struct store_event_row *e, void *userdata)
{
	struct rows *rows = userdata;
	if (rows->n == rows->cap) {
		rows->cap = rows->cap ? rows->cap * 2 : 64;
		rows->ids = realloc(rows->ids, rows->cap * sizeof(*rows->ids));
		cr_assert_not_null(rows->ids);
	}
	if (rows->n == 0) {
		rows->first = *e;
		snprintf(rows->first_task, sizeof(rows->first_task), "%s",
			 e->task_id ? e->task_id : "");
	}
	rows->last = *e;
	rows->ids[rows->n++] = e->id;
	return rows->stop_after && rows->n == rows->stop_after ? 1 : 0;
}

static void rows_clear(struct rows *rows)
{
	free(rows->ids);
	memset(rows, 0, sizeof(*rows));
}

static size_t events_since(struct store *s, int64_t since, uint32_t limit, struct rows *rows)
{
	struct store_error err = {{0}};
	rows_clear(rows);
	int r = store_events_since(s, since, limit, collect_event, rows, &err);
	cr_assert_geq(r, 0, "store_events_since: %d %s", r, err.message);
	cr_assert_eq((size_t)r, rows->n);
	return rows->n;
}

static size_t task_events(struct store *s, const char *task_id, int64_t since, uint32_t limit,
			  struct rows *rows)
{
	struct store_error err = {{0}};
	rows_clear(rows);
	int r = store_task_events(s, task_id, since, limit, collect_event, rows, &err);
	cr_assert_geq(r, 0, "store_task_events %s: %d %s", task_id, r, err.message);
	return rows->n;
}

/* Every event row, through the cursor, page by page. */
static size_t count_all_events(struct store *s)
{
	struct rows rows = {0};
	size_t total = 0;
	int64_t since = 0;
	while (events_since(s, since, STORE_PAGE_MAX, &rows) > 0) {
		total += rows.n;
		since = rows.last.id;
	}
	rows_clear(&rows);
	return total;
}

struct task_copy {
	int n;
	char task_id[STORE_ID_MAX + 1];
	char framework[32], app_id[64], job_id[64], run_id[64], container_id[64], agent_id[64];
	char profile_name[64], digest[128], mode[32];
	char *profile_text;
	int32_t pid;
	uint64_t pid_start_ns, caps, registered_ns, seen_ns;
	struct store_exit exit;
	char order[16][64]; /* task ids in the order a list query gave them */
};

#define COPY(dst, src) snprintf(dst, sizeof(dst), "%s", (src) ? (src) : "(null)")

static int copy_task(const struct store_task *t, void *userdata)
{
	struct task_copy *c = userdata;
	if (c->n < 16)
		COPY(c->order[c->n], t->task_id);
	c->n++;
	COPY(c->task_id, t->task_id);
	COPY(c->framework, t->framework);
	COPY(c->app_id, t->app_id);
	COPY(c->job_id, t->job_id);
	COPY(c->run_id, t->run_id);
	COPY(c->container_id, t->container_id);
	COPY(c->agent_id, t->agent_id);
	COPY(c->profile_name, t->profile_name);
	COPY(c->digest, t->profile_digest);
	COPY(c->mode, t->mode);
	free(c->profile_text);
	c->profile_text = t->profile_text ? strdup(t->profile_text) : NULL;
	c->pid = t->pid;
	c->pid_start_ns = t->pid_start_ns;
	c->caps = t->caps;
	c->registered_ns = t->registered_ns;
	c->seen_ns = t->seen_ns;
	c->exit = t->exit;
	return 0;
}

static struct task_copy get_task(struct store *s, const char *task_id)
{
	struct task_copy c = {0};
	struct store_error err = {{0}};
	int r = store_get_task(s, task_id, copy_task, &c, &err);
	cr_assert_eq(r, 0, "store_get_task %s: %d %s", task_id, r, err.message);
	cr_assert_eq(c.n, 1);
	return c;
}

static struct task_copy find_tasks(struct store *s, struct store_task_query q)
{
	struct task_copy c = {0};
	struct store_error err = {{0}};
	int r = store_find_tasks(s, &q, copy_task, &c, &err);
	cr_assert_geq(r, 0, "store_find_tasks: %d %s", r, err.message);
	cr_assert_eq(r, c.n);
	free(c.profile_text);
	c.profile_text = NULL;
	return c;
}

struct counts {
	int n;
	struct store_count last;
	uint64_t total;
	char comm[32];
};

static int collect_count(const struct store_count *c, void *userdata)
{
	struct counts *counts = userdata;
	counts->n++;
	counts->last = *c;
	counts->total += c->count;
	COPY(counts->comm, c->comm);
	counts->last.comm = counts->last.exe = NULL;
	counts->last.task_id = NULL;
	return 0;
}

static struct counts task_counts(struct store *s, const char *task_id)
{
	struct counts c = {0};
	struct store_error err = {{0}};
	int r = store_task_counts(s, task_id, collect_count, &c, &err);
	cr_assert_geq(r, 0, "store_task_counts %s: %d %s", task_id, r, err.message);
	return c;
}

static struct store_stats stats_of(struct store *s)
{
	struct store_stats st;
	struct store_error err = {{0}};
	int r = store_stats(s, &st, &err);
	cr_assert_eq(r, 0, "store_stats: %d %s", r, err.message);
	return st;
}

/* ---- schema ------------------------------------------------------------------------------- */

Test(schema, created_private_wal_and_survives_reopen)
{
	struct tmp t;
	tmp_make(&t);
	struct store *s = open_default(t.db);
	struct store_task task = make_task("web.1", 4242, T0);
	put_task_ok(s, &task);
	put_one(s, "web.1", make_event(4242, NR_PTRACE, KILL, T0 + SEC));
	struct store_loss loss = {
		.source = "audit", .kind = STORE_LOSS_ENOBUFS, .first_ns = T0, .last_ns = T0 + SEC};
	cr_assert_eq(store_put_loss(s, &loss, NULL), 0);
	store_close(s);

	struct stat st;
	cr_assert_eq(stat(t.db, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "database mode %o", st.st_mode & 0777);
	cr_assert_eq(db_int(t.db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	cr_assert_eq(db_int(t.db, "PRAGMA application_id"), 0x53475359);
	cr_assert_eq(db_int(t.db, "PRAGMA auto_vacuum"), 2, "incremental vacuum");

	s = open_default(t.db);
	cr_assert_eq(db_int(t.db, "SELECT count(*) FROM pragma_journal_mode() WHERE"
				  " journal_mode = 'wal'"),
		     1);
	struct task_copy c = get_task(s, "web.1");
	cr_assert_str_eq(c.profile_text, profile_text);
	free(c.profile_text);
	struct rows rows = {0};
	cr_assert_eq(events_since(s, 0, 0, &rows), 1);
	cr_assert_eq(rows.first.event.nr, NR_PTRACE);
	cr_assert_str_eq(rows.first_task, "web.1");
	rows_clear(&rows);
	cr_assert_eq(stats_of(s).loss_reports[STORE_LOSS_ENOBUFS], 1);
	store_close(s);
	assert_consistent(t.db);
	tmp_remove(&t);
}

Test(schema, refuses_a_database_from_the_future)
{
	struct tmp t;
	tmp_make(&t);
	store_close(open_default(t.db));
	raw_exec(t.db, "PRAGMA user_version = 99");

	struct store *s = NULL;
	struct store_error err = {{0}};
	cr_assert_eq(store_open(t.db, NULL, &s, &err), -ENOTSUP);
	cr_assert_null(s);
	cr_assert_not_null(strstr(err.message, "newer"), "%s", err.message);
	cr_assert_not_null(strstr(err.message, "99"), "%s", err.message);
	cr_assert_eq(db_int(t.db, "PRAGMA user_version"), 99, "a refused database is untouched");
	tmp_remove(&t);
}

Test(schema, migrates_an_older_database_forward)
{
	static const struct store_migration v2[] = {
		{STORE_SCHEMA_VERSION + 1, "ALTER TABLE events ADD COLUMN note TEXT;"
					   "CREATE INDEX events_by_time ON events(time_ns);"},
	};
	struct tmp t;
	tmp_make(&t);
	struct store *s = open_default(t.db);
	struct store_task task = make_task("old.1", 77, T0);
	put_task_ok(s, &task);
	put_one(s, "old.1", make_event(77, NR_OPENAT, ERRNO, T0 + 1));
	store_close(s);

	struct store_options o;
	store_options_init(&o);
	o.extra_migrations = v2;
	o.n_extra_migrations = ARRAY_SIZE(v2);
	s = open_with(t.db, &o);
	struct task_copy c = get_task(s, "old.1");
	cr_assert_eq(c.pid, 77);
	free(c.profile_text);
	struct rows rows = {0};
	cr_assert_eq(task_events(s, "old.1", 0, 0, &rows), 1, "events survive the migration");
	rows_clear(&rows);
	put_one(s, "old.1", make_event(77, NR_OPENAT, ERRNO, T0 + 2)); /* still writable */
	store_close(s);
	cr_assert_eq(db_int(t.db, "PRAGMA user_version"), STORE_SCHEMA_VERSION + 1);
	cr_assert_eq(db_int(t.db, "SELECT count(note) + count(*) FROM events"), 2);

	/* This sigsys, without the step, now meets a database from its future. */
	struct store_error err = {{0}};
	cr_assert_eq(store_open(t.db, NULL, &s, &err), -ENOTSUP, "%s", err.message);
	assert_consistent(t.db);
	tmp_remove(&t);
}

Test(schema, a_version_1_database_gains_the_strings_column)
{
	struct tmp t;
	tmp_make(&t);
	struct store *s = open_default(t.db);
	struct store_task task = make_task("v1.1", 9, T0);
	put_task_ok(s, &task);
	put_one(s, "v1.1", make_event(9, NR_OPENAT, ERRNO, T0 + 1));
	store_close(s);
	/* What sigsys 0.1 wrote: schema 1, no strings. */
	raw_exec(t.db, "ALTER TABLE events DROP COLUMN strings; PRAGMA user_version = 1");

	s = open_default(t.db);
	struct rows rows = {0};
	cr_assert_eq(task_events(s, "v1.1", 0, 0, &rows), 1, "events survive the migration");
	rows_clear(&rows);
	store_close(s);
	cr_assert_eq(db_int(t.db, "PRAGMA user_version"), 2);
	cr_assert_eq(db_int(t.db, "SELECT count(*) FROM pragma_table_info('events')"
				  " WHERE name = 'strings'"),
		     1);
	tmp_remove(&t);
}

Test(schema, a_failing_step_leaves_the_old_version)
{
	static const struct store_migration bad[] = {
		{STORE_SCHEMA_VERSION + 1, "CREATE TABLE half (a); SELECT * FROM no_such_table;"},
	};
	struct tmp t;
	tmp_make(&t);
	struct store *s = open_default(t.db);
	struct store_task task = make_task("keep.1", 5, T0);
	put_task_ok(s, &task);
	store_close(s);

	struct store_options o;
	store_options_init(&o);
	o.extra_migrations = bad;
	o.n_extra_migrations = 1;
	struct store_error err = {{0}};
	cr_assert_lt(store_open(t.db, &o, &s, &err), 0);
	char version[32];
	snprintf(version, sizeof(version), "version %d", STORE_SCHEMA_VERSION + 1);
	cr_assert_not_null(strstr(err.message, version), "%s", err.message);
	cr_assert_eq(db_int(t.db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	cr_assert_eq(db_int(t.db, "SELECT count(*) FROM sqlite_schema WHERE name = 'half'"), 0,
		     "the step was rolled back whole");
	s = open_default(t.db);
	struct task_copy c = get_task(s, "keep.1");
	free(c.profile_text);
	store_close(s);
	tmp_remove(&t);
}

Test(schema, refuses_files_that_are_not_its_own)
{
	struct tmp t;
	tmp_make(&t);
	raw_exec(t.db, "CREATE TABLE accounts (name TEXT)");
	struct store *s = NULL;
	struct store_error err = {{0}};
	cr_assert_eq(store_open(t.db, NULL, &s, &err), -EINVAL);
	cr_assert_not_null(strstr(err.message, "not a sigsys database"), "%s", err.message);
	cr_assert_eq(db_int(t.db, "SELECT count(*) FROM sqlite_schema"), 1, "left untouched");
	unlink(t.db);

	FILE *f = fopen(t.db, "w");
	cr_assert_not_null(f);
	fputs("this is a text file, long enough to look like a header of something else\n", f);
	fclose(f);
	cr_assert_eq(store_open(t.db, NULL, &s, &err), -EINVAL, "%s", err.message);
	tmp_remove(&t);
}

Test(schema, readers_neither_create_nor_write)
{
	struct tmp t;
	tmp_make(&t);
	struct store_options ro;
	store_options_init(&ro);
	ro.read_only = true;
	struct store *s = NULL;
	struct store_error err = {{0}};
	cr_assert_eq(store_open(t.db, &ro, &s, &err), -ENOENT, "%s", err.message);
	cr_assert_eq(access(t.db, F_OK), -1, "a reader created the database");

	struct store *w = open_default(t.db);
	struct store_task task = make_task("r.1", 9, T0);
	put_task_ok(w, &task);
	store_close(w); /* the daemon is down: `sigsys --db` reads the file alone */
	s = open_with(t.db, &ro);
	struct task_copy c = get_task(s, "r.1");
	free(c.profile_text);
	cr_assert_eq(store_put_task(s, &task, &err), -EROFS);
	store_close(s);
	tmp_remove(&t);
}

/* ---- tasks and processes -------------------------------------------------------------------- */

Test(tasks, registration_round_trips_and_shares_profiles)
{
	struct tmp t;
	tmp_make(&t);
	struct store *s = open_default(t.db);
	struct store_task a = make_task("web.a", 100, T0);
	a.job_id = "nightly";
	a.run_id = "20160715130259A34HX";
	cr_assert_eq(put_task_ok(s, &a), 0);
	struct store_task b = make_task("web.b", 200, T0 + SEC);
	cr_assert_eq(put_task_ok(s, &b), 0);

	struct task_copy c = get_task(s, "web.a");
	cr_assert_str_eq(c.framework, "marathon");
	cr_assert_str_eq(c.app_id, "/prod/web");
	cr_assert_str_eq(c.job_id, "nightly");
	cr_assert_str_eq(c.run_id, "20160715130259A34HX");
	cr_assert_str_eq(c.container_id, "c0ffee");
	cr_assert_str_eq(c.agent_id, "agent-1");
	cr_assert_str_eq(c.profile_name, "default.json");
	cr_assert_str_eq(c.digest, profile_digest);
	cr_assert_str_eq(c.profile_text, profile_text);
	cr_assert_str_eq(c.mode, "enforce");
	cr_assert_eq(c.pid, 100);
	cr_assert_eq(c.pid_start_ns, 1100);
	cr_assert_eq(c.caps, 1ull << 21);
	cr_assert_eq(c.registered_ns, T0);
	cr_assert_eq(c.seen_ns, T0);
	cr_assert_eq(c.exit.kind, STORE_EXIT_NONE);
	free(c.profile_text);
	cr_assert_eq(db_int(t.db, "SELECT count(*) FROM profiles"), 1, "one text per digest");

	/* A second sigsys-apply in the same task: its process joins, the fields stay. */
	struct store_task again = make_task("web.a", 150, T0 + 5 * SEC);
	again.mode = "kill";
	cr_assert_eq(put_task_ok(s, &again), 1);
	c = get_task(s, "web.a");
	cr_assert_str_eq(c.mode, "enforce");
	cr_assert_eq(c.pid, 100);
	free(c.profile_text);
	c = find_tasks(s, (struct store_task_query){.key = STORE_TASKS_BY_PID, .pid = 150});
	cr_assert_eq(c.n, 1);
	cr_assert_str_eq(c.order[0], "web.a");

	cr_assert_eq(store_get_task(s, "nope", copy_task, &c, NULL), -ENOENT);
	store_close(s);
	tmp_remove(&t);
}

Test(tasks, bad_registrations_are_refused)
{
	struct tmp t;
	tmp_make(&t);
	struct store *s = open_default(t.db);
	char long_id[STORE_ID_MAX + 2];
	memset(long_id, 'x', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	struct store_task task = make_task(NULL, 1, T0);
	cr_assert_eq(store_put_task(s, &task, NULL), -EINVAL);
	task = make_task(long_id, 1, T0);
	cr_assert_eq(store_put_task(s, &task, NULL), -E2BIG);
	task = make_task("ok", 1, T0);
	task.app_id = long_id;
	cr_assert_eq(store_put_task(s, &task, NULL), -E2BIG);
	task = make_task("ok", 1, T0);
	task.profile_text = NULL; /* a digest without its text */
	cr_assert_eq(store_put_task(s, &task, NULL), -EINVAL);
	task = make_task("ok", 0, T0);
	cr_assert_eq(store_put_task(s, &task, NULL), -EINVAL);
	task = make_task("ok", 1, 0); /* no registration time */
	cr_assert_eq(store_put_task(s, &task, NULL), -EINVAL);
	cr_assert_eq(stats_of(s).tasks, 0);
	/* Unconfined: no profile at all is fine. */
	task = make_task("free", 3, T0);
	task.profile_digest = task.profile_text = NULL;
	cr_assert_eq(put_task_ok(s, &task), 0);
	struct task_copy c = get_task(s, "free");
	cr_assert_null(c.profile_text);
	store_close(s);
	tmp_remove(&t);
}

Test(tasks, an_event_names_a_task_before_its_registration)
{
	struct tmp t;
	tmp_make(&t);
	struct store *s = open_default(t.db);
	/* The cgroup or MESOS_TASK_ID named it; the spool's registration arrives later. */
	put_one(s, "late.1", make_event(300, NR_OPENAT, ERRNO, T0 + 2 * SEC));
	struct task_copy c = get_task(s, "late.1");
	cr_assert_eq(c.registered_ns, 0);
	cr_assert_eq(c.seen_ns, T0 + 2 * SEC);
	cr_assert_str_eq(c.framework, "(null)");
	free(c.profile_text);
	struct store_task task = make_task("late.1", 300, T0);
	cr_assert_eq(put_task_ok(s, &task), 0, "a registration completes a bare task");
	c = get_task(s, "late.1");
	cr_assert_eq(c.registered_ns, T0);
	cr_assert_eq(c.seen_ns, T0);
	cr_assert_str_eq(c.framework, "marathon");
	free(c.profile_text);
	struct rows rows = {0};
	cr_assert_eq(task_events(s, "late.1", 0, 0, &rows), 1);
	rows_clear(&rows);
	cr_assert_eq(stats_of(s).registrations, 1);
	store_close(s);
	tmp_remove(&t);
}

Test(tasks, found_by_app_job_run_and_container_newest_first)
{
	struct tmp t;
	tmp_make(&t);
	struct store *s = open_default(t.db);
	const char *ids[] = {"app.1", "app.2", "app.3"};
	for (int i = 0; i < 3; i++) {
		struct store_task task = make_task(ids[i], 10 + i, T0 + (uint64_t)i * SEC);
		put_task_ok(s, &task);
	}
	const char *runs[] = {"20240101000000AAAAA", "20240101000000AAAAA", "20240102000000BBBBB"};
	const char *jobs[] = {"job.r1.a", "job.r1.b", "job.r2.a"};
	for (int i = 0; i < 3; i++) {
		struct store_task task = make_task(jobs[i], 20 + i, T0 + (uint64_t)(10 + i) * SEC);
		task.framework = "metronome";
		task.app_id = NULL;
		task.job_id = "backup";
		task.run_id = runs[i];
		task.container_id = "metronome-c";
		put_task_ok(s, &task);
	}
	struct task_copy c = find_tasks(
		s, (struct store_task_query){.key = STORE_TASKS_BY_APP, .id = "/prod/web"});
	cr_assert_eq(c.n, 3);
	cr_assert_str_eq(c.order[0], "app.3");
	cr_assert_str_eq(c.order[2], "app.1");
	c = find_tasks(s, (struct store_task_query){
				  .key = STORE_TASKS_BY_APP, .id = "/prod/web", .limit = 2});
	cr_assert_eq(c.n, 2);
	c = find_tasks(s, (struct store_task_query){.key = STORE_TASKS_BY_JOB, .id = "backup"});
	cr_assert_eq(c.n, 3);
	c = find_tasks(s, (struct store_task_query){
				  .key = STORE_TASKS_BY_JOB, .id = "backup", .run_id = runs[0]});
	cr_assert_eq(c.n, 2);
	cr_assert_str_eq(c.order[0], "job.r1.b");
	c = find_tasks(
		s, (struct store_task_query){.key = STORE_TASKS_BY_CONTAINER, .id = "metronome-c"});
	cr_assert_eq(c.n, 3);
	c = find_tasks(s, (struct store_task_query){.key = STORE_TASKS_BY_APP, .id = "/other"});
	cr_assert_eq(c.n, 0);
	struct store_task_query bad = {.key = STORE_TASKS_BY_APP};
	cr_assert_eq(store_find_tasks(s, &bad, copy_task, &c, NULL), -EINVAL);
	store_close(s);
	tmp_remove(&t);
}

struct procs {
	int n;
	struct store_process last;
	int32_t pids[16];
	struct store_exit exits[16];
	char comm[16][32];
};

static int collect_process(const struct store_process *p, void *userdata)
{
	struct procs *procs = userdata;
	if (procs->n < 16) {
		procs->pids[procs->n] = p->pid;
		procs->exits[procs->n] = p->exit;
		COPY(procs->comm[procs->n], p->comm);
	}
	procs->n++;
	return 0;
}

static struct store_proc_event fork_of(int32_t pid, int32_t parent, uint64_t time_ns)
{
	return (struct store_proc_event){.kind = STORE_PROC_FORK,
					 .pid = pid,
					 .start_ns = 1000u + (uint64_t)pid,
					 .parent_pid = parent,
					 .parent_start_ns = 1000u + (uint64_t)parent,
					 .time_ns = time_ns};
}

static struct store_proc_event exit_of(int32_t pid, int wait_status, uint64_t time_ns)
{
	return (struct store_proc_event){.kind = STORE_PROC_EXIT,
					 .pid = pid,
					 .start_ns = 1000u + (uint64_t)pid,
					 .wait_status = wait_status,
					 .time_ns = time_ns};
}

Test(procs, descendants_inherit_the_task_and_exits_are_kept)
{
	struct tmp t;
	tmp_make(&t);
	struct store *s = open_default(t.db);
	struct store_task task = make_task("tree.1", 100, T0);
	put_task_ok(s, &task);
	struct store_proc_event evs[] = {
		fork_of(101, 100, T0 + 1), /* sh -c → child */
		fork_of(102, 101, T0 + 2), /* → grandchild */
		{.kind = STORE_PROC_EXEC,
		 .pid = 102,
		 .start_ns = 1102,
		 .time_ns = T0 + 3,
		 .comm = "victim",
		 .exe = "/usr/bin/victim"},
		fork_of(500, 499, T0 + 4),	     /* some other process of the agent */
		exit_of(102, SIGSYS | 0x80, T0 + 5), /* killed by SIGSYS, core dumped */
		exit_of(101, 159 << 8, T0 + 6),	     /* sh: exit 159 */
		exit_of(100, 1 << 8, T0 + 7),	     /* the task: exit 1 */
		exit_of(777, 0, T0 + 8),	     /* not a task's process */
	};
	struct store_error err = {{0}};
	int r = store_put_procs(s, evs, ARRAY_SIZE(evs), &err);
	cr_assert_eq(r, 6, "changed: %d %s", r, err.message);

	struct procs procs = {0};
	r = store_task_processes(s, "tree.1", 0, collect_process, &procs, &err);
	cr_assert_eq(r, 3, "%d %s", r, err.message);
	cr_assert_eq(procs.pids[0], 100);
	cr_assert_eq(procs.pids[2], 102);
	cr_assert_str_eq(procs.comm[2], "victim");
	cr_assert_eq(procs.exits[2].kind, STORE_EXIT_SIGNAL);
	cr_assert_eq(procs.exits[2].code, SIGSYS);
	cr_assert(procs.exits[2].core_dumped);
	cr_assert_eq(procs.exits[1].kind, STORE_EXIT_STATUS);
	cr_assert_eq(procs.exits[1].code, 159);
	struct task_copy c = get_task(s, "tree.1");
	cr_assert_eq(c.exit.kind, STORE_EXIT_STATUS);
	cr_assert_eq(c.exit.code, 1);
	cr_assert_eq(c.exit.time_ns, T0 + 7);
	free(c.profile_text);

	/* pid 102 reused by a process of another start time is not the task's. */
	struct store_proc_event reuse = fork_of(102, 499, T0 + 9);
	reuse.start_ns = 99999;
	cr_assert_eq(store_put_procs(s, &reuse, 1, NULL), 0);
	c = find_tasks(s, (struct store_task_query){.key = STORE_TASKS_BY_PID, .pid = 102});
	cr_assert_eq(c.n, 1, "--pid finds the task through a descendant");
	struct store_proc_event bad = exit_of(100, 0x137f /* stopped */, T0);
	cr_assert_eq(store_put_procs(s, &bad, 1, NULL), -EINVAL);
	struct store_proc_event lost = exit_of(101, STORE_WAIT_UNKNOWN, T0 + 10);
	cr_assert_eq(store_put_procs(s, &lost, 1, NULL), 1);
	memset(&procs, 0, sizeof(procs));
	store_task_processes(s, "tree.1", 0, collect_process, &procs, NULL);
	cr_assert_eq(procs.exits[1].kind, STORE_EXIT_LOST);
	store_close(s);
	assert_consistent(t.db);
	tmp_remove(&t);
}

/* ---- events ------------------------------------------------------------------------------- */

Test(events, a_batch_round_trips_every_field)
{
	struct tmp t;
	tmp_make(&t);
	struct store *s = open_default(t.db);
	struct seccomp_event e = make_event(4000, NR_OPENAT, KILL, T0);
	e.tid = 4001;
	e.compat = 1;
	e.arch = AUDIT_ARCH_I386;
	e.nr = 5;
	e.has_args = 1;
	for (int i = 0; i < 6; i++)
		e.args[i] = 0xffffffffffffff00ull + (uint64_t)i; /* above INT64_MAX */
	e.flags = SECCOMP_EVENT_HAS_SUBJ | SECCOMP_EVENT_EXE_TRUNCATED;
	e.sources = SECCOMP_EVENT_SOURCE_BPF;
	snprintf(e.subj, sizeof(e.subj), "unconfined (enforce)");
	snprintf(e.comm, sizeof(e.comm), "c o m m");
	memset(e.exe, 'e', SECCOMP_EVENT_EXE_MAX); /* the largest exe the struct holds */
	struct store_event ref = {
		.event = &e, .task_id = "rt.1", .container_id = "ctr-9", .pid_start_ns = 123456789};
	put_ok(s, &ref, 1);

	struct rows rows = {0};
	cr_assert_eq(events_since(s, 0, 0, &rows), 1);
	struct store_event_row *got = &rows.first;
	cr_assert_eq(memcmp(&got->event, &e, sizeof(e)), 0, "the event comes back byte for byte");
	cr_assert_str_eq(rows.first_task, "rt.1");
	cr_assert_eq(got->pid_start_ns, 123456789);
	rows_clear(&rows);

	/* Unattributed, no subject, audit (no arguments). */
	struct seccomp_event u = make_event(4100, NR_PTRACE, ERRNO, T0 + 1);
	put_one(s, NULL, u);
	cr_assert_eq(events_since(s, 1, 0, &rows), 1);
	cr_assert_null(rows.first.task_id);
	cr_assert_eq(memcmp(&rows.first.event, &u, sizeof(u)), 0);
	rows_clear(&rows);
	store_close(s);
	tmp_remove(&t);
}

Test(events, bad_batches_are_refused_whole)
{
	struct tmp t;
	tmp_make(&t);
	struct store *s = open_default(t.db);
	struct batch b;
	batch_init(&b, 3);
	for (size_t i = 0; i < 3; i++)
		batch_set(&b, i, "bad.1", make_event(1, NR_OPENAT, ERRNO, T0 + i));
	memset(b.events[2].comm, 'x', sizeof(b.events[2].comm)); /* unterminated */
	struct store_error err = {{0}};
	cr_assert_eq(store_put_events(s, b.refs, 3, NULL, &err), -EINVAL, "%s", err.message);
	b.refs[2].event = NULL;
	cr_assert_eq(store_put_events(s, b.refs, 3, NULL, &err), -EINVAL);
	cr_assert_eq(store_put_events(s, b.refs, STORE_BATCH_MAX + 1, NULL, &err), -E2BIG);
	cr_assert_eq(stats_of(s).events_seen, 0, "nothing of a refused batch is stored");
	cr_assert_eq(store_put_events(s, b.refs, 0, NULL, &err), 0);
	batch_free(&b);
	store_close(s);
	tmp_remove(&t);
}

Test(events, cursors_page_through_in_order)
{
	struct tmp t;
	tmp_make(&t);
	struct store_options o;
	store_options_init(&o);
	o.max_rows_per_key = 0; /* every denial a row */
	struct store *s = open_with(t.db, &o);
	enum { N = STORE_PAGE_MAX + 50 };
	struct batch b;
	batch_init(&b, N);
	for (size_t i = 0; i < N; i++)
		batch_set(&b, i, i % 2 ? "odd" : "even",
			  make_event(1000 + (int32_t)(i % 2), NR_OPENAT, ERRNO, T0 + i));
	struct store_put_result res = put_ok(s, b.refs, N);
	cr_assert_eq(res.rows, N);

	struct rows rows = {0};
	cr_assert_eq(events_since(s, 0, 10, &rows), 10);
	cr_assert_eq(rows.ids[0], 1);
	cr_assert_eq(rows.ids[9], 10);
	cr_assert_eq(events_since(s, 10, 1, &rows), 1);
	cr_assert_eq(rows.ids[0], 11);
	cr_assert_eq(events_since(s, 0, 0, &rows), STORE_PAGE_MAX, "0 means the largest page");
	cr_assert_eq(events_since(s, 0, 50000, &rows), STORE_PAGE_MAX, "limits are capped");
	for (size_t i = 1; i < rows.n; i++)
		cr_assert_gt(rows.ids[i], rows.ids[i - 1]);
	cr_assert_eq(events_since(s, rows.last.id, 50000, &rows), 50, "the rest");
	cr_assert_eq(events_since(s, N, 10, &rows), 0, "the end");
	cr_assert_eq(events_since(s, N + 1000, 10, &rows), 0, "beyond the end");
	cr_assert_eq(count_all_events(s), N);
	cr_assert_eq(store_events_since(s, -1, 10, collect_event, &rows, NULL), -EINVAL);

	/* A task's own cursor. */
	cr_assert_eq(task_events(s, "odd", 0, 3, &rows), 3);
	cr_assert_eq(rows.ids[0], 2);
	cr_assert_eq(rows.ids[2], 6);
	cr_assert_eq(task_events(s, "odd", 6, 2, &rows), 2);
	cr_assert_eq(rows.ids[0], 8);
	cr_assert_eq(task_events(s, "even", 0, 0, &rows), N / 2);
	cr_assert_eq(store_task_events(s, "none", 0, 1, collect_event, &rows, NULL), -ENOENT);

	/* A callback that stops early. */
	rows_clear(&rows);
	rows.stop_after = 3;
	cr_assert_eq(store_events_since(s, 0, 100, collect_event, &rows, NULL), 2);
	cr_assert_eq(rows.n, 3);
	rows_clear(&rows);
	batch_free(&b);
	store_close(s);
	tmp_remove(&t);
}

Test(events, a_million_log_events_are_one_counter, .timeout = 240)
{
	struct tmp t;
	tmp_make(&t);
	struct store *s = open_default(t.db);
	enum { BATCH = 10000, BATCHES = 100 };
	struct batch b;
	batch_init(&b, BATCH);
	for (size_t i = 0; i < BATCH; i++)
		batch_set(&b, i, "noisy", make_event(2000, NR_OPENAT, LOG, T0));
	uint64_t size_before = 0;
	for (int round = 0; round < BATCHES; round++) {
		for (size_t i = 0; i < BATCH; i++)
			b.events[i].time_ns = T0 + (uint64_t)round * BATCH + i;
		struct store_put_result res = put_ok(s, b.refs, BATCH);
		cr_assert_eq(res.counted, BATCH);
		cr_assert_eq(res.rows, 0);
		if (round == 0)
			size_before = stats_of(s).used_bytes;
		if (round == BATCHES / 2)
			put_one(s, "victim", make_event(3000, NR_PTRACE, KILL, T0 + 1));
	}
	struct counts c = task_counts(s, "noisy");
	cr_assert_eq(c.n, 1, "one (task, syscall, arch, action) row");
	cr_assert_eq(c.last.count, 1000000);
	cr_assert_eq(c.last.rows_written, 0);
	cr_assert_eq(c.last.action, LOG);
	cr_assert_eq(c.last.nr, NR_OPENAT);
	cr_assert_eq(c.last.first_ns, T0);
	cr_assert_eq(c.last.last_ns, T0 + 1000000 - 1);
	cr_assert_str_eq(c.comm, "python3");

	struct rows rows = {0};
	cr_assert_eq(events_since(s, 0, 0, &rows), 1, "only the kill is a row");
	cr_assert_str_eq(rows.first_task, "victim");
	cr_assert_eq(rows.first.event.nr, NR_PTRACE);
	rows_clear(&rows);
	struct store_stats st = stats_of(s);
	cr_assert_eq(st.events_seen, 1000001);
	cr_assert_eq(st.kills, 1);
	cr_assert_lt(st.used_bytes, size_before + 64 * 1024, "the storm did not grow the file");
	batch_free(&b);
	store_close(s);
	tmp_remove(&t);
}

Test(events, a_denial_storm_is_capped_per_key)
{
	struct tmp t;
	tmp_make(&t);
	struct store_options o;
	store_options_init(&o);
	o.max_rows_per_key = 10;
	struct store *s = open_with(t.db, &o);
	struct batch b;
	batch_init(&b, 25);
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < 25; i++)
			batch_set(&b, i, "storm",
				  make_event(10, NR_OPENAT, ERRNO, T0 + (uint64_t)round * 25 + i));
		struct store_put_result res = put_ok(s, b.refs, 25);
		cr_assert_eq(res.rows, round ? 0 : 10);
		cr_assert_eq(res.counted, round ? 25 : 15);
	}
	/* Another syscall of the same task, and a kill beyond the cap, still get rows. */
	put_one(s, "storm", make_event(10, NR_PTRACE, ERRNO, T0 + 100));
	put_one(s, "storm", make_event(10, NR_OPENAT, KILL, T0 + 101));
	struct rows rows = {0};
	cr_assert_eq(task_events(s, "storm", 0, 0, &rows), 12);
	cr_assert_eq(rows.first.event.time_ns, T0, "the first ones are kept");
	rows_clear(&rows);
	struct counts c = task_counts(s, "storm");
	cr_assert_eq(c.n, 3);
	cr_assert_eq(c.total, 52);
	batch_free(&b);
	store_close(s);
	tmp_remove(&t);
}

Test(events, one_kill_seen_by_two_sources_is_one_row)
{
	struct tmp t;
	tmp_make(&t);
	struct store *s = open_default(t.db);
	struct seccomp_event audit = make_event(600, NR_PTRACE, KILL, T0);
	struct seccomp_event bpf = make_event(600, NR_PTRACE, KILL, T0 + 3000000); /* 3 ms on */
	bpf.sources = SECCOMP_EVENT_SOURCE_BPF;
	bpf.tid = 601;
	bpf.has_args = 1;
	bpf.args[0] = 16; /* PTRACE_ATTACH */
	bpf.serial = 0;
	bpf.auid = 0;
	put_one(s, "k.1", audit);
	struct store_put_result res;
	struct store_event ref = {.event = &bpf, .task_id = "k.1"};
	res = put_ok(s, &ref, 1);
	cr_assert_eq(res.merged, 1);
	cr_assert_eq(res.rows, 0);

	struct rows rows = {0};
	cr_assert_eq(task_events(s, "k.1", 0, 0, &rows), 1);
	struct seccomp_event *got = &rows.first.event;
	cr_assert_eq(got->sources, SECCOMP_EVENT_SOURCE_AUDIT | SECCOMP_EVENT_SOURCE_BPF);
	cr_assert_eq(got->tid, 601);
	cr_assert(got->has_args);
	cr_assert_eq(got->args[0], 16);
	cr_assert_eq(got->serial, audit.serial, "audit's serial is kept");
	cr_assert_eq(got->auid, SECCOMP_EVENT_ID_UNSET, "audit's identity is kept");
	cr_assert_eq(got->time_ns, T0);

	/* The same source twice, another thread, or too far apart: separate kills. */
	struct batch b;
	batch_init(&b, 3);
	batch_set(&b, 0, "k.1", make_event(600, NR_PTRACE, KILL, T0 + 1000)); /* audit again */
	batch_set(&b, 1, "k.1", bpf);
	b.events[1].tid = 602;
	b.events[1].time_ns = T0 + 5 * SEC;
	batch_set(&b, 2, "k.1", bpf); /* merges into its batch neighbour? no: 5 s away */
	b.events[2].tid = 0;
	b.events[2].sources = SECCOMP_EVENT_SOURCE_AUDIT;
	b.events[2].time_ns = T0 + 5 * SEC + 1000;
	res = put_ok(s, b.refs, 3);
	cr_assert_eq(res.rows, 2, "audit twice is two kills; bpf 5 s later is another");
	cr_assert_eq(res.merged, 1, "the audit record 1 µs after the bpf one is the same kill");
	cr_assert_eq(task_events(s, "k.1", 0, 0, &rows), 3);
	struct counts c = task_counts(s, "k.1");
	cr_assert_eq(c.total, 3, "merged kills are counted once");
	rows_clear(&rows);
	batch_free(&b);
	store_close(s);
	tmp_remove(&t);
}

/* ---- losses ------------------------------------------------------------------------------- */

struct losses {
	int n;
	struct store_loss l[8];
	char source[8][16];
};

static int collect_loss(const struct store_loss *l, void *userdata)
{
	struct losses *ls = userdata;
	if (ls->n < 8) {
		ls->l[ls->n] = *l;
		COPY(ls->source[ls->n], l->source);
		ls->l[ls->n].source = NULL;
	}
	ls->n++;
	return 0;
}

static struct losses losses_in(struct store *s, uint64_t from, uint64_t to)
{
	struct losses ls = {0};
	struct store_error err = {{0}};
	int r = store_losses(s, from, to, 0, collect_loss, &ls, &err);
	cr_assert_eq(r, ls.n, "store_losses: %d %s", r, err.message);
	return ls;
}

Test(losses, storms_coalesce_and_windows_overlap)
{
	struct tmp t;
	tmp_make(&t);
	struct store *s = open_default(t.db);
	struct store_loss enobufs = {
		.source = "audit", .kind = STORE_LOSS_ENOBUFS, .first_ns = T0, .last_ns = T0};
	for (int i = 0; i < 5; i++) {
		enobufs.first_ns = enobufs.last_ns = T0 + (uint64_t)i * (SEC / 2);
		cr_assert_eq(store_put_loss(s, &enobufs, NULL), 0);
	}
	struct store_loss gap = {.source = "audit",
				 .kind = STORE_LOSS_SERIAL_GAP,
				 .records = 7,
				 .first_serial = 100,
				 .last_serial = 106,
				 .first_ns = T0 + 10 * SEC,
				 .last_ns = T0 + 11 * SEC};
	cr_assert_eq(store_put_loss(s, &gap, NULL), 0);
	gap.records = 3;
	gap.first_serial = 200;
	gap.last_serial = 202;
	gap.first_ns = gap.last_ns = T0 + 11 * SEC + SEC / 2;
	cr_assert_eq(store_put_loss(s, &gap, NULL), 0);
	gap.first_ns = gap.last_ns = T0 + 100 * SEC; /* far later: a new row */
	cr_assert_eq(store_put_loss(s, &gap, NULL), 0);

	struct losses ls = losses_in(s, 0, UINT64_MAX);
	cr_assert_eq(ls.n, 3);
	cr_assert_eq(ls.l[0].kind, STORE_LOSS_ENOBUFS);
	cr_assert_eq(ls.l[0].reports, 5, "an ENOBUFS storm is one row");
	cr_assert_eq(ls.l[0].first_ns, T0);
	cr_assert_eq(ls.l[0].last_ns, T0 + 2 * SEC);
	cr_assert_str_eq(ls.source[0], "audit");
	cr_assert_eq(ls.l[1].records, 10);
	cr_assert_eq(ls.l[1].first_serial, 100);
	cr_assert_eq(ls.l[1].last_serial, 202);

	/* A task that ran from T0+5 s to T0+10.5 s overlaps the gap only. */
	ls = losses_in(s, T0 + 5 * SEC, T0 + 10 * SEC + SEC / 2);
	cr_assert_eq(ls.n, 1);
	cr_assert_eq(ls.l[0].kind, STORE_LOSS_SERIAL_GAP);
	ls = losses_in(s, T0 + 50 * SEC, T0 + 60 * SEC);
	cr_assert_eq(ls.n, 0);

	struct store_stats st = stats_of(s);
	cr_assert_eq(st.loss_reports[STORE_LOSS_SERIAL_GAP], 3);
	cr_assert_eq(st.loss_records[STORE_LOSS_SERIAL_GAP], 13);
	struct store_loss bad = {.source = "audit", .kind = STORE_LOSS_KIND_COUNT};
	cr_assert_eq(store_put_loss(s, &bad, NULL), -EINVAL);
	bad = (struct store_loss){.source = "audit", .first_ns = 2, .last_ns = 1};
	cr_assert_eq(store_put_loss(s, &bad, NULL), -EINVAL);
	cr_assert_eq(store_losses(s, 2, 1, 0, collect_loss, &ls, NULL), -EINVAL);
	store_close(s);
	tmp_remove(&t);
}

/* ---- metrics ------------------------------------------------------------------------------ */

Test(metrics, counts_by_action_and_syscall)
{
	struct tmp t;
	tmp_make(&t);
	struct store *s = open_default(t.db);
	struct store_task task = make_task("m.1", 1, T0);
	put_task_ok(s, &task);
	struct batch b;
	batch_init(&b, 6);
	batch_set(&b, 0, "m.1", make_event(1, NR_OPENAT, ERRNO, T0));
	batch_set(&b, 1, "m.2", make_event(2, NR_OPENAT, ERRNO, T0));
	batch_set(&b, 2, NULL, make_event(3, NR_OPENAT, ERRNO, T0));
	batch_set(&b, 3, "m.1", make_event(1, NR_OPENAT, LOG, T0));
	batch_set(&b, 4, "m.1", make_event(1, NR_PTRACE, KILL, T0));
	batch_set(&b, 5, "m.2", make_event(2, NR_OPENAT, LOG, T0));
	put_ok(s, b.refs, 6);
	struct counts c = {0};
	int r = store_event_counts(s, collect_count, &c, NULL);
	cr_assert_eq(r, 3, "(ERRNO, openat), (LOG, openat), (KILL, ptrace)");
	cr_assert_eq(c.total, 6);
	struct store_stats st = stats_of(s);
	cr_assert_eq(st.tasks, 2);
	cr_assert_eq(st.registrations, 1);
	cr_assert_eq(st.kills, 1);
	cr_assert_eq(st.events_seen, 6);
	cr_assert_eq(st.rows_written, 4);
	cr_assert_eq(st.last_event_id, 4);
	cr_assert_gt(st.file_bytes, 0);
	cr_assert_gt(st.used_bytes, 0);
	struct store_health h;
	store_health(s, &h);
	cr_assert(!h.full);
	cr_assert_eq(h.full_count, 0);
	batch_free(&b);
	store_close(s);
	tmp_remove(&t);
}

/* ---- retention ---------------------------------------------------------------------------- */

#define HOUR (3600 * SEC)

Test(retention, by_age_keeps_kills_longer)
{
	struct tmp t;
	tmp_make(&t);
	struct store_options o;
	store_options_init(&o);
	o.max_age_ns = 1 * HOUR;
	o.kill_max_age_ns = 10 * HOUR;
	o.max_bytes = 0;
	struct store *s = open_with(t.db, &o);
	uint64_t now = T0 + 100 * HOUR;

	/* Oldest first: event ids grow with time, as they do when sources feed the store. */
	struct store_task old = make_task("old", 10, now - 20 * HOUR);
	put_task_ok(s, &old);
	put_one(s, "old", make_event(10, NR_OPENAT, ERRNO, now - 19 * HOUR));
	struct store_proc_event gone = exit_of(10, 1 << 8, now - 19 * HOUR);
	cr_assert_eq(store_put_procs(s, &gone, 1, NULL), 1);
	put_one(s, "ancient-kill", make_event(11, NR_PTRACE, KILL, now - 12 * HOUR));
	struct store_task mid = make_task("mid", 20, now - 6 * HOUR);
	put_task_ok(s, &mid);
	put_one(s, "mid", make_event(20, NR_OPENAT, ERRNO, now - 5 * HOUR));
	put_one(s, "mid", make_event(20, NR_OPENAT, LOG, now - 5 * HOUR));
	put_one(s, "mid", make_event(20, NR_PTRACE, KILL, now - 5 * HOUR));
	put_one(s, NULL, make_event(21, NR_OPENAT, ERRNO, now - 5 * HOUR));
	struct store_loss loss = {.source = "audit",
				  .kind = STORE_LOSS_ENOBUFS,
				  .first_ns = now - 5 * HOUR,
				  .last_ns = now - 5 * HOUR};
	store_put_loss(s, &loss, NULL);
	put_one(s, "new", make_event(30, NR_OPENAT, ERRNO, now - 600 * SEC));
	put_one(s, "new", make_event(30, NR_OPENAT, LOG, now - 600 * SEC));
	loss.first_ns = loss.last_ns = now - 60 * SEC;
	store_put_loss(s, &loss, NULL);

	struct store_maintain_result res;
	struct store_error err = {{0}};
	cr_assert_eq(store_maintain(s, now, &res, &err), 0, "%s", err.message);
	cr_assert_eq(res.events, 3, "old, mid and unattributed denials");
	cr_assert_eq(res.kills, 1, "the kill older than kill_max_age");
	cr_assert_eq(res.losses, 1);
	cr_assert(!res.more);

	struct rows rows = {0};
	cr_assert_eq(events_since(s, 0, 0, &rows), 2);
	cr_assert_eq(rows.first.event.code, KILL, "the 5 h old kill stays");
	cr_assert_str_eq(rows.first_task, "mid");
	cr_assert_eq(rows.last.event.time_ns, now - 600 * SEC);
	rows_clear(&rows);
	struct task_copy c = {0};
	cr_assert_eq(store_get_task(s, "old", copy_task, &c, NULL), -ENOENT,
		     "an exited task with nothing left goes");
	cr_assert_eq(store_get_task(s, "ancient-kill", copy_task, &c, NULL), -ENOENT);
	c = get_task(s, "mid");
	free(c.profile_text);
	struct counts counts = task_counts(s, "mid");
	cr_assert_eq(counts.n, 2, "the old LOG count went; ERRNO and KILL counts stay");
	counts = task_counts(s, "new");
	cr_assert_eq(counts.n, 2);
	cr_assert_eq(losses_in(s, 0, UINT64_MAX).n, 1);
	cr_assert_eq(stats_of(s).processes, 1, "mid's process; old's went with it");
	/* A second pass finds nothing more. */
	cr_assert_eq(store_maintain(s, now, &res, NULL), 0);
	cr_assert_eq(res.events + res.kills + res.tasks + res.counts, 0);
	store_close(s);
	assert_consistent(t.db);
	tmp_remove(&t);
}

static void fill_denials(struct store *s, size_t n, uint64_t t0)
{
	struct batch b;
	batch_init(&b, 1000);
	for (size_t done = 0; done < n; done += 1000) {
		for (size_t i = 0; i < 1000; i++)
			batch_set(&b, i, "noisy",
				  make_event(50, (int32_t)(i % 300), ERRNO, t0 + done + i));
		put_ok(s, b.refs, 1000);
	}
	batch_free(&b);
}

Test(retention, by_size_evicts_denials_before_kills, .timeout = 120)
{
	struct tmp t;
	tmp_make(&t);
	struct store_options o;
	store_options_init(&o);
	o.max_age_ns = o.kill_max_age_ns = 0;
	o.max_bytes = 1 << 20;
	o.max_rows_per_key = 0;
	struct store *s = open_with(t.db, &o);
	enum { KILLS = 3000 };
	struct batch kills;
	batch_init(&kills, KILLS);
	for (size_t i = 0; i < KILLS; i++)
		batch_set(&kills, i, "victim",
			  make_event(40 + (int32_t)i, NR_PTRACE, KILL, T0 + i));
	put_ok(s, kills.refs, KILLS);
	batch_free(&kills);
	put_one(s, "logger", make_event(60, NR_OPENAT, LOG, T0 + KILLS));
	fill_denials(s, 20000, T0 + KILLS + 1);
	uint64_t used = stats_of(s).used_bytes;
	cr_assert_gt(used, 2u << 20, "the test must overflow max_bytes: %llu",
		     (unsigned long long)used);

	struct store_maintain_result res;
	struct store_error err = {{0}};
	cr_assert_eq(store_maintain(s, T0 + HOUR, &res, &err), 0, "%s", err.message);
	struct store_stats st = stats_of(s);
	cr_assert_leq(st.used_bytes, 1u << 20, "used %llu", (unsigned long long)st.used_bytes);
	cr_assert_eq(res.kills, 0);
	cr_assert_eq(st.kills, KILLS, "every kill survives");
	cr_assert_eq(res.counts, 1, "the LOG count went first");
	cr_assert_gt(res.events, 10000);
	struct stat file;
	cr_assert_eq(stat(t.db, &file), 0);
	cr_assert_leq(file.st_size, 2 << 20, "freed pages went back to the filesystem");

	/* Reports learn evidence went missing, and when. */
	struct losses ls = losses_in(s, 0, UINT64_MAX);
	cr_assert_eq(ls.n, 1);
	cr_assert_eq(ls.l[0].kind, STORE_LOSS_EVICTED);
	cr_assert_eq(ls.l[0].records, res.events);
	cr_assert_eq(ls.l[0].first_ns, T0 + KILLS + 1, "the oldest denials went first");
	uint64_t denials = 20000 - res.events;
	cr_assert_eq(count_all_events(s), KILLS + denials);
	struct rows rows = {0};
	cr_assert_eq(events_since(s, st.last_event_id - 1, 0, &rows), 1, "the newest stays");
	rows_clear(&rows);
	store_close(s);

	/* Denials all gone, and still too big: the oldest kills go, last resort. */
	o.max_bytes = 256 << 10;
	s = open_with(t.db, &o);
	cr_assert_eq(store_maintain(s, T0 + HOUR, &res, &err), 0, "%s", err.message);
	cr_assert_eq(res.events, denials, "every denial before any kill");
	cr_assert_gt(res.kills, 0);
	cr_assert_lt(res.kills, KILLS);
	st = stats_of(s);
	cr_assert_leq(st.used_bytes, 256 << 10);
	cr_assert_eq(st.kills, KILLS - res.kills);
	cr_assert_eq(events_since(s, 0, 1, &rows), 1);
	cr_assert_eq(rows.first.event.code, KILL);
	cr_assert_eq(rows.first.event.pid, 40 + (int32_t)res.kills, "oldest kills first");
	rows_clear(&rows);
	store_close(s);
	assert_consistent(t.db);
	tmp_remove(&t);
}

/* ---- a full disk ---------------------------------------------------------------------------- */

static void mount_tmpfs(struct tmp *t, const char *size)
{
	if (geteuid() != 0)
		cr_skip_test("mounting a tmpfs needs root");
	tmp_make(t);
	char opts[64];
	snprintf(opts, sizeof(opts), "size=%s,mode=0700", size);
	cr_assert_eq(mount("sigsys-test", t->dir, "tmpfs", MS_NOSUID | MS_NODEV, opts), 0,
		     "mount tmpfs: %s", strerror(errno));
	mounted = true;
}

static void unmount_tmpfs(struct tmp *t)
{
	cr_assert_eq(umount2(t->dir, MNT_DETACH), 0, "umount: %s", strerror(errno));
	mounted = false;
	tmp_remove(t);
}

/* Fill the filesystem with a file of someone else's, then give back `room` bytes. */
static void fill_disk(const char *path, off_t room)
{
	static char block[64 << 10];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	cr_assert_geq(fd, 0);
	size_t size = sizeof(block);
	while (size) {
		ssize_t w = write(fd, block, size);
		if (w < 0 && errno == ENOSPC)
			size /= 2;
		else
			cr_assert_gt(w, 0, "write: %s", strerror(errno));
	}
	off_t end = lseek(fd, 0, SEEK_END);
	cr_assert_eq(ftruncate(fd, end > room ? end - room : 0), 0);
	close(fd);
}

Test(full, reported_kills_first_and_recovered, .timeout = 120)
{
	struct tmp t;
	mount_tmpfs(&t, "4m");
	struct store_options o;
	store_options_init(&o);
	o.max_rows_per_key = 0;
	o.reserve_bytes = 1 << 20;
	struct store *s = open_with(t.db, &o);
	put_one(s, "victim", make_event(70, NR_PTRACE, KILL, T0));
	fill_denials(s, 1000, T0 + 1);

	char ballast[160];
	snprintf(ballast, sizeof(ballast), "%s/ballast", t.dir);
	fill_disk(ballast, 300 << 10); /* room for a few kills, not for 10 000 denials */

	struct batch b;
	batch_init(&b, 10001);
	for (size_t i = 0; i < 10000; i++)
		batch_set(&b, i, "late", make_event(80, (int32_t)(i % 300), ERRNO, T0 + 5000 + i));
	struct store_put_result res;
	struct store_error err = {{0}};
	cr_assert_eq(store_put_events(s, b.refs, 10000, &res, &err), -ENOSPC, "%s", err.message);
	struct store_health h;
	store_health(s, &h);
	cr_assert(h.full);
	cr_assert_geq(h.full_count, 1);
	cr_assert_eq(h.last_error, -ENOSPC);
	cr_assert_gt(h.last_full_ns, 0);
	cr_assert_eq(count_all_events(s), 1001, "it still reads, and evicted nothing for denials");

	/* A kill in a batch of denials goes in alone; the denials wait. */
	batch_set(&b, 10000, "victim2", make_event(90, NR_PTRACE, KILL, T0 + 20000));
	int r = store_put_events(s, b.refs, 10001, &res, &err);
	cr_assert_eq(r, 1, "%d %s", r, err.message);
	cr_assert_eq(res.deferred, 10000);
	cr_assert_eq(res.rows, 1);
	store_health(s, &h);
	cr_assert(h.full, "not everything was stored: still full");
	cr_assert(h.reserve);
	cr_assert_eq(h.reserve_spent, 0, "a kill that fits alone leaves the reserve alone");

	/* Space returns: the retry goes through. */
	cr_assert_eq(unlink(ballast), 0);
	r = store_put_events(s, b.refs, 10000, &res, &err);
	cr_assert_eq(r, 10000, "%d %s", r, err.message);
	store_health(s, &h);
	cr_assert(!h.full);
	cr_assert_eq(h.last_error, 0);
	struct store_stats st = stats_of(s);
	cr_assert_eq(st.kills, 2);
	cr_assert_eq(count_all_events(s), 2 + 1000 + 10000, "every acknowledged event is there");
	cr_assert_eq(losses_in(s, 0, UINT64_MAX).n, 0, "nothing was evicted");
	batch_free(&b);
	store_close(s);
	assert_consistent(t.db);
	unmount_tmpfs(&t);
}

Test(full, kills_take_the_room_of_old_denials, .timeout = 120)
{
	struct tmp t;
	mount_tmpfs(&t, "4m");
	struct store_options o;
	store_options_init(&o);
	o.max_rows_per_key = 0;
	o.max_bytes = 0;
	o.reserve_bytes = 1 << 20;
	struct store *s = open_with(t.db, &o);
	put_one(s, "first", make_event(100, NR_PTRACE, KILL, T0));

	/* The store itself fills the disk with denials. */
	struct batch b;
	batch_init(&b, 1000);
	uint64_t acked = 1, clock = T0 + 1;
	int r = 0;
	for (int round = 0; round < 200 && r >= 0; round++) {
		for (size_t i = 0; i < 1000; i++)
			batch_set(&b, i, "noisy",
				  make_event(101, (int32_t)(i % 300), ERRNO, clock++));
		r = store_put_events(s, b.refs, 1000, NULL, NULL);
		acked += r > 0 ? (uint64_t)r : 0;
	}
	cr_assert_eq(r, -ENOSPC, "4 MiB must fill up");

	/* Now kills arrive, batch after batch: every one must be acknowledged. */
	uint64_t kills = 1;
	for (int round = 0; round < 30; round++) {
		for (size_t i = 0; i < 200; i++)
			batch_set(&b, i, "victims",
				  make_event(200 + (int32_t)i, NR_PTRACE, KILL, clock++));
		struct store_error err = {{0}};
		r = store_put_events(s, b.refs, 200, NULL, &err);
		cr_assert_eq(r, 200, "kill batch %d: %d %s", round, r, err.message);
		kills += 200;
		acked += 200;
	}
	struct store_stats st = stats_of(s);
	cr_assert_eq(st.kills, kills, "every kill is kept");
	struct losses ls = losses_in(s, 0, UINT64_MAX);
	uint64_t evicted = 0;
	for (int i = 0; i < ls.n && i < 8; i++) {
		cr_assert_eq(ls.l[i].kind, STORE_LOSS_EVICTED);
		evicted += ls.l[i].records;
	}
	cr_assert_gt(evicted, 0, "room was made by evicting denials");
	struct store_health h;
	store_health(s, &h);
	cr_assert(h.reserve, "the reserve was won back from denials");
	cr_assert_geq(h.reserve_spent, 1);
	cr_assert_geq(h.full_count, 2);
	cr_assert_eq(count_all_events(s), acked - evicted,
		     "every acknowledged event is there or accounted for as evicted");
	struct rows rows = {0};
	cr_assert_eq(events_since(s, 0, 1, &rows), 1);
	cr_assert_str_eq(rows.first_task, "first", "the oldest kill was not evicted");
	rows_clear(&rows);
	batch_free(&b);
	store_close(s);
	assert_consistent(t.db);
	unmount_tmpfs(&t);
}

/* Without a reserve, a full disk costs nothing already stored. */
Test(full, without_a_reserve_nothing_is_evicted, .timeout = 60)
{
	struct tmp t;
	mount_tmpfs(&t, "4m");
	struct store_options o;
	store_options_init(&o);
	o.max_rows_per_key = 0;
	o.reserve_bytes = 0;
	struct store *s = open_with(t.db, &o);
	fill_denials(s, 1000, T0);
	char ballast[160];
	snprintf(ballast, sizeof(ballast), "%s/ballast", t.dir);
	fill_disk(ballast, 200 << 10); /* room to evict denials, not for 2000 kills */
	struct batch b;
	batch_init(&b, 2000);
	for (size_t i = 0; i < 2000; i++)
		batch_set(&b, i, "victims",
			  make_event(300 + (int32_t)i, NR_PTRACE, KILL, T0 + 5000 + i));
	cr_assert_eq(store_put_events(s, b.refs, 2000, NULL, NULL), -ENOSPC);
	struct store_health h;
	store_health(s, &h);
	cr_assert(h.full);
	cr_assert(!h.reserve);
	cr_assert_eq(h.reserve_spent, 0);
	cr_assert_eq(losses_in(s, 0, UINT64_MAX).n, 0, "no denial was evicted");
	cr_assert_eq(count_all_events(s), 1000);
	cr_assert_eq(unlink(ballast), 0);
	cr_assert_eq(store_put_events(s, b.refs, 2000, NULL, NULL), 2000);
	batch_free(&b);
	store_close(s);
	assert_consistent(t.db);
	unmount_tmpfs(&t);
}

/* ---- a second connection ------------------------------------------------------------------ */

struct interleave {
	struct store *writer;
	struct batch *more;
	size_t seen;
	int put;
};

/* While the reader is in the middle of its query, the writer commits more. */
static int write_while_reading(const struct store_event_row *e, void *userdata)
{
	struct interleave *x = userdata;
	(void)e;
	if (x->seen++ == 0)
		x->put = store_put_events(x->writer, x->more->refs, x->more->n, NULL, NULL);
	return 0;
}

Test(wal, a_reader_sees_commits_and_never_blocks_the_writer)
{
	struct tmp t;
	tmp_make(&t);
	struct store *w = open_default(t.db);
	struct store_options ro;
	store_options_init(&ro);
	ro.read_only = true;
	struct store *r = open_with(t.db, &ro);
	struct batch first, more;
	batch_init(&first, 10);
	batch_init(&more, 5);
	for (size_t i = 0; i < 10; i++)
		batch_set(&first, i, "w.1", make_event(1, NR_OPENAT, ERRNO, T0 + i));
	for (size_t i = 0; i < 5; i++)
		batch_set(&more, i, "w.1", make_event(1, NR_PTRACE, ERRNO, T0 + 100 + i));
	put_ok(w, first.refs, 10);

	struct rows rows = {0};
	cr_assert_eq(events_since(r, 0, 0, &rows), 10, "committed rows are visible at once");
	rows_clear(&rows);
	struct interleave x = {w, &more, 0, 0};
	int n = store_events_since(r, 0, 0, write_while_reading, &x, NULL);
	cr_assert_eq(x.put, 5, "the writer was not blocked by the reader");
	cr_assert_eq(n, 10, "the reader kept its snapshot");
	cr_assert_eq(events_since(r, 0, 0, &rows), 15, "its next query sees the new rows");
	rows_clear(&rows);
	cr_assert_eq(db_int(t.db, "SELECT count(*) FROM events"), 15);
	struct task_copy c = get_task(r, "w.1");
	free(c.profile_text);
	batch_free(&first);
	batch_free(&more);
	store_close(r);
	store_close(w);
	tmp_remove(&t);
}

static off_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : 0;
}

/* sigsysd's store: SQLite's automatic checkpoint is replaced by a thread of its own (never
 * inside a commit a notified task waits on). The WAL still gets copied into the database,
 * and closing — whose own commits come after the thread is gone — returns. */
Test(wal, a_background_checkpoint_still_copies_the_wal_and_closes)
{
	struct tmp t;
	char wal[160], task[32];
	tmp_make(&t);
	format_into(wal, sizeof(wal), "%s-wal", t.db);
	struct store_options o;
	store_options_init(&o);
	o.background_checkpoint = true;
	struct store *w = open_with(t.db, &o);
	off_t db_before = file_size(t.db);
	struct batch b;
	batch_init(&b, 1000);
	for (int round = 0; round < 20; round++) {
		format_into(task, sizeof(task), "ckpt.%d", round);
		for (size_t i = 0; i < b.n; i++)
			batch_set(&b, i, task,
				  make_event((int32_t)(100 + round), NR_OPENAT, ERRNO,
					     T0 + (uint64_t)round * 10000 + i));
		put_ok(w, b.refs, b.n);
	}
	/* The thread checkpoints while we wait: the database file grows by what it copied. */
	for (int i = 0; i < 500 && file_size(t.db) < db_before + (1 << 20); i++)
		usleep(20000);
	cr_expect_geq(file_size(t.db), db_before + (1 << 20),
		      "the WAL's pages reached the database file (%lld -> %lld bytes, WAL %lld)",
		      (long long)db_before, (long long)file_size(t.db), (long long)file_size(wal));
	batch_free(&b);
	store_close(w);
	cr_expect_eq(db_int(t.db, "SELECT count(*) FROM events"), 20000);
	assert_consistent(t.db);
	tmp_remove(&t);
}
