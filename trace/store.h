/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The store of sigsysd: one SQLite file (WAL, synchronous=NORMAL) holding task registrations,
 * their processes, every seccomp event, per-syscall counts and the losses that say evidence
 * may be missing. The daemon writes through one handle on one thread; readers (the HTTP API,
 * `sigsys --db`) open their own handles, read-only, and see every committed write.
 *
 * Every function returns 0 (or a count) on success and a negative errno on failure:
 *   -EINVAL   an argument is invalid, or the file is not a sigsys database
 *   -E2BIG    an input exceeds its documented limit
 *   -ENOENT   the task (or, read-only, the database) does not exist
 *   -ENOTSUP  the schema version is newer than this sigsys (or older, read-only)
 *   -ENOSPC   the disk is full: nothing of that call was stored (store_health() says so)
 *   -EBUSY    another connection held the lock beyond the busy timeout
 *   -EROFS    a write through a read-only handle
 *   -EIO      SQLite failed otherwise (a corrupt file, an I/O error)
 *   -ENOMEM   out of memory
 * (store_open() also passes on open(2)'s errors for the file: -EACCES, -ELOOP for a symlink…)
 * and writes why into err->message when err is not NULL. Nothing here prints.
 *
 * What the store acknowledged (a call that returned >= 0) is committed and survives a crash
 * of the process; synchronous=NORMAL may lose the last commits on a power failure.
 */
#ifndef SIGSYS_TRACE_STORE_H
#define SIGSYS_TRACE_STORE_H

#include "event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_SCHEMA_VERSION 2

/* Limits on what callers hand in, and on what one query returns. */
#define STORE_ID_MAX	    255		/* task, app, job, run, container, agent ids; names */
#define STORE_DIGEST_MAX    127		/* "sha256:<64 hex>" fits with room */
#define STORE_PROFILE_MAX   (4u << 20)	/* the profile text, as libsigsys bounds it */
#define STORE_BATCH_MAX	    16384	/* events or process events in one call */
#define STORE_PAGE_MAX	    10000	/* rows one query returns */
#define STORE_LOSS_MERGE_NS 1000000000u /* losses of one source and kind this close are one */
#define STORE_STRINGS_MAX   16384	/* an event's strings, as JSON text */

struct store;

struct store_error {
	char message[512];
};

struct store_options {
	bool read_only;		   /* readers: no migration, no write */
	unsigned busy_timeout_ms;  /* wait for another connection's lock this long */
	uint64_t max_age_ns;	   /* events, counts, losses, exited tasks; 0: no age limit */
	uint64_t kill_max_age_ns;  /* kill events, kept longer; 0: no age limit */
	uint64_t max_bytes;	   /* pages in use; beyond it store_maintain() evicts; 0: none */
	uint32_t max_rows_per_key; /* event rows per (task, syscall, arch, action) before the
				    * rest are only counted; 0: no limit. Kills always get rows;
				    * LOG never does (a storm is one counter). */
	uint64_t kill_merge_ns;	   /* one kill seen by two sources within this is one event */
	uint64_t reserve_bytes;	   /* disk kept for kills when the disk fills (a file beside the
				    * database, <db>-reserve); 0: none */
	/* Schema steps applied after the built-in ones: for tests of the migration path. */
	const struct store_migration *extra_migrations;
	size_t n_extra_migrations;
	/* Writers: checkpoint the WAL on a thread of its own, never inside a commit
	 * (trace/store-checkpoint.h). */
	bool background_checkpoint;
};

/* One forward step of the schema: it brings a database at version - 1 to version. */
struct store_migration {
	int version;
	const char *sql;
};

/* Defaults: writer, 5 s busy timeout, 7 days, kills 90 days, 1 GiB, 1000 rows per key, 2 s,
 * a 4 MiB reserve. */
void store_options_init(struct store_options *o);

/*
 * Open (creating it, for a writer) the database at path, migrating an older schema forward.
 * A database of a newer sigsys is refused (-ENOTSUP), a file of another program too (-EINVAL).
 */
int store_open(const char *path, const struct store_options *o, struct store **ret,
	       struct store_error *err);
void store_close(struct store *s);

/* ---- writing ---------------------------------------------------------------------------- */

enum store_exit_kind {
	STORE_EXIT_NONE,   /* still running, as far as the store knows */
	STORE_EXIT_STATUS, /* exited: code is the status */
	STORE_EXIT_SIGNAL, /* killed: code is the signal */
	STORE_EXIT_LOST,   /* gone, how is unknown (it ended while sigsysd was down) */
};

struct store_exit {
	enum store_exit_kind kind;
	int32_t code;
	bool core_dumped;
	uint64_t time_ns;
};

/*
 * A task as registered (pointers borrowed for the call). task_id is required; the other
 * strings may be NULL. profile_digest and profile_text come together or not at all
 * (unconfined); equal digests share one stored text.
 */
struct store_task {
	const char *task_id;
	const char *framework; /* marathon, metronome, other */
	const char *app_id, *job_id, *run_id, *container_id, *agent_id;
	int32_t pid;
	uint64_t pid_start_ns; /* ns since boot: with pid, the identity pid reuse cannot fake */
	const char *profile_name, *profile_digest;
	const char *profile_text; /* as launched, so a report can explain after the file changed */
	const char *mode;	  /* enforce, log, kill, notify */
	uint64_t caps;
	uint64_t registered_ns; /* CLOCK_REALTIME; queries: 0 for a task known only from an event */
	/* Filled by queries, ignored by store_put_task(). */
	uint64_t seen_ns; /* registered, or first attributed an event */
	struct store_exit exit;
};

/*
 * Record a registration, and its process as the task's first. A task first known from an
 * event is completed. Returns 0, or 1 when the task was registered already: its fields are
 * kept and only the new process is added to it.
 */
int store_put_task(struct store *s, const struct store_task *t, struct store_error *err);

enum store_proc_kind {
	STORE_PROC_FORK,
	STORE_PROC_EXEC,
	STORE_PROC_EXIT,
};

#define STORE_WAIT_UNKNOWN (-1) /* exit: the process is gone, its status unknown */

/* One process event from the proc connector (pointers borrowed for the call). */
struct store_proc_event {
	enum store_proc_kind kind;
	int32_t pid;
	uint64_t start_ns;
	uint64_t time_ns;
	/* fork: the parent, and the task (NULL: the parent's task, when the store knows it) */
	int32_t parent_pid;
	uint64_t parent_start_ns;
	const char *task_id;
	const char *comm, *exe; /* exec */
	int wait_status;	/* exit: as wait(2) gives it, or STORE_WAIT_UNKNOWN */
};

/*
 * Apply n process events in one transaction. Only processes of known tasks are kept: a fork
 * whose task (given or inherited) is unknown, and the exec or exit of a process the store
 * does not hold, change nothing. The exit of a task's registered process is the task's
 * exit. Returns how many events changed something.
 */
int store_put_procs(struct store *s, const struct store_proc_event *evs, size_t n,
		    struct store_error *err);

/* One seccomp event and what attribution found (pointers borrowed for the call). */
struct store_event {
	const struct seccomp_event *event;
	const char *task_id;	  /* NULL: unattributed; an unregistered id makes a bare task */
	const char *container_id; /* from /proc/<pid>/cgroup; NULL: unknown */
	uint64_t pid_start_ns;	  /* 0: unknown */
	/* The call's string arguments as a JSON array (notify: paths read from the task's
	 * memory, null where unread), at most STORE_STRINGS_MAX bytes; NULL: none. */
	const char *strings;
};

struct store_put_result {
	uint32_t rows;	   /* new rows in the events table */
	uint32_t merged;   /* kills merged into the row another source wrote */
	uint32_t counted;  /* only counted: LOG, or beyond max_rows_per_key */
	uint32_t deferred; /* disk full: not stored, to retry (only ever non-kill events) */
};

static inline bool store_event_is_kill(const struct seccomp_event *e)
{
	uint32_t action = seccomp_event_action(e);
	return action == SECCOMP_RET_KILL_PROCESS || action == SECCOMP_RET_KILL_THREAD;
}

/*
 * Store n events (n <= STORE_BATCH_MAX) in one transaction: a row each, except LOG events
 * and events beyond max_rows_per_key, which only add to their (task, syscall, arch, action)
 * count; a kill another source already stored (same pid, syscall and arch, within
 * kill_merge_ns, disjoint sources) is merged into that row.
 *
 * On a full disk the batch's kills are stored alone, in the reserve if need be; the reserve
 * is then won back from the oldest LOG counts and non-kill events (recorded as an "evicted"
 * loss). Nothing is deleted for space to store anything but kills. Returns how many events are
 * acknowledged: n, or n - ret->deferred when only the kills went in (keep the others and retry
 * later); or -ENOSPC when nothing did (keep the batch and retry later).
 */
int store_put_events(struct store *s, const struct store_event *evs, size_t n,
		     struct store_put_result *ret, struct store_error *err);

/*
 * A registration that arrived late (its client stopped waiting for a slow daemon and ran
 * the task): the kills of pid stored unattributed since from_ns become the task's. Returns
 * how many were claimed; -ENOENT when the task is unknown.
 */
int store_claim_kills(struct store *s, const char *task_id, int32_t pid, uint64_t pid_start_ns,
		      uint64_t from_ns, struct store_error *err);

enum store_loss_kind {
	STORE_LOSS_ENOBUFS,    /* the socket buffer overflowed: records dropped, how many unknown */
	STORE_LOSS_SERIAL_GAP, /* audit serials skipped: that many records never arrived */
	STORE_LOSS_EVICTED,    /* the store deleted evidence for space (size limit, full disk) */
	STORE_LOSS_STORE_FULL, /* events dropped because the store could not take them */
	STORE_LOSS_DAEMON_DOWN, /* sigsysd was not running */
	STORE_LOSS_KIND_COUNT,
};

const char *store_loss_kind_name(enum store_loss_kind kind);

struct store_loss {
	const char *source; /* audit, proc, bpf, notify, store, daemon */
	enum store_loss_kind kind;
	uint64_t records;		    /* records known lost; 0: unknown */
	uint32_t first_serial, last_serial; /* serial-gap: the missing serials; else 0 */
	uint64_t first_ns, last_ns;	    /* the window where evidence may be missing */
	uint64_t reports;		    /* queries: loss reports merged into this one */
};

/* Record a loss, merged with the previous one of its source and kind when they are closer
 * than STORE_LOSS_MERGE_NS (a storm of ENOBUFS is one row). */
int store_put_loss(struct store *s, const struct store_loss *loss, struct store_error *err);

/* ---- reading: results go to a callback, borrowed until it returns ---------------------- */
/*
 * A callback returns 0 to go on; anything else stops the query, which then returns that
 * value when negative and the number of rows delivered otherwise. limit: 0 or more than
 * STORE_PAGE_MAX means STORE_PAGE_MAX.
 */

typedef int (*store_task_fn)(const struct store_task *t, void *userdata);

/* The task, its profile text included. -ENOENT when unknown. */
int store_get_task(struct store *s, const char *task_id, store_task_fn fn, void *userdata,
		   struct store_error *err);

enum store_task_key {
	STORE_TASKS_BY_APP,	  /* Marathon app id: every restart of the app */
	STORE_TASKS_BY_JOB,	  /* Metronome job id, and run id when given */
	STORE_TASKS_BY_CONTAINER, /* Mesos container id */
	STORE_TASKS_BY_PID,	  /* every task one of whose processes had this pid */
};

struct store_task_query {
	enum store_task_key key;
	const char *id;	    /* the app, job or container id */
	const char *run_id; /* BY_JOB: NULL for every run of the job */
	int32_t pid;	    /* BY_PID */
	uint32_t limit;
	uint64_t seen_before_ns; /* BY_APP, BY_JOB: only tasks first seen then or before; 0: all */
};

/* A denial some task survived: the same call (arch, nr, action) denied to a process of the
 * same name in another task launched with the same profile, which then exited 0. */
struct store_survivor_query {
	const char *profile_digest;
	uint32_t arch;
	int32_t nr;
	uint32_t action; /* SECCOMP_RET_* without data */
	const char *comm;
	const char *except_task_id; /* the task asking */
};

/* 1 with the newest such task's id in ret, 0 when there is none, or a negative errno. */
int store_find_survivor(struct store *s, const struct store_survivor_query *q, char *ret,
			size_t size, struct store_error *err);

/* Tasks, newest first; profile_text is NULL (store_get_task() has it). */
int store_find_tasks(struct store *s, const struct store_task_query *q, store_task_fn fn,
		     void *userdata, struct store_error *err);

struct store_process {
	int32_t pid;
	uint64_t start_ns;
	int32_t parent_pid;
	uint64_t parent_start_ns;
	uint64_t seen_ns;	/* forked, or registered as the task's first process */
	uint64_t exec_ns;	/* 0: no exec seen */
	const char *comm, *exe; /* NULL before an exec was seen */
	struct store_exit exit;
	const char *task_id; /* store_open_processes() only; NULL otherwise */
};

typedef int (*store_process_fn)(const struct store_process *p, void *userdata);

/* The task's processes in the order they were seen. -ENOENT when the task is unknown. */
int store_task_processes(struct store *s, const char *task_id, uint32_t limit, store_process_fn fn,
			 void *userdata, struct store_error *err);

/* Processes of every task with no exit stored, oldest first: what a restarted sigsysd must
 * follow again (or declare gone). */
int store_open_processes(struct store *s, uint32_t limit, store_process_fn fn, void *userdata,
			 struct store_error *err);

struct store_event_row {
	int64_t id;		  /* the cursor: increasing, never reused */
	const char *task_id;	  /* NULL: unattributed */
	const char *container_id; /* NULL: unknown */
	uint64_t pid_start_ns;	  /* 0: unknown */
	const char *strings;	  /* JSON array of the call's strings; NULL: none stored */
	struct seccomp_event event;
};

typedef int (*store_event_fn)(const struct store_event_row *e, void *userdata);

/* Events with id > since, in id order. */
int store_events_since(struct store *s, int64_t since, uint32_t limit, store_event_fn fn,
		       void *userdata, struct store_error *err);
/* The same for one task. -ENOENT when the task is unknown. */
int store_task_events(struct store *s, const char *task_id, int64_t since, uint32_t limit,
		      store_event_fn fn, void *userdata, struct store_error *err);

/* What was seen per (syscall, arch, action): rows + events only counted. */
struct store_count {
	const char *task_id; /* per task; NULL in store_event_counts() (all tasks) */
	uint32_t action;     /* SECCOMP_RET_* without data */
	uint32_t arch;
	int32_t nr;
	uint64_t count;	       /* events seen */
	uint64_t rows_written; /* of which written as rows (retention may have deleted some) */
	uint64_t first_ns, last_ns;
	/* The first occurrence (per task only). */
	int32_t pid;
	const char *comm, *exe;
};

typedef int (*store_count_fn)(const struct store_count *c, void *userdata);

/* A task's counts; LOG-mode evidence lives here. -ENOENT when the task is unknown. */
int store_task_counts(struct store *s, const char *task_id, store_count_fn fn, void *userdata,
		      struct store_error *err);
/* Counts over all tasks, per (action, arch, nr): what /metrics exports. */
int store_event_counts(struct store *s, store_count_fn fn, void *userdata, struct store_error *err);

typedef int (*store_loss_fn)(const struct store_loss *l, void *userdata);

/* Losses whose window overlaps [from_ns, to_ns], oldest first. */
int store_losses(struct store *s, uint64_t from_ns, uint64_t to_ns, uint32_t limit,
		 store_loss_fn fn, void *userdata, struct store_error *err);

struct store_stats {
	uint64_t tasks, registrations, processes, kills;
	uint64_t events_seen, rows_written; /* sums over the counts */
	uint64_t loss_reports[STORE_LOSS_KIND_COUNT];
	uint64_t loss_records[STORE_LOSS_KIND_COUNT];
	uint64_t used_bytes; /* pages in use: what max_bytes bounds */
	uint64_t file_bytes; /* the database and its WAL on disk */
	int64_t last_event_id;
};

int store_stats(struct store *s, struct store_stats *ret, struct store_error *err);

/* The writer's condition, from memory (no SQL): for /v1/health. */
struct store_health {
	bool full;		/* the last write found the disk full: something was not stored */
	bool reserve;		/* the reserve for kills is in place */
	uint64_t reserve_spent; /* times kills needed it since open */
	uint64_t full_count;	/* writes that found the disk full since open */
	uint64_t last_full_ns;	/* CLOCK_REALTIME of the last one; 0: never */
	int last_error;		/* negative errno of the last failed write; 0: none since */
	char last_message[256]; /* its message */
};

void store_health(const struct store *s, struct store_health *ret);

/* ---- retention -------------------------------------------------------------------------- */

struct store_maintain_result {
	uint64_t events, kills, counts, losses, processes, tasks; /* rows deleted */
	bool more; /* the work budget of one call ran out: call again */
};

/*
 * Apply retention as of now_ns: by age, then by size, LOG counts and non-kill events going
 * before any kill; give freed pages back; put the reserve back when there is room. Bounded
 * work per call (each step its own transaction): call it every few seconds.
 */
int store_maintain(struct store *s, uint64_t now_ns, struct store_maintain_result *ret,
		   struct store_error *err);

#endif
