/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Strings of a notified call (paths and the like), read from /proc/<pid>/mem of the task
 * that made it. The notification is checked with SECCOMP_IOCTL_NOTIF_ID_VALID after the
 * open and after every read: when it is no longer valid the pid may belong to another
 * process, and what was read must not be used.
 */
#ifndef SIGSYS_TRACE_NOTIFY_MEM_H
#define SIGSYS_TRACE_NOTIFY_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NOTIFY_STRING_MAX  4096 /* PATH_MAX, the terminator included */
#define NOTIFY_STRINGS_MAX 3	/* string arguments of one call we read at most */
#define NOTIFY_READ_TRIES  3	/* reads that may disagree before a string is given up */

/* Whether notification ID on LISTENER_FD still waits for its answer: its task is alive and
 * its pid is still its own. */
bool notify_id_valid(int listener_fd, uint64_t id);

/* Which arguments of syscall NAME are strings (indexes into args[]); returns how many (at
 * most NOTIFY_STRINGS_MAX), 0 for a call without string arguments we know of. */
size_t notify_string_args(const char *name, unsigned ret_index[NOTIFY_STRINGS_MAX]);

/* Read the NUL-terminated strings at ADDRS[0..N) in thread TID's memory, for notification
 * ID on LISTENER_FD, into OUT[i] (always terminated; cut strings end where they were cut),
 * with one open of /proc/<tid>/mem checked by SECCOMP_IOCTL_NOTIF_ID_VALID after it and
 * after the last read. RET_LEN[i] is a length, or -ENOENT when the notification is no longer
 * valid (nothing read counts), -ESTALE when the string kept changing while it was read
 * (another thread rewrote it), or another negative errno. Returns 0, -ENOENT or the open's
 * error. */
int notify_read_strings(int listener_fd, uint64_t id, pid_t tid, const uint64_t *addrs, size_t n,
			char (*out)[NOTIFY_STRING_MAX], int *ret_len);

#endif
