/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Losses from audit serials: every audit event gets the next serial, so serials that never
 * arrive are records the kernel sent and this listener lost (the kernel's own `lost` counter
 * does not count multicast drops). Records of several CPUs may arrive slightly out of order,
 * so a serial is declared lost only once it falls behind a window of recent ones.
 */
#ifndef SIGSYS_TRACE_SERIAL_WINDOW_H
#define SIGSYS_TRACE_SERIAL_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#define SERIAL_WINDOW 256u

struct serial_window {
	bool started;
	uint32_t base; /* the oldest serial not yet seen or declared lost */
	uint64_t seen[SERIAL_WINDOW / 64];
};

/* Note serial s; returns how many serials it pushed out of the window unseen (lost), with
 * *first and *last bounding them when it returns more than 0. */
uint32_t serial_window_note(struct serial_window *w, uint32_t s, uint32_t *first, uint32_t *last);

#endif
