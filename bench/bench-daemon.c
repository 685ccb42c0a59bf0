/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-daemon: sigsysd's memory, idle and under a storm of LOG records, and the records it
 * keeps up with.
 *
 * Each run starts a sigsysd of its own (--foreground, a temporary run dir and store, sources
 * audit,proc), reads its VmRSS idle, then forks a child that loads a raw filter returning
 * SECCOMP_RET_LOG for getppid and calls getppid N_CALLS times: the kernel emits one
 * AUDIT_SECCOMP record per call. VmRSS is sampled every 100 ms until the daemon has drained
 * them (its counts stop moving). Reported: the storm's peak against idle, idle against the
 * 20 MiB target, and the records the daemon stored (its LOG count of getppid, read-only from
 * the store) and parsed (/v1/health records.audit_parsed) against the N_CALLS emitted.
 *
 * sigsysd is the build's (BENCH_SIGSYSD), or $SIGSYSD.
 */
#include "bench.h"
#include "sigsysd.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define N_CALLS		200000
#define SAMPLE_MS	100
#define IDLE_SAMPLES	10
#define DRAIN_QUIET_MS	2000  /* the counts have not moved for this long: drained */
#define DRAIN_MAX_MS	60000 /* give up waiting for the daemon after this */
#define TARGET_IDLE_KIB (20.0 * 1024)

/* VmRSS of pid in KiB, or a negative errno. */
static double rss_kib(pid_t pid)
{
	char path[64], line[256];
	double kib = -ENOENT;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %lf kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* records.audit_parsed from GET /v1/health, or a negative errno. */
static int64_t health_audit_parsed(const struct bench_sigsysd *d)
{
	char body[8192];
	int64_t parsed = -EPROTO;
	int status = bench_sigsysd_get(d, "/v1/health", body, sizeof(body));
	if (status < 0)
		return status;
	struct json_object *o = json_tokener_parse(body), *records, *v;
	if (o && json_object_object_get_ex(o, "records", &records) &&
	    json_object_object_get_ex(records, "audit_parsed", &v))
		parsed = json_object_get_int64(v);
	json_object_put(o);
	return parsed;
}

static int count_getppid_log(const struct store_count *c, void *userdata)
{
	if (c->nr == SYS_getppid && c->action == SECCOMP_RET_LOG)
		*(uint64_t *)userdata += c->count;
	return 0;
}

/* The store's LOG count of getppid (all tasks), read-only; 0 before the store has it. */
static uint64_t stored_getppid_logs(const struct bench_sigsysd *d)
{
	struct store_options o;
	struct store *s = NULL;
	uint64_t n = 0;
	store_options_init(&o);
	o.read_only = true;
	if (store_open(d->db, &o, &s, NULL) == 0) {
		store_event_counts(s, count_getppid_log, &n, NULL);
		store_close(s);
	}
	return n;
}

/* The storm: a raw filter that LOGs getppid and allows the rest, then N_CALLS getppid. */
static void storm_child(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_LOG),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]), .filter = code};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		_exit(1);
	for (int i = 0; i < N_CALLS; i++)
		syscall(SYS_getppid);
	_exit(0);
}

struct run {
	double idle_kib, peak_kib, settled_kib;
	double stored, parsed; /* parsed: < 0 when the API did not answer */
	double storm_ms, drain_ms;
};

static int run_once(struct run *ret)
{
	struct bench_sigsysd d;
	struct samples idle = {0};
	struct run r = {.parsed = -1};
	int status, err = bench_sigsysd_dirs(&d, "daemon");
	if (err >= 0)
		err = bench_sigsysd_start(&d, "audit,proc");
	if (err < 0)
		goto out;
	sleep_ms(1000); /* past start-up: the sources are open, the store migrated */
	for (int i = 0; i < IDLE_SAMPLES; i++) {
		samples_push(&idle, rss_kib(d.pid));
		sleep_ms(SAMPLE_MS);
	}
	r.idle_kib = samples_median(&idle);
	int64_t parsed0 = health_audit_parsed(&d);
	uint64_t stored0 = stored_getppid_logs(&d);

	uint64_t t0 = now_ns(), quiet_since = 0, last_moved = 0;
	pid_t child = fork();
	if (child < 0) {
		err = -errno;
		goto out;
	}
	if (child == 0)
		storm_child();
	bool running = true;
	uint64_t last = stored0;
	r.peak_kib = r.idle_kib;
	for (;;) {
		double kib = rss_kib(d.pid);
		if (kib < 0) {
			fprintf(stderr, "bench-daemon: sigsysd died during the storm\n");
			err = -ECHILD;
			d.pid = 0;
			goto out;
		}
		if (kib > r.peak_kib)
			r.peak_kib = kib;
		uint64_t now = now_ns();
		if (running && waitpid(child, &status, WNOHANG) == child) {
			running = false;
			r.storm_ms = (double)(now - t0) / 1e6;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
				fprintf(stderr,
					"bench-daemon: the storm child could not load its "
					"filter (status %#x)\n",
					status);
				err = -EPERM;
				goto out;
			}
			last_moved = now;
		}
		if (!running) {
			uint64_t n = stored_getppid_logs(&d);
			if (n != last) {
				last = n;
				last_moved = now;
			}
			quiet_since = now - last_moved;
			if (quiet_since >= DRAIN_QUIET_MS * 1000000ULL ||
			    now - t0 >= DRAIN_MAX_MS * 1000000ULL)
				break;
		}
		sleep_ms(SAMPLE_MS);
	}
	r.drain_ms = (double)(last_moved - t0) / 1e6 - r.storm_ms;
	r.settled_kib = rss_kib(d.pid);
	r.stored = (double)(last - stored0);
	int64_t parsed1 = health_audit_parsed(&d);
	if (parsed0 >= 0 && parsed1 >= 0)
		r.parsed = (double)(parsed1 - parsed0);
	fprintf(stderr,
		"  idle %.0f KiB, peak %.0f KiB, after %.0f KiB; storm %.0f ms, drained %.0f ms "
		"later; stored %.0f, parsed %.0f of %d\n",
		r.idle_kib, r.peak_kib, r.settled_kib, r.storm_ms, r.drain_ms, r.stored, r.parsed,
		N_CALLS);
	*ret = r;
out:
	samples_clear(&idle);
	bench_sigsysd_stop(&d);
	bench_sigsysd_remove(&d);
	return err;
}

static int bench_memory(const struct bench_args *args, void *fixture)
{
	(void)fixture;
	struct samples idle = {0}, peak = {0}, target = {0}, stored = {0}, parsed = {0},
		       emitted = {0}, lost = {0};
	unsigned reps = bench_reps(args, 3, 1);
	int err = 0;
	for (unsigned i = 0; i < reps && err == 0; i++) {
		struct run r = {0};
		err = run_once(&r);
		if (err < 0)
			break;
		samples_push(&idle, r.idle_kib);
		samples_push(&peak, r.peak_kib);
		samples_push(&target, TARGET_IDLE_KIB);
		samples_push(&stored, r.stored);
		samples_push(&emitted, N_CALLS);
		samples_push(&lost, r.stored < N_CALLS ? N_CALLS - r.stored : 0);
		if (r.parsed >= 0)
			samples_push(&parsed, r.parsed);
	}
	if (err == 0) {
		bench_emit(&(struct comparison){
			.name = "daemon.rss_idle",
			.baseline = "target.20MiB",
			.unit = "KiB",
			.value = &idle,
			.base = &target,
			.target = {TARGET_RATIO_MAX, 1.0, "<= 20 MiB idle"},
		});
		bench_emit(&(struct comparison){
			.name = "daemon.rss_peak_log_storm",
			.baseline = "daemon.rss_idle",
			.unit = "KiB",
			.value = &peak,
			.base = &idle,
			.target = {TARGET_NONE, 0, "bounded under a storm"},
		});
		bench_emit(&(struct comparison){
			.name = "daemon.records_stored_log_storm",
			.baseline = "kernel.records_emitted",
			.unit = "records",
			.value = &stored,
			.base = &emitted,
			.target = {TARGET_RATIO_MIN, 1.0, "all stored (ratio 1)"},
		});
		if (parsed.n == emitted.n)
			bench_emit(&(struct comparison){
				.name = "daemon.audit_parsed_log_storm",
				.baseline = "kernel.records_emitted",
				.unit = "records",
				.value = &parsed,
				.base = &emitted,
				.target = {TARGET_RATIO_MIN, 1.0, "all parsed (ratio 1)"},
			});
		bench_emit(&(struct comparison){
			.name = "daemon.records_lost_log_storm",
			.baseline = "kernel.records_emitted",
			.unit = "records",
			.value = &lost,
			.base = &emitted,
			.target = {TARGET_RATIO_MAX, 0, "0 records lost"},
		});
	}
	samples_clear(&idle);
	samples_clear(&peak);
	samples_clear(&target);
	samples_clear(&stored);
	samples_clear(&parsed);
	samples_clear(&emitted);
	samples_clear(&lost);
	return err;
}

static const struct bench benches[] = {
	{"memory", "sigsysd's VmRSS idle and under 200 000 LOG records; records kept",
	 bench_memory},
};

/* Each run starts its own daemon: nothing shared. */
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
	return bench_main(argc, argv, benches, sizeof(benches) / sizeof(benches[0]), &ops,
			  BENCH_DEFAULT_PROFILE);
}
