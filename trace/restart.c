/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What sigsysd owes to the time it was not running (a crash, a SIGKILL, a restart).
 *
 * With audit alone, a seccomp kill that happens while sigsysd is down leaves no trace it can
 * read later: the multicast record went to no one. So the daemon says where it was blind: a
 * heartbeat file beside the store (<db>-heartbeat, its mtime the last second the daemon is
 * known to have run) gives, at the next start, the window [heartbeat, start] that becomes a
 * "daemon-down" loss. Reports of tasks whose lifetime overlaps it say evidence may be missing
 * instead of "not seccomp", and /v1/health names the window.
 *
 * The previous run's tasks are also picked up again: every process the store holds without an
 * exit is either still alive with the same start time (followed again, so its later kills are
 * attributed) or gone (its exit stored as unknown: "it ended while sigsysd was down").
 */
#include "daemon.h"
#include "procfs.h"

#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#define HEARTBEAT_EVERY_NS (1000000000ull)
#define RESUME_MAX	   STORE_PAGE_MAX /* processes followed again at most */

static uint64_t mtime_ns(const struct stat *st)
{
	return (uint64_t)st->st_mtim.tv_sec * 1000000000ull + (uint64_t)st->st_mtim.tv_nsec;
}

/* The heartbeat file: opened (created 0600 when missing); returns its mtime before, 0 when
 * it did not exist (a first start: nothing was missed). */
static uint64_t open_heartbeat(struct daemon *d)
{
	char path[PATH_MAX];
	struct stat st;
	format_into(path, sizeof(path), "%s-heartbeat", d->config.db);
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || fstat(fd, &st) < 0) {
		daemon_log(LOG_WARNING,
			   "cannot open the heartbeat %s: %m; a restart will not "
			   "know how long sigsysd was down",
			   path);
		if (fd >= 0)
			close(fd);
		return 0;
	}
	d->heartbeat_fd = fd;
	return st.st_size > 0 ? mtime_ns(&st) : 0;
}

void restart_heartbeat(struct daemon *d, bool now)
{
	uint64_t mono = now_monotonic_ns();
	if (d->heartbeat_fd < 0 || (!now && mono < d->last_heartbeat_ns + HEARTBEAT_EVERY_NS))
		return;
	d->last_heartbeat_ns = mono;
	/* one byte marks a heartbeat written by a run (a new empty file is a first start) */
	if (pwrite(d->heartbeat_fd, "1", 1, 0) < 0 || futimens(d->heartbeat_fd, NULL) < 0)
		daemon_log(LOG_WARNING, "heartbeat: %m");
}

static void note_downtime(struct daemon *d, uint64_t last_alive_ns)
{
	uint64_t now = now_realtime_ns();
	if (!last_alive_ns || last_alive_ns > now)
		return;
	/* from one beat earlier: records still in the socket at the last beat went unread */
	uint64_t from =
		last_alive_ns - (last_alive_ns > HEARTBEAT_EVERY_NS ? HEARTBEAT_EVERY_NS : 0);
	struct store_loss loss = {.source = "daemon",
				  .kind = STORE_LOSS_DAEMON_DOWN,
				  .first_ns = from,
				  .last_ns = now};
	d->down_from_ns = from;
	d->down_to_ns = now;
	daemon_put_loss(d, &loss);
	daemon_log(LOG_INFO, "sigsysd was down for %.1f s: kills in that time are not recorded",
		   (double)(now - from) / 1e9);
}

struct open_proc {
	int32_t pid;
	uint64_t start_ns;
	char task_id[REGISTRY_TASK_ID_MAX + 1];
};

struct open_procs {
	struct open_proc *procs;
	size_t n;
};

static int collect_open(const struct store_process *p, void *userdata)
{
	struct open_procs *o = userdata;
	if (!p->task_id || o->n == RESUME_MAX)
		return 0;
	struct open_proc *out = &o->procs[o->n++];
	out->pid = p->pid;
	out->start_ns = p->start_ns;
	format_into(out->task_id, sizeof(out->task_id), "%s", p->task_id);
	return 0;
}

/* One process of the previous run: followed again, or its end stored as unknown. */
static bool resume_process(struct daemon *d, const struct open_proc *p)
{
	uint64_t start;
	if (proc_start_time_ns(p->pid, &start) == 0 && proc_same_start(start, p->start_ns)) {
		registry_add(&d->registry, p->pid, p->start_ns, p->task_id);
		return true;
	}
	struct store_proc_event gone = {.kind = STORE_PROC_EXIT,
					.pid = p->pid,
					.start_ns = p->start_ns,
					.time_ns = now_realtime_ns(),
					.wait_status = STORE_WAIT_UNKNOWN};
	struct store_error err;
	if (store_put_procs(d->store, &gone, 1, &err) < 0)
		daemon_log(LOG_ERR, "storing the unknown end of pid %d: %s", p->pid, err.message);
	return false;
}

static int resume_tasks(struct daemon *d)
{
	struct open_procs o = {.procs = calloc(RESUME_MAX, sizeof(*o.procs))};
	struct store_error err;
	size_t alive = 0;
	int r = o.procs ? 0 : -ENOMEM;
	/* collected first: the store is written only once the query is done */
	if (r == 0 && (r = store_open_processes(d->store, RESUME_MAX, collect_open, &o, &err)) < 0)
		daemon_log(LOG_ERR, "reading the previous run's processes: %s", err.message);
	for (size_t i = 0; r >= 0 && i < o.n; i++)
		alive += resume_process(d, &o.procs[i]);
	if (o.n)
		daemon_log(LOG_INFO, "%zu process(es) of the previous run still alive, %zu gone",
			   alive, o.n - alive);
	free(o.procs);
	return r < 0 ? r : (int)o.n;
}

int restart_resume(struct daemon *d)
{
	note_downtime(d, open_heartbeat(d));
	restart_heartbeat(d, true);
	return resume_tasks(d);
}

void restart_close(struct daemon *d)
{
	restart_heartbeat(d, true);
	if (d->heartbeat_fd >= 0)
		close(d->heartbeat_fd);
	d->heartbeat_fd = -1;
}
