/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A classic-BPF interpreter for seccomp programs: explain and the table tests run the very
 * program the kernel will run. */
#include "plan.h"

#include <linux/seccomp.h>
#include <string.h>

#define BPF_MEMWORDS 16

static int load_word(const struct seccomp_data *d, uint32_t off, uint32_t *ret)
{
	if (off % 4 || off + 4 > sizeof(*d))
		return -EINVAL;
	memcpy(ret, (const char *)d + off, 4);
	return 0;
}

static int alu(uint16_t op, uint32_t *a, uint32_t v)
{
	switch (op) {
	case BPF_ADD:
		*a += v;
		break;
	case BPF_SUB:
		*a -= v;
		break;
	case BPF_MUL:
		*a *= v;
		break;
	case BPF_DIV:
		if (!v)
			return -EINVAL;
		*a /= v;
		break;
	case BPF_MOD:
		if (!v)
			return -EINVAL;
		*a %= v;
		break;
	case BPF_AND:
		*a &= v;
		break;
	case BPF_OR:
		*a |= v;
		break;
	case BPF_XOR:
		*a ^= v;
		break;
	case BPF_LSH:
		*a = v < 32 ? *a << v : 0;
		break;
	case BPF_RSH:
		*a = v < 32 ? *a >> v : 0;
		break;
	case BPF_NEG:
		*a = -*a;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static bool jump_taken(uint16_t op, uint32_t a, uint32_t v)
{
	switch (op) {
	case BPF_JEQ:
		return a == v;
	case BPF_JGT:
		return a > v;
	case BPF_JGE:
		return a >= v;
	case BPF_JSET:
		return (a & v) != 0;
	default:
		return false;
	}
}

int bpf_run(const struct sock_filter *insns, size_t n, int nr, uint32_t audit_arch, uint64_t ip,
	    const uint64_t args[6], uint32_t *ret_action)
{
	struct seccomp_data d = {.nr = nr, .arch = audit_arch, .instruction_pointer = ip};
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
	if (args)
		memcpy(d.args, args, sizeof(d.args));
	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *f = &insns[pc];
		uint32_t v = BPF_SRC(f->code) == BPF_X ? x : f->k;
		int r = 0;
		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (BPF_MODE(f->code) == BPF_ABS && BPF_SIZE(f->code) == BPF_W)
				r = load_word(&d, f->k, &a);
			else if (BPF_MODE(f->code) == BPF_IMM)
				a = f->k;
			else if (BPF_MODE(f->code) == BPF_MEM && f->k < BPF_MEMWORDS)
				a = mem[f->k];
			else if (BPF_MODE(f->code) == BPF_LEN)
				a = sizeof(d);
			else
				r = -EINVAL;
			break;
		case BPF_LDX:
			if (BPF_MODE(f->code) == BPF_IMM)
				x = f->k;
			else if (BPF_MODE(f->code) == BPF_MEM && f->k < BPF_MEMWORDS)
				x = mem[f->k];
			else if (BPF_MODE(f->code) == BPF_LEN)
				x = sizeof(d);
			else
				r = -EINVAL;
			break;
		case BPF_ST:
		case BPF_STX:
			if (f->k >= BPF_MEMWORDS)
				return -EINVAL;
			mem[f->k] = BPF_CLASS(f->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			r = alu(BPF_OP(f->code), &a, v);
			break;
		case BPF_JMP:
			if (BPF_OP(f->code) == BPF_JA)
				pc += f->k;
			else
				pc += jump_taken(BPF_OP(f->code), a, v) ? f->jt : f->jf;
			break;
		case BPF_RET:
			*ret_action = BPF_RVAL(f->code) == BPF_A ? a : f->k;
			return 0;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default:
			r = -EINVAL;
		}
		if (r < 0)
			return r;
	}
	return -EINVAL; /* fell off the end: the kernel's verifier forbids it */
}
