/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The report of one task, from sigsysd's store: the evidence, the diagnosis, and every
 * section printed through one struct out, so `sigsys report` (text or JSON) and sigsysd's
 * GET /v1/tasks/{id}/report give the same document. Nothing here prints on its own.
 */
#include "report.h"
#include "diagnose.h"
#include "output.h"
#include "profile-cmd.h"

#include <json-c/json.h>
#include <linux/seccomp.h>
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
	struct store *store;
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
	null_why(rp, "args", "syscall.args", NULL,
		 "audit records carry no arguments (the bpf and notify sources will)");
	null_why(rp, "strings", "syscall.strings", NULL,
		 "audit records carry no arguments (the notify source will read strings)");
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

struct failure_count {
	uint64_t n;
};

static int on_sibling_task(const struct store_task *t, void *userdata)
{
	struct failure_count *f = userdata;
	f->n += (t->exit.kind == STORE_EXIT_STATUS && t->exit.code != 0) ||
		t->exit.kind == STORE_EXIT_SIGNAL;
	return 0;
}

/* Failed tasks of the same Marathon app or Metronome job run, this one included; the task
 * alone when it has neither. Returns what was counted ("app /x"), or NULL on a store error. */
static const char *count_failures(struct report *rp, uint64_t *ret, char *scope, size_t size)
{
	const struct store_task *t = &rp->ev->task;
	struct store_task_query q = {.limit = STORE_PAGE_MAX};
	struct failure_count f = {0};
	if (t->app_id) {
		q.key = STORE_TASKS_BY_APP;
		q.id = t->app_id;
		format_into(scope, size, "the tasks of Marathon app %s", t->app_id);
	} else if (t->job_id) {
		q.key = STORE_TASKS_BY_JOB;
		q.id = t->job_id;
		q.run_id = t->run_id;
		format_into(scope, size, "the tasks of Metronome job %s%s%s", t->job_id,
			    t->run_id ? " run " : "", t->run_id ? t->run_id : "");
	} else {
		*ret = rp->d->failed;
		format_into(scope, size, "this task (it names no app or job)");
		return scope;
	}
	if (store_find_tasks(rp->store, &q, on_sibling_task, &f, NULL) < 0)
		return NULL;
	*ret = f.n;
	return scope;
}

static void out_verdict(struct report *rp)
{
	static const char later[] = "not in this version: the reports issue weighs the history "
				    "of the app's restarts";
	char scope[STORE_ID_MAX * 2 + 64];
	uint64_t failures = 0;
	struct out *out = rp->out;
	out_object_begin(out, "verdict");
	null_why(rp, "deterministic", "verdict.deterministic", NULL, later);
	if (count_failures(rp, &failures, scope, sizeof(scope))) {
		out_uint(out, "failures", "verdict    %ju failure(s)", failures);
		out_string(out, "failures_of", " of %s\n", scope);
	} else {
		null_why(rp, "failures", "verdict.failures", NULL,
			 "the store could not be searched for the app's other tasks");
	}
	null_why(rp, "advice", "verdict.advice", NULL, later);
	null_why(rp, "next_delays_s", "verdict.next_delays_s", NULL, later);
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
	out_profile(rp);
	out_mode(rp);
	out_exit(rp);
	out_denials(rp);
	out_logged(rp);
	out_verdict(rp);
	out_evidence(rp);
	out_string(out, "message", NULL, message);
	out_null_reasons(rp);
	out_object_end(out);
}

/* ---- the entry points --------------------------------------------------------------------- */

int report_write(struct store *s, const char *task_id, const struct report_options *o,
		 struct out *out, char *message, size_t size, struct store_error *err)
{
	struct task_evidence ev;
	struct launch_profile profile;
	struct diagnosis d;
	char line[REPORT_MESSAGE_MAX];
	int r = evidence_load(s, task_id, &ev, err);
	if (r == -EINVAL && strlen(task_id) > STORE_ID_MAX)
		r = -ENOENT; /* no stored task has so long an id */
	if (r < 0)
		return r;
	if (launch_profile_build(&ev.task, &profile) < 0) {
		evidence_clear(&ev);
		if (err)
			format_into(err->message, sizeof(err->message), "out of memory");
		return -ENOMEM;
	}
	diagnose(&ev, &profile, &d);
	diagnosis_message(&ev, &profile, &d, line, sizeof(line));
	if (out) {
		struct report rp = {.opts = o, .ev = &ev, .profile = &profile, .d = &d, .store = s};
		rp.out = out;
		out_report(&rp, line);
	}
	if (message)
		format_into(message, size, "%s", line);
	launch_profile_clear(&profile);
	evidence_clear(&ev);
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
