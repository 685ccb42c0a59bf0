/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The filters sigsys is measured against, built from the same plan (the rules sigsys really
 * compiles): the plan handed to libseccomp directly, at sigsys's optimisation level or at
 * libseccomp's default as Mesos builds it, and the 1-instruction ALLOW program (the floor).
 */
#ifndef SIGSYS_BENCH_DIRECT_H
#define SIGSYS_BENCH_DIRECT_H

#include "plan.h"

/* SCMP_FLTATR_CTL_OPTIMIZE: 0 leaves libseccomp's default (1, priority order) as Mesos does. */
#define OPTIMIZE_AS_MESOS  0
#define OPTIMIZE_AS_SIGSYS 2

/* A plan rule as libseccomp takes it, converted before any timed region. */
struct direct_rule {
	int nr;
	uint32_t action;
	unsigned n_cmps;
	struct scmp_arg_cmp cmps[6];
};

struct direct_filter {
	uint32_t default_action;
	uint32_t badarch_action;
	uint32_t arches[PLAN_MAX_ARCHES]; /* [0] is native: seccomp_init adds it */
	size_t n_arches;
	struct direct_rule *rules;
	size_t n_rules;
};

int direct_from_plan(const struct plan *plan, struct direct_filter *ret);
void direct_clear(struct direct_filter *d);
/* seccomp_init … seccomp_rule_add_array … seccomp_export_bpf(fd): libseccomp alone. */
int direct_compile(const struct direct_filter *d, int optimize, int fd);

struct program {
	struct sock_filter *insns;
	size_t n;
};

/* direct_compile into memory. */
int direct_program(const struct direct_filter *d, int optimize, struct program *ret);
int program_allow1(struct program *ret);
void program_clear(struct program *p);
bool program_equal(const struct program *p, const void *insns, size_t n);
/* seccomp(2) in the calling thread, no allocation: safe in a forked child. */
int program_load(const struct sock_filter *insns, size_t n, unsigned flags);

#endif
