/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-store: how fast sigsysd's store takes events — distinct denials (one row each, 64
 * tasks, 300 syscalls) in batches of 10 000 against one event per transaction, and one task's
 * LOG storm (counted, no rows) against the same batches of rows — each pair measured in the
 * same run, interleaved.
 *
 * The database lives on disk (/var/tmp), WAL, synchronous=NORMAL, as sigsysd runs it.
 * The target: at least 100 000 distinct events/s batched.
 */
#include "bench.h"
#include "store.h"
#include "util.h"

#include <linux/audit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef BENCH_DEFAULT_PROFILE
#define BENCH_DEFAULT_PROFILE "profiles/default.json"
#endif

#define TASKS	    64
#define BATCH	    10000
#define SINGLES	    1000 /* events stored one transaction each, per sample */
#define NS_PER_S    1e9
#define TIME_ORIGIN (1700000000ull * 1000000000ull)

struct fixture {
	char dir[64];
	char db[128];
	struct store *store;
	char task_ids[TASKS][32];
	struct seccomp_event *events; /* BATCH */
	struct store_event *refs;
	uint64_t clock; /* every event gets a time of its own */
};

/* ---- setup -------------------------------------------------------------------------------- */

static int register_tasks(struct fixture *fx)
{
	for (int i = 0; i < TASKS; i++) {
		snprintf(fx->task_ids[i], sizeof(fx->task_ids[i]), "bench.%d.%08x", i,
			 (unsigned)(i * 2654435761u));
		struct store_task t = {.task_id = fx->task_ids[i],
				       .framework = "marathon",
				       .app_id = "/bench/app",
				       .pid = 10000 + i,
				       .pid_start_ns = 1000u + (uint64_t)i,
				       .mode = "enforce",
				       .registered_ns = TIME_ORIGIN};
		struct store_error err;
		int r = store_put_task(fx->store, &t, &err);
		if (r < 0) {
			fprintf(stderr, "bench-store: %s\n", err.message);
			return r;
		}
	}
	return 0;
}

/* Events of `tasks` tasks on `syscalls` syscalls, each with a time of its own. */
static void fill_events(struct fixture *fx, uint32_t action, size_t tasks, size_t syscalls)
{
	for (size_t i = 0; i < BATCH; i++) {
		struct seccomp_event *e = &fx->events[i];
		memset(e, 0, sizeof(*e));
		e->time_ns = fx->clock++;
		e->pid = 10000 + (int32_t)(i % tasks);
		e->uid = e->gid = 1000;
		e->auid = e->ses = SECCOMP_EVENT_ID_UNSET;
		e->arch = AUDIT_ARCH_X86_64;
		e->nr = (int32_t)(i % syscalls);
		e->code = action;
		e->sig = action == SECCOMP_RET_KILL_PROCESS ? SIGSYS : 0;
		e->sources = SECCOMP_EVENT_SOURCE_AUDIT;
		e->serial = (uint32_t)e->time_ns;
		e->ip = 0x7f0000000000ull + i;
		snprintf(e->comm, sizeof(e->comm), "java");
		snprintf(e->exe, sizeof(e->exe), "/usr/lib/jvm/java-17/bin/java");
		fx->refs[i] = (struct store_event){.event = e, .task_id = fx->task_ids[i % tasks]};
	}
}

static void fixture_free(void *arg)
{
	struct fixture *fx = arg;
	if (!fx)
		return;
	store_close(fx->store);
	static const char *const suffixes[] = {"", "-wal", "-shm", "-reserve"};
	char path[160];
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		snprintf(path, sizeof(path), "%s%s", fx->db, suffixes[i]);
		unlink(path);
	}
	rmdir(fx->dir);
	free(fx->events);
	free(fx->refs);
	free(fx);
}

static int fixture_setup(const struct bench_args *args, void **ret)
{
	(void)args;
	struct fixture *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -ENOMEM;
	fx->events = calloc(BATCH, sizeof(*fx->events));
	fx->refs = calloc(BATCH, sizeof(*fx->refs));
	snprintf(fx->dir, sizeof(fx->dir), "/var/tmp/sigsys-bench-store-XXXXXX");
	if (!fx->events || !fx->refs || !mkdtemp(fx->dir)) {
		fixture_free(fx);
		return -errno;
	}
	snprintf(fx->db, sizeof(fx->db), "%s/sigsys.db", fx->dir);
	fx->clock = TIME_ORIGIN;
	struct store_options o;
	store_options_init(&o);
	o.max_rows_per_key = 0; /* every denial a row: the cost measured is the row's */
	struct store_error err;
	int r = store_open(fx->db, &o, &fx->store, &err);
	if (r < 0) {
		fprintf(stderr, "bench-store: %s\n", err.message);
		fixture_free(fx);
		return r;
	}
	r = register_tasks(fx);
	if (r < 0) {
		fixture_free(fx);
		return r;
	}
	*ret = fx;
	return 0;
}

/* ---- measurements ------------------------------------------------------------------------- */

/* Store fx->refs[0..n) in batches of `batch`; events per second. */
static int rate(struct fixture *fx, size_t n, size_t batch, double *ret)
{
	struct store_error err;
	uint64_t t0 = now_ns();
	for (size_t done = 0; done < n; done += batch) {
		int r = store_put_events(fx->store, fx->refs + done, batch, NULL, &err);
		if (r < 0) {
			fprintf(stderr, "bench-store: %s\n", err.message);
			return r;
		}
	}
	*ret = (double)n * NS_PER_S / (double)(now_ns() - t0);
	return 0;
}

/* Distinct denials: 64 tasks, 300 syscalls (4 800 counters per batch). */
static int measure(struct fixture *fx, uint32_t action, size_t n, size_t batch, struct samples *out)
{
	double v;
	fill_events(fx, action, TASKS, 300);
	int r = rate(fx, n, batch, &v);
	return r < 0 ? r : samples_push(out, v);
}

static void emit(const char *name, const char *baseline, const struct samples *value,
		 const struct samples *base, struct target target)
{
	struct comparison c = {.name = name,
			       .baseline = baseline,
			       .unit = "events/s",
			       .value = value,
			       .base = base,
			       .target = target};
	bench_emit(&c);
}

/* Batches of 10 000 distinct denials vs one denial per transaction. */
static int bench_batched(const struct bench_args *args, void *arg)
{
	struct fixture *fx = arg;
	struct samples batched = {0}, single = {0};
	unsigned reps = bench_reps(args, 15, 5);
	int r = 0;
	for (unsigned i = 0; i < reps && r == 0; i++) {
		r = measure(fx, SECCOMP_RET_ERRNO, BATCH, BATCH, &batched);
		if (r == 0)
			r = measure(fx, SECCOMP_RET_ERRNO, SINGLES, 1, &single);
	}
	if (r == 0)
		emit("store.batched_rows", "one event per transaction", &batched, &single,
		     (struct target){TARGET_VALUE_MIN, 100000, ">= 100 000 events/s"});
	samples_clear(&batched);
	samples_clear(&single);
	return r;
}

/* One task in log mode hammering 4 syscalls: 4 counters per batch, no row. */
static int measure_storm(struct fixture *fx, struct samples *out)
{
	double v;
	fill_events(fx, SECCOMP_RET_LOG, 1, 4);
	int r = rate(fx, BATCH, BATCH, &v);
	return r < 0 ? r : samples_push(out, v);
}

/* A LOG storm vs the same batches of rows. */
static int bench_log_storm(const struct bench_args *args, void *arg)
{
	struct fixture *fx = arg;
	struct samples logs = {0}, rows = {0};
	unsigned reps = bench_reps(args, 15, 5);
	int r = 0;
	for (unsigned i = 0; i < reps && r == 0; i++) {
		r = measure_storm(fx, &logs);
		if (r == 0)
			r = measure(fx, SECCOMP_RET_ERRNO, BATCH, BATCH, &rows);
	}
	if (r == 0)
		/* the kernel emits ~300 000 LOG records/s: the store must keep up */
		emit("store.log_storm", "batches of distinct rows", &logs, &rows,
		     (struct target){TARGET_VALUE_MIN, 300000, ">= 300 000 events/s, no rows"});
	samples_clear(&logs);
	samples_clear(&rows);
	return r;
}

static const struct bench benches[] = {
	{"batched", "10 000 distinct denials per transaction vs one per transaction",
	 bench_batched},
	{"log", "one task's LOG storm (counted, no rows) vs batches of rows", bench_log_storm},
};

int main(int argc, char **argv)
{
	static const struct fixture_ops ops = {fixture_setup, fixture_free};
	return bench_main(argc, argv, benches, ARRAY_SIZE(benches), &ops, BENCH_DEFAULT_PROFILE);
}
