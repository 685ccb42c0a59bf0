/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The report of one task, from sigsysd's store: the evidence, the diagnosis, and every
 * section printed through one struct out, so `sigsys report` (text or JSON) and sigsysd's
 * GET /v1/tasks/{id}/report give the same document. Nothing here prints on its own.
 */
#include "report.h"
#include "diagnose.h"
#include "launch-cache.h"
#include "output.h"
#include "profile-cmd.h"
#include "verdict.h"

#include <json-c/json.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPORT_SCHEMA_VERSION 1
#define NULL_REASONS_MAX      24
#define TEXT_DENIALS_MAX      12

/* Every JSON null says why, in "null_reasons": {"syscall.args": "…"}. */
struct null_reasons {
	const char *path[NULL_REASONS_MAX];
	char why[NULL_REASONS_MAX][512];
	size_t n;
};

struct report {
	struct out *out;
	const struct report_options *opts;
	struct task_evidence *ev;
	const struct launch_profile *profile;
	const struct diagnosis *d;
	const struct verdict *v;
	struct null_reasons nulls;
};

/* ---- printing helpers --------------------------------------------------------------------- */

static void null_why(struct report *rp, const char *key, const char *path, const char *text,
		     const char *why)
{
	out_null(rp->out, key, text);
	if (rp->nulls.n < NULL_REASONS_MAX) {
		rp->nulls.path[rp->nulls.n] = path;
		format_into(rp->nulls.why[rp->nulls.n], sizeof(rp->nulls.why[0]), "%s", why);
		rp->nulls.n++;
	}
}

static void out_time(struct out *out, const char *key, const char *fmt, uint64_t ns)
{
	char text[TIME_TEXT_MAX];
	time_text(ns, text, sizeof(text));
	out_string(out, key, fmt, text);
}

/* A string field that is null when unset, JSON only. */
static void out_optional(struct out *out, const char *key, const char *value)
{
	if (value)
		out_string(out, key, NULL, value);
	else
		out_null(out, key, NULL);
}

/* ---- the sections ------------------------------------------------------------------------- */

static void out_identity(struct report *rp)
{
	const struct store_task *t = &rp->ev->task;
	struct out *out = rp->out;
	out_int(out, "schema_version", NULL, REPORT_SCHEMA_VERSION);
	out_string(out, "task_id", "task       %s", t->task_id);
	out_optional(out, "framework", t->framework);
	out_optional(out, "app_id", t->app_id);
	out_optional(out, "job_id", t->job_id);
	out_optional(out, "run_id", t->run_id);
	out_optional(out, "container_id", t->container_id);
	out_optional(out, "agent_id", t->agent_id);
	out_text(out, " (%s%s%s%s%s)\n", t->framework ? t->framework : "framework unknown",
		 t->app_id ? ", app " : "", t->app_id ? t->app_id : "", t->job_id ? ", job " : "",
		 t->job_id ? t->job_id : "");
	out_string(out, "outcome", "outcome    %s: ", outcome_name(rp->d->outcome));
	out_string(out, "reason", "%s\n", rp->d->reason);
}

/* A 64-bit argument as "0x…": JSON numbers lose precision above 2^53. */
static void out_hex(struct out *out, const char *fmt, uint64_t value)
{
	char text[24];
	format_into(text, sizeof(text), "0x%jx", (uintmax_t)value);
	out_string(out, NULL, fmt, text);
}

/* The path arguments the notify source read: a JSON array of strings (null: unread). */
static void out_strings(struct out *out, const char *strings)
{
	struct json_object *a = json_tokener_parse(strings);
	out_array_begin(out, "strings");
	for (size_t i = 0;
	     json_object_is_type(a, json_type_array) && i < json_object_array_length(a); i++) {
		struct json_object *s = json_object_array_get_idx(a, i);
		if (json_object_is_type(s, json_type_string))
			out_string(out, NULL, "           string \"%s\"\n",
				   json_object_get_string(s));
		else
			out_null(out, NULL, "           string (unreadable)\n");
	}
	out_array_end(out);
	json_object_put(a);
}

/* The arguments when the bpf or notify source saw the call; audit carries none. */
static void out_args(struct report *rp, const struct ev_event *e)
{
	struct out *out = rp->out;
	if (!e->has_args) {
		null_why(rp, "args", "syscall.args", NULL,
			 "only audit saw this call, and audit records carry no arguments");
		null_why(rp, "strings", "syscall.strings", NULL,
			 "only the notify source reads string arguments");
		return;
	}
	out_array_begin(out, "args");
	for (size_t i = 0; i < 6; i++)
		out_hex(out, i ? ", %s" : "args       %s", e->args[i]);
	out_array_end(out);
	out_text(out, "\n");
	if (e->tid)
		out_int(out, "tid", NULL, e->tid);
	if (e->strings)
		out_strings(out, e->strings);
	else
		null_why(rp, "strings", "syscall.strings", NULL,
			 "no strings stored: the call has no path argument sigsys reads, it did "
			 "not come through the notify source, or sigsysd runs with --redact");
}

static void out_syscall(struct report *rp)
{
	const struct ev_event *e = rp->d->decisive;
	struct out *out = rp->out;
	if (!e) {
		null_why(rp, "syscall", "syscall", NULL,
			 "no seccomp decision weighed in the outcome");
		return;
	}
	out_object_begin(out, "syscall");
	out_string(out, "name", "syscall    %s", e->name);
	out_int(out, "nr", " (nr %jd", e->nr);
	out_string(out, "arch", ", %s)", event_arch_name(e->arch, e->nr));
	out_int(out, "pid", " by process %jd", e->pid);
	out_string(out, "comm", " (%s)", e->comm);
	out_time(out, "time", " at %s\n", e->time_ns);
	out_args(rp, e);
	out_object_end(out);
}

static void out_action_errno(struct report *rp)
{
	const struct ev_event *e = rp->d->decisive;
	const struct rule_match *m = &rp->d->rule;
	uint32_t kind = m->decision.action & SECCOMP_RET_ACTION_FULL;
	if (!e) {
		null_why(rp, "action", "action", NULL,
			 "no seccomp decision weighed in the outcome");
		null_why(rp, "errno", "errno", NULL, "no seccomp decision weighed in the outcome");
		return;
	}
	out_string(rp->out, "action", NULL, event_action_name(e->action));
	if (e->action != SECCOMP_RET_ERRNO)
		null_why(rp, "errno", "errno", NULL,
			 e->action == SECCOMP_RET_LOG
				 ? "a logged call runs and gets no errno (rule.written says what "
				   "it would get)"
				 : "the call got no errno: its action is not ERRNO");
	else if (!m->found || kind != SECCOMP_RET_ERRNO)
		null_why(rp, "errno", "errno", NULL, m->why_none);
	else
		out_string(rp->out, "errno", NULL, decision_errno(m->decision.action));
}

/* The profile directory is there but the task's file is not: it was removed (or renamed)
 * since the launch — a drift to flag, not a comparison that could not be made. */
static bool removed_from_dir(const char *dir, int r)
{
	struct stat st;
	return r == -ENOENT && stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

/* changed_on_disk: the file of the same name in --profile-dir, compared by digest. */
static void out_changed_on_disk(struct report *rp)
{
	const struct store_task *t = &rp->ev->task;
	struct sigsys_profile *now = NULL;
	struct sigsys_error err = {{0}};
	char why[1024];
	int r = sigsys_profile_load_named(rp->opts->profile_dir, t->profile_name, &now, &err);
	if (removed_from_dir(rp->opts->profile_dir, r)) {
		out_bool(rp->out, "changed_on_disk", NULL, true);
		out_text(rp->out, " (removed from %s since the launch)\n", rp->opts->profile_dir);
		return;
	}
	if (r == -ENOENT || r == -EPERM || r == -ENOTDIR) {
		format_into(why, sizeof(why), "not compared: %s", err.message);
		null_why(rp, "changed_on_disk", "profile.changed_on_disk", " (not compared", why);
		out_text(rp->out, ": no such file in %s)\n", rp->opts->profile_dir);
		return;
	}
	bool changed = r < 0 || strcmp(sigsys_profile_digest(now), t->profile_digest) != 0;
	out_bool(rp->out, "changed_on_disk", NULL, changed);
	out_text(rp->out,
		 changed ? " (changed on disk since the launch%s)\n" : " (unchanged on disk%s)\n",
		 r < 0 ? ": the file no longer parses" : "");
	sigsys_profile_free(now);
}

static void out_profile(struct report *rp)
{
	const struct store_task *t = &rp->ev->task;
	struct out *out = rp->out;
	if (!t->profile_digest) {
		null_why(rp, "profile", "profile", "profile    none: ", rp->profile->why_none);
		out_text(out, "%s\n", rp->profile->why_none);
		return;
	}
	out_object_begin(out, "profile");
	out_string(out, "name", "profile    %s", rp->profile->name);
	out_string(out, "digest", " %s", t->profile_digest);
	out_string(out, "dir", NULL, rp->opts->profile_dir);
	out_changed_on_disk(rp);
	out_object_end(out);
}

static void out_rule_names(struct out *out, const struct sigsys_profile *profile, int index)
{
	struct sigsys_rule_info rule = {0};
	sigsys_profile_rule(profile, (size_t)index, &rule);
	out_array_begin(out, "names");
	for (size_t i = 0; i < rule.n_names; i++)
		out_string(out, NULL, i ? ", %s" : " (%s", rule.names[i]);
	out_array_end(out);
	out_text(out, ")");
}

static void out_rule_origin(struct report *rp, const struct sigsys_decision *d)
{
	struct out *out = rp->out;
	out_text(out, "rule       ");
	if (d->rule_index >= 0) {
		out_int(out, "index", "syscalls[%jd]", d->rule_index);
		out_rule_names(out, rp->profile->profile, d->rule_index);
	} else if (d->added_by_sigsys) {
		null_why(rp, "index", "rule.index", "added by sigsys",
			 "a rule sigsys adds for the mode (a kill-mode start-up probe), not one "
			 "of the profile's syscalls[]");
		out_null(out, "names", NULL);
	} else {
		null_why(rp, "index", "rule.index", "default action",
			 "the profile's default action decided: no rule of its syscalls[] "
			 "names the call");
		out_null(out, "names", NULL);
	}
	out_bool(out, "default", NULL, d->rule_index < 0 && !d->added_by_sigsys);
	out_bool(out, "added_by_sigsys", NULL, d->added_by_sigsys);
}

static void out_rule(struct report *rp)
{
	const struct rule_match *m = &rp->d->rule;
	struct out *out = rp->out;
	char decision[48];
	if (!rp->d->decisive || !m->found) {
		null_why(rp, "rule", "rule", NULL,
			 rp->d->decisive ? m->why_none
					 : "no seccomp decision weighed in the outcome");
		if (rp->d->decisive)
			out_text(out, "rule       unknown: %s\n", m->why_none);
		return;
	}
	out_object_begin(out, "rule");
	out_rule_origin(rp, &m->decision);
	decision_text(m->decision.action, decision, sizeof(decision));
	out_string(out, "decision", ": %s", decision);
	out_string(out, "action", NULL, sigsys_action_name(m->decision.action));
	out_optional(out, "errno", decision_errno(m->decision.action));
	out_string(out, "mode", " in %s mode", sigsys_mode_name(rp->profile->mode));
	out_decision(out, "written", " (written %s)\n", m->written.action);
	out_bool(out, "exact", NULL, m->exact);
	if (!m->exact)
		out_string(out, "note", "           %s\n",
			   "audit carries no arguments, and more than one rule gives the recorded "
			   "action depending on them: this is the first of those");
	out_object_end(out);
}

static void out_mode(struct report *rp)
{
	const char *mode = rp->ev->task.mode;
	if (mode)
		out_string(rp->out, "mode", "mode       %s\n", mode);
	else
		null_why(rp, "mode", "mode", "mode       unknown\n", rp->profile->why_none);
}

static void out_exit(struct report *rp)
{
	const struct store_exit *x = &rp->ev->task.exit;
	struct out *out = rp->out;
	if (x->kind == STORE_EXIT_NONE || x->kind == STORE_EXIT_LOST) {
		const char *why =
			!rp->ev->task.registered_ns
				? "the task was never registered: sigsysd follows the exits of "
				  "registered tasks only"
			: x->kind == STORE_EXIT_NONE
				? "no exit seen: the task may still run, or sigsysd missed its end"
				: "the task ended while sigsysd was down: how is unknown";
		null_why(rp, "exit", "exit", "exit       unknown: ", why);
		out_text(out, "%s\n", why);
		return;
	}
	const char *abbrev = x->kind == STORE_EXIT_SIGNAL ? sigabbrev_np(x->code) : NULL;
	out_object_begin(out, "exit");
	if (x->kind == STORE_EXIT_STATUS) {
		out_int(out, "status", "exit       status %jd", x->code);
	} else {
		out_int(out, "signal", "exit       signal %jd", x->code);
		out_string(out, "signal_name", " (SIG%s)", abbrev ? abbrev : "?");
	}
	out_bool(out, "core_dumped", x->core_dumped ? ", core dumped" : NULL, x->core_dumped);
	out_int(out, "pid", " of process %jd", rp->ev->task.pid);
	out_time(out, "time", " at %s\n", x->time_ns);
	out_object_end(out);
}

static void out_denial(struct out *out, const struct ev_event *e, bool text)
{
	const char *fmt_time = text ? "             %s" : NULL;
	out_object_begin(out, NULL);
	out_int(out, "id", NULL, e->id);
	out_time(out, "time", fmt_time, e->time_ns);
	out_int(out, "pid", text ? " %jd" : NULL, e->pid);
	out_string(out, "comm", text ? " %s" : NULL, e->comm);
	out_string(out, "syscall", text ? " %s" : NULL, e->name);
	out_int(out, "nr", NULL, e->nr);
	out_string(out, "arch", NULL, event_arch_name(e->arch, e->nr));
	out_string(out, "action", text ? " %s" : NULL, event_action_name(e->action));
	out_bool(out, "benign", NULL, e->benign);
	out_optional(out, "benign_reason", e->benign_why);
	out_text(out, text && e->benign ? " (benign)\n" : text ? "\n" : "");
	out_object_end(out);
}

static void out_denials(struct report *rp)
{
	const struct task_evidence *ev = rp->ev;
	size_t shown = 0;
	out_text(rp->out, "denials    %zu, %zu benign%s\n", rp->d->n_denials, rp->d->n_benign,
		 rp->d->n_denials ? ":" : "");
	out_array_begin(rp->out, "denials");
	for (size_t i = 0; i < ev->n_events; i++) {
		if (!event_action_denies(ev->events[i].action))
			continue;
		out_denial(rp->out, &ev->events[i], shown++ < TEXT_DENIALS_MAX);
	}
	out_array_end(rp->out);
	if (shown > TEXT_DENIALS_MAX)
		out_text(rp->out, "             … and %zu more (--format json lists them all)\n",
			 shown - TEXT_DENIALS_MAX);
}

/* Logged calls are counted, not stored one by one: one entry per (syscall, arch). */
static void out_logged(struct report *rp)
{
	const struct task_evidence *ev = rp->ev;
	struct out *out = rp->out;
	out_array_begin(out, "logged");
	for (size_t i = 0; i < ev->n_counts; i++) {
		const struct ev_event *c = &ev->counts[i];
		if (c->action != SECCOMP_RET_LOG)
			continue;
		out_object_begin(out, NULL);
		out_string(out, "syscall", "logged     %s", c->name);
		out_int(out, "nr", NULL, c->nr);
		out_string(out, "arch", NULL, event_arch_name(c->arch, c->nr));
		out_uint(out, "count", " x%ju", c->count);
		out_time(out, "first", ", first at %s", c->time_ns);
		out_time(out, "last", NULL, c->last_ns);
		out_int(out, "pid", " by process %jd", c->pid);
		out_string(out, "comm", " (%s)", c->comm);
		out_bool(out, "benign", c->benign ? " (benign)" : NULL, c->benign);
		out_text(out, "\n");
		out_object_end(out);
	}
	out_array_end(out);
}

static void out_delays(struct report *rp)
{
	const struct verdict *v = rp->v;
	struct out *out = rp->out;
	if (!v->marathon) {
		null_why(rp, "next_delays_s", "verdict.next_delays_s", NULL,
			 "not a Marathon app: no launch backoff");
		return;
	}
	out_array_begin(out, "next_delays_s");
	for (size_t i = 0; i < VERDICT_DELAYS; i++)
		out_double(out, NULL,
			   i == 0   ? "backoff    next launch in %.1f s, then"
			   : i == 1 ? " %.1f"
				    : ", %.1f",
			   v->next_delays_s[i]);
	out_array_end(out);
	if (v->max_delay_after)
		out_uint(out, "max_delay_after_failures", " s; the maximum from failure %ju on\n",
			 v->max_delay_after);
	else
		null_why(rp, "max_delay_after_failures", "verdict.max_delay_after_failures",
			 " s; the delay never reaches its maximum\n",
			 "the backoff never grows to maxLaunchDelaySeconds (no backoff, or a "
			 "factor of 1)");
}

static void out_deadline(struct report *rp)
{
	const struct scheduler_policy *pol = rp->opts->policy;
	const struct verdict *v = rp->v;
	struct out *out = rp->out;
	if (!v->metronome) {
		null_why(rp, "deadline", "verdict.deadline", NULL,
			 "not a Metronome job run: no retry deadline");
		return;
	}
	out_object_begin(out, "deadline");
	if (pol && pol->restart_policy[0])
		out_string(out, "restart_policy", "retries    policy %s", pol->restart_policy);
	else
		null_why(rp, "restart_policy", "verdict.deadline.restart_policy",
			 "retries    policy unknown",
			 "no job JSON given (--metronome-job JOB.json)");
	out_time(out, "run_started", ", run started %s", v->run_started_ns);
	if (pol && pol->deadline_s >= 0) {
		out_int(out, "active_deadline_s", ", deadline %jd s", pol->deadline_s);
		out_time(out, "ends", " (at %s)",
			 v->run_started_ns + (uint64_t)pol->deadline_s * 1000000000ull);
	} else {
		null_why(rp, "active_deadline_s", "verdict.deadline.active_deadline_s", NULL,
			 "no job JSON given (--metronome-job JOB.json)");
	}
	out_text(out, "\n");
	out_object_end(out);
}

static void out_earlier_runs(struct report *rp)
{
	const struct verdict *v = rp->v;
	struct out *out = rp->out;
	if (!v->metronome)
		return;
	out_array_begin(out, "earlier_runs");
	for (size_t i = 0; i < v->n_runs; i++) {
		const struct run_summary *run = &v->runs[i];
		out_object_begin(out, NULL);
		out_string(out, "run_id", "earlier    run %s", run->run_id);
		out_uint(out, "tasks", ": %ju task(s)", run->tasks);
		out_uint(out, "failures", ", %ju failed", run->failures);
		out_uint(out, "same_cause", ", %ju with the same cause\n", run->same_cause);
		out_time(out, "started", NULL, run->first_ns);
		out_object_end(out);
	}
	out_array_end(out);
}

static void out_deterministic(struct report *rp)
{
	const struct verdict *v = rp->v;
	struct out *out = rp->out;
	if (v->deterministic == VERDICT_YES || v->deterministic == VERDICT_NO)
		out_bool(out, "deterministic", NULL, v->deterministic == VERDICT_YES);
	else
		null_why(rp, "deterministic", "verdict.deterministic", NULL, v->why);
	out_string(out, "why", "verdict    %s", v->why);
	/* failures: of the app or of this job run; same_cause: the newest in a row, across
	 * the job's runs too, that share this task's seccomp cause. */
	out_uint(out, "same_cause", v->same_cause ? " (%ju in a row;" : " (", v->same_cause);
	out_uint(out, "failures", v->same_cause ? " %ju failed" : "%ju failed", v->failures);
	out_uint(out, "tasks_in_scope", " of %ju task(s)", v->tasks);
	out_string(out, "scope", " of %s)\n", v->scope);
}

static void out_verdict(struct report *rp)
{
	struct out *out = rp->out;
	if (rp->opts->brief) {
		null_why(rp, "verdict", "verdict", NULL,
			 "in a list of tasks, only the newest report weighs the history");
		return;
	}
	out_object_begin(out, "verdict");
	out_deterministic(rp);
	out_string(out, "advice", "advice     %s\n", rp->v->advice);
	out_delays(rp);
	out_deadline(rp);
	out_earlier_runs(rp);
	out_object_end(out);
}

/* The known failure pattern the decisive call fits, in plain words. */
static void out_pattern(struct report *rp)
{
	const struct verdict *v = rp->v;
	struct out *out = rp->out;
	if (!v->has_pattern) {
		null_why(rp, "pattern", "pattern", NULL, "no seccomp decision to explain");
		return;
	}
	out_object_begin(out, "pattern");
	out_string(out, "id", "pattern    %s: ", v->pattern.id);
	out_string(out, "summary", "%s\n", v->pattern.summary);
	out_string(out, "fix", "fix        %s\n", v->pattern.fix);
	out_object_end(out);
}

/* Which sources contributed: the registration, the seccomp sources, the process connector. */
static void out_sources(struct report *rp)
{
	const struct task_evidence *ev = rp->ev;
	struct out *out = rp->out;
	uint32_t seen = 0;
	bool proc = ev->task.exit.kind == STORE_EXIT_STATUS ||
		    ev->task.exit.kind == STORE_EXIT_SIGNAL || ev->n_procs > 1;
	for (size_t i = 0; i < ev->n_events; i++)
		seen |= ev->events[i].sources;
	if (ev->n_counts && !ev->n_events)
		seen |= SECCOMP_EVENT_SOURCE_AUDIT; /* counted only: LOG comes from audit */
	out_array_begin(out, "sources");
	const char *names[] = {ev->task.registered_ns ? "registration" : NULL,
			       seen & SECCOMP_EVENT_SOURCE_AUDIT ? "audit" : NULL,
			       seen & SECCOMP_EVENT_SOURCE_BPF ? "bpf" : NULL,
			       seen & SECCOMP_EVENT_SOURCE_NOTIFY ? "notify" : NULL,
			       proc ? "proc" : NULL};
	bool first = true;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!names[i])
			continue;
		out_string(out, NULL, first ? "%s" : ", %s", names[i]);
		first = false;
	}
	if (first)
		out_text(out, "none");
	out_array_end(out);
}

static void out_losses(struct report *rp)
{
	const struct task_evidence *ev = rp->ev;
	const struct diagnosis *d = rp->d;
	struct out *out = rp->out;
	if (d->records_lost_unknown)
		null_why(rp, "records_lost", "evidence.records_lost", NULL,
			 "a source lost records without knowing how many (see losses)");
	else
		out_uint(out, "records_lost", NULL, d->records_lost);
	if (!ev->n_losses)
		out_text(out, "; no records lost in its lifetime\n");
	else
		out_text(out, "; %zu loss(es) in its lifetime, %ju record(s) known lost%s\n",
			 ev->n_losses, (uintmax_t)d->records_lost,
			 d->records_lost_unknown ? " (and an unknown number)" : "");
	out_array_begin(out, "losses");
	for (size_t i = 0; i < ev->n_losses; i++) {
		const struct ev_loss *l = &ev->losses[i];
		out_object_begin(out, NULL);
		out_string(out, "source", "           %s", l->source);
		out_string(out, "kind", " %s", store_loss_kind_name(l->kind));
		if (l->records)
			out_uint(out, "records", ": %ju record(s)", l->records);
		else
			out_null(out, "records", ": records unknown");
		out_time(out, "first", " from %s", l->first_ns);
		out_time(out, "last", " to %s\n", l->last_ns);
		out_object_end(out);
	}
	out_array_end(out);
}

static void out_evidence(struct report *rp)
{
	const struct task_evidence *ev = rp->ev;
	struct out *out = rp->out;
	uint64_t seen = 0;
	for (size_t i = 0; i < ev->n_counts; i++)
		if (event_action_denies(ev->counts[i].action))
			seen += ev->counts[i].count;
	out_object_begin(out, "evidence");
	out_text(out, "evidence   ");
	out_sources(rp);
	out_losses(rp);
	out_object_begin(out, "window");
	out_time(out, "from", NULL, ev->window_from_ns);
	out_time(out, "to", NULL, ev->window_to_ns);
	out_object_end(out);
	out_uint(out, "denials_seen", NULL, seen);
	out_uint(out, "denials_listed", NULL, rp->d->n_denials);
	out_uint(out, "events_not_kept", NULL, ev->events_not_kept);
	out_object_end(out);
}

static void out_null_reasons(struct report *rp)
{
	out_object_begin(rp->out, "null_reasons");
	for (size_t i = 0; i < rp->nulls.n; i++)
		out_string(rp->out, rp->nulls.path[i], NULL, rp->nulls.why[i]);
	out_object_end(rp->out);
}

/* The answer first (text), then the evidence. */
static void out_report(struct report *rp, const char *message)
{
	struct out *out = rp->out;
	out_object_begin(out, NULL);
	out_text(out, "%s\n", message);
	out_identity(rp);
	out_syscall(rp);
	out_action_errno(rp);
	out_rule(rp);
	out_pattern(rp);
	out_verdict(rp);
	out_profile(rp);
	out_mode(rp);
	out_exit(rp);
	out_denials(rp);
	out_logged(rp);
	out_evidence(rp);
	out_string(out, "message", NULL, message);
	out_null_reasons(rp);
	out_object_end(out);
}

/* ---- the entry points --------------------------------------------------------------------- */

/* The one-line form, with the verdict when it fits: "…; 3rd failure in a row". */
static void report_message(const struct task_evidence *ev, const struct launch_profile *p,
			   const struct diagnosis *d, const struct verdict *v, char *buf,
			   size_t size)
{
	char line[REPORT_MESSAGE_MAX], tail[64];
	diagnosis_message(ev, p, d, line, sizeof(line));
	format_into(tail, sizeof(tail), "; same cause %u times: restarts will not help",
		    v->same_cause);
	if (v->deterministic == VERDICT_YES && strlen(line) + strlen(tail) < sizeof(line))
		strcat(line, tail);
	format_into(buf, size, "%s", line);
}

struct report_state {
	struct task_evidence ev;
	struct launch_profile scratch;
	const struct launch_profile *profile;
	struct diagnosis d;
	struct verdict v;
};

static int report_weigh(struct store *s, const char *task_id, const struct report_options *o,
			struct report_state *st, struct store_error *err)
{
	int r = evidence_load(s, task_id, &st->ev, err);
	if (r == -EINVAL && strlen(task_id) > STORE_ID_MAX)
		r = -ENOENT; /* no stored task has so long an id */
	if (r < 0)
		return r;
	if ((r = launch_cache_get(o->launch_cache, &st->ev.task, &st->scratch, &st->profile)) < 0) {
		launch_profile_clear(&st->scratch);
		evidence_clear(&st->ev);
		if (err)
			format_into(err->message, sizeof(err->message), "out of memory");
		return r;
	}
	diagnose(&st->ev, st->profile, &st->d);
	if (o->brief) {
		st->v.deterministic = VERDICT_UNKNOWN;
		st->v.has_pattern = pattern_find(&st->ev, st->profile, &st->d, &st->v.pattern);
		return 0;
	}
	r = verdict_build(s, &st->ev, st->profile, &st->d, o->policy, &st->v, err);
	if (r < 0) {
		launch_profile_clear(&st->scratch);
		evidence_clear(&st->ev);
	}
	return r;
}

int report_write(struct store *s, const char *task_id, const struct report_options *o,
		 struct out *out, char *message, size_t size, struct store_error *err)
{
	struct report_state *st = calloc(1, sizeof(*st));
	char line[REPORT_MESSAGE_MAX];
	if (!st)
		return -ENOMEM;
	int r = report_weigh(s, task_id, o, st, err);
	if (r < 0) {
		free(st);
		return r;
	}
	report_message(&st->ev, st->profile, &st->d, &st->v, line, sizeof(line));
	if (out) {
		struct report rp = {
			.opts = o, .ev = &st->ev, .profile = st->profile, .d = &st->d, .v = &st->v};
		rp.out = out;
		out_report(&rp, line);
	}
	if (message)
		format_into(message, size, "%s", line);
	launch_profile_clear(&st->scratch);
	evidence_clear(&st->ev);
	free(st);
	return 0;
}

int report_build(struct store *s, const char *task_id, const struct report_options *o,
		 struct json_object **ret, struct store_error *err)
{
	_cleanup_out_ struct out *out = NULL;
	if (out_new(OUT_JSON, NULL, &out) < 0)
		return -ENOMEM;
	int r = report_write(s, task_id, o, out, NULL, 0, err);
	if (r < 0)
		return r;
	r = out_take_json(out, ret);
	if (r < 0 && err)
		format_into(err->message, sizeof(err->message), "out of memory");
	return r;
}
