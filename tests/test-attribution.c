/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pieces of attribution and loss detection that need no kernel: the registry of task
 * processes, the audit serial window, the audit source's handling of one datagram. */
#include "test-helpers.h"
#include "audit.h"
#include "registry.h"
#include "serial-window.h"

#include <linux/audit.h>
#include <linux/netlink.h>

Test(registry, processes_inherit_and_pid_reuse_is_caught)
{
	struct registry r;
	registry_init(&r);
	cr_assert_eq(registry_add(&r, 100, 5000000000ull, "task-a"), 0);
	cr_assert_eq(registry_add(&r, 101, 6000000000ull, "task-a"), 0);
	cr_expect_str_eq(registry_find(&r, 100, 0)->task_id, "task-a");
	cr_expect_not_null(registry_find(&r, 100, 5000000000ull));
	cr_expect_null(registry_find(&r, 100, 9000000000ull),
		       "another start time: another process");
	cr_expect_null(registry_find(&r, 102, 0));
	/* the pid is reused by a fork of another task: the new entry replaces the old */
	cr_assert_eq(registry_add(&r, 100, 9000000000ull, "task-b"), 0);
	cr_expect_str_eq(registry_find(&r, 100, 0)->task_id, "task-b");
	cr_expect_eq(registry_add(&r, 0, 1, "x"), -EINVAL);
	registry_clear(&r);
}

Test(registry, exited_processes_linger_then_expire)
{
	struct registry r;
	registry_init(&r);
	registry_add(&r, 200, 1, "task-a");
	registry_exited(&r, 200, 1000);
	cr_expect_not_null(registry_find(&r, 200, 0), "late events of a dead process still count");
	cr_expect_eq(registry_expire(&r, 1000 + REGISTRY_LINGER_NS / 2), 0);
	cr_expect_eq(registry_expire(&r, 1000 + REGISTRY_LINGER_NS + 1), 1);
	cr_expect_null(registry_find(&r, 200, 0));
	registry_clear(&r);
}

Test(registry, grows_and_keeps_every_entry)
{
	struct registry r;
	char task[32];
	registry_init(&r);
	for (int pid = 1; pid <= 50000; pid++) {
		format_into(task, sizeof(task), "t%d", pid % 97);
		cr_assert_eq(registry_add(&r, pid, (uint64_t)pid, task), 0);
	}
	for (int pid = 1; pid <= 50000; pid += 7) {
		const struct registry_entry *e = registry_find(&r, pid, 0);
		format_into(task, sizeof(task), "t%d", pid % 97);
		cr_assert_not_null(e, "pid %d lost", pid);
		cr_assert_str_eq(e->task_id, task);
	}
	registry_clear(&r);
}

static uint32_t note(struct serial_window *w, uint32_t s)
{
	uint32_t first = 0, last = 0;
	return serial_window_note(w, s, &first, &last);
}

Test(serials, in_order_and_repeated_serials_lose_nothing)
{
	struct serial_window w = {0};
	uint32_t lost = 0;
	for (uint32_t s = 1000; s < 5000; s++) {
		lost += note(&w, s);
		lost += note(&w, s); /* records of one event share a serial */
	}
	cr_expect_eq(lost, 0);
}

Test(serials, out_of_order_within_the_window_is_no_loss)
{
	struct serial_window w = {0};
	uint32_t lost = note(&w, 10) + note(&w, 12) + note(&w, 11) + note(&w, 14) + note(&w, 13);
	for (uint32_t s = 15; s < 15 + 2 * SERIAL_WINDOW; s++)
		lost += note(&w, s);
	cr_expect_eq(lost, 0);
}

Test(serials, a_gap_is_counted_once_it_leaves_the_window)
{
	struct serial_window w = {0};
	uint32_t first = 0, last = 0, lost = 0;
	note(&w, 100);
	note(&w, 101);
	/* 102..104 never arrive */
	for (uint32_t s = 105; s < 105 + SERIAL_WINDOW + 10; s++) {
		uint32_t f, l, n = serial_window_note(&w, s, &f, &l);
		if (n && !lost)
			first = f;
		if (n)
			last = l;
		lost += n;
	}
	cr_expect_eq(lost, 3);
	cr_expect_eq(first, 102);
	cr_expect_eq(last, 104);
}

Test(serials, a_big_jump_counts_what_it_skips)
{
	struct serial_window w = {0};
	note(&w, 1);
	uint32_t first = 0, last = 0;
	uint32_t lost = serial_window_note(&w, 1 + 100000, &first, &last);
	/* 2 .. 100000 are missing; the newest SERIAL_WINDOW - 1 of them may still arrive */
	cr_expect_eq(lost, 99999 - (SERIAL_WINDOW - 1), "lost %u", lost);
	cr_expect_eq(first, 2);
	cr_expect_eq(note(&w, 50), 0, "behind the window: late, not lost");
}

struct sink_log {
	int events, losses;
	uint32_t lost_records;
	struct seccomp_event last;
};

static void on_event(const struct seccomp_event *e, void *userdata)
{
	struct sink_log *log = userdata;
	log->events++;
	log->last = *e;
}

static void on_loss(const struct audit_loss *l, void *userdata)
{
	struct sink_log *log = userdata;
	log->losses++;
	log->lost_records += l->records;
}

static size_t datagram(char *buf, uint16_t type, const char *text)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	size_t len = strlen(text);
	memset(h, 0, NLMSG_HDRLEN);
	h->nlmsg_type = type;
	h->nlmsg_len = (uint32_t)(NLMSG_HDRLEN + len);
	memcpy(buf + NLMSG_HDRLEN, text, len);
	return h->nlmsg_len;
}

Test(audit_source, datagrams_become_events_and_gaps_become_losses)
{
	struct audit_source a = {.fd = -1};
	struct sink_log log = {0};
	const struct audit_sink sink = {on_event, on_loss, &log};
	char buf[1024], text[512];
	for (uint32_t serial = 1; serial <= SERIAL_WINDOW + 20; serial++) {
		if (serial >= 5 && serial < 9)
			continue; /* four records lost */
		format_into(text, sizeof(text),
			    "audit(1795837116.785:%u): auid=4294967295 uid=0 gid=0 ses=4294967295 "
			    "pid=3599 comm=\"true\" exe=\"/usr/bin/true\" sig=31 arch=c000003e "
			    "syscall=59 compat=0 ip=0x7fc43f5daad7 code=0x80000000",
			    serial);
		audit_source_datagram(
			&a, buf, datagram(buf, serial % 2 ? AUDIT_SECCOMP : 1300, text), &sink);
	}
	cr_expect_eq(log.lost_records, 4);
	cr_expect_eq(a.lost, 4);
	cr_expect_gt(log.events, 100, "AUDIT_SECCOMP datagrams are events");
	cr_expect_lt(log.events, (int)SERIAL_WINDOW, "other record types are not events");
	cr_expect_eq(log.last.pid, 3599);
	cr_expect_eq(log.last.sources, SECCOMP_EVENT_SOURCE_AUDIT);

	/* malformed datagrams are skipped, counted when they claim to be AUDIT_SECCOMP */
	audit_source_datagram(&a, buf, 3, &sink);
	audit_source_datagram(&a, buf, datagram(buf, AUDIT_SECCOMP, "audit(1.000:99999): pid=x"),
			      &sink);
	cr_expect_eq(a.rejected, 1);
}
