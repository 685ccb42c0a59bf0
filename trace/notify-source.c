/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "notify-source.h"
#include "daemon.h"
#include "notify-ident.h"
#include "notify-mem.h"
#include "procfs.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <poll.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* Linux 6.9: a pidfd for one thread, not only a leader */
#endif
#define X32_BIT 0x40000000

/* ---- listeners ------------------------------------------------------------------------ */

bool notify_fd_is_listener(int fd)
{
	char path[64], target[64];
	format_into(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "anon_inode:seccomp notify") == 0;
}

static struct notify_listener *find_listener(struct notify_source *ns, int fd)
{
	for (size_t i = 0; i < ns->n; i++)
		if (ns->listeners[i].fd == fd)
			return &ns->listeners[i];
	return NULL;
}

static void remove_listener(struct notify_source *ns, struct notify_listener *l, bool close_fd)
{
	if (close_fd)
		close(l->fd); /* also leaves the epoll set */
	sigsys_filter_free(l->filter);
	*l = ns->listeners[--ns->n];
}

/* The profile as written (enforce): which errno its rule gives a call. */
static int compile_profile(const char *text, size_t len, uint64_t caps, struct sigsys_filter **ret,
			   char *why, size_t why_size)
{
	struct sigsys_profile *p = NULL;
	struct sigsys_options o;
	struct sigsys_error err = {{0}};
	int r = sigsys_profile_parse(text, len, "the registered profile", &p, &err);
	if (r >= 0) {
		sigsys_options_init(&o);
		o.caps = caps;
		r = sigsys_compile(p, &o, ret, &err);
	}
	sigsys_profile_free(p);
	if (r < 0)
		format_into(why, why_size, "%s", err.message);
	return r;
}

int notify_add_listener(struct daemon *d, int listener_fd, const struct notify_task *t,
			const char *profile_text, size_t profile_len, uint64_t caps)
{
	struct notify_source *ns = d->notify;
	struct sigsys_filter *filter = NULL;
	char why[800];
	int r = 0;
	if (!ns)
		r = -EOPNOTSUPP; /* no user notification here */
	else if (!notify_fd_is_listener(listener_fd))
		r = -EBADF;
	else if (ns->n == NOTIFY_LISTENERS_MAX)
		r = -EMFILE;
	else if (t->answer == NOTIFY_ANSWER_PROFILE && profile_text &&
		 compile_profile(profile_text, profile_len, caps, &filter, why, sizeof(why)) < 0) {
		daemon_log(LOG_ERR, "task %s: its profile does not compile here: %s", t->task_id,
			   why);
		r = -EINVAL;
	}
	if (r >= 0 && ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 16;
		void *p = realloc(ns->listeners, cap * sizeof(*ns->listeners));
		if (p) {
			ns->listeners = p;
			ns->cap = cap;
		} else
			r = -ENOMEM;
	}
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener_fd};
	if (r >= 0 && epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, listener_fd, &ev) < 0)
		r = -errno;
	if (r < 0) {
		sigsys_filter_free(filter);
		close(listener_fd);
		return r;
	}
	ns->listeners[ns->n++] =
		(struct notify_listener){.fd = listener_fd, .task = *t, .filter = filter};
	daemon_log(LOG_INFO, "task %s: listening to its notifications (fd %d)", t->task_id,
		   listener_fd);
	return 0;
}

int notify_add_registered(struct daemon *d, const struct registration *reg, int listener_fd)
{
	struct notify_task t = {.pid = reg->pid, .answer = NOTIFY_ANSWER_PROFILE, .errnum = EPERM};
	if (reg->task_id[0])
		format_into(t.task_id, sizeof(t.task_id), "%s", reg->task_id);
	else /* as daemon_add_registration names it */
		format_into(t.task_id, sizeof(t.task_id), "pid-%d-%ju", reg->pid,
			    (uintmax_t)reg->pid_start_ns);
	format_into(t.container_id, sizeof(t.container_id), "%s", reg->container_id);
	return notify_add_listener(d, listener_fd, &t, reg->profile_text, reg->profile_len,
				   reg->caps);
}

/* ---- one notification ------------------------------------------------------------------ */

static uint32_t scmp_arch_of(uint32_t audit_arch, int32_t nr)
{
	return audit_arch == AUDIT_ARCH_X86_64 && (nr & X32_BIT) ? SCMP_ARCH_X32 : audit_arch;
}

static void to_event(struct notify_source *ns, const struct seccomp_notif *req,
		     struct seccomp_event *e, uint64_t *ret_start_ns)
{
	memset(e, 0, sizeof(*e));
	e->time_ns = now_realtime_ns();
	e->tid = (int32_t)req->pid;
	e->arch = req->data.arch;
	e->nr = req->data.nr;
	e->ip = req->data.instruction_pointer;
	memcpy(e->args, req->data.args, sizeof(e->args));
	e->has_args = 1;
	e->auid = e->ses = SECCOMP_EVENT_ID_UNSET;
	e->sources = SECCOMP_EVENT_SOURCE_NOTIFY;
	e->compat = req->data.arch != AUDIT_ARCH_X86_64 && req->data.arch != AUDIT_ARCH_AARCH64;
	notify_identity(&ns->threads, e, ret_start_ns);
}

/* Which arguments of a call are strings: a name lookup in libseccomp's tables is a few µs,
 * so the answer is kept per (arch, nr) in a small direct-mapped table. */
static size_t string_args_of(struct notify_source *ns, uint32_t arch, int32_t nr,
			     unsigned index[NOTIFY_STRINGS_MAX])
{
	struct notify_string_args *c =
		&ns->string_args[((uint32_t)nr ^ arch) % NOTIFY_STRING_ARGS_CACHED];
	if (!c->known || c->arch != arch || c->nr != nr) {
		char *name = seccomp_syscall_resolve_num_arch(arch, nr);
		*c = (struct notify_string_args){.known = true, .arch = arch, .nr = nr};
		c->n = (uint8_t)notify_string_args(name, c->index);
		free(name);
	}
	memcpy(index, c->index, sizeof(c->index));
	return c->n;
}

static char *strings_text(const char (*buf)[NOTIFY_STRING_MAX], const int *len, size_t n)
{
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, len[i] >= 0 ? json_object_new_string_len(buf[i], len[i])
						     : NULL);
	size_t size = 0;
	const char *t = json_object_to_json_string_length(
		a, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &size);
	char *text = t && size <= STORE_STRINGS_MAX ? strdup(t) : NULL;
	json_object_put(a);
	return text;
}

/* The strings as JSON within what the store takes (STORE_STRINGS_MAX): json-c writes a
 * control byte as \u00XX, six bytes, so one 4095-byte path can outgrow it, and the store
 * would refuse the whole batch. The longest strings are dropped (null) until it fits; the
 * cut is logged, with the pid, since null alone also means "unread". */
static char *strings_json(const char (*buf)[NOTIFY_STRING_MAX], int *len, size_t n, int32_t tid)
{
	size_t cut = 0;
	char *text;
	while (!(text = strings_text(buf, len, n)) && cut < n) {
		size_t longest = 0;
		for (size_t i = 1; i < n; i++)
			if (len[i] > len[longest])
				longest = i;
		if (len[longest] < 0)
			break;
		len[longest] = -E2BIG;
		cut++;
	}
	if (cut)
		daemon_log(LOG_WARNING,
			   "thread %d: %zu string argument(s) dropped, stored as null: over the "
			   "store's %d bytes as JSON",
			   (int)tid, cut, STORE_STRINGS_MAX);
	return text;
}

/* The path arguments as a JSON array (null where unread, or rewritten while read); NULL for
 * a call without any. *RET_VALID: whether the notification was still valid after the reads
 * (an open that failed, other than ENOENT, checked nothing: it is checked here). */
static char *read_strings(struct notify_source *ns, int fd, const struct seccomp_notif *req,
			  uint32_t arch, bool *ret_valid)
{
	unsigned index[NOTIFY_STRINGS_MAX];
	uint64_t addrs[NOTIFY_STRINGS_MAX];
	int len[NOTIFY_STRINGS_MAX];
	static char buf[NOTIFY_STRINGS_MAX][NOTIFY_STRING_MAX];
	size_t n = string_args_of(ns, arch, req->data.nr, index);
	if (!n)
		return NULL;
	for (size_t i = 0; i < n; i++)
		addrs[i] = req->data.args[index[i]];
	int r = notify_read_strings(fd, req->id, (pid_t)req->pid, addrs, n, buf, len);
	*ret_valid = r == 0 || (r != -ENOENT && notify_id_valid(fd, req->id));
	return strings_json((const char(*)[NOTIFY_STRING_MAX])buf, len, n, (int32_t)req->pid);
}

/* The errno the profile's rule gives the call; ERRNO only (TRAP has no errno: EPERM). */
static int profile_errno(const struct notify_listener *l, const struct seccomp_event *e)
{
	char nr[16];
	struct sigsys_decision dec;
	if (!l->filter)
		return l->task.errnum;
	format_into(nr, sizeof(nr), "%d", e->nr);
	if (sigsys_explain(l->filter, nr, scmp_arch_of(e->arch, e->nr), e->args, &dec, NULL) < 0)
		return l->task.errnum;
	if ((dec.action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
		return (int)(dec.action & SECCOMP_RET_DATA);
	return l->task.errnum;
}

/* SIGKILL through a pidfd checked against the notification: never a reused pid. The call
 * may come from any thread: PIDFD_THREAD opens it (SIGKILL takes its whole process); a
 * kernel before 6.9 only opens a leader, PID, the thread group's id. */
static void kill_task(const struct notify_pending *p)
{
	const struct seccomp_event *e = &p->event;
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, e->tid, PIDFD_THREAD);
	if (pidfd < 0 && errno == EINVAL)
		pidfd = (int)syscall(SYS_pidfd_open, e->pid, 0);
	int r = pidfd < 0 ? -errno : 0;
	if (r == 0 && !notify_id_valid(p->fd, p->id))
		r = -ESRCH; /* gone already, or its tid is someone else's now */
	if (r == 0 && syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0)
		r = -errno;
	if (r < 0)
		daemon_log(LOG_WARNING, "task %s: thread %d not killed (on_notify=kill): %s",
			   p->task_id, (int)e->tid, strerror(-r));
}

static int answer(int fd, uint64_t id, int errnum, void *buf, size_t size)
{
	struct seccomp_notif_resp *resp = buf;
	memset(buf, 0, size);
	resp->id = id;
	resp->error = -errnum; /* never SECCOMP_USER_NOTIF_FLAG_CONTINUE */
	return ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 ? -errno : 0;
}

/* Receive one notification of L into the batch, its event ready to store. False when there
 * was none (ENOENT: the task died or was interrupted before it was received). */
static bool receive(struct daemon *d, struct notify_listener *l)
{
	struct notify_source *ns = d->notify;
	struct seccomp_notif *req = ns->req;
	struct notify_pending *p = &ns->pending[ns->n_pending];
	memset(req, 0, ns->req_size); /* the kernel wants it zeroed */
	if (ioctl(l->fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
		return false;
	*p = (struct notify_pending){.fd = l->fd, .id = req->id, .answer = l->task.answer};
	struct seccomp_event *e = &p->event;
	to_event(ns, req, e, &p->pid_start_ns);
	bool valid = true;
	if (!d->config.redact)
		p->strings = read_strings(ns, l->fd, req, scmp_arch_of(e->arch, e->nr), &valid);
	if (!p->strings) /* no string read: its check did not cover the identity */
		valid = notify_id_valid(l->fd, req->id);
	if (!valid) { /* gone: its pid may be someone else's now */
		e->comm[0] = e->exe[0] = '\0';
		e->pid = e->tid;
		p->pid_start_ns = 0;
	}
	p->errnum = l->task.answer == NOTIFY_ANSWER_PROFILE ? profile_errno(l, e) : l->task.errnum;
	if (l->task.answer == NOTIFY_ANSWER_KILL) {
		e->code = SECCOMP_RET_USER_NOTIF;
		e->sig = SIGKILL;
	} else
		e->code = SECCOMP_RET_ERRNO | ((uint32_t)p->errnum & SECCOMP_RET_DATA);
	format_into(p->task_id, sizeof(p->task_id), "%s", l->task.task_id);
	format_into(p->container_id, sizeof(p->container_id), "%s", l->task.container_id);
	ns->n_pending++;
	return true;
}

static bool more_pending(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* Every notification L has now (RECV would block on none), at most NOTIFY_PER_TURN. */
static void receive_all(struct daemon *d, struct notify_listener *l)
{
	struct notify_source *ns = d->notify;
	for (unsigned i = 0; i < NOTIFY_PER_TURN && (i == 0 || more_pending(l->fd)); i++) {
		if (ns->n_pending == NOTIFY_BATCH)
			notify_flush(d);
		if (!receive(d, l))
			break;
	}
}

/*
 * Record, then answer, every notification received in this loop turn: one transaction for
 * all of them, committed BEFORE any is answered, so that no call is ever answered unrecorded
 * (a sigsysd that dies in between leaves the tasks waiting, then ENOSYS — never a denial
 * without its event). A store that fails does not hold the answers back: they are denials,
 * and a task left blocked is worse than a lost event (logged).
 */
static void record_lost(struct daemon *d, size_t n, const char *why)
{
	struct notify_source *ns = d->notify;
	uint64_t first_ns = ns->pending[0].event.time_ns;
	for (size_t i = 1; i < ns->n_pending; i++)
		if (ns->pending[i].event.time_ns < first_ns)
			first_ns = ns->pending[i].event.time_ns;
	if (!ns->losing) /* a full disk fails every flush: said once, the loss row counts */
		daemon_log(LOG_ERR,
			   "notifications answered but not stored (%zu of %zu now, more may "
			   "follow): %s",
			   n, ns->n_pending, why);
	ns->losing = true;
	daemon_put_loss(d, &(struct store_loss){.source = "notify",
						.kind = STORE_LOSS_STORE_FULL,
						.records = n,
						.first_ns = first_ns,
						.last_ns = now_realtime_ns()});
}

void notify_flush(struct daemon *d)
{
	struct notify_source *ns = d->notify;
	struct store_event se[NOTIFY_BATCH];
	struct store_put_result res = {0};
	struct store_error err = {{0}};
	if (!ns || !ns->n_pending)
		return;
	for (size_t i = 0; i < ns->n_pending; i++) {
		const struct notify_pending *p = &ns->pending[i];
		se[i] = (struct store_event){.event = &p->event,
					     .task_id = p->task_id,
					     .container_id =
						     p->container_id[0] ? p->container_id : NULL,
					     .pid_start_ns = p->pid_start_ns,
					     .strings = p->strings};
	}
	/* Deferred (a full disk keeps only kills): not retried, the calls are answered now. */
	if (store_put_events(d->store, se, ns->n_pending, &res, &err) < 0)
		record_lost(d, ns->n_pending, err.message);
	else if (res.deferred)
		record_lost(d, res.deferred, "the disk is full");
	else if (ns->losing) {
		daemon_log(LOG_INFO, "notifications are stored again");
		ns->losing = false;
	}
	for (size_t i = 0; i < ns->n_pending; i++) {
		struct notify_pending *p = &ns->pending[i];
		if (p->answer == NOTIFY_ANSWER_KILL)
			kill_task(p);
		answer(p->fd, p->id, p->errnum, ns->resp, ns->resp_size);
		free(p->strings);
	}
	ns->n_pending = 0;
}

/* ---- re-exec: listeners passed on ---------------------------------------------------- */

static void hex_encode(const char *s, char *out, size_t size)
{
	size_t o = 0;
	for (; *s && o + 3 <= size; s++, o += 2)
		snprintf(out + o, 3, "%02x", (unsigned char)*s);
	out[o] = '\0';
}

static int hex_decode(const char *s, char *out, size_t size)
{
	size_t len = strlen(s), o = 0;
	if (len % 2 || len / 2 >= size)
		return -EINVAL;
	for (; o < len / 2; o++) {
		unsigned v;
		if (sscanf(s + 2 * o, "%2x", &v) != 1 || v == 0)
			return -EINVAL;
		out[o] = (char)v;
	}
	out[o] = '\0';
	return 0;
}

/* "fd,answer,errno,pid,hex(task_id),hex(container_id)" per listener, ";" between them. */
static void export_listeners(struct notify_source *ns)
{
	size_t size = ns->n * (2 * 2 * (REGISTRATION_ID_MAX + 1) + 64) + 1, len = 0;
	char *text = calloc(1, size), task[2 * REGISTRATION_ID_MAX + 3],
	     container[2 * REGISTRATION_ID_MAX + 3];
	if (!text)
		return;
	for (size_t i = 0; i < ns->n; i++) {
		const struct notify_listener *l = &ns->listeners[i];
		if (fcntl(l->fd, F_SETFD, 0) < 0)
			continue;
		hex_encode(l->task.task_id, task, sizeof(task));
		hex_encode(l->task.container_id, container, sizeof(container));
		len += (size_t)snprintf(text + len, size - len, "%s%d,%d,%d,%d,%s,%s",
					len ? ";" : "", l->fd, (int)l->task.answer, l->task.errnum,
					(int)l->task.pid, task, container);
	}
	setenv(NOTIFY_ENV, text, 1);
	free(text);
}

struct profile_copy {
	char *text;
	uint64_t caps;
};

static int copy_profile(const struct store_task *t, void *userdata)
{
	struct profile_copy *pc = userdata;
	pc->caps = t->caps;
	pc->text = t->profile_text ? strdup(t->profile_text) : NULL;
	return 0;
}

/* The profile comes back from the store: the registration stored its text. */
static int adopt_task(struct daemon *d, int fd, const struct notify_task *t)
{
	struct profile_copy pc = {0};
	if (t->answer == NOTIFY_ANSWER_PROFILE &&
	    store_get_task(d->store, t->task_id, copy_profile, &pc, NULL) < 0)
		daemon_log(LOG_WARNING, "task %s: not in the store; its calls get %s", t->task_id,
			   sigsys_errno_name(t->errnum));
	int r = notify_add_listener(d, fd, t, pc.text, pc.text ? strlen(pc.text) : 0, pc.caps);
	free(pc.text);
	return r;
}

/* A spec that does not parse: its fd, when it is a listener, was made inheritable for this
 * sigsysd and would stay open (and leak into every child) unless closed here. */
static int drop_inherited(const char *spec)
{
	int fd;
	if (sscanf(spec, "%d,", &fd) == 1 && fd >= 3 && notify_fd_is_listener(fd))
		close(fd);
	return -EINVAL;
}

static int adopt_one(struct daemon *d, char *spec)
{
	int fd, answer, errnum, pid, used = 0;
	char task_hex[2 * REGISTRATION_ID_MAX + 3], container_hex[2 * REGISTRATION_ID_MAX + 3];
	struct notify_task t = {0};
	container_hex[0] = '\0';
	if (sscanf(spec, "%d,%d,%d,%d,%511[0-9a-f],%n", &fd, &answer, &errnum, &pid, task_hex,
		   &used) < 5 ||
	    fd < 3 || answer < NOTIFY_ANSWER_PROFILE || answer > NOTIFY_ANSWER_KILL || errnum < 0 ||
	    errnum > 4095)
		return drop_inherited(spec);
	if (used)
		format_into(container_hex, sizeof(container_hex), "%s", spec + used);
	if (hex_decode(task_hex, t.task_id, sizeof(t.task_id)) < 0 ||
	    (container_hex[0] &&
	     hex_decode(container_hex, t.container_id, sizeof(t.container_id)) < 0))
		return drop_inherited(spec);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	t.answer = (enum notify_answer)answer;
	t.errnum = errnum;
	t.pid = pid;
	return adopt_task(d, fd, &t);
}

/* Listeners of the sigsysd that exec'd this one. */
static void adopt_inherited(struct daemon *d)
{
	const char *env = getenv(NOTIFY_ENV);
	if (!env)
		return;
	_cleanup_free_ char *copy = strdup(env);
	unsetenv(NOTIFY_ENV);
	char *save = NULL;
	int n = 0;
	for (char *s = copy ? strtok_r(copy, ";", &save) : NULL; s; s = strtok_r(NULL, ";", &save))
		if (adopt_one(d, s) < 0)
			daemon_log(LOG_ERR, "an inherited listener \"%s\" is not usable", s);
		else
			n++;
	daemon_log(LOG_INFO, "%d listener(s) kept across the restart", n);
}

/* ---- the source's life ------------------------------------------------------------------ */

int notify_start(struct daemon *d)
{
	struct seccomp_notif_sizes sizes = {0};
	if (!(d->config.sources & DAEMON_SOURCE_NOTIFY)) {
		daemon_log(LOG_INFO, "notify source off: notify.sock is not opened");
		return 0;
	}
	/* Absent (an old kernel, or valgrind, which does not know the call): sigsysd runs
	 * without it, refuses listeners, and /v1/health says so — unless it was asked for. */
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) {
		int r = -errno;
		daemon_log(d->config.sources_given ? LOG_ERR : LOG_WARNING,
			   "no seccomp user notification here (%s): notify mode and notify.sock "
			   "are off",
			   strerror(-r));
		return d->config.sources_given ? r : 0;
	}
	struct notify_source *ns = calloc(1, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	d->notify = ns;
	notify_threads_init(&ns->threads);
	ns->agent_fd = -1;
	ns->req_size = sizes.seccomp_notif > sizeof(struct seccomp_notif)
			       ? sizes.seccomp_notif
			       : sizeof(struct seccomp_notif);
	ns->resp_size = sizes.seccomp_notif_resp > sizeof(struct seccomp_notif_resp)
				? sizes.seccomp_notif_resp
				: sizeof(struct seccomp_notif_resp);
	ns->req = calloc(1, ns->req_size);
	ns->resp = calloc(1, ns->resp_size);
	ns->pending = calloc(NOTIFY_BATCH, sizeof(*ns->pending));
	if (!ns->req || !ns->resp || !ns->pending)
		return -ENOMEM;
	adopt_inherited(d);
	return notify_agent_listen(d);
}

void notify_stop(struct daemon *d, bool keep)
{
	struct notify_source *ns = d->notify;
	if (!ns)
		return;
	notify_flush(d);
	notify_agent_close_all(d);
	if (keep)
		export_listeners(ns);
	while (ns->n)
		remove_listener(ns, &ns->listeners[ns->n - 1], !keep);
	notify_threads_clear(&ns->threads);
	free(ns->listeners);
	free(ns->pending);
	free(ns->req);
	free(ns->resp);
	free(ns);
	d->notify = NULL;
}

bool notify_dispatch(struct daemon *d, int fd, uint32_t events)
{
	struct notify_source *ns = d->notify;
	if (!ns)
		return false;
	if (fd == ns->agent_fd) {
		notify_agent_accept(d);
		return true;
	}
	struct notify_listener *l = find_listener(ns, fd);
	if (!l)
		return notify_agent_ready(d, fd);
	if (events & EPOLLIN)
		receive_all(d, l);
	else if (events & (EPOLLHUP | EPOLLERR)) { /* the filter has no users left */
		daemon_log(LOG_INFO, "task %s: its listener hung up", l->task.task_id);
		notify_flush(d); /* what was received on its fd is answered before it closes */
		remove_listener(ns, l, true);
	}
	return true;
}
