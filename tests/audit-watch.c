/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "audit-watch.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define AUDIT_SECCOMP_TYPE 1326

int audit_watch_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (fd < 0)
		return -errno;
	int size = 8 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	struct sockaddr_nl addr = {.nl_family = AF_NETLINK,
				   .nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1)};
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

static long field(const char *text, const char *key, int base)
{
	const char *p = strstr(text, key);
	return p ? strtol(p + strlen(key), NULL, base) : -1;
}

static void parse(const char *text, struct audit_record *rec)
{
	rec->pid = (pid_t)field(text, " pid=", 10);
	rec->syscall = (int)field(text, " syscall=", 10);
	rec->arch = (uint32_t)strtoul(strstr(text, " arch=") ? strstr(text, " arch=") + 6 : "0",
				      NULL, 16);
	rec->code = (uint32_t)strtoul(strstr(text, " code=") ? strstr(text, " code=") + 6 : "0",
				      NULL, 16);
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int audit_watch_find(int fd, pid_t pid, int syscall, uint32_t code, int timeout_ms,
		     struct audit_record *ret)
{
	char buf[16384];
	long deadline = now_ms() + timeout_ms;
	for (long left; (left = deadline - now_ms()) > 0;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < (ssize_t)NLMSG_HDRLEN)
			continue;
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		if (h->nlmsg_type != AUDIT_SECCOMP_TYPE || h->nlmsg_len > (size_t)n)
			continue;
		buf[h->nlmsg_len] = '\0';
		struct audit_record rec;
		parse((char *)NLMSG_DATA(h), &rec);
		if (rec.pid == pid && (syscall < 0 || rec.syscall == syscall) &&
		    (!code || rec.code == code)) {
			*ret = rec;
			return 0;
		}
	}
	return -ETIMEDOUT;
}
