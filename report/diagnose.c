/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "diagnose.h"
#include "../common/util.h"
#include "profile-cmd.h"

#include <linux/seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#define MESSAGE_MAX 200
/* No condition of a real profile names this value: the call matches none of them. */
#define ARG_MATCHING_NOTHING 0x5a5a5a5a5a5a5a5aull
#define RULE_TRIES_MAX	     64

const char *outcome_name(enum outcome outcome)
{
	static const char *const names[] = {
		[OUTCOME_SECCOMP_KILL] = "seccomp-kill",
		[OUTCOME_SECCOMP_DENIED] = "seccomp-denied",
		[OUTCOME_SECCOMP_LOGGED] = "seccomp-logged",
		[OUTCOME_NOT_SECCOMP] = "not-seccomp",
		[OUTCOME_UNKNOWN] = "unknown",
	};
	return (unsigned)outcome < ARRAY_SIZE(names) ? names[outcome] : "unknown";
}

/* ---- the recorded profile ----------------------------------------------------------------- */

static int compile_as(const struct launch_profile *p, enum sigsys_mode mode, uint64_t caps,
		      struct sigsys_filter **ret, struct sigsys_error *err)
{
	struct sigsys_options o;
	sigsys_options_init(&o);
	o.mode = mode;
	o.caps = caps;
	return sigsys_compile(p->profile, &o, ret, err);
}

static int launch_profile_compile(const struct store_task *t, struct launch_profile *p)
{
	struct sigsys_error err = {{0}};
	int r = sigsys_profile_parse(t->profile_text, strlen(t->profile_text), p->name, &p->profile,
				     &err);
	if (r >= 0)
		r = compile_as(p, p->mode, t->caps, &p->filter, &err);
	if (r >= 0)
		r = compile_as(p, SIGSYS_MODE_ENFORCE, t->caps, &p->written, &err);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		format_into(p->why_none, sizeof(p->why_none),
			    "the profile text recorded at launch no longer compiles here: %s",
			    err.message);
	return 0;
}

int launch_profile_build(const struct store_task *t, struct launch_profile *ret)
{
	*ret = (struct launch_profile){0};
	format_into(ret->name, sizeof(ret->name), "%s",
		    t->profile_name ? t->profile_name : "default.json");
	ret->mode_known = t->mode && sigsys_mode_from_name(t->mode, &ret->mode) == 0;
	if (!t->registered_ns)
		format_into(ret->why_none, sizeof(ret->why_none),
			    "the task was never registered with sigsysd: its profile is unknown");
	else if (!t->profile_digest || !t->profile_text)
		format_into(ret->why_none, sizeof(ret->why_none),
			    "the task was launched unconfined (no profile)");
	else if (!ret->mode_known)
		format_into(ret->why_none, sizeof(ret->why_none),
			    "the recorded mode \"%s\" is not one this sigsys knows",
			    t->mode ? t->mode : "");
	else
		return launch_profile_compile(t, ret);
	return 0;
}

void launch_profile_clear(struct launch_profile *p)
{
	sigsys_filter_free(p->filter);
	sigsys_filter_free(p->written);
	sigsys_profile_free(p->profile);
	*p = (struct launch_profile){0};
}

/* ---- the rule of an event ----------------------------------------------------------------- */

/* A value of the argument that meets the condition. */
static uint64_t meeting_value(const struct sigsys_condition *c)
{
	if (strcmp(c->op, "SCMP_CMP_MASKED_EQ") == 0)
		return c->value_two;
	if (strcmp(c->op, "SCMP_CMP_NE") == 0 || strcmp(c->op, "SCMP_CMP_GT") == 0)
		return c->value + 1;
	if (strcmp(c->op, "SCMP_CMP_LT") == 0)
		return c->value ? c->value - 1 : 0;
	return c->value; /* EQ, GE, LE */
}

static bool rule_names_syscall(const struct sigsys_rule_info *rule, const char *name)
{
	for (size_t i = 0; i < rule->n_names; i++)
		if (strcmp(rule->names[i], name) == 0)
			return true;
	return false;
}

/* The arguments of one conditional rule of the syscall, its conditions met. */
static void args_meeting_rule(const struct sigsys_profile *profile, size_t rule, size_t n_conds,
			      uint64_t args[6])
{
	memset(args, 0, 6 * sizeof(args[0]));
	for (size_t k = 0; k < n_conds; k++) {
		struct sigsys_condition c;
		if (sigsys_profile_rule_condition(profile, rule, k, &c) == 0 && c.index < 6)
			args[c.index] = meeting_value(&c);
	}
}

/* Arguments to try: all zero, each conditional rule of the syscall met, and none met.
 * Returns how many. */
static size_t candidate_args(const struct sigsys_profile *profile, const char *name,
			     uint64_t args[][6], size_t max)
{
	size_t n = 0, n_rules = sigsys_profile_rule_count(profile);
	memset(args[n++], 0, sizeof(args[0]));
	for (size_t i = 0; i < n_rules && n < max - 1; i++) {
		struct sigsys_rule_info rule;
		if (sigsys_profile_rule(profile, i, &rule) < 0 || rule.n_conditions == 0 ||
		    !rule_names_syscall(&rule, name))
			continue;
		args_meeting_rule(profile, i, rule.n_conditions, args[n++]);
	}
	for (int a = 0; a < 6; a++)
		args[n][a] = ARG_MATCHING_NOTHING;
	return n + 1;
}

static bool explain_call(const struct sigsys_filter *filter, const struct ev_event *e,
			 const uint64_t args[6], struct sigsys_decision *ret, char *why,
			 size_t size)
{
	struct sigsys_error err = {{0}};
	char nr[16];
	format_into(nr, sizeof(nr), "%d", e->nr);
	if (sigsys_explain(filter, nr, event_scmp_arch(e->arch, e->nr), args, ret, &err) < 0) {
		format_into(why, size, "%s", err.message);
		return false;
	}
	return true;
}

static bool same_rule(const struct sigsys_decision *a, const struct sigsys_decision *b)
{
	return a->rule_index == b->rule_index && a->added_by_sigsys == b->added_by_sigsys;
}

void rule_find(const struct launch_profile *p, const struct ev_event *e, struct rule_match *ret)
{
	uint64_t args[RULE_TRIES_MAX][6];
	struct sigsys_decision d;
	*ret = (struct rule_match){0};
	if (!p->filter) {
		format_into(ret->why_none, sizeof(ret->why_none), "%s", p->why_none);
		return;
	}
	size_t n = candidate_args(p->profile, e->name, args, ARRAY_SIZE(args));
	/* A notified call: sigsysd answered it by the profile as written, with these very
	 * arguments. */
	const struct sigsys_filter *decided =
		(e->sources & SECCOMP_EVENT_SOURCE_NOTIFY) && p->written ? p->written : p->filter;
	if (e->has_args) {
		memcpy(args[0], e->args, sizeof(args[0]));
		n = 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!explain_call(decided, e, args[i], &d, ret->why_none, sizeof(ret->why_none)))
			return;
		if ((d.action & SECCOMP_RET_ACTION_FULL) != e->action)
			continue;
		if (ret->found) { /* another rule gives the same action: the arguments chose */
			ret->exact &= same_rule(&ret->decision, &d);
			continue;
		}
		ret->found = ret->exact = true;
		ret->decision = d;
		explain_call(p->written, e, args[i], &ret->written, ret->why_none,
			     sizeof(ret->why_none));
	}
	if (!ret->found)
		format_into(ret->why_none, sizeof(ret->why_none),
			    "no rule of the recorded profile gives %s for %s in %s mode, whatever "
			    "the arguments its conditions test: another filter decided (one the "
			    "task loaded itself), or the launch differed (capabilities, kernel, "
			    "--enosys-newer)",
			    event_action_name(e->action), e->name, sigsys_mode_name(p->mode));
}

/* ---- benign denials ----------------------------------------------------------------------- */

static bool exited_zero(const struct store_exit *x)
{
	return x->kind == STORE_EXIT_STATUS && x->code == 0;
}

static bool failed(const struct store_exit *x)
{
	return (x->kind == STORE_EXIT_STATUS && x->code != 0) || x->kind == STORE_EXIT_SIGNAL;
}

static bool is_kill(const struct ev_event *e)
{
	return e->action == SECCOMP_RET_KILL_PROCESS || e->action == SECCOMP_RET_KILL_THREAD;
}

/* The process of ev->events[i] made a later call, or exited 0. */
static bool process_went_on(const struct task_evidence *ev, size_t i)
{
	int32_t pid = ev->events[i].pid;
	for (size_t k = i + 1; k < ev->n_events; k++)
		if (ev->events[k].pid == pid)
			return true;
	for (size_t k = 0; k < ev->n_procs; k++)
		if (ev->procs[k].pid == pid && exited_zero(&ev->procs[k].exit))
			return true;
	return pid == ev->task.pid && exited_zero(&ev->task.exit);
}

static const char *benign_why(const struct task_evidence *ev, size_t i,
			      const struct launch_profile *p)
{
	const struct ev_event *e = &ev->events[i];
	struct rule_match m;
	if (!event_action_denies(e->action) || is_kill(e))
		return NULL;
	if (strcmp(e->name, "rseq") == 0)
		return "glibc 2.35+ registers rseq in every thread and runs on without it";
	if (p->mode == SIGSYS_MODE_KILL && e->action == SECCOMP_RET_ERRNO) {
		rule_find(p, e, &m);
		if (m.found && m.decision.added_by_sigsys)
			return "a start-up probe: kill mode answers it ENOSYS and its fallback "
			       "runs";
	}
	if (strcmp(e->name, "close_range") == 0 && process_went_on(ev, i))
		return "close_range failed and the process went on (later calls, or exit 0)";
	const struct ev_survivor *survivor = evidence_survivor(ev, e);
	return survivor ? survivor->why : NULL;
}

/* A logged call that enforce mode would not deny either. */
static const char *logged_benign_why(const struct ev_event *c, const struct launch_profile *p)
{
	struct rule_match m;
	if (c->action != SECCOMP_RET_LOG)
		return NULL;
	if (strcmp(c->name, "rseq") == 0)
		return "glibc 2.35+ registers rseq in every thread and runs on without it";
	rule_find(p, c, &m);
	if (m.found && !event_action_denies(m.written.action))
		return "the profile itself logs it (SCMP_ACT_LOG): allowed in every mode";
	return NULL;
}

static void mark_benign(struct task_evidence *ev, const struct launch_profile *p)
{
	for (size_t i = 0; i < ev->n_events; i++) {
		ev->events[i].benign_why = benign_why(ev, i, p);
		ev->events[i].benign = ev->events[i].benign_why != NULL;
	}
	for (size_t i = 0; i < ev->n_counts; i++) {
		ev->counts[i].benign_why = logged_benign_why(&ev->counts[i], p);
		ev->counts[i].benign = ev->counts[i].benign_why != NULL;
	}
}

/* ---- phrases ------------------------------------------------------------------------------ */

static void exit_phrase(const struct store_exit *x, char *buf, size_t size)
{
	/* A shell exits 128 + N when its child dies of signal N. */
	const char *shell_sig = x->code > 128 ? sigabbrev_np(x->code - 128) : NULL;
	const char *sig = sigabbrev_np(x->code);
	if (x->kind == STORE_EXIT_STATUS && shell_sig)
		format_into(buf, size, "exited with status %d (128 + SIG%s)", x->code, shell_sig);
	else if (x->kind == STORE_EXIT_STATUS)
		format_into(buf, size, "exited with status %d", x->code);
	else if (x->kind == STORE_EXIT_SIGNAL)
		format_into(buf, size, "was killed by signal %d (SIG%s)%s", x->code,
			    sig ? sig : "?", x->core_dumped ? " and dumped core" : "");
	else if (x->kind == STORE_EXIT_LOST)
		format_into(buf, size, "ended while sigsysd was down (how is unknown)");
	else
		format_into(buf, size, "has no exit recorded");
}

/* "the default action of default.json in kill mode", "rule syscalls[3] of x.json in enforce
 * mode", "a start-up probe rule sigsys adds in kill mode", "no known rule". */
static void rule_phrase(const struct launch_profile *p, const struct rule_match *m, char *buf,
			size_t size)
{
	const char *mode = sigsys_mode_name(p->mode);
	if (!m->found)
		format_into(buf, size, "no known rule");
	else if (m->decision.added_by_sigsys)
		format_into(buf, size, "a rule sigsys adds in %s mode", mode);
	else if (m->decision.rule_index < 0)
		format_into(buf, size, "default action of %s in %s mode", p->name, mode);
	else
		format_into(buf, size, "rule syscalls[%d] of %s in %s mode", m->decision.rule_index,
			    p->name, mode);
}

/* What the call got: "EPERM", "ENOSYS"; "an errno" when the profile cannot say. */
static const char *errno_phrase(const struct rule_match *m)
{
	uint32_t a = m->decision.action;
	const char *name = m->found && (a & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO
				   ? sigsys_errno_name((int)(a & SECCOMP_RET_DATA))
				   : NULL;
	return name ? name : "an errno";
}

/* ---- the outcome -------------------------------------------------------------------------- */

/* The first kill: an event row, or a count when retention removed the rows. */
static const struct ev_event *first_kill(const struct task_evidence *ev)
{
	for (size_t i = 0; i < ev->n_events; i++)
		if (is_kill(&ev->events[i]))
			return &ev->events[i];
	for (size_t i = 0; i < ev->n_counts; i++)
		if (is_kill(&ev->counts[i]))
			return &ev->counts[i];
	return NULL;
}

/* The last denial that is not benign: the likeliest cause of a failure that followed. */
static const struct ev_event *last_real_denial(const struct task_evidence *ev)
{
	for (size_t i = ev->n_events; i-- > 0;)
		if (event_action_denies(ev->events[i].action) && !ev->events[i].benign)
			return &ev->events[i];
	return NULL;
}

static const struct ev_event *first_real_log(const struct task_evidence *ev)
{
	const struct ev_event *first = NULL;
	for (size_t i = 0; i < ev->n_counts; i++) {
		const struct ev_event *c = &ev->counts[i];
		if (c->action == SECCOMP_RET_LOG && !c->benign &&
		    (!first || c->time_ns < first->time_ns))
			first = c;
	}
	return first;
}

static void count_evidence(const struct task_evidence *ev, struct diagnosis *d)
{
	for (size_t i = 0; i < ev->n_events; i++) {
		if (!event_action_denies(ev->events[i].action))
			continue;
		d->n_denials++;
		d->n_benign += ev->events[i].benign;
	}
	for (size_t i = 0; i < ev->n_losses; i++) {
		d->records_lost += ev->losses[i].records;
		d->records_lost_unknown |= ev->losses[i].records == 0;
	}
}

static void reason_kill(const struct task_evidence *ev, const struct launch_profile *p,
			struct diagnosis *d)
{
	const struct ev_event *e = d->decisive;
	char rule[512], exit[96], written[48] = "";
	rule_phrase(p, &d->rule, rule, sizeof(rule));
	exit_phrase(&ev->task.exit, exit, sizeof(exit));
	if (d->rule.found && d->rule.written.action != d->rule.decision.action) {
		char action[32];
		decision_text(d->rule.written.action, action, sizeof(action));
		format_into(written, sizeof(written), ", written %s", action);
	}
	format_into(d->reason, sizeof(d->reason),
		    "seccomp killed process %d (%s) when it called %s: %s by the %s%s; the task "
		    "%s",
		    e->pid, e->comm, e->name, event_action_name(e->action), rule, written, exit);
}

static void reason_denied(const struct task_evidence *ev, const struct launch_profile *p,
			  struct diagnosis *d)
{
	const struct ev_event *e = d->decisive;
	char rule[512], exit[96];
	rule_phrase(p, &d->rule, rule, sizeof(rule));
	exit_phrase(&ev->task.exit, exit, sizeof(exit));
	format_into(d->reason, sizeof(d->reason),
		    "the task %s after seccomp denied %s to process %d (%s) with %s (%s, by the "
		    "%s); %zu denial(s) in all, %zu of them benign",
		    exit, e->name, e->pid, e->comm, errno_phrase(&d->rule),
		    event_action_name(e->action), rule, d->n_denials, d->n_benign);
}

static void reason_logged(const struct task_evidence *ev, const struct launch_profile *p,
			  struct diagnosis *d)
{
	const struct ev_event *e = d->decisive;
	char exit[96], would[48] = "a denial";
	uint64_t calls = 0;
	for (size_t i = 0; i < ev->n_counts; i++)
		if (ev->counts[i].action == SECCOMP_RET_LOG && !ev->counts[i].benign)
			calls += ev->counts[i].count;
	exit_phrase(&ev->task.exit, exit, sizeof(exit));
	if (d->rule.found)
		decision_text(d->rule.written.action, would, sizeof(would));
	format_into(d->reason, sizeof(d->reason),
		    "seccomp logged %ju call(s) that %s would deny outside log mode, the first %s "
		    "by process %d (%s), which would get %s; they ran, and the task %s",
		    (uintmax_t)calls, p->name, e->name, e->pid, e->comm, would, exit);
}

/* Appends "; " and the text. */
static void append(char *buf, size_t size, const char *text)
{
	size_t len = strlen(buf);
	if (len < size)
		format_into(buf + len, size - len, "%s%s", len ? "; " : "", text);
}

/* SIGSYS is what seccomp kills with: a death by it without a recorded kill means a record
 * is missing (lost, or sent while sigsysd was down), not that seccomp had no part. */
static bool died_of_sigsys(const struct store_exit *x)
{
	return (x->kind == STORE_EXIT_SIGNAL && x->code == SIGSYS) ||
	       (x->kind == STORE_EXIT_STATUS && x->code == 128 + SIGSYS);
}

/* The task or one of its processes (a shell's child: status 128 + 31). */
static bool any_sigsys_death(const struct task_evidence *ev)
{
	for (size_t i = 0; i < ev->n_procs; i++)
		if (died_of_sigsys(&ev->procs[i].exit))
			return true;
	return died_of_sigsys(&ev->task.exit);
}

/* What is missing before "not seccomp" can be said, in full or brief (for the one-line
 * message); empty when nothing is. */
static void missing_evidence(const struct task_evidence *ev, const struct diagnosis *d, bool brief,
			     char *buf, size_t size)
{
	char text[160];
	buf[0] = '\0';
	if (any_sigsys_death(ev) && !first_kill(ev))
		append(buf, size,
		       brief ? "it died of SIGSYS but no seccomp kill was recorded"
			     : "a process died of SIGSYS, the signal of seccomp's kills, but no "
			       "seccomp kill was recorded: the record may be lost, or still on its "
			       "way");
	if (!ev->task.registered_ns)
		append(buf, size,
		       brief ? "never registered with sigsysd"
			     : "the task was never registered with sigsysd (it is known only "
			       "from its events): its profile, mode and exit are unknown");
	else if (ev->task.exit.kind == STORE_EXIT_NONE)
		append(buf, size,
		       brief ? "no exit seen"
			     : "no exit seen: the task may still run, or sigsysd missed its end");
	else if (ev->task.exit.kind == STORE_EXIT_LOST)
		append(buf, size,
		       brief ? "it ended while sigsysd was down"
			     : "it ended while sigsysd was down: how is unknown");
	if (d->records_lost_unknown)
		format_into(text, sizeof(text), "%s",
			    brief ? "records lost in its lifetime"
				  : "records were lost during its lifetime (how many is "
				    "unknown): a denial may be missing");
	else if (d->records_lost)
		format_into(text, sizeof(text),
			    brief ? "%ju record(s) lost in its lifetime"
				  : "%ju record(s) were lost during its lifetime: a denial may be "
				    "missing",
			    (uintmax_t)d->records_lost);
	if (d->records_lost || d->records_lost_unknown)
		append(buf, size, text);
}

static void benign_names(const struct task_evidence *ev, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < ev->n_events; i++) {
		const struct ev_event *e = &ev->events[i];
		if (!e->benign || strstr(buf, e->name))
			continue;
		size_t len = strlen(buf);
		format_into(buf + len, size - len, "%s%s", len ? ", " : "", e->name);
	}
}

static void reason_not_seccomp(const struct task_evidence *ev, struct diagnosis *d)
{
	char exit[96], benign[128];
	exit_phrase(&ev->task.exit, exit, sizeof(exit));
	benign_names(ev, benign, sizeof(benign));
	if (d->failed && d->n_benign)
		format_into(d->reason, sizeof(d->reason),
			    "the task %s, and seccomp denied it nothing but calls it survives (%s)",
			    exit, benign);
	else if (d->failed)
		format_into(d->reason, sizeof(d->reason),
			    "the task %s, and seccomp denied it nothing", exit);
	else
		format_into(d->reason, sizeof(d->reason),
			    "the task did not fail: it %s; seccomp denied it %zu call(s), %zu of "
			    "them benign, and it went on",
			    exit, d->n_denials, d->n_benign);
}

static void decide_unproven(struct task_evidence *ev, const struct launch_profile *p,
			    struct diagnosis *d)
{
	char missing[REASON_MAX / 2];
	const struct ev_event *denial = last_real_denial(ev);
	missing_evidence(ev, d, false, missing, sizeof(missing));
	if (!missing[0] || (ev->task.exit.kind == STORE_EXIT_STATUS && !d->failed)) {
		d->outcome = OUTCOME_NOT_SECCOMP;
		reason_not_seccomp(ev, d);
		if (missing[0])
			append(d->reason, sizeof(d->reason), missing);
		return;
	}
	d->outcome = OUTCOME_UNKNOWN;
	if (denial) { /* a candidate, not a proof */
		d->decisive = denial;
		rule_find(p, denial, &d->rule);
		format_into(d->reason, sizeof(d->reason),
			    "seccomp denied %s to process %d (%s), but whether that failed the "
			    "task is unknown: ",
			    denial->name, denial->pid, denial->comm);
	} else {
		format_into(d->reason, sizeof(d->reason), "the evidence is incomplete: ");
	}
	size_t len = strlen(d->reason);
	format_into(d->reason + len, sizeof(d->reason) - len, "%s", missing);
}

void diagnose(struct task_evidence *ev, const struct launch_profile *p, struct diagnosis *ret)
{
	*ret = (struct diagnosis){.outcome = OUTCOME_UNKNOWN};
	mark_benign(ev, p);
	count_evidence(ev, ret);
	ret->failed = failed(&ev->task.exit);

	const struct ev_event *kill = first_kill(ev);
	const struct ev_event *denial = last_real_denial(ev);
	const struct ev_event *logged = first_real_log(ev);
	if (kill) {
		ret->outcome = OUTCOME_SECCOMP_KILL;
		ret->decisive = kill;
	} else if (ret->failed && denial) {
		ret->outcome = OUTCOME_SECCOMP_DENIED;
		ret->decisive = denial;
	} else if (logged) {
		ret->outcome = OUTCOME_SECCOMP_LOGGED;
		ret->decisive = logged;
	} else {
		decide_unproven(ev, p, ret);
		return;
	}
	rule_find(p, ret->decisive, &ret->rule);
	if (ret->outcome == OUTCOME_SECCOMP_KILL)
		reason_kill(ev, p, ret);
	else if (ret->outcome == OUTCOME_SECCOMP_DENIED)
		reason_denied(ev, p, ret);
	else
		reason_logged(ev, p, ret);
}

/* ---- the one-line message ---------------------------------------------------------------- */

/* Cut text to fit size bytes with "...", never inside a UTF-8 sequence. */
static void fit_message(char *text, size_t size)
{
	size_t len = strlen(text);
	if (len < size)
		return;
	len = size - 4;
	while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
		len--;
	memcpy(text + len, "...", 4);
}

static void not_seccomp_message(const struct task_evidence *ev, const struct diagnosis *d,
				const char *exit, char *buf, size_t size)
{
	char benign[128];
	benign_names(ev, benign, sizeof(benign));
	if (!d->failed)
		format_into(buf, size, "not seccomp: the task did not fail (it %s)", exit);
	else if (d->n_benign)
		format_into(buf, size,
			    "not seccomp: the task %s; seccomp denied it only calls it "
			    "survives (%s)",
			    exit, benign);
	else
		format_into(buf, size, "not seccomp: the task %s and seccomp denied it nothing",
			    exit);
}

static void unknown_message(const struct task_evidence *ev, const struct diagnosis *d, char *buf,
			    size_t size)
{
	const struct ev_event *e = d->decisive;
	char missing[256];
	missing_evidence(ev, d, true, missing, sizeof(missing));
	if (e)
		format_into(buf, size, "unknown: seccomp denied %s (nr %d, %s), but %s", e->name,
			    e->nr, event_arch_name(e->arch, e->nr), missing);
	else
		format_into(buf, size, "unknown whether seccomp failed the task: %s", missing);
}

void diagnosis_message(const struct task_evidence *ev, const struct launch_profile *p,
		       const struct diagnosis *d, char *buf, size_t size)
{
	const struct ev_event *e = d->decisive;
	char rule[512], exit[96], text[1024];
	rule_phrase(p, &d->rule, rule, sizeof(rule));
	exit_phrase(&ev->task.exit, exit, sizeof(exit));
	switch (d->outcome) {
	case OUTCOME_SECCOMP_KILL:
		format_into(text, sizeof(text), "seccomp killed the task: %s (nr %d, %s), %s",
			    e->name, e->nr, event_arch_name(e->arch, e->nr), rule);
		break;
	case OUTCOME_SECCOMP_DENIED:
		format_into(text, sizeof(text),
			    "seccomp denied %s (nr %d, %s) with %s and the task %s: %s", e->name,
			    e->nr, event_arch_name(e->arch, e->nr), errno_phrase(&d->rule), exit,
			    rule);
		break;
	case OUTCOME_SECCOMP_LOGGED:
		format_into(text, sizeof(text),
			    "seccomp logged %s (nr %d, %s), which enforce mode would deny: %s",
			    e->name, e->nr, event_arch_name(e->arch, e->nr), rule);
		break;
	case OUTCOME_NOT_SECCOMP:
		not_seccomp_message(ev, d, exit, text, sizeof(text));
		break;
	default:
		unknown_message(ev, d, text, sizeof(text));
	}
	fit_message(text, size < MESSAGE_MAX ? size : MESSAGE_MAX);
	format_into(buf, size, "%s", text);
}
