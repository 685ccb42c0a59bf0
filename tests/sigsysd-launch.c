/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sigsysd-launch.h"
#include "test-helpers.h"

#include <arpa/inet.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#define ARGS_MAX     48
#define RESPONSE_MAX (1u << 20)

/* Every daemon this test process started and has not yet seen exit. */
static pid_t spawned[16];
static size_t n_spawned;

static void forget(pid_t pid)
{
	for (size_t i = 0; i < n_spawned; i++)
		if (spawned[i] == pid)
			spawned[i] = spawned[--n_spawned];
}

void sigsysd_kill_leftovers(void)
{
	for (size_t i = 0; i < n_spawned; i++) {
		kill(spawned[i], SIGKILL);
		waitpid(spawned[i], NULL, 0);
	}
	n_spawned = 0;
}

void sigsysd_spawn(struct daemon_run *d, const char *const *wrapper, const char *const *extra)
{
	const char *argv[ARGS_MAX];
	size_t n = 0;
	for (size_t i = 0; wrapper && wrapper[i]; i++)
		argv[n++] = wrapper[i];
	const char *base[] = {env_path("SIGSYSD"),
			      "--foreground",
			      "--run-dir",
			      d->run_dir,
			      "--db",
			      d->db,
			      "--sources",
			      "audit,proc",
			      "--profile-dir",
			      env_path("SIGSYS_PROFILES")};
	for (size_t i = 0; i < ARRAY_SIZE(base); i++)
		argv[n++] = base[i];
	for (size_t i = 0; extra && extra[i]; i++) {
		cr_assert_lt(n, ARGS_MAX - 1);
		argv[n++] = extra[i];
	}
	argv[n] = NULL;
	d->pid = harness_spawn((char *const *)argv, NULL);
	if (n_spawned < ARRAY_SIZE(spawned))
		spawned[n_spawned++] = d->pid;
}

bool sigsysd_wait_for(const struct daemon_run *d, const char *name, int wait_s)
{
	char path[160];
	format_into(path, sizeof(path), "%s/%s", d->run_dir, name);
	for (int i = 0; i < wait_s * 20 && access(path, F_OK) < 0; i++)
		harness_sleep_ms(50);
	return access(path, F_OK) == 0;
}

void sigsysd_stop(struct daemon_run *d)
{
	kill(d->pid, SIGTERM);
	int status = harness_wait(d->pid);
	forget(d->pid);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "sigsysd exit status %#x", status);
}

int sigsysd_wait_exit(struct daemon_run *d, int wait_s)
{
	int status;
	for (int i = 0; i < wait_s * 20; i++) {
		pid_t r = waitpid(d->pid, &status, WNOHANG);
		cr_assert_geq(r, 0);
		if (r == d->pid) {
			forget(d->pid);
			return status;
		}
		harness_sleep_ms(50);
	}
	return -1;
}

static int connect_to(const struct daemon_run *d, const char *name)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct timeval timeout = {.tv_sec = 30};
	format_into(addr.sun_path, sizeof(addr.sun_path), "%s/%s", d->run_dir, name);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	cr_assert_eq(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0, "connect %s: %s",
		     addr.sun_path, strerror(errno));
	return fd;
}

struct http_response http_get(const struct daemon_run *d, const char *path)
{
	char req[512];
	struct http_response r = {0};
	size_t len = 0;
	format_into(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		    path);
	int fd = connect_to(d, "api.sock");
	cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	r.text = malloc(RESPONSE_MAX + 1);
	cr_assert(r.text);
	for (ssize_t n; len < RESPONSE_MAX && (n = read(fd, r.text + len, RESPONSE_MAX - len)) > 0;)
		len += (size_t)n;
	r.text[len] = '\0';
	close(fd);
	char *end = strstr(r.text, "\r\n\r\n");
	r.body = end ? end + 4 : "";
	if (sscanf(r.text, "HTTP/1.1 %d", &r.status) != 1)
		r.status = 0;
	return r;
}

void http_response_free(struct http_response *r)
{
	free(r->text);
	r->text = NULL;
}

char *register_send_raw(const struct daemon_run *d, const void *body, size_t len)
{
	return register_send_frame(d, (uint32_t)len, body, len);
}

char *register_send_frame(const struct daemon_run *d, uint32_t announced, const void *body,
			  size_t len)
{
	uint32_t be = htonl(announced), reply_len;
	int fd = connect_to(d, "register.sock");
	char *reply = NULL;
	/* The daemon may refuse and close before reading it all: that is an answer too. */
	if (send(fd, &be, sizeof(be), MSG_NOSIGNAL) == sizeof(be))
		(void)!send(fd, body, len, MSG_NOSIGNAL);
	if (recv(fd, &reply_len, sizeof(reply_len), MSG_WAITALL) == sizeof(reply_len)) {
		reply_len = ntohl(reply_len);
		cr_assert_leq(reply_len, 4096u, "an answer of %u bytes", reply_len);
		reply = calloc(1, reply_len + 1);
		cr_assert(reply);
		if (recv(fd, reply, reply_len, MSG_WAITALL) != (ssize_t)reply_len) {
			free(reply);
			reply = NULL;
		}
	}
	close(fd);
	return reply;
}
