/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The notify source of sigsysd: seccomp listener fds (from sigsys-apply on register.sock,
 * from OCI runtimes on notify.sock) in the daemon's event loop. Each notification becomes a
 * struct seccomp_event with all six arguments and the strings of path arguments, is stored,
 * and only then answered — with the profile's own errno, or what the listener's metadata
 * says (errno or kill). A denied call is never let through (no CONTINUE).
 */
#ifndef SIGSYS_TRACE_NOTIFY_SOURCE_H
#define SIGSYS_TRACE_NOTIFY_SOURCE_H

#include "event.h"
#include "notify-ident.h"
#include "notify-mem.h"
#include "registration.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define NOTIFY_LISTENERS_MAX	  4096
#define NOTIFY_AGENT_CONNS	  16	/* notify.sock messages being received at once */
#define NOTIFY_AGENT_MAX	  65536 /* bytes of one runtime message */
#define NOTIFY_AGENT_FDS	  4	/* fds accepted in one message before it is refused */
#define NOTIFY_ENV		  "SIGSYSD_LISTENERS" /* listeners kept across a re-exec */
#define NOTIFY_BATCH		  256 /* notifications recorded in one transaction */
#define NOTIFY_PER_TURN		  64  /* of one listener per loop turn: the others get their turn */
#define NOTIFY_STRING_ARGS_CACHED 64

struct daemon;
struct sigsys_filter;

enum notify_answer {
	NOTIFY_ANSWER_PROFILE, /* the errno the task's profile gives the call */
	NOTIFY_ANSWER_ERRNO,   /* a fixed errno (listenerMetadata on_notify=errno:N) */
	NOTIFY_ANSWER_KILL,    /* record, then SIGKILL the process (on_notify=kill) */
};

/* Whose calls a listener carries, and how they are answered. */
struct notify_task {
	char task_id[REGISTRATION_ID_MAX + 1];
	char container_id[REGISTRATION_ID_MAX + 1]; /* "" when unknown */
	char framework[16], app_id[REGISTRATION_ID_MAX + 1], job_id[REGISTRATION_ID_MAX + 1],
		run_id[REGISTRATION_ID_MAX + 1];
	int32_t pid; /* the task's first process */
	enum notify_answer answer;
	int errnum; /* NOTIFY_ANSWER_ERRNO; also the answer when the profile gives none */
};

struct notify_listener {
	int fd;
	struct notify_task task;
	struct sigsys_filter *filter; /* NOTIFY_ANSWER_PROFILE: the profile, as written */
};

struct notify_agent_conn {
	int fd;
	struct ucred peer;
	char *buf;
	size_t len;
	int fds[NOTIFY_AGENT_FDS];
	size_t n_fds;
	bool fds_cut; /* more fds came than fit: the kernel closed the rest */
	uint64_t deadline_ns;
};

/* A notification received in this loop turn, its event ready, not answered yet. */
struct notify_pending {
	int fd; /* its listener's */
	uint64_t id;
	enum notify_answer answer;
	int errnum;
	struct seccomp_event event;
	uint64_t pid_start_ns;
	char *strings;
	char task_id[REGISTRATION_ID_MAX + 1], container_id[REGISTRATION_ID_MAX + 1];
};

struct notify_string_args {
	bool known;
	uint32_t arch;
	int32_t nr;
	uint8_t n;
	unsigned index[NOTIFY_STRINGS_MAX];
};

struct notify_source {
	struct notify_listener *listeners;
	size_t n, cap;
	void *req, *resp; /* sized by SECCOMP_GET_NOTIF_SIZES */
	size_t req_size, resp_size;
	int agent_fd; /* notify.sock */
	struct notify_agent_conn conns[NOTIFY_AGENT_CONNS];
	size_t n_conns;
	struct notify_pending *pending; /* NOTIFY_BATCH */
	size_t n_pending;
	bool losing; /* the last flush could not store: said once until one can */
	struct notify_threads threads;
	struct notify_string_args string_args[NOTIFY_STRING_ARGS_CACHED];
};

/* Start: buffers, notify.sock, and the listeners a previous sigsysd passed on. */
int notify_start(struct daemon *d);
/* Stop. KEEP: leave the listeners open, inheritable, and listed in NOTIFY_ENV for the
 * sigsysd that is exec'd next. */
void notify_stop(struct daemon *d, bool keep);
/* Whether fd is the notify source's (listener, notify.sock, an agent connection); if so,
 * handle what happened on it. */
bool notify_dispatch(struct daemon *d, int fd, uint32_t events);
/* Record the notifications received in this loop turn (one transaction), then answer them:
 * called by the loop once its ready fds are handled. */
void notify_flush(struct daemon *d);
/* Agent connections past their deadline are refused. */
void notify_expire(struct daemon *d);

/* Take LISTENER_FD (closed on failure) for task T. PROFILE_TEXT (NULL for none) answers
 * calls when t->answer is NOTIFY_ANSWER_PROFILE, resolved against CAPS. */
int notify_add_listener(struct daemon *d, int listener_fd, const struct notify_task *t,
			const char *profile_text, size_t profile_len, uint64_t caps);
/* A listener that came with a registration on register.sock. */
int notify_add_registered(struct daemon *d, const struct registration *reg, int listener_fd);

/* Whether fd is a seccomp listener (a "seccomp notify" anonymous inode). */
bool notify_fd_is_listener(int fd);

/* listenerMetadata: a JSON object or key=value;… with task_id, framework, app_id, job_id,
 * run_id, on_notify (errno:EPERM, errno:<n>, kill); a bare string is the task id. Fills
 * the identity and the answer of T (default errno:EPERM). -EINVAL with why. */
int notify_metadata_parse(const char *text, struct notify_task *t, char *why, size_t why_size);

/* notify.sock: the OCI seccomp agent (trace/notify-agent.c). */
int notify_agent_listen(struct daemon *d);
void notify_agent_accept(struct daemon *d);
bool notify_agent_ready(struct daemon *d, int fd);
void notify_agent_close_all(struct daemon *d);

#endif
