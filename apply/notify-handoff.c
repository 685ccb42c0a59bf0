/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "notify-handoff.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXIT_OWN_FAILURE 125
#define FD_PENDING	 (-1)
#define LOAD_FAILED	 (-2)
#define POLL_NS		 20000 /* the helper looks for the listener this often */

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

struct handoff {
	const char *run_dir;
	const struct sigsys_registration *reg;
	atomic_int listener;  /* FD_PENDING until the task thread loaded the filter */
	atomic_bool accepted; /* set by the helper once sigsysd holds the listener */
};

static _Noreturn void helper_fail(const char *what)
{
	fprintf(stderr, "sigsys-apply: %s\n", what);
	fflush(stderr);
	_exit(EXIT_OWN_FAILURE); /* the whole process: the task must not start */
}

/* Not under the filter: it may wait, allocate and talk to sigsysd freely. */
static void *helper_main(void *arg)
{
	struct handoff *h = arg;
	struct timespec pause = {0, POLL_NS};
	int fd;
	while ((fd = atomic_load(&h->listener)) == FD_PENDING)
		nanosleep(&pause, NULL);
	if (fd == LOAD_FAILED)
		return NULL; /* the task thread reports it: no filter was loaded */
	struct sigsys_error err = {{0}};
	int r = sigsys_register_listener(h->run_dir, h->reg, fd, &err);
	if (r < 0) {
		char line[1024];
		snprintf(line, sizeof(line),
			 "sigsysd did not take the seccomp listener (notify mode, or NOTIFY rules "
			 "of the profile): %s (the task is not started: its notified calls would "
			 "have no one to answer them)",
			 err.message[0] ? err.message : strerror(-r));
		helper_fail(line);
	}
	close(fd); /* sigsysd has its own copy; the task must not inherit ours */
	atomic_store(&h->accepted, true);
	return NULL;
}

void notify_load_and_handoff(const struct sigsys_filter *filter, unsigned load_flags,
			     const char *run_dir, const struct sigsys_registration *reg)
{
	static struct handoff h;
	pthread_t helper;
	h = (struct handoff){.run_dir = run_dir, .reg = reg};
	atomic_init(&h.listener, FD_PENDING);
	atomic_init(&h.accepted, false);
	int e = pthread_create(&helper, NULL, helper_main, &h);
	if (e) {
		fprintf(stderr,
			"sigsys-apply: --mode notify: cannot start the hand-off thread: %s\n",
			strerror(e));
		exit(EXIT_OWN_FAILURE);
	}
	pthread_detach(helper);
	int fd = sigsys_filter_load(filter, load_flags);
	if (fd < 0) {
		atomic_store(&h.listener, LOAD_FAILED);
		fprintf(stderr, "sigsys-apply: loading the seccomp filter: %s\n", strerror(-fd));
		exit(EXIT_OWN_FAILURE);
	}
	atomic_store(&h.listener, fd);
	/* No syscall until sigsysd holds the listener: any of them may be a notified one. */
	while (!atomic_load(&h.accepted))
		cpu_relax();
}
