/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * register.sock: one length-prefixed JSON registration per connection (4-byte big-endian
 * length), answered {"ok": true} or {"ok": false, "error": "…"}. Only root, or members of
 * --register-group, may register (SO_PEERCRED); a non-root peer only its own pid. And the
 * spool: registrations sigsys-apply left while sigsysd was down, read at start.
 */
#include "daemon.h"
#include "notify-source.h"
#include "procfs.h"
#include "registration.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/epoll.h>
#include <sys/un.h>
#include <time.h>

#define CLIENT_TIMEOUT_S 2

int register_listen(struct daemon *d)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if ((size_t)snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/register.sock",
			     d->config.run_dir) >= sizeof(addr.sun_path)) {
		daemon_log(LOG_ERR, "the run dir path is too long for a socket");
		return -ENAMETOOLONG;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(addr.sun_path); /* a stale socket of a previous run */
	gid_t group = d->config.has_register_group ? d->config.register_group : 0;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    chown(addr.sun_path, 0, group) < 0 || chmod(addr.sun_path, 0660) < 0 ||
	    listen(fd, 64) < 0) {
		int r = -errno;
		daemon_log(LOG_ERR, "cannot listen on %s: %m", addr.sun_path);
		close(fd);
		return r;
	}
	d->register_fd = fd;
	return 0;
}

static bool in_group(pid_t pid, gid_t gid, gid_t peer_gid)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	bool found = peer_gid == gid;
	format_into(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	while (!found && f && getline(&line, &cap, f) > 0) {
		if (strncmp(line, "Groups:", 7))
			continue;
		char *save = NULL;
		for (char *t = strtok_r(line + 7, " \t\n", &save); t && !found;
		     t = strtok_r(NULL, " \t\n", &save))
			found = (gid_t)strtoul(t, NULL, 10) == gid;
	}
	free(line);
	if (f)
		fclose(f);
	return found;
}

bool register_peer_allowed(const struct daemon *d, const struct ucred *peer)
{
	if (peer->uid == 0)
		return true;
	return d->config.has_register_group &&
	       in_group(peer->pid, d->config.register_group, peer->gid);
}

static void reply(int fd, bool ok, const char *error)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(ok));
	if (!ok)
		json_object_object_add(o, "error", json_object_new_string(error));
	size_t len;
	const char *text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	uint32_t be = htonl((uint32_t)len);
	struct iovec iov[] = {{&be, 4}, {(void *)text, len}};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
	if (sendmsg(fd, &msg, MSG_NOSIGNAL) != (ssize_t)(4 + len)) /* one frame, one send */
		daemon_log(LOG_WARNING, "answering a registration: %m");
	json_object_put(o);
}

#define CLAIM_SLACK_NS (20ull * 1000000ull) /* /proc start times: 10 ms ticks */

static uint64_t claim_from_ns(const struct registration *reg)
{
	struct timespec boot;
	clock_gettime(CLOCK_BOOTTIME, &boot);
	uint64_t boot_ns = (uint64_t)boot.tv_sec * 1000000000ull + (uint64_t)boot.tv_nsec;
	uint64_t now = now_realtime_ns(), age = boot_ns - reg->pid_start_ns;
	uint64_t started = reg->pid_start_ns < boot_ns && age < now ? now - age : now;
	started -= started > CLAIM_SLACK_NS ? CLAIM_SLACK_NS : 0;
	return reg->time_ns > started ? reg->time_ns : started;
}

int daemon_add_registration(struct daemon *d, const struct registration *reg)
{
	struct store_task t = {.task_id = reg->task_id[0] ? reg->task_id : NULL,
			       .framework = reg->framework,
			       .app_id = reg->app_id[0] ? reg->app_id : NULL,
			       .job_id = reg->job_id[0] ? reg->job_id : NULL,
			       .run_id = reg->run_id[0] ? reg->run_id : NULL,
			       .container_id = reg->container_id[0] ? reg->container_id : NULL,
			       .agent_id = reg->agent_id[0] ? reg->agent_id : NULL,
			       .pid = reg->pid,
			       .pid_start_ns = reg->pid_start_ns,
			       .profile_name = reg->profile_name[0] ? reg->profile_name : NULL,
			       .profile_digest = reg->unconfined ? NULL : reg->digest,
			       .profile_text = reg->profile_text,
			       .mode = sigsys_mode_name(reg->mode),
			       .caps = reg->caps,
			       .registered_ns = reg->time_ns};
	char fallback_id[64];
	struct store_error err;
	if (!t.task_id) { /* a launch without a Mesos task id: named by its first process */
		format_into(fallback_id, sizeof(fallback_id), "pid-%d-%ju", reg->pid,
			    (uintmax_t)reg->pid_start_ns);
		t.task_id = fallback_id;
	}
	int r = store_put_task(d->store, &t, &err);
	if (r < 0) {
		daemon_log(LOG_ERR, "storing the registration of %s: %s", t.task_id, err.message);
		return r;
	}
	/* Only a live process with that start time joins the registry: a dead one's pid may
	 * already belong to someone else. */
	uint64_t start;
	if (proc_start_time_ns(reg->pid, &start) == 0 && start == reg->pid_start_ns) {
		registry_add(&d->registry, reg->pid, reg->pid_start_ns, t.task_id);
	} else { /* it ended while sigsysd was down (or slow): how, nobody knows */
		/* Known as exited, its records still in the audit socket and the bpf source's
		 * pinned rings are attributed; a live process that took the pid has another
		 * start time and is not. */
		if (registry_add(&d->registry, reg->pid, reg->pid_start_ns, t.task_id) == 0)
			registry_exited(&d->registry, reg->pid, now_monotonic_ns());
		struct store_proc_event gone = {.kind = STORE_PROC_EXIT,
						.pid = reg->pid,
						.start_ns = reg->pid_start_ns,
						.time_ns = now_realtime_ns(),
						.wait_status = STORE_WAIT_UNKNOWN};
		store_put_procs(d->store, &gone, 1, NULL);
	}
	/* its kills may have come first: sigsys-apply stops waiting for a slow daemon */
	if (store_claim_kills(d->store, t.task_id, reg->pid, reg->pid_start_ns, claim_from_ns(reg),
			      &err) < 0)
		daemon_log(LOG_ERR, "claiming the kills of %s: %s", t.task_id, err.message);
	daemon_log(LOG_INFO, "registered task %s (pid %d, %s mode)", t.task_id, reg->pid, t.mode);
	return 0;
}

/* Kills a late registration may claim: not before its process started (the clock of
 * pid_start_ns is CLOCK_BOOTTIME), whatever time the registration says. */
static void process(struct daemon *d, struct reg_conn *c)
{
	char why[512];
	struct registration reg;
	int r = registration_parse(c->body, c->body_len, &c->peer, &reg, why, sizeof(why));
	if (r < 0) {
		daemon_log(LOG_WARNING, "registration from pid %d refused: %s", (int)c->peer.pid,
			   why);
		reply(c->fd, false, why);
		return;
	}
	if (reg.listener != (c->listener_fd >= 0)) {
		reply(c->fd, false,
		      reg.listener ? "\"listener\": true, but no fd came with the message"
				   : "a listener fd comes only with a registration that says "
				     "\"listener\": true");
		registration_clear(&reg);
		return;
	}
	r = daemon_add_registration(d, &reg);
	if (r >= 0 && reg.listener)
		r = notify_add_registered(d, &reg, TAKE_FD(c->listener_fd));
	registration_clear(&reg);
	reply(c->fd, r >= 0,
	      reg.listener ? "sigsysd could not take the listener" : "sigsysd could not store it");
}

static void close_conn(struct daemon *d, size_t i)
{
	struct reg_conn *c = &d->conns[i];
	close(c->fd); /* also leaves the epoll set */
	if (c->listener_fd >= 0)
		close(c->listener_fd);
	free(c->body);
	d->conns[i] = d->conns[--d->n_conns];
}

/* recv that also takes a listener fd riding on the bytes: one, at most, per message. */
static ssize_t recv_fd(struct reg_conn *c, void *buf, size_t len)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {buf, len};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf)};
	ssize_t n = recvmsg(c->fd, &msg, MSG_CMSG_CLOEXEC);
	bool extra = msg.msg_flags & MSG_CTRUNC;
	for (struct cmsghdr *h = n >= 0 ? CMSG_FIRSTHDR(&msg) : NULL; h; h = CMSG_NXTHDR(&msg, h)) {
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t k = 0; k < (h->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++) {
			int fd;
			memcpy(&fd, CMSG_DATA(h) + k * sizeof(int), sizeof(int));
			if (c->listener_fd < 0)
				c->listener_fd = fd;
			else {
				close(fd);
				extra = true;
			}
		}
	}
	if (extra) {
		errno = EBADMSG; /* two fds: not a registration */
		return -1;
	}
	return n;
}

/* Read what arrived: the 4-byte length, then the JSON. 1 when complete, 0 for more to
 * come, negative when the peer broke off. */
static int receive(struct reg_conn *c)
{
	while (c->header_got < 4) {
		ssize_t n = recv_fd(c, c->header + c->header_got, 4 - c->header_got);
		if (n <= 0)
			return n < 0 && errno == EAGAIN ? 0 : -EBADMSG;
		c->header_got += (size_t)n;
	}
	if (!c->body) {
		uint32_t be;
		memcpy(&be, c->header, 4);
		c->body_len = ntohl(be);
		if (c->body_len == 0 || c->body_len > REGISTRATION_MAX_BYTES)
			return -E2BIG;
		if (!(c->body = malloc(c->body_len)))
			return -ENOMEM;
	}
	while (c->body_got < c->body_len) {
		ssize_t n = recv_fd(c, c->body + c->body_got, c->body_len - c->body_got);
		if (n <= 0)
			return n < 0 && errno == EAGAIN ? 0 : -EBADMSG;
		c->body_got += (size_t)n;
	}
	return 1;
}

bool register_ready(struct daemon *d, int fd)
{
	for (size_t i = 0; i < d->n_conns; i++) {
		struct reg_conn *c = &d->conns[i];
		if (c->fd != fd)
			continue;
		int r = receive(c);
		if (r == 0)
			return true;
		if (r > 0)
			process(d, c);
		else
			reply(c->fd, false,
			      r == -E2BIG ? "message too large" : "malformed message");
		close_conn(d, i);
		return true;
	}
	return false;
}

void register_expire(struct daemon *d, bool all)
{
	uint64_t now = now_monotonic_ns();
	for (size_t i = d->n_conns; i-- > 0;)
		if (all || now >= d->conns[i].deadline_ns) {
			reply(d->conns[i].fd, false, "timed out: send the whole message at once");
			close_conn(d, i);
		}
}

/* Check the peer, then receive without waiting: a slow or silent client never stalls the
 * loop that drains audit. */
static void take_client(struct daemon *d, int fd)
{
	struct ucred peer;
	socklen_t len = sizeof(peer);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) < 0) {
		close(fd);
		return;
	}
	if (!register_peer_allowed(d, &peer)) {
		daemon_log(LOG_WARNING,
			   "registration from uid %u (pid %d) refused: not root nor in the "
			   "register group",
			   (unsigned)peer.uid, (int)peer.pid);
		reply(fd, false, "only root or the register group may register tasks");
		close(fd);
		return;
	}
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
	if (d->n_conns == DAEMON_REG_CONNS || epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		reply(fd, false, "busy: too many registrations at once, try again");
		close(fd);
		return;
	}
	d->conns[d->n_conns++] = (struct reg_conn){.fd = fd,
						   .peer = peer,
						   .listener_fd = -1,
						   .deadline_ns = now_monotonic_ns() +
								  CLIENT_TIMEOUT_S * 1000000000ull};
	register_ready(d, fd); /* what arrived with the connection */
}

void register_accept(struct daemon *d)
{
	for (int i = 0; i < DAEMON_REG_CONNS; i++) {
		int fd = accept4(d->register_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			return;
		take_client(d, fd);
	}
}

static void read_spooled(struct daemon *d, int dfd, const char *name, uint64_t *oldest_ns)
{
	char why[512], *text = NULL;
	size_t len;
	struct registration reg;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int r = fd < 0 ? -errno : read_fd_bounded(fd, REGISTRATION_MAX_BYTES, &text, &len);
	if (fd >= 0)
		close(fd);
	if (r >= 0 && (r = registration_parse(text, len, NULL, &reg, why, sizeof(why))) < 0)
		daemon_log(LOG_WARNING, "spooled registration %s refused: %s", name, why);
	free(text);
	if (r < 0) {
		unlinkat(dfd, name, 0);
		return;
	}
	if (!*oldest_ns || reg.time_ns < *oldest_ns)
		*oldest_ns = reg.time_ns;
	r = daemon_add_registration(d, &reg);
	registration_clear(&reg);
	if (r >= 0) /* kept when the store failed: the next start tries again */
		unlinkat(dfd, name, 0);
}

/* Launches while sigsysd was down: registered now, and the gap recorded as a loss. */
int register_read_spool(struct daemon *d)
{
	int dfd = openat(d->run_dir_fd, "spool", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	uint64_t oldest = 0;
	int n = 0;
	if (dfd < 0) {
		if (mkdirat(d->run_dir_fd, "spool", 0700) < 0 && errno != EEXIST)
			daemon_log(LOG_WARNING, "cannot create the spool: %m");
		return 0;
	}
	struct stat st;
	if (fstat(dfd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 0077)) {
		daemon_log(LOG_ERR, "the spool is not root-only: ignored");
		close(dfd);
		return -EPERM;
	}
	DIR *dir = fdopendir(dfd);
	for (struct dirent *e; dir && (e = readdir(dir));)
		if (e->d_name[0] != '.' && strstr(e->d_name, ".json")) {
			read_spooled(d, dirfd(dir), e->d_name, &oldest);
			n++;
		}
	if (dir)
		closedir(dir);
	if (oldest) {
		struct store_loss loss = {.source = "daemon",
					  .kind = STORE_LOSS_DAEMON_DOWN,
					  .first_ns = oldest,
					  .last_ns = now_realtime_ns()};
		daemon_put_loss(d, &loss);
		daemon_log(LOG_INFO, "%d spooled registration(s) read", n);
	}
	return n;
}
