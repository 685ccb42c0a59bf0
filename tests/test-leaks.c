/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsysd's own memory, live: the daemon runs a short real scenario — a registration, a task
 * killed by its filter, malformed and refused registrations, reports and events over the API
 * — is stopped with SIGTERM, and its memory checker must have found no invalid access and no
 * definite leak. In the plain build that checker is valgrind (memcheck); in the ASan build
 * sigsysd already carries AddressSanitizer and LeakSanitizer (valgrind cannot run a
 * sanitized binary), which check the same at exit. sigsysd has no notify source yet, so
 * valgrind's blind spot for the seccomp notify ioctls (FACTS.md) does not arise.
 */
#include "sigsysd-launch.h"
#include "test-helpers.h"

#include <json-c/json.h>
#include <sys/wait.h>

#define CHECKER_EXIT 99 /* the exit status that means "the checker found something" */

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_VALGRIND 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_VALGRIND 0
#endif
#endif
#ifndef UNDER_VALGRIND
#define UNDER_VALGRIND 1
#endif

/* A test that fails halfway leaves no daemon running. */
TestSuite(leaks, .fini = sigsysd_kill_leftovers);

static void start_checked(struct daemon_run *d, char *log, size_t size)
{
	daemon_run_dirs(d, "leaks");
	format_into(log, size, "%s/checker.log", d->dir);
	if (UNDER_VALGRIND) {
		char log_arg[160];
		format_into(log_arg, sizeof(log_arg), "--log-file=%s", log);
		const char *wrapper[] = {"/usr/bin/valgrind",
					 "--tool=memcheck",
					 "--error-exitcode=99",
					 "--leak-check=full",
					 "--show-leak-kinds=definite",
					 "--errors-for-leak-kinds=definite",
					 "--child-silent-after-fork=yes",
					 log_arg,
					 NULL};
		sigsysd_spawn(d, wrapper, NULL);
	} else {
		char options[256];
		format_into(options, sizeof(options),
			    "detect_leaks=1:exitcode=%d:halt_on_error=1:log_path=%s", CHECKER_EXIT,
			    log);
		cr_assert_eq(setenv("ASAN_OPTIONS", options, 1), 0);
		sigsysd_spawn(d, NULL, NULL);
		unsetenv("ASAN_OPTIONS");
	}
	cr_assert(sigsysd_wait_for(d, "api.sock", 60), "sigsysd did not start under the checker");
}

static char *read_log(const char *path, pid_t pid)
{
	char *text = NULL, asan_path[192];
	size_t len;
	/* ASan appends .PID to log_path; valgrind writes the name as given. */
	format_into(asan_path, sizeof(asan_path), "%s.%d", path, (int)pid);
	if (read_file_bounded(UNDER_VALGRIND ? path : asan_path, 1u << 20, &text, &len) < 0)
		return strdup("(no log: the checker found nothing to say)");
	return text;
}

static const char *outcome_of(const char *body)
{
	static char outcome[64];
	struct json_object *o = json_tokener_parse(body), *v;
	outcome[0] = '\0';
	if (o && json_object_object_get_ex(o, "outcome", &v))
		format_into(outcome, sizeof(outcome), "%s", json_object_get_string(v));
	json_object_put(o);
	return outcome;
}

/* The kill's report, waited for: under valgrind the daemon is some 20 times slower. */
static bool kill_reported(const struct daemon_run *d)
{
	for (int i = 0; i < 300; i++) {
		struct http_response r = http_get(d, "/v1/tasks/leak-kill/report");
		bool done = r.status == 200 && !strcmp(outcome_of(r.body), "seccomp-kill");
		http_response_free(&r);
		if (done)
			return true;
		harness_sleep_ms(100);
	}
	return false;
}

static void bad_input(const struct daemon_run *d)
{
	static const char *const bodies[] = {"{", "{\"version\":1}", "[[[[[[[[[[[[[[[[[[[[]]]]]"};
	for (size_t i = 0; i < ARRAY_SIZE(bodies); i++) {
		char *reply = register_send_raw(d, bodies[i], strlen(bodies[i]));
		cr_expect(reply && strstr(reply, "\"ok\":false"), "body %zu: %s", i,
			  reply ? reply : "(none)");
		free(reply);
	}
	static const char *const paths[] = {"/v1/tasks/nobody/report", "/v1/events?limit=0",
					    "/v1/nothing", "/v1/failures?app_id=%2Fnone"};
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		struct http_response r = http_get(d, paths[i]);
		cr_expect(r.status >= 200 && r.status < 500, "GET %s: %d", paths[i], r.status);
		http_response_free(&r);
	}
}

Test(leaks, sigsysd_through_a_scenario_has_no_memory_errors_and_no_leaks, .timeout = 280)
{
	struct daemon_run d;
	char log[160];
	start_checked(&d, log, sizeof(log));

	int status =
		daemon_run_launch(&d, "leak-kill", "kill", NULL, "\"$SIGSYS_PROBE\" personality:5");
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGSYS, "task status %#x",
		  status); /* sh reports its child's SIGSYS as 159 */
	cr_expect(kill_reported(&d), "the kill never reached the report");
	struct http_response r = http_get(&d, "/v1/tasks/leak-kill/report?format=text");
	cr_expect_eq(r.status, 200);
	http_response_free(&r);
	r = http_get(&d, "/v1/events");
	cr_expect(r.status == 200 && strstr(r.body, "\"personality\""), "%d %.300s", r.status,
		  r.body);
	http_response_free(&r);
	r = http_get(&d, "/metrics");
	cr_expect_eq(r.status, 200);
	http_response_free(&r);
	bad_input(&d);

	kill(d.pid, SIGTERM);
	status = sigsysd_wait_exit(&d, 120);
	char *text = read_log(log, d.pid);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "sigsysd under %s: status %#x (exit %d; %d means the checker found errors):\n%s",
		  UNDER_VALGRIND ? "valgrind" : "ASan/LSan", status,
		  WIFEXITED(status) ? WEXITSTATUS(status) : -1, CHECKER_EXIT, text);
	if (UNDER_VALGRIND) {
		cr_expect(strstr(text, "ERROR SUMMARY: 0 errors"), "valgrind:\n%s", text);
		cr_expect(strstr(text, "definitely lost: 0 bytes") ||
				  strstr(text, "All heap blocks were freed"),
			  "valgrind:\n%s", text);
	}
	free(text);
	sigsysd_kill_leftovers(); /* one that did not exit */
	daemon_run_remove(&d);
}
