/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The `sigsys profile` subcommands: their parsed options and the helpers they share. */
#ifndef SIGSYS_REPORT_PROFILE_CMD_H
#define SIGSYS_REPORT_PROFILE_CMD_H

#include "output.h"
#include "sigsys.h"

struct profile_opts {
	enum out_format format;
	bool target_mesos; /* check --target mesos */
	const char *caps_text;
	uint64_t caps;
	enum sigsys_mode mode;
	uint32_t arch; /* SCMP_ARCH_*, 0: native */
	bool strict, enosys_newer;
	char **operands;
	int n_operands;
};

static inline void sigsys_profile_freep(struct sigsys_profile **p)
{
	sigsys_profile_free(*p);
}
static inline void sigsys_filter_freep(struct sigsys_filter **f)
{
	sigsys_filter_free(*f);
}
#define _cleanup_profile_ _cleanup_(sigsys_profile_freep)
#define _cleanup_filter_  _cleanup_(sigsys_filter_freep)

/* Load PATH and compile it with the options (mode, caps, strict, enosys-newer). */
int profile_load_compiled(const char *path, const struct profile_opts *o,
			  struct sigsys_profile **ret_profile, struct sigsys_filter **ret_filter,
			  struct sigsys_error *err);

/* "x86_64", "x86", "x32", "aarch64", "arm" for a SCMP_ARCH_* token; "other" otherwise. */
const char *arch_name(uint32_t arch);
/* "ALLOW", "ERRNO(EPERM)", "TRACE(7)" … for a SECCOMP_RET_* value with its data. */
void decision_text(uint32_t action, char *buf, size_t size);
/* The errno an ERRNO action returns, NULL for other actions or unnamed numbers. */
const char *decision_errno(uint32_t action);
/* A "decision" object {decision, action, errno}; text prints fmt with "ERRNO(EPERM)". */
void out_decision(struct out *out, const char *key, const char *fmt, uint32_t action);

/* The subcommands; each returns the exit status. */
int profile_check(const struct profile_opts *o, struct out *out);
int profile_explain(const struct profile_opts *o, struct out *out);
int profile_diff(const struct profile_opts *o, struct out *out);
/* The same comparison of two parsed profiles (labels name them in the output): EXIT_OK when
 * decisions are equal, EXIT_FAIL when one differs, EXIT_USAGE when one does not compile. */
int profile_diff_parsed(const struct profile_opts *o, const char *label_a,
			const struct sigsys_profile *a, const char *label_b,
			const struct sigsys_profile *b, struct out *out);

#endif
