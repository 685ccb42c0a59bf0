/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "verdict.h"
#include "launch-cache.h"
#include "../common/util.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHEDULER_JSON_MAX (4u << 20)
/* Failures max_delay_after() counts before it says "never". */
#define VERDICT_FAILURES_COUNTED_MAX 1000000u

/* ---- what the scheduler does next ------------------------------------------------------- */

void scheduler_policy_init(struct scheduler_policy *p)
{
	*p = (struct scheduler_policy){
		.backoff_s = MARATHON_BACKOFF_S,
		.backoff_factor = MARATHON_BACKOFF_FACTOR,
		.max_delay_s = MARATHON_MAX_DELAY_S,
		.deadline_s = -1,
	};
}

static int read_json(const char *path, struct json_object **ret, char *err, size_t size)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = read_file_bounded(path, SCHEDULER_JSON_MAX, &text, &len);
	if (r < 0) {
		format_into(err, size, "%s: %s", path,
			    r == -E2BIG ? "larger than 4 MiB" : strerror(-r));
		return r;
	}
	*ret = json_tokener_parse(text);
	if (!*ret || !json_object_is_type(*ret, json_type_object)) {
		json_object_put(*ret);
		format_into(err, size, "%s: not a JSON object", path);
		return -EINVAL;
	}
	return 0;
}

/* A number member, when present: -EINVAL when it is not a number in [min, max]. */
static int number_member(struct json_object *o, const char *key, double min, double max,
			 double *value, bool *given, const char *path, char *err, size_t size)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	json_type t = json_object_get_type(v);
	double d = json_object_get_double(v);
	if ((t != json_type_int && t != json_type_double) || !(d >= min && d <= max)) {
		format_into(err, size, "%s: %s: expected a number from %g to %g", path, key, min,
			    max);
		return -EINVAL;
	}
	*value = d;
	*given = true;
	return 0;
}

int scheduler_policy_read_marathon(struct scheduler_policy *p, const char *path, char *err,
				   size_t size)
{
	struct json_object *app;
	int r = read_json(path, &app, err, size);
	if (r < 0)
		return r;
	bool given = false;
	if ((r = number_member(app, "backoffSeconds", 0, 86400, &p->backoff_s, &given, path, err,
			       size)) < 0 ||
	    (r = number_member(app, "backoffFactor", 1, 100, &p->backoff_factor, &given, path, err,
			       size)) < 0 ||
	    (r = number_member(app, "maxLaunchDelaySeconds", 0, 86400 * 30, &p->max_delay_s, &given,
			       path, err, size)) < 0) {
		json_object_put(app);
		return r;
	}
	p->backoff_given = given;
	json_object_put(app);
	return 0;
}

int scheduler_policy_read_metronome(struct scheduler_policy *p, const char *path, char *err,
				    size_t size)
{
	struct json_object *job, *run, *restart, *policy;
	int r = read_json(path, &job, err, size);
	if (r < 0)
		return r;
	bool given = false;
	double deadline = -1;
	if (json_object_object_get_ex(job, "run", &run) &&
	    json_object_object_get_ex(run, "restart", &restart)) {
		r = number_member(restart, "activeDeadlineSeconds", 0, 86400 * 365, &deadline,
				  &given, path, err, size);
		if (json_object_object_get_ex(restart, "policy", &policy))
			format_into(p->restart_policy, sizeof(p->restart_policy), "%s",
				    json_object_get_string(policy));
	}
	p->deadline_s = given ? (int64_t)deadline : -1;
	json_object_put(job);
	return r;
}

double marathon_delay_s(const struct scheduler_policy *p, unsigned failures)
{
	if (failures == 0)
		return 0;
	double d = p->backoff_s;
	for (unsigned i = 1; i < failures && d < p->max_delay_s; i++)
		d *= p->backoff_factor;
	return d < p->max_delay_s ? d : p->max_delay_s;
}

/* The failure from which the delay stays at its maximum: 42 with the defaults; 0 when it
 * never gets there (no backoff, or a factor of 1). One pass, whatever the policy says. */
static unsigned max_delay_after(const struct scheduler_policy *p)
{
	double d = p->backoff_s;
	unsigned n = 1;
	if (d >= p->max_delay_s)
		return 1;
	if (d <= 0 || p->backoff_factor <= 1)
		return 0;
	for (; d < p->max_delay_s; n++) {
		if (n == VERDICT_FAILURES_COUNTED_MAX)
			return 0; /* a factor barely above 1: not within any failure count that
				     matters */
		d *= p->backoff_factor;
	}
	return n;
}

/* ---- the history of the app or job --------------------------------------------------------- */

struct cause {
	bool seccomp; /* a seccomp kill or denial failed the task */
	enum outcome outcome;
	char name[SYSCALL_NAME_MAX];
	uint32_t arch;
};

static void cause_of(const struct diagnosis *d, struct cause *ret)
{
	*ret = (struct cause){.outcome = d->outcome};
	ret->seccomp = d->decisive &&
		       (d->outcome == OUTCOME_SECCOMP_KILL || d->outcome == OUTCOME_SECCOMP_DENIED);
	if (!ret->seccomp)
		return;
	format_into(ret->name, sizeof(ret->name), "%s", d->decisive->name);
	ret->arch = d->decisive->arch;
}

static bool same_cause(const struct cause *a, const struct cause *b)
{
	return a->seccomp && b->seccomp && a->outcome == b->outcome && a->arch == b->arch &&
	       strcmp(a->name, b->name) == 0;
}

/* Diagnose another task of the app or job as its own report would. The tasks of an app
 * share their profile: the cache compiles it once for them all. */
static int past_cause(struct store *s, struct launch_cache *cache, const char *id,
		      struct cause *ret, struct store_error *err)
{
	struct task_evidence ev;
	struct launch_profile scratch;
	const struct launch_profile *p;
	struct diagnosis d;
	*ret = (struct cause){.outcome = OUTCOME_UNKNOWN};
	int r = evidence_load(s, id, &ev, err);
	if (r == -ENOENT)
		return 0; /* pruned since it was listed */
	if (r < 0)
		return r;
	r = launch_cache_get(cache, &ev.task, &scratch, &p);
	if (r == 0) {
		diagnose(&ev, p, &d);
		cause_of(&d, ret);
	}
	launch_profile_clear(&scratch);
	evidence_clear(&ev);
	return r;
}

struct past_task {
	char id[STORE_ID_MAX + 1];
	char run_id[STORE_ID_MAX + 1];
	uint64_t seen_ns;
	struct store_exit exit;
};

struct past {
	struct past_task tasks[VERDICT_HISTORY_MAX];
	size_t n;
};

static int on_past_task(const struct store_task *t, void *userdata)
{
	struct past *h = userdata;
	if (h->n == VERDICT_HISTORY_MAX)
		return 0;
	struct past_task *pt = &h->tasks[h->n++];
	format_into(pt->id, sizeof(pt->id), "%s", t->task_id);
	format_into(pt->run_id, sizeof(pt->run_id), "%s", t->run_id ? t->run_id : "");
	pt->seen_ns = t->seen_ns;
	pt->exit = t->exit;
	return 0;
}

static bool exit_failed(const struct store_exit *x)
{
	return (x->kind == STORE_EXIT_STATUS && x->code != 0) || x->kind == STORE_EXIT_SIGNAL;
}

static bool exit_succeeded(const struct store_exit *x)
{
	return x->kind == STORE_EXIT_STATUS && x->code == 0;
}

/* The app's tasks, or every run of the job, newest first, up to this task. */
static int load_past(struct store *s, const struct store_task *t, struct past *ret,
		     struct store_error *err)
{
	struct store_task_query q = {.limit = VERDICT_HISTORY_MAX,
				     .seen_before_ns = t->seen_ns ? t->seen_ns : 1};
	q.key = t->app_id ? STORE_TASKS_BY_APP : STORE_TASKS_BY_JOB;
	q.id = t->app_id ? t->app_id : t->job_id;
	ret->n = 0;
	return store_find_tasks(s, &q, on_past_task, ret, err);
}

static struct run_summary *run_of(struct verdict *v, const char *run_id)
{
	for (size_t i = 0; i < v->n_runs; i++)
		if (!strcmp(v->runs[i].run_id, run_id))
			return &v->runs[i];
	if (v->n_runs == VERDICT_RUNS_MAX)
		return NULL;
	struct run_summary *run = &v->runs[v->n_runs++];
	format_into(run->run_id, sizeof(run->run_id), "%s", run_id);
	return run;
}

/* One past task into the counts: this run's (or the app's) and the earlier runs'. */
static void count_task(struct verdict *v, const struct store_task *t, const struct past_task *pt,
		       bool same)
{
	bool this_scope = !t->job_id || !strcmp(pt->run_id, t->run_id ? t->run_id : "");
	if (this_scope) {
		v->tasks++;
		v->failures += exit_failed(&pt->exit);
		if (v->metronome && (!v->run_started_ns || pt->seen_ns < v->run_started_ns))
			v->run_started_ns = pt->seen_ns;
		return;
	}
	struct run_summary *run = run_of(v, pt->run_id);
	if (!run)
		return;
	run->tasks++;
	run->failures += exit_failed(&pt->exit);
	run->same_cause += same && exit_failed(&pt->exit);
	if (!run->first_ns || pt->seen_ns < run->first_ns)
		run->first_ns = pt->seen_ns;
}

/* Walk the history newest first: the streak of the same cause, and the counts. */
static int weigh_history(struct store *s, const struct task_evidence *ev, const struct cause *now,
			 struct verdict *v, struct store_error *err)
{
	const struct store_task *t = &ev->task;
	struct past *h = calloc(1, sizeof(*h));
	struct launch_cache *cache = NULL;
	bool streak = true;
	if (!h || launch_cache_new(&cache) < 0) {
		free(h);
		return -ENOMEM;
	}
	int r = load_past(s, t, h, err);
	for (size_t i = 0; r >= 0 && i < h->n; i++) {
		const struct past_task *pt = &h->tasks[i];
		struct cause c = *now;
		bool failed = exit_failed(&pt->exit);
		if (failed && strcmp(pt->id, t->task_id) != 0)
			r = past_cause(s, cache, pt->id, &c, err);
		bool same = failed && same_cause(now, &c);
		if (!strcmp(pt->id, t->task_id))
			same = same_cause(now, now);
		if (streak && same)
			v->same_cause++;
		else if (streak && (exit_succeeded(&pt->exit) || failed))
			streak = false; /* a success or another cause ends the streak */
		count_task(v, t, pt, same);
	}
	launch_cache_free(cache);
	free(h);
	return r < 0 ? r : 0;
}

/* ---- the answer --------------------------------------------------------------------------- */

static void scope_text(const struct store_task *t, char *buf, size_t size)
{
	if (t->app_id)
		format_into(buf, size, "Marathon app %s", t->app_id);
	else if (t->job_id)
		format_into(buf, size, "Metronome job %s%s%s", t->job_id, t->run_id ? " run " : "",
			    t->run_id ? t->run_id : "");
	else
		format_into(buf, size, "this task (it names no app or job)");
}

static void decide(const struct diagnosis *d, struct verdict *v)
{
	if (d->outcome == OUTCOME_UNKNOWN) {
		v->deterministic = VERDICT_UNKNOWN;
		format_into(v->why, sizeof(v->why), "the evidence cannot say: %s", d->reason);
	} else if (d->outcome == OUTCOME_NOT_SECCOMP) {
		v->deterministic = VERDICT_NO;
		format_into(v->why, sizeof(v->why), "%s",
			    d->failed ? "seccomp did not cause this failure"
				      : "the task did not fail");
	} else if (d->outcome == OUTCOME_SECCOMP_LOGGED) {
		v->deterministic = VERDICT_NO;
		format_into(v->why, sizeof(v->why),
			    "log mode: seccomp let every call run, so it cannot fail the task");
	} else if (v->same_cause >= VERDICT_SAME_CAUSE_MIN) {
		v->deterministic = VERDICT_YES;
		format_into(v->why, sizeof(v->why),
			    "the last %u failures of %s all had this seccomp cause", v->same_cause,
			    v->scope);
	} else {
		v->deterministic = VERDICT_NOT_YET;
		format_into(
			v->why, sizeof(v->why),
			"the first failure of %s with this seccomp cause: the next one will tell",
			v->scope);
	}
}

static void append(char *buf, size_t size, const char *fmt, ...) _printf_(3, 4);
static void append(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;
	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

static void marathon_advice(const struct scheduler_policy *pol, struct verdict *v)
{
	append(v->advice, sizeof(v->advice),
	       " Marathon relaunches it after each failure with a growing delay (next in %.1f s, "
	       "then %.1f s, %.1f s, …, %.0f s from failure %u on, %s) until the app or its "
	       "profile changes: a new app version resets the delay.",
	       v->next_delays_s[0], v->next_delays_s[1], v->next_delays_s[2], pol->max_delay_s,
	       v->max_delay_after,
	       pol->backoff_given ? "from the app's backoff settings" : "Marathon's defaults");
}

static void metronome_advice(const struct scheduler_policy *pol, struct verdict *v)
{
	char *a = v->advice;
	char ends[TIME_TEXT_MAX];
	if (!strcmp(pol->restart_policy, "NEVER")) {
		append(a, sizeof(v->advice),
		       " The job's restart policy is NEVER: Metronome does not retry this run, and "
		       "the job's next run will fail the same way.");
	} else if (pol->deadline_s >= 0) {
		time_text(v->run_started_ns + (uint64_t)pol->deadline_s * 1000000000ull, ends,
			  sizeof(ends));
		append(a, sizeof(v->advice),
		       " Metronome retries the run (ON_FAILURE, no backoff) until its "
		       "activeDeadlineSeconds of %jd s run out at %s: every retry will fail the "
		       "same way.",
		       (intmax_t)pol->deadline_s, ends);
	} else {
		append(a, sizeof(v->advice),
		       " With restart policy ON_FAILURE, Metronome retries the run without backoff "
		       "until its activeDeadlineSeconds run out, and every retry will fail the "
		       "same "
		       "way (--metronome-job JOB.json gives the deadline).");
	}
}

static void advise(const struct diagnosis *d, const struct scheduler_policy *pol, struct verdict *v)
{
	const char *fix = v->has_pattern ? v->pattern.fix : NULL;
	switch (v->deterministic) {
	case VERDICT_YES:
		format_into(v->advice, sizeof(v->advice),
			    "Restarting will not help: the last %u failures were all %s on %s. "
			    "Fix: %s.",
			    v->same_cause, outcome_name(d->outcome), d->decisive->name,
			    fix ? fix : "change the profile or the task");
		break;
	case VERDICT_NOT_YET:
		format_into(
			v->advice, sizeof(v->advice),
			"A seccomp decision repeats on every run of the same program under the "
			"same profile, so a restart will most likely fail on %s again. Fix: %s.",
			d->decisive->name, fix ? fix : "change the profile or the task");
		break;
	case VERDICT_NO:
		format_into(
			v->advice, sizeof(v->advice), "%s",
			d->outcome == OUTCOME_SECCOMP_LOGGED
				? "Nothing failed because of seccomp. Before enforcing the "
				  "profile, allow what the task needs: 'sigsys suggest TASK_ID'."
			: d->failed ? "Seccomp did not cause this failure: read the task's own "
				      "output (stderr in its Mesos sandbox). Whether a restart "
				      "helps is beyond what sigsys sees."
				    : "Nothing to fix: the task did not fail.");
		return;
	default:
		format_into(v->advice, sizeof(v->advice),
			    "sigsys cannot tell whether restarting helps: %s", d->reason);
		return;
	}
	if (v->marathon)
		marathon_advice(pol, v);
	else if (v->metronome)
		metronome_advice(pol, v);
}

static void schedule(const struct scheduler_policy *pol, struct verdict *v)
{
	unsigned failures = v->failures ? v->failures : 1;
	for (unsigned i = 0; i < VERDICT_DELAYS; i++)
		v->next_delays_s[i] = marathon_delay_s(pol, failures + i);
	v->max_delay_after = max_delay_after(pol);
}

int verdict_build(struct store *s, const struct task_evidence *ev, const struct launch_profile *p,
		  const struct diagnosis *d, const struct scheduler_policy *policy,
		  struct verdict *ret, struct store_error *err)
{
	const struct store_task *t = &ev->task;
	struct scheduler_policy defaults;
	struct cause now;
	*ret = (struct verdict){0};
	if (!policy) {
		scheduler_policy_init(&defaults);
		policy = &defaults;
	}
	ret->marathon = t->app_id || (t->framework && !strcmp(t->framework, "marathon"));
	ret->metronome = !t->app_id && t->job_id;
	scope_text(t, ret->scope, sizeof(ret->scope));
	cause_of(d, &now);
	if (t->app_id || t->job_id) {
		int r = weigh_history(s, ev, &now, ret, err);
		if (r < 0)
			return r;
	} else {
		ret->tasks = 1;
		ret->failures = d->failed;
		ret->same_cause = now.seccomp && d->failed;
	}
	ret->has_pattern = pattern_find(ev, p, d, &ret->pattern);
	decide(d, ret);
	if (ret->marathon)
		schedule(policy, ret);
	advise(d, policy, ret);
	return 0;
}
