/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "serial-window.h"

static bool bit(const struct serial_window *w, uint32_t offset)
{
	return w->seen[offset / 64] >> (offset % 64) & 1;
}

/* Drop the oldest slot: the bitmap moves one place down. */
static void shift_one(struct serial_window *w)
{
	for (unsigned i = 0; i < SERIAL_WINDOW / 64; i++) {
		w->seen[i] >>= 1;
		if (i + 1 < SERIAL_WINDOW / 64)
			w->seen[i] |= (w->seen[i + 1] & 1) << 63;
	}
	w->base++;
}

/* Slots seen from the start of the window are confirmed: move past them. */
static void advance_contiguous(struct serial_window *w)
{
	while (bit(w, 0))
		shift_one(w);
}

static uint32_t unseen_in_window(const struct serial_window *w, uint32_t *first)
{
	uint32_t unseen = 0;
	for (uint32_t i = 0; i < SERIAL_WINDOW; i++)
		if (!bit(w, i) && !unseen++)
			*first = w->base + i;
	return unseen;
}

/* Move the window by `shift` slots, counting the unseen ones that leave it. */
static uint32_t slide(struct serial_window *w, uint32_t shift, uint32_t *first, uint32_t *last)
{
	uint32_t lost = 0;
	if (shift >= SERIAL_WINDOW) { /* the whole window leaves, and the gap after it */
		lost = unseen_in_window(w, first) + (shift - SERIAL_WINDOW);
		if (lost && lost == shift - SERIAL_WINDOW)
			*first = w->base + SERIAL_WINDOW;
		*last = w->base + shift - 1;
		*w = (struct serial_window){.started = true, .base = w->base + shift};
		return lost;
	}
	for (; shift; shift--) {
		if (!bit(w, 0)) {
			if (!lost++)
				*first = w->base;
			*last = w->base;
		}
		shift_one(w);
	}
	return lost;
}

uint32_t serial_window_note(struct serial_window *w, uint32_t s, uint32_t *first, uint32_t *last)
{
	uint32_t lost = 0;
	if (!w->started)
		*w = (struct serial_window){.started = true, .base = s};
	uint32_t offset = s - w->base;
	if (offset >= UINT32_MAX / 2)
		return 0; /* behind the window: late, or repeated (records of one event share it) */
	if (offset >= UINT32_MAX / 4) { /* a jump this far is a reset, not billions lost */
		*w = (struct serial_window){.started = true, .base = s};
		offset = 0;
	}
	if (offset >= SERIAL_WINDOW) {
		lost = slide(w, offset - SERIAL_WINDOW + 1, first, last);
		offset = SERIAL_WINDOW - 1;
	}
	w->seen[offset / 64] |= UINT64_C(1) << (offset % 64);
	advance_contiguous(w);
	return lost;
}
