/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "patterns.h"
#include "../common/util.h"

#include <errno.h>

#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>

static bool names_call(const struct sigsys_profile *profile, size_t rule, const char *name)
{
	struct sigsys_rule_info info = {0};
	if (sigsys_profile_rule(profile, rule, &info) < 0)
		return false;
	for (size_t k = 0; k < info.n_names; k++)
		if (strcmp(info.names[k], name) == 0)
			return true;
	return false;
}

static bool clone3_eperm(const struct diagnosis *d, struct pattern *ret)
{
	const struct ev_event *e = d->decisive;
	uint32_t written = d->rule.written.action;
	if (strcmp(e->name, "clone3") != 0 || !d->rule.found ||
	    (written & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ERRNO ||
	    (written & SECCOMP_RET_DATA) == ENOSYS)
		return false;
	ret->id = "clone3-eperm";
	format_into(ret->summary, sizeof(ret->summary),
		    "glibc 2.34+ starts every thread with clone3 and falls back to clone only when "
		    "clone3 fails with ENOSYS; this profile answers clone3 with %s, so the task "
		    "cannot start a thread (Python: \"can't start new thread\", Java: "
		    "OutOfMemoryError: unable to create native thread)",
		    sigsys_errno_name((int)(written & SECCOMP_RET_DATA)));
	format_into(
		ret->fix, sizeof(ret->fix),
		"where sigsys (or crun, runc, Docker) applies the profile, add a rule "
		"{\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38}: "
		"glibc then falls back to clone, which the profile already filters; under the "
		"Mesos isolator, which ignores errnoRet (every ERRNO is EPERM there), only "
		"allowing clone3 works. 'sigsys suggest TASK_ID [--target mesos]' writes either");
	return true;
}

static bool thread_killed(const struct task_evidence *ev, const struct diagnosis *d,
			  struct pattern *ret)
{
	const struct ev_event *e = d->decisive;
	const struct store_exit *x = &ev->task.exit;
	if (e->action != SECCOMP_RET_KILL_THREAD ||
	    (x->kind == STORE_EXIT_SIGNAL && x->code == SIGSYS))
		return false;
	ret->id = "thread-killed";
	format_into(ret->summary, sizeof(ret->summary),
		    "seccomp killed one thread of process %d (%s) on %s (SCMP_ACT_KILL is "
		    "KILL_THREAD), and the process lived on without it: a JVM, a Go runtime or "
		    "CPython may then hang or fail later instead of dying at once",
		    e->pid, e->comm, e->name);
	format_into(ret->fix, sizeof(ret->fix),
		    "allow %s if the task needs it; otherwise make the rule SCMP_ACT_KILL_PROCESS "
		    "(or launch with 'sigsys-apply --mode kill') so the task fails at once, with "
		    "the syscall in its report",
		    e->name);
	return true;
}

/* A rule naming the call that includes/excludes on capabilities kept out of the filter. */
static bool capability_gated(const struct launch_profile *p, const struct diagnosis *d,
			     struct pattern *ret)
{
	const char *name = d->decisive->name;
	size_t n = sigsys_profile_rule_count(p->profile);
	for (size_t i = 0; i < n; i++) {
		const char *why = sigsys_filter_rule_skipped(p->filter, i);
		if (!why || !strstr(why, ".caps") || !names_call(p->profile, i, name))
			continue;
		ret->id = "capability-gated";
		format_into(ret->summary, sizeof(ret->summary),
			    "rule syscalls[%zu] of %s would allow %s, but it was left out of the "
			    "filter: %s, and the task was launched without that",
			    i, p->name, name, why);
		format_into(ret->fix, sizeof(ret->fix),
			    "launch the task with the capability (Marathon: "
			    "container.linuxInfo.capabilities; sigsys-apply: --caps), or allow %s "
			    "without the capability condition",
			    name);
		return true;
	}
	return false;
}

/* The highest syscall number the profile names on the event's arch, and its name. */
static int highest_named(const struct sigsys_profile *profile, uint32_t arch, const char **name)
{
	int highest = -1;
	size_t n = sigsys_profile_rule_count(profile);
	for (size_t i = 0; i < n; i++) {
		struct sigsys_rule_info info = {0};
		if (sigsys_profile_rule(profile, i, &info) < 0)
			continue;
		for (size_t k = 0; k < info.n_names; k++) {
			int nr = seccomp_syscall_resolve_name_arch(arch, info.names[k]);
			if (nr > highest) {
				highest = nr;
				*name = info.names[k];
			}
		}
	}
	return highest;
}

static bool newer_than_profile(const struct launch_profile *p, const struct diagnosis *d,
			       struct pattern *ret)
{
	const struct ev_event *e = d->decisive;
	const char *highest_name = NULL;
	uint32_t arch = event_scmp_arch(e->arch, e->nr);
	int nr = seccomp_syscall_resolve_name_arch(arch, e->name);
	if (!d->rule.found || d->rule.decision.rule_index >= 0 || nr < 0)
		return false;
	int highest = highest_named(p->profile, arch, &highest_name);
	if (highest < 0 || nr <= highest)
		return false;
	ret->id = "newer-than-profile";
	format_into(ret->summary, sizeof(ret->summary),
		    "%s (nr %d) is newer than every syscall %s names (the newest is %s, nr %d): "
		    "the profile predates it, so its default action decided",
		    e->name, nr, p->name, highest_name, highest);
	format_into(ret->fix, sizeof(ret->fix),
		    "allow %s if the task needs it ('sigsys suggest TASK_ID'), or launch with "
		    "'sigsys-apply --enosys-newer' so that syscalls newer than the profile fail "
		    "with ENOSYS and libc falls back, as runc does",
		    e->name);
	return true;
}

static void not_allowed(const struct launch_profile *p, const struct diagnosis *d,
			struct pattern *ret)
{
	const struct ev_event *e = d->decisive;
	bool by_default = d->rule.found && d->rule.decision.rule_index < 0 &&
			  !d->rule.decision.added_by_sigsys;
	ret->id = by_default ? "not-in-profile" : "denied-by-rule";
	if (by_default)
		format_into(ret->summary, sizeof(ret->summary),
			    "%s names no rule for %s, so its default action decided", p->name,
			    e->name);
	else if (d->rule.found && d->rule.decision.rule_index >= 0)
		format_into(ret->summary, sizeof(ret->summary),
			    "rule syscalls[%d] of %s denies %s on purpose",
			    d->rule.decision.rule_index, p->name, e->name);
	else
		format_into(ret->summary, sizeof(ret->summary), "%s denied %s", p->name, e->name);
	format_into(ret->fix, sizeof(ret->fix),
		    "if the task needs %s, allow it: 'sigsys suggest TASK_ID' writes the smallest "
		    "profile change and shows it as a diff; if it should not call it, the fault "
		    "is in the task",
		    e->name);
}

bool pattern_find(const struct task_evidence *ev, const struct launch_profile *p,
		  const struct diagnosis *d, struct pattern *ret)
{
	*ret = (struct pattern){0};
	if (!d->decisive || d->outcome == OUTCOME_NOT_SECCOMP || !p->profile || !p->filter)
		return false;
	if (clone3_eperm(d, ret) || thread_killed(ev, d, ret) || capability_gated(p, d, ret) ||
	    newer_than_profile(p, d, ret))
		return true;
	not_allowed(p, d, ret);
	return true;
}
