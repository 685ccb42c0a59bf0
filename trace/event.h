/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The normalized seccomp event: what every trace source (audit, bpf, notify) turns its raw
 * input into. A plain struct of fixed-width fields and bounded, NUL-terminated strings, no
 * pointers: it can be copied, queued, compared with memcmp and stored as bytes. A decoder
 * zeroes it whole before filling it, so equal inputs give equal bytes.
 */
#ifndef SIGSYS_TRACE_EVENT_H
#define SIGSYS_TRACE_EVENT_H

#include <linux/seccomp.h>
#include <stdint.h>

/* auid and ses of a task that never logged in: the kernel's (u32)-1, "unset" for humans. */
#define SECCOMP_EVENT_ID_UNSET UINT32_MAX

/* String capacities, the terminator excluded. comm is TASK_COMM_LEN - 1 (15) in the kernel,
 * with one byte of slack; exe and subj are cut (and flagged) beyond their bound. */
#define SECCOMP_EVENT_COMM_MAX 16
#define SECCOMP_EVENT_EXE_MAX  1023
#define SECCOMP_EVENT_SUBJ_MAX 255

/* Which sources saw the event: one kill seen by several is stored once, with the union. */
enum seccomp_event_source {
	SECCOMP_EVENT_SOURCE_AUDIT = 1u << 0,
	SECCOMP_EVENT_SOURCE_BPF = 1u << 1,
	SECCOMP_EVENT_SOURCE_NOTIFY = 1u << 2,
};

enum seccomp_event_flag {
	SECCOMP_EVENT_COMM_TRUNCATED = 1u << 0,
	SECCOMP_EVENT_EXE_TRUNCATED = 1u << 1,
	SECCOMP_EVENT_SUBJ_TRUNCATED = 1u << 2,
	SECCOMP_EVENT_HAS_SUBJ = 1u << 3, /* an LSM gave a subject label (may be "?") */
	SECCOMP_EVENT_NO_EXE = 1u << 4,	  /* exe=(null): the task had no executable file */
};

struct seccomp_event {
	uint64_t time_ns; /* CLOCK_REALTIME in ns; audit stamps have millisecond resolution */
	uint64_t ip;	  /* instruction pointer of the syscall */
	uint64_t args[6]; /* valid when has_args (bpf, notify; audit does not carry them) */
	uint32_t serial;  /* audit record serial; 0 from sources without one */
	int32_t pid;	  /* TGID, in the initial pid namespace */
	int32_t tid;	  /* thread id, 0 when unknown (audit records do not carry it) */
	uint32_t uid, gid;
	uint32_t auid, ses; /* SECCOMP_EVENT_ID_UNSET when unset */
	uint32_t arch;	    /* AUDIT_ARCH_* of the syscall: names are per arch */
	int32_t nr;	    /* syscall number, as the filter saw it (x32 has bit 30 set) */
	uint32_t code;	    /* the SECCOMP_RET_* value as the source gave it */
	int32_t sig;	    /* signal the kernel sends for it: 0, or SIGSYS for kills */
	uint32_t sources;   /* enum seccomp_event_source */
	uint32_t flags;	    /* enum seccomp_event_flag */
	uint8_t compat;	    /* 1 for a compat (32-bit on 64-bit) syscall */
	uint8_t has_args;
	char comm[SECCOMP_EVENT_COMM_MAX + 1];
	char exe[SECCOMP_EVENT_EXE_MAX + 1];
	char subj[SECCOMP_EVENT_SUBJ_MAX + 1];
};

/* The action alone (KILL_PROCESS, ERRNO, LOG…). Audit records never carry the data part
 * (an ERRNO record says 0x50000 whatever the errno): take it from the profile. */
static inline uint32_t seccomp_event_action(const struct seccomp_event *e)
{
	return e->code & SECCOMP_RET_ACTION_FULL;
}

static inline uint16_t seccomp_event_data(const struct seccomp_event *e)
{
	return (uint16_t)(e->code & SECCOMP_RET_DATA);
}

#endif
