/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Names of seccomp decisions, shared by the profile tools and the report. */
#include "profile-cmd.h"

#include <linux/seccomp.h>
#include <seccomp.h>

const char *arch_name(uint32_t arch)
{
	switch (arch) {
	case SCMP_ARCH_X86_64:
		return "x86_64";
	case SCMP_ARCH_X86:
		return "x86";
	case SCMP_ARCH_X32:
		return "x32";
	case SCMP_ARCH_AARCH64:
		return "aarch64";
	case SCMP_ARCH_ARM:
		return "arm";
	default:
		return "other";
	}
}

const char *decision_errno(uint32_t action)
{
	if ((action & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ERRNO)
		return NULL;
	return sigsys_errno_name((int)(action & SECCOMP_RET_DATA));
}

void decision_text(uint32_t action, char *buf, size_t size)
{
	uint32_t kind = action & SECCOMP_RET_ACTION_FULL, data = action & SECCOMP_RET_DATA;
	const char *name = sigsys_action_name(action);
	const char *errno_name = decision_errno(action);
	if (kind == SECCOMP_RET_ERRNO && errno_name)
		format_into(buf, size, "%s(%s)", name, errno_name);
	else if (kind == SECCOMP_RET_ERRNO || kind == SECCOMP_RET_TRACE)
		format_into(buf, size, "%s(%u)", name, data);
	else
		format_into(buf, size, "%s", name);
}

void out_decision(struct out *out, const char *key, const char *fmt, uint32_t action)
{
	char text[48];
	decision_text(action, text, sizeof(text));
	out_object_begin(out, key);
	out_string(out, "decision", fmt, text);
	out_string(out, "action", NULL, sigsys_action_name(action));
	out_string(out, "errno", NULL, decision_errno(action));
	out_object_end(out);
}
