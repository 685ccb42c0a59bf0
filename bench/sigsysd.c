/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sigsysd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_POLL_MS 20
#define START_MAX_MS  20000 /* a 1 M event store is opened (and checked) first */

void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

static const char *sigsysd_path(void)
{
	const char *p = getenv("SIGSYSD");
	return p && *p ? p : BENCH_SIGSYSD;
}

int bench_sigsysd_dirs(struct bench_sigsysd *d, const char *prefix)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "/var/tmp/sigsys-bench-%s-XXXXXX", prefix);
	if (!mkdtemp(d->dir))
		return -errno;
	snprintf(d->run_dir, sizeof(d->run_dir), "%s/run", d->dir);
	snprintf(d->db, sizeof(d->db), "%s/sigsys.db", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/sigsysd.log", d->dir);
	return 0;
}

static void exec_sigsysd(const struct bench_sigsysd *d, const char *sources)
{
	int fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	execl(sigsysd_path(), "sigsysd", "--foreground", "--run-dir", d->run_dir, "--db", d->db,
	      "--sources", sources, "--profile-dir", BENCH_PROFILE_DIR, (char *)NULL);
	_exit(127);
}

int bench_sigsysd_start(struct bench_sigsysd *d, const char *sources)
{
	char sock[128];
	snprintf(sock, sizeof(sock), "%s/api.sock", d->run_dir);
	d->pid = fork();
	if (d->pid < 0)
		return -errno;
	if (d->pid == 0)
		exec_sigsysd(d, sources);
	for (int waited = 0; waited < START_MAX_MS; waited += START_POLL_MS) {
		if (access(sock, F_OK) == 0)
			return 0;
		if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
			fprintf(stderr, "bench: %s exited at start (see %s)\n", sigsysd_path(),
				d->log);
			d->pid = 0;
			return -ECHILD;
		}
		sleep_ms(START_POLL_MS);
	}
	fprintf(stderr, "bench: sigsysd did not start (no %s; see %s)\n", sock, d->log);
	return -ETIMEDOUT;
}

void bench_sigsysd_stop(struct bench_sigsysd *d)
{
	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		waitpid(d->pid, NULL, 0);
	}
	d->pid = 0;
}

void bench_sigsysd_remove(struct bench_sigsysd *d)
{
	char cmd[128];
	if (!d->dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: could not remove %s\n", d->dir);
	d->dir[0] = '\0';
}

static int api_connect(const struct bench_sigsysd *d)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/api.sock", d->run_dir);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* The whole answer, until the server closes (HTTP/1.0); what does not fit is read and
 * dropped so the server never blocks on us. */
static ssize_t read_answer(int fd, char *buf, size_t size)
{
	char sink[4096];
	size_t len = 0;
	for (;;) {
		char *to = len < size - 1 ? buf + len : sink;
		size_t room = len < size - 1 ? size - 1 - len : sizeof(sink);
		ssize_t n = read(fd, to, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		if (to != sink)
			len += (size_t)n;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

int bench_sigsysd_get(const struct bench_sigsysd *d, const char *path, char *body, size_t size)
{
	char request[512], answer[1 << 16];
	int status = 0, len = snprintf(request, sizeof(request),
				       "GET %s HTTP/1.0\r\nHost: sigsysd\r\n\r\n", path);
	if (len < 0 || (size_t)len >= sizeof(request))
		return -E2BIG;
	int fd = api_connect(d);
	if (fd < 0)
		return fd;
	ssize_t n = write(fd, request, (size_t)len) == len ? read_answer(fd, answer, sizeof(answer))
							   : -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	const char *start = strstr(answer, "\r\n\r\n");
	if (sscanf(answer, "HTTP/1.%*d %d", &status) != 1 || !start)
		return -EPROTO;
	snprintf(body, size, "%s", start + 4);
	return status;
}
