/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "direct.h"

#include <linux/seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define MAX_INSNS 4096u

int direct_from_plan(const struct plan *plan, struct direct_filter *ret)
{
	/* The --enosys-newer stub is sigsys's own code, not libseccomp's: no baseline. */
	if (plan->enosys_newer)
		return -EOPNOTSUPP;
	struct direct_filter d = {
		.default_action = plan->default_action,
		.badarch_action = plan->badarch_action,
		.n_arches = plan->n_arches,
		.n_rules = plan->n_rules,
	};
	memcpy(d.arches, plan->arches, sizeof(d.arches));
	d.rules = calloc(plan->n_rules ? plan->n_rules : 1, sizeof(*d.rules));
	if (!d.rules)
		return -ENOMEM;
	for (size_t i = 0; i < plan->n_rules; i++) {
		const struct plan_rule *pr = &plan->rules[i];
		struct direct_rule *dr = &d.rules[i];
		*dr = (struct direct_rule){
			.nr = pr->nr, .action = pr->action, .n_cmps = pr->n_args};
		for (unsigned a = 0; a < pr->n_args; a++)
			dr->cmps[a] = (struct scmp_arg_cmp){.arg = pr->args[a].index,
							    .op = pr->args[a].op,
							    .datum_a = pr->args[a].value,
							    .datum_b = pr->args[a].value_two};
	}
	*ret = d;
	return 0;
}

void direct_clear(struct direct_filter *d)
{
	free(d->rules);
	*d = (struct direct_filter){0};
}

static int direct_configure(scmp_filter_ctx ctx, const struct direct_filter *d, int optimize)
{
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, d->badarch_action);
	if (r < 0)
		return r;
	if (optimize && (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, optimize)) < 0)
		return r;
	for (size_t i = 1; i < d->n_arches; i++)
		if ((r = seccomp_arch_add(ctx, d->arches[i])) < 0 && r != -EEXIST)
			return r;
	for (size_t i = 0; i < d->n_rules; i++) {
		const struct direct_rule *dr = &d->rules[i];
		r = seccomp_rule_add_array(ctx, dr->action, dr->nr, dr->n_cmps, dr->cmps);
		/* as sigsys: the first unconditional rule for a syscall wins */
		if (r < 0 && r != -EEXIST)
			return r;
	}
	return 0;
}

int direct_compile(const struct direct_filter *d, int optimize, int fd)
{
	scmp_filter_ctx ctx = seccomp_init(d->default_action);
	if (!ctx)
		return -EINVAL;
	int r = direct_configure(ctx, d, optimize);
	if (r == 0)
		r = seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	return r;
}

static int read_program(int fd, struct program *ret)
{
	off_t size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % sizeof(struct sock_filter) ||
	    (size_t)size / sizeof(struct sock_filter) > MAX_INSNS)
		return -E2BIG;
	struct sock_filter *insns = malloc((size_t)size);
	if (!insns)
		return -ENOMEM;
	if (pread(fd, insns, (size_t)size, 0) != size) {
		free(insns);
		return -EIO;
	}
	*ret = (struct program){.insns = insns, .n = (size_t)size / sizeof(*insns)};
	return 0;
}

int direct_program(const struct direct_filter *d, int optimize, struct program *ret)
{
	_cleanup_close_ int fd = memfd_create("sigsys-bench", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = direct_compile(d, optimize, fd);
	return r < 0 ? r : read_program(fd, ret);
}

int program_allow1(struct program *ret)
{
	struct sock_filter *insn = malloc(sizeof(*insn));
	if (!insn)
		return -ENOMEM;
	*insn = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	*ret = (struct program){.insns = insn, .n = 1};
	return 0;
}

void program_clear(struct program *p)
{
	free(p->insns);
	*p = (struct program){0};
}

bool program_equal(const struct program *p, const void *insns, size_t n)
{
	return p->n == n && memcmp(p->insns, insns, n * sizeof(*p->insns)) == 0;
}

int program_load(const struct sock_filter *insns, size_t n, unsigned flags)
{
	struct sock_fprog prog = {.len = (unsigned short)n, .filter = (struct sock_filter *)insns};
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	return r < 0 ? -errno : 0;
}
