/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helper: watch the kernel's AUDIT_SECCOMP records on the audit multicast group. */
#ifndef SIGSYS_TEST_AUDIT_WATCH_H
#define SIGSYS_TEST_AUDIT_WATCH_H

#include <stdint.h>
#include <sys/types.h>

struct audit_record {
	pid_t pid;
	int syscall;
	uint32_t arch;
	uint32_t code;
};

/* A socket on AUDIT_NLGRP_READLOG (coexists with auditd); needs CAP_AUDIT_READ. */
int audit_watch_open(void);
/* The first record of `pid` for `syscall` (-1: any) with `code` (0: any), within timeout. */
int audit_watch_find(int fd, pid_t pid, int syscall, uint32_t code, int timeout_ms,
		     struct audit_record *ret);

#endif
