/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The report of one task (DESIGN.md, report/): what `sigsys report` prints and what sigsysd
 * answers GET /v1/tasks/{task_id}/report with, built from the store by one code path. Nothing
 * here prints on its own, exits or keeps state (but the caller's launch cache): the CLI and
 * the daemon's API thread call it.
 */
#ifndef SIGSYS_REPORT_REPORT_H
#define SIGSYS_REPORT_REPORT_H

#include "store.h"

#include <stddef.h>

/* The one-line form ("message") fits in this, its NUL included. */
#define REPORT_MESSAGE_MAX 200

struct json_object;
struct launch_cache;
struct out;
struct scheduler_policy;

struct report_options {
	/* Where the task's profile is now, to tell whether it changed since the launch. */
	const char *profile_dir;
	/* Marathon's backoff and Metronome's deadline, from the app or job JSON; NULL:
	 * Marathon's defaults, Metronome's deadline unknown. */
	const struct scheduler_policy *policy;
	/* The diagnosis alone, without weighing the app's or job's history: for lists of many
	 * tasks. The verdict is then null. */
	bool brief;
	/* Compiled launch profiles kept between reports (launch-cache.h); NULL: compile for
	 * this report only (a one-shot command). */
	struct launch_cache *launch_cache;
};

/*
 * The report of task_id as a JSON object (the caller puts it). Returns 0, -ENOENT for an
 * unknown task, -ENOMEM, or the store's negative errno with err filled (err may be NULL).
 */
int report_build(struct store *s, const char *task_id, const struct report_options *o,
		 struct json_object **ret, struct store_error *err);

/*
 * The same report through out (text or JSON; NULL: none), and its one-line form into message
 * (NULL: not wanted). Same returns as report_build(); nothing is emitted on failure.
 */
int report_write(struct store *s, const char *task_id, const struct report_options *o,
		 struct out *out, char *message, size_t size, struct store_error *err);

#endif
