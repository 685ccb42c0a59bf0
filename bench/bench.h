/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The benchmark harness shared by every bench/bench-*.c program: clocks, samples and their
 * medians, forked children (a seccomp filter cannot be removed, so whatever loads one runs in
 * a child), and the output protocol bench/run collects:
 *
 *   one JSON object per line on stdout, one per comparison of a measurement with a baseline
 *   measured in the same run: name, unit, value and baseline_value (medians), baseline,
 *   ratio and delta, runs, spread ((p75 - p25) / median), baseline_spread, target (the issue's
 *   target as text, or null) and target_met (true, false, or null for a figure the issue
 *   only asks to report).
 *
 * The two sides are measured in interleaved pairs, so ratio and delta are the medians of the
 * per-pair value / baseline and value - baseline: the speed of a shared VM drifts by tens of
 * percent between rounds, and a pair sees one speed. They are close to, not equal to, the
 * ratio and the difference of the two medians.
 *
 * Progress and errors go to stderr. Nothing here enforces a target.
 */
#ifndef SIGSYS_BENCH_H
#define SIGSYS_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bench_args {
	bool quick;	     /* fewer repetitions: the whole suite in under a minute */
	const char *profile; /* the profile the benchmarks compile */
};

/* Repetitions for a full or a quick run. */
static inline unsigned bench_reps(const struct bench_args *args, unsigned full, unsigned quick)
{
	return args->quick ? quick : full;
}

uint64_t now_ns(void);

/* A growable list of measurements, all in one unit. */
struct samples {
	double *v;
	size_t n, cap;
};

int samples_push(struct samples *s, double value);
void samples_clear(struct samples *s);
double samples_quantile(const struct samples *s, double q);
double samples_median(const struct samples *s);
/* (p75 - p25) / median: how much to trust the median on a noisy machine. */
double samples_spread(const struct samples *s);
/* a[i] - b[i] and a[i] / b[i]: the two lists were measured in interleaved pairs. */
int samples_paired_diff(const struct samples *a, const struct samples *b, struct samples *ret);
int samples_paired_ratio(const struct samples *a, const struct samples *b, struct samples *ret);

enum target_kind {
	TARGET_NONE,	  /* reported only: text says what the issue asks ("report it") */
	TARGET_RATIO_MAX, /* value / baseline at most bound */
	TARGET_RATIO_MIN, /* value / baseline at least bound */
	TARGET_DELTA_MAX, /* value - baseline at most bound (in the unit) */
	TARGET_VALUE_MAX, /* value (the median) at most bound (in the unit) */
	TARGET_VALUE_MIN, /* value (the median) at least bound (in the unit) */
};

struct target {
	enum target_kind kind;
	double bound;
	const char *text; /* as the issue states it, printed beside the result */
};

struct comparison {
	const char *name;     /* what was measured: "group.subject" */
	const char *baseline; /* what it is compared with, measured in the same run */
	const char *unit;
	const struct samples *value, *base; /* paired by index */
	struct target target;
	/* 0: medians, and the medians of the per-pair ratios and differences. Else the tail
	 * (0.99: p99) of each side, and their ratio and difference: pairs say nothing of tails. */
	double quantile;
};

/* Print one comparison as a JSON line on stdout. */
void bench_emit(const struct comparison *c);

/*
 * Run fn in a forked child. The child fills out[0..n) and returns 0 or a negative errno;
 * the values come back through a pipe. Returns 0, or the child's error.
 */
typedef int (*child_fn)(void *arg, double *out, size_t n);
int run_in_child(child_fn fn, void *arg, double *out, size_t n);

/* One benchmark of a program; run returns 0 or a negative errno (after saying why). */
struct bench {
	const char *name;
	const char *what;
	int (*run)(const struct bench_args *args, void *fixture);
};

/* The state every benchmark of a program shares, built once outside any timed region. */
struct fixture_ops {
	int (*setup)(const struct bench_args *args, void **ret_fixture);
	void (*teardown)(void *fixture);
};

/*
 * Parse [--quick] [--profile PATH] [--list] [NAME...] and run the named benchmarks (all by
 * default). default_profile is used without --profile.
 */
int bench_main(int argc, char **argv, const struct bench *benches, size_t n_benches,
	       const struct fixture_ops *ops, const char *default_profile);

#endif
