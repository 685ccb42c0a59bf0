/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Will restarting help? The failures of the same Marathon app (its restarts) or Metronome job
 * (the retries of a run, and earlier runs), each diagnosed as the task itself is: when the
 * newest ones share one seccomp cause, the failure is deterministic, and the verdict says what
 * the scheduler will do next (Marathon's backoff, Metronome's retries until the deadline).
 */
#ifndef SIGSYS_REPORT_VERDICT_H
#define SIGSYS_REPORT_VERDICT_H

#include "diagnose.h"
#include "patterns.h"

/* Marathon's defaults (FACTS.md). */
#define MARATHON_BACKOFF_S	1.0
#define MARATHON_BACKOFF_FACTOR 1.15
#define MARATHON_MAX_DELAY_S	300.0
/* Tasks of one app or job weighed, newest first. */
#define VERDICT_HISTORY_MAX 50
/* The same seccomp cause this many times in a row: restarting will not help. */
#define VERDICT_SAME_CAUSE_MIN 2
#define VERDICT_DELAYS	       5
#define VERDICT_RUNS_MAX       10

/* What the scheduler does after a failure: from the app or job JSON, or the defaults. */
struct scheduler_policy {
	double backoff_s, backoff_factor, max_delay_s;
	bool backoff_given;	 /* from the app JSON (else Marathon's defaults) */
	int64_t deadline_s;	 /* Metronome run.restart.activeDeadlineSeconds; -1 unknown */
	char restart_policy[16]; /* Metronome run.restart.policy; "" unknown */
};

void scheduler_policy_init(struct scheduler_policy *p);
/* Read backoffSeconds, backoffFactor, maxLaunchDelaySeconds from a Marathon app JSON, or
 * run.restart from a Metronome job JSON. 0, or a negative errno with err filled. */
int scheduler_policy_read_marathon(struct scheduler_policy *p, const char *path, char *err,
				   size_t size);
int scheduler_policy_read_metronome(struct scheduler_policy *p, const char *path, char *err,
				    size_t size);

enum verdict_answer {
	VERDICT_NOT_YET, /* one failure with this cause so far: the next one will tell */
	VERDICT_NO,	 /* not a repeated seccomp failure: restarting may help */
	VERDICT_YES,	 /* the same seccomp cause again and again */
	VERDICT_UNKNOWN, /* the evidence cannot say */
};

struct run_summary {
	char run_id[STORE_ID_MAX + 1];
	unsigned tasks, failures, same_cause;
	uint64_t first_ns;
};

struct verdict {
	enum verdict_answer deterministic;
	char why[512];
	unsigned same_cause;	  /* newest consecutive failures with this cause, this one too */
	unsigned failures, tasks; /* in scope, this task included */
	char scope[STORE_ID_MAX * 2 + 64];
	bool marathon, metronome;
	/* Marathon: the delay before the next launch, then after each further failure. */
	double next_delays_s[VERDICT_DELAYS];
	unsigned max_delay_after; /* failures after which the delay stays at its maximum */
	/* Metronome: this run (its retries) and the earlier runs of the job. */
	uint64_t run_started_ns;
	struct run_summary runs[VERDICT_RUNS_MAX]; /* earlier runs, newest first */
	size_t n_runs;
	bool has_pattern;
	struct pattern pattern;
	char advice[1536];
};

int verdict_build(struct store *s, const struct task_evidence *ev, const struct launch_profile *p,
		  const struct diagnosis *d, const struct scheduler_policy *policy,
		  struct verdict *ret, struct store_error *err);

/* The Marathon delay before launch number failures + 1 (1 s, 1.15 s, … capped). */
double marathon_delay_s(const struct scheduler_policy *p, unsigned failures);

#endif
