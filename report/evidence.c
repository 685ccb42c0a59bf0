/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "evidence.h"
#include "../common/util.h"
#include "sigsys.h"

#include <linux/audit.h>
#include <seccomp.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define X32_SYSCALL_BIT 0x40000000

uint32_t event_scmp_arch(uint32_t audit_arch, int32_t nr)
{
	if (audit_arch == AUDIT_ARCH_X86_64 && ((uint32_t)nr & X32_SYSCALL_BIT))
		return SCMP_ARCH_X32;
	return audit_arch;
}

const char *event_arch_name(uint32_t audit_arch, int32_t nr)
{
	static const struct {
		uint32_t arch;
		const char *name;
	} arches[] = {
		{SCMP_ARCH_X86_64, "x86_64"},	{SCMP_ARCH_X86, "x86"},
		{SCMP_ARCH_X32, "x32"},		{SCMP_ARCH_AARCH64, "aarch64"},
		{SCMP_ARCH_ARM, "arm"},		{SCMP_ARCH_PPC64LE, "ppc64le"},
		{SCMP_ARCH_PPC64, "ppc64"},	{SCMP_ARCH_PPC, "ppc"},
		{SCMP_ARCH_S390X, "s390x"},	{SCMP_ARCH_S390, "s390"},
		{SCMP_ARCH_MIPS, "mips"},	{SCMP_ARCH_MIPSEL, "mipsel"},
		{SCMP_ARCH_MIPS64, "mips64"},	{SCMP_ARCH_MIPSEL64, "mipsel64"},
		{SCMP_ARCH_RISCV64, "riscv64"},
	};
	uint32_t arch = event_scmp_arch(audit_arch, nr);
	for (size_t i = 0; i < ARRAY_SIZE(arches); i++)
		if (arches[i].arch == arch)
			return arches[i].name;
	return "unknown-arch";
}

void event_syscall_name(uint32_t audit_arch, int32_t nr, char *buf, size_t size)
{
	_cleanup_free_ char *name =
		seccomp_syscall_resolve_num_arch(event_scmp_arch(audit_arch, nr), nr);
	if (name)
		format_into(buf, size, "%s", name);
	else
		format_into(buf, size, "nr %d", nr);
}

const char *event_action_name(uint32_t action)
{
	return sigsys_action_name(action & SECCOMP_RET_ACTION_FULL);
}

bool event_action_denies(uint32_t action)
{
	action &= SECCOMP_RET_ACTION_FULL;
	return action != SECCOMP_RET_ALLOW && action != SECCOMP_RET_LOG;
}

void time_text(uint64_t ns, char *buf, size_t size)
{
	time_t secs = (time_t)(ns / 1000000000u);
	struct tm tm;
	char date[24];
	if (!gmtime_r(&secs, &tm) || strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		format_into(buf, size, "%ju ns", (uintmax_t)ns);
		return;
	}
	format_into(buf, size, "%s.%03juZ", date, (uintmax_t)(ns % 1000000000u / 1000000u));
}

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- one task's evidence ---------------------------------------------------------------- */

static int grow(void **items, size_t n, size_t size)
{
	/* The capacity is 16, 32, 64, …: the array is full when n is one of them. */
	if (n != 0 && (n < 16 || (n & (n - 1))))
		return 0;
	size_t cap = n ? n * 2 : 16;
	void *p = reallocarray(*items, cap, size);
	if (!p)
		return -ENOMEM;
	*items = p;
	return 0;
}

/* The store's strings live until its callback returns: the task keeps copies. */
static int own_strings(struct store_task *t)
{
	const char **fields[] = {&t->task_id,	   &t->framework,    &t->app_id,
				 &t->job_id,	   &t->run_id,	     &t->container_id,
				 &t->agent_id,	   &t->profile_name, &t->profile_digest,
				 &t->profile_text, &t->mode};
	int r = 0;
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		if (!*fields[i])
			continue;
		char *copy = r < 0 ? NULL : strdup(*fields[i]);
		if (!copy)
			r = -ENOMEM;
		*fields[i] = copy;
	}
	return r;
}

static void free_strings(struct store_task *t)
{
	const char *fields[] = {t->task_id,	   t->framework,    t->app_id,	 t->job_id,
				t->run_id,	   t->container_id, t->agent_id, t->profile_name,
				t->profile_digest, t->profile_text, t->mode};
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		free((char *)fields[i]);
}

static int on_task(const struct store_task *t, void *userdata)
{
	struct task_evidence *ev = userdata;
	ev->task = *t;
	return own_strings(&ev->task);
}

static void fill_event(struct ev_event *out, const struct seccomp_event *e, int64_t id,
		       const char *strings)
{
	*out = (struct ev_event){.id = id,
				 .time_ns = e->time_ns,
				 .last_ns = e->time_ns,
				 .count = 1,
				 .rows = 1,
				 .pid = e->pid,
				 .arch = e->arch,
				 .nr = e->nr,
				 .action = seccomp_event_action(e),
				 .sources = e->sources,
				 .tid = e->tid,
				 .has_args = e->has_args};
	if (e->has_args)
		memcpy(out->args, e->args, sizeof(out->args));
	format_into(out->comm, sizeof(out->comm), "%s", e->comm);
	event_syscall_name(e->arch, e->nr, out->name, sizeof(out->name));
	out->strings = strings ? strdup(strings) : NULL;
}

struct event_page {
	struct task_evidence *ev;
	int64_t last_id;
};

static int on_event(const struct store_event_row *row, void *userdata)
{
	struct event_page *page = userdata;
	struct task_evidence *ev = page->ev;
	page->last_id = row->id;
	if (ev->n_events >= EVIDENCE_EVENTS_MAX) {
		ev->events_not_kept++;
		return 0;
	}
	if (grow((void **)&ev->events, ev->n_events, sizeof(*ev->events)) < 0)
		return -ENOMEM;
	fill_event(&ev->events[ev->n_events++], &row->event, row->id, row->strings);
	return 0;
}

static int load_events(struct store *s, struct task_evidence *ev, struct store_error *err)
{
	struct event_page page = {.ev = ev};
	int r;
	do {
		r = store_task_events(s, ev->task.task_id, page.last_id, STORE_PAGE_MAX, on_event,
				      &page, err);
	} while (r == STORE_PAGE_MAX);
	return r < 0 ? r : 0;
}

static int on_count(const struct store_count *c, void *userdata)
{
	struct task_evidence *ev = userdata;
	if (grow((void **)&ev->counts, ev->n_counts, sizeof(*ev->counts)) < 0)
		return -ENOMEM;
	struct ev_event *out = &ev->counts[ev->n_counts++];
	*out = (struct ev_event){.time_ns = c->first_ns,
				 .last_ns = c->last_ns,
				 .count = c->count,
				 .rows = c->rows_written,
				 .pid = c->pid,
				 .arch = c->arch,
				 .nr = c->nr,
				 .action = c->action & SECCOMP_RET_ACTION_FULL};
	format_into(out->comm, sizeof(out->comm), "%s", c->comm ? c->comm : "");
	event_syscall_name(c->arch, c->nr, out->name, sizeof(out->name));
	return 0;
}

static int on_process(const struct store_process *p, void *userdata)
{
	struct task_evidence *ev = userdata;
	if (grow((void **)&ev->procs, ev->n_procs, sizeof(*ev->procs)) < 0)
		return -ENOMEM;
	ev->procs[ev->n_procs++] =
		(struct ev_process){.pid = p->pid, .start_ns = p->start_ns, .exit = p->exit};
	return 0;
}

static int on_loss(const struct store_loss *l, void *userdata)
{
	struct task_evidence *ev = userdata;
	if (grow((void **)&ev->losses, ev->n_losses, sizeof(*ev->losses)) < 0)
		return -ENOMEM;
	struct ev_loss *out = &ev->losses[ev->n_losses++];
	*out = (struct ev_loss){.kind = l->kind,
				.records = l->records,
				.first_ns = l->first_ns,
				.last_ns = l->last_ns};
	format_into(out->source, sizeof(out->source), "%s", l->source ? l->source : "?");
	return 0;
}

/* The task's lifetime, widened: registration (or first event) to exit (or now). */
static void lifetime_window(struct task_evidence *ev)
{
	const struct store_task *t = &ev->task;
	uint64_t start = t->registered_ns ? t->registered_ns : t->seen_ns;
	uint64_t end =
		t->exit.kind != STORE_EXIT_NONE && t->exit.time_ns ? t->exit.time_ns : now_ns();
	ev->window_from_ns =
		start > EVIDENCE_WINDOW_BEFORE_NS ? start - EVIDENCE_WINDOW_BEFORE_NS : 0;
	ev->window_to_ns = (end > start ? end : start) + EVIDENCE_WINDOW_AFTER_NS;
}

static bool same_denial(const struct ev_survivor *v, const struct ev_event *e)
{
	return v->nr == e->nr && v->arch == e->arch && v->action == e->action &&
	       strcmp(v->comm, e->comm) == 0;
}

const struct ev_survivor *evidence_survivor(const struct task_evidence *ev,
					    const struct ev_event *e)
{
	for (size_t i = 0; i < ev->n_survivors; i++)
		if (same_denial(&ev->survivors[i], e))
			return ev->survivors[i].task_id[0] ? &ev->survivors[i] : NULL;
	return NULL;
}

/* Each distinct non-kill denial, looked up once; keys without a survivor are kept too (an
 * empty task id), so that they are not asked again. */
static int load_survivors(struct store *s, struct task_evidence *ev, struct store_error *err)
{
	for (size_t i = 0; i < ev->n_events && ev->n_survivors < EVIDENCE_SURVIVORS_MAX; i++) {
		const struct ev_event *e = &ev->events[i];
		bool known = false;
		if (!event_action_denies(e->action) || e->action == SECCOMP_RET_KILL_PROCESS ||
		    e->action == SECCOMP_RET_KILL_THREAD)
			continue;
		for (size_t k = 0; k < ev->n_survivors && !known; k++)
			known = same_denial(&ev->survivors[k], e);
		if (known)
			continue;
		struct ev_survivor *v = &ev->survivors[ev->n_survivors++];
		*v = (struct ev_survivor){.nr = e->nr, .arch = e->arch, .action = e->action};
		format_into(v->comm, sizeof(v->comm), "%s", e->comm);
		struct store_survivor_query q = {
			ev->task.profile_digest, e->arch, e->nr, e->action, e->comm,
			ev->task.task_id};
		int r = store_find_survivor(s, &q, v->task_id, sizeof(v->task_id), err);
		if (r < 0)
			return r;
		if (r > 0)
			format_into(v->why, sizeof(v->why),
				    "task %s, under the same profile, was denied the same call in "
				    "%s and exited 0",
				    v->task_id, v->comm);
	}
	return 0;
}

int evidence_load(struct store *s, const char *task_id, struct task_evidence *ret,
		  struct store_error *err)
{
	*ret = (struct task_evidence){0};
	int r = store_get_task(s, task_id, on_task, ret, err);
	if (r >= 0)
		r = load_events(s, ret, err);
	if (r >= 0)
		r = store_task_counts(s, task_id, on_count, ret, err);
	if (r >= 0)
		r = store_task_processes(s, task_id, STORE_PAGE_MAX, on_process, ret, err);
	if (r >= 0) {
		lifetime_window(ret);
		r = store_losses(s, ret->window_from_ns, ret->window_to_ns, EVIDENCE_LOSSES_MAX,
				 on_loss, ret, err);
	}
	if (r >= 0 && ret->task.profile_digest)
		r = load_survivors(s, ret, err);
	if (r == -ENOMEM && err)
		format_into(err->message, sizeof(err->message), "out of memory");
	if (r < 0) {
		evidence_clear(ret);
		return r;
	}
	return 0;
}

void evidence_clear(struct task_evidence *ev)
{
	free_strings(&ev->task);
	for (size_t i = 0; i < ev->n_events; i++)
		free(ev->events[i].strings);
	free(ev->events);
	free(ev->counts);
	free(ev->procs);
	free(ev->losses);
	*ev = (struct task_evidence){0};
}
