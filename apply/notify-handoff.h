/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Notify mode in sigsys-apply: load the filter and hand its listener to sigsysd without the
 * hand-off deadlock. Once the filter is loaded, any notified call this thread makes blocks
 * until sigsysd holds the listener; so the fd is sent by a helper thread that was started
 * before the load (not under the filter: filters are per thread without TSYNC) and shares
 * the fd table, while this thread waits for it without making a single syscall.
 */
#ifndef SIGSYS_APPLY_NOTIFY_HANDOFF_H
#define SIGSYS_APPLY_NOTIFY_HANDOFF_H

#include "sigsys.h"

/* Load FILTER (a notify-mode filter) into the calling thread and register REG with its
 * listener at RUN_DIR. Returns only when sigsysd holds the listener: on any failure the
 * helper prints one line and ends the whole process with exit status 125 — the task never
 * runs without someone to answer its denied calls. */
/* Also for the profile's own NOTIFY rules in the other modes. */
void notify_load_and_handoff(const struct sigsys_filter *filter, unsigned load_flags,
			     const char *run_dir, const struct sigsys_registration *reg);

#endif
