/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The shipped profiles against real programs, through sigsys-apply: the DC/OS default breaks
 * thread creation on glibc 2.34+ (clone3 gets EPERM, which glibc does not fall back from),
 * relaxed.json does not, and kill mode's probe list keeps the default usable. Then what
 * relaxed.json promises: the DC/OS rules untouched, accepted by Mesos, only ALLOWs added.
 */
#include "test-helpers.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <poll.h>
#include <seccomp.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>

#define OUT_MAX	       16384
#define RUN_TIMEOUT_MS 20000 /* a task whose thread was killed can hang at exit */
#define MAX_ARGS       24

extern char **environ;

struct outcome {
	int status;	   /* exit status, or 128 + signal as a shell reports it */
	char out[OUT_MAX]; /* stdout and stderr, interleaved */
};

/* Run argv with stdout and stderr into one pipe. posix_spawn, not fork(): criterion's
 * fork handlers would run in the child. */
static void run(char *const argv[], struct outcome *ret)
{
	int pipefd[2];
	posix_spawn_file_actions_t fa;
	pid_t pid;
	size_t len = 0;

	cr_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);
	cr_assert_eq(posix_spawn_file_actions_init(&fa), 0);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
	int r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	cr_assert_eq(r, 0, "spawning %s: %s", argv[0], strerror(r));

	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		char scratch[4096];
		struct pollfd p = {.fd = pipefd[0], .events = POLLIN};
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left = RUN_TIMEOUT_MS - ((now.tv_sec - start.tv_sec) * 1000 +
					      (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			close(pipefd[0]);
			cr_assert_fail("%s did not end within %d ms; output so far:\n%.*s", argv[0],
				       RUN_TIMEOUT_MS, (int)len, ret->out);
		}
		/* Keep draining past the buffer so a talkative child never blocks. */
		bool room = len < sizeof(ret->out) - 1;
		ssize_t n = room ? read(pipefd[0], ret->out + len, sizeof(ret->out) - 1 - len)
				 : read(pipefd[0], scratch, sizeof(scratch));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (room)
			len += (size_t)n;
	}
	ret->out[len] = '\0';
	close(pipefd[0]);

	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	ret->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* sigsys-apply as a Mesos task gets it: no capabilities; no cache, to test the compiler. */
static void run_applied(const char *profile, const char *mode, const char *option,
			const char *const *cmd, struct outcome *ret)
{
	const char *argv[MAX_ARGS] = {env_path("SIGSYS_APPLY"),
				      "--profile-dir",
				      env_path("SIGSYS_PROFILES"),
				      "--profile",
				      profile,
				      "--mode",
				      mode,
				      "--caps",
				      "",
				      "--no-cache",
				      "--"};
	size_t n = 11;
	if (option) {
		argv[n - 1] = option;
		argv[n++] = "--";
	}
	for (size_t i = 0; cmd[i]; i++) {
		cr_assert_lt(n, MAX_ARGS - 1);
		argv[n++] = cmd[i];
	}
	argv[n] = NULL;
	run((char *const *)argv, ret);
}

#define PY "/usr/bin/python3"

enum command {
	SH_ECHO,
	TRUE,
	LS,
	HOSTNAME,
	DATE,
	PY_PRINT,
	PY_THREAD,
	PY_SUBPROCESS,
	PIPELINE,
	SORT_BIG,
};

static const char *const commands[][8] = {
	[SH_ECHO] = {"sh", "-c", "echo hi"},
	[TRUE] = {"/bin/true"},
	[LS] = {"ls", "/"},
	[HOSTNAME] = {"cat", "/etc/hostname"},
	[DATE] = {"date", "-u", "-d", "@86400", "+%F"},
	[PY_PRINT] = {PY, "-c", "print(1)"},
	/* pthread_create: clone3 first, clone only after ENOSYS. */
	[PY_THREAD] = {PY, "-c",
		       "import threading\n"
		       "t = threading.Thread(target=print, args=('from a thread',))\n"
		       "t.start()\n"
		       "t.join()\n"},
	/* _posixsubprocess closes fds with close_range, with a fallback when it is refused. */
	[PY_SUBPROCESS] = {PY, "-c",
			   "import subprocess; print('rc', subprocess.run(['true']).returncode)"},
	[PIPELINE] = {"sh", "-c", "seq 1 1000 | grep 7 | wc -l"},
	/* GNU sort sorts 128 Ki lines and more in threads (OMP_NUM_THREADS lifts its CPU
	 * count) and alone when pthread_create fails: the result must be right either way. */
	[SORT_BIG] = {"sh", "-c",
		      "seq 1 300000 | OMP_NUM_THREADS=4 sort -rn --parallel=4 -S 64M"
		      " | sed -n '1p;$p' | tr '\\n' ' '"},
};

struct run_case {
	const char *profile;
	const char *mode;
	enum command cmd;
	int status;	    /* exit status, or 128 + signal */
	const char *output; /* a substring of stdout + stderr; "@FILE": FILE's first line */
	const char *option; /* one more sigsys-apply option, or NULL */
};

static const struct run_case cases[] = {
	{"default.json", "enforce", SH_ECHO, 0, "hi\n"},
	{"default.json", "enforce", TRUE, 0, ""},
	{"default.json", "enforce", LS, 0, "usr\n"},
	{"default.json", "enforce", HOSTNAME, 0, "@/etc/hostname"},
	{"default.json", "enforce", DATE, 0, "1970-01-02\n"},
	{"default.json", "enforce", PY_PRINT, 0, "1\n"},
	/* The DC/OS default's known break: clone3 gets EPERM, glibc falls back only on ENOSYS. */
	{"default.json", "enforce", PY_THREAD, 1, "can't start new thread"},
	{"default.json", "enforce", PY_SUBPROCESS, 0, "rc 0\n"},
	{"default.json", "enforce", PIPELINE, 0, "271\n"},
	{"default.json", "enforce", SORT_BIG, 0, "300000 1 "},

	{"relaxed.json", "enforce", SH_ECHO, 0, "hi\n"},
	{"relaxed.json", "enforce", TRUE, 0, ""},
	{"relaxed.json", "enforce", LS, 0, "usr\n"},
	{"relaxed.json", "enforce", HOSTNAME, 0, "@/etc/hostname"},
	{"relaxed.json", "enforce", DATE, 0, "1970-01-02\n"},
	{"relaxed.json", "enforce", PY_PRINT, 0, "1\n"},
	{"relaxed.json", "enforce", PY_THREAD, 0, "from a thread\n"},
	{"relaxed.json", "enforce", PY_SUBPROCESS, 0, "rc 0\n"},
	{"relaxed.json", "enforce", PIPELINE, 0, "271\n"},
	{"relaxed.json", "enforce", SORT_BIG, 0, "300000 1 "},

	/* Kill mode kills at the first denial, except for the start-up probes (rseq, clone3,
	 * close_range…), which get ENOSYS so that glibc falls back: every program runs. */
	{"default.json", "kill", SH_ECHO, 0, "hi\n"},
	{"default.json", "kill", TRUE, 0, ""},
	{"default.json", "kill", LS, 0, "usr\n"},
	{"default.json", "kill", HOSTNAME, 0, "@/etc/hostname"},
	{"default.json", "kill", DATE, 0, "1970-01-02\n"},
	{"default.json", "kill", PY_PRINT, 0, "1\n"},
	{"default.json", "kill", PY_THREAD, 0, "from a thread\n"},
	{"default.json", "kill", PY_SUBPROCESS, 0, "rc 0\n"},
	{"default.json", "kill", PIPELINE, 0, "271\n"},
	{"default.json", "kill", SORT_BIG, 0, "300000 1 "},

	/* As runc does: syscalls newer than any the profile names (clone3, close_range…) get
	 * ENOSYS, so the DC/OS default works unchanged where sigsys-apply enforces it. */
	{"default.json", "enforce", PY_THREAD, 0, "from a thread\n", "--enosys-newer"},
	{"default.json", "enforce", PY_SUBPROCESS, 0, "rc 0\n", "--enosys-newer"},
	{"default.json", "enforce", SORT_BIG, 0, "300000 1 ", "--enosys-newer"},
};

/* The command as one line, for messages. */
static void join(const char *const *cmd, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; cmd[i] && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "", cmd[i]);
}

/* The first line of a small file, for outputs that depend on the machine. */
static void first_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	cr_assert(f, "%s: %m", path);
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
}

ParameterizedTestParameters(profiles, run)
{
	static size_t indexes[ARRAY_SIZE(cases)];
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		indexes[i] = i;
	return cr_make_param_array(size_t, indexes, ARRAY_SIZE(cases));
}

ParameterizedTest(size_t *i, profiles, run, .timeout = 40)
{
	const struct run_case *c = &cases[*i];
	char want[256], line[512];
	struct outcome *o = calloc(1, sizeof(*o));
	cr_assert(o);

	format_into(want, sizeof(want), "%s", c->output);
	if (c->output[0] == '@')
		first_line(c->output + 1, want, sizeof(want));
	join(commands[c->cmd], line, sizeof(line));
	run_applied(c->profile, c->mode, c->option, commands[c->cmd], o);
	cr_expect_eq(o->status, c->status,
		     "%s, mode %s %s: `%s`: status %d, expected %d; output:\n%s", c->profile,
		     c->mode, c->option ? c->option : "", line, o->status, c->status, o->out);
	cr_expect(strstr(o->out, want), "%s, mode %s %s: `%s`: output lacks \"%s\":\n%s",
		  c->profile, c->mode, c->option ? c->option : "", line, want, o->out);
	free(o);
}

static void profile_path(const char *name, char *buf, size_t size)
{
	format_into(buf, size, "%s/%s", env_path("SIGSYS_PROFILES"), name);
}

/* relaxed.json is default.json byte for byte up to the end of its rule list: the DC/OS rules
 * keep their formatting, so a reviewer's diff of the two files shows only the added rules. */
Test(profiles, relaxed_keeps_the_dcos_rules_byte_for_byte)
{
	static const char tail[] = "\n  ]\n}\n";
	char dflt[PATH_MAX], relaxed[PATH_MAX];
	_cleanup_free_ char *a = NULL, *b = NULL;
	size_t alen, blen;

	profile_path("default.json", dflt, sizeof(dflt));
	profile_path("relaxed.json", relaxed, sizeof(relaxed));
	cr_assert_eq(read_file_bounded(dflt, 1 << 20, &a, &alen), 0, "%s", dflt);
	cr_assert_eq(read_file_bounded(relaxed, 1 << 20, &b, &blen), 0, "%s", relaxed);
	size_t keep = alen - (sizeof(tail) - 1);
	cr_assert(alen > sizeof(tail) && strcmp(a + keep, tail) == 0,
		  "%s no longer ends its rule list with \"%s\"", dflt, "\\n  ]\\n}\\n");
	cr_expect(blen > alen && memcmp(a, b, keep) == 0 && strncmp(b + keep, ",\n", 2) == 0,
		  "%s does not begin with the rules of %s, unchanged", relaxed, dflt);
}

Test(profiles, relaxed_is_accepted_by_mesos, .timeout = 30)
{
	char path[PATH_MAX];
	struct outcome *o = calloc(1, sizeof(*o));
	cr_assert(o);

	profile_path("relaxed.json", path, sizeof(path));
	/* --strict: a name this libseccomp does not know fails the whole profile on Mesos. */
	char *const argv[] = {(char *)env_path("SIGSYS_CLI"),
			      "profile",
			      "check",
			      "--strict",
			      "--target",
			      "mesos",
			      path,
			      NULL};
	run(argv, o);
	cr_expect_eq(o->status, 0, "sigsys profile check --target mesos %s: status %d:\n%s", path,
		     o->status, o->out);
	cr_expect(strstr(o->out, "accepted by Mesos") && !strstr(o->out, "mesos refuses"),
		  "Mesos would not take %s:\n%s", path, o->out);
	free(o);
}

/* Names relaxed.json adds: those of the rules after the last rule of default.json. */
static struct json_object *added_names(void)
{
	char dflt[PATH_MAX], relaxed[PATH_MAX];
	profile_path("default.json", dflt, sizeof(dflt));
	profile_path("relaxed.json", relaxed, sizeof(relaxed));
	struct json_object *a = json_object_from_file(dflt), *b = json_object_from_file(relaxed);
	struct json_object *rules_a, *rules_b, *set = json_object_new_object();
	cr_assert(a && b && set, "cannot parse %s or %s", dflt, relaxed);
	cr_assert(json_object_object_get_ex(a, "syscalls", &rules_a) &&
		  json_object_object_get_ex(b, "syscalls", &rules_b));
	size_t from = json_object_array_length(rules_a);
	cr_assert_gt(json_object_array_length(rules_b), from, "%s adds no rule", relaxed);
	for (size_t i = from; i < json_object_array_length(rules_b); i++) {
		struct json_object *names;
		cr_assert(json_object_object_get_ex(json_object_array_get_idx(rules_b, i), "names",
						    &names));
		for (size_t j = 0; j < json_object_array_length(names); j++)
			json_object_object_add(
				set, json_object_get_string(json_object_array_get_idx(names, j)),
				json_object_new_boolean(0));
	}
	json_object_put(a);
	json_object_put(b);
	return set;
}

/* Every decision that changes goes from the default's EPERM to ALLOW, only for an added name,
 * and every added name that exists on x86_64 shows up there. */
Test(profiles, relaxed_only_allows_what_the_default_denies, .timeout = 30)
{
	char dflt[PATH_MAX], relaxed[PATH_MAX];
	struct outcome *o = calloc(1, sizeof(*o));
	struct json_object *added = added_names();
	cr_assert(o);

	profile_path("default.json", dflt, sizeof(dflt));
	profile_path("relaxed.json", relaxed, sizeof(relaxed));
	char *const argv[] = {
		(char *)env_path("SIGSYS_CLI"), "profile", "diff", dflt, relaxed, NULL};
	run(argv, o);
	/* Exit 1: the decisions differ, as they must. */
	cr_expect_eq(o->status, 1, "sigsys profile diff: status %d:\n%s", o->status, o->out);

	long changed = 0, summary = -1;
	char *save = NULL;
	for (char *line = strtok_r(o->out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64], arch[16], from[32], to[32], rest[8];
		long nr, count;
		if (strncmp(line, "A: ", 3) == 0 || strncmp(line, "B: ", 3) == 0)
			continue;
		if (sscanf(line, "%ld decisions differ%7s", &count, rest) == 2) {
			summary = count;
			continue;
		}
		int n = sscanf(line, "%63s on %15s (nr %ld): %31s -> %31s%7s", name, arch, &nr,
			       from, to, rest);
		cr_expect(n == 5, "unexpected line in the diff: \"%s\"", line);
		if (n != 5)
			continue;
		changed++;
		cr_expect(strcmp(from, "ERRNO(EPERM)") == 0 && strcmp(to, "ALLOW") == 0,
			  "%s on %s: %s -> %s, expected ERRNO(EPERM) -> ALLOW", name, arch, from,
			  to);
		struct json_object *seen = NULL;
		cr_expect(json_object_object_get_ex(added, name, &seen),
			  "%s on %s changed, but relaxed.json's added rules do not name it", name,
			  arch);
		if (seen && strcmp(arch, "x86_64") == 0)
			json_object_set_boolean(seen, 1);
	}
	cr_expect(changed > 0 && summary == changed,
		  "%ld changed decisions listed, summary says %ld", changed, summary);

	json_object_object_foreach (added, key, val) {
		if (seccomp_arch_native() == SCMP_ARCH_X86_64 &&
		    seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, key) >= 0)
			cr_expect(json_object_get_boolean(val),
				  "%s is added but its x86_64 decision did not change", key);
	}
	json_object_put(added);
	free(o);
}
