/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A real sigsysd for the benchmarks that measure through it: started --foreground on a
 * temporary run dir (and store, unless one is given), its log in the temporary directory,
 * asked over api.sock with plain HTTP/1.0 GETs (one connection each, as a client does).
 *
 * sigsysd is the build's (BENCH_SIGSYSD), or $SIGSYSD.
 */
#ifndef SIGSYS_BENCH_SIGSYSD_H
#define SIGSYS_BENCH_SIGSYSD_H

#include <stddef.h>
#include <sys/types.h>

struct bench_sigsysd {
	char dir[64];
	char run_dir[96];
	char db[160];
	char log[96];
	pid_t pid;
};

/* A new temporary directory under /var/tmp (the store lives on disk, as in production). */
int bench_sigsysd_dirs(struct bench_sigsysd *d, const char *prefix);
/* Start it with --sources SOURCES (e.g. "audit,proc") on d->db, and wait for api.sock. */
int bench_sigsysd_start(struct bench_sigsysd *d, const char *sources);
/* SIGTERM and wait; then the temporary directory goes (remove) or stays. */
void bench_sigsysd_stop(struct bench_sigsysd *d);
void bench_sigsysd_remove(struct bench_sigsysd *d);

/* GET path over api.sock: the HTTP status (> 0), the body in body (NUL-terminated, cut at
 * size - 1), or a negative errno. */
int bench_sigsysd_get(const struct bench_sigsysd *d, const char *path, char *body, size_t size);

void sleep_ms(long ms);

#endif
