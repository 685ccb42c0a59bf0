/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Compiling a profile for a mode (through the cache), loading it, explaining decisions. */
#include "plan.h"
#include "names.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

struct sigsys_filter {
	struct sock_filter *insns;
	struct sock_fprog prog; /* ready for seccomp(2): nothing to build after fork */
	bool cached;
	struct plan plan;
};

int sigsys_compile(const struct sigsys_profile *profile, const struct sigsys_options *options,
		   struct sigsys_filter **ret, struct sigsys_error *err)
{
	struct sigsys_error scratch;
	char key[65];
	size_t n = 0;
	int r;

	if (!profile || !options || !ret)
		return -EINVAL;
	if (!err)
		err = &scratch;
	struct sigsys_filter *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	if ((r = plan_build(profile, options, &f->plan, err)) < 0)
		goto fail;
	if (options->cache_dir && plan_cache_key(&f->plan, key) == 0 &&
	    cache_lookup(options->cache_dir, key, &f->insns, &n) == 0)
		f->cached = true;
	if (!f->cached) {
		if ((r = plan_compile(&f->plan, &f->insns, &n, err)) < 0)
			goto fail;
		if (options->cache_dir && cache_store(options->cache_dir, key, f->insns, n) < 0)
			strv_pushf(&f->plan.warnings,
				   "cache directory \"%s\" is not usable (it must be a directory "
				   "owned by this user with no group or other access); filter not "
				   "cached",
				   options->cache_dir);
	}
	f->prog = (struct sock_fprog){.len = (unsigned short)n, .filter = f->insns};
	*ret = f;
	return 0;
fail:
	sigsys_filter_free(f);
	return r;
}

void sigsys_filter_free(struct sigsys_filter *f)
{
	if (!f)
		return;
	free(f->insns);
	plan_clear(&f->plan);
	free(f);
}

size_t sigsys_filter_warning_count(const struct sigsys_filter *f)
{
	return f->plan.warnings.n;
}

const char *sigsys_filter_warning(const struct sigsys_filter *f, size_t i)
{
	return i < f->plan.warnings.n ? f->plan.warnings.items[i] : NULL;
}

bool sigsys_filter_cached(const struct sigsys_filter *f)
{
	return f->cached;
}

size_t sigsys_filter_program(const struct sigsys_filter *f, const void **ret_insns)
{
	if (ret_insns)
		*ret_insns = f->insns;
	return f->prog.len;
}

unsigned sigsys_filter_flags(const struct sigsys_filter *f)
{
	return f->plan.load_flags;
}

size_t sigsys_filter_arches(const struct sigsys_filter *f, uint32_t *ret, size_t max)
{
	for (size_t i = 0; i < f->plan.n_arches && i < max; i++)
		ret[i] = f->plan.arches[i];
	return f->plan.n_arches;
}

const char *sigsys_filter_rule_skipped(const struct sigsys_filter *f, size_t i)
{
	return i < f->plan.skipped.n ? f->plan.skipped.items[i] : NULL;
}

int sigsys_filter_load(const struct sigsys_filter *f, unsigned load_flags)
{
	if (load_flags & SIGSYS_LOAD_NO_NEW_PRIVS)
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			return -errno;
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->plan.load_flags, &f->prog);
	return r < 0 ? -errno : (int)r;
}

/* ---- explain ------------------------------------------------------------------------------ */

/* seccomp_data.arch for a libseccomp arch token (x32 calls arrive as x86_64). */
static uint32_t audit_arch_of(uint32_t token)
{
	return token == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : token;
}

static bool cond_holds(const struct profile_arg *a, const uint64_t args[6])
{
	uint64_t v = args[a->index];
	switch (a->op) {
	case SCMP_CMP_NE:
		return v != a->value;
	case SCMP_CMP_LT:
		return v < a->value;
	case SCMP_CMP_LE:
		return v <= a->value;
	case SCMP_CMP_EQ:
		return v == a->value;
	case SCMP_CMP_GE:
		return v >= a->value;
	case SCMP_CMP_GT:
		return v > a->value;
	case SCMP_CMP_MASKED_EQ:
		return (v & a->value) == a->value_two;
	default:
		return false;
	}
}

static bool plan_rule_matches(const struct plan_rule *pr, const char *name, const uint64_t args[6])
{
	if (strcmp(pr->name, name) != 0)
		return false;
	for (unsigned i = 0; i < pr->n_args; i++)
		if (!cond_holds(&pr->args[i], args))
			return false;
	return true;
}

static const char *arch_display_name(uint32_t arch)
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
		return "this architecture";
	}
}

static int resolve_syscall(const char *syscall, uint32_t arch, int *ret_nr, char **ret_name,
			   struct sigsys_error *err)
{
	char *end;
	long num = strtol(syscall, &end, 0);
	if (*syscall && !*end) {
		/* x32 numbers carry the x32 bit; "0" on x32 means x32's read */
		if (arch == SCMP_ARCH_X32 && num >= 0 && num < X32_SYSCALL_BIT)
			num |= X32_SYSCALL_BIT;
		*ret_nr = (int)num;
		*ret_name = seccomp_syscall_resolve_num_arch(arch, (int)num);
		return 0;
	}
	int nr = seccomp_syscall_resolve_name_arch(arch, syscall);
	if (nr == __NR_SCMP_ERROR) {
		format_into(err->message, sizeof(err->message),
			    "unknown syscall \"%s\" (libseccomp %u.%u.%u does not know it)",
			    syscall, seccomp_version()->major, seccomp_version()->minor,
			    seccomp_version()->micro);
		return -ENOENT;
	}
	if (nr < 0) {
		format_into(err->message, sizeof(err->message),
			    "syscall \"%s\" does not exist on architecture %s", syscall,
			    arch_display_name(arch));
		return -ENOENT;
	}
	*ret_nr = nr;
	*ret_name = strdup(syscall);
	return *ret_name ? 0 : -ENOMEM;
}

int sigsys_explain(const struct sigsys_filter *f, const char *syscall, uint32_t arch,
		   const uint64_t args[6], struct sigsys_decision *ret, struct sigsys_error *err)
{
	static const uint64_t zero[6];
	struct sigsys_error scratch;
	uint32_t action;
	int nr;
	_cleanup_free_ char *name = NULL;

	if (!err)
		err = &scratch;
	if (!arch)
		arch = seccomp_arch_native();
	if (!args)
		args = zero;
	int r = resolve_syscall(syscall, arch, &nr, &name, err);
	if (r < 0)
		return r;
	r = bpf_run(f->insns, f->prog.len, nr, audit_arch_of(arch), 0, args, &action);
	if (r < 0) {
		format_into(err->message, sizeof(err->message), "the BPF program is invalid");
		return r;
	}
	*ret = (struct sigsys_decision){.action = action, .rule_index = -1, .syscall_nr = nr};
	for (size_t i = 0; name && i < f->plan.n_rules; i++) {
		const struct plan_rule *pr = &f->plan.rules[i];
		if (pr->action == action && plan_rule_matches(pr, name, args)) {
			ret->rule_index = pr->origin;
			ret->added_by_sigsys = pr->origin < 0;
			return 0;
		}
	}
	/* Not a rule's action nor the default: the --enosys-newer stub answered. */
	ret->added_by_sigsys = action != f->plan.default_action && action != f->plan.badarch_action;
	return 0;
}
