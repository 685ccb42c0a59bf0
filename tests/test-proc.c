/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The proc source: the decoder on datagrams built by hand as the kernel builds them (every
 * event type; truncated, malformed and corrupted ones refused), the /proc/<pid>/stat start
 * time, and live on this kernel: the connector reports the forks, execs and exits (status,
 * signal, core dump; processes and threads) of a process tree this test makes.
 *
 * Every decode goes through decode_exact(): the datagram is copied into a malloc'd buffer of
 * its exact size, so ASan catches a read past len.
 */
#include "proc.h"
#include "test-helpers.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#define SEQ	  77u
#define MAX_DGRAM 512

/* ---- building datagrams ---------------------------------------------------------------- */

struct dgram {
	uint8_t bytes[MAX_DGRAM];
	size_t len;
};

/* Append one netlink message carrying a cn_msg with cn_len bytes of the event. */
static void put_event_len(struct dgram *d, const struct proc_event *ev, size_t cn_len)
{
	uint8_t payload[sizeof(struct cn_msg) + 128] = {0};
	struct cn_msg cn = {.id = {CN_IDX_PROC, CN_VAL_PROC}, .seq = SEQ, .len = (uint16_t)cn_len};
	struct nlmsghdr nl = {.nlmsg_type = NLMSG_DONE};

	cr_assert_leq(cn_len, sizeof(payload) - sizeof(cn));
	memcpy(payload, &cn, sizeof(cn));
	memcpy(payload + sizeof(cn), ev, cn_len < sizeof(*ev) ? cn_len : sizeof(*ev));
	nl.nlmsg_len = NLMSG_LENGTH(sizeof(cn) + cn_len);
	d->len = NLMSG_ALIGN(d->len);
	cr_assert_leq(d->len + nl.nlmsg_len, sizeof(d->bytes));
	memcpy(d->bytes + d->len, &nl, sizeof(nl));
	memcpy(d->bytes + d->len + NLMSG_HDRLEN, payload, sizeof(cn) + cn_len);
	d->len += nl.nlmsg_len;
}

static void put_event(struct dgram *d, const struct proc_event *ev)
{
	put_event_len(d, ev, sizeof(*ev));
}

static struct dgram dgram_of(const struct proc_event *ev)
{
	struct dgram d = {.len = 0};
	put_event(&d, ev);
	return d;
}

static int decode_exact(const void *bytes, size_t len, struct proc_change *out, size_t max)
{
	void *copy = malloc(len ? len : 1);
	cr_assert(copy);
	memcpy(copy, bytes, len);
	int r = proc_decode(len ? copy : NULL, len, out, max);
	free(copy);
	return r;
}

/* ---- decoding: every event type ------------------------------------------------------- */

#define EV(w) .what = (w), .cpu = 1, .timestamp_ns = 123456789
#define CH(t) .time_ns = 123456789, .type = (t), .cpu = 1, .seq = SEQ

struct decode_case {
	const char *name;
	struct proc_event ev;
	struct proc_change want;
};

static const struct decode_case decode_cases[] = {
	{"fork of a process",
	 {EV(PROC_EVENT_FORK), .event_data.fork = {.parent_pid = 100,
						   .parent_tgid = 100,
						   .child_pid = 200,
						   .child_tgid = 200}},
	 {CH(PROC_CHANGE_FORK), .tgid = 200, .tid = 200, .fork = {100, 100, 0}}},
	{"fork of a thread (parent: the creator's parent)",
	 {EV(PROC_EVENT_FORK), .event_data.fork = {.parent_pid = 99,
						   .parent_tgid = 99,
						   .child_pid = 201,
						   .child_tgid = 200}},
	 {CH(PROC_CHANGE_FORK), .tgid = 200, .tid = 201, .fork = {99, 99, 1}}},
	{"fork by the idle task (parent 0)",
	 {EV(PROC_EVENT_FORK), .event_data.fork = {.child_pid = 1, .child_tgid = 1}},
	 {CH(PROC_CHANGE_FORK), .tgid = 1, .tid = 1}},
	{"fork at PROC_PID_MAX",
	 {EV(PROC_EVENT_FORK), .event_data.fork = {.parent_pid = PROC_PID_MAX,
						   .parent_tgid = PROC_PID_MAX,
						   .child_pid = PROC_PID_MAX,
						   .child_tgid = PROC_PID_MAX}},
	 {CH(PROC_CHANGE_FORK), .tgid = PROC_PID_MAX, .tid = PROC_PID_MAX,
	  .fork = {PROC_PID_MAX, PROC_PID_MAX, 0}}},
	{"exec",
	 {EV(PROC_EVENT_EXEC), .event_data.exec = {.process_pid = 300, .process_tgid = 300}},
	 {CH(PROC_CHANGE_EXEC), .tgid = 300, .tid = 300}},
	{"exit with status 7",
	 {EV(PROC_EVENT_EXIT), .event_data.exit = {.process_pid = 400,
						   .process_tgid = 400,
						   .exit_code = 0x700,
						   .exit_signal = SIGCHLD,
						   .parent_pid = 1,
						   .parent_tgid = 1}},
	 {CH(PROC_CHANGE_EXIT), .tgid = 400, .tid = 400,
	  .exit = {.code = 0x700,
		   .how = PROC_EXIT_STATUS,
		   .status = 7,
		   .exit_signal = SIGCHLD,
		   .parent_tgid = 1,
		   .parent_tid = 1}}},
	{"exit with status 255",
	 {EV(PROC_EVENT_EXIT), .event_data.exit = {.process_pid = 400,
						   .process_tgid = 400,
						   .exit_code = 0xff00,
						   .exit_signal = SIGCHLD}},
	 {CH(PROC_CHANGE_EXIT), .tgid = 400, .tid = 400,
	  .exit = {.code = 0xff00,
		   .how = PROC_EXIT_STATUS,
		   .status = 255,
		   .exit_signal = SIGCHLD}}},
	{"killed by SIGSYS",
	 {EV(PROC_EVENT_EXIT), .event_data.exit = {.process_pid = 401,
						   .process_tgid = 401,
						   .exit_code = SIGSYS,
						   .exit_signal = SIGCHLD,
						   .parent_pid = 400,
						   .parent_tgid = 400}},
	 {CH(PROC_CHANGE_EXIT), .tgid = 401, .tid = 401,
	  .exit = {.code = SIGSYS,
		   .how = PROC_EXIT_SIGNAL,
		   .signal = SIGSYS,
		   .exit_signal = SIGCHLD,
		   .parent_tgid = 400,
		   .parent_tid = 400}}},
	{"killed by SIGSYS, core dumped",
	 {EV(PROC_EVENT_EXIT), .event_data.exit = {.process_pid = 401,
						   .process_tgid = 401,
						   .exit_code = SIGSYS | 0x80,
						   .exit_signal = SIGCHLD}},
	 {CH(PROC_CHANGE_EXIT), .tgid = 401, .tid = 401,
	  .exit = {.code = SIGSYS | 0x80,
		   .how = PROC_EXIT_SIGNAL,
		   .signal = SIGSYS,
		   .core_dumped = 1,
		   .exit_signal = SIGCHLD}}},
	{"a thread exits (exit_signal -1, no parent)",
	 {EV(PROC_EVENT_EXIT), .event_data.exit = {.process_pid = 402,
						   .process_tgid = 401,
						   .exit_code = 0x300,
						   .exit_signal = (uint32_t)-1}},
	 {CH(PROC_CHANGE_EXIT), .tgid = 401, .tid = 402,
	  .exit = {.code = 0x300, .how = PROC_EXIT_STATUS, .status = 3, .exit_signal = -1}}},
	{"exit signal 0 (clone without one) and 255 (CSIGNAL)",
	 {EV(PROC_EVENT_EXIT),
	  .event_data.exit = {.process_pid = 403, .process_tgid = 403, .exit_signal = 255}},
	 {CH(PROC_CHANGE_EXIT), .tgid = 403, .tid = 403,
	  .exit = {.how = PROC_EXIT_STATUS, .exit_signal = 255}}},
	{"a kernel thread returns -4: not a wait status",
	 {EV(PROC_EVENT_EXIT),
	  .event_data.exit = {.process_pid = 2, .process_tgid = 2, .exit_code = (uint32_t)-4}},
	 {CH(PROC_CHANGE_EXIT), .tgid = 2, .tid = 2,
	  .exit = {.code = (uint32_t)-4, .how = PROC_EXIT_OTHER}}},
	{"exit code 0x80 (core without signal): not a wait status",
	 {EV(PROC_EVENT_EXIT),
	  .event_data.exit = {.process_pid = 2, .process_tgid = 2, .exit_code = 0x80}},
	 {CH(PROC_CHANGE_EXIT), .tgid = 2, .tid = 2,
	  .exit = {.code = 0x80, .how = PROC_EXIT_OTHER}}},
	{"exit code 0x7f (the stopped marker): not a wait status for an exit",
	 {EV(PROC_EVENT_EXIT),
	  .event_data.exit = {.process_pid = 2, .process_tgid = 2, .exit_code = 0x7f}},
	 {CH(PROC_CHANGE_EXIT), .tgid = 2, .tid = 2,
	  .exit = {.code = 0x7f, .how = PROC_EXIT_OTHER}}},
	{"exit code 0x0701: status and signal bits at once",
	 {EV(PROC_EVENT_EXIT),
	  .event_data.exit = {.process_pid = 2, .process_tgid = 2, .exit_code = 0x701}},
	 {CH(PROC_CHANGE_EXIT), .tgid = 2, .tid = 2,
	  .exit = {.code = 0x701, .how = PROC_EXIT_OTHER}}},
	{"comm with spaces and parentheses",
	 {EV(PROC_EVENT_COMM),
	  .event_data.comm = {.process_pid = 501, .process_tgid = 500, .comm = "a (b) c"}},
	 {CH(PROC_CHANGE_COMM), .tgid = 500, .tid = 501, .comm = {"a (b) c"}}},
	{"comm of 15 bytes, the kernel's longest",
	 {EV(PROC_EVENT_COMM),
	  .event_data.comm = {.process_pid = 500, .process_tgid = 500, .comm = "0123456789abcde"}},
	 {CH(PROC_CHANGE_COMM), .tgid = 500, .tid = 500, .comm = {"0123456789abcde"}}},
	{"uid change",
	 {EV(PROC_EVENT_UID),
	  .event_data.id = {.process_pid = 600, .process_tgid = 600, .r.ruid = 1000, .e.euid = 0}},
	 {CH(PROC_CHANGE_UID), .tgid = 600, .tid = 600, .id = {1000, 0}}},
	{"gid change",
	 {EV(PROC_EVENT_GID),
	  .event_data.id = {.process_pid = 600, .process_tgid = 600, .r.rgid = 5, .e.egid = 6}},
	 {CH(PROC_CHANGE_GID), .tgid = 600, .tid = 600, .id = {5, 6}}},
	{"setsid",
	 {EV(PROC_EVENT_SID), .event_data.sid = {.process_pid = 601, .process_tgid = 601}},
	 {CH(PROC_CHANGE_SID), .tgid = 601, .tid = 601}},
	{"ptrace attach",
	 {EV(PROC_EVENT_PTRACE), .event_data.ptrace = {.process_pid = 700,
						       .process_tgid = 700,
						       .tracer_pid = 701,
						       .tracer_tgid = 701}},
	 {CH(PROC_CHANGE_PTRACE), .tgid = 700, .tid = 700, .ptrace = {701, 701}}},
	{"ptrace detach (tracer 0)",
	 {EV(PROC_EVENT_PTRACE), .event_data.ptrace = {.process_pid = 700, .process_tgid = 700}},
	 {CH(PROC_CHANGE_PTRACE), .tgid = 700, .tid = 700}},
	{"coredump",
	 {EV(PROC_EVENT_COREDUMP), .event_data.coredump = {.process_pid = 800,
							   .process_tgid = 800,
							   .parent_pid = 1,
							   .parent_tgid = 1}},
	 {CH(PROC_CHANGE_COREDUMP), .tgid = 800, .tid = 800, .coredump = {1, 1}}},
	{"acknowledgement, success", {EV(PROC_EVENT_NONE)}, {CH(PROC_CHANGE_ACK)}},
	{"acknowledgement with EINVAL",
	 {EV(PROC_EVENT_NONE), .event_data.ack.err = EINVAL},
	 {CH(PROC_CHANGE_ACK), .ack = {EINVAL, 0}}},
	{"acknowledgement of a kernel before 6.6 (cpu -1)",
	 {.what = PROC_EVENT_NONE, .cpu = UINT32_MAX, .timestamp_ns = 123456789},
	 {.time_ns = 123456789, .type = PROC_CHANGE_ACK, .cpu = UINT32_MAX, .seq = SEQ}},
};

static void expect_change(const struct proc_change *got, const struct proc_change *want,
			  const char *name)
{
	cr_expect_eq(got->type, want->type, "%s: type %u", name, got->type);
	cr_expect_eq(got->tgid, want->tgid, "%s: tgid %d", name, got->tgid);
	cr_expect_eq(got->tid, want->tid, "%s: tid %d", name, got->tid);
	cr_expect_eq(got->time_ns, want->time_ns, "%s: time", name);
	cr_expect_eq(got->cpu, want->cpu, "%s: cpu", name);
	cr_expect_eq(got->seq, want->seq, "%s: seq", name);
	/* The rest, union included: the decoder zeroes the change, so bytes compare. */
	cr_expect_eq(memcmp(got, want, sizeof(*got)), 0, "%s: decoded change differs", name);
}

Test(proc_decode, every_event_type)
{
	for (size_t i = 0; i < ARRAY_SIZE(decode_cases); i++) {
		const struct decode_case *c = &decode_cases[i];
		struct dgram d = dgram_of(&c->ev);
		struct proc_change out[2];

		cr_assert_eq(d.len, 76, "the kernel's datagram is 76 bytes");
		int r = decode_exact(d.bytes, d.len, out, 2);
		cr_expect_eq(r, 1, "%s: decoded %d changes", c->name, r);
		if (r == 1)
			expect_change(&out[0], &c->want, c->name);
	}
}

/* The datagram may sit at any address: nothing in it is aligned for the reader. */
Test(proc_decode, any_alignment)
{
	const struct decode_case *c = &decode_cases[5];
	struct dgram d = dgram_of(&c->ev);
	uint8_t *buf = malloc(d.len + 8);
	cr_assert(buf);

	for (size_t off = 0; off < 8; off++) {
		struct proc_change out;
		memcpy(buf + off, d.bytes, d.len);
		cr_expect_eq(proc_decode(buf + off, d.len, &out, 1), 1, "offset %zu", off);
		expect_change(&out, &c->want, "aligned anyhow");
	}
	free(buf);
}

Test(proc_decode, two_messages_in_one_datagram)
{
	struct dgram d = {.len = 0};
	struct proc_change out[2];

	put_event(&d, &decode_cases[0].ev);
	put_event(&d, &decode_cases[4].ev);
	cr_assert_eq(decode_exact(d.bytes, d.len, out, 2), 2);
	expect_change(&out[0], &decode_cases[0].want, "first");
	expect_change(&out[1], &decode_cases[4].want, "second");
	cr_expect_eq(decode_exact(d.bytes, d.len, out, 1), -ENOSPC, "more changes than room");
	cr_expect_eq(decode_exact(d.bytes, d.len, out, 0), -ENOSPC);
}

/* A newer kernel may send a longer event: the part this decoder knows still decodes. */
Test(proc_decode, longer_event_from_a_newer_kernel)
{
	struct dgram d = {.len = 0};
	struct proc_change out;

	put_event_len(&d, &decode_cases[5].ev, sizeof(struct proc_event) + 24);
	cr_assert_eq(decode_exact(d.bytes, d.len, &out, 1), 1);
	expect_change(&out, &decode_cases[5].want, "longer event");
}

/* ---- decoding: what is skipped -------------------------------------------------------- */

Test(proc_decode, skips_what_is_not_a_known_process_event)
{
	struct proc_event unknown = {EV(0x00000400)}; /* "next" in cn_proc.h: not known yet */
	struct dgram d = dgram_of(&unknown);
	struct proc_change out;

	cr_expect_eq(decode_exact(d.bytes, d.len, &out, 1), 0, "unknown event type");
	/* Unknown types are skipped even when max is 0. */
	cr_expect_eq(decode_exact(d.bytes, d.len, &out, 0), 0);

	/* Another connector's message (w1) on the same socket. */
	d = dgram_of(&decode_cases[0].ev);
	struct cn_msg cn;
	memcpy(&cn, d.bytes + NLMSG_HDRLEN, sizeof(cn));
	cn.id.idx = CN_W1_IDX;
	memcpy(d.bytes + NLMSG_HDRLEN, &cn, sizeof(cn));
	cr_expect_eq(decode_exact(d.bytes, d.len, &out, 1), 0, "another connector");

	/* Netlink control messages. */
	uint16_t types[] = {NLMSG_NOOP, NLMSG_ERROR, NLMSG_OVERRUN, 0x20};
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		d = dgram_of(&decode_cases[0].ev);
		memcpy(d.bytes + offsetof(struct nlmsghdr, nlmsg_type), &types[i], 2);
		cr_expect_eq(decode_exact(d.bytes, d.len, &out, 1), 0, "nlmsg_type %u", types[i]);
	}
}

/* ---- decoding: what is refused -------------------------------------------------------- */

struct bad_case {
	const char *name;
	struct proc_event ev;
};

static const struct bad_case bad_events[] = {
	{"fork child tgid 0", {EV(PROC_EVENT_FORK), .event_data.fork = {1, 1, 5, 0}}},
	{"fork child tid -1", {EV(PROC_EVENT_FORK), .event_data.fork = {1, 1, -1, 5}}},
	{"fork child past PROC_PID_MAX",
	 {EV(PROC_EVENT_FORK), .event_data.fork = {1, 1, PROC_PID_MAX + 1, PROC_PID_MAX + 1}}},
	{"fork parent -1", {EV(PROC_EVENT_FORK), .event_data.fork = {-1, -1, 5, 5}}},
	{"fork parent tgid past max", {EV(PROC_EVENT_FORK), .event_data.fork = {1, 5000000, 5, 5}}},
	{"exec tgid 0", {EV(PROC_EVENT_EXEC), .event_data.exec = {5, 0}}},
	{"exec tid negative", {EV(PROC_EVENT_EXEC), .event_data.exec = {-7, 5}}},
	{"exit signal -2", {EV(PROC_EVENT_EXIT), .event_data.exit = {5, 5, 0, (uint32_t)-2, 1, 1}}},
	{"exit signal 256", {EV(PROC_EVENT_EXIT), .event_data.exit = {5, 5, 0, 256, 1, 1}}},
	{"exit parent -5", {EV(PROC_EVENT_EXIT), .event_data.exit = {5, 5, 0, 17, -5, -5}}},
	{"exit task 0", {EV(PROC_EVENT_EXIT), .event_data.exit = {0, 0, 0, 17, 1, 1}}},
	{"comm without its terminator",
	 {EV(PROC_EVENT_COMM), .event_data.comm = {5,
						   5,
						   {'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A',
						    'A', 'A', 'A', 'A', 'A', 'A', 'A'}}}},
	{"comm of task 0", {EV(PROC_EVENT_COMM), .event_data.comm = {0, 5, "x"}}},
	{"uid of task -1", {EV(PROC_EVENT_UID), .event_data.id = {-1, 5, {0}, {0}}}},
	{"sid of task 0", {EV(PROC_EVENT_SID), .event_data.sid = {0, 0}}},
	{"ptrace tracer -1", {EV(PROC_EVENT_PTRACE), .event_data.ptrace = {5, 5, -1, -1}}},
	{"coredump parent past max",
	 {EV(PROC_EVENT_COREDUMP), .event_data.coredump = {5, 5, PROC_PID_MAX + 1, 1}}},
	{"ack errno 4096", {EV(PROC_EVENT_NONE), .event_data.ack.err = 4096}},
	{"cpu 65536", {.what = PROC_EVENT_EXEC, .cpu = 65536, .event_data.exec = {5, 5}}},
	{"cpu -1 on an event other than an ack",
	 {.what = PROC_EVENT_EXEC, .cpu = UINT32_MAX, .event_data.exec = {5, 5}}},
};

Test(proc_decode, refuses_values_the_kernel_does_not_send)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_events); i++) {
		struct dgram d = dgram_of(&bad_events[i].ev);
		struct proc_change out;

		cr_expect_eq(decode_exact(d.bytes, d.len, &out, 1), -EINVAL, "%s",
			     bad_events[i].name);
	}
}

static void set_u32(struct dgram *d, size_t off, uint32_t v)
{
	memcpy(d->bytes + off, &v, sizeof(v));
}

static void set_u16(struct dgram *d, size_t off, uint16_t v)
{
	memcpy(d->bytes + off, &v, sizeof(v));
}

#define NL_LEN_AT offsetof(struct nlmsghdr, nlmsg_len)
#define CN_LEN_AT (NLMSG_HDRLEN + offsetof(struct cn_msg, len))

Test(proc_decode, refuses_broken_framing)
{
	struct proc_change out[2];
	struct dgram d;

	cr_expect_eq(proc_decode(NULL, 0, out, 1), -EINVAL, "nothing");
	d = dgram_of(&decode_cases[5].ev);
	cr_expect_eq(decode_exact(d.bytes, 0, out, 1), -EINVAL, "empty datagram");

	d = dgram_of(&decode_cases[5].ev);
	set_u32(&d, NL_LEN_AT, NLMSG_HDRLEN - 1);
	cr_expect_eq(decode_exact(d.bytes, d.len, out, 1), -EINVAL, "nlmsg_len under its header");

	d = dgram_of(&decode_cases[5].ev);
	set_u32(&d, NL_LEN_AT, (uint32_t)d.len + 1);
	cr_expect_eq(decode_exact(d.bytes, d.len, out, 1), -EINVAL, "nlmsg_len past the datagram");

	d = dgram_of(&decode_cases[5].ev);
	set_u32(&d, NL_LEN_AT, NLMSG_HDRLEN + sizeof(struct cn_msg) - 1);
	cr_expect_eq(decode_exact(d.bytes, d.len, out, 1), -EINVAL, "cn_msg cut");

	d = dgram_of(&decode_cases[5].ev);
	set_u16(&d, CN_LEN_AT, sizeof(struct proc_event) + 1);
	cr_expect_eq(decode_exact(d.bytes, d.len, out, 1), -EINVAL, "cn_msg.len past nlmsg_len");

	d = dgram_of(&decode_cases[5].ev);
	set_u16(&d, CN_LEN_AT, offsetof(struct proc_event, event_data) - 1);
	cr_expect_eq(decode_exact(d.bytes, d.len, out, 1), -EINVAL, "event header cut");

	/* An exit needs 24 bytes of event_data; 16 are given (the fork size). */
	d = (struct dgram){.len = 0};
	put_event_len(&d, &decode_cases[5].ev, offsetof(struct proc_event, event_data) + 16);
	cr_expect_eq(decode_exact(d.bytes, d.len, out, 1), -EINVAL, "exit data cut");

	/* A good message, then garbage: the whole datagram is refused. */
	d = dgram_of(&decode_cases[0].ev);
	d.len = NLMSG_ALIGN(d.len);
	memset(d.bytes + d.len, 0xff, 20);
	d.len += 20;
	cr_expect_eq(decode_exact(d.bytes, d.len, out, 2), -EINVAL, "trailing garbage");

	/* A trailing fragment shorter than a netlink header. */
	d = dgram_of(&decode_cases[0].ev);
	d.len += 4;
	cr_expect_eq(decode_exact(d.bytes, d.len, out, 2), -EINVAL, "short trailing fragment");
}

/* Every prefix of every case is refused, and never read past (ASan builds check that). */
Test(proc_decode, every_truncation_is_refused)
{
	for (size_t i = 0; i < ARRAY_SIZE(decode_cases); i++) {
		struct dgram d = dgram_of(&decode_cases[i].ev);

		for (size_t len = 0; len < d.len; len++) {
			struct proc_change out;
			cr_expect_eq(decode_exact(d.bytes, len, &out, 1), -EINVAL, "%s cut to %zu",
				     decode_cases[i].name, len);
		}
	}
}

/* Corrupted datagrams: refused, skipped, or decoded into values within their ranges. */
Test(proc_decode, corrupted_datagrams_stay_in_range)
{
	unsigned seed = 12345;
	size_t decoded = 0, refused = 0;

	for (int round = 0; round < 20000; round++) {
		const struct decode_case *c =
			&decode_cases[rand_r(&seed) % ARRAY_SIZE(decode_cases)];
		struct dgram d = dgram_of(&c->ev);
		struct proc_change out[2];
		int flips = 1 + rand_r(&seed) % 4;

		for (int f = 0; f < flips; f++)
			d.bytes[rand_r(&seed) % d.len] ^= (uint8_t)(1u << (rand_r(&seed) % 8));
		int r = decode_exact(d.bytes, d.len, out, 2);
		cr_assert(r == -EINVAL || r == 0 || r == 1, "round %d: %d", round, r);
		refused += r < 0;
		if (r != 1)
			continue;
		decoded++;
		cr_assert(out[0].type >= PROC_CHANGE_ACK && out[0].type <= PROC_CHANGE_COREDUMP);
		if (out[0].type == PROC_CHANGE_ACK)
			continue;
		cr_assert(out[0].tgid > 0 && out[0].tgid <= PROC_PID_MAX, "tgid %d", out[0].tgid);
		cr_assert(out[0].tid > 0 && out[0].tid <= PROC_PID_MAX, "tid %d", out[0].tid);
		cr_assert_leq(out[0].cpu, PROC_CPU_MAX);
		if (out[0].type == PROC_CHANGE_EXIT)
			cr_assert(out[0].exit.exit_signal >= -1 && out[0].exit.exit_signal <= 255);
		if (out[0].type == PROC_CHANGE_COMM)
			cr_assert_lt(strlen(out[0].comm.comm), 16);
	}
	cr_expect_gt(decoded, 1000, "some flips leave a valid event");
	cr_expect_gt(refused, 1000, "some flips break it");
}

/* ---- lost-message accounting ---------------------------------------------------------- */

static long gap_of(uint64_t *next, size_t n, uint32_t type, uint32_t cpu, uint32_t seq)
{
	struct proc_change c = {.type = type, .cpu = cpu, .seq = seq};
	return proc_seq_gap(next, n, &c);
}

Test(proc_seq, counts_missing_sequence_numbers_per_cpu)
{
	uint64_t next[4];
	for (size_t i = 0; i < ARRAY_SIZE(next); i++)
		next[i] = PROC_SEQ_UNSEEN;

	cr_expect_eq(gap_of(next, 4, PROC_CHANGE_FORK, 0, 10), 0, "first seen: the baseline");
	cr_expect_eq(gap_of(next, 4, PROC_CHANGE_EXIT, 0, 11), 0);
	cr_expect_eq(gap_of(next, 4, PROC_CHANGE_EXIT, 1, 500), 0, "CPUs count apart");
	cr_expect_eq(gap_of(next, 4, PROC_CHANGE_EXEC, 0, 15), 3, "12, 13 and 14 lost");
	cr_expect_eq(gap_of(next, 4, PROC_CHANGE_ACK, 0, 16), 0, "acks are counted (6.6+)");
	cr_expect_eq(gap_of(next, 4, PROC_CHANGE_ACK, UINT32_MAX, 3), 0, "old acks are not");
	cr_expect_eq(gap_of(next, 4, PROC_CHANGE_EXEC, 0, 17), 0);
	cr_expect_eq(gap_of(next, 4, PROC_CHANGE_EXEC, 4, 17), -ERANGE, "cpu past the table");
	cr_expect_eq(gap_of(next, 4, PROC_CHANGE_EXEC, 1, 501), 0);

	cr_expect_eq(gap_of(next, 4, PROC_CHANGE_EXEC, 2, UINT32_MAX), 0);
	cr_expect_eq(gap_of(next, 4, PROC_CHANGE_EXEC, 2, 0), 0, "the counter wraps");
	cr_expect_eq(gap_of(next, 4, PROC_CHANGE_EXEC, 2, 2), 1, "lost across the wrap");
	cr_expect_eq(gap_of(next, 4, PROC_CHANGE_EXEC, 2, 1), 0, "a step back resyncs");
	cr_expect_eq(gap_of(next, 4, PROC_CHANGE_EXEC, 2, 2), 0);
}

/* ---- /proc/<pid>/stat ----------------------------------------------------------------- */

/* Fields 3..21 of a stat line, then starttime (22) and the rest. */
#define STAT_MID " S 1 1 1 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
#define STAT_END " 1000 200 18446744073709551615 1 2 3 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n"

struct stat_case {
	const char *text;
	int ret;
	uint64_t ticks;
};

static const struct stat_case stat_cases[] = {
	{"1234 (bash)" STAT_MID "4567" STAT_END, 0, 4567},
	{"1234 (a b c)" STAT_MID "4567" STAT_END, 0, 4567},
	{"1234 (x) S 1 2 (y)" STAT_MID "89" STAT_END, 0, 89},
	{"1234 ())" STAT_MID "1" STAT_END, 0, 1},
	{"1234 (()" STAT_MID "0" STAT_END, 0, 0},
	{"1234 ()" STAT_MID "18446744073709551615" STAT_END, 0, UINT64_MAX},
	{"1234 (bash)" STAT_MID "4567", 0, 4567}, /* the line may end right after it */
	{"1234 (kworker/u8:2-events_unbound)" STAT_MID "7" STAT_END, 0, 7},
	{"1234 (bash)" STAT_MID "18446744073709551616" STAT_END, -EINVAL, 0}, /* overflow */
	{"1234 (bash)" STAT_MID "-1" STAT_END, -EINVAL, 0},
	{"1234 (bash)" STAT_MID "12a" STAT_END, -EINVAL, 0},
	{"1234 (bash)" STAT_MID " 4567" STAT_END, -EINVAL, 0}, /* an empty field */
	{"1234 (bash)" STAT_MID, -EINVAL, 0},		       /* ends before field 22 */
	{"1234 (bash) S 1 1", -EINVAL, 0},
	{"1234 bash)" STAT_MID "4567" STAT_END, -EINVAL, 0}, /* no '(' */
	{"1234 (bash" STAT_MID "4567" STAT_END, -EINVAL, 0}, /* no ')' */
	{"1234 (bash)S 1 1 1 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 4567" STAT_END, -EINVAL, 0},
	{"", -EINVAL, 0},
};

Test(proc_stat, start_ticks_from_the_last_parenthesis)
{
	for (size_t i = 0; i < ARRAY_SIZE(stat_cases); i++) {
		const struct stat_case *c = &stat_cases[i];
		size_t len = strlen(c->text);
		char *copy = malloc(len ? len : 1);
		uint64_t ticks = 42;

		cr_assert(copy);
		memcpy(copy, c->text, len);
		int r = proc_stat_start_ticks(copy, len, &ticks);
		cr_expect_eq(r, c->ret, "\"%s\": %d", c->text, r);
		if (c->ret == 0)
			cr_expect_eq(ticks, c->ticks, "\"%s\": %llu", c->text,
				     (unsigned long long)ticks);
		else
			cr_expect_eq(ticks, 42, "untouched on failure");
		free(copy);
	}
}

Test(proc_stat, ticks_to_ns)
{
	uint64_t ns;

	cr_expect_eq(proc_ticks_to_ns(123, 100, &ns), 0);
	cr_expect_eq(ns, 1230000000ull);
	cr_expect_eq(proc_ticks_to_ns(7, 300, &ns), 0);
	cr_expect_eq(ns, 23333333ull, "a rate that does not divide 1e9: %llu",
		     (unsigned long long)ns);
	/* Past 5.8 years of uptime ticks * 1e9 overflows; the split product does not. */
	cr_expect_eq(proc_ticks_to_ns(20000000000ull, 100, &ns), 0);
	cr_expect_eq(ns, 200000000000000000ull);
	cr_expect_eq(proc_ticks_to_ns(UINT64_MAX, 100, &ns), -ERANGE);
	cr_expect_eq(proc_ticks_to_ns(1, 0, &ns), -EINVAL);
	cr_expect_eq(proc_ticks_to_ns(1, -100, &ns), -EINVAL);
}

/* ---- live: a watcher that follows one process tree ------------------------------------ */

#define LOG_MAX	 256
#define TREE_MAX 32
#define CPUS_MAX 4096

struct watch {
	int fd;
	uint64_t next_seq[CPUS_MAX];
	long lost;   /* messages missed, from the per-CPU sequence numbers */
	int enobufs; /* -ENOBUFS from proc_receive() */
	pid_t tree[TREE_MAX];
	size_t ntree;
	struct proc_change log[LOG_MAX]; /* changes of the tree, in arrival order */
	size_t nlog;
};

static void watch_open(struct watch *w, size_t rcvbuf)
{
	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < CPUS_MAX; i++)
		w->next_seq[i] = PROC_SEQ_UNSEEN;
	w->fd = proc_open(0, rcvbuf);
	cr_assert_geq(w->fd, 0, "proc_open: %s (run as root)", strerror(-w->fd));
}

static void watch_close(struct watch *w)
{
	cr_expect_eq(proc_close(w->fd), 0);
}

static bool in_tree(const struct watch *w, pid_t tgid)
{
	for (size_t i = 0; i < w->ntree; i++)
		if (w->tree[i] == tgid)
			return true;
	return false;
}

static void follow(struct watch *w, pid_t tgid)
{
	if (in_tree(w, tgid))
		return;
	cr_assert_lt(w->ntree, TREE_MAX);
	w->tree[w->ntree++] = tgid;
}

/* Attribution in miniature: a process forked by one of the tree joins it. */
static void take(struct watch *w, const struct proc_change *c)
{
	long gap = proc_seq_gap(w->next_seq, CPUS_MAX, c);

	cr_assert_geq(gap, 0, "cpu %u", c->cpu);
	w->lost += gap;
	if (c->type == PROC_CHANGE_FORK && !c->fork.thread && in_tree(w, c->fork.parent_tgid))
		follow(w, c->tgid);
	if (c->type == PROC_CHANGE_ACK || !in_tree(w, c->tgid))
		return;
	cr_assert_lt(w->nlog, LOG_MAX);
	w->log[w->nlog++] = *c;
}

/* Read what is queued, waiting up to timeout_ms for the first datagram. */
static void pump(struct watch *w, int timeout_ms)
{
	struct pollfd pfd = {.fd = w->fd, .events = POLLIN};
	uint8_t buf[PROC_RECV_SIZE];

	while (poll(&pfd, 1, timeout_ms) > 0) {
		struct proc_change c[8];
		int n = proc_receive(w->fd, buf, sizeof(buf));

		timeout_ms = 0;
		if (n == -ENOBUFS) {
			w->enobufs++;
			continue;
		}
		cr_assert_gt(n, 0, "proc_receive: %s", strerror(-n));
		n = proc_decode(buf, (size_t)n, c, ARRAY_SIZE(c));
		cr_assert_geq(n, 0, "a datagram from the kernel refused: %s", strerror(-n));
		for (int i = 0; i < n; i++)
			take(w, &c[i]);
	}
}

/* The index in the log of the first change of type for tid, after index from. */
static int find_from(const struct watch *w, size_t from, uint32_t type, pid_t tid)
{
	for (size_t i = from; i < w->nlog; i++)
		if (w->log[i].type == type && w->log[i].tid == tid)
			return (int)i;
	return -1;
}

static int find(const struct watch *w, uint32_t type, pid_t tid)
{
	return find_from(w, 0, type, tid);
}

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Wait (5 s at most) until a change of type for tid arrives after index from. */
static int await_from(struct watch *w, size_t from, uint32_t type, pid_t tid)
{
	uint64_t deadline = now_ns(CLOCK_MONOTONIC) + 5000000000ull;
	int at;

	while ((at = find_from(w, from, type, tid)) < 0 && now_ns(CLOCK_MONOTONIC) < deadline)
		pump(w, 100);
	cr_assert_geq(at, 0, "no change of type %u for %d arrived", type, tid);
	return at;
}

static const struct proc_change *await(struct watch *w, uint32_t type, pid_t tid)
{
	return &w->log[await_from(w, 0, type, tid)];
}

/* The first fork whose parent is tgid: its child. */
static const struct proc_change *fork_by(const struct watch *w, pid_t tgid)
{
	for (size_t i = 0; i < w->nlog; i++)
		if (w->log[i].type == PROC_CHANGE_FORK && !w->log[i].fork.thread &&
		    w->log[i].fork.parent_tgid == tgid)
			return &w->log[i];
	cr_assert_fail("no fork by %d", tgid);
	return NULL;
}

static int wait_status(pid_t pid)
{
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return status;
}

static void log_tree(const struct watch *w, uint64_t t0, const char *what)
{
	static const char *names[] = {"?",   "ack", "fork", "exec",   "exit",	 "comm",
				      "uid", "gid", "sid",  "ptrace", "coredump"};
	for (size_t i = 0; i < w->nlog; i++) {
		const struct proc_change *c = &w->log[i];
		cr_log_info("%s: +%8.3f ms cpu %u seq %u %-8s %d/%d code %#x", what,
			    (double)(int64_t)(c->time_ns - t0) / 1e6, c->cpu, c->seq,
			    names[c->type], c->tgid, c->tid,
			    c->type == PROC_CHANGE_EXIT ? c->exit.code : 0);
	}
}

/* ---- live: fork, exec, exit ----------------------------------------------------------- */

/* Every live test has the same timeout: criterion 2.4.1's runner leaks (and LeakSanitizer
 * fails the binary) when tests with different timeouts run in parallel jobs. */

Test(proc_live, fork_exec_and_exit_of_a_tree, .timeout = 30)
{
	static struct watch w;
	watch_open(&w, 0);
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);

	/* The child forks a grandchild that exits 7, reaps it, and execs /bin/true. */
	pid_t child = test_fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		int status;
		pid_t g = test_fork();
		if (g == 0)
			_exit(7);
		if (waitpid(g, &status, 0) != g || status != 0x700)
			_exit(100);
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	follow(&w, child);
	cr_assert_eq(wait_status(child), 0, "the child exec'd /bin/true");

	const struct proc_change *exit_child = await(&w, PROC_CHANGE_EXIT, child);
	const struct proc_change *fork_child = await(&w, PROC_CHANGE_FORK, child);
	const struct proc_change *exec_child = await(&w, PROC_CHANGE_EXEC, child);
	const struct proc_change *fork_g = fork_by(&w, child);
	pid_t g = fork_g->tgid;
	const struct proc_change *exit_g = await(&w, PROC_CHANGE_EXIT, g);
	uint64_t t1 = now_ns(CLOCK_MONOTONIC);
	log_tree(&w, t0, "tree");

	cr_expect_eq(fork_child->fork.parent_tgid, getpid());
	cr_expect_eq(fork_child->fork.thread, 0);
	cr_expect_eq(fork_g->fork.parent_tgid, child);
	cr_expect_eq(fork_g->fork.parent_tid, child);
	cr_expect_eq(fork_g->tid, g);
	cr_expect_eq(fork_g->fork.thread, 0);

	cr_expect_eq(exit_g->exit.how, PROC_EXIT_STATUS);
	cr_expect_eq(exit_g->exit.status, 7);
	cr_expect_eq(exit_g->exit.code, 0x700);
	cr_expect_eq(exit_g->exit.exit_signal, SIGCHLD);
	cr_expect_eq(exit_g->exit.parent_tgid, child);

	cr_expect_eq(exec_child->tgid, child);
	cr_expect_eq(exec_child->tid, child);

	cr_expect_eq(exit_child->exit.how, PROC_EXIT_STATUS);
	cr_expect_eq(exit_child->exit.status, 0);
	cr_expect_eq(exit_child->exit.exit_signal, SIGCHLD);
	cr_expect_eq(exit_child->exit.parent_tgid, getpid());

	/* What causality guarantees: a fork is sent before the child can run, exec before
	 * the exit of the same task. (A grandchild's exit may arrive after its parent's
	 * exec: the parent is woken before the exit event is sent.) */
	int i_fork_child = find(&w, PROC_CHANGE_FORK, child);
	int i_fork_g = find(&w, PROC_CHANGE_FORK, g), i_exit_g = find(&w, PROC_CHANGE_EXIT, g);
	int i_exec = find(&w, PROC_CHANGE_EXEC, child), i_exit = find(&w, PROC_CHANGE_EXIT, child);
	cr_expect_eq(i_fork_child, 0, "the child's fork comes first");
	cr_expect(i_fork_child < i_fork_g && i_fork_g < i_exit_g);
	cr_expect(i_fork_child < i_exec && i_exec < i_exit);
	cr_expect(fork_child->time_ns <= fork_g->time_ns && fork_g->time_ns <= exit_g->time_ns);
	cr_expect(exec_child->time_ns <= exit_child->time_ns);

	/* Timestamps are CLOCK_MONOTONIC. */
	cr_expect(fork_child->time_ns >= t0 && exit_child->time_ns <= t1,
		  "timestamps %llu..%llu outside [%llu, %llu]",
		  (unsigned long long)fork_child->time_ns, (unsigned long long)exit_child->time_ns,
		  (unsigned long long)t0, (unsigned long long)t1);
	cr_expect_eq(w.lost, 0, "per-CPU sequence gaps: %ld messages lost", w.lost);
	cr_expect_eq(w.enobufs, 0);
	watch_close(&w);
}

Test(proc_live, comm_change, .timeout = 30)
{
	static struct watch w;
	watch_open(&w, 0);

	pid_t child = test_fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		prctl(PR_SET_NAME, "a (b) c", 0, 0, 0);
		prctl(PR_SET_NAME, "0123456789abcdefXYZ", 0, 0, 0); /* cut to 15 */
		_exit(0);
	}
	follow(&w, child);
	cr_assert_eq(wait_status(child), 0);
	await(&w, PROC_CHANGE_EXIT, child);

	int first = find(&w, PROC_CHANGE_COMM, child);
	cr_assert_geq(first, 0, "no comm change");
	cr_expect_str_eq(w.log[first].comm.comm, "a (b) c");
	int second = find_from(&w, (size_t)first + 1, PROC_CHANGE_COMM, child);
	cr_assert_geq(second, 0, "no second comm change");
	cr_expect_str_eq(w.log[second].comm.comm, "0123456789abcde");
	watch_close(&w);
}

/* ---- live: seccomp kills -------------------------------------------------------------- */

/* KILL_PROCESS (or ret) on getppid, allow the rest. */
static void load_getppid_filter(uint32_t ret)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, ret),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = ARRAY_SIZE(insns), .filter = insns};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		_exit(125);
}

static bool core_pattern_is_a_pipe(void)
{
	char pattern[256] = "";
	FILE *f = fopen("/proc/sys/kernel/core_pattern", "re");
	cr_assert(f);
	cr_assert(fgets(pattern, sizeof(pattern), f));
	fclose(f);
	return pattern[0] == '|';
}

static bool dir_has_core(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	cr_assert(d);
	while ((e = readdir(d)))
		found |= strncmp(e->d_name, "core", 4) == 0;
	closedir(d);
	return found;
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	cr_assert(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			cr_expect_eq(unlinkat(dirfd(d), e->d_name, 0), 0);
	closedir(d);
	cr_expect_eq(rmdir(dir), 0);
}

/* A grandchild killed by SIGSYS from a KILL_PROCESS filter; the child passes on the
 * grandchild's wait status as its exit status. */
static void seccomp_kill_in_grandchild(bool dump_core)
{
	static struct watch w;
	char dir[] = "/tmp/sigsys-proc-XXXXXX";
	struct rlimit core = {dump_core ? RLIM_INFINITY : 0, dump_core ? RLIM_INFINITY : 0};

	cr_assert(mkdtemp(dir));
	watch_open(&w, 0);
	pid_t child = test_fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		int status;
		pid_t g = test_fork();
		if (g == 0) {
			if (setrlimit(RLIMIT_CORE, &core) < 0 || chdir(dir) < 0)
				_exit(124);
			load_getppid_filter(SECCOMP_RET_KILL_PROCESS);
			syscall(SYS_getppid);
			_exit(126);
		}
		if (waitpid(g, &status, 0) != g)
			_exit(100);
		_exit(status & 0xff);
	}
	follow(&w, child);
	int status = wait_status(child);
	cr_assert(WIFEXITED(status));
	int g_status = WEXITSTATUS(status);
	cr_assert(WIFSIGNALED(g_status) && WTERMSIG(g_status) == SIGSYS,
		  "the grandchild was not killed by SIGSYS: status %#x", g_status);

	await(&w, PROC_CHANGE_EXIT, child);
	pid_t g = fork_by(&w, child)->tgid;
	const struct proc_change *exit_g = await(&w, PROC_CHANGE_EXIT, g);
	log_tree(&w, w.log[0].time_ns, dump_core ? "kill, core" : "kill, no core");

	cr_expect_eq(exit_g->exit.how, PROC_EXIT_SIGNAL);
	cr_expect_eq(exit_g->exit.signal, SIGSYS);
	cr_expect_eq(exit_g->exit.code, (uint32_t)g_status, "the kernel's code is the wait status");
	cr_expect_eq(exit_g->exit.core_dumped, WCOREDUMP(g_status) ? 1 : 0);
	cr_expect_eq(exit_g->exit.exit_signal, SIGCHLD);
	cr_expect_eq(exit_g->exit.parent_tgid, child);
	/* SIGSYS dumps core by default: the attempt is reported whatever RLIMIT_CORE says. */
	int i_dump = find(&w, PROC_CHANGE_COREDUMP, g);
	cr_expect(i_dump >= 0 && i_dump < find(&w, PROC_CHANGE_EXIT, g), "coredump, then exit");
	if (!core_pattern_is_a_pipe()) {
		cr_expect_eq(exit_g->exit.core_dumped, dump_core, "core flag %d",
			     exit_g->exit.core_dumped);
		cr_expect_eq(dir_has_core(dir), dump_core);
	}
	cr_expect_eq(w.lost, 0);
	remove_dir(dir);
	watch_close(&w);
}

Test(proc_live, seccomp_kill_of_a_grandchild, .timeout = 30)
{
	seccomp_kill_in_grandchild(false);
}

Test(proc_live, seccomp_kill_of_a_grandchild_dumping_core, .timeout = 30)
{
	seccomp_kill_in_grandchild(true);
}

/* ---- live: threads -------------------------------------------------------------------- */

#define THREAD_FLAGS                                                                        \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | \
	 CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

static char thread_stack[256 * 1024] __attribute__((aligned(16)));
static volatile pid_t thread_tid; /* cleared by the kernel when the thread is gone */

static int thread_exits_3(void *arg)
{
	(void)arg;
	syscall(SYS_exit, 3);
	return 0;
}

static int thread_calls_getppid(void *arg)
{
	(void)arg;
	syscall(SYS_getppid);
	syscall(SYS_exit, 4);
	return 0;
}

static int thread_execs_true(void *arg)
{
	(void)arg;
	execl("/bin/true", "true", (char *)NULL);
	syscall(SYS_exit_group, 127);
	return 0;
}

/* In a test_fork child: a raw thread (no pthread: no atfork, no TLS of its own). */
static pid_t start_thread(int (*fn)(void *))
{
	pid_t tid = clone(fn, thread_stack + sizeof(thread_stack), THREAD_FLAGS, NULL,
			  (pid_t *)&thread_tid, NULL, (pid_t *)&thread_tid);
	if (tid < 0)
		_exit(101);
	return tid;
}

static void join_thread(pid_t tid)
{
	while (thread_tid == tid)
		syscall(SYS_futex, &thread_tid, FUTEX_WAIT, tid, NULL, NULL, 0);
}

Test(proc_live, a_thread_exits_with_its_own_code, .timeout = 30)
{
	static struct watch w;
	int pipefd[2];

	cr_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);
	watch_open(&w, 0);
	pid_t child = test_fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		pid_t tid = start_thread(thread_exits_3);
		join_thread(tid);
		if (write(pipefd[1], &tid, sizeof(tid)) != sizeof(tid))
			_exit(102);
		syscall(SYS_exit_group, 7);
	}
	pid_t tid = 0;
	follow(&w, child);
	cr_assert_eq(read(pipefd[0], &tid, sizeof(tid)), sizeof(tid));
	cr_assert_eq(wait_status(child), 0x700);

	const struct proc_change *fork_t = await(&w, PROC_CHANGE_FORK, tid);
	const struct proc_change *exit_t = await(&w, PROC_CHANGE_EXIT, tid);
	const struct proc_change *exit_p = await(&w, PROC_CHANGE_EXIT, child);
	log_tree(&w, w.log[0].time_ns, "thread");

	cr_expect_eq(fork_t->tgid, child);
	cr_expect_eq(fork_t->fork.thread, 1);
	cr_expect_eq(fork_t->fork.parent_tgid, getpid(),
		     "a thread's parent is its creator's parent (%d), not the creator",
		     fork_t->fork.parent_tgid);

	cr_expect_eq(exit_t->tgid, child);
	cr_expect_eq(exit_t->exit.how, PROC_EXIT_STATUS);
	cr_expect_eq(exit_t->exit.status, 3, "a thread's own exit(2) code");
	cr_expect_eq(exit_t->exit.exit_signal, -1);
	cr_expect_eq(exit_t->exit.parent_tgid, 0, "a thread is released before its event");

	cr_expect_eq(exit_p->exit.status, 7);
	cr_expect_eq(exit_p->exit.exit_signal, SIGCHLD);
	cr_expect_eq(exit_p->exit.parent_tgid, getpid());
	close(pipefd[0]);
	close(pipefd[1]);
	watch_close(&w);
}

/* KILL_THREAD on one thread of several: no signal, the process lives on and exits 5, and
 * the connector is the only one to tell (FACTS.md: do_exit(SIGSYS)). */
Test(proc_live, seccomp_kill_thread_shows_only_in_the_thread_exit, .timeout = 30)
{
	static struct watch w;
	int pipefd[2];

	cr_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);
	watch_open(&w, 0);
	pid_t child = test_fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		load_getppid_filter(SECCOMP_RET_KILL_THREAD);
		pid_t tid = start_thread(thread_calls_getppid);
		join_thread(tid);
		if (write(pipefd[1], &tid, sizeof(tid)) != sizeof(tid))
			_exit(102);
		syscall(SYS_exit_group, 5);
	}
	pid_t tid = 0;
	follow(&w, child);
	cr_assert_eq(read(pipefd[0], &tid, sizeof(tid)), sizeof(tid));
	cr_assert_eq(wait_status(child), 0x500, "the parent sees a plain exit 5");

	const struct proc_change *exit_t = await(&w, PROC_CHANGE_EXIT, tid);
	await(&w, PROC_CHANGE_EXIT, child);
	log_tree(&w, w.log[0].time_ns, "kill thread");

	cr_expect_eq(exit_t->exit.how, PROC_EXIT_SIGNAL);
	cr_expect_eq(exit_t->exit.signal, SIGSYS);
	cr_expect_eq(exit_t->exit.core_dumped, 0);
	cr_expect_eq(exit_t->exit.exit_signal, -1);
	cr_expect_lt(find(&w, PROC_CHANGE_COREDUMP, tid), 0, "no core dump for a thread kill");
	close(pipefd[0]);
	close(pipefd[1]);
	watch_close(&w);
}

/* A thread other than the leader execs: the leader "exits" with code 0 and the exec'ing
 * thread takes its pid, never reporting an exit of its own tid. */
Test(proc_live, exec_from_a_thread_reports_the_leader_exit, .timeout = 30)
{
	static struct watch w;

	watch_open(&w, 0);
	pid_t child = test_fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		start_thread(thread_execs_true);
		for (;;)
			pause(); /* killed by the exec */
	}
	follow(&w, child);
	cr_assert_eq(wait_status(child), 0, "/bin/true ran");

	await(&w, PROC_CHANGE_EXEC, child);
	pid_t tid = 0;
	for (size_t i = 0; i < w.nlog; i++)
		if (w.log[i].type == PROC_CHANGE_FORK && w.log[i].fork.thread)
			tid = w.log[i].tid;
	cr_assert_gt(tid, 0, "no thread fork seen");
	/* Two exits of the leader's tid: the replaced leader's, and the process's. */
	int first_exit = await_from(&w, 0, PROC_CHANGE_EXIT, child);
	int last_exit = await_from(&w, (size_t)first_exit + 1, PROC_CHANGE_EXIT, child);
	log_tree(&w, w.log[0].time_ns, "exec from thread");

	cr_expect_eq(w.log[first_exit].exit.code, 0, "the replaced leader exits with 0");
	cr_expect_eq(w.log[last_exit].exit.how, PROC_EXIT_STATUS);
	cr_expect_eq(w.log[last_exit].exit.status, 0);
	int exec_at = find(&w, PROC_CHANGE_EXEC, child);
	cr_expect_eq(w.log[exec_at].tid, child, "exec reports the leader's pid");
	cr_expect_lt(exec_at, last_exit);
	cr_expect_lt(find(&w, PROC_CHANGE_EXIT, tid), 0, "thread %d never reports an exit", tid);
	watch_close(&w);
}

/* ---- live: losses are reported -------------------------------------------------------- */

Test(proc_live, an_overflow_is_reported_and_counted, .timeout = 30)
{
	static struct watch w;
	cpu_set_t one;

	/* On one CPU, so that the messages read before the loss and after it share one
	 * sequence: a gap on another CPU could be invisible (no message of it read before). */
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	cr_assert_eq(sched_setaffinity(0, sizeof(one), &one), 0);
	watch_open(&w, 4096); /* the kernel's minimum: a few messages */

	/* 200 short-lived children, and nobody reading: the socket overflows. */
	for (int i = 0; i < 200; i++) {
		pid_t pid = test_fork();
		cr_assert_geq(pid, 0);
		if (pid == 0)
			_exit(0);
		wait_status(pid);
	}
	pump(&w, 100);
	cr_expect_gt(w.enobufs, 0, "proc_receive() reported no ENOBUFS");

	/* The socket carries on (with room now, so other storms on this machine cannot take
	 * the next messages too); they show the gap in the sequence numbers. */
	int room = PROC_RCVBUF_DEFAULT;
	cr_assert_eq(setsockopt(w.fd, SOL_SOCKET, SO_RCVBUFFORCE, &room, sizeof(room)), 0);
	pid_t pid = test_fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(3);
	follow(&w, pid);
	wait_status(pid);
	cr_expect_eq(await(&w, PROC_CHANGE_EXIT, pid)->exit.status, 3);
	cr_expect_gt(w.lost, 0, "the sequence numbers show no gap");
	cr_log_info("overflow: %d ENOBUFS, %ld messages lost", w.enobufs, w.lost);
	watch_close(&w);
}

/* ---- live: the socket ----------------------------------------------------------------- */

Test(proc_live, socket_options, .timeout = 30)
{
	int fd = proc_open(0, 0), value;
	socklen_t len = sizeof(value);

	cr_assert_geq(fd, 0, "proc_open: %s", strerror(-fd));
	cr_expect(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	cr_expect_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	cr_assert_eq(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, &len), 0);
	cr_expect_geq(value, (int)PROC_RCVBUF_DEFAULT, "receive buffer %d", value);

	/* A buffer too small for a datagram: -EMSGSIZE, not a silently cut event. */
	pid_t pid = test_fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(0);
	wait_status(pid);
	uint8_t small[8];
	cr_expect_eq(proc_receive(fd, small, sizeof(small)), -EMSGSIZE);
	cr_expect_eq(proc_close(fd), 0);

	fd = proc_open(PROC_OPEN_NONBLOCK, 1 << 20);
	cr_assert_geq(fd, 0);
	cr_expect(fcntl(fd, F_GETFL) & O_NONBLOCK);
	/* Drain what other processes of this machine make; the queue empties. */
	uint8_t buf[PROC_RECV_SIZE];
	int r = 0;
	for (int i = 0; i < 100000 && (r = proc_receive(fd, buf, sizeof(buf))) != -EAGAIN; i++)
		;
	cr_expect_eq(r, -EAGAIN);
	cr_expect_eq(proc_close(fd), 0);

	cr_expect_eq(proc_open(0x2, 0), -EINVAL, "unknown flag");
	cr_expect_eq(proc_open(0, (size_t)INT_MAX + 1), -EINVAL, "absurd buffer");
	cr_expect_eq(proc_close(-1), -EBADF);
}

/* proc_close() unsubscribes: another listener sees the kernel acknowledge the IGNORE (a
 * socket closed without it would stay counted as a listener for as long as the kernel runs).
 * The acknowledgement is told from others' by the socket's port id. */
Test(proc_live, close_unsubscribes, .timeout = 30)
{
	static struct watch other;
	struct sockaddr_nl addr;
	socklen_t len = sizeof(addr);
	uint8_t buf[PROC_RECV_SIZE];
	int acks = 0;

	watch_open(&other, 0);
	int fd = proc_open(0, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
	cr_expect_eq(proc_close(fd), 0);

	/* Both answers reach the other listener: the LISTEN's, then the IGNORE's. */
	struct pollfd pfd = {.fd = other.fd, .events = POLLIN};
	uint64_t deadline = now_ns(CLOCK_MONOTONIC) + 2000000000ull;
	while (acks < 2 && now_ns(CLOCK_MONOTONIC) < deadline && poll(&pfd, 1, 100) >= 0) {
		struct proc_change c[8];
		int n = proc_receive(other.fd, buf, sizeof(buf));
		if (n <= 0)
			continue;
		n = proc_decode(buf, (size_t)n, c, ARRAY_SIZE(c));
		for (int i = 0; i < n; i++)
			if (c[i].type == PROC_CHANGE_ACK && c[i].ack.ack == addr.nl_pid + 1) {
				cr_expect_eq(c[i].ack.error, 0);
				acks++;
			}
	}
	cr_expect_eq(acks, 2, "%d acknowledgements for port %u", acks, addr.nl_pid);
	watch_close(&other);
}

/* The kernel ignores requests from outside the initial pid namespace: proc_open() says so
 * instead of returning a socket that never hears anything. */
Test(proc_live, open_outside_the_initial_pid_namespace_times_out, .timeout = 30)
{
	pid_t child = test_fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		int status;
		if (unshare(CLONE_NEWPID) < 0)
			_exit(100);
		pid_t inner = test_fork(); /* pid 1 of the new namespace */
		if (inner == 0) {
			int fd = proc_open(0, 0);
			_exit(fd >= 0 ? 0 : -fd);
		}
		if (waitpid(inner, &status, 0) != inner || !WIFEXITED(status))
			_exit(101);
		_exit(WEXITSTATUS(status));
	}
	int status = wait_status(child);
	cr_assert(WIFEXITED(status));
	cr_expect_eq(WEXITSTATUS(status), ETIMEDOUT, "proc_open in a child pid namespace: %s",
		     strerror(WEXITSTATUS(status)));
}

/* A datagram from another socket (root may send to any port) is not the kernel's word. */
Test(proc_live, only_the_kernel_is_heard, .timeout = 30)
{
	struct sockaddr_nl addr = {.nl_family = AF_NETLINK};
	socklen_t len = sizeof(addr);
	struct proc_event forged_exit = {.what = PROC_EVENT_EXIT,
					 .event_data.exit = {PROC_PID_MAX, PROC_PID_MAX, 0, 17}};
	struct dgram d = dgram_of(&forged_exit);
	uint8_t buf[PROC_RECV_SIZE];

	/* Bound to no group: only unicasts reach it. */
	int target =
		socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	int sender = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	cr_assert(target >= 0 && sender >= 0);
	cr_assert_eq(bind(target, (struct sockaddr *)&addr, sizeof(addr)), 0);
	cr_assert_eq(getsockname(target, (struct sockaddr *)&addr, &len), 0);

	cr_assert_eq(sendto(sender, d.bytes, d.len, 0, (struct sockaddr *)&addr, sizeof(addr)),
		     (ssize_t)d.len, "%s", strerror(errno));
	cr_expect_eq(proc_receive(target, buf, sizeof(buf)), -EAGAIN, "the forgery was returned");
	/* The control: it does arrive, to a plain recv. */
	cr_assert_eq(sendto(sender, d.bytes, d.len, 0, (struct sockaddr *)&addr, sizeof(addr)),
		     (ssize_t)d.len);
	cr_expect_eq(recv(target, buf, sizeof(buf), MSG_DONTWAIT), (ssize_t)d.len);
	close(sender);
	close(target);
}

/* ---- live: start times ---------------------------------------------------------------- */

/* starttime of /proc/self/stat, parsed here independently, in ns. */
static uint64_t self_start_ns_by_hand(void)
{
	char line[4096];
	unsigned long long ticks;
	FILE *f = fopen("/proc/self/stat", "re");

	cr_assert(f);
	cr_assert(fgets(line, sizeof(line), f));
	fclose(f);
	char *p = strrchr(line, ')');
	cr_assert(p);
	cr_assert_eq(sscanf(p + 2,
			    "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
			    "%*d %*d %*d %*d %llu",
			    &ticks),
		     1);
	return ticks * (1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK));
}

Test(proc_live, start_time_identifies_a_process, .timeout = 30)
{
	static struct watch w;
	uint64_t tick = 1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK), self, child_ns, zombie_ns;
	int pipefd[2];

	cr_assert_eq(proc_start_time_ns(getpid(), &self), 0);
	cr_expect_eq(self, self_start_ns_by_hand(), "%llu", (unsigned long long)self);

	/* Two ticks later, a child is strictly younger. */
	while (now_ns(CLOCK_BOOTTIME) < self + 2 * tick)
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	watch_open(&w, 0);
	cr_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);
	pid_t child = test_fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		char c;
		close(pipefd[1]);
		_exit(read(pipefd[0], &c, 1) == 0 ? 0 : 1);
	}
	close(pipefd[0]);
	follow(&w, child);
	cr_assert_eq(proc_start_time_ns(child, &child_ns), 0);
	cr_expect_gt(child_ns, self, "child %llu, self %llu", (unsigned long long)child_ns,
		     (unsigned long long)self);

	/* The fork event's timestamp, moved to CLOCK_BOOTTIME, is within the start tick. */
	const struct proc_change *fork_c = await(&w, PROC_CHANGE_FORK, child);
	uint64_t offset = now_ns(CLOCK_BOOTTIME) - now_ns(CLOCK_MONOTONIC);
	uint64_t fork_boot = fork_c->time_ns + offset, slack = 1000000;
	cr_expect(child_ns <= fork_boot + slack && fork_boot < child_ns + tick + slack,
		  "start %llu, fork event %llu (boottime)", (unsigned long long)child_ns,
		  (unsigned long long)fork_boot);

	/* A zombie keeps its start time; a pid that does not exist has none. */
	close(pipefd[1]);
	siginfo_t info;
	cr_assert_eq(waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT), 0);
	cr_assert_eq(proc_start_time_ns(child, &zombie_ns), 0);
	cr_expect_eq(zombie_ns, child_ns);
	cr_expect_eq(wait_status(child), 0);
	cr_expect_eq(proc_start_time_ns(PROC_PID_MAX + 1, &zombie_ns), -ESRCH);
	cr_expect_eq(proc_start_time_ns(0, &zombie_ns), -EINVAL);
	cr_expect_eq(proc_start_time_ns(-1, &zombie_ns), -EINVAL);
	watch_close(&w);
}
