/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * probe — make syscalls and print what the kernel answered, one line each:
 *   probe SYSCALL[:ARG[:ARG…]][*COUNT] …  e.g. probe getpid personality:0xffffffff
 *                                     mkdir:s/tmp/x:0755
 *   probe thread                      start and join one pthread (clone3 under glibc 2.34+)
 *   probe in-thread SYSCALL[:ARG…]    make the call from a second thread, printing "tid=N"
 *                                     first, then join it (a thread killed alone is joined
 *                                     too: the kernel clears its tid) and print "joined"
 *   probe flip-mkdir DIR A B N        in DIR, mkdir(buf) N times while a second thread keeps
 *                                     rewriting buf between the relative paths A and B (7
 *                                     bytes at most: one atomic store): a TOCTOU attempt on
 *                                     a checked path; prints "calls=N ok=K", then
 *                                     "mkdir=-ERRNO_NAME COUNT" per errno
 * ARG is a number (0x… allowed) or s<TEXT> for a pointer to TEXT. Prints "NAME=RESULT" where
 * RESULT is the return value or -ERRNO_NAME. *COUNT makes the call COUNT times (a denial
 * storm) and prints the last result. Exit 0 unless the arguments are wrong.
 * Used by the live and crun compatibility tests; statically linkable, no libsigsys.
 */
#include <errno.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void *thread_main(void *arg)
{
	return arg;
}

static int probe_thread(void)
{
	pthread_t t;
	int r = pthread_create(&t, NULL, thread_main, NULL);
	if (r == 0)
		pthread_join(t, NULL);
	printf("thread=%s\n", r == 0 ? "0" : strerrorname_np(r));
	return 0;
}

static int probe_syscall(char *spec);

static void *in_thread_main(void *spec)
{
	printf("tid=%ld\n", (long)syscall(SYS_gettid));
	return (void *)(intptr_t)probe_syscall(spec);
}

static int probe_in_thread(char *spec)
{
	pthread_t t;
	void *ret = NULL;
	fflush(stdout);
	int r = pthread_create(&t, NULL, in_thread_main, spec);
	if (r != 0) {
		printf("thread=%s\n", strerrorname_np(r));
		return 0;
	}
	pthread_join(t, &ret);
	printf("joined\n");
	fflush(stdout);
	return 0;
}

/* The path lives in one aligned 64-bit word, rewritten by single atomic stores: at every
 * moment the task's memory holds exactly A or B, so a mix can only come from a reader that
 * read across two moments. */
struct flip {
	_Atomic uint64_t word;
	uint64_t a, b;
	atomic_bool done;
};

static void *flip_main(void *arg)
{
	struct flip *f = arg;
	for (unsigned n = 0; !atomic_load(&f->done); n++)
		atomic_store_explicit(&f->word, n % 2 ? f->b : f->a, memory_order_relaxed);
	return NULL;
}

static int probe_flip_mkdir(const char *dir, const char *a, const char *b, const char *count)
{
	static struct flip f;
	unsigned long n = strtoul(count, NULL, 0), ok = 0, errs[4096] = {0};
	pthread_t t;
	if (strlen(a) >= sizeof(uint64_t) || strlen(b) >= sizeof(uint64_t) || !n ||
	    chdir(dir) < 0) {
		fputs("probe: flip-mkdir DIR A B N: A and B of at most 7 bytes, N > 0\n", stderr);
		return 2;
	}
	memcpy(&f.a, a, strlen(a)); /* f is static: the rest of the word stays NUL */
	memcpy(&f.b, b, strlen(b));
	atomic_store(&f.word, f.a);
	if (pthread_create(&t, NULL, flip_main, &f) != 0)
		return 2;
	for (unsigned long i = 0; i < n; i++) {
		if (syscall(SYS_mkdir, (const char *)&f.word, 0755) == 0)
			ok++;
		else if (errno > 0 && errno < 4096)
			errs[errno]++;
	}
	atomic_store(&f.done, true);
	pthread_join(t, NULL);
	printf("calls=%lu ok=%lu\n", n, ok);
	for (int e = 1; e < 4096; e++)
		if (errs[e])
			printf("mkdir=-%s %lu\n", strerrorname_np(e) ?: "?", errs[e]);
	return 0;
}

static int probe_syscall(char *spec)
{
	long args[6] = {0}, r = 0;
	unsigned long count = 1;
	char *star = strrchr(spec, '*');
	if (star) {
		*star = '\0';
		count = strtoul(star + 1, NULL, 0);
	}
	char *save = NULL, *name = strtok_r(spec, ":", &save);
	int n = 0;
	for (char *a = strtok_r(NULL, ":", &save); a; a = strtok_r(NULL, ":", &save)) {
		if (n == 6) {
			fprintf(stderr, "probe: %s: more than 6 arguments\n", name);
			return 2;
		}
		args[n++] = a[0] == 's' ? (long)(uintptr_t)(a + 1) : (long)strtoull(a, NULL, 0);
	}
	int nr = seccomp_syscall_resolve_name(name);
	if (nr < 0) {
		fprintf(stderr, "probe: unknown syscall \"%s\"\n", name);
		return 2;
	}
	fflush(stdout);
	for (unsigned long i = 0; i < count; i++)
		r = syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
	if (r < 0)
		printf("%s=-%s\n", name, strerrorname_np(errno) ?: "?");
	else
		printf("%s=%ld\n", name, r);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: probe SYSCALL[:ARG…][*COUNT]… | thread | in-thread SYSCALL[:ARG…] | "
		      "flip-mkdir DIR A B N\n",
		      stderr);
		return 2;
	}
	if (strcmp(argv[1], "in-thread") == 0)
		return argc == 3 ? probe_in_thread(argv[2]) : 2;
	if (strcmp(argv[1], "flip-mkdir") == 0)
		return argc == 6 ? probe_flip_mkdir(argv[2], argv[3], argv[4], argv[5]) : 2;
	for (int i = 1; i < argc; i++) {
		int r = strcmp(argv[i], "thread") == 0 ? probe_thread() : probe_syscall(argv[i]);
		if (r)
			return r;
	}
	return 0;
}
