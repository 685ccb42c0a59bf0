/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading /proc for what identifies a process. */
#ifndef SIGSYS_COMMON_PROCFS_H
#define SIGSYS_COMMON_PROCFS_H

#include <stdint.h>
#include <sys/types.h>

/* A process's start time in ns since boot (field 22 of /proc/PID/stat): with the pid, an
 * identity that pid reuse cannot fake. */
int proc_pid_start_ns(pid_t pid, uint64_t *ret_ns);

#endif
