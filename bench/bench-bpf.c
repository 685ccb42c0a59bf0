/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-bpf: what sigsysd's BPF programs cost where their hooks fire, and how many seccomp
 * events the ring buffer path delivers.
 *
 * The programs (trace/bpf/sigsys.bpf.c, through the build's skeleton) are loaded once; a
 * consumer thread drains both rings and decodes every sample with bpf_source_decode(), as
 * sigsysd does. Each repetition measures a workload with the programs attached and again
 * detached, in interleaved pairs:
 *   - fork/exit: fork a child that exits at once, wait for it (sched_process_fork and
 *     sched_process_exit fire; the exit is reported, the fork too);
 *   - signals: kill(getpid(), SIGUSR1) with a handler (signal_generate fires, ignores it);
 *   - trap events: a child with a SECCOMP_RET_TRAP filter on getppid and a SIGSYS handler
 *     calls getppid in a loop; each call is one event through the procs ring (kills have
 *     their own). Rate delivered
 *     to the consumer with programs against the trap rate without;
 *   - kill events: children each killed by SECCOMP_RET_KILL_PROCESS on getppid, forked as
 *     fast as possible; kill events received per second against kills per second without.
 */
#include "bench.h"
#include "bpf-source.h"
#include "sigsys.skel.h"
#include "util.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DRAIN_QUIET_NS (500ull * 1000000ull) /* no new sample for this long: drained */

struct fixture {
	struct sigsys_bpf *skel;
	struct ring_buffer *rb;
	pthread_t consumer;
	atomic_bool stop;
	atomic_uint_fast64_t events, changes, rejected;
	atomic_uint_fast64_t last_event_ns;
};

static int on_sample(void *ctx, void *data, size_t len)
{
	struct fixture *f = ctx;
	struct bpf_source_item item;
	if (bpf_source_decode(data, len, 0, &item) < 0) {
		f->rejected++;
		return 0;
	}
	if (item.is_event) {
		f->events++;
		f->last_event_ns = now_ns();
	} else {
		f->changes++;
	}
	return 0;
}

static void *consume(void *arg)
{
	struct fixture *f = arg;
	while (!f->stop)
		ring_buffer__poll(f->rb, 100);
	return NULL;
}

static int fixture_setup(const struct bench_args *args, void **ret)
{
	(void)args;
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->skel = sigsys_bpf__open_and_load();
	if (!f->skel) {
		fprintf(stderr, "bench-bpf: cannot load the programs: %m\n");
		free(f);
		return -errno;
	}
	f->rb = ring_buffer__new(bpf_map__fd(f->skel->maps.kills), on_sample, f, NULL);
	if (!f->rb || ring_buffer__add(f->rb, bpf_map__fd(f->skel->maps.procs), on_sample, f) < 0 ||
	    pthread_create(&f->consumer, NULL, consume, f) != 0) {
		fprintf(stderr, "bench-bpf: cannot read the rings\n");
		return -EIO;
	}
	*ret = f;
	return 0;
}

static void fixture_teardown(void *arg)
{
	struct fixture *f = arg;
	f->stop = true;
	pthread_join(f->consumer, NULL);
	ring_buffer__free(f->rb);
	sigsys_bpf__destroy(f->skel);
	free(f);
}

static int attach(struct fixture *f, bool on)
{
	if (!on) {
		sigsys_bpf__detach(f->skel);
		return 0;
	}
	int r = sigsys_bpf__attach(f->skel);
	if (r < 0)
		fprintf(stderr, "bench-bpf: cannot attach: %s\n", strerror(-r));
	return r;
}

/* Run measure(f) with the programs attached and detached, reps pairs, order alternating. */
static int pairs(struct fixture *f, unsigned reps, double (*measure)(struct fixture *f),
		 struct samples *with, struct samples *without)
{
	for (unsigned i = 0; i < reps; i++) {
		for (int k = 0; k < 2; k++) {
			bool on = (i + k) % 2 == 0;
			if (attach(f, on) < 0)
				return -EIO;
			double v = measure(f);
			attach(f, false);
			if (v < 0)
				return -EIO;
			samples_push(on ? with : without, v);
		}
	}
	return 0;
}

/* The issue: at most 5 % overhead where the hooks fire (fork/exit, signals); the event
 * rates are reported. */
static void emit(const char *name, const char *baseline, const char *unit, struct samples *with,
		 struct samples *without)
{
	bool overhead = !strcmp(name, "bpf.fork_exit") || !strcmp(name, "bpf.signal");
	struct comparison c = {
		.name = name,
		.baseline = baseline,
		.unit = unit,
		.value = with,
		.base = without,
		.target = overhead ? (struct target){TARGET_RATIO_MAX, 1.05, "ratio <= 1.05"}
				   : (struct target){TARGET_NONE, 0, "report it"}};
	bench_emit(&c);
	samples_clear(with);
	samples_clear(without);
}

/* ---- fork/exit and signals -------------------------------------------------------------- */

#define FORKS	400
#define SIGNALS 100000

static double fork_exit_us(struct fixture *f)
{
	(void)f;
	uint64_t t0 = now_ns();
	for (int i = 0; i < FORKS; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, NULL, 0) != pid)
			return -1;
	}
	return (double)(now_ns() - t0) / FORKS / 1000.0;
}

static void on_usr1(int sig)
{
	(void)sig;
}

static double signal_ns(struct fixture *f)
{
	(void)f;
	uint64_t t0 = now_ns();
	for (int i = 0; i < SIGNALS; i++)
		kill(getpid(), SIGUSR1);
	return (double)(now_ns() - t0) / SIGNALS;
}

static int bench_fork_exit(const struct bench_args *args, void *arg)
{
	struct samples with = {0}, without = {0};
	int r = pairs(arg, bench_reps(args, 15, 5), fork_exit_us, &with, &without);
	if (r == 0)
		emit("bpf.fork_exit", "the same without the programs attached", "us", &with,
		     &without);
	return r;
}

static int bench_signals(const struct bench_args *args, void *arg)
{
	struct samples with = {0}, without = {0};
	struct sigaction sa = {.sa_handler = on_usr1};
	sigaction(SIGUSR1, &sa, NULL);
	int r = pairs(arg, bench_reps(args, 15, 5), signal_ns, &with, &without);
	if (r == 0)
		emit("bpf.signal", "the same without the programs attached", "ns", &with, &without);
	return r;
}

/* ---- events through the ring ------------------------------------------------------------ */

#define TRAPS 100000
#define KILLS 400

static int load_filter(uint32_t action)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]), .filter = code};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0 ? -errno : 0;
}

static void on_sigsys(int sig)
{
	(void)sig;
}

/* Wait until the consumer has seen `want` more events than `before`, or nothing came for a
 * while; returns the time of the last event. */
static uint64_t wait_events(struct fixture *f, uint64_t before, uint64_t want)
{
	uint64_t last = f->events, quiet_since = now_ns();
	while (f->events - before < want && now_ns() - quiet_since < DRAIN_QUIET_NS) {
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
		if (f->events != last) {
			last = f->events;
			quiet_since = now_ns();
		}
	}
	return f->last_event_ns;
}

/* events/s: delivered to the consumer with the programs on; raised, without. */
static double trap_rate(struct fixture *f)
{
	uint64_t before = f->events, t0 = now_ns();
	pid_t pid = fork();
	if (pid == 0) {
		struct sigaction sa = {.sa_handler = on_sigsys};
		sigaction(SIGSYS, &sa, NULL);
		if (load_filter(SECCOMP_RET_TRAP) < 0)
			_exit(1);
		for (int i = 0; i < TRAPS; i++)
			syscall(SYS_getppid);
		_exit(0);
	}
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		return -1;
	uint64_t end = now_ns();
	bool attached = f->skel->links.sigsys_signal != NULL;
	if (attached) {
		end = wait_events(f, before, TRAPS);
		if (f->events - before < TRAPS)
			fprintf(stderr,
				"bench-bpf: %ju of %d traps delivered (the ring was full)\n",
				(uintmax_t)(f->events - before), TRAPS);
	}
	return (double)(attached ? f->events - before : TRAPS) / ((double)(end - t0) / 1e9);
}

static double kill_rate(struct fixture *f)
{
	uint64_t before = f->events, t0 = now_ns();
	for (int i = 0; i < KILLS; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			if (load_filter(SECCOMP_RET_KILL_PROCESS) == 0)
				syscall(SYS_getppid);
			_exit(1);
		}
		if (pid < 0)
			return -1;
	}
	int status, killed = 0;
	for (int i = 0; i < KILLS; i++)
		if (wait(&status) > 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
			killed++;
	uint64_t end = now_ns();
	bool attached = f->skel->links.sigsys_exit != NULL;
	if (attached) {
		end = wait_events(f, before, KILLS);
		if (f->events - before < KILLS)
			fprintf(stderr, "bench-bpf: %ju of %d kills delivered\n",
				(uintmax_t)(f->events - before), KILLS);
	}
	return (double)(attached ? f->events - before : (uint64_t)killed) /
	       ((double)(end - t0) / 1e9);
}

static int bench_trap_events(const struct bench_args *args, void *arg)
{
	struct samples with = {0}, without = {0};
	int r = pairs(arg, bench_reps(args, 9, 3), trap_rate, &with, &without);
	if (r == 0)
		emit("bpf.trap_events_delivered", "traps raised without the programs", "events/s",
		     &with, &without);
	return r;
}

static int bench_kill_events(const struct bench_args *args, void *arg)
{
	struct samples with = {0}, without = {0};
	int r = pairs(arg, bench_reps(args, 9, 3), kill_rate, &with, &without);
	if (r == 0)
		emit("bpf.kill_events_delivered", "kills without the programs", "events/s", &with,
		     &without);
	return r;
}

int main(int argc, char **argv)
{
	static const struct bench benches[] = {
		{"fork_exit", "fork + exit + wait, programs attached vs not", bench_fork_exit},
		{"signal", "kill(getpid(), SIGUSR1), programs attached vs not", bench_signals},
		{"trap_events", "TRAP events through the procs ring", bench_trap_events},
		{"kill_events", "KILL_PROCESS events through the kills ring", bench_kill_events},
	};
	static const struct fixture_ops ops = {fixture_setup, fixture_teardown};
	return bench_main(argc, argv, benches, ARRAY_SIZE(benches), &ops, BENCH_DEFAULT_PROFILE);
}
