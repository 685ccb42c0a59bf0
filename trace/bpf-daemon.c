/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sigsysd and its bpf source (trace/bpf-source.c): samples become queued events and process
 * changes, ring-full drops become losses. */
#include "bpf-source.h"
#include "daemon.h"
#include "procfs.h"

#include <string.h>
#include <sys/epoll.h>

#define BPF_DRAIN_BUDGET 4096
#define BPF_CHANGES_MAX	 256

/* Process changes are applied in batches, as the connector's are, in ring order. */
struct bpf_batch {
	struct daemon *d;
	struct proc_change changes[BPF_CHANGES_MAX];
	int n;
};

static struct bpf_batch batch;
static uint64_t opened_mono_ns, opened_real_ns; /* what is older was recorded while down */

/* ---- processes known from before a restart ------------------------------------------------ */

#define CANDIDATES_MAX 8

struct candidates {
	char ids[CANDIDATES_MAX][REGISTRY_TASK_ID_MAX + 1];
	size_t n;
};

static int add_candidate(const struct store_task *t, void *userdata)
{
	struct candidates *c = userdata;
	if (c->n < CANDIDATES_MAX)
		format_into(c->ids[c->n++], sizeof(c->ids[0]), "%s", t->task_id);
	return 0;
}

struct wanted {
	int32_t pid;
	uint64_t start_ns;
	uint64_t stored_start_ns; /* as the store has it: its key for the process */
	bool found;
};

static int match_process(const struct store_process *p, void *userdata)
{
	struct wanted *w = userdata;
	if (p->pid != w->pid || !proc_same_start(p->start_ns, w->start_ns))
		return 0;
	w->found = true;
	w->stored_start_ns = p->start_ns;
	return 1;
}

/* The in-memory registry starts empty: a process of a task registered before sigsysd
 * stopped is found in the store, by its exact (pid, start), and rejoins the registry, so
 * what it did (and forked) while sigsysd was down is attributed. Only for what the rings
 * held at start: each lookup is a query. */
static void seed_from_store(struct daemon *d, int32_t pid, uint64_t start_ns)
{
	struct candidates c = {.n = 0};
	struct store_task_query q = {
		.key = STORE_TASKS_BY_PID, .pid = pid, .limit = CANDIDATES_MAX};
	if (pid <= 0 || !start_ns || registry_find(&d->registry, pid, start_ns))
		return;
	const struct registry_entry *holder = registry_find(&d->registry, pid, 0);
	if (holder && !holder->exited_ns)
		return; /* a live process holds that pid now: never displace it */
	if (store_find_tasks(d->store, &q, add_candidate, &c, NULL) <= 0)
		return;
	for (size_t i = 0; i < c.n; i++) {
		struct wanted w = {.pid = pid, .start_ns = start_ns};
		store_task_processes(d->store, c.ids[i], 0, match_process, &w, NULL);
		if (w.found) {
			registry_add(&d->registry, pid, w.stored_start_ns, c.ids[i]);
			return;
		}
	}
}

static void flush_changes(struct bpf_batch *b)
{
	if (b->n)
		daemon_apply_proc_changes(b->d, b->changes, b->n);
	b->n = 0;
}

/* An exec drained late (recorded while sigsysd was down) of a process that is gone, or
 * whose pid is someone else's now. */
static bool still_running(const struct bpf_source_item *item)
{
	uint64_t start;
	if (item->change.time_ns >= opened_mono_ns)
		return true;
	return proc_start_time_ns(item->change.tgid, &start) == 0 &&
	       proc_same_start(start, item->start_ns);
}

static void on_item(const struct bpf_source_item *item, void *userdata)
{
	struct bpf_batch *b = userdata;
	if (item->is_event) {
		if (item->event.time_ns < opened_real_ns)
			seed_from_store(b->d, item->event.pid, item->start_ns);
		daemon_queue_event(b->d, &item->event, item->start_ns);
		return;
	}
	if (item->change.type == PROC_CHANGE_EXEC && !still_running(item))
		return; /* its comm and exe are read from /proc: only while it is that process */
	if (item->change.time_ns < opened_mono_ns && item->change.type == PROC_CHANGE_FORK)
		seed_from_store(b->d, item->change.fork.parent_tgid, item->parent_start_ns);
	else if (item->change.time_ns < opened_mono_ns && item->change.type == PROC_CHANGE_EXIT)
		seed_from_store(b->d, item->change.tgid, item->start_ns);
	if (b->n == BPF_CHANGES_MAX)
		flush_changes(b);
	b->changes[b->n++] = item->change;
}

int daemon_bpf_open(struct daemon *d)
{
	struct bpf_source *s = calloc(1, sizeof(*s));
	struct epoll_event ev = {.events = EPOLLIN};
	int r = s ? 0 : -ENOMEM;
	batch.d = d;
	if (s && (r = bpf_source_open(s, d->config.run_dir, on_item, &batch)) < 0)
		format_into(d->bpf_error, sizeof(d->bpf_error), "%s", s->error);
	for (int i = 0; r == 0 && i < BPF_SOURCE_RINGS; i++) {
		ev.data.fd = bpf_source_fd(s, i);
		if (epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0) {
			r = -errno;
			format_into(d->bpf_error, sizeof(d->bpf_error), "epoll: %m");
			bpf_source_close(s);
		}
	}
	if (r < 0) {
		daemon_log(d->config.sources_given ? LOG_ERR : LOG_WARNING,
			   "bpf source unavailable: %s; kills are seen by audit alone (no syscall "
			   "arguments, no thread kills where audit misses them)",
			   d->bpf_error[0] ? d->bpf_error : strerror(-r));
		free(s);
		return r;
	}
	d->bpf = s;
	d->bpf_error[0] = '\0';
	opened_mono_ns = now_monotonic_ns();
	opened_real_ns = now_realtime_ns();
	daemon_log(LOG_INFO, "bpf source: %s pins in %s", s->resumed ? "reusing the" : "new",
		   s->pin_dir);
	return 0;
}

static void note_drops(struct daemon *d)
{
	static const char *const what[] = {"kills", "process events"};
	uint64_t drops[BPF_SOURCE_RINGS];
	if (bpf_source_drops(d->bpf, drops) < 0)
		return;
	for (int i = 0; i < BPF_SOURCE_RINGS; i++) {
		if (!drops[i])
			continue;
		uint64_t now = now_realtime_ns();
		struct store_loss loss = {.source = "bpf",
					  .kind = STORE_LOSS_ENOBUFS,
					  .records = drops[i],
					  .first_ns = now,
					  .last_ns = now};
		daemon_log(LOG_WARNING, "bpf source: %ju %s dropped (ring buffer full)",
			   (uintmax_t)drops[i], what[i]);
		daemon_put_loss(d, &loss); /* held and retried when the store is full */
	}
}

/* The process tree first, then kills, then the tree again: a child's fork is in its ring
 * before anything the child does, so every queued event's process is known after. */
void daemon_bpf_drain(struct daemon *d)
{
	static const enum bpf_source_ring order[] = {BPF_SOURCE_PROCS, BPF_SOURCE_KILLS,
						     BPF_SOURCE_PROCS};
	batch.d = d;
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		if (bpf_source_drain(d->bpf, order[i], BPF_DRAIN_BUDGET) < 0)
			daemon_log(LOG_WARNING, "bpf source: %s", d->bpf->error);
		flush_changes(&batch);
	}
	note_drops(d);
}

void daemon_bpf_close(struct daemon *d)
{
	if (!d->bpf)
		return;
	bpf_source_close(d->bpf);
	free(d->bpf);
	d->bpf = NULL;
}
