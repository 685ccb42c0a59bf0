/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading /proc for what identifies a process. Nothing here prints. */
#ifndef SIGSYS_COMMON_PROCFS_H
#define SIGSYS_COMMON_PROCFS_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Start time of a process, in ns since boot (CLOCK_BOOTTIME, at clock-tick resolution: 10 ms
 * with USER_HZ 100), from field 22 of /proc/<pid>/stat. With the pid it identifies the
 * process: a reused pid has a later start time. Returns 0, -ESRCH when the process is gone,
 * -EINVAL for pid <= 0 or an unreadable stat line, or another negative errno.
 */
int proc_start_time_ns(pid_t pid, uint64_t *ret_ns);

/*
 * The pure part: starttime (field 22, clock ticks) from the text of a /proc/<pid>/stat line.
 * comm (field 2) may hold spaces and parentheses: fields are counted from the last ')'.
 * Returns 0, or -EINVAL.
 */
int proc_stat_start_ticks(const char *text, size_t len, uint64_t *ret_ticks);

/* Clock ticks (sysconf(_SC_CLK_TCK)) to ns; -ERANGE on overflow, -EINVAL for hz <= 0. */
int proc_ticks_to_ns(uint64_t ticks, long hz, uint64_t *ret_ns);

/*
 * Whether two start times (ns since boot) are one process's: /proc gives them in USER_HZ
 * ticks (10 ms), the kernel's sources (bpf, a fork's connector stamp) exactly; two ticks
 * apart at most — no pid is reused that fast.
 */
#define PROC_START_TOLERANCE_NS (20ull * 1000000ull)

static inline bool proc_same_start(uint64_t a, uint64_t b)
{
	return (a > b ? a - b : b - a) <= PROC_START_TOLERANCE_NS;
}

#endif
