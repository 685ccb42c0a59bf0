/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A task registration as sigsysd receives it (register.sock or the spool): parsed, bounded
 * and checked against the peer that sent it. The sender is untrusted input.
 */
#ifndef SIGSYS_TRACE_REGISTRATION_H
#define SIGSYS_TRACE_REGISTRATION_H

#include "sigsys.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define REGISTRATION_MAX_BYTES (8u << 20) /* a 4 MiB profile, JSON-escaped */
#define REGISTRATION_ID_MAX    255

struct registration {
	int32_t pid;
	uint64_t pid_start_ns; /* with pid, the identity pid reuse cannot fake */
	uint64_t time_ns;
	char task_id[REGISTRATION_ID_MAX + 1];
	char framework[16]; /* marathon, metronome or other */
	char app_id[REGISTRATION_ID_MAX + 1];
	char job_id[REGISTRATION_ID_MAX + 1];
	char run_id[REGISTRATION_ID_MAX + 1];
	char container_id[REGISTRATION_ID_MAX + 1];
	char agent_id[REGISTRATION_ID_MAX + 1];
	enum sigsys_mode mode;
	uint64_t caps;
	bool unconfined;
	bool listener; /* notify mode: the task's seccomp listener fd came with it */
	char profile_name[REGISTRATION_ID_MAX + 1];
	char profile_source[1024];
	char digest[72];
	char *profile_text; /* owned; NULL when unconfined */
	size_t profile_len;
};

/* Parse TEXT (LEN bytes, not NUL-terminated). `peer` is the sender's credentials, NULL for
 * the root-only spool: a peer that is not root may only register its own pid. Returns 0, or
 * -EINVAL / -EPERM / -E2BIG / -ENOMEM with the reason in `why`. */
int registration_parse(const char *text, size_t len, const struct ucred *peer,
		       struct registration *ret, char *why, size_t why_size);
void registration_clear(struct registration *reg);

#endif
