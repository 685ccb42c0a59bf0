/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Known seccomp failure patterns, explained in plain words with the fix that works where the
 * task runs: clone3 answered EPERM (glibc falls back only on ENOSYS), a thread killed while
 * its process lives on, a syscall newer than the profile, a rule the task's capabilities did
 * not qualify it for, and the plain "the profile does not allow it".
 */
#ifndef SIGSYS_REPORT_PATTERNS_H
#define SIGSYS_REPORT_PATTERNS_H

#include "diagnose.h"

struct pattern {
	const char *id; /* "clone3-eperm", "thread-killed", "newer-than-profile", … */
	char summary[768];
	char fix[768];
};

/* The pattern of a diagnosis that blames a syscall; false when there is none to explain
 * (not-seccomp, or no decisive call). */
bool pattern_find(const struct task_evidence *ev, const struct launch_profile *p,
		  const struct diagnosis *d, struct pattern *ret);

#endif
