/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The crun compatibility proof. Each case in tests/compat/cases/ runs a small program under
 * sigsys-apply and under `crun run` with the same profile and capabilities; the outcomes (exit
 * status or death signal, and the NAME=RESULT lines the program prints) must be equal and
 * equal to the case's "expect". Docker-format profiles reach crun converted the way moby
 * converts them. Where sigsys deliberately differs, the case says why ("differs") and pins
 * both sides' outcomes. Case format: tests/compat/README.md.
 *
 * Both sides run the program as pid 1 of a new pid namespace, so getpid is 1 on both and a
 * signal reaches an init process on both.
 */
#include "../common/util.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#define RUN_TIMEOUT_MS	   30000
#define MAX_OUTPUT_BYTES   (64u << 10)
#define MAX_CASE_BYTES	   (64u << 10)
#define MIN_CASES	   15
#define EXIT_APPLY_REFUSED 125 /* sigsys-apply's own failure, e.g. a profile it refuses */
#define EXIT_CHILD_SETUP   124 /* the harness could not set up the child */
#define ABI_PROBE_FLAG	   "--compat-abi-probe"
#define CONTAINER_PROGRAM  "/sigsys-program"
#define CONTAINER_CWD	   "/work"

/* The AddressSanitizer and ThreadSanitizer runtimes make syscalls of their own (getpid at
 * start, ptrace for LeakSanitizer): the outcomes would not be the probe's. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZER_RUNTIME 1
#else
#define SANITIZER_RUNTIME 0
#endif

#if defined(__x86_64__)
#define NATIVE_SCMP_ARCH "SCMP_ARCH_X86_64"
#define NATIVE_MOBY_ARCH "amd64"
#elif defined(__aarch64__)
#define NATIVE_SCMP_ARCH "SCMP_ARCH_AARCH64"
#define NATIVE_MOBY_ARCH "arm64"
#else
#define NATIVE_SCMP_ARCH "unsupported"
#define NATIVE_MOBY_ARCH "unsupported"
#endif

static void json_putp(struct json_object **o)
{
	json_object_put(*o);
}
#define _cleanup_json_ _cleanup_(json_putp)

/* ---- the ABI probe: this binary run as `test-crun --compat-abi-probe CALL…` -------------- */

/* getpid through each ABI an x86_64 kernel takes: what a filter does with calls of the
 * architectures it does not list. tests/probe only makes native calls. */
struct abi_call {
	const char *name;
	long nr;
	bool int80;
};

static const struct abi_call abi_calls[] = {
	{"getpid", 39, false},
	{"i386-getpid", 20, true},
	{"x32-getpid", 0x40000000L | 39, false},
};

static long abi_syscall(const struct abi_call *call)
{
	long r = -ENOSYS;
#if defined(__x86_64__)
	if (call->int80)
		__asm__ volatile("int $0x80" : "=a"(r) : "a"(call->nr) : "memory");
	else
		__asm__ volatile("syscall" : "=a"(r) : "a"(call->nr) : "rcx", "r11", "memory");
#else
	(void)call;
#endif
	return r;
}

static int abi_probe(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const struct abi_call *call = NULL;
		for (size_t j = 0; j < ARRAY_SIZE(abi_calls); j++)
			if (strcmp(argv[i], abi_calls[j].name) == 0)
				call = &abi_calls[j];
		if (!call) {
			fprintf(stderr, "abi probe: unknown call \"%s\"\n", argv[i]);
			return 2;
		}
		long r = abi_syscall(call);
		if (r < 0)
			printf("%s=-%s\n", call->name, strerrorname_np((int)-r) ?: "?");
		else
			printf("%s=%ld\n", call->name, r);
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char *argv[])
{
	if (argc > 1 && strcmp(argv[1], ABI_PROBE_FLAG) == 0)
		return abi_probe(argc - 2, argv + 2);
	struct criterion_test_set *tests = criterion_initialize();
	int result = 0;
	if (criterion_handle_args(argc, argv, true))
		result = !criterion_run_all_tests(tests);
	criterion_finalize(tests);
	return result;
}

/* ---- cases -------------------------------------------------------------------------------- */

struct compat_case {
	char file[NAME_MAX + 1]; /* in the cases directory, for messages */
	struct json_object *root;
	const char *name;
	struct json_object *profile; /* inline or read from profile_file */
	char profile_file[PATH_MAX]; /* a profile_file as resolved; empty for inline */
	bool abi;		     /* "program": "abi": the ABI probe, not tests/probe */
	struct json_object *caps;    /* array of capability names, NULL: none */
	struct json_object *argv;    /* the program's arguments */
	struct json_object *expect;  /* the outcome; sigsys-apply's only when differs */
	const char *differs;	     /* why sigsys deliberately differs from crun */
	struct json_object *crun;    /* crun's outcome when differs */
};

static void case_clear(struct compat_case *c)
{
	json_object_put(c->root);
	if (c->profile_file[0])
		json_object_put(c->profile);
	*c = (struct compat_case){0};
}

static const char *env_required(const char *name)
{
	const char *v = getenv(name);
	cr_assert(v && *v, "%s is not set: run this test with `meson test`", name);
	return v;
}

static void cases_dir(char out[PATH_MAX])
{
	format_into(out, PATH_MAX, "%s/tests/compat/cases", env_required("SIGSYS_SOURCE_ROOT"));
}

static int case_fail(char *why, size_t size, const char *fmt, ...) _printf_(3, 4);
static int case_fail(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool is_string_array(struct json_object *o, bool non_empty)
{
	if (!json_object_is_type(o, json_type_array))
		return false;
	size_t n = json_object_array_length(o);
	for (size_t i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(o, i), json_type_string))
			return false;
	return n > 0 || !non_empty;
}

/* {"status": "exit N" | "signal N" | "refused", "stdout": ["NAME=RESULT", …]} */
static bool is_outcome(struct json_object *o)
{
	struct json_object *status, *out;
	int n = 0, end = 0;
	if (!json_object_object_get_ex(o, "status", &status) ||
	    !json_object_object_get_ex(o, "stdout", &out) || !is_string_array(out, false) ||
	    !json_object_is_type(status, json_type_string) || json_object_object_length(o) != 2)
		return false;
	const char *s = json_object_get_string(status);
	return strcmp(s, "refused") == 0 || (sscanf(s, "exit %d%n", &n, &end) == 1 && !s[end]) ||
	       (sscanf(s, "signal %d%n", &n, &end) == 1 && !s[end]);
}

/* A profile_file names a file in the field data or in the project's own profiles. */
static int resolve_profile_file(const char *name, char out[PATH_MAX])
{
	const char *dirs[] = {getenv("SIGSYS_DATA"), getenv("SIGSYS_SOURCE_ROOT")};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (!dirs[i] || strchr(name, '/'))
			continue;
		format_into(out, PATH_MAX, "%s/profiles/%s", dirs[i], name);
		if (access(out, R_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

static int case_check_keys(struct json_object *root, char *why, size_t size)
{
	static const char *const known[] = {"name",    "comment", "profile", "profile_file",
					    "caps",    "program", "argv",    "expect",
					    "differs", "crun"};
	json_object_object_foreach (root, key, value) {
		(void)value;
		bool found = false;
		for (size_t i = 0; i < ARRAY_SIZE(known); i++)
			found = found || strcmp(key, known[i]) == 0;
		if (!found)
			return case_fail(why, size, "unknown key \"%s\"", key);
	}
	return 0;
}

static int case_profile(struct compat_case *c, char *why, size_t size)
{
	struct json_object *inline_profile = NULL, *file = NULL;
	json_object_object_get_ex(c->root, "profile", &inline_profile);
	json_object_object_get_ex(c->root, "profile_file", &file);
	if (!inline_profile == !file)
		return case_fail(why, size, "give exactly one of \"profile\" and \"profile_file\"");
	if (inline_profile) {
		if (!json_object_is_type(inline_profile, json_type_object))
			return case_fail(why, size, "\"profile\" is not an object");
		c->profile = inline_profile;
		return 0;
	}
	const char *name = json_object_get_string(file);
	if (!json_object_is_type(file, json_type_string) ||
	    resolve_profile_file(name, c->profile_file) < 0)
		return case_fail(why, size,
				 "profile_file \"%s\" is not in $SIGSYS_DATA/profiles or "
				 "$SIGSYS_SOURCE_ROOT/profiles",
				 name);
	if (!(c->profile = json_object_from_file(c->profile_file))) {
		c->profile_file[0] = '\0';
		return case_fail(why, size, "%s: not JSON", name);
	}
	return 0;
}

static int case_fields(struct compat_case *c, char *why, size_t size)
{
	struct json_object *name = NULL, *program = NULL, *differs = NULL;
	json_object_object_get_ex(c->root, "name", &name);
	json_object_object_get_ex(c->root, "program", &program);
	json_object_object_get_ex(c->root, "differs", &differs);
	json_object_object_get_ex(c->root, "caps", &c->caps);
	json_object_object_get_ex(c->root, "argv", &c->argv);
	json_object_object_get_ex(c->root, "expect", &c->expect);
	json_object_object_get_ex(c->root, "crun", &c->crun);
	if (!json_object_is_type(name, json_type_string))
		return case_fail(why, size, "\"name\" is missing");
	c->name = json_object_get_string(name);
	if (program && strcmp(json_object_get_string(program), "probe") != 0 &&
	    strcmp(json_object_get_string(program), "abi") != 0)
		return case_fail(why, size, "\"program\" is \"probe\" (default) or \"abi\"");
	c->abi = program && strcmp(json_object_get_string(program), "abi") == 0;
	if (c->caps && !is_string_array(c->caps, false))
		return case_fail(why, size, "\"caps\" is not an array of capability names");
	if (!is_string_array(c->argv, true))
		return case_fail(why, size, "\"argv\" is not a non-empty array of strings");
	if (!is_outcome(c->expect))
		return case_fail(why, size,
				 "\"expect\" is not {\"status\": \"exit N\"|\"signal N\"|"
				 "\"refused\", \"stdout\": [...]}");
	if (differs != NULL) {
		if (!json_object_is_type(differs, json_type_string))
			return case_fail(why, size, "\"differs\" is not a string");
		c->differs = json_object_get_string(differs);
		if (!is_outcome(c->crun) || json_object_equal(c->crun, c->expect))
			return case_fail(why, size,
					 "with \"differs\", \"crun\" is crun's outcome and must "
					 "differ from \"expect\"");
	} else if (c->crun) {
		return case_fail(why, size, "\"crun\" without \"differs\"");
	}
	return 0;
}

static int case_load(const char *dir, const char *file, struct compat_case *c, char *why,
		     size_t size)
{
	char path[PATH_MAX];
	_cleanup_free_ char *text = NULL;
	*c = (struct compat_case){0};
	format_into(c->file, sizeof(c->file), "%s", file);
	format_into(path, sizeof(path), "%s/%s", dir, file);
	if (read_file_bounded(path, MAX_CASE_BYTES, &text, NULL) < 0)
		return case_fail(why, size, "cannot read %s", path);
	c->root = json_tokener_parse(text);
	int r = !json_object_is_type(c->root, json_type_object)
			? case_fail(why, size, "not a JSON object")
			: case_check_keys(c->root, why, size);
	if (r == 0)
		r = case_fields(c, why, size);
	if (r == 0)
		r = case_profile(c, why, size);
	if (r < 0)
		case_clear(c);
	return r;
}

static int is_case_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

/* ---- moby's conversion: what Docker hands the runtime (profiles/seccomp/seccomp_linux.go) */

static bool strings_contain(struct json_object *array, const char *s)
{
	if (!json_object_is_type(array, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(array); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(array, i)), s) == 0)
			return true;
	return false;
}

static bool strings_any_in(struct json_object *names, struct json_object *set)
{
	for (size_t i = 0;
	     json_object_is_type(names, json_type_array) && i < json_object_array_length(names);
	     i++)
		if (strings_contain(set,
				    json_object_get_string(json_object_array_get_idx(names, i))))
			return true;
	return false;
}

static bool strings_all_in(struct json_object *names, struct json_object *set)
{
	for (size_t i = 0;
	     json_object_is_type(names, json_type_array) && i < json_object_array_length(names);
	     i++)
		if (!strings_contain(set,
				     json_object_get_string(json_object_array_get_idx(names, i))))
			return false;
	return true;
}

/* moby compares "kernel.major" only: 3.12.25-gentoo equals 3.12. */
static bool kernel_at_least(const char *min)
{
	struct utsname uts;
	int have[2] = {0}, want[2] = {0};
	uname(&uts);
	sscanf(uts.release, "%d.%d", &have[0], &have[1]);
	sscanf(min, "%d.%d", &want[0], &want[1]);
	return have[0] > want[0] || (have[0] == want[0] && have[1] >= want[1]);
}

static bool moby_rule_applies(struct json_object *rule, struct json_object *caps)
{
	struct json_object *ex = NULL, *in = NULL, *v;
	json_object_object_get_ex(rule, "excludes", &ex);
	json_object_object_get_ex(rule, "includes", &in);
	if (ex && json_object_object_get_ex(ex, "arches", &v) &&
	    strings_contain(v, NATIVE_MOBY_ARCH))
		return false;
	if (ex && json_object_object_get_ex(ex, "caps", &v) && strings_any_in(v, caps))
		return false;
	if (ex && json_object_object_get_ex(ex, "minKernel", &v) && v &&
	    kernel_at_least(json_object_get_string(v)))
		return false;
	if (in && json_object_object_get_ex(in, "arches", &v) &&
	    json_object_is_type(v, json_type_array) && json_object_array_length(v) > 0 &&
	    !strings_contain(v, NATIVE_MOBY_ARCH))
		return false;
	if (in && json_object_object_get_ex(in, "caps", &v) && !strings_all_in(v, caps))
		return false;
	return !(in && json_object_object_get_ex(in, "minKernel", &v) && v &&
		 !kernel_at_least(json_object_get_string(v)));
}

/* The OCI rule: names (the legacy "name" becomes one), action, args, errnoRet. */
static struct json_object *moby_rule(struct json_object *rule)
{
	struct json_object *out = json_object_new_object(), *v;
	if (json_object_object_get_ex(rule, "name", &v) && v) {
		struct json_object *names = json_object_new_array();
		json_object_array_add(names, json_object_get(v));
		json_object_object_add(out, "names", names);
	} else if (json_object_object_get_ex(rule, "names", &v)) {
		json_object_object_add(out, "names", json_object_get(v));
	}
	static const char *const copied[] = {"action", "args", "errnoRet"};
	for (size_t i = 0; i < ARRAY_SIZE(copied); i++)
		if (json_object_object_get_ex(rule, copied[i], &v) && v)
			json_object_object_add(out, copied[i], json_object_get(v));
	return out;
}

/* archMap: the native entry and its sub-architectures become "architectures". */
static void moby_arches(struct json_object *oci, struct json_object *arch_map)
{
	for (size_t i = 0; json_object_is_type(arch_map, json_type_array) &&
			   i < json_object_array_length(arch_map);
	     i++) {
		struct json_object *entry = json_object_array_get_idx(arch_map, i), *arch, *subs;
		if (!json_object_object_get_ex(entry, "architecture", &arch) ||
		    strcmp(json_object_get_string(arch), NATIVE_SCMP_ARCH) != 0)
			continue;
		struct json_object *arches = json_object_new_array();
		json_object_array_add(arches, json_object_get(arch));
		if (json_object_object_get_ex(entry, "subArchitectures", &subs))
			for (size_t j = 0; json_object_is_type(subs, json_type_array) &&
					   j < json_object_array_length(subs);
			     j++)
				json_object_array_add(
					arches,
					json_object_get(json_object_array_get_idx(subs, j)));
		json_object_object_add(oci, "architectures", arches);
		return;
	}
}

static struct json_object *moby_to_oci(struct json_object *profile, struct json_object *caps)
{
	static const char *const common[] = {"defaultAction", "defaultErrnoRet",
					     "architectures", "flags",
					     "listenerPath",  "listenerMetadata"};
	struct json_object *oci = json_object_new_object(), *v, *rules = json_object_new_array();
	for (size_t i = 0; i < ARRAY_SIZE(common); i++)
		if (json_object_object_get_ex(profile, common[i], &v))
			json_object_object_add(oci, common[i], json_object_get(v));
	if (json_object_object_get_ex(profile, "archMap", &v))
		moby_arches(oci, v);
	if (json_object_object_get_ex(profile, "syscalls", &v))
		for (size_t i = 0;
		     json_object_is_type(v, json_type_array) && i < json_object_array_length(v);
		     i++) {
			struct json_object *rule = json_object_array_get_idx(v, i);
			if (moby_rule_applies(rule, caps))
				json_object_array_add(rules, moby_rule(rule));
		}
	json_object_object_add(oci, "syscalls", rules);
	return oci;
}

/* ---- running a program and observing it -------------------------------------------------- */

struct outcome {
	char status[32]; /* "exit N", "signal N", "refused", "timeout", or a harness failure */
	char *out;	 /* the program's stdout */
	char *err;	 /* stderr of the runtime and program, for messages */
};

static void outcome_clear(struct outcome *o)
{
	free(o->out);
	free(o->err);
	*o = (struct outcome){0};
}

/* Lines joined by one space: "mkdir=0 getpid=1". */
static char *join_lines(const char *text)
{
	char *joined = strdup(text ? text : "");
	cr_assert(joined);
	size_t n = strlen(joined);
	while (n && joined[n - 1] == '\n')
		joined[--n] = '\0';
	for (char *p = joined; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return joined;
}

/* What is compared: "signal 31 | mkdir=0 getpid=1". */
static char *outcome_text(const char *status, const char *lines)
{
	char *text = NULL;
	cr_assert(asprintf(&text, "%s | %s", status, lines) >= 0);
	return text;
}

static char *expected_text(struct json_object *outcome)
{
	struct json_object *status, *lines;
	_cleanup_free_ char *joined = NULL;
	size_t size = 0;
	json_object_object_get_ex(outcome, "status", &status);
	json_object_object_get_ex(outcome, "stdout", &lines);
	FILE *f = open_memstream(&joined, &size);
	cr_assert(f, "open_memstream: %m");
	for (size_t i = 0; i < json_object_array_length(lines); i++)
		fprintf(f, "%s%s", i ? " " : "",
			json_object_get_string(json_object_array_get_idx(lines, i)));
	fclose(f);
	return outcome_text(json_object_get_string(status), joined);
}

static char *observed_text(const struct outcome *o)
{
	_cleanup_free_ char *joined = join_lines(o->out);
	return outcome_text(o->status, joined);
}

struct child_io {
	int out, err; /* files the child's stdout and stderr go to */
	const char *cwd;
};

static int open_output(const char *dir, const char *name)
{
	char path[PATH_MAX];
	format_into(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	cr_assert(fd >= 0, "open %s: %m", path);
	return fd;
}

static char *read_output(const char *dir, const char *name)
{
	char path[PATH_MAX];
	char *text = NULL;
	format_into(path, sizeof(path), "%s/%s", dir, name);
	int r = read_file_bounded(path, MAX_OUTPUT_BYTES, &text, NULL);
	cr_assert(r >= 0, "reading %s: %s", path, strerror(-r));
	return text;
}

/* In the child, between fork and exec: stdio to the files, no core files, nothing else (no
 * criterion call: even a passing assertion talks to the runner).
 * A minimal environment, as crun gives the container. */
static _Noreturn void child_exec(const struct child_io *io, char *const argv[])
{
	static char *const env[] = {"PATH=/usr/bin:/bin", NULL};
	struct rlimit no_core = {0, 0};
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(io->out, 1) < 0 || dup2(io->err, 2) < 0 ||
	    (io->cwd && chdir(io->cwd) < 0) || setrlimit(RLIMIT_CORE, &no_core) < 0)
		_exit(EXIT_CHILD_SETUP);
	execve(argv[0], argv, env);
	_exit(EXIT_CHILD_SETUP);
}

/* Wait at most RUN_TIMEOUT_MS: a hung program fails its case, not the whole suite. */
static int wait_bounded(pid_t pid, int *ret_status)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	bool late = pidfd >= 0 && poll(&p, 1, RUN_TIMEOUT_MS) == 0;
	if (late)
		kill(pid, SIGKILL);
	while (waitpid(pid, ret_status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return late ? -ETIMEDOUT : 0;
}

static void status_text(struct outcome *o, int r, int status, bool from_crun)
{
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (r == -ETIMEDOUT)
		format_into(o->status, sizeof(o->status), "timeout");
	else if (r < 0)
		format_into(o->status, sizeof(o->status), "waitpid: %s", strerror(-r));
	else if (WIFSIGNALED(status))
		format_into(o->status, sizeof(o->status), "signal %d", WTERMSIG(status));
	else if (code == EXIT_CHILD_SETUP)
		format_into(o->status, sizeof(o->status), "harness: child setup failed");
	else if (!from_crun && code == EXIT_APPLY_REFUSED)
		format_into(o->status, sizeof(o->status), "refused");
	/* crun reports a container killed by signal N as 128+N, and its own failures (a
	 * profile it refuses) as 1 with a message; the programs never exit 1. */
	else if (from_crun && code > 128 && code <= 128 + SIGRTMAX)
		format_into(o->status, sizeof(o->status), "signal %d", code - 128);
	else if (from_crun && code == 1 && o->err && *o->err)
		format_into(o->status, sizeof(o->status), "refused");
	else
		format_into(o->status, sizeof(o->status), "exit %d", code);
}

/* ---- the two sides ---------------------------------------------------------------------- */

struct scratch {
	char dir[64]; /* everything of one case: profile, outputs, bundle, crun state */
	char program[PATH_MAX];
};

/* Append the NULL-terminated list of strings. */
static void strv_push_all(struct strv *v, ...)
{
	va_list ap;
	va_start(ap, v);
	for (const char *a = va_arg(ap, const char *); a; a = va_arg(ap, const char *))
		cr_assert(strv_push(v, strdup(a)) == 0, "out of memory");
	va_end(ap);
}

/* The program and its arguments, the same on both sides but for the program's path. */
static void push_program(struct strv *v, const struct compat_case *c, const char *program)
{
	strv_push_all(v, program, NULL);
	if (c->abi)
		strv_push_all(v, ABI_PROBE_FLAG, NULL);
	for (size_t i = 0; i < json_object_array_length(c->argv); i++)
		strv_push_all(v, json_object_get_string(json_object_array_get_idx(c->argv, i)),
			      NULL);
}

/* A NULL-terminated copy of the pointers, for execve. */
static char **argv_of(const struct strv *v)
{
	char **vec = calloc(v->n + 1, sizeof(*vec));
	cr_assert(vec);
	memcpy(vec, v->items, v->n * sizeof(*vec));
	return vec;
}

static char *caps_list(const struct compat_case *c)
{
	char *list = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&list, &size);
	cr_assert(f);
	for (size_t i = 0; c->caps && i < json_object_array_length(c->caps); i++)
		fprintf(f, "%s%s", i ? "," : "",
			json_object_get_string(json_object_array_get_idx(c->caps, i)));
	fclose(f);
	return list;
}

static void run_apply(const struct compat_case *c, const struct scratch *s, struct outcome *o)
{
	char profile[PATH_MAX], cwd[PATH_MAX];
	_cleanup_free_ char *caps = caps_list(c);
	_cleanup_(strv_clear) struct strv argv = {0};

	format_into(profile, sizeof(profile), "%s/profile.json", s->dir);
	if (c->profile_file[0])
		format_into(profile, sizeof(profile), "%s", c->profile_file);
	else
		cr_assert(json_object_to_file(profile, c->profile) == 0, "writing %s", profile);
	format_into(cwd, sizeof(cwd), "%s/apply-cwd", s->dir);
	cr_assert(mkdir(cwd, 0755) == 0, "mkdir %s: %m", cwd);

	strv_push_all(&argv, env_required("SIGSYS_APPLY"), "--profile", profile, "--no-cache",
		      "--caps", caps, "--mode", "enforce", "--", NULL);
	push_program(&argv, c, s->program);
	_cleanup_free_ char **vec = argv_of(&argv);

	_cleanup_close_ int out = open_output(s->dir, "apply.out");
	_cleanup_close_ int err = open_output(s->dir, "apply.err");
	struct child_io io = {.out = out, .err = err, .cwd = cwd};
	/* A raw clone into a new pid namespace: the program is pid 1, as in the container. */
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid == 0)
		child_exec(&io, vec);
	cr_assert(pid > 0, "clone(CLONE_NEWPID): %m");
	int status = 0, r = wait_bounded(pid, &status);
	o->out = read_output(s->dir, "apply.out");
	o->err = read_output(s->dir, "apply.err");
	status_text(o, r, status, false);
}

static void add_mount(struct json_object *mounts, const char *dest, const char *type,
		      const char *source, const char *options)
{
	struct json_object *m = json_object_new_object(), *opts = json_object_new_array();
	json_object_object_add(m, "destination", json_object_new_string(dest));
	json_object_object_add(m, "type", json_object_new_string(type));
	json_object_object_add(m, "source", json_object_new_string(source));
	_cleanup_free_ char *copy = strdup(options);
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		json_object_array_add(opts, json_object_new_string(t));
	json_object_object_add(m, "options", opts);
	json_object_array_add(mounts, m);
}

/* Host /usr and /etc read-only; /lib, /lib64, /bin as on the host (symlinks into /usr on a
 * merged-/usr system, bind mounts otherwise). */
static void share_host_dirs(struct json_object *mounts, const char *rootfs)
{
	static const char *const dirs[] = {"/usr", "/etc", "/lib", "/lib64", "/bin"};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		struct stat st;
		char target[PATH_MAX], link[PATH_MAX];
		if (lstat(dirs[i], &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			add_mount(mounts, dirs[i], "bind", dirs[i], "rbind,ro,nosuid");
			continue;
		}
		ssize_t n = readlink(dirs[i], target, sizeof(target) - 1);
		cr_assert(n > 0, "readlink %s: %m", dirs[i]);
		target[n] = '\0';
		format_into(link, sizeof(link), "%s%s", rootfs, dirs[i]);
		cr_assert(symlink(target, link) == 0, "symlink %s: %m", link);
	}
}

static struct json_object *string_array(struct strv *v)
{
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; i < v->n; i++)
		json_object_array_add(a, json_object_new_string(v->items[i]));
	return a;
}

static const char config_template[] =
	"{\"ociVersion\": \"1.0.2\","
	" \"process\": {\"terminal\": false, \"user\": {\"uid\": 0, \"gid\": 0},"
	"   \"cwd\": \"" CONTAINER_CWD "\", \"env\": [\"PATH=/usr/bin:/bin\"],"
	"   \"noNewPrivileges\": true},"
	" \"root\": {\"path\": \"rootfs\", \"readonly\": false},"
	" \"hostname\": \"sigsys-compat\","
	" \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"},"
	"   {\"type\": \"ipc\"}, {\"type\": \"uts\"}]}}";

static void write_bundle(const struct compat_case *c, const struct scratch *s, const char *bundle)
{
	char rootfs[PATH_MAX], path[PATH_MAX];
	_cleanup_json_ struct json_object *config = json_tokener_parse(config_template);
	struct json_object *process, *linux_, *mounts = json_object_new_array();
	struct json_object *caps = c->caps ? c->caps : json_object_new_array();
	struct strv args = {0};

	cr_assert(config, "config template is not JSON");
	format_into(rootfs, sizeof(rootfs), "%s/rootfs", bundle);
	format_into(path, sizeof(path), "%s" CONTAINER_CWD, rootfs);
	cr_assert(mkdir(bundle, 0755) == 0 && mkdir(rootfs, 0755) == 0 && mkdir(path, 0755) == 0,
		  "creating the bundle in %s: %m", bundle);

	json_object_object_get_ex(config, "process", &process);
	json_object_object_get_ex(config, "linux", &linux_);
	push_program(&args, c, CONTAINER_PROGRAM);
	json_object_object_add(process, "args", string_array(&args));
	strv_clear(&args);
	struct json_object *capabilities = json_object_new_object();
	static const char *const sets[] = {"bounding", "effective", "permitted"};
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
		json_object_object_add(capabilities, sets[i], json_object_get(caps));
	json_object_object_add(process, "capabilities", capabilities);
	if (!c->caps)
		json_object_put(caps);

	add_mount(mounts, "/proc", "proc", "proc", "nosuid,noexec,nodev");
	add_mount(mounts, "/dev", "tmpfs", "tmpfs", "nosuid,strictatime,mode=755,size=65536k");
	share_host_dirs(mounts, rootfs);
	add_mount(mounts, CONTAINER_PROGRAM, "bind", s->program, "bind,ro");
	json_object_object_add(config, "mounts", mounts);
	json_object_object_add(linux_, "seccomp", moby_to_oci(c->profile, c->caps));

	format_into(path, sizeof(path), "%s/config.json", bundle);
	cr_assert(json_object_to_file_ext(path, config, JSON_C_TO_STRING_PRETTY) == 0, "writing %s",
		  path);
}

/* crun refuses the hybrid cgroup layout: give it a mount namespace without cgroup2. */
static int leave_hybrid_cgroups(void)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	if (umount2("/sys/fs/cgroup/unified", MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return -errno;
	return 0;
}

static int crun_spawn(char *const argv[], const struct child_io *io)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (leave_hybrid_cgroups() < 0)
			_exit(EXIT_CHILD_SETUP);
		child_exec(io, argv);
	}
	cr_assert(pid > 0, "fork: %m");
	int status = 0, r = wait_bounded(pid, &status);
	return r < 0 ? r : status;
}

static void find_crun(char out[PATH_MAX])
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *dirs = strdup(path && *path ? path : "/usr/bin:/bin");
	char *save = NULL;
	out[0] = '\0';
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		format_into(out, PATH_MAX, "%s/crun", d);
		if (access(out, X_OK) == 0)
			return;
	}
	out[0] = '\0';
}

static void run_crun(const struct compat_case *c, const struct scratch *s, const char *crun,
		     struct outcome *o)
{
	char bundle[PATH_MAX], state[PATH_MAX], id[64];
	format_into(bundle, sizeof(bundle), "%s/bundle", s->dir);
	format_into(state, sizeof(state), "%s/crun-state", s->dir);
	format_into(id, sizeof(id), "sigsys-compat-%d", (int)getpid());
	cr_assert(mkdir(state, 0700) == 0, "mkdir %s: %m", state);
	write_bundle(c, s, bundle);

	_cleanup_(strv_clear) struct strv run = {0}, delete = {0};
	strv_push_all(&run, crun, "--root", state, "--cgroup-manager=disabled", "run", "--bundle",
		      bundle, id, NULL);
	strv_push_all(&delete, crun, "--root", state, "--cgroup-manager=disabled", "delete", "-f",
		      id, NULL);
	_cleanup_free_ char **run_argv = argv_of(&run), **delete_argv = argv_of(&delete);
	_cleanup_close_ int out = open_output(s->dir, "crun.out");
	_cleanup_close_ int err = open_output(s->dir, "crun.err");
	struct child_io io = {.out = out, .err = err, .cwd = bundle};
	int status = crun_spawn(run_argv, &io);

	/* Always: a container left behind (a timeout) is killed and its state removed. */
	_cleanup_close_ int discard = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct child_io quiet = {.out = discard, .err = discard, .cwd = "/"};
	crun_spawn(delete_argv, &quiet);

	o->out = read_output(s->dir, "crun.out");
	o->err = read_output(s->dir, "crun.err");
	status_text(o, status < 0 ? status : 0, status < 0 ? 0 : status, true);
}

/* Bundles hold mount points: never cross into another file system while removing. */
static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

/* ---- the tests --------------------------------------------------------------------------- */

Test(compat, cases_are_well_formed)
{
	char dir[PATH_MAX], why[512];
	struct dirent **entries = NULL;
	cases_dir(dir);
	int n = scandir(dir, &entries, is_case_file, alphasort);
	cr_assert(n >= 0, "%s: %m", dir);
	for (int i = 0; i < n; i++) {
		struct compat_case c;
		cr_expect(case_load(dir, entries[i]->d_name, &c, why, sizeof(why)) == 0,
			  "%s/%s: %s", dir, entries[i]->d_name, why);
		case_clear(&c);
		free(entries[i]);
	}
	free(entries);
	cr_expect(n >= MIN_CASES, "%s: %d cases, expected at least %d", dir, n, MIN_CASES);
}

struct case_param {
	char file[NAME_MAX + 1];
};

static void free_params(struct criterion_test_params *params)
{
	cr_free(params->params);
}

ParameterizedTestParameters(compat, crun)
{
	char dir[PATH_MAX];
	struct dirent **entries = NULL;
	const char *root = getenv("SIGSYS_SOURCE_ROOT");
	format_into(dir, sizeof(dir), "%s/tests/compat/cases", root ? root : ".");
	int n = scandir(dir, &entries, is_case_file, alphasort);
	/* No cases: cases_are_well_formed fails and says why. */
	struct case_param *params = cr_calloc(n > 0 ? (size_t)n : 1, sizeof(*params));
	for (int i = 0; i < n; i++) {
		format_into(params[i].file, sizeof(params[i].file), "%s", entries[i]->d_name);
		free(entries[i]);
	}
	free(entries);
	return cr_make_param_array(struct case_param, params, n > 0 ? (size_t)n : 0, free_params);
}

static bool expect_outcome(const struct compat_case *c, const char *who, const char *observed,
			   struct json_object *expected, const char *err)
{
	_cleanup_free_ char *want = expected_text(expected);
	bool ok = strcmp(observed, want) == 0;
	cr_expect(ok, "%s (%s): %s: %s\n  expected: %s\n  stderr: %.400s", c->name, c->file, who,
		  observed, want, err);
	return ok;
}

/* Returns whether the case passed. */
static bool check_case(const struct compat_case *c, const struct outcome *apply,
		       const struct outcome *crun)
{
	_cleanup_free_ char *a = observed_text(apply);
	_cleanup_free_ char *r = observed_text(crun);
	bool agree = c->differs || strcmp(a, r) == 0;
	cr_log_info("%s: sigsys-apply: %s; crun: %s", c->name, a, r);
	cr_expect(agree,
		  "%s (%s): sigsys-apply and crun disagree\n  sigsys-apply: %s\n  crun:         %s"
		  "\n  sigsys-apply stderr: %.400s\n  crun stderr: %.400s",
		  c->name, c->file, a, r, apply->err, crun->err);
	bool ok = expect_outcome(c, "sigsys-apply", a, c->expect, apply->err);
	/* A deliberate difference stays proven: if crun changes, the case must be revisited. */
	ok = expect_outcome(c, c->differs ? "crun (differs on purpose)" : "crun", r,
			    c->differs ? c->crun : c->expect, crun->err) &&
	     ok;
	return agree && ok;
}

ParameterizedTest(struct case_param *param, compat, crun, .timeout = 150)
{
	char dir[PATH_MAX], why[512], crun[PATH_MAX];
	struct compat_case c;
	struct scratch s = {0};
	struct outcome apply = {0}, in_crun = {0};

	if (geteuid() != 0)
		cr_skip_test("%s: needs root (crun, pid namespaces)", param->file);
	if (SANITIZER_RUNTIME)
		cr_skip_test("%s: the sanitizer runtime makes syscalls of its own; build without "
			     "-Db_sanitize=address/thread",
			     param->file);
	find_crun(crun);
	if (!crun[0])
		cr_skip_test("%s: crun is not installed", param->file);
	cases_dir(dir);
	cr_assert(case_load(dir, param->file, &c, why, sizeof(why)) == 0, "%s: %s", param->file,
		  why);
	if (c.abi && strcmp(NATIVE_SCMP_ARCH, "SCMP_ARCH_X86_64") != 0)
		cr_skip_test("%s: the ABI probe is x86_64 only", c.name);

	format_into(s.dir, sizeof(s.dir), "/tmp/sigsys-compat-XXXXXX");
	cr_assert(mkdtemp(s.dir), "mkdtemp: %m");
	if (c.abi)
		cr_assert(realpath("/proc/self/exe", s.program), "realpath /proc/self/exe: %m");
	else
		format_into(s.program, sizeof(s.program), "%s", env_required("SIGSYS_PROBE"));

	run_apply(&c, &s, &apply);
	run_crun(&c, &s, crun, &in_crun);
	bool passed = check_case(&c, &apply, &in_crun);

	outcome_clear(&apply);
	outcome_clear(&in_crun);
	case_clear(&c);
	if (passed)
		nftw(s.dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	else
		cr_log_warn("%s: the bundle, profile and outputs are kept in %s", param->file,
			    s.dir);
}
