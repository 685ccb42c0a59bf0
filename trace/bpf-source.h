/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bpf source: trace/bpf/sigsys.bpf.c on raw tracepoints, read through two ring buffers
 * (kills; traps, fork, exec and exit). Kills come with their six arguments, ip, thread id
 * and start time, thread kills that never signal included.
 *
 * The ring buffers, the drop counters and the links are pinned in bpffs under
 * BPF_SOURCE_PIN_BASE/<hash of the run dir's real path>/, so the programs keep recording
 * while sigsysd is down and a new sigsysd drains what accumulated; two daemons with two run
 * dirs never share. A pin directory whose run dir no longer exists is removed at open.
 *
 * bpf_source_decode() is pure (bytes in, event out); the rest is libbpf plumbing. Functions
 * return 0 (or a count) or a negative errno, with why in s->error; nothing here prints.
 */
#ifndef SIGSYS_TRACE_BPF_SOURCE_H
#define SIGSYS_TRACE_BPF_SOURCE_H

#include "event.h"
#include "proc.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BPF_SOURCE_FS_ROOT   "/sys/fs/bpf"
#define BPF_SOURCE_PIN_BASE  BPF_SOURCE_FS_ROOT "/sigsys"
#define BPF_SOURCE_PINS_FILE "bpf-pins" /* in the run dir: where this instance's pins are */

enum bpf_source_ring {
	BPF_SOURCE_KILLS,
	BPF_SOURCE_PROCS,
	BPF_SOURCE_RINGS,
};

/* One decoded sample: a seccomp event (kill, trap) or a process change. */
struct bpf_source_item {
	bool is_event;
	struct seccomp_event event;
	uint64_t start_ns;	  /* the process's start, ns since boot (events and changes) */
	uint64_t cgroup_id;	  /* events: cgroup v2 id */
	uint64_t parent_start_ns; /* forks: the parent's start, ns since boot */
	struct proc_change change;
};

typedef void (*bpf_source_fn)(const struct bpf_source_item *item, void *userdata);

struct ring_buffer;

struct bpf_source {
	struct ring_buffer *rb[BPF_SOURCE_RINGS];
	int map_fd[BPF_SOURCE_RINGS];
	int drops_fd, meta_fd;
	char pin_dir[PATH_MAX];
	bool resumed;			      /* the pins of an earlier sigsysd were reused */
	uint64_t samples[BPF_SOURCE_RINGS];   /* decoded since open */
	uint64_t rejected;		      /* samples that failed decoding */
	uint64_t drops[BPF_SOURCE_RINGS];     /* ring-full drops known (recorded or not) */
	uint64_t drops_new[BPF_SOURCE_RINGS]; /* of which not yet taken by bpf_source_drops() */
	int64_t realtime_offset_ns;	      /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	bpf_source_fn fn;
	void *userdata;
	char error[256];
};

/*
 * Start the source for the instance whose run dir is run_dir (it must exist): mount bpffs
 * at BPF_SOURCE_FS_ROOT if needed, reuse this run dir's pins when they hold programs of this
 * very build, or load, attach and pin them; write RUN_DIR/bpf-pins. fn receives every sample.
 */
int bpf_source_open(struct bpf_source *s, const char *run_dir, bpf_source_fn fn, void *userdata);
/* Close what this process holds; the pins stay (the programs keep recording). */
void bpf_source_close(struct bpf_source *s);
/* Remove a pin directory (detaching its programs). Only under BPF_SOURCE_PIN_BASE. */
int bpf_source_unpin(const char *pin_dir);

/* An fd that polls readable when a ring has data (an epoll fd): one per ring. */
int bpf_source_fd(const struct bpf_source *s, enum bpf_source_ring ring);
/* Hand at most budget samples of the ring to fn. Returns how many. */
int bpf_source_drain(struct bpf_source *s, enum bpf_source_ring ring, int budget);
/* Samples the kernel dropped for a full ring since the last call (recorded in the pins, so
 * a restart does not count them twice). */
int bpf_source_drops(struct bpf_source *s, uint64_t ret[BPF_SOURCE_RINGS]);

/* Whether the programs load and attach here (nothing pinned, all detached on return). */
int bpf_source_probe(char *why, size_t size);

/* Decode one sample. realtime_offset_ns moves the kernel's monotonic stamps to
 * CLOCK_REALTIME. Returns 0, or -EINVAL for a sample that is not one (wrong size, unknown
 * type, task ids out of range). */
int bpf_source_decode(const void *data, size_t len, int64_t realtime_offset_ns,
		      struct bpf_source_item *ret);

/* The pin directory of a run dir: BPF_SOURCE_PIN_BASE/<16 hex digits>. */
int bpf_source_pin_dir(const char *run_dir, char *buf, size_t size);

#endif
