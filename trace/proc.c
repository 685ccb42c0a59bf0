/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The process connector: subscription, reception, and the decoder of its datagrams.
 *
 * A datagram is one or more netlink messages (the kernel sends one, of type NLMSG_DONE),
 * each carrying a struct cn_msg whose data is a struct proc_event. Neither header is aligned
 * in the datagram (the event starts at byte 36), so every header is copied out before it is
 * read, and every length is checked against what encloses it first.
 */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define EVENT_HEAD_SIZE offsetof(struct proc_event, event_data) /* what, cpu, timestamp */
#define ERRNO_MAX	4095					/* MAX_ERRNO */
#define EXIT_SIGNAL_MAX 255 /* clone(2) takes any CSIGNAL byte as the exit signal */
#define SIGNAL_MAX	64  /* _NSIG */

/* ---- decoding ------------------------------------------------------------------------- */

static bool task_id_ok(int32_t id)
{
	return id > 0 && id <= PROC_PID_MAX;
}

/* Parents and tracers: 0 means none (reaped, detached, or the idle task). */
static bool other_id_ok(int32_t id)
{
	return id >= 0 && id <= PROC_PID_MAX;
}

static bool task_ok(int32_t tgid, int32_t tid)
{
	return task_id_ok(tgid) && task_id_ok(tid);
}

/* task->exit_code is a wait(2) status for every user task; kernel threads return anything. */
void proc_decode_exit_code(uint32_t code, struct proc_change *c)
{
	c->exit.code = code;
	if ((code & 0xff) == 0 && code <= 0xff00) {
		c->exit.how = PROC_EXIT_STATUS;
		c->exit.status = (int32_t)(code >> 8);
	} else if (code <= 0xff && (code & 0x7f) != 0 && (code & 0x7f) <= SIGNAL_MAX) {
		c->exit.how = PROC_EXIT_SIGNAL;
		c->exit.signal = (int32_t)(code & 0x7f);
		c->exit.core_dumped = (code & 0x80) != 0;
	} else {
		c->exit.how = PROC_EXIT_OTHER;
	}
}

static int decode_fork(const struct fork_proc_event *f, struct proc_change *c)
{
	if (!task_ok(f->child_tgid, f->child_pid) || !other_id_ok(f->parent_tgid) ||
	    !other_id_ok(f->parent_pid))
		return -EINVAL;
	c->tgid = f->child_tgid;
	c->tid = f->child_pid;
	c->fork.parent_tgid = f->parent_tgid;
	c->fork.parent_tid = f->parent_pid;
	c->fork.thread = f->child_pid != f->child_tgid;
	return 1;
}

static int decode_exit(const struct exit_proc_event *e, struct proc_change *c)
{
	int32_t exit_signal = (int32_t)e->exit_signal;

	if (!task_ok(e->process_tgid, e->process_pid) || !other_id_ok(e->parent_tgid) ||
	    !other_id_ok(e->parent_pid) || exit_signal < -1 || exit_signal > EXIT_SIGNAL_MAX)
		return -EINVAL;
	c->tgid = e->process_tgid;
	c->tid = e->process_pid;
	proc_decode_exit_code(e->exit_code, c);
	c->exit.exit_signal = exit_signal;
	c->exit.parent_tgid = e->parent_tgid;
	c->exit.parent_tid = e->parent_pid;
	return 1;
}

static int decode_comm(const struct comm_proc_event *e, struct proc_change *c)
{
	/* get_task_comm() always terminates; a comm without a NUL is not the kernel's. */
	const char *nul = memchr(e->comm, '\0', sizeof(e->comm));

	if (!task_ok(e->process_tgid, e->process_pid) || !nul)
		return -EINVAL;
	c->tgid = e->process_tgid;
	c->tid = e->process_pid;
	memcpy(c->comm.comm, e->comm, (size_t)(nul - e->comm));
	return 1;
}

static int decode_id(const struct id_proc_event *e, struct proc_change *c)
{
	if (!task_ok(e->process_tgid, e->process_pid))
		return -EINVAL;
	c->tgid = e->process_tgid;
	c->tid = e->process_pid;
	c->id.real = e->r.ruid;
	c->id.effective = e->e.euid;
	return 1;
}

static int decode_ptrace(const struct ptrace_proc_event *e, struct proc_change *c)
{
	if (!task_ok(e->process_tgid, e->process_pid) || !other_id_ok(e->tracer_tgid) ||
	    !other_id_ok(e->tracer_pid))
		return -EINVAL;
	c->tgid = e->process_tgid;
	c->tid = e->process_pid;
	c->ptrace.tracer_tgid = e->tracer_tgid;
	c->ptrace.tracer_tid = e->tracer_pid;
	return 1;
}

static int decode_coredump(const struct coredump_proc_event *e, struct proc_change *c)
{
	if (!task_ok(e->process_tgid, e->process_pid) || !other_id_ok(e->parent_tgid) ||
	    !other_id_ok(e->parent_pid))
		return -EINVAL;
	c->tgid = e->process_tgid;
	c->tid = e->process_pid;
	c->coredump.parent_tgid = e->parent_tgid;
	c->coredump.parent_tid = e->parent_pid;
	return 1;
}

/* exec and sid carry a task and nothing else. */
static int decode_task_only(int32_t tgid, int32_t tid, struct proc_change *c)
{
	if (!task_ok(tgid, tid))
		return -EINVAL;
	c->tgid = tgid;
	c->tid = tid;
	return 1;
}

static int decode_ack(const struct proc_event *ev, uint32_t ack, struct proc_change *c)
{
	if (ev->event_data.ack.err > ERRNO_MAX)
		return -EINVAL;
	c->ack.error = (int32_t)ev->event_data.ack.err;
	c->ack.ack = ack;
	return 1;
}

/* Bytes of event_data each event type needs; 0 for types this decoder does not know. */
static size_t event_data_size(uint32_t what)
{
	const struct proc_event *ev = NULL;

	switch (what) {
	case PROC_EVENT_NONE:
		return sizeof(ev->event_data.ack);
	case PROC_EVENT_FORK:
		return sizeof(ev->event_data.fork);
	case PROC_EVENT_EXEC:
		return sizeof(ev->event_data.exec);
	case PROC_EVENT_UID:
	case PROC_EVENT_GID:
		return sizeof(ev->event_data.id);
	case PROC_EVENT_SID:
		return sizeof(ev->event_data.sid);
	case PROC_EVENT_PTRACE:
		return sizeof(ev->event_data.ptrace);
	case PROC_EVENT_COMM:
		return sizeof(ev->event_data.comm);
	case PROC_EVENT_COREDUMP:
		return sizeof(ev->event_data.coredump);
	case PROC_EVENT_EXIT:
		return sizeof(ev->event_data.exit);
	default:
		return 0;
	}
}

static int decode_event(const struct proc_event *ev, uint32_t ack, struct proc_change *c)
{
	const __typeof__(ev->event_data) *d = &ev->event_data;

	switch (ev->what) {
	case PROC_EVENT_NONE:
		c->type = PROC_CHANGE_ACK;
		return decode_ack(ev, ack, c);
	case PROC_EVENT_FORK:
		c->type = PROC_CHANGE_FORK;
		return decode_fork(&d->fork, c);
	case PROC_EVENT_EXEC:
		c->type = PROC_CHANGE_EXEC;
		return decode_task_only(d->exec.process_tgid, d->exec.process_pid, c);
	case PROC_EVENT_UID:
		c->type = PROC_CHANGE_UID;
		return decode_id(&d->id, c);
	case PROC_EVENT_GID:
		c->type = PROC_CHANGE_GID;
		return decode_id(&d->id, c);
	case PROC_EVENT_SID:
		c->type = PROC_CHANGE_SID;
		return decode_task_only(d->sid.process_tgid, d->sid.process_pid, c);
	case PROC_EVENT_PTRACE:
		c->type = PROC_CHANGE_PTRACE;
		return decode_ptrace(&d->ptrace, c);
	case PROC_EVENT_COMM:
		c->type = PROC_CHANGE_COMM;
		return decode_comm(&d->comm, c);
	case PROC_EVENT_COREDUMP:
		c->type = PROC_CHANGE_COREDUMP;
		return decode_coredump(&d->coredump, c);
	case PROC_EVENT_EXIT:
		c->type = PROC_CHANGE_EXIT;
		return decode_exit(&d->exit, c);
	default:
		return 0;
	}
}

/*
 * One cn_msg and its data, len bytes. Returns 1 with *c filled, 0 when it is not a process
 * event this decoder knows, -EINVAL when malformed.
 */
static int decode_cn_msg(const uint8_t *p, size_t len, struct proc_change *c)
{
	struct cn_msg cn;
	struct proc_event ev;
	size_t need;

	if (len < sizeof(cn))
		return -EINVAL;
	memcpy(&cn, p, sizeof(cn));
	if (cn.len > len - sizeof(cn))
		return -EINVAL;
	if (cn.id.idx != CN_IDX_PROC || cn.id.val != CN_VAL_PROC)
		return 0;
	if (cn.len < EVENT_HEAD_SIZE)
		return -EINVAL;

	/* A newer kernel may send a longer event: read the part this decoder knows. */
	memset(&ev, 0, sizeof(ev));
	memcpy(&ev, p + sizeof(cn), cn.len < sizeof(ev) ? cn.len : sizeof(ev));
	need = event_data_size(ev.what);
	if (need == 0)
		return 0;
	if (cn.len < EVENT_HEAD_SIZE + need)
		return -EINVAL;
	/* Kernels before 6.6 sent acknowledgements with cpu -1, outside the per-CPU count. */
	if (ev.cpu > PROC_CPU_MAX && !(ev.what == PROC_EVENT_NONE && ev.cpu == UINT32_MAX))
		return -EINVAL;

	memset(c, 0, sizeof(*c));
	c->time_ns = ev.timestamp_ns;
	c->cpu = ev.cpu;
	c->seq = cn.seq;
	return decode_event(&ev, cn.ack, c);
}

int proc_decode(const void *buf, size_t len, struct proc_change *out, size_t max)
{
	const uint8_t *p = buf;
	size_t n = 0;

	if (!buf || len == 0)
		return -EINVAL;
	for (;;) {
		struct nlmsghdr nl;
		size_t step;
		int r;

		if (len < NLMSG_HDRLEN)
			return -EINVAL;
		memcpy(&nl, p, sizeof(nl));
		if (nl.nlmsg_len < NLMSG_HDRLEN || nl.nlmsg_len > len)
			return -EINVAL;
		/* The connector sends its messages as NLMSG_DONE; the rest is not ours. */
		if (nl.nlmsg_type == NLMSG_DONE) {
			struct proc_change c;

			r = decode_cn_msg(p + NLMSG_HDRLEN, nl.nlmsg_len - NLMSG_HDRLEN, &c);
			if (r < 0)
				return r;
			if (r > 0) {
				if (n == max)
					return -ENOSPC;
				out[n++] = c;
			}
		}
		/* The last message need not carry its alignment padding. */
		step = NLMSG_ALIGN(nl.nlmsg_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return n > INT_MAX ? -ENOSPC : (int)n;
}

long proc_seq_gap(uint64_t *next, size_t ncpus, const struct proc_change *c)
{
	uint64_t want;
	uint32_t gap;

	if (c->type == PROC_CHANGE_ACK && c->cpu == UINT32_MAX)
		return 0;
	if (c->cpu >= ncpus)
		return -ERANGE;
	want = next[c->cpu];
	next[c->cpu] = (uint32_t)(c->seq + 1);
	if (want == PROC_SEQ_UNSEEN)
		return 0;
	/* Counters wrap; a step backwards is not a loss of 4 billion messages: resync. */
	gap = c->seq - (uint32_t)want;
	return gap > INT32_MAX ? 0 : (long)gap;
}

/* ---- the socket ---------------------------------------------------------------------- */

/* PROC_CN_MCAST_LISTEN or _IGNORE, to the kernel; its answer carries nonce + 1. */
static int send_mcast_op(int fd, enum proc_cn_mcast_op op, uint32_t nonce)
{
	struct {
		struct nlmsghdr nl;
		struct cn_msg cn;
		uint32_t op;
	} req;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};

	_Static_assert(sizeof(req) == NLMSG_LENGTH(sizeof(struct cn_msg) + sizeof(uint32_t)),
		       "the request has no padding");
	memset(&req, 0, sizeof(req));
	req.nl.nlmsg_len = sizeof(req);
	req.nl.nlmsg_type = NLMSG_DONE;
	req.cn.id.idx = CN_IDX_PROC;
	req.cn.id.val = CN_VAL_PROC;
	req.cn.ack = nonce;
	req.cn.len = sizeof(req.op);
	req.op = op;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	return 0;
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One datagram from the kernel; see proc_receive(). */
static int receive_from_kernel(int fd, void *buf, size_t size, int flags)
{
	struct iovec iov = {.iov_base = buf, .iov_len = size < INT_MAX ? size : INT_MAX};

	for (;;) {
		struct sockaddr_nl from;
		struct msghdr msg = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
		};
		ssize_t n = recvmsg(fd, &msg, flags);

		if (n < 0)
			return -errno;
		if (msg.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		/* Only root can send to this socket, but only the kernel speaks for processes. */
		if (msg.msg_namelen >= sizeof(from) && from.nl_family == AF_NETLINK &&
		    from.nl_pid == 0)
			return (int)n;
	}
}

/* Is this datagram the kernel's answer to our request? 1 yes (*ret_error set), 0 no. */
static int is_our_ack(const void *buf, size_t len, uint32_t nonce, int *ret_error)
{
	struct proc_change c[4];
	int n = proc_decode(buf, len, c, 4);

	for (int i = 0; i < n; i++) {
		if (c[i].type == PROC_CHANGE_ACK && c[i].ack.ack == nonce + 1) {
			*ret_error = c[i].ack.error;
			return 1;
		}
	}
	return 0;
}

/* Wait for the acknowledgement; what arrives before it is dropped (see proc_open()). */
static int wait_for_ack(int fd, uint32_t nonce)
{
	int64_t deadline = monotonic_ms() + PROC_ACK_TIMEOUT_MS;
	uint8_t buf[PROC_RECV_SIZE];

	for (;;) {
		int64_t left = deadline - monotonic_ms();
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int r, error;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		r = receive_from_kernel(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (r == -EAGAIN || r == -EINTR || r == -ENOBUFS || r == -EMSGSIZE)
			continue;
		if (r < 0)
			return r;
		if (is_our_ack(buf, (size_t)r, nonce, &error))
			return -error;
	}
}

static int set_receive_buffer(int fd, size_t size)
{
	int v;

	if (size > INT_MAX / 2)
		return -EINVAL;
	v = (int)size;
	/* FORCE passes net.core.rmem_max, for CAP_NET_ADMIN only; otherwise take what we can. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) == 0)
		return 0;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) < 0)
		return -errno;
	return 0;
}

/* The socket's netlink port id: unique among live sockets, so as the request's nonce it
 * tells our acknowledgement from another listener's (acks are multicast to everyone). */
static int port_id(int fd, uint32_t *ret)
{
	struct sockaddr_nl addr;
	socklen_t len = sizeof(addr);

	if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
		return -errno;
	if (len < sizeof(addr) || addr.nl_family != AF_NETLINK)
		return -EPROTO;
	*ret = addr.nl_pid;
	return 0;
}

int proc_open(unsigned flags, size_t rcvbuf)
{
	struct sockaddr_nl addr = {.nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC};
	int type = SOCK_DGRAM | SOCK_CLOEXEC, fd, r;
	uint32_t nonce;

	if (flags & ~PROC_OPEN_NONBLOCK)
		return -EINVAL;
	if (flags & PROC_OPEN_NONBLOCK)
		type |= SOCK_NONBLOCK;
	fd = socket(AF_NETLINK, type, NETLINK_CONNECTOR);
	if (fd < 0)
		return -errno;
	r = set_receive_buffer(fd, rcvbuf ? rcvbuf : PROC_RCVBUF_DEFAULT);
	if (r < 0)
		goto fail;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		r = -errno;
		goto fail;
	}
	r = port_id(fd, &nonce);
	if (r < 0)
		goto fail;
	r = send_mcast_op(fd, PROC_CN_MCAST_LISTEN, nonce);
	if (r < 0)
		goto fail;
	r = wait_for_ack(fd, nonce);
	if (r < 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return r;
}

int proc_close(int fd)
{
	uint32_t nonce;
	int r;

	if (fd < 0)
		return -EBADF;
	r = port_id(fd, &nonce);
	if (r == 0)
		r = send_mcast_op(fd, PROC_CN_MCAST_IGNORE, nonce);
	close(fd);
	return r;
}

int proc_receive(int fd, void *buf, size_t size)
{
	return receive_from_kernel(fd, buf, size, 0);
}
