/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A small HTTP/1.1 client for sigsysd's API on RUN_DIR/api.sock: one GET per connection
 * (Connection: close), bounded in size and time. What `sigsys report` and `sigsys events` use
 * when no --db is given.
 */
#ifndef SIGSYS_REPORT_API_CLIENT_H
#define SIGSYS_REPORT_API_CLIENT_H

#include <stddef.h>

#define API_RUN_DIR_DEFAULT "/run/sigsys"
#define API_RESPONSE_MAX    (64u << 20) /* a report lists every denial: large, not endless */
#define API_TIMEOUT_MS	    30000

struct api_response {
	int status;	/* 200, 404, … */
	char type[128]; /* Content-Type, "" when none */
	char *body;	/* NUL-terminated, owned */
	size_t len;
};

/* --run-dir, else $SIGSYS_RUN_DIR, else /run/sigsys. */
const char *api_run_dir(const char *option);

/*
 * GET path (already percent-encoded) from RUN_DIR/api.sock. Returns 0 with *ret filled (any
 * HTTP status), -ENOENT or -ECONNREFUSED when no daemon listens there, -ETIMEDOUT, -EFBIG
 * beyond API_RESPONSE_MAX, -EPROTO for what is not an HTTP response, or another negative errno.
 */
int api_get(const char *run_dir, const char *path, struct api_response *ret);
void api_response_free(struct api_response *r);

/* text with every byte but the unreserved ones (RFC 3986) as %XX, into buf. -ENAMETOOLONG
 * when it does not fit. */
int api_escape(const char *text, char *buf, size_t size);

#endif
