/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The compiled-filter cache: hits give the same program, anything not ours or not matching
 * its digest is rebuilt, never loaded. */
#include "test-helpers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

static char cache_dir[] = "/tmp/sigsys-test-cache-XXXXXX";

static void setup(void)
{
	strcpy(cache_dir, "/tmp/sigsys-test-cache-XXXXXX");
	cr_assert(mkdtemp(cache_dir));
}

static void teardown(void)
{
	DIR *d = opendir(cache_dir);
	for (struct dirent *e; d && (e = readdir(d));)
		if (e->d_name[0] != '.' || strlen(e->d_name) > 2)
			unlinkat(dirfd(d), e->d_name, 0);
	if (d)
		closedir(d);
	rmdir(cache_dir);
}

static struct sigsys_filter *compile_cached(const struct sigsys_profile *p, enum sigsys_mode mode)
{
	struct sigsys_options o;
	struct sigsys_filter *f = NULL;
	struct sigsys_error err = {{0}};
	sigsys_options_init(&o);
	o.mode = mode;
	o.cache_dir = cache_dir;
	cr_assert_eq(sigsys_compile(p, &o, &f, &err), 0, "%s", err.message);
	return f;
}

/* The one cache file (there is exactly one after one store). */
static char *cache_file(void)
{
	DIR *d = opendir(cache_dir);
	char *path = NULL;
	cr_assert(d);
	for (struct dirent *e; (e = readdir(d));)
		if (strstr(e->d_name, ".bpf") && e->d_name[0] != '.') {
			cr_assert_null(path, "more than one cache file");
			cr_assert(asprintf(&path, "%s/%s", cache_dir, e->d_name) > 0);
		}
	closedir(d);
	cr_assert_not_null(path, "no cache file in %s", cache_dir);
	return path;
}

static bool same_program(const struct sigsys_filter *a, const struct sigsys_filter *b)
{
	const void *pa, *pb;
	size_t na = sigsys_filter_program(a, &pa), nb = sigsys_filter_program(b, &pb);
	return na == nb && memcmp(pa, pb, na * 8) == 0;
}

Test(cache, second_compile_hits_and_gives_the_same_program, .init = setup, .fini = teardown)
{
	struct sigsys_profile *p = load_profile("dcos-default.json");
	struct sigsys_filter *first = compile_cached(p, SIGSYS_MODE_ENFORCE);
	struct sigsys_filter *second = compile_cached(p, SIGSYS_MODE_ENFORCE);
	cr_expect(!sigsys_filter_cached(first));
	cr_expect(sigsys_filter_cached(second));
	cr_expect(same_program(first, second));

	struct stat st;
	char *path = cache_file();
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600, "cache files are private: %o", st.st_mode & 0777);
	free(path);
	sigsys_filter_free(first);
	sigsys_filter_free(second);
	sigsys_profile_free(p);
}

Test(cache, mode_is_part_of_the_key, .init = setup, .fini = teardown)
{
	struct sigsys_profile *p = load_profile("dcos-default.json");
	sigsys_filter_free(compile_cached(p, SIGSYS_MODE_ENFORCE));
	struct sigsys_filter *kill = compile_cached(p, SIGSYS_MODE_KILL);
	cr_expect(!sigsys_filter_cached(kill), "a kill-mode filter is not the enforce one");
	sigsys_filter_free(kill);
	sigsys_profile_free(p);
}

Test(cache, a_tampered_file_is_rebuilt_not_loaded, .init = setup, .fini = teardown)
{
	struct sigsys_profile *p = load_profile("dcos-default.json");
	struct sigsys_filter *clean = compile_cached(p, SIGSYS_MODE_ENFORCE);
	char *path = cache_file();

	/* Turn the last instruction (a RET) into RET ALLOW, as an attacker would. */
	int fd = open(path, O_RDWR | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	off_t end = lseek(fd, 0, SEEK_END);
	uint32_t allow = 0x7fff0000;
	cr_assert_eq(pwrite(fd, &allow, 4, end - 4), 4);
	close(fd);

	struct sigsys_filter *again = compile_cached(p, SIGSYS_MODE_ENFORCE);
	cr_expect(!sigsys_filter_cached(again), "a file not matching its digest was used");
	cr_expect(same_program(clean, again));
	struct sigsys_filter *healed = compile_cached(p, SIGSYS_MODE_ENFORCE);
	cr_expect(sigsys_filter_cached(healed), "the rebuilt program replaces the bad file");
	free(path);
	sigsys_filter_free(clean);
	sigsys_filter_free(again);
	sigsys_filter_free(healed);
	sigsys_profile_free(p);
}

/* The other key's file, renamed to this key: whole and matching its own digest, but for
 * another program (here the log-mode one, which lets every denied call through). */
Test(cache, a_valid_file_under_another_key_is_rebuilt_not_loaded, .init = setup, .fini = teardown)
{
	struct sigsys_profile *p = load_profile("dcos-default.json");
	struct sigsys_filter *enforce = compile_cached(p, SIGSYS_MODE_ENFORCE);
	char *enforce_path = cache_file();
	cr_assert_eq(rename(enforce_path, "/tmp/sigsys-test-cache-aside.bpf"), 0);
	struct sigsys_filter *log = compile_cached(p, SIGSYS_MODE_LOG);
	char *log_path = cache_file();
	cr_assert_eq(rename(log_path, enforce_path), 0);
	unlink("/tmp/sigsys-test-cache-aside.bpf");

	struct sigsys_filter *again = compile_cached(p, SIGSYS_MODE_ENFORCE);
	cr_expect(!sigsys_filter_cached(again), "another key's program was loaded");
	cr_expect(same_program(enforce, again));
	cr_expect(!same_program(log, again));
	free(enforce_path);
	free(log_path);
	sigsys_filter_free(enforce);
	sigsys_filter_free(log);
	sigsys_filter_free(again);
	sigsys_profile_free(p);
}

/* A file cut short (a crash while writing, a full disk) is rebuilt. */
Test(cache, a_truncated_file_is_rebuilt_not_loaded, .init = setup, .fini = teardown)
{
	struct sigsys_profile *p = load_profile("dcos-default.json");
	struct sigsys_filter *clean = compile_cached(p, SIGSYS_MODE_ENFORCE);
	char *path = cache_file();
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(truncate(path, st.st_size - 8), 0);
	struct sigsys_filter *again = compile_cached(p, SIGSYS_MODE_ENFORCE);
	cr_expect(!sigsys_filter_cached(again), "a truncated file was used");
	cr_expect(same_program(clean, again));
	free(path);
	sigsys_filter_free(clean);
	sigsys_filter_free(again);
	sigsys_profile_free(p);
}

Test(cache, files_open_to_others_are_not_used, .init = setup, .fini = teardown)
{
	struct sigsys_profile *p = load_profile("dcos-default.json");
	sigsys_filter_free(compile_cached(p, SIGSYS_MODE_ENFORCE));
	char *path = cache_file();
	cr_assert_eq(chmod(path, 0644), 0);
	struct sigsys_filter *f = compile_cached(p, SIGSYS_MODE_ENFORCE);
	cr_expect(!sigsys_filter_cached(f), "a world-readable cache file was trusted");
	sigsys_filter_free(f);
	free(path);
	sigsys_profile_free(p);
}

Test(cache, a_directory_open_to_others_is_not_used, .init = setup, .fini = teardown)
{
	struct sigsys_profile *p = load_profile("dcos-default.json");
	cr_assert_eq(chmod(cache_dir, 0777), 0);
	struct sigsys_filter *f = compile_cached(p, SIGSYS_MODE_ENFORCE);
	cr_expect_eq(sigsys_filter_warning_count(f), 1);
	cr_expect(strstr(sigsys_filter_warning(f, 0), "is not usable"), "%s",
		  sigsys_filter_warning(f, 0));
	struct sigsys_filter *g = compile_cached(p, SIGSYS_MODE_ENFORCE);
	cr_expect(!sigsys_filter_cached(g));
	sigsys_filter_free(f);
	sigsys_filter_free(g);
	sigsys_profile_free(p);
}
