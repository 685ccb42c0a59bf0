/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The HTTP API of sigsysd on RUN_DIR/api.sock (libmicrohttpd, one internal thread). The
 * handler reads the store through its own read-only handle, opened lazily in that thread;
 * what only the main thread knows (the writer's health, the sources' counters) it publishes
 * with api_publish(), copied under a mutex.
 */
#ifndef SIGSYS_TRACE_API_H
#define SIGSYS_TRACE_API_H

#define API_CONNECTIONS_MAX   64
#define API_TIMEOUT_S	      10
#define API_CONNECTION_MEMORY (32u << 10) /* request line and headers fit in it */
#define API_PAGE_DEFAULT      1000
#define API_PROFILES_MAX      1024 /* files of --profile-dir listed at most */

struct daemon;

/* Listen on api.sock and start the thread: 0, or a negative errno (logged). */
int api_start(struct daemon *d);
/* Stop the thread, close the reader, unlink api.sock. */
void api_stop(struct daemon *d);
/* Copy what /v1/health says of the main thread's state: call from the main thread. */
void api_publish(struct daemon *d);

#endif
