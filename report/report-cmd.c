/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsys report TASK_ID | --pid PID | --container ID: was it seccomp, which syscall, under
 * which rule. This version reads sigsysd's store file (--db); the daemon's API comes later.
 */
#include "cli.h"
#include "diagnose.h"
#include "output.h"
#include "profile-cmd.h"

#include <getopt.h>
#include <linux/seccomp.h>
#include <string.h>

#define REPORT_SCHEMA_VERSION 1
#define PROFILE_DIR_DEFAULT   "/opt/mesosphere/etc/dcos/mesos/seccomp"
#define NULL_REASONS_MAX      24
#define TEXT_DENIALS_MAX      12

enum report_format {
	REPORT_TEXT,
	REPORT_JSON,
	REPORT_MESSAGE,
};

struct report_opts {
	const char *task_id;
	const char *container_id;
	int32_t pid;
	const char *db;
	const char *profile_dir;
	enum report_format format;
};

/* Every JSON null says why, in "null_reasons": {"syscall.args": "…"}. */
struct null_reasons {
	const char *path[NULL_REASONS_MAX];
	char why[NULL_REASONS_MAX][512];
	size_t n;
};

struct report {
	struct out *out;
	const struct report_opts *opts;
	struct task_evidence *ev;
	const struct launch_profile *profile;
	const struct diagnosis *d;
	struct store *store;
	struct null_reasons nulls;
};

static void usage(FILE *f)
{
	fputs("Usage: sigsys report TASK_ID | --pid PID | --container ID [--db FILE]\n"
	      "                     [--profile-dir DIR] [--format text|json|message]\n"
	      "\n"
	      "Why a task failed: seccomp or not, which syscall, under which rule of the profile\n"
	      "it was launched with. The outcome is one of seccomp-kill, seccomp-denied,\n"
	      "seccomp-logged, not-seccomp, unknown (with the evidence that is missing).\n"
	      "\n"
	      "  --pid PID            the newest task one of whose processes had this pid\n"
	      "  --container ID       the newest task of this Mesos container\n"
	      "  --db FILE            sigsysd's store (its --db; default " DB_DEFAULT_PATH ").\n"
	      "                       This version reads the store only: the sigsysd API is\n"
	      "                       not available yet\n"
	      "  --profile-dir DIR    where the profile is now, to tell whether it changed\n"
	      "                       since the launch (default " PROFILE_DIR_DEFAULT ")\n"
	      "  --format text|json|message\n"
	      "                       message: the one-line answer only\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "Exit status: 0 a report was produced (whatever the outcome); 1 failure;\n"
	      "2 usage error; 3 unknown task.\n"
	      "\n"
	      "Example: sigsys report --db /var/lib/sigsys/sigsys.db my-app.1f2e3d\n",
	      f);
}

/* ---- options ----------------------------------------------------------------------------- */

static int parse_pid(const char *text, int32_t *ret)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (errno || end == text || *end || v <= 0 || v > INT32_MAX)
		return -EINVAL;
	*ret = (int32_t)v;
	return 0;
}

static int parse_format(const char *text, enum report_format *ret)
{
	if (strcmp(text, "text") == 0)
		*ret = REPORT_TEXT;
	else if (strcmp(text, "json") == 0)
		*ret = REPORT_JSON;
	else if (strcmp(text, "message") == 0)
		*ret = REPORT_MESSAGE;
	else if (strcmp(text, "marathon") == 0 || strcmp(text, "metronome") == 0)
		return cli_usage_error("sigsys report",
				       "--format \"%s\" is not available in this version (text, "
				       "json and message are)",
				       text);
	else
		return cli_usage_error("sigsys report",
				       "--format \"%s\": expected text, json or message", text);
	return EXIT_OK;
}

/* Exactly one of TASK_ID, --pid, --container. */
static int check_selector(const struct report_opts *o, int n_operands)
{
	int given = (n_operands > 0) + (o->pid > 0) + (o->container_id != NULL);
	if (n_operands > 1)
		return cli_usage_error("sigsys report", "one TASK_ID at a time (got %d)",
				       n_operands);
	if (given == 0)
		return cli_usage_error("sigsys report", "which task? give TASK_ID, --pid PID or "
							"--container ID");
	if (given > 1)
		return cli_usage_error("sigsys report", "give one of TASK_ID, --pid and "
							"--container, not several");
	return EXIT_OK;
}

/* Returns EXIT_OK with *o filled, -1 when --help was printed, or an exit status. */
static int parse_options(int argc, char **argv, struct report_opts *o)
{
	enum { OPT_PID = 256, OPT_CONTAINER, OPT_DB, OPT_PROFILE_DIR, OPT_FORMAT };
	static const struct option options[] = {
		{"pid", required_argument, NULL, OPT_PID},
		{"container", required_argument, NULL, OPT_CONTAINER},
		{"db", required_argument, NULL, OPT_DB},
		{"profile-dir", required_argument, NULL, OPT_PROFILE_DIR},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int opt, r;

	*o = (struct report_opts){.profile_dir = PROFILE_DIR_DEFAULT};
	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return -1;
		case OPT_PID:
			if (parse_pid(optarg, &o->pid) < 0)
				return cli_usage_error("sigsys report",
						       "--pid \"%s\": expected a process id",
						       optarg);
			break;
		case OPT_CONTAINER:
			o->container_id = optarg;
			break;
		case OPT_DB:
			o->db = optarg;
			break;
		case OPT_PROFILE_DIR:
			o->profile_dir = optarg;
			break;
		case OPT_FORMAT:
			if ((r = parse_format(optarg, &o->format)) != EXIT_OK)
				return r;
			break;
		case ':':
			return cli_usage_error("sigsys report", "option \"%s\" needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("sigsys report", "unknown option \"%s\"",
					       argv[optind - 1]);
		}
	}
	if ((r = check_selector(o, argc - optind)) != EXIT_OK)
		return r;
	if (optind < argc)
		o->task_id = argv[optind];
	return EXIT_OK;
}

/* ---- which task ------------------------------------------------------------------------- */

struct found_task {
	char id[STORE_ID_MAX + 1];
	unsigned n;
};

static int on_found_task(const struct store_task *t, void *userdata)
{
	struct found_task *f = userdata;
	if (f->n++ == 0)
		format_into(f->id, sizeof(f->id), "%s", t->task_id);
	return 0;
}

/* --pid or --container: the newest task that matches. */
static int resolve_task(struct store *s, const struct report_opts *o, struct found_task *ret)
{
	struct store_task_query q = {.key = o->pid ? STORE_TASKS_BY_PID : STORE_TASKS_BY_CONTAINER,
				     .id = o->container_id,
				     .pid = o->pid,
				     .limit = 100};
	struct store_error err = {{0}};
	*ret = (struct found_task){0};
	int r = store_find_tasks(s, &q, on_found_task, ret, &err);
	if (r < 0) {
		cli_error("looking up the task: %s", err.message);
		return EXIT_FAIL;
	}
	if (ret->n == 0) {
		if (o->pid)
			cli_error("no task had a process with pid %d in this store", o->pid);
		else
			cli_error("no task of container \"%s\" in this store", o->container_id);
		return EXIT_UNKNOWN_TASK;
	}
	if (ret->n > 1 && o->pid)
		cli_error("%u tasks had a process with pid %d: reporting the newest, \"%s\"",
			  ret->n, o->pid, ret->id);
	else if (ret->n > 1)
		cli_error("%u tasks ran in container \"%s\": reporting the newest, \"%s\"", ret->n,
			  o->container_id, ret->id);
	return EXIT_OK;
}

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

/* changed_on_disk: the file of the same name in --profile-dir, compared by digest. */
static void out_changed_on_disk(struct report *rp)
{
	const struct store_task *t = &rp->ev->task;
	struct sigsys_profile *now = NULL;
	struct sigsys_error err = {{0}};
	char why[1024];
	int r = sigsys_profile_load_named(rp->opts->profile_dir, t->profile_name, &now, &err);
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

/* ---- the command ------------------------------------------------------------------------ */

static int load_task(struct store *s, const char *task_id, struct task_evidence *ev)
{
	struct store_error err = {{0}};
	int r = evidence_load(s, task_id, ev, &err);
	if (r == -ENOENT || (r == -EINVAL && strlen(task_id) > STORE_ID_MAX)) {
		cli_error("no task \"%s\" in this store (task ids are what sigsys-apply "
			  "--task-id or Mesos gave; try 'sigsys events' to see recent ones)",
			  task_id);
		return EXIT_UNKNOWN_TASK;
	}
	if (r < 0) {
		cli_error("reading task \"%s\": %s", task_id, err.message);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int print_report(struct report *rp, const char *message)
{
	_cleanup_out_ struct out *out = NULL;
	if (rp->opts->format == REPORT_MESSAGE) {
		printf("%s\n", message);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
	}
	if (out_new(rp->opts->format == REPORT_JSON ? OUT_JSON : OUT_TEXT, stdout, &out) < 0) {
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	rp->out = out;
	out_report(rp, message);
	int r = out_finish(out);
	if (r < 0) {
		cli_error("writing the report failed: %s", strerror(-r));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int report_task(struct store *s, const struct report_opts *o, const char *task_id)
{
	struct task_evidence ev;
	struct launch_profile profile;
	struct diagnosis d;
	char message[200];
	int status = load_task(s, task_id, &ev);
	if (status != EXIT_OK)
		return status;
	if (launch_profile_build(&ev.task, &profile) < 0) {
		cli_error("out of memory");
		evidence_clear(&ev);
		return EXIT_FAIL;
	}
	diagnose(&ev, &profile, &d);
	diagnosis_message(&ev, &profile, &d, message, sizeof(message));
	struct report rp = {.opts = o, .ev = &ev, .profile = &profile, .d = &d, .store = s};
	status = print_report(&rp, message);
	launch_profile_clear(&profile);
	evidence_clear(&ev);
	return status;
}

int report_main(int argc, char **argv)
{
	_cleanup_store_ struct store *s = NULL;
	struct report_opts o;
	struct found_task found;
	int r = parse_options(argc, argv, &o);
	if (r != EXIT_OK)
		return r < 0 ? EXIT_OK : r;
	if ((r = db_open(o.db, &s)) != EXIT_OK)
		return r;
	if (!o.task_id) {
		if ((r = resolve_task(s, &o, &found)) != EXIT_OK)
			return r;
		o.task_id = found.id;
	}
	return report_task(s, &o, o.task_id);
}
