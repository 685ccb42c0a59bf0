/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "audit.h"
#include "audit-parse.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DATAGRAM_MAX 9000 /* MAX_AUDIT_MESSAGE_LENGTH (8970) plus the header */

int audit_source_open(struct audit_source *a, int rcvbuf)
{
	*a = (struct audit_source){.fd = -1};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_AUDIT);
	if (fd < 0)
		return -errno;
	/* FORCE passes rmem_max (root); the plain one is the fallback without CAP_NET_ADMIN. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	struct sockaddr_nl addr = {.nl_family = AF_NETLINK,
				   .nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1)};
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	a->fd = fd;
	return 0;
}

void audit_source_close(struct audit_source *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}

/* Records lost between two stamps: a second of slack before, for records of other CPUs
 * that arrive out of order (a serial is declared lost only once it leaves the window). */
#define LOSS_SLACK_NS 1000000000ull

static void note_serial(struct audit_source *a, const char *text, size_t len,
			const struct audit_sink *sink)
{
	uint32_t serial, first = 0, last = 0;
	uint64_t time_ns = 0, before_ns = a->last_time_ns;
	if (audit_parse_stamp(text, len, &time_ns, &serial) < 0)
		return;
	a->last_time_ns = time_ns;
	uint32_t lost = serial_window_note(&a->serials, serial, &first, &last);
	if (!lost)
		return;
	a->lost += lost;
	if (!before_ns || before_ns > time_ns)
		before_ns = time_ns;
	struct audit_loss loss = {.kind = AUDIT_LOSS_SERIAL_GAP,
				  .records = lost,
				  .first_serial = first,
				  .last_serial = last,
				  .first_ns =
					  before_ns > LOSS_SLACK_NS ? before_ns - LOSS_SLACK_NS : 0,
				  .last_ns = time_ns};
	sink->loss(&loss, sink->userdata);
}

void audit_source_datagram(struct audit_source *a, const void *buf, size_t len,
			   const struct audit_sink *sink)
{
	const struct nlmsghdr *h = buf;
	if (len < NLMSG_HDRLEN || h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len)
		return;
	const char *text = (const char *)buf + NLMSG_HDRLEN;
	size_t text_len = h->nlmsg_len - NLMSG_HDRLEN;
	/* every record type counts for the serials, only AUDIT_SECCOMP is an event */
	note_serial(a, text, text_len, sink);
	if (h->nlmsg_type != AUDIT_SECCOMP)
		return;
	struct seccomp_event e;
	if (audit_parse_seccomp(text, text_len, &e) < 0) {
		a->rejected++;
		return;
	}
	e.sources = SECCOMP_EVENT_SOURCE_AUDIT;
	a->records++;
	sink->event(&e, sink->userdata);
}

int audit_source_drain(struct audit_source *a, const struct audit_sink *sink, unsigned budget)
{
	char buf[DATAGRAM_MAX];
	unsigned n = 0;
	for (; n < budget; n++) {
		ssize_t len = recv(a->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0 && errno == ENOBUFS) {
			/* records were dropped after the last one read, until now; the serial
			 * window will say how many */
			a->enobufs++;
			struct audit_loss loss = {.kind = AUDIT_LOSS_ENOBUFS,
						  .first_ns = a->last_time_ns};
			sink->loss(&loss, sink->userdata);
			continue;
		}
		if (len < 0)
			return errno == EAGAIN ? (int)n : -errno;
		audit_source_datagram(a, buf, (size_t)len, sink);
	}
	return (int)n;
}
