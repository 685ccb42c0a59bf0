/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * notify.sock: an OCI seccomp agent for linux.seccomp.listenerPath. The runtime (crun)
 * connects, sends one message — the listener fd (SCM_RIGHTS) with unframed JSON
 * {"ociVersion","fds":["seccompFd"],"pid","metadata","state":{"id",…}} — and may keep the
 * connection open: the message is read as it arrives, never up to EOF. Peers are checked as
 * on register.sock; anything malformed is refused, its fds closed.
 */
#include "daemon.h"
#include "notify-source.h"
#include "procfs.h"

#include <json-c/json.h>
#include <limits.h>
#include <sys/stat.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#define AGENT_TIMEOUT_NS (2ull * 1000000000ull)
#define AGENT_JSON_DEPTH 8

/* ---- the socket ------------------------------------------------------------------------ */

int notify_agent_listen(struct daemon *d)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if ((size_t)snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/notify.sock",
			     d->config.run_dir) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(addr.sun_path);
	gid_t group = d->config.has_register_group ? d->config.register_group : 0;
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    chown(addr.sun_path, 0, group) < 0 || chmod(addr.sun_path, 0660) < 0 ||
	    listen(fd, 64) < 0 || epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int r = -errno;
		daemon_log(LOG_ERR, "cannot listen on %s: %m", addr.sun_path);
		close(fd);
		return r;
	}
	d->notify->agent_fd = fd;
	return 0;
}

static void close_conn(struct notify_source *ns, size_t i)
{
	struct notify_agent_conn *c = &ns->conns[i];
	for (size_t k = 0; k < c->n_fds; k++)
		close(c->fds[k]);
	close(c->fd);
	free(c->buf);
	ns->conns[i] = ns->conns[--ns->n_conns];
}

static void refuse(struct notify_source *ns, size_t i, const char *why)
{
	daemon_log(LOG_WARNING, "notify.sock: message from pid %d refused: %s",
		   (int)ns->conns[i].peer.pid, why);
	close_conn(ns, i);
}

/* The fds that came with a read; more than NOTIFY_AGENT_FDS and the message is refused. */
static void take_fds(struct notify_agent_conn *c, struct msghdr *msg)
{
	if (msg->msg_flags & MSG_CTRUNC)
		c->fds_cut = true;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(msg); h; h = CMSG_NXTHDR(msg, h)) {
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t k = 0; k < n; k++) {
			int fd;
			memcpy(&fd, CMSG_DATA(h) + k * sizeof(int), sizeof(int));
			if (c->n_fds < NOTIFY_AGENT_FDS)
				c->fds[c->n_fds++] = fd;
			else {
				close(fd);
				c->fds_cut = true;
			}
		}
	}
}

/* 1: the JSON is complete, 0: more to come, negative: broken off or too large. */
static int receive(struct notify_agent_conn *c)
{
	for (;;) {
		if (!c->buf && !(c->buf = malloc(NOTIFY_AGENT_MAX + 1)))
			return -ENOMEM;
		union {
			char buf[CMSG_SPACE(NOTIFY_AGENT_FDS * sizeof(int))];
			struct cmsghdr align;
		} control;
		struct iovec iov = {c->buf + c->len, NOTIFY_AGENT_MAX - c->len};
		struct msghdr msg = {.msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = control.buf,
				     .msg_controllen = sizeof(control.buf)};
		if (c->len == NOTIFY_AGENT_MAX)
			return -E2BIG;
		ssize_t n = recvmsg(c->fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		take_fds(c, &msg);
		if (n == 0)
			return -EPIPE;
		c->len += (size_t)n;
		c->buf[c->len] = '\0';
		struct json_tokener *tok = json_tokener_new_ex(AGENT_JSON_DEPTH);
		if (!tok)
			return -ENOMEM;
		json_object_put(json_tokener_parse_ex(tok, c->buf, (int)c->len));
		enum json_tokener_error e = json_tokener_get_error(tok);
		json_tokener_free(tok);
		if (e == json_tokener_success)
			return 1;
		if (e != json_tokener_continue)
			return -EBADMSG;
	}
}

static const char *get_string(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The runtime's message: one listener named "seccompFd", a container id, a pid. */
static int check_message(struct json_object *root, int32_t *ret_pid, const char **ret_id,
			 const char **ret_meta, char *why, size_t why_size)
{
	struct json_object *fds, *state, *pid;
	if (!json_object_is_type(root, json_type_object)) {
		format_into(why, why_size, "not a JSON object");
		return -EINVAL;
	}
	if (!json_object_object_get_ex(root, "fds", &fds) ||
	    !json_object_is_type(fds, json_type_array) || json_object_array_length(fds) != 1 ||
	    strcmp(json_object_get_string(json_object_array_get_idx(fds, 0)) ?: "", "seccompFd") !=
		    0) {
		format_into(why, why_size, "\"fds\": expected [\"seccompFd\"]");
		return -EINVAL;
	}
	if (!json_object_object_get_ex(root, "state", &state) ||
	    !json_object_is_type(state, json_type_object) || !(*ret_id = get_string(state, "id")) ||
	    !**ret_id || strlen(*ret_id) > REGISTRATION_ID_MAX || !text_printable(*ret_id)) {
		format_into(why, why_size, "\"state.id\": expected the container id");
		return -EINVAL;
	}
	if ((!json_object_object_get_ex(root, "pid", &pid) &&
	     !json_object_object_get_ex(state, "pid", &pid)) ||
	    !json_object_is_type(pid, json_type_int) || json_object_get_int64(pid) <= 0 ||
	    json_object_get_int64(pid) > INT32_MAX) {
		format_into(why, why_size, "\"pid\": expected the container's pid");
		return -EINVAL;
	}
	*ret_pid = (int32_t)json_object_get_int64(pid);
	*ret_meta = get_string(root, "metadata");
	return 0;
}

/* The container becomes a task, as a registration would make it. */
static int register_container(struct daemon *d, const struct notify_task *t)
{
	struct registration reg = {.pid = t->pid,
				   .time_ns = now_realtime_ns(),
				   .mode = SIGSYS_MODE_NOTIFY,
				   .unconfined = true};
	proc_start_time_ns(t->pid, &reg.pid_start_ns);
	format_into(reg.task_id, sizeof(reg.task_id), "%s", t->task_id);
	format_into(reg.container_id, sizeof(reg.container_id), "%s", t->container_id);
	format_into(reg.framework, sizeof(reg.framework), "%s", t->framework);
	format_into(reg.app_id, sizeof(reg.app_id), "%s", t->app_id);
	format_into(reg.job_id, sizeof(reg.job_id), "%s", t->job_id);
	format_into(reg.run_id, sizeof(reg.run_id), "%s", t->run_id);
	return daemon_add_registration(d, &reg);
}

static void process(struct daemon *d, size_t i)
{
	struct notify_source *ns = d->notify;
	struct notify_agent_conn *c = &ns->conns[i];
	struct notify_task t = {0};
	const char *id, *meta;
	char why[512];
	if (c->n_fds != 1 || c->fds_cut) {
		format_into(why, sizeof(why), "expected exactly one fd, got %s%zu",
			    c->fds_cut ? "more than " : "", c->n_fds);
		refuse(ns, i, why);
		return;
	}
	if (!notify_fd_is_listener(c->fds[0])) {
		refuse(ns, i, "the fd is not a seccomp listener");
		return;
	}
	struct json_object *root = json_tokener_parse(c->buf);
	int r = check_message(root, &t.pid, &id, &meta, why, sizeof(why));
	/* DESIGN: only root may name another process (crun runs as root); a register-group
	 * peer would otherwise make any pid a task of its choosing. */
	if (r >= 0 && c->peer.uid != 0 && t.pid != c->peer.pid) {
		format_into(why, sizeof(why),
			    "\"pid\" %d is not the sender's own, and only root may name another",
			    (int)t.pid);
		r = -EPERM;
	}
	if (r >= 0 && (r = notify_metadata_parse(meta, &t, why, sizeof(why))) < 0)
		r = -EINVAL;
	if (r < 0) {
		json_object_put(root);
		refuse(ns, i, why);
		return;
	}
	format_into(t.container_id, sizeof(t.container_id), "%s", id);
	if (!t.task_id[0]) /* no task named: the container is the task */
		format_into(t.task_id, sizeof(t.task_id), "%s", id);
	json_object_put(root);
	if (register_container(d, &t) < 0) {
		refuse(ns, i, "sigsysd could not store the container's task");
		return;
	}
	int fd = c->fds[0];
	c->n_fds = 0; /* the listener's now */
	close_conn(ns, i);
	if (notify_add_listener(d, fd, &t, NULL, 0, 0) < 0)
		daemon_log(LOG_ERR, "container %s: its listener could not be added",
			   t.container_id);
}

bool notify_agent_ready(struct daemon *d, int fd)
{
	struct notify_source *ns = d->notify;
	for (size_t i = 0; i < ns->n_conns; i++) {
		if (ns->conns[i].fd != fd)
			continue;
		int r = receive(&ns->conns[i]);
		if (r > 0)
			process(d, i);
		else if (r < 0)
			refuse(ns, i,
			       r == -E2BIG     ? "larger than 64 KiB"
			       : r == -EPIPE   ? "the runtime hung up before the JSON was complete"
			       : r == -EBADMSG ? "not JSON"
					       : strerror(-r));
		return true;
	}
	return false;
}

void notify_agent_accept(struct daemon *d)
{
	struct notify_source *ns = d->notify;
	for (int k = 0; k < NOTIFY_AGENT_CONNS; k++) {
		int fd = accept4(ns->agent_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			return;
		struct ucred peer;
		socklen_t len = sizeof(peer);
		struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) < 0 ||
		    !register_peer_allowed(d, &peer)) {
			daemon_log(LOG_WARNING,
				   "notify.sock: pid %d refused: not root nor in the "
				   "register group",
				   (int)peer.pid);
			close(fd);
			continue;
		}
		if (ns->n_conns == NOTIFY_AGENT_CONNS ||
		    epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			daemon_log(LOG_WARNING, "notify.sock: too many runtimes at once");
			close(fd);
			continue;
		}
		ns->conns[ns->n_conns++] = (struct notify_agent_conn){
			.fd = fd,
			.peer = peer,
			.deadline_ns = now_monotonic_ns() + AGENT_TIMEOUT_NS};
		notify_agent_ready(d, fd);
	}
}

void notify_expire(struct daemon *d)
{
	struct notify_source *ns = d->notify;
	uint64_t now = now_monotonic_ns();
	for (size_t i = ns ? ns->n_conns : 0; i-- > 0;)
		if (now >= ns->conns[i].deadline_ns)
			refuse(ns, i, "timed out before the whole message came");
}

void notify_agent_close_all(struct daemon *d)
{
	struct notify_source *ns = d->notify;
	char path[PATH_MAX];
	while (ns->n_conns)
		close_conn(ns, ns->n_conns - 1);
	if (ns->agent_fd >= 0) {
		close(ns->agent_fd);
		ns->agent_fd = -1;
		format_into(path, sizeof(path), "%s/notify.sock", d->config.run_dir);
		unlink(path);
	}
}
