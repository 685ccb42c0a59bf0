/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The report in the shapes the schedulers' users know: `marathon`, Marathon's lastTaskFailure
 * of the task's app enriched with the diagnosis, and `metronome`, a job run (its tasks, each
 * with its outcome), the cause and the retry verdict. Built from the same report as every
 * other format, by the CLI and by sigsysd's API alike.
 */
#ifndef SIGSYS_REPORT_SCHEDULER_FORMAT_H
#define SIGSYS_REPORT_SCHEDULER_FORMAT_H

#include "report.h"

/* Same returns as report_build(). */
int report_build_marathon(struct store *s, const char *task_id, const struct report_options *o,
			  struct json_object **ret, struct store_error *err);
int report_build_metronome(struct store *s, const char *task_id, const struct report_options *o,
			   struct json_object **ret, struct store_error *err);

#endif
