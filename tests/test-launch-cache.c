/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The report library's launch cache (report/launch-cache.h): a report built with it is the
 * report built without it, byte for byte — on a hit, for tasks sharing a profile but not its
 * mode or capabilities, after eviction, and for tasks with nothing to compile.
 */
#include "test-helpers.h"
#include "launch-cache.h"
#include "report.h"
#include "store.h"

#include <json-c/json.h>
#include <linux/audit.h>
#include <signal.h>
#include <sys/syscall.h>

#define NOW_NS (1790000000ull * 1000000000ull)

static char dir[] = "/tmp/sigsys-test-launch-cache-XXXXXX";
static char db[128];
static struct store *store;
static char *profile_text;
static char profile_digest[STORE_DIGEST_MAX + 1];

static void store_profile_read(void)
{
	char path[512];
	struct sigsys_profile *p;
	size_t len;
	format_into(path, sizeof(path), "%s/default.json", env_path("SIGSYS_PROFILES"));
	cr_assert_eq(read_file_bounded(path, STORE_PROFILE_MAX, &profile_text, &len), 0);
	cr_assert_eq(sigsys_profile_load(path, &p, NULL), 0);
	format_into(profile_digest, sizeof(profile_digest), "%s", sigsys_profile_digest(p));
	sigsys_profile_free(p);
}

static void setup(void)
{
	struct store_options o;
	cr_assert(mkdtemp(dir));
	format_into(db, sizeof(db), "%s/sigsys.db", dir);
	store_options_init(&o);
	cr_assert_eq(store_open(db, &o, &store, NULL), 0);
	store_profile_read();
}

static void teardown(void)
{
	char cmd[160];
	store_close(store);
	free(profile_text);
	format_into(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

/* A task of default.json in mode and caps, killed by personality(5). */
static void put_killed_task(const char *task_id, int32_t pid, const char *mode, uint64_t caps)
{
	struct store_task t = {.task_id = task_id,
			       .framework = "other",
			       .pid = pid,
			       .pid_start_ns = 1000,
			       .profile_name = "default.json",
			       .profile_digest = profile_digest,
			       .profile_text = profile_text,
			       .mode = mode,
			       .caps = caps,
			       .registered_ns = NOW_NS};
	struct seccomp_event e = {.time_ns = NOW_NS + 1000000,
				  .pid = pid,
				  .arch = AUDIT_ARCH_X86_64,
				  .nr = SYS_personality,
				  .code = SECCOMP_RET_KILL_PROCESS,
				  .sig = SIGSYS,
				  .sources = SECCOMP_EVENT_SOURCE_AUDIT};
	struct store_event se = {.event = &e, .task_id = task_id, .pid_start_ns = 1000};
	cr_assert_geq(store_put_task(store, &t, NULL), 0);
	cr_assert_eq(store_put_events(store, &se, 1, NULL, NULL), 1);
}

/* The report's JSON text, with the cache given (NULL: none). */
static char *report_text(const char *task_id, struct launch_cache *cache)
{
	struct report_options o = {.profile_dir = env_path("SIGSYS_PROFILES"),
				   .launch_cache = cache};
	struct json_object *report = NULL;
	struct store_error err;
	cr_assert_eq(report_build(store, task_id, &o, &report, &err), 0, "%s", err.message);
	/* the evidence window of a task with no exit ends now: the one field that moves */
	struct json_object *evidence, *window;
	if (json_object_object_get_ex(report, "evidence", &evidence) &&
	    json_object_object_get_ex(evidence, "window", &window))
		json_object_object_del(window, "to");
	char *text = strdup(json_object_to_json_string_ext(report, JSON_C_TO_STRING_PLAIN));
	json_object_put(report);
	cr_assert(text);
	return text;
}

/* Built with the cache, the report is the uncached one; *hit says whether it was a hit. */
static void expect_same_report(struct launch_cache *cache, const char *task_id, bool hit)
{
	unsigned long hits = launch_cache_hits(cache);
	char *plain = report_text(task_id, NULL);
	char *cached = report_text(task_id, cache);
	cr_expect_str_eq(cached, plain, "%s", task_id);
	cr_expect_eq(launch_cache_hits(cache), hits + (hit ? 1 : 0), "%s: hit expected %d", task_id,
		     hit);
	free(plain);
	free(cached);
}

TestSuite(launch_cache, .init = setup, .fini = teardown);

Test(launch_cache, a_hit_gives_the_uncached_report)
{
	struct launch_cache *cache;
	put_killed_task("t-kill", 100, "kill", 0);
	cr_assert_eq(launch_cache_new(&cache), 0);
	expect_same_report(cache, "t-kill", false);
	expect_same_report(cache, "t-kill", true);
	expect_same_report(cache, "t-kill", true);
	char *text = report_text("t-kill", cache);
	cr_expect(strstr(text, "\"outcome\":\"seccomp-kill\""), "%s", text);
	free(text);
	launch_cache_free(cache);
}

Test(launch_cache, mode_and_caps_are_part_of_the_key)
{
	struct launch_cache *cache;
	put_killed_task("t-kill", 100, "kill", 0);
	put_killed_task("t-enforce", 101, "enforce", 0);
	put_killed_task("t-caps", 102, "kill", 1ull << 21); /* CAP_SYS_ADMIN */
	put_killed_task("t-kill-too", 103, "kill", 0);
	cr_assert_eq(launch_cache_new(&cache), 0);
	expect_same_report(cache, "t-kill", false);
	expect_same_report(cache, "t-enforce", false);
	expect_same_report(cache, "t-caps", false);
	expect_same_report(cache, "t-kill-too", true); /* same profile, mode and caps */
	char *enforce = report_text("t-enforce", cache);
	cr_expect(strstr(enforce, "\"mode\":\"enforce\""), "%s", enforce);
	free(enforce);
	launch_cache_free(cache);
}

Test(launch_cache, the_oldest_goes_when_full)
{
	struct launch_cache *cache;
	char id[32];
	for (int i = 0; i <= LAUNCH_CACHE_SLOTS; i++) {
		format_into(id, sizeof(id), "t-%d", i);
		put_killed_task(id, 200 + i, "kill", 1ull << i);
	}
	cr_assert_eq(launch_cache_new(&cache), 0);
	for (int i = 0; i <= LAUNCH_CACHE_SLOTS; i++) {
		format_into(id, sizeof(id), "t-%d", i);
		expect_same_report(cache, id, false);
	}
	expect_same_report(cache, "t-0", false); /* evicted by the ninth */
	expect_same_report(cache, "t-2", true);
	launch_cache_free(cache);
}

Test(launch_cache, a_task_with_nothing_to_compile_is_built_each_time)
{
	struct launch_cache *cache;
	struct seccomp_event e = {.time_ns = NOW_NS,
				  .pid = 300,
				  .arch = AUDIT_ARCH_X86_64,
				  .nr = SYS_personality,
				  .code = SECCOMP_RET_KILL_PROCESS,
				  .sig = SIGSYS,
				  .sources = SECCOMP_EVENT_SOURCE_AUDIT};
	struct store_event se = {.event = &e, .task_id = "t-bare"}; /* known only from it */
	cr_assert_eq(store_put_events(store, &se, 1, NULL, NULL), 1);
	cr_assert_eq(launch_cache_new(&cache), 0);
	expect_same_report(cache, "t-bare", false);
	expect_same_report(cache, "t-bare", false);
	launch_cache_free(cache);
}
