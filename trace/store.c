/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The store of sigsysd on SQLite. One writer handle (the daemon's store thread), any number
 * of reader handles; every statement prepared once at open. Events refer to tasks by an
 * integer row id (interned task ids: FACTS.md measured ~92k vs ~55k rows/s), and a batch of
 * events is one transaction whose per-(task, syscall, arch, action) counts are summed in
 * memory and written once per key: a LOG storm costs one counter update per batch.
 */
#include "store.h"
#include "store-checkpoint.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#define STORE_APPLICATION_ID 1397183321 /* 0x53475359, "SGSY": the file is a sigsys database */
#define STR_(x)		     #x
#define STR(x)		     STR_(x)
#define TASK_CACHE_SIZE	     64			   /* interned task ids, direct-mapped */
#define AGG_SLOTS	     (2 * STORE_BATCH_MAX) /* a power of two, at most half full */
#define MAINTAIN_BUDGET	     200000		   /* rows one store_maintain() call deletes */
#define AGE_CHUNK	     5000		   /* rows per transaction when deleting by age */
#define EVICT_CHUNK	     1000		   /* by size: finer, each chunk is measured */
#define REBUILD_ROUNDS	     64			   /* eviction rounds to win back the reserve */
#define KILL_EVICT_CHUNK     100  /* kills, by size: the last resort, in small steps */
#define TASK_CHUNK	     1000 /* stale tasks deleted per transaction */
#define STORE_SOURCE_MAX     16	  /* a loss source name: audit, bpf, store… */
#define LOG_ACTION	     SECCOMP_RET_LOG

/* ---- the schema ---------------------------------------------------------------------------- */

/*
 * Version 1. Times are CLOCK_REALTIME ns, except pid start times (ns since boot, the process
 * identity). Unsigned 64-bit values (ip, arguments) are stored as their two's complement.
 * Foreign keys are declared for readers and `PRAGMA foreign_key_check`, not enforced: the
 * check would cost a lookup per event on the hot path; retention deletes children itself.
 */
/* clang-format off */
static const char schema_v1[] =
"PRAGMA application_id = " STR(STORE_APPLICATION_ID) ";\n"
"-- One row per distinct profile text: 200 tasks under default.json store it once.\n"
"CREATE TABLE profiles (\n"
"  id INTEGER PRIMARY KEY,\n"
"  digest TEXT NOT NULL UNIQUE,        -- sha256:<hex> of the canonical JSON\n"
"  text TEXT NOT NULL,                 -- as launched, whatever the file says now\n"
"  first_seen_ns INTEGER NOT NULL\n"
") STRICT;\n"
"-- A task as registered, or known only from events attributed to it\n"
"-- (registered_ns NULL: the cgroup or the Mesos environment named it).\n"
"CREATE TABLE tasks (\n"
"  id INTEGER PRIMARY KEY,             -- what events refer to: an integer, not the text\n"
"  task_id TEXT NOT NULL UNIQUE,\n"
"  seen_ns INTEGER NOT NULL,\n"
"  registered_ns INTEGER,\n"
"  framework TEXT, app_id TEXT, job_id TEXT, run_id TEXT, container_id TEXT,\n"
"  agent_id TEXT,\n"
"  pid INTEGER, pid_start_ns INTEGER,  -- the registered process\n"
"  profile_name TEXT, profile INTEGER REFERENCES profiles(id),\n"
"  mode TEXT, caps INTEGER,\n"
"  exit_ns INTEGER, exit_status INTEGER, exit_signal INTEGER, core_dumped INTEGER\n"
") STRICT;\n"
"-- The report's lookups: restarts of an app, retries of a job run, --container, --pid;\n"
"-- the task's exit arrives as the exit of its registered process.\n"
"CREATE INDEX tasks_by_app ON tasks(app_id, seen_ns) WHERE app_id IS NOT NULL;\n"
"CREATE INDEX tasks_by_job ON tasks(job_id, run_id, seen_ns) WHERE job_id IS NOT NULL;\n"
"CREATE INDEX tasks_by_container ON tasks(container_id, seen_ns)\n"
"  WHERE container_id IS NOT NULL;\n"
"CREATE INDEX tasks_by_pid ON tasks(pid, pid_start_ns) WHERE pid IS NOT NULL;\n"
"-- Processes of tasks, from the proc connector: (pid, start) is the identity.\n"
"CREATE TABLE processes (\n"
"  pid INTEGER NOT NULL, start_ns INTEGER NOT NULL,\n"
"  task INTEGER NOT NULL REFERENCES tasks(id),\n"
"  parent_pid INTEGER, parent_start_ns INTEGER,\n"
"  seen_ns INTEGER NOT NULL, exec_ns INTEGER, comm TEXT, exe TEXT,\n"
"  exit_ns INTEGER, exit_status INTEGER, exit_signal INTEGER, core_dumped INTEGER,\n"
"  PRIMARY KEY (pid, start_ns)\n"
") STRICT, WITHOUT ROWID;\n"
"CREATE INDEX processes_by_task ON processes(task, seen_ns);\n"
"CREATE INDEX processes_by_exit ON processes(exit_ns) WHERE exit_ns IS NOT NULL;\n"
"-- One seccomp decision per row. AUTOINCREMENT: the id is the API's cursor and must\n"
"-- not restart when retention empties the table.\n"
"CREATE TABLE events (\n"
"  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
"  time_ns INTEGER NOT NULL,\n"
"  task INTEGER REFERENCES tasks(id),  -- NULL: unattributed\n"
"  container_id TEXT,\n"
"  pid INTEGER NOT NULL, pid_start_ns INTEGER, tid INTEGER NOT NULL,\n"
"  uid INTEGER NOT NULL, gid INTEGER NOT NULL,\n"
"  auid INTEGER NOT NULL, ses INTEGER NOT NULL,\n"
"  arch INTEGER NOT NULL, nr INTEGER NOT NULL, compat INTEGER NOT NULL,\n"
"  code INTEGER NOT NULL, action INTEGER NOT NULL, kill INTEGER NOT NULL,\n"
"  sig INTEGER NOT NULL, ip INTEGER NOT NULL, serial INTEGER NOT NULL,\n"
"  sources INTEGER NOT NULL, flags INTEGER NOT NULL,\n"
"  comm TEXT NOT NULL, exe TEXT NOT NULL, subj TEXT,\n"
"  a0 INTEGER, a1 INTEGER, a2 INTEGER, a3 INTEGER, a4 INTEGER, a5 INTEGER -- NULL: unknown\n"
") STRICT;\n"
"-- A task's events in order; unattributed rows stay out of the index.\n"
"CREATE INDEX events_by_task ON events(task, id) WHERE task IS NOT NULL;\n"
"-- Kills are rare and precious: their own small index, to merge what several sources\n"
"-- saw of one kill (a time window), to count them, and for retention, which deletes\n"
"-- them last, oldest first. No index on time for the rest: retention bisects the ids.\n"
"CREATE INDEX events_kills ON events(time_ns, pid) WHERE kill = 1;\n"
"-- Every event counted per (task, syscall, arch, action): LOG events only here, the\n"
"-- others here and (up to max_rows_per_key) in events. Task 0: unattributed.\n"
"CREATE TABLE event_counts (\n"
"  task INTEGER NOT NULL, nr INTEGER NOT NULL, arch INTEGER NOT NULL,\n"
"  action INTEGER NOT NULL,\n"
"  count INTEGER NOT NULL, rows_written INTEGER NOT NULL,\n"
"  first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL,\n"
"  pid INTEGER NOT NULL, comm TEXT NOT NULL, exe TEXT NOT NULL, -- the first occurrence\n"
"  PRIMARY KEY (task, nr, arch, action)\n"
") STRICT, WITHOUT ROWID;\n"
"CREATE INDEX event_counts_by_age ON event_counts(action, last_ns);\n"
"-- Where evidence may be missing, so that a report says so instead of guessing.\n"
"CREATE TABLE losses (\n"
"  id INTEGER PRIMARY KEY,\n"
"  source TEXT NOT NULL, kind TEXT NOT NULL,\n"
"  records INTEGER NOT NULL,           -- records known lost; 0: unknown\n"
"  reports INTEGER NOT NULL,           -- loss reports merged into the row\n"
"  first_serial INTEGER, last_serial INTEGER,\n"
"  first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL\n"
") STRICT;\n"
"CREATE INDEX losses_by_time ON losses(first_ns);\n"
"CREATE INDEX losses_by_source ON losses(source, kind, last_ns);\n";
/* clang-format on */

/* Version 2: the string arguments of notified calls (a JSON array, paths read from the
 * task's memory; NULL for sources without them and under sigsysd --redact). */
static const char schema_v2[] = "ALTER TABLE events ADD COLUMN strings TEXT;\n";

static const struct store_migration builtin_migrations[] = {
	{1, schema_v1},
	{2, schema_v2},
};

_Static_assert(ARRAY_SIZE(builtin_migrations) == STORE_SCHEMA_VERSION,
	       "one migration per schema version");

/* ---- statements ---------------------------------------------------------------------------- */

#define TASK_HEAD                                                                        \
	"SELECT t.task_id, t.seen_ns, t.registered_ns, t.framework, t.app_id, t.job_id," \
	" t.run_id, t.container_id, t.agent_id, t.pid, t.pid_start_ns, t.profile_name,"  \
	" p.digest, "
#define TASK_TAIL                                                                  \
	", t.mode, t.caps, t.exit_ns, t.exit_status, t.exit_signal, t.core_dumped" \
	" FROM tasks t LEFT JOIN profiles p ON p.id = t.profile "
#define TASK_LIST TASK_HEAD "NULL" TASK_TAIL
#define NEWEST	  " ORDER BY t.seen_ns DESC, t.id DESC LIMIT ?3"

#define EVENT_COLUMNS                                                                          \
	"e.id, e.time_ns, e.container_id, e.pid, e.pid_start_ns, e.tid, e.uid, e.gid, e.auid," \
	" e.ses, e.arch, e.nr, e.compat, e.code, e.sig, e.ip, e.serial, e.sources, e.flags,"   \
	" e.comm, e.exe, e.subj, e.a0, e.a1, e.a2, e.a3, e.a4, e.a5, e.strings"

#define PROC_EXIT_SET "exit_ns = ?3, exit_status = ?4, exit_signal = ?5, core_dumped = ?6"

enum stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_TASK_ID,
	ST_TASK_STUB,
	ST_PROFILE_PUT,
	ST_PROFILE_ID,
	ST_TASK_REGISTER,
	ST_PROC_CLAIM,
	ST_PROC_FORK,
	ST_PROC_FORK_INHERIT,
	ST_PROC_EXEC,
	ST_PROC_EXIT,
	ST_TASK_EXIT,
	ST_EVENT_INSERT,
	ST_CLAIM_KILLS,
	ST_KILL_FIND,
	ST_KILL_MERGE,
	ST_COUNT_ROWS,
	ST_Q_SURVIVOR,
	ST_COUNT_ADD,
	ST_LOSS_FIND,
	ST_LOSS_MERGE,
	ST_LOSS_INSERT,
	ST_Q_TASK,
	ST_Q_TASKS_APP,
	ST_Q_TASKS_JOB,
	ST_Q_TASKS_CONTAINER,
	ST_Q_TASKS_PID,
	ST_Q_PROCS,
	ST_Q_OPEN_PROCS,
	ST_Q_EVENTS,
	ST_Q_TASK_EVENTS,
	ST_Q_TASK_COUNTS,
	ST_Q_COUNTS,
	ST_Q_LOSSES,
	ST_Q_STATS,
	ST_Q_LOSS_TOTALS,
	ST_PAGES,
	ST_EVENT_ID_RANGE,
	ST_EVENT_AT,
	ST_DEL_EVENTS,
	ST_DEL_KILLS,
	ST_DEL_LOG_COUNTS,
	ST_DEL_ORPHAN_COUNTS,
	ST_DEL_LOSSES,
	ST_DEL_PROCS,
	ST_STALE_TASKS,
	ST_DEL_TASK_PROCS,
	ST_DEL_TASK_COUNTS,
	ST_DEL_TASK,
	ST_DEL_PROFILES,
	ST__COUNT,
};

static const char *const stmt_sql[ST__COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_TASK_ID] = "SELECT id FROM tasks WHERE task_id = ?1",
	[ST_TASK_STUB] = "INSERT INTO tasks(task_id, seen_ns) VALUES (?1, ?2) RETURNING id",
	[ST_PROFILE_PUT] = "INSERT INTO profiles(digest, text, first_seen_ns) VALUES (?1, ?2, ?3)"
			   " ON CONFLICT(digest) DO NOTHING",
	[ST_PROFILE_ID] = "SELECT id FROM profiles WHERE digest = ?1",
	/* A registration completes a bare task; a second one keeps the first's fields. */
	[ST_TASK_REGISTER] =
		"INSERT INTO tasks(task_id, seen_ns, registered_ns, framework, app_id, job_id,"
		" run_id, container_id, agent_id, pid, pid_start_ns, profile_name, profile, mode,"
		" caps) VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
		" ON CONFLICT(task_id) DO UPDATE SET seen_ns = min(seen_ns, excluded.seen_ns),"
		" registered_ns = excluded.registered_ns, framework = excluded.framework,"
		" app_id = excluded.app_id, job_id = excluded.job_id, run_id = excluded.run_id,"
		" container_id = coalesce(excluded.container_id, container_id),"
		" agent_id = excluded.agent_id, pid = excluded.pid,"
		" pid_start_ns = excluded.pid_start_ns, profile_name = excluded.profile_name,"
		" profile = excluded.profile, mode = excluded.mode, caps = excluded.caps"
		" WHERE registered_ns IS NULL",
	[ST_PROC_CLAIM] = "INSERT INTO processes(pid, start_ns, task, seen_ns)"
			  " VALUES (?1, ?2, ?3, ?4)"
			  " ON CONFLICT(pid, start_ns) DO UPDATE SET task = excluded.task",
	[ST_PROC_FORK] = "INSERT INTO processes(pid, start_ns, task, parent_pid, parent_start_ns,"
			 " seen_ns) VALUES (?1, ?2, ?6, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
	[ST_PROC_FORK_INHERIT] = "INSERT INTO processes(pid, start_ns, task, parent_pid,"
				 " parent_start_ns, seen_ns)"
				 " SELECT ?1, ?2, task, ?3, ?4, ?5 FROM processes"
				 " WHERE pid = ?3 AND start_ns = ?4 ON CONFLICT DO NOTHING",
	[ST_PROC_EXEC] = "UPDATE processes SET exec_ns = ?3, comm = ?4, exe = ?5"
			 " WHERE pid = ?1 AND start_ns = ?2",
	[ST_PROC_EXIT] = "UPDATE processes SET " PROC_EXIT_SET " WHERE pid = ?1 AND start_ns = ?2",
	[ST_TASK_EXIT] = "UPDATE tasks SET " PROC_EXIT_SET
			 " WHERE pid = ?1 AND pid_start_ns = ?2 AND registered_ns IS NOT NULL",
	[ST_EVENT_INSERT] =
		"INSERT INTO events(time_ns, task, container_id, pid, pid_start_ns, tid, uid, gid,"
		" auid, ses, arch, nr, compat, code, action, kill, sig, ip, serial, sources, flags,"
		" comm, exe, subj, a0, a1, a2, a3, a4, a5, strings) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
		" ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23,"
		" ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31)",
	/* A registration that arrived after its process's kill was stored unattributed. */
	[ST_CLAIM_KILLS] = "UPDATE events SET task = ?1, pid_start_ns = coalesce(pid_start_ns, ?3)"
			   " WHERE id IN (SELECT id FROM events INDEXED BY events_kills"
			   " WHERE kill = 1 AND time_ns >= ?4 AND pid = ?2 AND task IS NULL"
			   /* a reused pid's kill carries another start time */
			   " AND (pid_start_ns IS NULL OR abs(pid_start_ns - ?3) <= 20000000))",
	/* The same kill from another source: nearest in time, sources disjoint, threads not
	 * known to differ. */
	[ST_KILL_FIND] = "SELECT id FROM events INDEXED BY events_kills WHERE kill = 1 AND pid = ?1"
			 " AND time_ns BETWEEN ?2 AND ?3 AND nr = ?4 AND arch = ?5"
			 " AND (sources & ?6) = 0 AND (tid = 0 OR ?7 = 0 OR tid = ?7)"
			 " ORDER BY abs(time_ns - ?8) LIMIT 1",
	/* The union of what each source knew; audit's identity and code are exact. */
	[ST_KILL_MERGE] =
		"UPDATE events SET sources = sources | ?2, flags = flags | ?3,"
		" tid = CASE WHEN tid = 0 THEN ?4 ELSE tid END,"
		" ip = CASE WHEN ip = 0 THEN ?5 ELSE ip END,"
		" serial = CASE WHEN serial = 0 THEN ?6 ELSE serial END,"
		" code = CASE WHEN ?7 THEN ?8 ELSE code END,"
		" action = CASE WHEN ?7 THEN ?9 ELSE action END,"
		" uid = CASE WHEN ?7 THEN ?10 ELSE uid END, gid = CASE WHEN ?7 THEN ?11 ELSE gid "
		"END,"
		" auid = CASE WHEN ?7 THEN ?12 ELSE auid END, ses = CASE WHEN ?7 THEN ?13 ELSE ses "
		"END,"
		" sig = max(sig, ?14), task = coalesce(task, ?15),"
		" container_id = coalesce(container_id, ?16),"
		" pid_start_ns = coalesce(pid_start_ns, ?17),"
		" comm = CASE WHEN comm = '' THEN ?18 ELSE comm END,"
		" exe = CASE WHEN exe = '' THEN ?19 ELSE exe END, subj = coalesce(subj, ?20),"
		" a0 = coalesce(a0, ?21), a1 = coalesce(a1, ?22), a2 = coalesce(a2, ?23),"
		" a3 = coalesce(a3, ?24), a4 = coalesce(a4, ?25), a5 = coalesce(a5, ?26)"
		" WHERE id = ?1",
	[ST_COUNT_ROWS] = "SELECT rows_written FROM event_counts"
			  " WHERE task = ?1 AND nr = ?2 AND arch = ?3 AND action = ?4",
	[ST_COUNT_ADD] =
		"INSERT INTO event_counts(task, nr, arch, action, count, rows_written, first_ns,"
		" last_ns, pid, comm, exe) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
		" ON CONFLICT(task, nr, arch, action) DO UPDATE SET count = count + excluded.count,"
		" rows_written = rows_written + excluded.rows_written,"
		" first_ns = min(first_ns, excluded.first_ns),"
		" last_ns = max(last_ns, excluded.last_ns)",
	[ST_LOSS_FIND] = "SELECT id FROM losses WHERE source = ?1 AND kind = ?2"
			 " AND last_ns >= ?3 AND first_ns <= ?4 ORDER BY last_ns DESC LIMIT 1",
	[ST_LOSS_MERGE] = "UPDATE losses SET records = records + ?2, reports = reports + 1,"
			  " first_ns = min(first_ns, ?3), last_ns = max(last_ns, ?4),"
			  " first_serial = coalesce(first_serial, ?5),"
			  " last_serial = coalesce(?6, last_serial) WHERE id = ?1",
	[ST_LOSS_INSERT] =
		"INSERT INTO losses(source, kind, records, reports, first_serial,"
		" last_serial, first_ns, last_ns) VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, ?7)",
	[ST_Q_TASK] = TASK_HEAD "p.text" TASK_TAIL "WHERE t.task_id = ?1",
	/* The counts' primary key starts with the task: one lookup per task of the profile. */
	[ST_Q_SURVIVOR] = "SELECT t.task_id FROM tasks t JOIN event_counts c ON c.task = t.id"
			  " WHERE t.profile = (SELECT id FROM profiles WHERE digest = ?1)"
			  " AND t.exit_status = 0 AND t.task_id != ?6 AND c.nr = ?2"
			  " AND c.arch = ?3 AND c.action = ?4 AND c.comm = ?5"
			  " ORDER BY t.seen_ns DESC LIMIT 1",
	[ST_Q_TASKS_APP] = TASK_LIST "WHERE t.app_id = ?1 AND (?4 = 0 OR t.seen_ns <= ?4)" NEWEST,
	[ST_Q_TASKS_JOB] = TASK_LIST "WHERE t.job_id = ?1 AND (?2 IS NULL OR t.run_id = ?2)"
				     " AND (?4 = 0 OR t.seen_ns <= ?4)" NEWEST,
	[ST_Q_TASKS_CONTAINER] = TASK_LIST "WHERE t.container_id = ?1" NEWEST,
	[ST_Q_TASKS_PID] = TASK_LIST "WHERE t.id IN (SELECT task FROM processes WHERE pid = ?1)"
				     " OR t.pid = ?1" NEWEST,
	[ST_Q_PROCS] = "SELECT pid, start_ns, parent_pid, parent_start_ns, seen_ns, exec_ns, comm,"
		       " exe, exit_ns, exit_status, exit_signal, core_dumped FROM processes"
		       " WHERE task = ?1 ORDER BY seen_ns, pid LIMIT ?2",
	/* At start: what the previous run left running. No index on exit_ns IS NULL: a scan
	 * of a table retention keeps small, once per start. */
	[ST_Q_OPEN_PROCS] = "SELECT p.pid, p.start_ns, p.parent_pid, p.parent_start_ns, p.seen_ns,"
			    " p.exec_ns, p.comm, p.exe, p.exit_ns, p.exit_status, p.exit_signal,"
			    " p.core_dumped, t.task_id FROM processes p JOIN tasks t"
			    " ON t.id = p.task WHERE p.exit_ns IS NULL ORDER BY p.seen_ns LIMIT ?1",
	[ST_Q_EVENTS] =
		"SELECT " EVENT_COLUMNS ", t.task_id FROM events e"
		" LEFT JOIN tasks t ON t.id = e.task WHERE e.id > ?1 ORDER BY e.id LIMIT ?2",
	[ST_Q_TASK_EVENTS] = "SELECT " EVENT_COLUMNS " FROM events e WHERE e.task = ?1"
			     " AND e.id > ?2 ORDER BY e.id LIMIT ?3",
	[ST_Q_TASK_COUNTS] = "SELECT action, arch, nr, count, rows_written, first_ns, last_ns, pid,"
			     " comm, exe FROM event_counts WHERE task = ?1 ORDER BY first_ns"
			     " LIMIT 10000",
	[ST_Q_COUNTS] = "SELECT action, arch, nr, sum(count), sum(rows_written), min(first_ns),"
			" max(last_ns) FROM event_counts GROUP BY action, arch, nr LIMIT 10000",
	[ST_Q_LOSSES] = "SELECT source, kind, records, reports, first_serial, last_serial,"
			" first_ns, last_ns FROM losses WHERE first_ns <= ?2 AND last_ns >= ?1"
			" ORDER BY first_ns, id LIMIT ?3",
	[ST_Q_STATS] = "SELECT (SELECT count(*) FROM tasks),"
		       " (SELECT count(*) FROM tasks WHERE registered_ns IS NOT NULL),"
		       " (SELECT count(*) FROM processes),"
		       " (SELECT count(*) FROM events INDEXED BY events_kills WHERE kill = 1),"
		       " (SELECT coalesce(sum(count), 0) FROM event_counts),"
		       " (SELECT coalesce(sum(rows_written), 0) FROM event_counts),"
		       " (SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'events')",
	[ST_Q_LOSS_TOTALS] = "SELECT kind, sum(reports), sum(records) FROM losses GROUP BY kind",
	[ST_PAGES] = "SELECT p.page_count - f.freelist_count, s.page_size, f.freelist_count,"
		     " p.page_count FROM pragma_page_count() p, pragma_freelist_count() f,"
		     " pragma_page_size() s",
	[ST_EVENT_ID_RANGE] = "SELECT min(id), max(id) FROM events",
	[ST_EVENT_AT] = "SELECT id, time_ns FROM events WHERE id >= ?1 ORDER BY id LIMIT 1",
	[ST_DEL_EVENTS] = "DELETE FROM events WHERE id IN (SELECT id FROM events"
			  " WHERE kill = 0 AND id < ?1 ORDER BY id LIMIT ?2) RETURNING time_ns",
	[ST_DEL_KILLS] = "DELETE FROM events WHERE id IN (SELECT id FROM events INDEXED BY"
			 " events_kills WHERE kill = 1 AND time_ns < ?1 ORDER BY time_ns LIMIT ?2)"
			 " RETURNING time_ns",
	[ST_DEL_LOG_COUNTS] = "DELETE FROM event_counts WHERE (task, nr, arch, action) IN"
			      " (SELECT task, nr, arch, action FROM event_counts WHERE action = ?3"
			      " AND last_ns < ?1 ORDER BY last_ns LIMIT ?2)",
	[ST_DEL_ORPHAN_COUNTS] = "DELETE FROM event_counts WHERE (task, nr, arch, action) IN"
				 " (SELECT task, nr, arch, action FROM event_counts WHERE task = 0"
				 " AND last_ns < ?1 LIMIT ?2)",
	[ST_DEL_LOSSES] = "DELETE FROM losses WHERE id IN (SELECT id FROM losses"
			  " WHERE last_ns < ?1 LIMIT ?2)",
	[ST_DEL_PROCS] = "DELETE FROM processes WHERE (pid, start_ns) IN (SELECT pid, start_ns"
			 " FROM processes WHERE exit_ns < ?1 LIMIT ?2)",
	/* Exited (or never registered) before the cutoff, and no event left to explain. */
	[ST_STALE_TASKS] = "SELECT id FROM tasks WHERE coalesce(exit_ns,"
			   " CASE WHEN registered_ns IS NULL THEN seen_ns END) < ?1"
			   " AND NOT EXISTS (SELECT 1 FROM events WHERE task = tasks.id) LIMIT ?2",
	[ST_DEL_TASK_PROCS] = "DELETE FROM processes WHERE task = ?1",
	[ST_DEL_TASK_COUNTS] = "DELETE FROM event_counts WHERE task = ?1",
	[ST_DEL_TASK] = "DELETE FROM tasks WHERE id = ?1",
	[ST_DEL_PROFILES] = "DELETE FROM profiles WHERE NOT EXISTS"
			    " (SELECT 1 FROM tasks WHERE profile = profiles.id)",
};

/* ---- the handle ----------------------------------------------------------------------------- */

struct task_cache_entry {
	int64_t id; /* 0: empty */
	char task_id[STORE_ID_MAX + 1];
};

/* The counts of one batch, per (task, syscall, arch, action), before they are written. */
struct agg_slot {
	int64_t task;
	int32_t nr;
	uint32_t arch, action;
	uint32_t gen; /* the slot is used in this batch when gen == agg.gen */
	bool loaded;  /* rows_before read from the database */
	uint64_t count, rows_added, rows_before;
	uint64_t first_ns, last_ns;
	const struct seccomp_event *first;
};

struct agg {
	struct agg_slot *slots; /* AGG_SLOTS */
	uint32_t *used;		/* indexes of this batch's slots, in first-seen order */
	size_t n_used;
	uint32_t gen;
};

struct store {
	sqlite3 *db;
	char *path;
	struct store_options opts;
	sqlite3_stmt *stmt[ST__COUNT];
	struct task_cache_entry *tasks; /* TASK_CACHE_SIZE */
	struct agg agg;
	struct store_health health;
	int64_t checkpoint_pages; /* the WAL's size, in pages, that asks for a checkpoint */
	struct store_checkpointer *checkpointer; /* NULL: SQLite's automatic checkpoints */
};

/* ---- errors ----------------------------------------------------------------------------- */

_printf_(2, 3) static int fail(struct store_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return 0;
}

/* A full disk shows as SQLITE_FULL, or as an I/O error whose errno is ENOSPC (the -shm). */
static int errno_of(int rc, int sys_errno)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_IOERR:
		return sys_errno == ENOSPC || sys_errno == EDQUOT ? -ENOSPC : -EIO;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_TOOBIG:
		return -E2BIG;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_NOTADB:
		return -EINVAL;
	case SQLITE_CANTOPEN:
		return sys_errno ? -sys_errno : -EIO;
	default:
		return -EIO;
	}
}

static int sql_fail(struct store *s, int rc, const char *what, struct store_error *err)
{
	int r = errno_of(rc, sqlite3_system_errno(s->db));
	fail(err, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
	return r;
}

/* ---- statement helpers ---------------------------------------------------------------------- */

/*
 * Binding to a prepared statement of known arity with SQLITE_STATIC fails only on a
 * programming error (an index out of range), which the tests catch: results are not checked.
 */
static void bind_i64(sqlite3_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(st, i, v);
}

static void bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
	sqlite3_bind_int64(st, i, (int64_t)v);
}

/* 0 is "unknown" for ids and times that cannot be 0. */
static void bind_u64_or_null(sqlite3_stmt *st, int i, uint64_t v)
{
	if (v)
		sqlite3_bind_int64(st, i, (int64_t)v);
	else
		sqlite3_bind_null(st, i);
}

static void bind_text(sqlite3_stmt *st, int i, const char *text)
{
	if (text)
		sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* A bounded field of struct seccomp_event, not necessarily terminated. */
static void bind_field(sqlite3_stmt *st, int i, const char *field, size_t size)
{
	sqlite3_bind_text(st, i, field, (int)strnlen(field, size), SQLITE_STATIC);
}

static uint64_t col_u64(sqlite3_stmt *st, int i)
{
	return (uint64_t)sqlite3_column_int64(st, i);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static bool col_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL;
}

static void col_copy(sqlite3_stmt *st, int i, char *dst, size_t size)
{
	const char *text = col_text(st, i);
	snprintf(dst, size, "%s", text ? text : "");
}

/* Run a statement that returns no row. */
static int step_done(struct store *s, enum stmt id, struct store_error *err)
{
	sqlite3_stmt *st = s->stmt[id];
	int rc = sqlite3_step(st);
	int r = rc == SQLITE_DONE ? 0 : sql_fail(s, rc, stmt_sql[id], err);
	sqlite3_reset(st);
	return r;
}

/* Step a statement that returns at most one row: 1 with a row (reset it after reading), 0
 * without (reset already). */
static int step_row(struct store *s, enum stmt id, struct store_error *err)
{
	sqlite3_stmt *st = s->stmt[id];
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	int r = rc == SQLITE_DONE ? 0 : sql_fail(s, rc, stmt_sql[id], err);
	sqlite3_reset(st);
	return r;
}

/* Deliver every row of a prepared query to row_fn, which calls the user's callback. */
static int each_row(struct store *s, enum stmt id, int (*row_fn)(sqlite3_stmt *, void *), void *ctx,
		    struct store_error *err)
{
	sqlite3_stmt *st = s->stmt[id];
	int n = 0, r = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = row_fn(st, ctx);
		if (r)
			break;
		n++;
	}
	if (!r && rc != SQLITE_DONE)
		r = sql_fail(s, rc, stmt_sql[id], err);
	sqlite3_reset(st);
	return r < 0 ? r : n;
}

static uint32_t page_limit(uint32_t limit)
{
	return limit == 0 || limit > STORE_PAGE_MAX ? STORE_PAGE_MAX : limit;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- transactions and the writer's health ----------------------------------------------- */

static void task_cache_clear(struct store *s)
{
	if (s->tasks)
		memset(s->tasks, 0, TASK_CACHE_SIZE * sizeof(*s->tasks));
}

static void note_write(struct store *s, int r, const struct store_error *err)
{
	struct store_health *h = &s->health;
	if (r >= 0) {
		h->full = false;
		h->last_error = 0;
		h->last_message[0] = '\0';
		return;
	}
	h->last_error = r;
	snprintf(h->last_message, sizeof(h->last_message), "%.255s", err->message);
	if (r == -ENOSPC) {
		h->full = true;
		h->full_count++;
		h->last_full_ns = realtime_ns();
	}
}

/* Best effort: a checkpoint that cannot complete now is retried by the next one. */
static void checkpoint(struct store *s, int mode)
{
	sqlite3_wal_checkpoint_v2(s->db, NULL, mode, NULL, NULL);
}

typedef int (*txn_fn)(struct store *s, void *ctx, struct store_error *err);

/* Run fn in one write transaction; roll back on any failure. Returns fn's result. */
static int with_transaction(struct store *s, txn_fn fn, void *ctx, struct store_error *err)
{
	int r = step_done(s, ST_BEGIN, err);
	if (r == 0) {
		r = fn(s, ctx, err);
		if (r >= 0) {
			int c = step_done(s, ST_COMMIT, err);
			if (c < 0)
				r = c;
		}
	}
	if (r < 0 && !sqlite3_get_autocommit(s->db)) {
		sqlite3_step(s->stmt[ST_ROLLBACK]);
		sqlite3_reset(s->stmt[ST_ROLLBACK]);
	}
	if (r < 0)
		task_cache_clear(s); /* it may name tasks the rollback removed */
	note_write(s, r, err);
	return r;
}

static int check_writer(const struct store *s, struct store_error *err)
{
	if (s->opts.read_only) {
		fail(err, "%s: opened read-only", s->path);
		return -EROFS;
	}
	return 0;
}

/* ---- opening, migrations -------------------------------------------------------------------- */

void store_options_init(struct store_options *o)
{
	*o = (struct store_options){
		.busy_timeout_ms = 5000,
		.max_age_ns = 7ull * 24 * 3600 * 1000000000ull,
		.kill_max_age_ns = 90ull * 24 * 3600 * 1000000000ull,
		.max_bytes = 1ull << 30,
		.max_rows_per_key = 1000,
		.kill_merge_ns = 2000000000ull,
		.reserve_bytes = 4u << 20,
	};
}

static int exec_sql(struct store *s, const char *sql, struct store_error *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : sql_fail(s, rc, sql, err);
}

static int pragma_int(struct store *s, const char *sql, int64_t *ret, struct store_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*ret = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
	}
	int r = rc == SQLITE_OK ? 0 : sql_fail(s, rc, sql, err);
	sqlite3_finalize(st);
	return r;
}

/* A sigsys database, or an empty file we may make one. Returns its schema version. */
static int read_identity(struct store *s, int64_t *ret_version, struct store_error *err)
{
	int64_t app_id, version, objects;
	int r = pragma_int(s, "PRAGMA application_id", &app_id, err);
	if (r == -EINVAL || r == -EIO) {
		fail(err, "%s: not a sigsys database (not SQLite, or damaged)", s->path);
		return -EINVAL;
	}
	if (r < 0)
		return r;
	r = pragma_int(s, "PRAGMA user_version", &version, err);
	if (r == 0)
		r = pragma_int(s, "SELECT count(*) FROM sqlite_schema", &objects, err);
	if (r < 0)
		return r;
	bool empty = app_id == 0 && version == 0 && objects == 0;
	if (app_id != STORE_APPLICATION_ID && !empty) {
		fail(err, "%s: not a sigsys database (application_id %#llx): refusing to touch it",
		     s->path, (unsigned long long)app_id);
		return -EINVAL;
	}
	*ret_version = version;
	return 0;
}

/*
 * A checkpoint copies the WAL into the database file, which may have to grow by as much: on
 * a full disk only the reserve can pay for it. So the WAL is checkpointed before it holds
 * half the reserve (SQLite's default, 1000 pages, without one).
 */
static int set_autocheckpoint(struct store *s, struct store_error *err)
{
	int64_t page_size, pages = 1000;
	int r = pragma_int(s, "PRAGMA page_size", &page_size, err);
	if (r < 0)
		return r;
	if (s->opts.reserve_bytes && page_size > 0) {
		pages = (int64_t)(s->opts.reserve_bytes / 2 / (uint64_t)page_size);
		pages = pages < 64 ? 64 : pages > 1000 ? 1000 : pages;
	}
	char sql[64];
	s->checkpoint_pages = pages;
	snprintf(sql, sizeof(sql), "PRAGMA wal_autocheckpoint = %lld", (long long)pages);
	return exec_sql(s, sql, err);
}

static int configure(struct store *s, struct store_error *err)
{
	static const char writer[] = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
				     "PRAGMA foreign_keys = OFF; PRAGMA temp_store = MEMORY;"
				     "PRAGMA journal_size_limit = 4194304;"
				     "PRAGMA cache_size = -16384;";
	sqlite3_busy_timeout(
		s->db,
		(int)(s->opts.busy_timeout_ms > INT_MAX ? INT_MAX : s->opts.busy_timeout_ms));
	if (s->opts.read_only)
		return exec_sql(s, "PRAGMA query_only = 1", err);
	int r = exec_sql(s, writer, err);
	if (r == 0)
		r = set_autocheckpoint(s, err);
	if (r < 0)
		return r;
	int64_t wal = 0;
	/* journal_mode answers with the mode it got: anything but WAL is a failure. */
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		wal = col_text(st, 0) && strcmp(col_text(st, 0), "wal") == 0;
	sqlite3_finalize(st);
	if (!wal) {
		fail(err, "%s: cannot switch to WAL mode (a filesystem without shared memory?)",
		     s->path);
		return -EIO;
	}
	return 0;
}

static const struct store_migration *migration_at(const struct store *s, size_t i)
{
	if (i < ARRAY_SIZE(builtin_migrations))
		return &builtin_migrations[i];
	return &s->opts.extra_migrations[i - ARRAY_SIZE(builtin_migrations)];
}

/* One step in one transaction with the version bump: a failed step leaves the old version. */
static int migrate_step(struct store *s, const struct store_migration *m, struct store_error *err)
{
	int r = exec_sql(s, "BEGIN IMMEDIATE", err);
	if (r < 0)
		return r;
	int64_t now;
	r = pragma_int(s, "PRAGMA user_version", &now, err);
	if (r == 0 && now == m->version - 1) { /* else another writer got there first */
		char bump[64];
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", m->version);
		r = exec_sql(s, m->sql, err);
		if (r == 0)
			r = exec_sql(s, bump, err);
		if (r < 0) {
			struct store_error why = *err;
			fail(err,
			     "%.128s: migrating the schema to version %d failed, still at %d: "
			     "%.300s",
			     s->path, m->version, m->version - 1, why.message);
		}
	}
	if (r == 0)
		r = exec_sql(s, "COMMIT", err);
	if (r < 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

static int migrate(struct store *s, int64_t version, struct store_error *err)
{
	size_t n = ARRAY_SIZE(builtin_migrations) + s->opts.n_extra_migrations;
	for (size_t i = 0; i < n; i++)
		if (migration_at(s, i)->version != (int)i + 1 || !migration_at(s, i)->sql) {
			fail(err, "schema step %zu: version %d, expected %zu", i,
			     migration_at(s, i)->version, i + 1);
			return -EINVAL;
		}
	if (version > (int64_t)n) {
		fail(err,
		     "%s: schema version %lld is newer than this sigsys knows (%zu):"
		     " use the sigsys that wrote it, or another database",
		     s->path, (long long)version, n);
		return -ENOTSUP;
	}
	if (version == (int64_t)n)
		return 0;
	if (s->opts.read_only) {
		fail(err,
		     "%s: schema version %lld is older than %zu: start sigsysd once to"
		     " migrate it",
		     s->path, (long long)version, n);
		return -ENOTSUP;
	}
	for (size_t i = (size_t)version; i < n; i++) {
		int r = migrate_step(s, migration_at(s, i), err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int prepare_all(struct store *s, struct store_error *err)
{
	for (int i = 0; i < ST__COUNT; i++) {
		int rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
					    &s->stmt[i], NULL);
		if (rc != SQLITE_OK)
			return sql_fail(s, rc, stmt_sql[i], err);
	}
	return 0;
}

/* The database holds what tasks did, arguments included: readable by its owner only. SQLite
 * gives its WAL and -shm files the database's mode, so an existing file open to others is
 * closed first; one of another user (who could rewrite the evidence) is refused. */
static int create_private(const char *path, struct store_error *err)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		int r = -errno;
		fail(err, "%s: %s", path, strerror(-r));
		return r;
	}
	int r = fstat(fd, &st) < 0 ? -errno : 0;
	if (r == 0 && st.st_uid != geteuid()) {
		r = -EPERM;
		fail(err, "%s belongs to uid %u, not to this user: refused", path,
		     (unsigned)st.st_uid);
	} else if (r < 0 || ((st.st_mode & 0077) && fchmod(fd, st.st_mode & 0700) < 0)) {
		r = -errno;
		fail(err, "%s: %s", path, strerror(-r));
	}
	close(fd);
	return r;
}

static int open_db(struct store *s, struct store_error *err)
{
	int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
		    (s->opts.read_only ? SQLITE_OPEN_READONLY
				       : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	if (!s->opts.read_only) {
		int r = create_private(s->path, err);
		if (r < 0)
			return r;
	} else if (access(s->path, F_OK) < 0) {
		int r = -errno;
		fail(err, "%s: %s", s->path, strerror(-r));
		return r;
	}
	int rc = sqlite3_open_v2(s->path, &s->db, flags, NULL);
	if (rc != SQLITE_OK)
		return s->db ? sql_fail(s, rc, "open", err)
			     : (fail(err, "%s: out of memory", s->path), -ENOMEM);
	return 0;
}

static int validate_options(const struct store_options *o, struct store_error *err)
{
	if (o->n_extra_migrations && !o->extra_migrations) {
		fail(err, "extra_migrations is NULL");
		return -EINVAL;
	}
	if (o->kill_merge_ns > 60000000000ull) {
		fail(err, "kill_merge_ns %llu: at most 60 s", (unsigned long long)o->kill_merge_ns);
		return -EINVAL;
	}
	return 0;
}

static int alloc_writer(struct store *s, struct store_error *err)
{
	s->tasks = calloc(TASK_CACHE_SIZE, sizeof(*s->tasks));
	s->agg.slots = calloc(AGG_SLOTS, sizeof(*s->agg.slots));
	s->agg.used = calloc(STORE_BATCH_MAX, sizeof(*s->agg.used));
	if (!s->tasks || !s->agg.slots || !s->agg.used) {
		fail(err, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* The reserve: disk space held in a file of our own, given up when kills find the disk
 * full, so that they can still be stored. */
static void reserve_path(const struct store *s, char *buf, size_t size)
{
	snprintf(buf, size, "%s-reserve", s->path);
}

static bool reserve_take(struct store *s)
{
	char path[PATH_MAX];
	if (!s->opts.reserve_bytes || s->health.reserve)
		return s->health.reserve;
	reserve_path(s, path, sizeof(path));
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return false;
	bool ok = posix_fallocate(fd, 0, (off_t)s->opts.reserve_bytes) == 0;
	close(fd);
	if (!ok) /* what it got is the filesystem's again */
		unlink(path);
	s->health.reserve = ok;
	return ok;
}

static void reserve_release(struct store *s)
{
	char path[PATH_MAX];
	reserve_path(s, path, sizeof(path));
	unlink(path);
	s->health.reserve = false;
	s->health.reserve_spent++;
}

/* After every commit on the writer's connection (this replaces SQLite's automatic
 * checkpoint): wake the checkpointer once the WAL holds the pages that would have set one off. */
static int wal_committed(void *userdata, sqlite3 *db, const char *name, int pages)
{
	struct store *s = userdata;
	(void)db;
	(void)name;
	if (pages >= s->checkpoint_pages)
		store_checkpointer_poke(s->checkpointer);
	return SQLITE_OK;
}

/* Best effort: without the thread, SQLite's automatic checkpoint stays. */
static void start_checkpointer(struct store *s)
{
	if (store_checkpointer_start(s->path, &s->checkpointer) == 0)
		sqlite3_wal_hook(s->db, wal_committed, s);
}

int store_open(const char *path, const struct store_options *o, struct store **ret,
	       struct store_error *err)
{
	struct store_error local;
	struct store_options defaults;
	if (!err)
		err = &local;
	if (!o) {
		store_options_init(&defaults);
		o = &defaults;
	}
	if (!path || !*path || !ret) {
		fail(err, "store_open: no path");
		return -EINVAL;
	}
	int r = validate_options(o, err);
	if (r < 0)
		return r;
	struct store *s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		fail(err, "out of memory");
		return -ENOMEM;
	}
	s->opts = *o;
	int64_t version = 0;
	r = open_db(s, err);
	if (r == 0)
		r = read_identity(s, &version, err);
	/* Incremental vacuum gives deleted pages back to the filesystem; it can only be chosen
	 * before the first table, and before the switch to WAL writes the header. */
	if (r == 0 && version == 0 && !o->read_only)
		r = exec_sql(s, "PRAGMA auto_vacuum = INCREMENTAL", err);
	if (r == 0)
		r = configure(s, err);
	if (r == 0)
		r = migrate(s, version, err);
	if (r == 0)
		r = prepare_all(s, err);
	if (r == 0 && !o->read_only)
		r = alloc_writer(s, err);
	if (r == 0 && !o->read_only)
		reserve_take(s); /* best effort: a full disk at start is no reason not to run */
	if (r == 0 && !o->read_only && o->background_checkpoint)
		start_checkpointer(s);
	if (r < 0) {
		store_close(s);
		return r;
	}
	*ret = s;
	return 0;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->checkpointer) { /* the commits of closing (PRAGMA optimize) must not call it */
		sqlite3_wal_hook(s->db, NULL, NULL);
		store_checkpointer_stop(TAKE_PTR(s->checkpointer));
	}
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	if (s->db && !s->opts.read_only)
		sqlite3_exec(s->db, "PRAGMA optimize", NULL, NULL, NULL);
	sqlite3_close_v2(s->db);
	free(s->agg.slots);
	free(s->agg.used);
	free(s->tasks);
	free(s->path);
	free(s);
}

/* ---- tasks -------------------------------------------------------------------------------- */

static bool id_ok(const char *id)
{
	return !id || strnlen(id, STORE_ID_MAX + 1) <= STORE_ID_MAX;
}

static uint32_t hash_text(const char *text)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *text; text++)
		h = (h ^ (uint8_t)*text) * 16777619u;
	return h;
}

/* The row id of task_id, creating a bare task (known from an event) when it is new. */
static int task_resolve(struct store *s, const char *task_id, uint64_t seen_ns, int64_t *ret,
			struct store_error *err)
{
	struct task_cache_entry *c = &s->tasks[hash_text(task_id) & (TASK_CACHE_SIZE - 1)];
	if (c->id && strcmp(c->task_id, task_id) == 0) {
		*ret = c->id;
		return 0;
	}
	bind_text(s->stmt[ST_TASK_ID], 1, task_id);
	int r = step_row(s, ST_TASK_ID, err);
	enum stmt id = ST_TASK_ID;
	if (r == 0) {
		id = ST_TASK_STUB;
		bind_text(s->stmt[id], 1, task_id);
		bind_u64(s->stmt[id], 2, seen_ns);
		r = step_row(s, id, err);
		if (r == 0) {
			fail(err, "%s: no id for task \"%s\"", s->path, task_id);
			return -EIO;
		}
	}
	if (r < 0)
		return r;
	*ret = sqlite3_column_int64(s->stmt[id], 0);
	sqlite3_reset(s->stmt[id]);
	c->id = *ret;
	snprintf(c->task_id, sizeof(c->task_id), "%s", task_id);
	return 0;
}

static int task_validate(const struct store_task *t, struct store_error *err)
{
	if (!t || !t->task_id || !*t->task_id) {
		fail(err, "a task needs a task_id");
		return -EINVAL;
	}
	const char *ids[] = {t->task_id,      t->framework, t->app_id,	     t->job_id, t->run_id,
			     t->container_id, t->agent_id,  t->profile_name, t->mode};
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		if (!id_ok(ids[i])) {
			fail(err, "task \"%.64s…\": a field is longer than %d bytes", t->task_id,
			     STORE_ID_MAX);
			return -E2BIG;
		}
	if (!t->profile_digest != !t->profile_text) {
		fail(err, "task \"%s\": a profile digest and its text come together", t->task_id);
		return -EINVAL;
	}
	if (t->profile_digest &&
	    strnlen(t->profile_digest, STORE_DIGEST_MAX + 1) > STORE_DIGEST_MAX) {
		fail(err, "task \"%s\": profile digest too long", t->task_id);
		return -E2BIG;
	}
	if (t->profile_text &&
	    strnlen(t->profile_text, STORE_PROFILE_MAX + 1) > STORE_PROFILE_MAX) {
		fail(err, "task \"%s\": profile text larger than %u bytes", t->task_id,
		     STORE_PROFILE_MAX);
		return -E2BIG;
	}
	if (t->pid <= 0 || !t->registered_ns) {
		fail(err, "task \"%s\": pid %d, registered at %llu", t->task_id, t->pid,
		     (unsigned long long)t->registered_ns);
		return -EINVAL;
	}
	return 0;
}

static int profile_resolve(struct store *s, const struct store_task *t, int64_t *ret,
			   struct store_error *err)
{
	*ret = 0;
	if (!t->profile_digest)
		return 0;
	sqlite3_stmt *put = s->stmt[ST_PROFILE_PUT];
	bind_text(put, 1, t->profile_digest);
	bind_text(put, 2, t->profile_text);
	bind_u64(put, 3, t->registered_ns);
	int r = step_done(s, ST_PROFILE_PUT, err);
	if (r < 0)
		return r;
	bind_text(s->stmt[ST_PROFILE_ID], 1, t->profile_digest);
	r = step_row(s, ST_PROFILE_ID, err);
	if (r <= 0)
		return r < 0 ? r : -EIO;
	*ret = sqlite3_column_int64(s->stmt[ST_PROFILE_ID], 0);
	sqlite3_reset(s->stmt[ST_PROFILE_ID]);
	return 0;
}

static void bind_registration(sqlite3_stmt *st, const struct store_task *t, int64_t profile)
{
	bind_text(st, 1, t->task_id);
	bind_u64(st, 2, t->registered_ns);
	bind_text(st, 3, t->framework);
	bind_text(st, 4, t->app_id);
	bind_text(st, 5, t->job_id);
	bind_text(st, 6, t->run_id);
	bind_text(st, 7, t->container_id);
	bind_text(st, 8, t->agent_id);
	sqlite3_bind_int(st, 9, t->pid);
	bind_u64(st, 10, t->pid_start_ns);
	bind_text(st, 11, t->profile_name);
	if (profile)
		bind_i64(st, 12, profile);
	else
		sqlite3_bind_null(st, 12);
	bind_text(st, 13, t->mode);
	bind_u64(st, 14, t->caps);
}

/* Returns 0 when this registration defines the task, 1 when an earlier one did. */
static int task_register(struct store *s, void *ctx, struct store_error *err)
{
	const struct store_task *t = ctx;
	int64_t profile, task;
	int r = profile_resolve(s, t, &profile, err);
	if (r < 0)
		return r;
	bind_registration(s->stmt[ST_TASK_REGISTER], t, profile);
	r = step_done(s, ST_TASK_REGISTER, err);
	if (r < 0)
		return r;
	bool defined = sqlite3_changes(s->db) > 0; /* else an earlier registration did */
	bind_text(s->stmt[ST_TASK_ID], 1, t->task_id);
	r = step_row(s, ST_TASK_ID, err);
	if (r <= 0)
		return r < 0 ? r : -EIO;
	task = sqlite3_column_int64(s->stmt[ST_TASK_ID], 0);
	sqlite3_reset(s->stmt[ST_TASK_ID]);
	/* The registered process is the task's from now on, even inside another task. */
	sqlite3_stmt *st = s->stmt[ST_PROC_CLAIM];
	sqlite3_bind_int(st, 1, t->pid);
	bind_u64(st, 2, t->pid_start_ns);
	bind_i64(st, 3, task);
	bind_u64(st, 4, t->registered_ns);
	r = step_done(s, ST_PROC_CLAIM, err);
	return r < 0 ? r : !defined;
}

int store_put_task(struct store *s, const struct store_task *t, struct store_error *err)
{
	struct store_error local;
	if (!err)
		err = &local;
	int r = check_writer(s, err);
	if (r == 0)
		r = task_validate(t, err);
	if (r < 0)
		return r;
	return with_transaction(s, task_register, (void *)t, err);
}

/* ---- processes ---------------------------------------------------------------------------- */

/* Binds ?3..?6 of an exit: time, status, signal, core. False for a status that is no exit. */
static bool bind_exit(sqlite3_stmt *st, int wait_status, uint64_t time_ns)
{
	bind_u64(st, 3, time_ns);
	sqlite3_bind_null(st, 4);
	sqlite3_bind_null(st, 5);
	sqlite3_bind_null(st, 6);
	if (wait_status == STORE_WAIT_UNKNOWN)
		return true;
	if (WIFEXITED(wait_status)) {
		sqlite3_bind_int(st, 4, WEXITSTATUS(wait_status));
		sqlite3_bind_int(st, 6, 0);
		return true;
	}
	if (WIFSIGNALED(wait_status)) {
		sqlite3_bind_int(st, 5, WTERMSIG(wait_status));
		sqlite3_bind_int(st, 6, WCOREDUMP(wait_status) ? 1 : 0);
		return true;
	}
	return false;
}

static int proc_fork(struct store *s, const struct store_proc_event *p, struct store_error *err)
{
	enum stmt id = p->task_id ? ST_PROC_FORK : ST_PROC_FORK_INHERIT;
	sqlite3_stmt *st = s->stmt[id];
	if (p->task_id) {
		int64_t task;
		bind_text(s->stmt[ST_TASK_ID], 1, p->task_id);
		int r = step_row(s, ST_TASK_ID, err);
		if (r <= 0)
			return r; /* not a task the store knows */
		task = sqlite3_column_int64(s->stmt[ST_TASK_ID], 0);
		sqlite3_reset(s->stmt[ST_TASK_ID]);
		bind_i64(st, 6, task);
	}
	sqlite3_bind_int(st, 1, p->pid);
	bind_u64(st, 2, p->start_ns);
	sqlite3_bind_int(st, 3, p->parent_pid);
	bind_u64(st, 4, p->parent_start_ns);
	bind_u64(st, 5, p->time_ns);
	int r = step_done(s, id, err);
	return r < 0 ? r : sqlite3_changes(s->db);
}

static int proc_exec(struct store *s, const struct store_proc_event *p, struct store_error *err)
{
	sqlite3_stmt *st = s->stmt[ST_PROC_EXEC];
	sqlite3_bind_int(st, 1, p->pid);
	bind_u64(st, 2, p->start_ns);
	bind_u64(st, 3, p->time_ns);
	bind_text(st, 4, p->comm);
	bind_text(st, 5, p->exe);
	int r = step_done(s, ST_PROC_EXEC, err);
	return r < 0 ? r : sqlite3_changes(s->db);
}

static int proc_exit(struct store *s, const struct store_proc_event *p, struct store_error *err)
{
	int changed = 0;
	const enum stmt ids[] = {ST_PROC_EXIT, ST_TASK_EXIT};
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		sqlite3_stmt *st = s->stmt[ids[i]];
		sqlite3_bind_int(st, 1, p->pid);
		bind_u64(st, 2, p->start_ns);
		bind_exit(st, p->wait_status, p->time_ns);
		int r = step_done(s, ids[i], err);
		if (r < 0)
			return r;
		changed |= sqlite3_changes(s->db) > 0;
	}
	return changed;
}

struct proc_batch {
	const struct store_proc_event *evs;
	size_t n;
};

static int procs_write(struct store *s, void *ctx, struct store_error *err)
{
	const struct proc_batch *b = ctx;
	int changed = 0;
	for (size_t i = 0; i < b->n; i++) {
		const struct store_proc_event *p = &b->evs[i];
		int r = p->kind == STORE_PROC_FORK   ? proc_fork(s, p, err)
			: p->kind == STORE_PROC_EXEC ? proc_exec(s, p, err)
						     : proc_exit(s, p, err);
		if (r < 0)
			return r;
		changed += r > 0;
	}
	return changed;
}

static int proc_validate(const struct store_proc_event *p, struct store_error *err)
{
	if (p->kind > STORE_PROC_EXIT || p->pid <= 0) {
		fail(err, "process event: kind %d, pid %d", (int)p->kind, p->pid);
		return -EINVAL;
	}
	if (!id_ok(p->task_id) || !id_ok(p->comm) ||
	    (p->exe && strnlen(p->exe, PATH_MAX) >= PATH_MAX)) {
		fail(err, "process %d: a string is too long", p->pid);
		return -E2BIG;
	}
	if (p->kind == STORE_PROC_EXIT && p->wait_status != STORE_WAIT_UNKNOWN &&
	    !WIFEXITED(p->wait_status) && !WIFSIGNALED(p->wait_status)) {
		fail(err, "process %d: wait status %#x is not an exit", p->pid, p->wait_status);
		return -EINVAL;
	}
	return 0;
}

int store_put_procs(struct store *s, const struct store_proc_event *evs, size_t n,
		    struct store_error *err)
{
	struct store_error local;
	if (!err)
		err = &local;
	int r = check_writer(s, err);
	if (r < 0)
		return r;
	if (n > STORE_BATCH_MAX || (n && !evs)) {
		fail(err, "%zu process events: at most %d in one call", n, STORE_BATCH_MAX);
		return n > STORE_BATCH_MAX ? -E2BIG : -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if ((r = proc_validate(&evs[i], err)) < 0)
			return r;
	struct proc_batch b = {evs, n};
	return with_transaction(s, procs_write, &b, err);
}

/* ---- events: the counts of a batch ------------------------------------------------------ */

static uint32_t agg_hash(int64_t task, int32_t nr, uint32_t arch, uint32_t action)
{
	uint64_t h = (uint64_t)task * 0x9e3779b97f4a7c15ull;
	h ^= ((uint64_t)(uint32_t)nr << 32 | arch) * 0xc2b2ae3d27d4eb4full;
	h ^= (uint64_t)action * 0x165667b19e3779f9ull;
	return (uint32_t)(h ^ (h >> 29));
}

static void agg_begin(struct agg *a)
{
	if (++a->gen == 0) { /* wrapped: every slot would look used */
		memset(a->slots, 0, AGG_SLOTS * sizeof(*a->slots));
		a->gen = 1;
	}
	a->n_used = 0;
}

/* At most one key per event and STORE_BATCH_MAX events: the table is never over half full. */
static struct agg_slot *agg_find(struct agg *a, int64_t task, const struct seccomp_event *e)
{
	uint32_t action = seccomp_event_action(e);
	uint32_t i = agg_hash(task, e->nr, e->arch, action) & (AGG_SLOTS - 1);
	for (;; i = (i + 1) & (AGG_SLOTS - 1)) {
		struct agg_slot *slot = &a->slots[i];
		if (slot->gen != a->gen) {
			*slot = (struct agg_slot){.task = task,
						  .nr = e->nr,
						  .arch = e->arch,
						  .action = action,
						  .gen = a->gen,
						  .first = e,
						  .first_ns = e->time_ns,
						  .last_ns = e->time_ns};
			a->used[a->n_used++] = i;
			return slot;
		}
		if (slot->task == task && slot->nr == e->nr && slot->arch == e->arch &&
		    slot->action == action)
			return slot;
	}
}

static void agg_note(struct agg_slot *slot, const struct seccomp_event *e)
{
	slot->count++;
	if (e->time_ns < slot->first_ns) {
		slot->first_ns = e->time_ns;
		slot->first = e;
	}
	if (e->time_ns > slot->last_ns)
		slot->last_ns = e->time_ns;
}

/* Rows already written for the slot's key, read once per batch. */
static int agg_load(struct store *s, struct agg_slot *slot, struct store_error *err)
{
	if (slot->loaded)
		return 0;
	sqlite3_stmt *st = s->stmt[ST_COUNT_ROWS];
	bind_i64(st, 1, slot->task);
	sqlite3_bind_int(st, 2, slot->nr);
	bind_u64(st, 3, slot->arch);
	bind_u64(st, 4, slot->action);
	int r = step_row(s, ST_COUNT_ROWS, err);
	if (r < 0)
		return r;
	if (r > 0) {
		slot->rows_before = col_u64(st, 0);
		sqlite3_reset(st);
	}
	slot->loaded = true;
	return 0;
}

static int agg_flush(struct store *s, struct store_error *err)
{
	sqlite3_stmt *st = s->stmt[ST_COUNT_ADD];
	for (size_t i = 0; i < s->agg.n_used; i++) {
		const struct agg_slot *slot = &s->agg.slots[s->agg.used[i]];
		if (!slot->count)
			continue; /* every event of the key was a merged kill */
		bind_i64(st, 1, slot->task);
		sqlite3_bind_int(st, 2, slot->nr);
		bind_u64(st, 3, slot->arch);
		bind_u64(st, 4, slot->action);
		bind_u64(st, 5, slot->count);
		bind_u64(st, 6, slot->rows_added);
		bind_u64(st, 7, slot->first_ns);
		bind_u64(st, 8, slot->last_ns);
		sqlite3_bind_int(st, 9, slot->first->pid);
		bind_field(st, 10, slot->first->comm, sizeof(slot->first->comm));
		bind_field(st, 11, slot->first->exe, sizeof(slot->first->exe));
		int r = step_done(s, ST_COUNT_ADD, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- events: rows --------------------------------------------------------------------------- */

static void bind_args(sqlite3_stmt *st, int first, const struct seccomp_event *e)
{
	for (int i = 0; i < 6; i++)
		if (e->has_args)
			bind_u64(st, first + i, e->args[i]);
		else
			sqlite3_bind_null(st, first + i);
}

static void bind_task_ref(sqlite3_stmt *st, int i, int64_t task)
{
	if (task)
		bind_i64(st, i, task);
	else
		sqlite3_bind_null(st, i);
}

static void bind_subj(sqlite3_stmt *st, int i, const struct seccomp_event *e)
{
	if (e->flags & SECCOMP_EVENT_HAS_SUBJ)
		bind_field(st, i, e->subj, sizeof(e->subj));
	else
		sqlite3_bind_null(st, i);
}

static int event_insert(struct store *s, const struct store_event *se, int64_t task, bool kill,
			struct store_error *err)
{
	const struct seccomp_event *e = se->event;
	sqlite3_stmt *st = s->stmt[ST_EVENT_INSERT];
	bind_u64(st, 1, e->time_ns);
	bind_task_ref(st, 2, task);
	bind_text(st, 3, se->container_id);
	sqlite3_bind_int(st, 4, e->pid);
	bind_u64_or_null(st, 5, se->pid_start_ns);
	sqlite3_bind_int(st, 6, e->tid);
	bind_u64(st, 7, e->uid);
	bind_u64(st, 8, e->gid);
	bind_u64(st, 9, e->auid);
	bind_u64(st, 10, e->ses);
	bind_u64(st, 11, e->arch);
	sqlite3_bind_int(st, 12, e->nr);
	sqlite3_bind_int(st, 13, e->compat);
	bind_u64(st, 14, e->code);
	bind_u64(st, 15, seccomp_event_action(e));
	sqlite3_bind_int(st, 16, kill);
	sqlite3_bind_int(st, 17, e->sig);
	bind_u64(st, 18, e->ip);
	bind_u64(st, 19, e->serial);
	bind_u64(st, 20, e->sources);
	bind_u64(st, 21, e->flags);
	bind_field(st, 22, e->comm, sizeof(e->comm));
	bind_field(st, 23, e->exe, sizeof(e->exe));
	bind_subj(st, 24, e);
	bind_args(st, 25, e);
	bind_text(st, 31, se->strings);
	return step_done(s, ST_EVENT_INSERT, err);
}

/* The id of the row another source wrote for this kill, or 0. */
static int kill_find(struct store *s, const struct seccomp_event *e, int64_t *ret,
		     struct store_error *err)
{
	sqlite3_stmt *st = s->stmt[ST_KILL_FIND];
	uint64_t w = s->opts.kill_merge_ns;
	sqlite3_bind_int(st, 1, e->pid);
	bind_u64(st, 2, e->time_ns > w ? e->time_ns - w : 0);
	bind_u64(st, 3, e->time_ns + w);
	sqlite3_bind_int(st, 4, e->nr);
	bind_u64(st, 5, e->arch);
	bind_u64(st, 6, e->sources);
	sqlite3_bind_int(st, 7, e->tid);
	bind_u64(st, 8, e->time_ns);
	int r = step_row(s, ST_KILL_FIND, err);
	*ret = 0;
	if (r > 0) {
		*ret = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return r;
}

static void bind_merge(sqlite3_stmt *st, const struct store_event *se, int64_t task)
{
	const struct seccomp_event *e = se->event;
	bind_u64(st, 2, e->sources);
	bind_u64(st, 3, e->flags);
	sqlite3_bind_int(st, 4, e->tid);
	bind_u64(st, 5, e->ip);
	bind_u64(st, 6, e->serial);
	sqlite3_bind_int(st, 7, (e->sources & SECCOMP_EVENT_SOURCE_AUDIT) != 0);
	bind_u64(st, 8, e->code);
	bind_u64(st, 9, seccomp_event_action(e));
	bind_u64(st, 10, e->uid);
	bind_u64(st, 11, e->gid);
	bind_u64(st, 12, e->auid);
	bind_u64(st, 13, e->ses);
	sqlite3_bind_int(st, 14, e->sig);
	bind_task_ref(st, 15, task);
	bind_text(st, 16, se->container_id);
	bind_u64_or_null(st, 17, se->pid_start_ns);
	bind_field(st, 18, e->comm, sizeof(e->comm));
	bind_field(st, 19, e->exe, sizeof(e->exe));
	bind_subj(st, 20, e);
	bind_args(st, 21, e);
}

/* 1 when the kill was merged into an existing row, 0 when it is new. */
static int kill_merge(struct store *s, const struct store_event *se, int64_t task,
		      struct store_error *err)
{
	int64_t id;
	int r = kill_find(s, se->event, &id, err);
	if (r <= 0)
		return r;
	sqlite3_stmt *st = s->stmt[ST_KILL_MERGE];
	bind_i64(st, 1, id);
	bind_merge(st, se, task);
	r = step_done(s, ST_KILL_MERGE, err);
	return r < 0 ? r : 1;
}

struct batch {
	const struct store_event *evs;
	size_t n;
	bool kills_only;
	struct store_put_result res;
};

/* LOG never gets a row; other non-kills up to max_rows_per_key per key. */
static int may_write_row(struct store *s, struct agg_slot *slot, struct store_error *err)
{
	if (slot->action == LOG_ACTION)
		return 0;
	uint32_t cap = s->opts.max_rows_per_key;
	if (!cap)
		return 1;
	int r = agg_load(s, slot, err);
	if (r < 0)
		return r;
	return slot->rows_before + slot->rows_added < cap;
}

static int batch_one(struct store *s, struct batch *b, const struct store_event *se,
		     struct store_error *err)
{
	const struct seccomp_event *e = se->event;
	bool kill = store_event_is_kill(e);
	int64_t task = 0;
	int r;
	if (b->kills_only && !kill) {
		b->res.deferred++;
		return 0;
	}
	if (se->task_id && (r = task_resolve(s, se->task_id, e->time_ns, &task, err)) < 0)
		return r;
	if (kill && (r = kill_merge(s, se, task, err)) != 0) {
		b->res.merged += r > 0;
		return r < 0 ? r : 0;
	}
	struct agg_slot *slot = agg_find(&s->agg, task, e);
	agg_note(slot, e);
	r = kill ? 1 : may_write_row(s, slot, err);
	if (r <= 0) {
		b->res.counted += r == 0;
		return r;
	}
	r = event_insert(s, se, task, kill, err);
	if (r < 0)
		return r;
	slot->rows_added++;
	b->res.rows++;
	return 0;
}

static int batch_write(struct store *s, void *ctx, struct store_error *err)
{
	struct batch *b = ctx;
	b->res = (struct store_put_result){0};
	agg_begin(&s->agg);
	for (size_t i = 0; i < b->n; i++) {
		int r = batch_one(s, b, &b->evs[i], err);
		if (r < 0)
			return r;
	}
	return agg_flush(s, err);
}

static int event_validate(const struct store_event *se, struct store_error *err)
{
	const struct seccomp_event *e = se->event;
	if (!e) {
		fail(err, "an event without its seccomp_event");
		return -EINVAL;
	}
	if (!id_ok(se->task_id) || !id_ok(se->container_id) || (se->task_id && !*se->task_id)) {
		fail(err, "event of pid %d: task or container id empty or longer than %d bytes",
		     e->pid, STORE_ID_MAX);
		return -E2BIG;
	}
	if (se->strings && strnlen(se->strings, STORE_STRINGS_MAX + 1) > STORE_STRINGS_MAX) {
		fail(err, "event of pid %d: strings longer than %d bytes", e->pid,
		     STORE_STRINGS_MAX);
		return -E2BIG;
	}
	if (strnlen(e->comm, sizeof(e->comm)) == sizeof(e->comm) ||
	    strnlen(e->exe, sizeof(e->exe)) == sizeof(e->exe) ||
	    strnlen(e->subj, sizeof(e->subj)) == sizeof(e->subj)) {
		fail(err, "event of pid %d: a string is not terminated", e->pid);
		return -EINVAL;
	}
	return 0;
}

static size_t count_kills(const struct store_event *evs, size_t n)
{
	size_t kills = 0;
	for (size_t i = 0; i < n; i++)
		kills += store_event_is_kill(evs[i].event);
	return kills;
}

static void reserve_rebuild(struct store *s);

/*
 * The disk is full. Other events wait for the caller's retry; kills go in now, alone. When
 * even they do not fit, the reserve is given up: it pays for a checkpoint (committed pages
 * move from the WAL into the database file, and the WAL's space goes back to the
 * filesystem), the kills go in, and the reserve is won back from non-kill evidence.
 */
static int put_kills_when_full(struct store *s, struct batch *b, struct store_error *err)
{
	size_t kills = count_kills(b->evs, b->n);
	int r = -ENOSPC;
	if (!kills)
		return r;
	b->kills_only = true;
	if (kills < b->n)
		r = with_transaction(s, batch_write, b, err);
	if (r == -ENOSPC && s->health.reserve) {
		reserve_release(s);
		checkpoint(s, SQLITE_CHECKPOINT_TRUNCATE);
		r = with_transaction(s, batch_write, b, err);
	}
	if (s->opts.reserve_bytes && !s->health.reserve)
		reserve_rebuild(s);
	/* Evictions that went well say nothing of this batch: still full unless all went in. */
	if (r == -ENOSPC || (r >= 0 && b->res.deferred))
		s->health.full = true;
	return r;
}

int store_put_events(struct store *s, const struct store_event *evs, size_t n,
		     struct store_put_result *ret, struct store_error *err)
{
	struct store_error local;
	struct store_put_result ignored;
	if (!err)
		err = &local;
	if (!ret)
		ret = &ignored;
	int r = check_writer(s, err);
	if (r < 0)
		return r;
	if (n > STORE_BATCH_MAX || (n && !evs)) {
		fail(err, "%zu events: at most %d in one call", n, STORE_BATCH_MAX);
		return n > STORE_BATCH_MAX ? -E2BIG : -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if ((r = event_validate(&evs[i], err)) < 0)
			return r;
	struct batch b = {.evs = evs, .n = n};
	r = with_transaction(s, batch_write, &b, err);
	if (r == -ENOSPC)
		r = put_kills_when_full(s, &b, err);
	if (r < 0)
		return r;
	*ret = b.res;
	return (int)(n - b.res.deferred);
}

/* ---- losses ------------------------------------------------------------------------------- */

static const char *const loss_kind_names[STORE_LOSS_KIND_COUNT] = {
	[STORE_LOSS_ENOBUFS] = "enobufs",	  [STORE_LOSS_SERIAL_GAP] = "serial-gap",
	[STORE_LOSS_EVICTED] = "evicted",	  [STORE_LOSS_STORE_FULL] = "store-full",
	[STORE_LOSS_DAEMON_DOWN] = "daemon-down",
};

const char *store_loss_kind_name(enum store_loss_kind kind)
{
	return (unsigned)kind < STORE_LOSS_KIND_COUNT ? loss_kind_names[kind] : NULL;
}

static int loss_kind_from_name(const char *name)
{
	for (int i = 0; name && i < STORE_LOSS_KIND_COUNT; i++)
		if (strcmp(loss_kind_names[i], name) == 0)
			return i;
	return -1;
}

static void bind_serial(sqlite3_stmt *st, int i, uint32_t serial)
{
	bind_u64_or_null(st, i, serial);
}

static int loss_write(struct store *s, void *ctx, struct store_error *err)
{
	const struct store_loss *l = ctx;
	const char *kind = store_loss_kind_name(l->kind);
	sqlite3_stmt *st = s->stmt[ST_LOSS_FIND];
	bind_text(st, 1, l->source);
	bind_text(st, 2, kind);
	bind_u64(st, 3, l->first_ns > STORE_LOSS_MERGE_NS ? l->first_ns - STORE_LOSS_MERGE_NS : 0);
	bind_u64(st, 4, l->last_ns + STORE_LOSS_MERGE_NS);
	int r = step_row(s, ST_LOSS_FIND, err);
	if (r < 0)
		return r;
	if (r > 0) {
		int64_t id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		st = s->stmt[ST_LOSS_MERGE];
		bind_i64(st, 1, id);
		bind_u64(st, 2, l->records);
		bind_u64(st, 3, l->first_ns);
		bind_u64(st, 4, l->last_ns);
		bind_serial(st, 5, l->first_serial);
		bind_serial(st, 6, l->last_serial);
		return step_done(s, ST_LOSS_MERGE, err);
	}
	st = s->stmt[ST_LOSS_INSERT];
	bind_text(st, 1, l->source);
	bind_text(st, 2, kind);
	bind_u64(st, 3, l->records);
	bind_serial(st, 4, l->first_serial);
	bind_serial(st, 5, l->last_serial);
	bind_u64(st, 6, l->first_ns);
	bind_u64(st, 7, l->last_ns);
	return step_done(s, ST_LOSS_INSERT, err);
}

int store_put_loss(struct store *s, const struct store_loss *l, struct store_error *err)
{
	struct store_error local;
	if (!err)
		err = &local;
	int r = check_writer(s, err);
	if (r < 0)
		return r;
	if (!l || !l->source || !*l->source || !store_loss_kind_name(l->kind) ||
	    l->last_ns < l->first_ns) {
		fail(err, "a loss needs a source, a kind and a window (first_ns <= last_ns)");
		return -EINVAL;
	}
	if (strnlen(l->source, STORE_SOURCE_MAX + 1) > STORE_SOURCE_MAX) {
		fail(err, "loss source longer than %d bytes", STORE_SOURCE_MAX);
		return -E2BIG;
	}
	return with_transaction(s, loss_write, (void *)l, err);
}

/* ---- queries ------------------------------------------------------------------------------ */

static void read_exit(sqlite3_stmt *st, int first, struct store_exit *ret)
{
	*ret = (struct store_exit){.kind = STORE_EXIT_NONE};
	if (col_null(st, first))
		return;
	ret->time_ns = col_u64(st, first);
	ret->core_dumped = sqlite3_column_int(st, first + 3) != 0;
	if (!col_null(st, first + 1)) {
		ret->kind = STORE_EXIT_STATUS;
		ret->code = sqlite3_column_int(st, first + 1);
	} else if (!col_null(st, first + 2)) {
		ret->kind = STORE_EXIT_SIGNAL;
		ret->code = sqlite3_column_int(st, first + 2);
	} else {
		ret->kind = STORE_EXIT_LOST;
	}
}

struct task_query {
	store_task_fn fn;
	void *userdata;
};

static int task_row(sqlite3_stmt *st, void *ctx)
{
	const struct task_query *q = ctx;
	struct store_task t = {
		.task_id = col_text(st, 0),
		.seen_ns = col_u64(st, 1),
		.registered_ns = col_u64(st, 2),
		.framework = col_text(st, 3),
		.app_id = col_text(st, 4),
		.job_id = col_text(st, 5),
		.run_id = col_text(st, 6),
		.container_id = col_text(st, 7),
		.agent_id = col_text(st, 8),
		.pid = sqlite3_column_int(st, 9),
		.pid_start_ns = col_u64(st, 10),
		.profile_name = col_text(st, 11),
		.profile_digest = col_text(st, 12),
		.profile_text = col_text(st, 13),
		.mode = col_text(st, 14),
		.caps = col_u64(st, 15),
	};
	read_exit(st, 16, &t.exit);
	return q->fn(&t, q->userdata);
}

static int check_task_id(const char *task_id, struct store_error *err)
{
	if (!task_id || !*task_id || !id_ok(task_id)) {
		fail(err, "a task id of 1 to %d bytes", STORE_ID_MAX);
		return -EINVAL;
	}
	return 0;
}

int store_get_task(struct store *s, const char *task_id, store_task_fn fn, void *userdata,
		   struct store_error *err)
{
	struct store_error local;
	if (!err)
		err = &local;
	int r = check_task_id(task_id, err);
	if (r < 0 || !fn)
		return r < 0 ? r : -EINVAL;
	struct task_query q = {fn, userdata};
	bind_text(s->stmt[ST_Q_TASK], 1, task_id);
	r = each_row(s, ST_Q_TASK, task_row, &q, err);
	if (r == 0) {
		fail(err, "unknown task \"%s\"", task_id);
		return -ENOENT;
	}
	return r < 0 ? r : 0;
}

int store_find_survivor(struct store *s, const struct store_survivor_query *q, char *ret,
			size_t size, struct store_error *err)
{
	struct store_error local;
	if (!err)
		err = &local;
	if (!q || !q->profile_digest || !q->comm || !id_ok(q->except_task_id) || !size) {
		fail(err, "a survivor query needs a profile digest, a comm and a task id");
		return -EINVAL;
	}
	sqlite3_stmt *st = s->stmt[ST_Q_SURVIVOR];
	bind_text(st, 1, q->profile_digest);
	sqlite3_bind_int(st, 2, q->nr);
	bind_u64(st, 3, q->arch);
	bind_u64(st, 4, q->action);
	bind_text(st, 5, q->comm);
	bind_text(st, 6, q->except_task_id ? q->except_task_id : "");
	int r = step_row(s, ST_Q_SURVIVOR, err);
	if (r > 0) {
		format_into(ret, size, "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st);
	}
	return r;
}

int store_find_tasks(struct store *s, const struct store_task_query *q, store_task_fn fn,
		     void *userdata, struct store_error *err)
{
	static const enum stmt ids[] = {
		[STORE_TASKS_BY_APP] = ST_Q_TASKS_APP,
		[STORE_TASKS_BY_JOB] = ST_Q_TASKS_JOB,
		[STORE_TASKS_BY_CONTAINER] = ST_Q_TASKS_CONTAINER,
		[STORE_TASKS_BY_PID] = ST_Q_TASKS_PID,
	};
	struct store_error local;
	if (!err)
		err = &local;
	if (!q || !fn || (unsigned)q->key >= ARRAY_SIZE(ids) ||
	    (q->key == STORE_TASKS_BY_PID ? q->pid <= 0 : !q->id || !*q->id) || !id_ok(q->id) ||
	    !id_ok(q->run_id)) {
		fail(err, "a task query needs a key and its id (1 to %d bytes) or pid",
		     STORE_ID_MAX);
		return -EINVAL;
	}
	sqlite3_stmt *st = s->stmt[ids[q->key]];
	if (q->key == STORE_TASKS_BY_PID)
		sqlite3_bind_int(st, 1, q->pid);
	else
		bind_text(st, 1, q->id);
	if (q->key == STORE_TASKS_BY_JOB)
		bind_text(st, 2, q->run_id);
	if (q->key == STORE_TASKS_BY_APP || q->key == STORE_TASKS_BY_JOB)
		bind_u64(st, 4, q->seen_before_ns);
	sqlite3_bind_int(st, 3, (int)page_limit(q->limit));
	struct task_query tq = {fn, userdata};
	return each_row(s, ids[q->key], task_row, &tq, err);
}

/* The task's row id, for queries (no bare task is made). */
static int task_lookup(struct store *s, const char *task_id, int64_t *ret, struct store_error *err)
{
	int r = check_task_id(task_id, err);
	if (r < 0)
		return r;
	bind_text(s->stmt[ST_TASK_ID], 1, task_id);
	r = step_row(s, ST_TASK_ID, err);
	if (r == 0) {
		fail(err, "unknown task \"%s\"", task_id);
		return -ENOENT;
	}
	if (r < 0)
		return r;
	*ret = sqlite3_column_int64(s->stmt[ST_TASK_ID], 0);
	sqlite3_reset(s->stmt[ST_TASK_ID]);
	return 0;
}

struct claim {
	const char *task_id;
	int32_t pid;
	uint64_t pid_start_ns, from_ns;
};

static int claim_write(struct store *s, void *ctx, struct store_error *err)
{
	const struct claim *c = ctx;
	int64_t task;
	int r = task_lookup(s, c->task_id, &task, err);
	if (r < 0)
		return r;
	sqlite3_stmt *st = s->stmt[ST_CLAIM_KILLS];
	bind_i64(st, 1, task);
	sqlite3_bind_int(st, 2, c->pid);
	bind_u64_or_null(st, 3, c->pid_start_ns);
	bind_u64(st, 4, c->from_ns);
	r = step_done(s, ST_CLAIM_KILLS, err);
	return r < 0 ? r : sqlite3_changes(s->db);
}

int store_claim_kills(struct store *s, const char *task_id, int32_t pid, uint64_t pid_start_ns,
		      uint64_t from_ns, struct store_error *err)
{
	struct store_error local;
	if (!err)
		err = &local;
	int r = check_writer(s, err);
	if (r < 0)
		return r;
	struct claim c = {task_id, pid, pid_start_ns, from_ns};
	return with_transaction(s, claim_write, &c, err);
}

struct process_query {
	store_process_fn fn;
	void *userdata;
};

static int process_row(sqlite3_stmt *st, void *ctx)
{
	const struct process_query *q = ctx;
	struct store_process p = {
		.pid = sqlite3_column_int(st, 0),
		.start_ns = col_u64(st, 1),
		.parent_pid = sqlite3_column_int(st, 2),
		.parent_start_ns = col_u64(st, 3),
		.seen_ns = col_u64(st, 4),
		.exec_ns = col_u64(st, 5),
		.comm = col_text(st, 6),
		.exe = col_text(st, 7),
	};
	read_exit(st, 8, &p.exit);
	if (sqlite3_column_count(st) > 12)
		p.task_id = col_text(st, 12);
	return q->fn(&p, q->userdata);
}

int store_task_processes(struct store *s, const char *task_id, uint32_t limit, store_process_fn fn,
			 void *userdata, struct store_error *err)
{
	struct store_error local;
	int64_t task;
	if (!err)
		err = &local;
	int r = fn ? task_lookup(s, task_id, &task, err) : -EINVAL;
	if (r < 0)
		return r;
	bind_i64(s->stmt[ST_Q_PROCS], 1, task);
	sqlite3_bind_int(s->stmt[ST_Q_PROCS], 2, (int)page_limit(limit));
	struct process_query q = {fn, userdata};
	return each_row(s, ST_Q_PROCS, process_row, &q, err);
}

int store_open_processes(struct store *s, uint32_t limit, store_process_fn fn, void *userdata,
			 struct store_error *err)
{
	struct store_error local;
	if (!fn)
		return -EINVAL;
	sqlite3_bind_int(s->stmt[ST_Q_OPEN_PROCS], 1, (int)page_limit(limit));
	struct process_query q = {fn, userdata};
	return each_row(s, ST_Q_OPEN_PROCS, process_row, &q, err ? err : &local);
}

struct event_query {
	store_event_fn fn;
	void *userdata;
	const char *task_id; /* the one task asked for; else the row's */
};

/* Columns as EVENT_COLUMNS lists them. */
static void read_event(sqlite3_stmt *st, struct store_event_row *row)
{
	struct seccomp_event *e = &row->event;
	memset(row, 0, sizeof(*row));
	row->id = sqlite3_column_int64(st, 0);
	e->time_ns = col_u64(st, 1);
	row->container_id = col_text(st, 2);
	e->pid = sqlite3_column_int(st, 3);
	row->pid_start_ns = col_u64(st, 4);
	e->tid = sqlite3_column_int(st, 5);
	e->uid = (uint32_t)col_u64(st, 6);
	e->gid = (uint32_t)col_u64(st, 7);
	e->auid = (uint32_t)col_u64(st, 8);
	e->ses = (uint32_t)col_u64(st, 9);
	e->arch = (uint32_t)col_u64(st, 10);
	e->nr = sqlite3_column_int(st, 11);
	e->compat = (uint8_t)sqlite3_column_int(st, 12);
	e->code = (uint32_t)col_u64(st, 13);
	e->sig = sqlite3_column_int(st, 14);
	e->ip = col_u64(st, 15);
	e->serial = (uint32_t)col_u64(st, 16);
	e->sources = (uint32_t)col_u64(st, 17);
	e->flags = (uint32_t)col_u64(st, 18);
	col_copy(st, 19, e->comm, sizeof(e->comm));
	col_copy(st, 20, e->exe, sizeof(e->exe));
	col_copy(st, 21, e->subj, sizeof(e->subj));
	e->has_args = !col_null(st, 22);
	for (int i = 0; e->has_args && i < 6; i++)
		e->args[i] = col_u64(st, 22 + i);
	row->strings = col_text(st, 28);
}

static int event_row(sqlite3_stmt *st, void *ctx)
{
	const struct event_query *q = ctx;
	struct store_event_row row;
	read_event(st, &row);
	row.task_id = q->task_id ? q->task_id : col_text(st, 29);
	return q->fn(&row, q->userdata);
}

int store_events_since(struct store *s, int64_t since, uint32_t limit, store_event_fn fn,
		       void *userdata, struct store_error *err)
{
	struct store_error local;
	if (!err)
		err = &local;
	if (!fn || since < 0) {
		fail(err, "events since %lld: a cursor >= 0 and a callback", (long long)since);
		return -EINVAL;
	}
	bind_i64(s->stmt[ST_Q_EVENTS], 1, since);
	sqlite3_bind_int(s->stmt[ST_Q_EVENTS], 2, (int)page_limit(limit));
	struct event_query q = {fn, userdata, NULL};
	return each_row(s, ST_Q_EVENTS, event_row, &q, err);
}

int store_task_events(struct store *s, const char *task_id, int64_t since, uint32_t limit,
		      store_event_fn fn, void *userdata, struct store_error *err)
{
	struct store_error local;
	int64_t task;
	if (!err)
		err = &local;
	if (!fn || since < 0) {
		fail(err, "events since %lld: a cursor >= 0 and a callback", (long long)since);
		return -EINVAL;
	}
	int r = task_lookup(s, task_id, &task, err);
	if (r < 0)
		return r;
	sqlite3_stmt *st = s->stmt[ST_Q_TASK_EVENTS];
	bind_i64(st, 1, task);
	bind_i64(st, 2, since);
	sqlite3_bind_int(st, 3, (int)page_limit(limit));
	struct event_query q = {fn, userdata, task_id};
	return each_row(s, ST_Q_TASK_EVENTS, event_row, &q, err);
}

struct count_query {
	store_count_fn fn;
	void *userdata;
	const char *task_id;
};

/* action, arch, nr, count, rows, first, last [, pid, comm, exe] */
static int count_row(sqlite3_stmt *st, void *ctx)
{
	const struct count_query *q = ctx;
	struct store_count c = {
		.task_id = q->task_id,
		.action = (uint32_t)col_u64(st, 0),
		.arch = (uint32_t)col_u64(st, 1),
		.nr = sqlite3_column_int(st, 2),
		.count = col_u64(st, 3),
		.rows_written = col_u64(st, 4),
		.first_ns = col_u64(st, 5),
		.last_ns = col_u64(st, 6),
	};
	if (q->task_id) {
		c.pid = sqlite3_column_int(st, 7);
		c.comm = col_text(st, 8);
		c.exe = col_text(st, 9);
	}
	return q->fn(&c, q->userdata);
}

int store_task_counts(struct store *s, const char *task_id, store_count_fn fn, void *userdata,
		      struct store_error *err)
{
	struct store_error local;
	int64_t task;
	if (!err)
		err = &local;
	int r = fn ? task_lookup(s, task_id, &task, err) : -EINVAL;
	if (r < 0)
		return r;
	bind_i64(s->stmt[ST_Q_TASK_COUNTS], 1, task);
	struct count_query q = {fn, userdata, task_id};
	return each_row(s, ST_Q_TASK_COUNTS, count_row, &q, err);
}

int store_event_counts(struct store *s, store_count_fn fn, void *userdata, struct store_error *err)
{
	struct store_error local;
	if (!err)
		err = &local;
	if (!fn)
		return -EINVAL;
	struct count_query q = {fn, userdata, NULL};
	return each_row(s, ST_Q_COUNTS, count_row, &q, err);
}

struct loss_query {
	store_loss_fn fn;
	void *userdata;
};

static int loss_row(sqlite3_stmt *st, void *ctx)
{
	const struct loss_query *q = ctx;
	int kind = loss_kind_from_name(col_text(st, 1));
	if (kind < 0)
		return 0; /* a kind of a later sigsys: not ours to explain */
	struct store_loss l = {
		.source = col_text(st, 0),
		.kind = (enum store_loss_kind)kind,
		.records = col_u64(st, 2),
		.reports = col_u64(st, 3),
		.first_serial = (uint32_t)col_u64(st, 4),
		.last_serial = (uint32_t)col_u64(st, 5),
		.first_ns = col_u64(st, 6),
		.last_ns = col_u64(st, 7),
	};
	return q->fn(&l, q->userdata);
}

int store_losses(struct store *s, uint64_t from_ns, uint64_t to_ns, uint32_t limit,
		 store_loss_fn fn, void *userdata, struct store_error *err)
{
	struct store_error local;
	if (!err)
		err = &local;
	if (!fn || to_ns < from_ns) {
		fail(err, "losses: a window (from <= to) and a callback");
		return -EINVAL;
	}
	sqlite3_stmt *st = s->stmt[ST_Q_LOSSES];
	bind_u64(st, 1, from_ns);
	bind_u64(st, 2, to_ns > INT64_MAX ? INT64_MAX : to_ns);
	sqlite3_bind_int(st, 3, (int)page_limit(limit));
	struct loss_query q = {fn, userdata};
	return each_row(s, ST_Q_LOSSES, loss_row, &q, err);
}

/* Pages in use (what max_bytes bounds), and pages free inside the file. */
static int page_usage(struct store *s, uint64_t *ret_used, uint64_t *ret_free, uint64_t *ret_total,
		      struct store_error *err)
{
	sqlite3_stmt *st = s->stmt[ST_PAGES];
	int r = step_row(s, ST_PAGES, err);
	if (r <= 0)
		return r < 0 ? r : -EIO;
	uint64_t page = col_u64(st, 1);
	*ret_used = col_u64(st, 0) * page;
	if (ret_free)
		*ret_free = col_u64(st, 2);
	if (ret_total)
		*ret_total = col_u64(st, 3);
	sqlite3_reset(st);
	return 0;
}

static uint64_t file_size(const char *path, const char *suffix)
{
	char name[PATH_MAX];
	struct stat st;
	snprintf(name, sizeof(name), "%s%s", path, suffix);
	return stat(name, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static int loss_total_row(sqlite3_stmt *st, void *ctx)
{
	struct store_stats *ret = ctx;
	int kind = loss_kind_from_name(col_text(st, 0));
	if (kind >= 0) {
		ret->loss_reports[kind] = col_u64(st, 1);
		ret->loss_records[kind] = col_u64(st, 2);
	}
	return 0;
}

int store_stats(struct store *s, struct store_stats *ret, struct store_error *err)
{
	struct store_error local;
	if (!err)
		err = &local;
	if (!ret)
		return -EINVAL;
	*ret = (struct store_stats){0};
	sqlite3_stmt *st = s->stmt[ST_Q_STATS];
	int r = step_row(s, ST_Q_STATS, err);
	if (r <= 0)
		return r < 0 ? r : -EIO;
	ret->tasks = col_u64(st, 0);
	ret->registrations = col_u64(st, 1);
	ret->processes = col_u64(st, 2);
	ret->kills = col_u64(st, 3);
	ret->events_seen = col_u64(st, 4);
	ret->rows_written = col_u64(st, 5);
	ret->last_event_id = sqlite3_column_int64(st, 6);
	sqlite3_reset(st);
	r = each_row(s, ST_Q_LOSS_TOTALS, loss_total_row, ret, err);
	if (r < 0)
		return r;
	ret->file_bytes = file_size(s->path, "") + file_size(s->path, "-wal");
	return page_usage(s, &ret->used_bytes, NULL, NULL, err);
}

void store_health(const struct store *s, struct store_health *ret)
{
	*ret = s->health;
}

/* ---- retention ---------------------------------------------------------------------------- */

struct evict {
	enum stmt stmt; /* ST_DEL_EVENTS or ST_DEL_KILLS */
	int64_t bound;	/* events: below this id; kills: before this time */
	uint32_t limit;
	bool record_loss; /* evicted for space: the reports must know evidence went */
};

/* Delete one chunk of events; with record_loss, say which window lost evidence. */
static int evict_events(struct store *s, void *ctx, struct store_error *err)
{
	const struct evict *ev = ctx;
	sqlite3_stmt *st = s->stmt[ev->stmt];
	uint64_t n = 0, first = UINT64_MAX, last = 0;
	int rc;
	bind_i64(st, 1, ev->bound);
	sqlite3_bind_int(st, 2, (int)ev->limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t t = col_u64(st, 0);
		first = t < first ? t : first;
		last = t > last ? t : last;
		n++;
	}
	int r = rc == SQLITE_DONE ? 0 : sql_fail(s, rc, stmt_sql[ev->stmt], err);
	sqlite3_reset(st);
	if (r < 0 || !n || !ev->record_loss)
		return r < 0 ? r : (int)n;
	struct store_loss loss = {.source = "store",
				  .kind = STORE_LOSS_EVICTED,
				  .records = n,
				  .first_ns = first,
				  .last_ns = last};
	r = loss_write(s, &loss, err);
	return r < 0 ? r : (int)n;
}

struct delete_chunk {
	enum stmt stmt;
	int64_t bound;
	uint32_t limit;
};

static int delete_chunk(struct store *s, void *ctx, struct store_error *err)
{
	const struct delete_chunk *d = ctx;
	sqlite3_stmt *st = s->stmt[d->stmt];
	bind_i64(st, 1, d->bound);
	sqlite3_bind_int(st, 2, (int)d->limit);
	if (d->stmt == ST_DEL_LOG_COUNTS)
		bind_u64(st, 3, LOG_ACTION);
	int r = step_done(s, d->stmt, err);
	return r < 0 ? r : sqlite3_changes(s->db);
}

/* Repeat a chunked delete until it deletes nothing or the budget is spent. */
static int repeat(struct store *s, txn_fn fn, void *ctx, uint64_t *budget, uint64_t *deleted,
		  struct store_error *err)
{
	while (*budget) {
		int r = with_transaction(s, fn, ctx, err);
		if (r <= 0)
			return r;
		*deleted += (uint64_t)r;
		*budget = *budget > (uint64_t)r ? *budget - (uint64_t)r : 0;
	}
	return 0;
}

/*
 * The first event id whose time is at or after cutoff, by bisection on the id: ids grow with
 * arrival and times with them (sources differ by far less than any retention age), so no
 * index on time is paid for on the hot path.
 */
static int events_boundary(struct store *s, uint64_t cutoff, int64_t *ret, struct store_error *err)
{
	sqlite3_stmt *st = s->stmt[ST_EVENT_ID_RANGE];
	int r = step_row(s, ST_EVENT_ID_RANGE, err);
	if (r <= 0)
		return r < 0 ? r : -EIO;
	int64_t lo = sqlite3_column_int64(st, 0), hi = sqlite3_column_int64(st, 1) + 1;
	bool empty = col_null(st, 0);
	sqlite3_reset(st);
	*ret = 0;
	if (empty)
		return 0;
	st = s->stmt[ST_EVENT_AT];
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		bind_i64(st, 1, mid);
		r = step_row(s, ST_EVENT_AT, err);
		if (r < 0)
			return r;
		if (r == 0) {
			hi = mid;
			continue;
		}
		int64_t id = sqlite3_column_int64(st, 0);
		uint64_t t = col_u64(st, 1);
		sqlite3_reset(st);
		if (t < cutoff)
			lo = id + 1;
		else
			hi = mid;
	}
	*ret = lo;
	return 0;
}

/* Tasks with nothing left to explain, their processes and counts with them. */
static int delete_stale_tasks(struct store *s, void *ctx, struct store_error *err)
{
	int64_t ids[TASK_CHUNK];
	int n = 0, r;
	sqlite3_stmt *st = s->stmt[ST_STALE_TASKS];
	bind_i64(st, 1, *(const int64_t *)ctx);
	sqlite3_bind_int(st, 2, TASK_CHUNK);
	while ((r = step_row(s, ST_STALE_TASKS, err)) > 0 && n < TASK_CHUNK)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (r < 0)
		return r;
	static const enum stmt dels[] = {ST_DEL_TASK_PROCS, ST_DEL_TASK_COUNTS, ST_DEL_TASK};
	for (int i = 0; i < n; i++)
		for (size_t j = 0; j < ARRAY_SIZE(dels); j++) {
			bind_i64(s->stmt[dels[j]], 1, ids[i]);
			if ((r = step_done(s, dels[j], err)) < 0)
				return r;
		}
	if (n && (r = step_done(s, ST_DEL_PROFILES, err)) < 0)
		return r;
	task_cache_clear(s);
	return n;
}

static int64_t cutoff_of(uint64_t now, uint64_t age)
{
	return age && now > age ? (int64_t)(now - age) : 0;
}

static int retain_age(struct store *s, uint64_t now, uint64_t *budget,
		      struct store_maintain_result *res, struct store_error *err)
{
	int64_t cutoff = cutoff_of(now, s->opts.max_age_ns);
	int64_t kill_cutoff = cutoff_of(now, s->opts.kill_max_age_ns);
	int64_t below = 0;
	int r = 0;
	if (cutoff && (r = events_boundary(s, (uint64_t)cutoff, &below, err)) < 0)
		return r;
	struct evict events = {ST_DEL_EVENTS, below, AGE_CHUNK, false};
	struct evict kills = {ST_DEL_KILLS, kill_cutoff, AGE_CHUNK, false};
	struct delete_chunk logs = {ST_DEL_LOG_COUNTS, cutoff, AGE_CHUNK};
	struct delete_chunk orphans = {ST_DEL_ORPHAN_COUNTS, cutoff, AGE_CHUNK};
	struct delete_chunk losses = {ST_DEL_LOSSES, cutoff, AGE_CHUNK};
	struct delete_chunk procs = {ST_DEL_PROCS, cutoff, AGE_CHUNK};
	if (below > 0)
		r = repeat(s, evict_events, &events, budget, &res->events, err);
	if (r == 0 && kill_cutoff)
		r = repeat(s, evict_events, &kills, budget, &res->kills, err);
	if (r == 0 && cutoff)
		r = repeat(s, delete_chunk, &logs, budget, &res->counts, err);
	if (r == 0 && cutoff)
		r = repeat(s, delete_chunk, &orphans, budget, &res->counts, err);
	if (r == 0 && cutoff)
		r = repeat(s, delete_chunk, &losses, budget, &res->losses, err);
	if (r == 0 && cutoff)
		r = repeat(s, delete_chunk, &procs, budget, &res->processes, err);
	if (r == 0 && cutoff)
		r = repeat(s, delete_stale_tasks, &cutoff, budget, &res->tasks, err);
	return r;
}

/* Over max_bytes: LOG counts, then the oldest non-kill events, then the oldest kills, until
 * 90 % of it is used. */
static int retain_size(struct store *s, uint64_t *budget, struct store_maintain_result *res,
		       struct store_error *err)
{
	uint64_t used, max = s->opts.max_bytes, target = max / 10 * 9;
	int r = max ? page_usage(s, &used, NULL, NULL, err) : 0;
	if (r < 0 || !max || used <= max)
		return r;
	struct delete_chunk logs = {ST_DEL_LOG_COUNTS, INT64_MAX, EVICT_CHUNK};
	struct evict events = {ST_DEL_EVENTS, INT64_MAX, EVICT_CHUNK, true};
	struct evict kills = {ST_DEL_KILLS, INT64_MAX, KILL_EVICT_CHUNK, true};
	struct {
		txn_fn fn;
		void *ctx;
		uint64_t *deleted;
	} phases[] = {
		{delete_chunk, &logs, &res->counts},
		{evict_events, &events, &res->events},
		{evict_events, &kills, &res->kills},
	};
	for (size_t i = 0; i < ARRAY_SIZE(phases) && used > target && *budget; i++) {
		while (used > target && *budget) {
			r = with_transaction(s, phases[i].fn, phases[i].ctx, err);
			if (r <= 0)
				break;
			*phases[i].deleted += (uint64_t)r;
			*budget = *budget > (uint64_t)r ? *budget - (uint64_t)r : 0;
			if ((r = page_usage(s, &used, NULL, NULL, err)) < 0)
				break;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* Give free pages back to the filesystem once a quarter of the file is free. */
static int shrink(struct store *s, struct store_error *err)
{
	uint64_t used, free_pages, total;
	int r = page_usage(s, &used, &free_pages, &total, err);
	if (r < 0 || free_pages < 256 || free_pages * 4 < total)
		return r;
	r = exec_sql(s, "PRAGMA incremental_vacuum", err);
	checkpoint(s, SQLITE_CHECKPOINT_PASSIVE);
	return r;
}

/*
 * One round of winning space back on a full disk: LOG counts and the oldest non-kill events
 * go, their pages are vacuumed out of the file and the WAL is emptied, so the filesystem
 * gets the bytes back. Small rounds: each needs room in the WAL first. Returns the rows
 * deleted.
 */
static int evict_for_room(struct store *s)
{
	struct delete_chunk logs = {ST_DEL_LOG_COUNTS, INT64_MAX, EVICT_CHUNK};
	struct evict events = {ST_DEL_EVENTS, INT64_MAX, EVICT_CHUNK, true};
	struct store_error ignored;
	int a = with_transaction(s, delete_chunk, &logs, &ignored);
	int b = with_transaction(s, evict_events, &events, &ignored);
	if (a > 0 || b > 0)
		exec_sql(s, "PRAGMA incremental_vacuum", &ignored);
	checkpoint(s, SQLITE_CHECKPOINT_TRUNCATE);
	return (a > 0 ? a : 0) + (b > 0 ? b : 0);
}

/* Kills used the reserve: win it back from non-kill evidence, for the next kills. */
static void reserve_rebuild(struct store *s)
{
	for (int i = 0; i < REBUILD_ROUNDS && !reserve_take(s); i++)
		if (evict_for_room(s) <= 0)
			break;
}

int store_maintain(struct store *s, uint64_t now_ns, struct store_maintain_result *ret,
		   struct store_error *err)
{
	struct store_error local;
	struct store_maintain_result ignored;
	if (!err)
		err = &local;
	if (!ret)
		ret = &ignored;
	*ret = (struct store_maintain_result){0};
	int r = check_writer(s, err);
	if (r < 0)
		return r;
	uint64_t budget = MAINTAIN_BUDGET;
	r = retain_age(s, now_ns, &budget, ret, err);
	if (r == 0 && budget)
		r = retain_size(s, &budget, ret, err);
	if (r == 0)
		r = shrink(s, err);
	if (r == 0)
		checkpoint(s, SQLITE_CHECKPOINT_PASSIVE);
	if (r == 0 && !s->health.full)
		reserve_take(s);
	ret->more = budget == 0;
	return r;
}
