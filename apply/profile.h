/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsed form of a seccomp profile: what every format in the wild means, nothing more. */
#ifndef SIGSYS_APPLY_PROFILE_H
#define SIGSYS_APPLY_PROFILE_H

#include "sigsys.h"
#include "../common/util.h"

#include <seccomp.h>

struct json_object;

#define PROFILE_MAX_ARGS 64u /* per rule; the kernel has 6 indexes, repeats are legal */

struct profile_arg {
	unsigned index;
	enum scmp_compare op;
	uint64_t value;
	uint64_t value_two;
};

/* includes or excludes of a Docker-format rule */
struct profile_cond {
	bool present;
	uint64_t caps;	  /* known capabilities named */
	bool unknown_cap; /* a capability name this library does not know */
	char **arches;	  /* Go-style names: amd64, x86, x32, arm64 … */
	size_t n_arches;
	char *min_kernel; /* "5.8", or NULL */
};

struct profile_rule {
	unsigned index; /* position in "syscalls" */
	char **names;
	size_t n_names;
	uint32_t action; /* SCMP_ACT_* with its data */
	struct profile_arg *args;
	size_t n_args;
	struct profile_cond includes;
	struct profile_cond excludes;
};

struct sigsys_profile {
	char *source;
	char *text;
	size_t text_len;
	char digest[72];
	enum sigsys_format format;
	uint32_t default_action;
	uint32_t *arches; /* SCMP_ARCH_* tokens; none: native only */
	size_t n_arches;
	bool has_arch_map;
	unsigned filter_flags; /* SECCOMP_FILTER_FLAG_* named in "flags" */
	bool has_flags;
	char *listener_path;
	char *listener_metadata;
	struct profile_rule *rules;
	size_t n_rules;
	struct strv warnings;
};

/* SCMP_ACT_* without its data, to compare kinds of action. */
static inline uint32_t action_kind(uint32_t action)
{
	switch (action & 0xffff0000u) {
	case SCMP_ACT_ERRNO(0):
	case SCMP_ACT_TRACE(0):
		return action & 0xffff0000u;
	default:
		return action;
	}
}

/* A denial: the task does not get what it asked for. */
static inline bool action_denies(uint32_t action)
{
	return action != SCMP_ACT_ALLOW && action != SCMP_ACT_LOG;
}

/* The Go-style arch name of this machine ("amd64"), as moby compares includes.arches. */
const char *native_go_arch(void);

int canonical_digest(struct json_object *root, char out[72]);

#endif
