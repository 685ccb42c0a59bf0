/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsys profile explain FILE SYSCALL [ARG...]: which rule decides, and what the task sees.
 * The decision comes from running the compiled program (sigsys_explain).
 */
#include "cli.h"
#include "profile-cmd.h"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>

static int parse_u64(const char *text, uint64_t *ret)
{
	char *end;
	errno = 0;
	if (text[0] == '-')
		*ret = (uint64_t)strtoll(text, &end, 0); /* -1 is 0xffffffffffffffff */
	else
		*ret = strtoull(text, &end, 0);
	return errno || end == text || *end ? -EINVAL : 0;
}

/* What the task sees, in the words of someone whose task failed. */
static const char *task_sees(uint32_t action)
{
	switch (action & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		return "killed by SIGSYS: the whole process dies (core dump), the syscall is in "
		       "the signal";
	case SECCOMP_RET_KILL_THREAD:
		return "killed by SIGSYS: the calling thread dies; the process dies with it only "
		       "when it was its last thread";
	case SECCOMP_RET_TRAP:
		return "gets SIGSYS (catchable; the process dies unless it handles it)";
	case SECCOMP_RET_ERRNO:
		return NULL; /* "fails with E…", written by the caller */
	case SECCOMP_RET_USER_NOTIF:
		return "waits while the notification listener (sigsysd) decides";
	case SECCOMP_RET_TRACE:
		return "stops for its ptrace tracer; fails with ENOSYS when there is none";
	case SECCOMP_RET_LOG:
		return "allowed and logged (audit)";
	case SECCOMP_RET_ALLOW:
		return "allowed";
	default:
		return "an action this kernel does not know: killed";
	}
}

static bool arch_listed(const struct sigsys_filter *filter, uint32_t arch)
{
	uint32_t arches[32];
	size_t n = sigsys_filter_arches(filter, arches, ARRAY_SIZE(arches));
	for (size_t i = 0; i < n && i < ARRAY_SIZE(arches); i++)
		if (arches[i] == arch)
			return true;
	return false;
}

static bool is_default_probe(const char *name)
{
	const char *const *probes = sigsys_default_probes();
	for (size_t i = 0; name && probes[i]; i++)
		if (strcmp(probes[i], name) == 0)
			return true;
	return false;
}

static void out_rule_names(struct out *out, const struct sigsys_profile *profile, int index)
{
	struct sigsys_rule_info rule = {0};
	sigsys_profile_rule(profile, (size_t)index, &rule);
	out_text(out, "syscalls[%d] (", index);
	out_array_begin(out, "names");
	for (size_t i = 0; i < rule.n_names; i++)
		out_string(out, NULL, i ? ", %s" : "%s", rule.names[i]);
	out_array_end(out);
	out_text(out, ")\n");
}

static void out_rule(struct out *out, const struct sigsys_profile *profile,
		     const struct sigsys_filter *filter, const struct profile_opts *o,
		     const struct sigsys_decision *d, uint32_t arch, const char *name)
{
	out_object_begin(out, "rule");
	out_int(out, "index", NULL, d->rule_index);
	out_bool(out, "default", NULL, d->rule_index < 0 && !d->added_by_sigsys);
	out_bool(out, "added_by_sigsys", NULL, d->added_by_sigsys);
	out_text(out, "  rule:      ");
	if (d->rule_index >= 0) {
		out_rule_names(out, profile, d->rule_index);
	} else if (d->added_by_sigsys) {
		out_string(out, "origin", "added by sigsys (%s)\n",
			   o->mode == SIGSYS_MODE_KILL && is_default_probe(name)
				   ? "kill-mode start-up probe: ENOSYS so that the fallback runs"
				   : "--enosys-newer: newer than every syscall the profile names");
	} else if (!arch_listed(filter, arch)) {
		char why[128];
		format_into(
			why, sizeof(why),
			"none: %s is not in the profile's architectures (every %s call gets this)",
			arch_name(arch), arch_name(arch));
		out_string(out, "origin", "%s\n", why);
	} else {
		out_string(out, "origin", "%s\n", "default action");
	}
	out_object_end(out);
}

static void out_task_sees(struct out *out, uint32_t action)
{
	char text[128];
	const char *sees = task_sees(action);
	const char *e = decision_errno(action);
	if (!sees) {
		if ((action & SECCOMP_RET_DATA) == 0)
			format_into(text, sizeof(text), "returns 0 without running the syscall");
		else
			format_into(text, sizeof(text), "fails with %s (errno %u)",
				    e ? e : "an errno", action & SECCOMP_RET_DATA);
		sees = text;
	}
	out_string(out, "task_sees", "  task sees: %s\n", sees);
}

static void out_syscall(struct out *out, const char *name, const struct sigsys_decision *d,
			uint32_t arch, const uint64_t args[6], int n_args)
{
	out_object_begin(out, "syscall");
	out_string(out, "name", "%s", name);
	out_text(out, "(");
	out_array_begin(out, "args");
	for (int i = 0; i < 6; i++)
		out_uint(out, NULL, i < n_args ? (i ? ", %#jx" : "%#jx") : NULL, args[i]);
	out_array_end(out);
	out_text(out, ")");
	out_string(out, "arch", " on %s", arch_name(arch));
	out_int(out, "nr", " (nr %jd)", d->syscall_nr);
	out_object_end(out);
}

/* x32 calls carry __X32_SYSCALL_BIT: "435" on x32 means x32's 435, not x86_64's. */
static const char *syscall_on_arch(const char *syscall, uint32_t arch, char *buf, size_t size)
{
	uint64_t nr;
	if (arch != SCMP_ARCH_X32 || parse_u64(syscall, &nr) < 0 || nr >= 0x40000000)
		return syscall;
	format_into(buf, size, "%ju", (uintmax_t)(nr | 0x40000000));
	return buf;
}

int profile_explain(const struct profile_opts *o, struct out *out)
{
	_cleanup_profile_ struct sigsys_profile *profile = NULL;
	_cleanup_filter_ struct sigsys_filter *filter = NULL;
	struct sigsys_error err;
	struct sigsys_decision d;
	uint64_t args[6] = {0};
	int n_args = o->n_operands - 2;
	uint32_t arch = o->arch ? o->arch : seccomp_arch_native();
	char nr_text[24];
	const char *path = o->operands[0];
	const char *syscall = syscall_on_arch(o->operands[1], arch, nr_text, sizeof(nr_text));

	for (int i = 0; i < n_args; i++)
		if (parse_u64(o->operands[2 + i], &args[i]) < 0)
			return cli_usage_error(
				"sigsys profile",
				"argument %d \"%s\" is not a number (write 42, 0x2a, "
				"or -1; put '--' before negative numbers)",
				i, o->operands[2 + i]);
	if (profile_load_compiled(path, o, &profile, &filter, &err) < 0) {
		cli_error("%s", err.message);
		return EXIT_FAIL;
	}
	if (sigsys_explain(filter, syscall, arch, args, &d, &err) < 0) {
		cli_error("%s; give the syscall's number on %s instead", err.message,
			  arch_name(arch));
		return EXIT_FAIL;
	}
	_cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(arch, d.syscall_nr);

	out_object_begin(out, NULL);
	out_syscall(out, name ? name : syscall, &d, arch, args, n_args);
	out_string(out, "file", " under %s\n", path);
	out_string(out, "digest", NULL, sigsys_profile_digest(profile));
	out_string(out, "mode", "  mode:      %s", sigsys_mode_name(o->mode));
	out_string(out, "caps", ", caps %s\n", o->caps_text);
	out_decision(out, "decision", "  decision:  %s\n", d.action);
	out_rule(out, profile, filter, o, &d, arch, name ? name : syscall);
	out_task_sees(out, d.action);
	out_object_end(out);
	return EXIT_OK;
}
