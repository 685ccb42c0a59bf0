/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "notify-ident.h"
#include "procfs.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* since 6.9: a pidfd on a thread, not only on a leader */
#endif

void notify_threads_init(struct notify_threads *c)
{
	*c = (struct notify_threads){0};
	for (size_t i = 0; i < NOTIFY_THREADS_CACHED; i++)
		c->slot[i].pidfd = -1;
}

static void slot_free(struct notify_thread *t)
{
	if (t->pidfd >= 0)
		close(t->pidfd);
	*t = (struct notify_thread){.pidfd = -1};
}

void notify_threads_clear(struct notify_threads *c)
{
	for (size_t i = 0; i < NOTIFY_THREADS_CACHED; i++)
		slot_free(&c->slot[i]);
}

/* "Name:" is the comm with '\n' and '\\' escaped by the kernel (and nothing else). */
static void unescape_name(const char *s, size_t len, char *out, size_t size)
{
	size_t o = 0;
	for (size_t i = 0; i < len && o + 1 < size; i++, o++) {
		if (s[i] == '\\' && i + 1 < len && (s[i + 1] == 'n' || s[i + 1] == '\\'))
			out[o] = s[++i] == 'n' ? '\n' : '\\';
		else
			out[o] = s[i];
	}
	out[o] = '\0';
}

int notify_parse_status(const char *text, struct seccomp_event *e)
{
	int found = 0;
	for (const char *line = text; *line && found < 4;) {
		const char *end = strchrnul(line, '\n');
		char *num_end;
		if (strncmp(line, "Name:\t", 6) == 0) {
			unescape_name(line + 6, (size_t)(end - line - 6), e->comm, sizeof(e->comm));
			found++;
		} else if (strncmp(line, "Tgid:\t", 6) == 0) {
			e->pid = (int32_t)strtol(line + 6, &num_end, 10);
			found++;
		} else if (strncmp(line, "Uid:\t", 5) == 0) {
			e->uid = (uint32_t)strtoul(line + 5, &num_end, 10);
			found++;
		} else if (strncmp(line, "Gid:\t", 5) == 0) {
			e->gid = (uint32_t)strtoul(line + 5, &num_end, 10);
			found++;
		}
		line = *end ? end + 1 : end;
	}
	return found;
}

/* One read: the kernel renders the whole file anyway, the lines we want come first. */
static void read_status(pid_t tid, struct seccomp_event *e)
{
	char path[64], text[1024];
	format_into(path, sizeof(path), "/proc/%d/status", (int)tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return;
	text[n] = '\0';
	notify_parse_status(text, e);
}

static bool thread_alive(const struct notify_thread *t)
{
	struct pollfd p = {.fd = t->pidfd, .events = POLLIN};
	return poll(&p, 1, 0) == 0; /* POLLIN: it exited */
}

/* The thread's slot while it lives; a new one (pidfd opened before the start time is read,
 * so the time is the thread's if it is still alive after) otherwise. */
static const struct notify_thread *thread_of(struct notify_threads *c, pid_t tid, pid_t tgid)
{
	for (size_t i = 0; i < NOTIFY_THREADS_CACHED; i++) {
		struct notify_thread *t = &c->slot[i];
		if (t->pidfd < 0 || t->tid != tid)
			continue;
		if (t->tgid == tgid && thread_alive(t))
			return t;
		slot_free(t);
	}
	struct notify_thread fresh = {.tid = tid, .tgid = tgid};
	fresh.pidfd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
	if (fresh.pidfd < 0 || proc_start_time_ns(tgid, &fresh.start_ns) < 0 ||
	    !thread_alive(&fresh)) {
		slot_free(&fresh);
		return NULL;
	}
	struct notify_thread *t = &c->slot[c->next++ % NOTIFY_THREADS_CACHED];
	slot_free(t);
	*t = fresh;
	return t;
}

void notify_identity(struct notify_threads *c, struct seccomp_event *e, uint64_t *ret_start_ns)
{
	char path[64];
	e->pid = e->tid;
	read_status(e->tid, e);
	format_into(path, sizeof(path), "/proc/%d/exe", (int)e->pid);
	ssize_t n = readlink(path, e->exe, sizeof(e->exe) - 1);
	e->exe[n > 0 ? n : 0] = '\0';
	if (n <= 0)
		e->flags |= SECCOMP_EVENT_NO_EXE;
	const struct notify_thread *t = thread_of(c, e->tid, e->pid);
	*ret_start_ns = t ? t->start_ns : 0;
}
