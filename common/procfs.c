/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading /proc for what identifies a process: its start time. */
#include "procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NSEC_PER_SEC 1000000000ull

#define STAT_START_FIELD 22
#define STAT_SIZE_MAX	 4096 /* a stat line is ~300 bytes; comm is at most 64 */

/* A decimal u64 spanning all of [p, end). */
static bool parse_u64(const char *p, const char *end, uint64_t *ret)
{
	uint64_t v = 0;

	if (p == end)
		return false;
	for (; p < end; p++) {
		unsigned d = (unsigned char)*p - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*ret = v;
	return true;
}

int proc_stat_start_ticks(const char *text, size_t len, uint64_t *ret_ticks)
{
	const char *end = text + len, *p;

	if (!text || len == 0)
		return -EINVAL;
	/* "PID (COMM) S …": COMM may hold ") (", so the last ')' ends it. */
	p = memrchr(text, ')', len);
	if (!p || !memchr(text, '(', (size_t)(p - text)))
		return -EINVAL;
	p++;
	for (int field = 3; field <= STAT_START_FIELD; field++) {
		const char *start;

		if (p == end || *p != ' ')
			return -EINVAL;
		start = ++p;
		while (p < end && *p != ' ' && *p != '\n')
			p++;
		if (p == start)
			return -EINVAL;
		if (field == STAT_START_FIELD)
			return parse_u64(start, p, ret_ticks) ? 0 : -EINVAL;
	}
	return -EINVAL;
}

int proc_ticks_to_ns(uint64_t ticks, long hz, uint64_t *ret_ns)
{
	uint64_t whole, part, ns;

	if (hz <= 0)
		return -EINVAL;
	/* Seconds and the rest apart: ticks * 1e9 alone overflows after 5.8 years at 100 Hz. */
	part = (ticks % (uint64_t)hz) * NSEC_PER_SEC / (uint64_t)hz;
	if (__builtin_mul_overflow(ticks / (uint64_t)hz, NSEC_PER_SEC, &whole) ||
	    __builtin_add_overflow(whole, part, &ns))
		return -ERANGE;
	*ret_ns = ns;
	return 0;
}

static int read_stat(pid_t pid, char *buf, size_t size, size_t *ret_len)
{
	char path[32];
	size_t len = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	while (len < size) {
		ssize_t n = read(fd, buf + len, size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int r = errno == ESRCH ? -ESRCH : -errno;

			close(fd);
			return r;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len == size) /* longer than any stat line: not one */
		return -EINVAL;
	*ret_len = len;
	return 0;
}

int proc_start_time_ns(pid_t pid, uint64_t *ret_ns)
{
	char buf[STAT_SIZE_MAX];
	uint64_t ticks;
	size_t len = 0;
	int r;

	if (pid <= 0)
		return -EINVAL;
	r = read_stat(pid, buf, sizeof(buf), &len);
	if (r < 0)
		return r;
	r = proc_stat_start_ticks(buf, len, &ticks);
	if (r < 0)
		return r;
	return proc_ticks_to_ns(ticks, sysconf(_SC_CLK_TCK), ret_ns);
}
