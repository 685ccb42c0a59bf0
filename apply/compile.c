/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plan → classic BPF, by libseccomp (binary-tree dispatch), exported in memory. */
#include "plan.h"
#include "names.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/mman.h>

#define BPF_MAX_INSNS	 4096u
#define X32_LEGACY_FIRST 512

typedef scmp_filter_ctx ctx_t;
static void ctx_release(ctx_t *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

static int fail(struct sigsys_error *err, int r, const char *what)
{
	format_into(err->message, sizeof(err->message), "libseccomp: %s: %s", what, strerror(-r));
	return r;
}

static int add_rule(ctx_t ctx, const struct plan_rule *pr)
{
	struct scmp_arg_cmp cmps[6];
	for (unsigned i = 0; i < pr->n_args; i++) {
		const struct profile_arg *a = &pr->args[i];
		/* OCI: for MASKED_EQ, value is the mask and valueTwo the datum. */
		cmps[i] = (struct scmp_arg_cmp){
			.arg = a->index, .op = a->op, .datum_a = a->value, .datum_b = a->value_two};
	}
	int r = seccomp_rule_add_array(ctx, pr->action, pr->nr, pr->n_args, cmps);
	/* -EEXIST: a rule for this syscall already decides (the first unconditional rule
	 * wins, as in crun); -EDOM/-EINVAL on a syscall absent from every listed arch. */
	if (r == -EEXIST)
		return 0;
	return r;
}

static int export_program(ctx_t ctx, struct sock_filter **ret, size_t *ret_n)
{
	_cleanup_close_ int fd = memfd_create("sigsys-bpf", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return r;
	off_t size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % sizeof(struct sock_filter) ||
	    (size_t)size / sizeof(struct sock_filter) > BPF_MAX_INSNS)
		return -E2BIG;
	struct sock_filter *insns = malloc((size_t)size);
	if (!insns)
		return -ENOMEM;
	if (pread(fd, insns, (size_t)size, 0) != size) {
		free(insns);
		return -EIO;
	}
	*ret = insns;
	*ret_n = (size_t)size / sizeof(struct sock_filter);
	return 0;
}

/* The highest syscall number the profile's rules name on one arch (runc's rule). x32 numbers
 * carry the x32 bit, and its legacy block from 512 up is not counted: "newer" means newer
 * than the profile within the common numbering. */
static int max_nr_on(const struct plan *plan, uint32_t arch)
{
	int max = -1;
	for (size_t i = 0; i < plan->n_rules; i++) {
		int nr = seccomp_syscall_resolve_name_arch(arch, plan->rules[i].name);
		if (arch == SCMP_ARCH_X32 && nr >= 0)
			nr = (nr & ~(int)X32_SYSCALL_BIT) < X32_LEGACY_FIRST ? nr : -1;
		if (nr >= 0 && nr > max)
			max = nr;
	}
	return max;
}

static bool plan_has_arch(const struct plan *plan, uint32_t arch)
{
	for (size_t i = 0; i < plan->n_arches; i++)
		if (plan->arches[i] == arch)
			return true;
	return false;
}

#define STMT(code, k)	      ((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP(code, k, jt, jf))

/* Stub jumps name their targets; offsets are patched once the places are known. */
enum target { NEXT, ENOSYS_RET, FILTER };

struct stub {
	struct sock_filter *out;
	size_t n;
	struct {
		size_t at;
		enum target jt, jf;
	} jumps[4 * PLAN_MAX_ARCHES];
	size_t n_jumps;
};

static void stub_jump(struct stub *s, uint16_t op, uint32_t k, enum target jt, enum target jf)
{
	s->jumps[s->n_jumps].at = s->n;
	s->jumps[s->n_jumps].jt = jt;
	s->jumps[s->n_jumps++].jf = jf;
	s->out[s->n++] = JUMP(BPF_JMP | op | BPF_K, k, 0, 0);
}

static uint32_t limit(int max)
{
	return max < 0 ? UINT32_MAX : (uint32_t)max;
}

/* x86_64 and x32 share AUDIT_ARCH_X86_64: the x32 bit tells them apart. */
static void stub_x86_64_block(struct stub *s, int max64, int max32)
{
	s->out[s->n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, 1, 0);
	stub_jump(s, BPF_JGT, limit(max64), ENOSYS_RET, FILTER);
	/* x32: newer than the profile but below the legacy block */
	stub_jump(s, BPF_JGT, limit(max32), NEXT, FILTER);
	stub_jump(s, BPF_JGE, X32_SYSCALL_BIT | X32_LEGACY_FIRST, FILTER, ENOSYS_RET);
}

static unsigned char offset_to(size_t from, enum target t, size_t enosys, size_t filter)
{
	size_t to = t == NEXT ? from + 1 : t == ENOSYS_RET ? enosys : filter;
	return (unsigned char)(to - from - 1);
}

/* --enosys-newer, as runc does: before the filter, syscalls numbered above the highest one
 * the profile names on their arch return ENOSYS. Jumps are forward and short. */
static size_t enosys_stub(const struct plan *plan, struct sock_filter *out)
{
	struct stub s = {.out = out};
	bool x32 = plan_has_arch(plan, SCMP_ARCH_X32);

	for (size_t i = 0; i < plan->n_arches; i++) {
		uint32_t arch = plan->arches[i];
		if (arch == SCMP_ARCH_X32)
			continue; /* handled in the x86_64 block */
		bool x86_64 = arch == SCMP_ARCH_X86_64;
		int max = max_nr_on(plan, arch);
		int max32 = x86_64 && x32 ? max_nr_on(plan, SCMP_ARCH_X32) : -1;
		if (max < 0 && max32 < 0)
			continue;
		s.out[s.n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
		/* another arch: skip the rest of this block */
		s.out[s.n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 0, x86_64 ? 5 : 2);
		s.out[s.n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
		if (x86_64)
			stub_x86_64_block(&s, max, max32);
		else
			stub_jump(&s, BPF_JGT, limit(max), ENOSYS_RET, FILTER);
	}
	if (s.n == 0)
		return 0;
	s.out[s.n++] = STMT(BPF_JMP | BPF_JA, 1); /* no block matched: over the return */
	size_t enosys = s.n;
	s.out[s.n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	for (size_t i = 0; i < s.n_jumps; i++) {
		size_t at = s.jumps[i].at;
		s.out[at].jt = offset_to(at, s.jumps[i].jt, enosys, s.n);
		s.out[at].jf = offset_to(at, s.jumps[i].jf, enosys, s.n);
	}
	return s.n;
}

static bool stub_wanted(const struct plan *plan)
{
	return plan->enosys_newer && plan->default_action != SCMP_ACT_ALLOW &&
	       plan->default_action != SCMP_ACT_LOG;
}

static int prepend_stub(const struct plan *plan, struct sock_filter **insns, size_t *n)
{
	struct sock_filter stub[8 * PLAN_MAX_ARCHES];
	size_t m = stub_wanted(plan) ? enosys_stub(plan, stub) : 0;
	if (m == 0)
		return 0;
	if (*n + m > BPF_MAX_INSNS)
		return -E2BIG;
	struct sock_filter *all = malloc((*n + m) * sizeof(*all));
	if (!all)
		return -ENOMEM;
	memcpy(all, stub, m * sizeof(*stub));
	memcpy(all + m, *insns, *n * sizeof(**insns));
	free(*insns);
	*insns = all;
	*n += m;
	return 0;
}

int plan_compile(const struct plan *plan, struct sock_filter **ret_insns, size_t *ret_n,
		 struct sigsys_error *err)
{
	_cleanup_(ctx_release) ctx_t ctx = seccomp_init(plan->default_action);
	int r;
	if (!ctx)
		return fail(err, -EINVAL, "seccomp_init");
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, plan->badarch_action)) < 0)
		return fail(err, r, "bad-arch action");
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
		return fail(err, r, "binary tree optimisation");
	for (size_t i = 1; i < plan->n_arches; i++)
		if ((r = seccomp_arch_add(ctx, plan->arches[i])) < 0 && r != -EEXIST)
			return fail(err, r, "seccomp_arch_add");
	for (size_t i = 0; i < plan->n_rules; i++) {
		const struct plan_rule *pr = &plan->rules[i];
		if ((r = add_rule(ctx, pr)) < 0) {
			format_into(err->message, sizeof(err->message),
				    "libseccomp refused the rule for \"%s\" (syscalls[%d]): %s",
				    pr->name, pr->origin, strerror(-r));
			return r;
		}
	}
	struct sock_filter *insns;
	size_t n;
	if ((r = export_program(ctx, &insns, &n)) < 0)
		return fail(err, r, "exporting the BPF program");
	if ((r = prepend_stub(plan, &insns, &n)) < 0) {
		free(insns);
		return fail(err, r, "the --enosys-newer stub");
	}
	*ret_insns = insns;
	*ret_n = n;
	return 0;
}
