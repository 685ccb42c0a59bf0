/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Compiled launch profiles kept between reports. Compiling a task's recorded profile (twice:
 * as launched, and as written) is nearly all of a report's cost — ~90 % of sigsysd's API
 * thread serving GET /v1/tasks/{id}/report, whatever the store holds — and the tasks of an
 * app share their profile, mode and capabilities. The key is what launch_profile_build()
 * reads: the profile's digest (the store keeps one text per digest), the registered name,
 * the mode and the capabilities.
 *
 * Not thread-safe: one cache per thread (sigsysd's API serves from one thread).
 */
#ifndef SIGSYS_REPORT_LAUNCH_CACHE_H
#define SIGSYS_REPORT_LAUNCH_CACHE_H

#include "diagnose.h"

#define LAUNCH_CACHE_SLOTS 8 /* distinct launch profiles kept; the oldest goes first */

struct launch_cache;

int launch_cache_new(struct launch_cache **ret);
void launch_cache_free(struct launch_cache *c);

/*
 * The launch profile of t in *ret. From the cache, or built and kept there: *ret is then
 * valid until the next call on c. Built into *scratch when c is NULL or t has nothing to
 * compile (unregistered, unconfined). Either way the caller clears *scratch afterwards (a
 * no-op when unused). Returns 0 or -ENOMEM, as launch_profile_build().
 */
int launch_cache_get(struct launch_cache *c, const struct store_task *t,
		     struct launch_profile *scratch, const struct launch_profile **ret);

/* How many times a lookup found its launch profile (for tests). */
unsigned long launch_cache_hits(const struct launch_cache *c);

#endif
