/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "daemon.h"
#include "api.h"
#include "cgroup.h"
#include "notify-source.h"
#include "proc.h"
#include "procfs.h"
#include "registration.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>

#define MAINTAIN_EVERY_NS (10ull * 1000000000ull)
#define LOOP_TIMEOUT_MS	  1000
#define DRAIN_BUDGET	  4096
#define PROC_CHANGES_MAX  1024 /* process changes applied together */

static bool log_to_stderr = true;

void daemon_log_init(bool to_stderr)
{
	log_to_stderr = to_stderr;
	if (!to_stderr)
		openlog("sigsysd", LOG_PID, LOG_DAEMON);
}

static const char *level_name(int priority)
{
	switch (priority) {
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

void daemon_log(int priority, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (log_to_stderr) {
		fprintf(stderr, "sigsysd: %s: ", level_name(priority));
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(priority, fmt, ap);
	}
	va_end(ap);
}

int daemon_usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("sigsysd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -EINVAL;
}

void daemon_config_init(struct daemon_config *c)
{
	*c = (struct daemon_config){.run_dir = DAEMON_RUN_DIR,
				    .db = DAEMON_DB,
				    .profile_dir = DAEMON_PROFILE_DIR,
				    .sources = DAEMON_SOURCE_AUDIT | DAEMON_SOURCE_PROC |
					       DAEMON_SOURCE_BPF | DAEMON_SOURCE_NOTIFY,
				    .audit_rcvbuf = AUDIT_RCVBUF_DEFAULT};
}

uint64_t now_realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t now_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The run dir is ours: created 0750 by root, or an existing directory owned by root that no
 * one else may write; never followed through a symlink. */
static int open_run_dir(struct daemon *d)
{
	const char *dir = d->config.run_dir;
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		daemon_log(LOG_ERR, "cannot create the run dir %s: %m", dir);
		return -errno;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		daemon_log(LOG_ERR, "cannot open the run dir %s: %m", dir);
		return fd < 0 ? -errno : -EIO;
	}
	if (st.st_uid != 0 || (st.st_mode & 0022)) {
		daemon_log(LOG_ERR,
			   "the run dir %s must be owned by root and not writable by others "
			   "(it is uid %u, mode %o)",
			   dir, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		close(fd);
		return -EPERM;
	}
	/* Its group reaches the sockets: the API group, else the register group (api.sock is
	 * then root-only). Members of a different register group must be in the API group. */
	gid_t group = d->config.has_api_group	     ? d->config.api_group
		      : d->config.has_register_group ? d->config.register_group
						     : 0;
	if (d->config.has_api_group && d->config.has_register_group &&
	    d->config.api_group != d->config.register_group)
		daemon_log(LOG_WARNING, "members of the register group must also be in the API "
					"group: the run dir is open to the API group only");
	if (fchown(fd, 0, group) < 0 || fchmod(fd, 0750) < 0)
		daemon_log(LOG_WARNING, "cannot set the run dir's owner and mode: %m");
	d->run_dir_fd = fd;
	return 0;
}

static int open_store(struct daemon *d)
{
	struct store_options o;
	struct store_error err;
	store_options_init(&o);
	o.background_checkpoint = true; /* never in a commit a notified task waits on */
	int r = store_open(d->config.db, &o, &d->store, &err);
	if (r < 0)
		daemon_log(LOG_ERR, "cannot open the store %s: %s", d->config.db, err.message);
	return r;
}

static int add_fd(struct daemon *d, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
	return epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/* A source the admin asked for must open; a default one may be missing, said once. */
static int open_sources(struct daemon *d)
{
	unsigned want = d->config.sources;
	if (want & DAEMON_SOURCE_AUDIT) {
		int r = audit_source_open(&d->audit, d->config.audit_rcvbuf);
		if (r < 0 && d->config.sources_given) {
			daemon_log(LOG_ERR, "audit source: %s", strerror(-r));
			return r;
		}
		if (r < 0)
			daemon_log(LOG_WARNING, "audit source unavailable: %s", strerror(-r));
		else if ((r = add_fd(d, d->audit.fd)) < 0)
			return r;
	}
	if ((want & DAEMON_SOURCE_BPF) && daemon_bpf_open(d) < 0 && d->config.sources_given)
		return -ENOTSUP;
	if (want & DAEMON_SOURCE_PROC) {
		d->proc_fd = proc_open(PROC_OPEN_NONBLOCK, 0);
		if (d->proc_fd < 0 && d->config.sources_given) {
			daemon_log(LOG_ERR, "proc source: %s", strerror(-d->proc_fd));
			return d->proc_fd;
		}
		if (d->proc_fd < 0)
			daemon_log(LOG_WARNING,
				   "proc source unavailable: %s; descendants of "
				   "registered tasks are not attributed",
				   strerror(-d->proc_fd));
		else
			return add_fd(d, d->proc_fd);
	}
	return 0;
}

static int open_signals(struct daemon *d)
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return d->signal_fd < 0 ? -errno : add_fd(d, d->signal_fd);
}

int daemon_start(struct daemon *d)
{
	int r;
	d->proc_fd = d->register_fd = d->signal_fd = d->run_dir_fd = d->heartbeat_fd = -1;
	d->audit.fd = -1;
	d->api = NULL;
	d->bpf = NULL;
	registry_init(&d->registry);
	d->pending = calloc(DAEMON_BATCH, sizeof(*d->pending));
	d->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (!d->pending || d->epoll_fd < 0)
		return -ENOMEM;
	if ((r = open_run_dir(d)) < 0 || (r = open_store(d)) < 0 || (r = open_signals(d)) < 0 ||
	    (r = open_sources(d)) < 0 || (r = register_listen(d)) < 0 ||
	    (r = add_fd(d, d->register_fd)) < 0 || (r = notify_start(d)) < 0)
		return r;
	restart_resume(d); /* before the API answers: its first health names the gap */
	if ((r = api_start(d)) < 0)
		return r;
	register_read_spool(d);
	daemon_log(LOG_INFO, "started: run dir %s, store %s, sources%s%s%s", d->config.run_dir,
		   d->config.db, d->audit.fd >= 0 ? " audit" : "", d->proc_fd >= 0 ? " proc" : "",
		   d->bpf ? " bpf" : "");
	return 0;
}

/* ---- attribution and storing ---------------------------------------------------------- */

/* Not registered and no registered ancestor: the Mesos container and task from /proc, while
 * the process lives. LOG storms skip this (they would read /proc per record). */
static void attribute_from_proc(struct pending_event *p)
{
	struct mesos_container c;
	struct mesos_env env;
	if (seccomp_event_action(&p->event) == SECCOMP_RET_LOG)
		return;
	if (cgroup_mesos_container_of(p->event.pid, NULL, &c) == 0 && mesos_container_id(&c))
		format_into(p->container_id, sizeof(p->container_id), "%s", mesos_container_id(&c));
	if (mesos_env_of(p->event.pid, &env) == 0 && env.task_id[0])
		format_into(p->task_id, sizeof(p->task_id), "%s", env.task_id);
}

static void attribute(struct daemon *d, struct pending_event *p)
{
	/* A source that knows the process's start time (bpf) names the process exactly. */
	const struct registry_entry *e = registry_find(&d->registry, p->event.pid, p->pid_start_ns);
	uint64_t start = 0;
	/* An exited entry may hide a reused pid: check the live process's start time. */
	if (e && e->exited_ns && proc_start_time_ns(p->event.pid, &start) == 0)
		e = registry_find(&d->registry, p->event.pid, start);
	if (e) {
		format_into(p->task_id, sizeof(p->task_id), "%s", e->task_id);
		p->pid_start_ns = e->start_ns;
		return;
	}
	attribute_from_proc(p);
}

/* A loss the store could not take (a full disk is when losses happen): held, merged with
 * others of its source and kind, and retried, so that the gap shows once there is room. */
static bool hold_loss(struct daemon *d, const struct store_loss *l)
{
	size_t i = 0;
	while (i < d->n_held_losses && (d->held_losses[i].kind != l->kind ||
					strcmp(d->held_losses[i].source, l->source) != 0))
		i++;
	if (i == DAEMON_HELD_LOSSES)
		i = DAEMON_HELD_LOSSES - 1; /* widened: its count becomes a lower bound */
	struct store_loss *h = &d->held_losses[i];
	if (i == d->n_held_losses) {
		*h = *l;
		d->n_held_losses++;
		return true;
	}
	h->records += l->records;
	h->first_ns = h->first_ns < l->first_ns ? h->first_ns : l->first_ns;
	h->last_ns = h->last_ns > l->last_ns ? h->last_ns : l->last_ns;
	return false;
}

int daemon_put_loss(struct daemon *d, const struct store_loss *l)
{
	struct store_error err;
	int r = store_put_loss(d->store, l, &err);
	if (r < 0 && hold_loss(d, l)) /* said once per held loss, not per storm */
		daemon_log(LOG_ERR, "recording a %s loss (held for the next try): %s", l->source,
			   err.message);
	return r;
}

static void put_held_losses(struct daemon *d)
{
	size_t kept = 0;
	for (size_t i = 0; i < d->n_held_losses; i++)
		if (store_put_loss(d->store, &d->held_losses[i], NULL) < 0)
			d->held_losses[kept++] = d->held_losses[i];
	d->n_held_losses = kept;
}

/* Keep the events the store deferred (a full disk takes kills first) for the next try. */
static void keep_deferred(struct daemon *d)
{
	size_t kept = 0;
	for (size_t i = 0; i < d->n_pending; i++)
		if (!store_event_is_kill(&d->pending[i].event))
			d->pending[kept++] = d->pending[i];
	d->n_pending = kept;
}

/* The queue is full and the store still refuses: what cannot wait is dropped, and said. */
static void drop_pending(struct daemon *d)
{
	uint64_t now = now_realtime_ns();
	struct store_loss loss = {.source = "store",
				  .kind = STORE_LOSS_STORE_FULL,
				  .records = d->n_pending,
				  .first_ns = d->pending[0].event.time_ns,
				  .last_ns = now};
	daemon_log(LOG_ERR, "the store cannot take %zu events: dropped", d->n_pending);
	daemon_put_loss(d, &loss);
	d->n_pending = 0;
}

static void attribute_pending(struct daemon *d)
{
	for (; d->n_attributed < d->n_pending; d->n_attributed++)
		attribute(d, &d->pending[d->n_attributed]);
}

static void flush_events(struct daemon *d)
{
	static struct store_event evs[DAEMON_BATCH];
	struct store_put_result res = {0};
	struct store_error err;
	if (!d->n_pending)
		return;
	for (size_t i = 0; i < d->n_pending; i++) {
		struct pending_event *p = &d->pending[i];
		evs[i] = (struct store_event){.event = &p->event,
					      .task_id = p->task_id[0] ? p->task_id : NULL,
					      .container_id =
						      p->container_id[0] ? p->container_id : NULL,
					      .pid_start_ns = p->pid_start_ns};
	}
	int r = store_put_events(d->store, evs, d->n_pending, &res, &err);
	if (r >= 0 && !res.deferred) {
		d->n_pending = d->n_attributed = 0;
		put_held_losses(d);
		return;
	}
	if (r >= 0)
		keep_deferred(d);
	else
		daemon_log(LOG_ERR, "storing %zu events: %s (kept for the next try)", d->n_pending,
			   err.message);
	if (d->n_pending == DAEMON_BATCH)
		drop_pending(d);
	d->n_attributed = d->n_pending; /* what is kept was attributed */
}

static void drain_proc(struct daemon *d);

void daemon_queue_event(struct daemon *d, const struct seccomp_event *e, uint64_t start_ns)
{
	if (d->n_pending == DAEMON_BATCH) {
		if (d->proc_fd >= 0)
			drain_proc(d);
		attribute_pending(d);
		flush_events(d);
	}
	/* attributed at flush time, after the process connector caught up (see daemon_run) */
	d->pending[d->n_pending++] = (struct pending_event){.event = *e, .pid_start_ns = start_ns};
}

static void on_audit_event(const struct seccomp_event *e, void *userdata)
{
	daemon_queue_event(userdata, e, 0);
}

static void on_audit_loss(const struct audit_loss *l, void *userdata)
{
	struct daemon *d = userdata;
	uint64_t now = now_realtime_ns();
	struct store_loss loss = {.source = "audit",
				  .kind = l->kind == AUDIT_LOSS_ENOBUFS ? STORE_LOSS_ENOBUFS
									: STORE_LOSS_SERIAL_GAP,
				  .records = l->records,
				  .first_serial = l->first_serial,
				  .last_serial = l->last_serial,
				  .first_ns = l->first_ns ? l->first_ns : now,
				  .last_ns = l->last_ns ? l->last_ns : now};
	daemon_put_loss(d, &loss);
}

static void drain_audit(struct daemon *d)
{
	const struct audit_sink sink = {on_audit_event, on_audit_loss, d};
	if (audit_source_drain(&d->audit, &sink, DRAIN_BUDGET) < 0)
		daemon_log(LOG_WARNING, "audit source: %m");
}

/* ---- the process connector: the process tree of registered tasks --------------------- */

static int wait_status_of(const struct proc_change *c)
{
	if (c->exit.how == PROC_EXIT_STATUS)
		return (c->exit.status & 0xff) << 8;
	if (c->exit.how == PROC_EXIT_SIGNAL)
		return (c->exit.signal & 0x7f) | (c->exit.core_dumped ? 0x80 : 0);
	return STORE_WAIT_UNKNOWN;
}

static uint64_t boot_offset_ns(void)
{
	struct timespec boot, mono;
	clock_gettime(CLOCK_BOOTTIME, &boot);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	int64_t diff = (boot.tv_sec - mono.tv_sec) * 1000000000ll + (boot.tv_nsec - mono.tv_nsec);
	return diff > 0 ? (uint64_t)diff : 0;
}

static void on_fork(struct daemon *d, const struct proc_change *c, struct store_proc_event *out,
		    size_t *n)
{
	const struct registry_entry *parent = registry_find(&d->registry, c->fork.parent_tgid, 0);
	uint64_t start = 0;
	if (c->fork.thread || !parent)
		return;
	/* The fork's own stamp, not /proc (the child may be gone already): monotonic, moved
	 * to the boot clock /proc start times use; within one clock tick of /proc's value. */
	start = c->time_ns + boot_offset_ns();
	if (registry_find(&d->registry, c->tgid, start))
		return; /* the other process source (proc, bpf) reported it already */
	if (registry_add(&d->registry, c->tgid, start, parent->task_id) < 0)
		return;
	out[(*n)++] = (struct store_proc_event){.kind = STORE_PROC_FORK,
						.pid = c->tgid,
						.start_ns = start,
						.time_ns = now_realtime_ns(),
						.parent_pid = c->fork.parent_tgid,
						.parent_start_ns = parent->start_ns};
}

static void commit_exit(struct daemon *d, const struct store_proc_event *ev)
{
	struct store_error err;
	if (store_put_procs(d->store, ev, 1, &err) < 0)
		daemon_log(LOG_ERR, "storing an exit: %s", err.message);
	registry_exited(&d->registry, ev->pid, now_monotonic_ns());
}

/* Held exits whose time is up were real: store them. */
static void commit_held_exits(struct daemon *d, bool all)
{
	uint64_t now = now_monotonic_ns();
	size_t kept = 0;
	for (size_t i = 0; i < d->n_held; i++) {
		if (all || now >= d->held[i].deadline_ns)
			commit_exit(d, &d->held[i].event);
		else
			d->held[kept++] = d->held[i];
	}
	d->n_held = kept;
}

/* An exec of a pid whose leader "exited": that exit was the exec's, not the process's. */
static void cancel_held_exit(struct daemon *d, int32_t pid)
{
	size_t kept = 0;
	for (size_t i = 0; i < d->n_held; i++)
		if (d->held[i].pid != pid)
			d->held[kept++] = d->held[i];
	d->n_held = kept;
}

static void on_exit_change(struct daemon *d, const struct proc_change *c,
			   struct store_proc_event *out, size_t *n)
{
	const struct registry_entry *e = registry_find(&d->registry, c->tgid, 0);
	if (!e || c->tid != c->tgid || e->exited_ns)
		return;
	struct store_proc_event ev = {.kind = STORE_PROC_EXIT,
				      .pid = c->tgid,
				      .start_ns = e->start_ns,
				      .time_ns = now_realtime_ns(),
				      .wait_status = wait_status_of(c)};
	for (size_t i = 0; i < d->n_held; i++)
		if (d->held[i].pid == c->tgid)
			return; /* held already: the other process source reported it */
	if (ev.wait_status == 0) {
		if (d->n_held == DAEMON_HELD_EXITS)
			commit_held_exits(d, true);
		d->held[d->n_held++] =
			(struct held_exit){.pid = c->tgid,
					   .deadline_ns = now_monotonic_ns() + DAEMON_HOLD_EXIT_NS,
					   .event = ev};
		return;
	}
	out[(*n)++] = ev;
	registry_exited(&d->registry, c->tgid, now_monotonic_ns());
}

/* What a registered process became: its comm and exe, for reports that name it. */
static void on_exec(struct daemon *d, const struct proc_change *c, struct store_proc_event *out,
		    size_t *n, char comm[][32], char exe[][PATH_MAX])
{
	const struct registry_entry *e = registry_find(&d->registry, c->tgid, 0);
	char path[64];
	cancel_held_exit(d, c->tgid);
	if (!e || e->exited_ns || c->tid != c->tgid)
		return;
	size_t i = *n;
	format_into(path, sizeof(path), "/proc/%d/exe", c->tgid);
	ssize_t len = readlink(path, exe[i], PATH_MAX - 1);
	exe[i][len > 0 ? len : 0] = '\0';
	format_into(path, sizeof(path), "/proc/%d/comm", c->tgid);
	_cleanup_free_ char *text = NULL;
	comm[i][0] = '\0';
	if (read_file_bounded(path, 64, &text, NULL) == 0)
		format_into(comm[i], 32, "%.*s", (int)strcspn(text, "\n"), text);
	out[(*n)++] = (struct store_proc_event){.kind = STORE_PROC_EXEC,
						.pid = c->tgid,
						.start_ns = e->start_ns,
						.time_ns = now_realtime_ns(),
						.comm = comm[i][0] ? comm[i] : NULL,
						.exe = exe[i][0] ? exe[i] : NULL};
}

static void apply_changes(struct daemon *d, const struct proc_change *changes, int n)
{
	static char comm[PROC_CHANGES_MAX][32], exe[PROC_CHANGES_MAX][PATH_MAX];
	static struct store_proc_event out[PROC_CHANGES_MAX];
	size_t k = 0;
	for (int i = 0; i < n && k < ARRAY_SIZE(out); i++) {
		if (changes[i].type == PROC_CHANGE_FORK)
			on_fork(d, &changes[i], out, &k);
		else if (changes[i].type == PROC_CHANGE_EXIT)
			on_exit_change(d, &changes[i], out, &k);
		else if (changes[i].type == PROC_CHANGE_EXEC)
			on_exec(d, &changes[i], out, &k, comm, exe);
	}
	struct store_error err;
	if (k && store_put_procs(d->store, out, k, &err) < 0)
		daemon_log(LOG_ERR, "storing process events: %s", err.message);
}

void daemon_apply_proc_changes(struct daemon *d, const struct proc_change *changes, int n)
{
	apply_changes(d, changes, n);
}

static void note_proc_loss(struct daemon *d)
{
	struct store_loss loss = {.source = "proc",
				  .kind = STORE_LOSS_ENOBUFS,
				  .first_ns = now_realtime_ns(),
				  .last_ns = now_realtime_ns()};
	daemon_put_loss(d, &loss);
}

/* Changes of several datagrams are applied together, so an exit can see the exec after it. */
static void drain_proc(struct daemon *d)
{
	static struct proc_change changes[PROC_CHANGES_MAX];
	char buf[PROC_RECV_SIZE];
	int n = 0;
	for (int i = 0; i < DRAIN_BUDGET; i++) {
		if (n > PROC_CHANGES_MAX - 64) {
			apply_changes(d, changes, n);
			n = 0;
		}
		int len = proc_receive(d->proc_fd, buf, sizeof(buf));
		if (len == -EAGAIN)
			break;
		if (len == -ENOBUFS)
			note_proc_loss(d);
		if (len < 0)
			continue;
		int got = proc_decode(buf, (size_t)len, changes + n, 64);
		if (got > 0)
			n += got;
	}
	if (n)
		apply_changes(d, changes, n);
}

/* ---- the loop ------------------------------------------------------------------------- */

static void maintain(struct daemon *d)
{
	uint64_t now = now_monotonic_ns();
	if (now < d->last_maintain_ns + MAINTAIN_EVERY_NS)
		return;
	d->last_maintain_ns = now;
	registry_expire(&d->registry, now);
	struct store_maintain_result res;
	struct store_error err;
	if (store_maintain(d->store, now_realtime_ns(), &res, &err) < 0)
		daemon_log(LOG_WARNING, "store maintenance: %s", err.message);
	put_held_losses(d);
}

static void on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;
	while (read(d->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		/* A planned restart: sigsysd execs itself, the listeners inherited. */
		d->restarting = si.ssi_signo == SIGHUP;
		daemon_log(LOG_INFO, "%s on signal %u", d->restarting ? "restarting" : "stopping",
			   si.ssi_signo);
		d->stopping = true;
	}
}

int daemon_run(struct daemon *d)
{
	struct epoll_event evs[8];
	while (!d->stopping) {
		int n = epoll_wait(d->epoll_fd, evs, ARRAY_SIZE(evs), LOOP_TIMEOUT_MS);
		if (n < 0 && errno != EINTR)
			return -errno;
		/* the process tree first: a fork must be known before its child's events */
		if (d->proc_fd >= 0)
			drain_proc(d);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == d->signal_fd)
				on_signal(d);
			else if (fd == d->register_fd)
				register_accept(d);
			else if (!notify_dispatch(d, fd, evs[i].events))
				register_ready(d, fd);
		}
		notify_flush(d); /* answers first: tasks wait on them */
		if (d->audit.fd >= 0)
			drain_audit(d);
		if (d->bpf)
			daemon_bpf_drain(d);
		/* A process's fork is reported before any of its syscalls is: draining the
		 * connector after reading audit makes every event's process known. */
		if (d->proc_fd >= 0 && d->n_pending > d->n_attributed)
			drain_proc(d);
		attribute_pending(d);
		flush_events(d);
		commit_held_exits(d, false);
		register_expire(d, false);
		notify_expire(d);
		maintain(d);
		restart_heartbeat(d, false);
		api_publish(d);
	}
	return 0;
}

void daemon_stop(struct daemon *d)
{
	char path[PATH_MAX];
	api_stop(d); /* first: its thread reads what is closed below */
	flush_events(d);
	commit_held_exits(d, true);
	register_expire(d, true);
	notify_stop(d, d->restarting);
	restart_close(d);
	if (d->proc_fd >= 0)
		proc_close(d->proc_fd);
	audit_source_close(&d->audit);
	daemon_bpf_close(d); /* its pins stay: kills are recorded until the next start */
	if (d->register_fd >= 0) {
		close(d->register_fd);
		format_into(path, sizeof(path), "%s/register.sock", d->config.run_dir);
		unlink(path);
	}
	store_close(d->store);
	registry_clear(&d->registry);
	free(d->pending);
	if (d->signal_fd >= 0)
		close(d->signal_fd);
	if (d->epoll_fd >= 0)
		close(d->epoll_fd);
	if (d->run_dir_fd >= 0)
		close(d->run_dir_fd);
	daemon_log(LOG_INFO, "stopped");
}
