/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The diagnosis of `sigsys report`: from one task's evidence and the profile it was launched
 * with, the outcome (seccomp-kill, seccomp-denied, seccomp-logged, not-seccomp, unknown), why,
 * the syscall that decided it and the rule of the recorded profile that gave its action.
 * Nothing here prints.
 */
#ifndef SIGSYS_REPORT_DIAGNOSE_H
#define SIGSYS_REPORT_DIAGNOSE_H

#include "evidence.h"
#include "sigsys.h"

enum outcome {
	OUTCOME_SECCOMP_KILL,
	OUTCOME_SECCOMP_DENIED,
	OUTCOME_SECCOMP_LOGGED,
	OUTCOME_NOT_SECCOMP,
	OUTCOME_UNKNOWN,
};

const char *outcome_name(enum outcome outcome);

/* The profile text recorded at launch, compiled as it was loaded. */
struct launch_profile {
	struct sigsys_profile *profile; /* NULL: unconfined, or the text does not parse */
	struct sigsys_filter *filter;	/* the recorded mode and capabilities */
	struct sigsys_filter *written;	/* enforce mode: the actions as the profile writes them */
	enum sigsys_mode mode;
	bool mode_known;
	char name[STORE_ID_MAX + 1]; /* as registered; "default.json" when none was named */
	char why_none[512];	     /* no profile or filter: why */
};

/* Parse and compile the task's recorded profile text. Never fails: what went wrong is in
 * why_none. Returns -ENOMEM only. */
int launch_profile_build(const struct store_task *t, struct launch_profile *ret);
void launch_profile_clear(struct launch_profile *p);

/* The rule that gave an event its recorded action: from its arguments when a source saw
 * them; audit records carry none, so then the argument values the profile's conditions name
 * are tried, and the first decision with the recorded action is taken. */
struct rule_match {
	bool found;
	bool exact; /* no other rule gives that action, whatever the arguments tried */
	struct sigsys_decision decision; /* in the recorded mode: what the kernel did */
	struct sigsys_decision written;	 /* the same call in enforce mode: as written */
	char why_none[256];		 /* !found */
};

void rule_find(const struct launch_profile *p, const struct ev_event *e, struct rule_match *ret);

#define REASON_MAX 1024

struct diagnosis {
	enum outcome outcome;
	char reason[REASON_MAX];
	/* The event that decided the outcome (a kill, the denial before the failure, the first
	 * logged call), into the evidence; NULL when none did. */
	const struct ev_event *decisive;
	struct rule_match rule; /* of the decisive event */
	bool failed;		/* exited non-zero or by a signal */
	size_t n_denials, n_benign;
	uint64_t records_lost;	   /* known records lost in the task's lifetime */
	bool records_lost_unknown; /* a loss of an unknown number of records */
};

/* Marks the benign denials of ev and weighs the evidence. */
void diagnose(struct task_evidence *ev, const struct launch_profile *p, struct diagnosis *ret);

/* The one-line form, under 200 bytes whatever the ids and names. */
void diagnosis_message(const struct task_evidence *ev, const struct launch_profile *p,
		       const struct diagnosis *d, char *buf, size_t size);

#endif
