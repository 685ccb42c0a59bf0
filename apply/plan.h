/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plan: the rules that will really be compiled, after includes/excludes, argument
 * grouping and the mode's action mapping. It is cheap to build, so it also keys the cache
 * and answers "which rule decided this".
 */
#ifndef SIGSYS_APPLY_PLAN_H
#define SIGSYS_APPLY_PLAN_H

#include "profile.h"

#include <linux/filter.h>

#define PLAN_MAX_ARCHES 32u
#define X32_SYSCALL_BIT 0x40000000u

struct plan_rule {
	int origin;	  /* index in the profile's syscalls, -1 when sigsys added it */
	const char *name; /* syscall name, owned by the plan */
	int nr;		  /* native number; negative for pseudo-syscalls */
	uint32_t action;
	unsigned n_args; /* conditions, ANDed (distinct indexes, at most 6) */
	struct profile_arg args[6];
};

struct plan {
	enum sigsys_mode mode;
	uint32_t default_action;
	uint32_t badarch_action;
	uint32_t arches[PLAN_MAX_ARCHES];
	size_t n_arches;
	unsigned load_flags; /* SECCOMP_FILTER_FLAG_* */
	bool enosys_newer;
	struct plan_rule *rules;
	size_t n_rules, cap_rules;
	struct strv warnings;
	struct strv skipped; /* per profile rule: why it does not apply, NULL when it does */
};

int plan_build(const struct sigsys_profile *profile, const struct sigsys_options *options,
	       struct plan *ret, struct sigsys_error *err);
void plan_clear(struct plan *plan);
/* sha256 hex of everything that changes the compiled program. */
int plan_cache_key(const struct plan *plan, char out[65]);

/* libseccomp compiles the plan to classic BPF (with the --enosys-newer stub in front). */
int plan_compile(const struct plan *plan, struct sock_filter **ret_insns, size_t *ret_n,
		 struct sigsys_error *err);

/* Run a seccomp BPF program on one syscall, as the kernel would. */
int bpf_run(const struct sock_filter *insns, size_t n, int nr, uint32_t audit_arch, uint64_t ip,
	    const uint64_t args[6], uint32_t *ret_action);

/* The on-disk cache. */
int cache_lookup(const char *dir, const char *key, struct sock_filter **ret_insns, size_t *ret_n);
int cache_store(const char *dir, const char *key, const struct sock_filter *insns, size_t n);

#endif
