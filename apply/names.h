/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The names profiles use for actions, operators, architectures, errnos and capabilities. */
#ifndef SIGSYS_APPLY_NAMES_H
#define SIGSYS_APPLY_NAMES_H

#include <seccomp.h>
#include <stdint.h>

/* "SCMP_ACT_ERRNO" → SCMP_ACT_ERRNO(0); "SCMP_ACT_KILL" is KILL_THREAD, as in libseccomp. */
int action_from_profile_name(const char *name, uint32_t *ret_kind);
/* The profile spelling of an action kind, "SCMP_ACT_ERRNO" for any errno. */
const char *action_profile_name(uint32_t action);
int compare_from_name(const char *name, enum scmp_compare *ret);
const char *compare_name(enum scmp_compare op);
int arch_from_profile_name(const char *name, uint32_t *ret_token);
int errno_from_name(const char *name);
int capability_from_name(const char *name);
const char *capability_name(int cap);

#endif
