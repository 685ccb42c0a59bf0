/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Running the sigsys command line in tests, and reading its JSON by dotted paths. */
#ifndef SIGSYS_TEST_CLI_HARNESS_H
#define SIGSYS_TEST_CLI_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct json_object;

struct cli_result {
	int status; /* exit status, or -1 when it did not exit */
	char *out;  /* stdout */
	char *err;  /* stderr */
};

char *read_all(int fd);
/* Run `sigsys ARGS…` (NULL-terminated): stdout through a pipe, stderr through a file. */
struct cli_result run_cli(const char *const *args);
void cli_result_free(struct cli_result *r);

/* The value at a dotted path ("syscall.name"); NULL when absent or null. */
struct json_object *jget(struct json_object *root, const char *path);
const char *jstr(struct json_object *root, const char *path);
int64_t jint(struct json_object *root, const char *path);
bool jbool(struct json_object *root, const char *path);
/* null_reasons is keyed by dotted paths: {"syscall.args": "…"}. */
const char *null_reason(struct json_object *root, const char *path);
/* The member exists and is JSON null. */
bool jnull(struct json_object *root, const char *path);

#define expect_str(root, path, want)                                                           \
	do {                                                                                   \
		const char *_got = jstr(root, path);                                           \
		cr_expect(_got &&strcmp(_got, want) == 0, "%s: \"%s\", expected \"%s\"", path, \
			  _got ? _got : "(null)", want);                                       \
	} while (0)

#endif
