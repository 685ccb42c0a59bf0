/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "api-client.h"
#include "../common/util.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define REQUEST_MAX 4096

const char *api_run_dir(const char *option)
{
	const char *env = getenv("SIGSYS_RUN_DIR");
	if (option)
		return option;
	return env && *env ? env : API_RUN_DIR_DEFAULT;
}

int api_escape(const char *text, char *buf, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || strchr("-._~", *p);
		if (n + (plain ? 1 : 3) >= size)
			return -ENAMETOOLONG;
		if (plain) {
			buf[n++] = (char)*p;
		} else {
			buf[n++] = '%';
			buf[n++] = hex[*p >> 4];
			buf[n++] = hex[*p & 15];
		}
	}
	if (n >= size)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

static int64_t ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for events or the deadline passes. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = {.fd = fd, .events = events};
	for (;;) {
		int64_t left = deadline - ms_now();
		if (left <= 0)
			return -ETIMEDOUT;
		int r = poll(&p, 1, (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

static int connect_to(const char *run_dir, int64_t deadline)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if ((size_t)snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/api.sock", run_dir) >=
	    sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int r = -errno;
		if (r == -EINPROGRESS || r == -EAGAIN) {
			/* A full backlog: wait for the daemon to accept. */
			socklen_t len = sizeof(r);
			if ((r = wait_fd(fd, POLLOUT, deadline)) == 0 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &r, &len) == 0)
				r = -r;
		}
		if (r < 0) {
			close(fd);
			return r;
		}
	}
	return fd;
}

static int send_all(int fd, const char *buf, size_t len, int64_t deadline)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			int r = wait_fd(fd, POLLOUT, deadline);
			if (r < 0)
				return r;
			continue;
		}
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Everything until the daemon closes, at most API_RESPONSE_MAX bytes. */
static int recv_all(int fd, char **ret, size_t *ret_len, int64_t deadline)
{
	size_t len = 0, cap = 64u << 10;
	char *buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			if (cap >= API_RESPONSE_MAX) {
				free(buf);
				return -EFBIG;
			}
			cap = cap * 2 > API_RESPONSE_MAX ? API_RESPONSE_MAX : cap * 2;
			char *bigger = realloc(buf, cap + 1);
			if (!bigger) {
				free(buf);
				return -ENOMEM;
			}
			buf = bigger;
		}
		ssize_t n = recv(fd, buf + len, cap - len, 0);
		if (n == 0)
			break;
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			int r = wait_fd(fd, POLLIN, deadline);
			if (r < 0) {
				free(buf);
				return r;
			}
			continue;
		}
		if (n < 0) {
			int r = -errno;
			free(buf);
			return r;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* The status line and the headers we need; the body moved to the front of text. */
static int parse_response(char *text, size_t len, struct api_response *ret)
{
	int status;
	char *end = strstr(text, "\r\n\r\n");
	if (!end || sscanf(text, "HTTP/1.%*[01] %3d", &status) != 1 || status < 100 || status > 599)
		return -EPROTO;
	*end = '\0';
	size_t body_len = len - (size_t)(end + 4 - text);
	ret->type[0] = '\0';
	for (char *line = strstr(text, "\r\n"); line; line = strstr(line, "\r\n")) {
		line += 2;
		if (!strncasecmp(line, "Content-Type:", 13)) {
			const char *v = line + 13 + strspn(line + 13, " \t");
			format_into(ret->type, sizeof(ret->type), "%.*s", (int)strcspn(v, "\r"), v);
		} else if (!strncasecmp(line, "Transfer-Encoding:", 18)) {
			return -EPROTO; /* sigsysd sends a length; chunks are not expected */
		} else if (!strncasecmp(line, "Content-Length:", 15)) {
			unsigned long long n = strtoull(line + 15, NULL, 10);
			if (n > body_len)
				return -EPROTO; /* cut short */
			body_len = (size_t)n;
		}
	}
	memmove(text, end + 4, body_len);
	text[body_len] = '\0';
	ret->status = status;
	ret->body = text;
	ret->len = body_len;
	return 0;
}

int api_get(const char *run_dir, const char *path, struct api_response *ret)
{
	char request[REQUEST_MAX];
	int64_t deadline = ms_now() + API_TIMEOUT_MS;
	char *text = NULL;
	size_t len = 0;
	if ((size_t)snprintf(request, sizeof(request),
			     "GET %s HTTP/1.1\r\nHost: sigsysd\r\nAccept: application/json\r\n"
			     "Connection: close\r\n\r\n",
			     path) >= sizeof(request))
		return -ENAMETOOLONG;
	int fd = connect_to(run_dir, deadline);
	if (fd < 0)
		return fd;
	int r = send_all(fd, request, strlen(request), deadline);
	if (r == 0)
		r = recv_all(fd, &text, &len, deadline);
	close(fd);
	if (r < 0)
		return r;
	*ret = (struct api_response){0};
	if ((r = parse_response(text, len, ret)) < 0) {
		free(text);
		return r;
	}
	return 0;
}

void api_response_free(struct api_response *r)
{
	free(r->body);
	r->body = NULL;
}
