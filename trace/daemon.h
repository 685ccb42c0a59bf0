/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sigsysd's state and its life: start (run dir, store, sources, sockets, spool), the event
 * loop, stop. */
#ifndef SIGSYS_TRACE_DAEMON_H
#define SIGSYS_TRACE_DAEMON_H

#include "audit.h"
#include "registration.h"
#include "registry.h"
#include "sigsys.h"
#include "store.h"
#include "util.h"

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <syslog.h>

#define DAEMON_RUN_DIR	    "/run/sigsys"
#define DAEMON_DB	    "/var/lib/sigsys/sigsys.db"
#define DAEMON_PROFILE_DIR  "/opt/mesosphere/etc/dcos/mesos/seccomp"
#define DAEMON_BATCH	    4096 /* events stored per transaction at most */
#define DAEMON_HELD_EXITS   256
#define DAEMON_REG_CONNS    64 /* registrations being received at once */
#define DAEMON_HOLD_EXIT_NS (200ull * 1000000ull)
#define DAEMON_HELD_LOSSES  8 /* losses the store could not take yet, by source and kind */

enum daemon_source {
	DAEMON_SOURCE_AUDIT = 1u << 0,
	DAEMON_SOURCE_PROC = 1u << 1,
	DAEMON_SOURCE_BPF = 1u << 2,
	DAEMON_SOURCE_NOTIFY = 1u << 3, /* seccomp listeners: notify mode, notify.sock */
};

struct daemon_config {
	const char *run_dir, *db, *profile_dir;
	unsigned sources;
	int audit_rcvbuf;   /* the audit socket's receive buffer, bytes */
	bool sources_given; /* explicit: a source that cannot open is an error */
	bool foreground;
	bool has_api_group, has_register_group;
	gid_t api_group, register_group;
	bool redact; /* --redact: strings of notified calls stay out of the store */
};

struct pending_event {
	struct seccomp_event event;
	char task_id[REGISTRY_TASK_ID_MAX + 1]; /* "" when unattributed */
	char container_id[REGISTRY_TASK_ID_MAX + 1];
	uint64_t pid_start_ns;
};

struct api;
struct bpf_source;
struct proc_change;
struct notify_source;

/* A registration being received: never waited for, the loop reads what has arrived. */
struct reg_conn {
	int fd;
	struct ucred peer;
	uint8_t header[4];
	size_t header_got;
	char *body;
	size_t body_len, body_got;
	uint64_t deadline_ns; /* CLOCK_MONOTONIC */
	int listener_fd;      /* notify mode: the task's seccomp listener, -1 until it came */
};

struct daemon {
	struct daemon_config config;
	struct store *store;
	struct api *api; /* the HTTP API on api.sock (trace/api.c) */
	struct registry registry;
	struct audit_source audit;
	struct bpf_source *bpf; /* NULL: not running; bpf_error says why (trace/bpf-daemon.c) */
	char bpf_error[256];
	int proc_fd, register_fd, signal_fd, epoll_fd, run_dir_fd;
	struct pending_event *pending;
	size_t n_pending;
	size_t n_attributed; /* pending[0 .. n_attributed) have their task */
	uint64_t last_maintain_ns;
	/* Leader exits with status 0, held briefly: when another thread execs, the kernel
	 * reports such an exit and then the exec of the same pid (the process lives on). */
	struct held_exit {
		int32_t pid;
		uint64_t deadline_ns; /* CLOCK_MONOTONIC */
		struct store_proc_event event;
	} held[DAEMON_HELD_EXITS];
	size_t n_held;
	struct reg_conn conns[DAEMON_REG_CONNS];
	size_t n_conns;
	struct notify_source *notify; /* listeners and notify.sock (trace/notify-source.c) */
	struct store_loss held_losses[DAEMON_HELD_LOSSES];
	size_t n_held_losses;
	/* the time before this start that sigsysd was not running (trace/restart.c) */
	int heartbeat_fd;
	uint64_t last_heartbeat_ns;	   /* CLOCK_MONOTONIC */
	uint64_t down_from_ns, down_to_ns; /* CLOCK_REALTIME; 0: a first start */
	bool stopping;
	bool restarting; /* SIGHUP: stop, keeping the listeners, and exec sigsysd again */
};

void daemon_config_init(struct daemon_config *c);
int daemon_start(struct daemon *d);
int daemon_run(struct daemon *d);
void daemon_stop(struct daemon *d);

/* Logs: "sigsysd: LEVEL: message" on stderr in the foreground, syslog when detached. */
void daemon_log_init(bool to_stderr);
void daemon_log(int priority, const char *fmt, ...) _printf_(2, 3);
/* A configuration error, on stderr; returns -EINVAL. */
int daemon_usage_error(const char *fmt, ...) _printf_(1, 2);

/* registrations: register.sock and the spool (trace/register-server.c) */
int register_listen(struct daemon *d);
void register_accept(struct daemon *d);
/* Whether fd is a registration being received; if so, read what arrived. */
bool register_ready(struct daemon *d, int fd);
/* Close registrations past their deadline, and all of them when stopping. */
void register_expire(struct daemon *d, bool all);
int register_read_spool(struct daemon *d);
int daemon_add_registration(struct daemon *d, const struct registration *reg);
/* Root, or a member of --register-group (register.sock and notify.sock). */
bool register_peer_allowed(const struct daemon *d, const struct ucred *peer);

/* For sources beside audit and proc: queue a seccomp event (start_ns: the process's start,
 * 0 when unknown), apply process changes as the process connector's are applied. */
void daemon_queue_event(struct daemon *d, const struct seccomp_event *e, uint64_t start_ns);
void daemon_apply_proc_changes(struct daemon *d, const struct proc_change *changes, int n);

/* the bpf source (trace/bpf-daemon.c) */
int daemon_bpf_open(struct daemon *d);
void daemon_bpf_drain(struct daemon *d);
void daemon_bpf_close(struct daemon *d);

/* Record a loss; one the store cannot take now is held and retried after the next write. */
int daemon_put_loss(struct daemon *d, const struct store_loss *l);

/* restarts (trace/restart.c): record the time sigsysd was down as a loss, follow again the
 * previous run's live processes and close the others; the heartbeat that makes it possible */
int restart_resume(struct daemon *d);
void restart_heartbeat(struct daemon *d, bool now);
void restart_close(struct daemon *d);

uint64_t now_realtime_ns(void);
uint64_t now_monotonic_ns(void);

#endif
