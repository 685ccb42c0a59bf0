/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The audit source: AUDIT_SECCOMP records from the audit multicast group (AUDIT_NLGRP_READLOG,
 * which coexists with auditd; the daemon slot is never taken), parsed, and the listener's own
 * losses (ENOBUFS, serial gaps) reported, since the kernel's lost counter does not count them.
 */
#ifndef SIGSYS_TRACE_AUDIT_H
#define SIGSYS_TRACE_AUDIT_H

#include "event.h"
#include "serial-window.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUDIT_RCVBUF_DEFAULT (64u << 20) /* FACTS: what 300 000 records/s need */

struct audit_source {
	int fd;
	struct serial_window serials;
	uint64_t records;      /* AUDIT_SECCOMP records parsed */
	uint64_t rejected;     /* AUDIT_SECCOMP records the parser refused */
	uint64_t enobufs;      /* times the socket buffer overflowed */
	uint64_t lost;	       /* serials that never arrived */
	uint64_t last_time_ns; /* the stamp of the last record read: losses come after it */
};

enum audit_loss_kind {
	AUDIT_LOSS_ENOBUFS,
	AUDIT_LOSS_SERIAL_GAP,
};

struct audit_loss {
	enum audit_loss_kind kind;
	uint32_t records; /* serial gap: how many; ENOBUFS: unknown (0) */
	uint32_t first_serial, last_serial;
	/* When the records were lost, CLOCK_REALTIME: from the stamps of the records around
	 * them, not from when the listener noticed (it may be seconds behind); 0: unknown. */
	uint64_t first_ns, last_ns;
};

struct audit_sink {
	void (*event)(const struct seccomp_event *e, void *userdata);
	void (*loss)(const struct audit_loss *l, void *userdata);
	void *userdata;
};

/* Join the multicast group with a receive buffer of rcvbuf bytes (forced as root). */
int audit_source_open(struct audit_source *a, int rcvbuf);
void audit_source_close(struct audit_source *a);
/* Read until the socket is empty (at most `budget` datagrams); returns how many were read. */
int audit_source_drain(struct audit_source *a, const struct audit_sink *sink, unsigned budget);
/* One datagram as received (pure, for tests): parse, note its serial, report. */
void audit_source_datagram(struct audit_source *a, const void *buf, size_t len,
			   const struct audit_sink *sink);

#endif
