/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sigsysd started with options of the test's choosing, or under a wrapper (valgrind), on the
 * temporary dirs of tests/daemon-harness.h; and a minimal HTTP client for its api.sock. */
#ifndef SIGSYS_TEST_SIGSYSD_LAUNCH_H
#define SIGSYS_TEST_SIGSYSD_LAUNCH_H

#include "daemon-harness.h"

#include <stdbool.h>
#include <stdint.h>

/* Spawn WRAPPER… sigsysd --foreground --run-dir --db --sources audit,proc --profile-dir
 * EXTRA… (both NULL-terminated, either NULL), without waiting. */
void sigsysd_spawn(struct daemon_run *d, const char *const *wrapper, const char *const *extra);
/* Wait up to wait_s seconds for RUN_DIR/NAME to exist; whether it does. */
bool sigsysd_wait_for(const struct daemon_run *d, const char *name, int wait_s);
/* SIGTERM, and expect a clean exit. */
void sigsysd_stop(struct daemon_run *d);
/* SIGKILL and reap every daemon sigsysd_spawn() started that was not seen to exit: a .fini,
 * so a failed assertion in the middle of a test leaves no daemon behind. */
void sigsysd_kill_leftovers(void);
/* Wait up to wait_s seconds for sigsysd to exit; its wait status, or -1 if it did not. */
int sigsysd_wait_exit(struct daemon_run *d, int wait_s);

struct http_response {
	int status; /* 0 when the answer was not HTTP */
	char *text; /* the whole response, owned */
	const char *body;
};

/* GET path on RUN_DIR/api.sock, Connection: close. */
struct http_response http_get(const struct daemon_run *d, const char *path);
void http_response_free(struct http_response *r);

/* One framed message on RUN_DIR/register.sock (4-byte big-endian length, then BODY); the
 * answer's JSON text (owned), or NULL when the daemon closed without one. */
char *register_send_raw(const struct daemon_run *d, const void *body, size_t len);
/* The same with a length header of the caller's choosing (ANNOUNCED, whatever LEN is). */
char *register_send_frame(const struct daemon_run *d, uint32_t announced, const void *body,
			  size_t len);

#endif
