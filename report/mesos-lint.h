/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the Mesos linux/seccomp isolator (Mesos 1.8+, DC/OS) would do with a profile, read
 * from the raw document the way its parser reads it: Mesos accepts a strict 2018 subset of
 * the Docker format. A refusal fails the whole profile on the agent (every task using it
 * fails to launch); an ignored field loads fine but means something else there.
 */
#ifndef SIGSYS_REPORT_MESOS_LINT_H
#define SIGSYS_REPORT_MESOS_LINT_H

#include "sigsys.h"
#include "../common/util.h"

struct mesos_lint {
	struct strv refused; /* "FILE: PATH: why", Mesos fails the profile */
	struct strv ignored; /* "FILE: PATH: why", Mesos loads it with another meaning */
};

/* Lints the profile's own JSON text (libsigsys has parsed it already). Fills `ret` (zeroed by
 * the caller); -ENOMEM is the only failure. */
int mesos_lint(const struct sigsys_profile *profile, const char *source, struct mesos_lint *ret);
void mesos_lint_clear(struct mesos_lint *lint);

#endif
