/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What `sigsys report` and `sigsys events` read from sigsysd's store: the store file opened
 * read-only, one task's evidence copied out of the store's callbacks, and the names (syscall,
 * arch, action, time) every event is printed with.
 */
#ifndef SIGSYS_REPORT_EVIDENCE_H
#define SIGSYS_REPORT_EVIDENCE_H

#include "store.h"

#include <stdbool.h>
#include <stdint.h>

#define DB_DEFAULT_PATH "/var/lib/sigsys/sigsys.db"

/* Events of one task the report keeps in memory; beyond it they are only counted. */
#define EVIDENCE_EVENTS_MAX 100000
/* Losses of one task's lifetime the report lists. */
#define EVIDENCE_LOSSES_MAX 1000
/* Around a task's lifetime, a loss may still hide its records: audit stamps events with a
 * coarse clock (a tick behind), and sources note a loss when they detect it. */
#define EVIDENCE_WINDOW_BEFORE_NS 1000000000ull
#define EVIDENCE_WINDOW_AFTER_NS  2000000000ull

#define SYSCALL_NAME_MAX 48
#define TIME_TEXT_MAX	 32

static inline void store_closep(struct store **s)
{
	store_close(*s);
}
#define _cleanup_store_ _cleanup_(store_closep)

/* One stored event row, or one (syscall, arch, action) count: what the report weighs. */
struct ev_event {
	int64_t id;	  /* the event's cursor; 0 for a count */
	uint64_t time_ns; /* CLOCK_REALTIME; a count's first occurrence */
	uint64_t last_ns; /* a count's last occurrence; time_ns for a row */
	uint64_t count;	  /* 1 for a row */
	uint64_t rows;	  /* a count: how many were written as rows */
	int32_t pid;	  /* a count: the first occurrence's */
	uint32_t arch;	  /* AUDIT_ARCH_* */
	int32_t nr;	  /* as the filter saw it (x32 with its bit) */
	uint32_t action;  /* SECCOMP_RET_* without data */
	uint32_t sources; /* enum seccomp_event_source; 0 for a count */
	int32_t tid;	  /* 0: unknown (audit does not carry it) */
	bool has_args;	  /* the bpf and notify sources see the arguments; audit does not */
	uint64_t args[6];
	char comm[SECCOMP_EVENT_COMM_MAX + 1];
	char name[SYSCALL_NAME_MAX]; /* "personality", or "nr 1234" when libseccomp has none */
	char *strings; /* notify: the call's path arguments, a JSON array; NULL: none */
	/* Set by the diagnosis. */
	bool benign;
	const char *benign_why;
};

struct ev_process {
	int32_t pid;
	uint64_t start_ns;
	struct store_exit exit;
};

struct ev_loss {
	char source[16];
	enum store_loss_kind kind;
	uint64_t records; /* 0: unknown */
	uint64_t first_ns, last_ns;
};

/* Distinct denials of one task looked up in other tasks (store_find_survivor()). */
#define EVIDENCE_SURVIVORS_MAX 32

/* A denial of this task that another task under the same profile survived: the same call,
 * denied the same way to a process of the same name, in a task that then exited 0. */
struct ev_survivor {
	int32_t nr;
	uint32_t arch, action;
	char comm[SECCOMP_EVENT_COMM_MAX + 1];
	char task_id[STORE_ID_MAX + 1];
	char why[STORE_ID_MAX + 128]; /* the benign reason it gives */
};

struct task_evidence {
	struct store_task task; /* every string owned: freed by evidence_clear() */
	struct ev_event *events;
	size_t n_events;
	uint64_t events_not_kept; /* rows beyond EVIDENCE_EVENTS_MAX */
	struct ev_event *counts;
	size_t n_counts;
	struct ev_process *procs;
	size_t n_procs;
	struct ev_loss *losses;
	size_t n_losses;
	uint64_t window_from_ns, window_to_ns; /* the lifetime the losses were asked for */
	struct ev_survivor survivors[EVIDENCE_SURVIVORS_MAX];
	size_t n_survivors;
};

/* The task that survived the same denial as e, or NULL. */
const struct ev_survivor *evidence_survivor(const struct task_evidence *ev,
					    const struct ev_event *e);

/* Everything the store holds about task_id. -ENOENT when the task is unknown. */
int evidence_load(struct store *s, const char *task_id, struct task_evidence *ret,
		  struct store_error *err);
void evidence_clear(struct task_evidence *ev);

/* The libseccomp arch token of an event: AUDIT_ARCH_* equals SCMP_ARCH_*, except for x32,
 * which audits as x86_64 with __X32_SYSCALL_BIT in the number. */
uint32_t event_scmp_arch(uint32_t audit_arch, int32_t nr);
/* "x86_64", "x32", … for an event (an AUDIT_ARCH_* value and its number). */
const char *event_arch_name(uint32_t audit_arch, int32_t nr);
/* The syscall's name on its arch, or "nr N" when libseccomp does not know it. */
void event_syscall_name(uint32_t audit_arch, int32_t nr, char *buf, size_t size);
/* "KILL_PROCESS", "ERRNO", "LOG", … */
const char *event_action_name(uint32_t action);
/* A denying action: anything but ALLOW and LOG. */
bool event_action_denies(uint32_t action);
/* "2025-01-31T12:00:00.123Z" (UTC) for CLOCK_REALTIME ns. */
void time_text(uint64_t ns, char *buf, size_t size);
uint64_t now_ns(void);

#endif
