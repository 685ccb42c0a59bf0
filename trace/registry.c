/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An open-addressing table keyed by pid: one live entry per pid. */
#include "registry.h"
#include "procfs.h"
#include "util.h"

#include <string.h>

#define EMPTY	  0
#define TOMBSTONE -1

void registry_init(struct registry *r)
{
	*r = (struct registry){0};
}

void registry_clear(struct registry *r)
{
	free(r->slots);
	*r = (struct registry){0};
}

static size_t slot_of(const struct registry *r, int32_t pid)
{
	return ((uint32_t)pid * 2654435761u) & (r->cap - 1);
}

static struct registry_entry *lookup(const struct registry *r, int32_t pid)
{
	if (!r->cap)
		return NULL;
	for (size_t i = slot_of(r, pid), n = 0; n < r->cap; i = (i + 1) & (r->cap - 1), n++) {
		if (r->slots[i].pid == EMPTY)
			return NULL;
		if (r->slots[i].pid == pid)
			return &r->slots[i];
	}
	return NULL;
}

static int grow(struct registry *r)
{
	size_t cap = r->cap ? r->cap * 2 : 1024;
	if (r->used >= REGISTRY_MAX_PROCESSES)
		return -E2BIG;
	struct registry_entry *old = r->slots;
	size_t old_cap = r->cap;
	r->slots = calloc(cap, sizeof(*r->slots));
	if (!r->slots) {
		r->slots = old;
		return -ENOMEM;
	}
	r->cap = cap;
	r->used = r->tombstones = 0;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].pid > 0) {
			struct registry_entry *e = &r->slots[slot_of(r, old[i].pid)];
			while (e->pid != EMPTY)
				e = e + 1 == r->slots + r->cap ? r->slots : e + 1;
			*e = old[i];
			r->used++;
		}
	free(old);
	return 0;
}

int registry_add(struct registry *r, int32_t pid, uint64_t start_ns, const char *task_id)
{
	if (pid <= 0 || !task_id || strlen(task_id) > REGISTRY_TASK_ID_MAX)
		return -EINVAL;
	struct registry_entry *e = lookup(r, pid);
	if (!e) {
		if ((r->used + r->tombstones + 1) * 4 > r->cap * 3) {
			int err = grow(r);
			if (err < 0)
				return err;
		}
		size_t i = slot_of(r, pid);
		while (r->slots[i].pid > 0)
			i = (i + 1) & (r->cap - 1);
		if (r->slots[i].pid == TOMBSTONE)
			r->tombstones--;
		e = &r->slots[i];
		r->used++;
	}
	*e = (struct registry_entry){.pid = pid, .start_ns = start_ns};
	memcpy(e->task_id, task_id, strlen(task_id) + 1);
	return 0;
}

const struct registry_entry *registry_find(const struct registry *r, int32_t pid, uint64_t start_ns)
{
	const struct registry_entry *e = lookup(r, pid);
	if (e && start_ns && e->start_ns && !proc_same_start(start_ns, e->start_ns))
		return NULL; /* another process that took the pid */
	return e;
}

void registry_exited(struct registry *r, int32_t pid, uint64_t now_ns)
{
	struct registry_entry *e = lookup(r, pid);
	if (e && !e->exited_ns)
		e->exited_ns = now_ns ? now_ns : 1;
}

size_t registry_expire(struct registry *r, uint64_t now_ns)
{
	size_t expired = 0;
	for (size_t i = 0; i < r->cap; i++) {
		struct registry_entry *e = &r->slots[i];
		if (e->pid > 0 && e->exited_ns && now_ns > e->exited_ns + REGISTRY_LINGER_NS) {
			e->pid = TOMBSTONE;
			r->used--;
			r->tombstones++;
			expired++;
		}
	}
	return expired;
}
