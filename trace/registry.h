/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Attribution: which task a process belongs to. Registered processes are the roots; every
 * fork the process connector reports inherits its parent's task. A process is (pid, start
 * time), so a reused pid never inherits a dead process's task.
 */
#ifndef SIGSYS_TRACE_REGISTRY_H
#define SIGSYS_TRACE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REGISTRY_TASK_ID_MAX   255
#define REGISTRY_MAX_PROCESSES (1u << 22)	       /* pid_max's ceiling */
#define REGISTRY_LINGER_NS     (10ull * 1000000000ull) /* late events of an exited process */

struct registry_entry {
	int32_t pid;
	uint64_t start_ns;  /* ns since boot; 0 when unknown */
	uint64_t exited_ns; /* CLOCK_MONOTONIC of its exit; 0 while alive */
	char task_id[REGISTRY_TASK_ID_MAX + 1];
};

struct registry {
	struct registry_entry *slots;
	size_t cap, used, tombstones;
};

void registry_init(struct registry *r);
void registry_clear(struct registry *r);
/* The process belongs to task_id (a registration, or a fork of a known parent). A live pid
 * with another start time replaces the old entry: the pid was reused. */
int registry_add(struct registry *r, int32_t pid, uint64_t start_ns, const char *task_id);
/* The task of pid; NULL when unknown. start_ns 0: whatever process last had that pid. */
const struct registry_entry *registry_find(const struct registry *r, int32_t pid,
					   uint64_t start_ns);
void registry_exited(struct registry *r, int32_t pid, uint64_t now_ns);
/* Forget processes that exited more than REGISTRY_LINGER_NS ago. */
size_t registry_expire(struct registry *r, uint64_t now_ns);

#endif
