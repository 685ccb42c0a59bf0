/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who made a notified call, read from /proc at the fewest cost: one read of
 * /proc/<tid>/status (process, real uid and gid, command name), the exe link, and the
 * process's start time only once per thread — it cannot change while the thread lives, and a
 * pidfd on the thread says whether it still does (its tid then cannot name anyone else).
 * The caller checks SECCOMP_IOCTL_NOTIF_ID_VALID after these reads: only then was the tid the
 * notifying thread's throughout.
 */
#ifndef SIGSYS_TRACE_NOTIFY_IDENT_H
#define SIGSYS_TRACE_NOTIFY_IDENT_H

#include "event.h"

#include <stdint.h>
#include <sys/types.h>

#define NOTIFY_THREADS_CACHED 32

struct notify_thread {
	pid_t tid, tgid;
	int pidfd;	   /* on the thread; -1: a free slot */
	uint64_t start_ns; /* of its process (tgid) */
};

struct notify_threads {
	struct notify_thread slot[NOTIFY_THREADS_CACHED];
	unsigned next; /* the slot taken next when none is free */
};

void notify_threads_init(struct notify_threads *c);
void notify_threads_clear(struct notify_threads *c);

/* Fill pid, uid, gid, comm, exe of E (whose tid is set) and the process start time. */
void notify_identity(struct notify_threads *c, struct seccomp_event *e, uint64_t *ret_start_ns);

/* Parse the lines of /proc/<tid>/status we want (TEXT, NUL-terminated): Name (unescaped into
 * comm), Tgid, Uid and Gid (the real ones). Returns how many of the four were found. */
int notify_parse_status(const char *text, struct seccomp_event *e);

#endif
