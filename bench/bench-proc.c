/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-proc: what sigsysd's process connector source costs the workloads it hooks.
 *
 * The proc connector reports every fork, exec and exit to its listeners; sigsysd listens
 * (--sources proc) and reads each message. Two workloads, each in a fresh child:
 *   fork_exit  fork(), the child _exit(0)s, waitpid(): ns per round trip
 *   signal     kill(getpid(), SIGUSR1) caught by an empty handler: ns per signal
 * measured with a sigsysd listening (--sources proc) and with none, interleaved round by
 * round (a daemon is started and stopped in each round). The target: at most 5 %
 * overhead. The eBPF source's part of that row is bench-bpf's.
 *
 * Other listeners on this machine (another sigsysd, a test's) fire the same hooks in both
 * halves: the figure is sigsysd's own addition.
 */
#include "bench.h"
#include "sigsysd.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FORKS_FULL	2000
#define FORKS_QUICK	500
#define SIGNALS		20000
#define SETTLE_MS	300 /* the daemon's start-up work done before anything is timed */
#define PER_ROUND	3   /* samples of each workload per side and round */
#define PER_ROUND_QUICK 2
#define QUIET_MS	50
#define TARGET_RATIO	1.05

enum workload { WL_FORK_EXIT, WL_SIGNAL, N_WORKLOADS };

static const char *const workload_names[N_WORKLOADS] = {"fork_exit", "signal"};

struct work {
	enum workload wl;
	unsigned n;
};

static int fork_exit(unsigned n, double *ret_ns)
{
	uint64_t t0 = now_ns();
	for (unsigned i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return -errno;
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, NULL, 0) != pid)
			return -errno;
	}
	*ret_ns = (double)(now_ns() - t0) / n;
	return 0;
}

static void on_usr1(int sig)
{
	(void)sig;
}

static int signals(unsigned n, double *ret_ns)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		return -errno;
	pid_t self = getpid();
	uint64_t t0 = now_ns();
	for (unsigned i = 0; i < n; i++)
		if (kill(self, SIGUSR1) < 0)
			return -errno;
	*ret_ns = (double)(now_ns() - t0) / n;
	return 0;
}

/* In a fresh child: the parent's memory (samples, libraries) does not weigh on its forks. */
static int work_child(void *arg, double *out, size_t n)
{
	const struct work *w = arg;
	(void)n;
	return w->wl == WL_FORK_EXIT ? fork_exit(w->n, out) : signals(w->n, out);
}

static int measure_all(const struct bench_args *args, struct samples *by)
{
	for (unsigned i = 0; i < N_WORKLOADS * bench_reps(args, PER_ROUND, PER_ROUND_QUICK); i++) {
		enum workload wl = i % N_WORKLOADS;
		/* each sample starts with the daemon idle: the messages of the last fork_exit
		 * sample are not charged to the next sample */
		sleep_ms(QUIET_MS);
		struct work w = {wl, wl == WL_FORK_EXIT ? bench_reps(args, FORKS_FULL, FORKS_QUICK)
							: SIGNALS};
		double ns;
		int r = run_in_child(work_child, &w, &ns, 1);
		if (r < 0 || (r = samples_push(&by[wl], ns)) < 0)
			return r;
	}
	return 0;
}

/* One round: the workloads with a listening sigsysd, and without, in alternating order. */
/* utime + stime of pid in ms, or -1. */
static double cpu_ms(pid_t pid)
{
	char path[64];
	unsigned long utime, stime;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	/* after "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime */
	int n = fscanf(f, "%*d (%*[^)]) %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
		       &utime, &stime);
	fclose(f);
	return n == 2 ? (double)(utime + stime) * 1000.0 / (double)sysconf(_SC_CLK_TCK) : -1;
}

static int round_once(const struct bench_args *args, unsigned round, struct samples *with,
		      struct samples *without, double *daemon_ms)
{
	struct bench_sigsysd d;
	int r = 0;
	if (round % 2 && (r = measure_all(args, without)) < 0)
		return r;
	if ((r = bench_sigsysd_dirs(&d, "proc")) < 0)
		return r;
	if ((r = bench_sigsysd_start(&d, "proc")) == 0) {
		sleep_ms(SETTLE_MS);
		double before = cpu_ms(d.pid);
		r = measure_all(args, with);
		*daemon_ms += cpu_ms(d.pid) - before;
	}
	bench_sigsysd_stop(&d);
	if (r == 0)
		bench_sigsysd_remove(&d);
	else
		fprintf(stderr, "bench-proc: %s (sigsysd log: %s)\n", strerror(-r), d.log);
	if (r == 0 && round % 2 == 0)
		r = measure_all(args, without);
	return r;
}

static int bench_overhead(const struct bench_args *args, void *fixture)
{
	(void)fixture;
	struct samples with[N_WORKLOADS] = {{0}}, without[N_WORKLOADS] = {{0}};
	unsigned rounds = bench_reps(args, 12, 4);
	double daemon_ms = 0;
	int r = 0;
	for (unsigned i = 0; i < rounds && r == 0; i++)
		r = round_once(args, i, with, without, &daemon_ms);
	if (r == 0) {
		double forks =
			(double)with[WL_FORK_EXIT].n * bench_reps(args, FORKS_FULL, FORKS_QUICK);
		fprintf(stderr,
			"    sigsysd's own CPU: %.0f ms for %.0f forks and exits (%.1f us each)\n",
			daemon_ms, forks, daemon_ms * 1000 / forks);
	}
	for (int wl = 0; wl < N_WORKLOADS && r == 0; wl++) {
		char name[64], baseline[64];
		snprintf(name, sizeof(name), "overhead.%s.proc_source", workload_names[wl]);
		snprintf(baseline, sizeof(baseline), "overhead.%s.no_source", workload_names[wl]);
		bench_emit(&(struct comparison){name,
						baseline,
						"ns",
						&with[wl],
						&without[wl],
						{TARGET_RATIO_MAX, TARGET_RATIO, "ratio <= 1.05"}});
	}
	for (int wl = 0; wl < N_WORKLOADS; wl++) {
		samples_clear(&with[wl]);
		samples_clear(&without[wl]);
	}
	return r;
}

static const struct bench benches[] = {
	{"overhead", "fork/exit and signals with sigsysd's proc connector source vs none",
	 bench_overhead},
};

static int setup(const struct bench_args *args, void **ret_fixture)
{
	(void)args;
	*ret_fixture = NULL;
	return 0;
}

static void teardown(void *fixture)
{
	(void)fixture;
}

int main(int argc, char **argv)
{
	static const struct fixture_ops ops = {setup, teardown};
	return bench_main(argc, argv, benches, ARRAY_SIZE(benches), &ops, BENCH_DEFAULT_PROFILE);
}
