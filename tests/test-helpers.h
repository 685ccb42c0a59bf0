/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the tests: where things are, and compiling a profile in one call. */
#ifndef SIGSYS_TEST_HELPERS_H
#define SIGSYS_TEST_HELPERS_H

#include "sigsys.h"
#include "util.h"

#include <linux/seccomp.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* fork() for tests: criterion's fork handlers make a forked child talk to the runner (and
 * hang it), so children are made with a bare clone that runs no atfork handlers. The child
 * may only make plain syscalls, exec, or _exit. */
static inline pid_t test_fork(void)
{
	return (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
}

static inline const char *env_path(const char *name)
{
	const char *v = getenv(name);
	cr_assert(v && *v, "%s is not set: run the tests through meson test", name);
	return v;
}

/* A file under ../shared/data/profiles or the repo's profiles/. */
static inline char *data_profile(const char *name)
{
	char *path;
	const char *dir =
		strchr(name, '/') ? env_path("SIGSYS_SOURCE_ROOT") : env_path("SIGSYS_DATA");
	cr_assert(asprintf(&path, "%s/%s%s", dir, strchr(name, '/') ? "" : "profiles/", name) > 0);
	return path;
}

static inline struct sigsys_profile *load_profile(const char *name)
{
	struct sigsys_profile *p = NULL;
	struct sigsys_error err = {{0}};
	char *path = data_profile(name);
	int r = sigsys_profile_load(path, &p, &err);
	cr_assert_eq(r, 0, "loading %s: %s", path, err.message);
	free(path);
	return p;
}

static inline struct sigsys_profile *parse_text(const char *text)
{
	struct sigsys_profile *p = NULL;
	struct sigsys_error err = {{0}};
	int r = sigsys_profile_parse(text, strlen(text), "inline.json", &p, &err);
	cr_assert_eq(r, 0, "parsing inline profile: %s", err.message);
	return p;
}

static inline struct sigsys_filter *
compile_with(const struct sigsys_profile *p, enum sigsys_mode mode, uint64_t caps, unsigned flags)
{
	struct sigsys_options o;
	struct sigsys_filter *f = NULL;
	struct sigsys_error err = {{0}};
	sigsys_options_init(&o);
	o.mode = mode;
	o.caps = caps;
	o.flags = flags;
	int r = sigsys_compile(p, &o, &f, &err);
	cr_assert_eq(r, 0, "compiling %s: %s", sigsys_profile_source(p), err.message);
	return f;
}

static inline uint64_t caps_of(const char *list)
{
	uint64_t caps = 0;
	struct sigsys_error err;
	cr_assert_eq(sigsys_caps_parse(list, &caps, &err), 0, "%s", err.message);
	return caps;
}

#endif
