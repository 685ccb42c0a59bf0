/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Registering a task with sigsysd: one length-prefixed JSON message on RUN_DIR/register.sock
 * (4-byte big-endian length, then the JSON; the answer is framed the same way). When the
 * daemon is down, the same JSON goes to RUN_DIR/spool/ (root-only) for it to read at start.
 */
#include "profile.h"
#include "../common/procfs.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#define REGISTRATION_VERSION 1
#define REPLY_MAX_BYTES	     4096
#define SOCKET_TIMEOUT_S     2

static void add_string(struct json_object *o, const char *key, const char *value)
{
	if (value)
		json_object_object_add(o, key, json_object_new_string(value));
}

static struct json_object *registration_json(const struct sigsys_registration *reg,
					     uint64_t start_ns)
{
	struct json_object *o = json_object_new_object();
	char caps[32];
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	format_into(caps, sizeof(caps), "0x%jx", (uintmax_t)reg->caps);
	json_object_object_add(o, "version", json_object_new_int(REGISTRATION_VERSION));
	json_object_object_add(o, "pid", json_object_new_int(reg->pid));
	json_object_object_add(o, "pid_start_ns", json_object_new_uint64(start_ns));
	json_object_object_add(
		o, "time_ns",
		json_object_new_uint64((uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec));
	add_string(o, "task_id", reg->task_id);
	add_string(o, "framework", reg->framework);
	add_string(o, "app_id", reg->app_id);
	add_string(o, "job_id", reg->job_id);
	add_string(o, "run_id", reg->run_id);
	add_string(o, "container_id", reg->container_id);
	add_string(o, "agent_id", reg->agent_id);
	add_string(o, "mode", sigsys_mode_name(reg->mode));
	add_string(o, "caps", caps);
	json_object_object_add(o, "unconfined", json_object_new_boolean(!reg->profile));
	if (reg->profile) {
		struct json_object *p = json_object_new_object();
		add_string(p, "name", reg->profile_name);
		add_string(p, "source", reg->profile->source);
		add_string(p, "digest", reg->profile->digest);
		json_object_object_add(p, "text",
				       json_object_new_string_len(reg->profile->text,
								  (int)reg->profile->text_len));
		json_object_object_add(o, "profile", p);
	}
	return o;
}

/* To a socket with MSG_NOSIGNAL: a library in someone else's process must not die of
 * SIGPIPE when the daemon refuses and closes early. */
static int write_all(int fd, const void *buf, size_t len, bool is_socket)
{
	for (const char *p = buf; len;) {
		ssize_t n = is_socket ? send(fd, p, len, MSG_NOSIGNAL) : write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	for (char *p = buf; len;) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int connect_daemon(const char *run_dir)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct timeval timeout = {.tv_sec = SOCKET_TIMEOUT_S};
	if ((size_t)snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/register.sock", run_dir) >=
	    sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* The daemon answers {"ok": true} or {"ok": false, "error": "…"}. */
static int read_reply(int fd, struct sigsys_error *err)
{
	uint32_t be;
	char buf[REPLY_MAX_BYTES + 1];
	int r = read_all(fd, &be, sizeof(be));
	uint32_t len = ntohl(be);
	if (r < 0)
		return r;
	if (len == 0 || len > REPLY_MAX_BYTES)
		return -EBADMSG;
	if ((r = read_all(fd, buf, len)) < 0)
		return r;
	buf[len] = '\0';
	struct json_object *reply = json_tokener_parse(buf), *ok, *error;
	bool accepted = json_object_object_get_ex(reply, "ok", &ok) && json_object_get_boolean(ok);
	if (!accepted && err)
		format_into(err->message, sizeof(err->message),
			    "sigsysd refused the registration: %s",
			    json_object_object_get_ex(reply, "error", &error)
				    ? json_object_get_string(error)
				    : "no reason given");
	json_object_put(reply);
	return accepted ? 0 : -EPERM;
}

/* The 4-byte length, with the listener fd (if any) riding on it: the fd and the registration
 * it belongs to arrive together or not at all. */
static int send_header(int fd, uint32_t len, int listener_fd)
{
	uint32_t be = htonl(len);
	if (listener_fd < 0)
		return write_all(fd, &be, sizeof(be), true);
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control = {0};
	struct iovec iov = {&be, sizeof(be)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &listener_fd, sizeof(int));
	ssize_t n;
	do
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return write_all(fd, (const char *)&be + n, sizeof(be) - (size_t)n, true);
}

static int send_to_daemon(const char *run_dir, const char *text, size_t len, int listener_fd,
			  struct sigsys_error *err)
{
	_cleanup_close_ int fd = connect_daemon(run_dir);
	if (fd < 0)
		return fd;
	int r = send_header(fd, (uint32_t)len, listener_fd);
	if (r >= 0)
		r = write_all(fd, text, len, true);
	/* A refusal may come before the message was read: its answer still counts. */
	int reply = read_reply(fd, err);
	return reply == 0 || reply == -EPERM ? reply : r < 0 ? r : reply;
}

/* The spool must be a directory of ours, closed to everyone else. */
static int open_spool(const char *run_dir)
{
	char path[PATH_MAX];
	struct stat st;
	if (geteuid() != 0)
		return -EACCES;
	if (mkdir(run_dir, 0750) < 0 && errno != EEXIST)
		return -errno;
	format_into(path, sizeof(path), "%s/spool", run_dir);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 0077)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

static int write_spool(const char *run_dir, pid_t pid, uint64_t start_ns, const char *text,
		       size_t len)
{
	char name[96], tmp[112];
	_cleanup_close_ int dfd = open_spool(run_dir);
	if (dfd < 0)
		return dfd;
	format_into(name, sizeof(name), "%d-%ju.json", (int)pid, (uintmax_t)start_ns);
	format_into(tmp, sizeof(tmp), ".%s.tmp", name);
	_cleanup_close_ int fd =
		openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	int r = write_all(fd, text, len, false);
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	if (r >= 0 && renameat(dfd, tmp, dfd, name) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(dfd, tmp, 0);
	return r;
}

int sigsys_register(const char *run_dir, const struct sigsys_registration *reg,
		    struct sigsys_error *err)
{
	uint64_t start_ns = 0;
	if (!run_dir || !reg || reg->pid <= 0)
		return -EINVAL;
	int r = proc_start_time_ns(reg->pid, &start_ns);
	if (r < 0) {
		if (err)
			format_into(err->message, sizeof(err->message),
				    "cannot read the start time of pid %d: %s", (int)reg->pid,
				    strerror(-r));
		return r;
	}
	struct json_object *o = registration_json(reg, start_ns);
	size_t len;
	const char *text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	r = send_to_daemon(run_dir, text, len, -1, err);
	if (r == -EPERM) { /* the daemon answered no: spooling would not change its mind */
		json_object_put(o);
		return r;
	}
	if (r >= 0) {
		json_object_put(o);
		return SIGSYS_REGISTERED;
	}
	int daemon_r = r;
	r = write_spool(run_dir, reg->pid, start_ns, text, len);
	json_object_put(o);
	if (r < 0 && err)
		format_into(
			err->message, sizeof(err->message),
			"sigsysd is not reachable at %s/register.sock (%s) and the spool %s/spool "
			"is not writable (%s)",
			run_dir, strerror(-daemon_r), run_dir,
			r == -EACCES ? "root only" : strerror(-r));
	return r < 0 ? r : SIGSYS_SPOOLED;
}

int sigsys_register_listener(const char *run_dir, const struct sigsys_registration *reg,
			     int listener_fd, struct sigsys_error *err)
{
	uint64_t start_ns = 0;
	if (!run_dir || !reg || reg->pid <= 0 || listener_fd < 0)
		return -EINVAL;
	int r = proc_start_time_ns(reg->pid, &start_ns);
	if (r < 0) {
		if (err)
			format_into(err->message, sizeof(err->message),
				    "cannot read the start time of pid %d: %s", (int)reg->pid,
				    strerror(-r));
		return r;
	}
	struct json_object *o = registration_json(reg, start_ns);
	json_object_object_add(o, "listener", json_object_new_boolean(true));
	size_t len;
	const char *text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	r = send_to_daemon(run_dir, text, len, listener_fd, err);
	json_object_put(o);
	/* No spool: a listener nobody holds would block the task's first denied call. */
	if (r < 0 && r != -EPERM && err)
		format_into(err->message, sizeof(err->message),
			    "sigsysd is not reachable at %s/register.sock (%s)", run_dir,
			    strerror(-r));
	return r < 0 ? r : SIGSYS_REGISTERED;
}
