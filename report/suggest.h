/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsys suggest, inside: what the command gathers from the evidence (struct suggestion: the
 * refused calls, struct need) and the profile edit built from it (suggest-profile.c). Nothing
 * here is used outside the command.
 */
#ifndef SIGSYS_REPORT_SUGGEST_H
#define SIGSYS_REPORT_SUGGEST_H

#include "diagnose.h"
#include "evidence.h"
#include "../common/util.h"

#define NEEDS_MAX    256 /* distinct syscalls one suggestion names */
#define ARGSETS_MAX  16	 /* distinct argument values per syscall before allowing it by name */
#define CALLS_MAX    8	 /* (arch, number) pairs per syscall */
#define ENOSYS_ERRNO 38

struct suggest_opts {
	const char *task_id;
	const char *output;
	const char *db;
	const char *run_dir;
	const char *profile_dir;
	bool mesos;
};

enum fix {
	FIX_ALLOW,
	FIX_ENOSYS,
};

struct call_site {
	uint32_t arch; /* AUDIT_ARCH_* */
	int32_t nr;
};

/* One syscall the task needed and was refused. */
struct need {
	char name[SYSCALL_NAME_MAX];
	const struct ev_event *first; /* into the evidence */
	struct call_site calls[CALLS_MAX];
	size_t n_calls;
	uint64_t count;
	uint32_t got;	  /* what the kernel did, errno included when the profile says */
	uint32_t written; /* what the profile as written does (log mode: what it would do) */
	int rule;	  /* the written rule that decided, -1 the default action */
	bool rule_known;
	bool from_profile; /* a rule of the launch-time profile gives what the kernel did */
	unsigned tested;   /* bit i: a rule of the profile for this syscall tests argument i */
	uint64_t argsets[ARGSETS_MAX][6];
	size_t n_argsets;
	bool by_name; /* allow it whatever the arguments: a call came without them */
	enum fix fix;
	bool removed;	 /* taken out of the rule that denied it */
	bool needs_rule; /* still refused after that: a rule is added */
};

struct harmful_row {
	int64_t id;
	size_t need;
};

struct suggestion {
	const struct suggest_opts *o;
	struct task_evidence ev;
	struct launch_profile lp;
	struct diagnosis d;
	enum sigsys_mode verify_mode; /* the task's mode; log and notify: enforce, as written */
	struct need needs[NEEDS_MAX];
	size_t n_needs;
	struct harmful_row *rows;
	size_t n_rows, cap_rows;
	struct strv changes;	/* "+ syscalls[25] …" lines, in the order made */
	char not_profile[1024]; /* calls the profile allows: something else refused them */
};

/* The new profile: its JSON document, text, parsed profile and filter (task mode, caps). */
struct suggest_candidate {
	struct json_object *root;
	char *text;
	struct sigsys_profile *profile;
	struct sigsys_filter *filter;
};

/* Whether the rule names this syscall. */
bool suggest_rule_names(const struct sigsys_rule_info *rule, const char *name);

/* Edit the launch-time profile text for sg's needs (sets their removed/needs_rule, fills
 * sg->changes), then parse, compile and check the result on every call of the evidence.
 * Returns 0 with *ret filled, or a negative errno after printing why. */
int suggest_build(struct suggestion *sg, struct suggest_candidate *ret);
void suggest_candidate_clear(struct suggest_candidate *c);
/* --target mesos: 0 when the isolator accepts the candidate; otherwise prints what it refuses
 * (and whether the original is refused too) and returns -EINVAL. */
int suggest_mesos_check(const struct suggestion *sg, const struct suggest_candidate *c);

#endif
