/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The attribution fallbacks: the Mesos container from /proc/<pid>/cgroup (a table of file
 * contents: this machine's hybrid layout, cgroup2 only, nested containers, systemd slices,
 * garbage and hostile ids) and the Mesos/Marathon variables from /proc/<pid>/environ; then
 * both readers on files the kernel writes, for processes put in real cgroups here.
 *
 * Parses go through a malloc'd copy of the exact size: ASan catches a read past len.
 */
#include "cgroup.h"
#include "test-helpers.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define ID_A  "5f1b0c8e-4b9a-4b8b-9f2a-1c2d3e4f5a6b"
#define ID_B  "0a36b7d9-5dfc-4963-b8ac-0e7656103782"
#define ID_C  "efc4f9c0-66fc-4acd-970f-13dc74086ba2"
#define AGENT "70a5aa07-7c8a-48a2-b94d-5b4e216d6f5c-S465"
#define ID_255                                                                             \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcde"

/* This machine's /proc/self/cgroup: hybrid, v1 controllers and cgroup2 at "unified". */
#define HERE                                                       \
	"9:name=systemd:/\n"                                       \
	"8:pids:/\n"                                               \
	"7:blkio:/\n"                                              \
	"6:freezer:/\n"                                            \
	"5:devices:/\n"                                            \
	"4:memory:/process_api/c82bc733fc1534b8baa399a26a085ef4\n" \
	"3:cpuset:/\n"                                             \
	"2:cpuacct:/\n"                                            \
	"1:cpu:/\n"                                                \
	"0::/\n"

/* A Mesos agent (DC/OS) with the cgroups isolators, as a task sees it. */
#define AGENT_V1(ID)                                               \
	"12:pids:/\n"                                              \
	"11:freezer:/mesos/" ID "\n"                               \
	"10:name=systemd:/system.slice/dcos-mesos-slave.service\n" \
	"9:net_cls,net_prio:/mesos/" ID "\n"                       \
	"8:memory:/mesos/" ID "\n"                                 \
	"7:cpu,cpuacct:/mesos/" ID "\n"                            \
	"6:devices:/mesos/" ID "\n"                                \
	"5:blkio:/mesos/" ID "\n"                                  \
	"4:perf_event:/\n"                                         \
	"3:hugetlb:/\n"                                            \
	"2:cpuset:/\n"                                             \
	"1:rdma:/\n"                                               \
	"0::/system.slice/dcos-mesos-slave.service\n"

struct cgroup_case {
	const char *name;
	const char *text;
	const char *root; /* NULL: "mesos" */
	int ret;
	uint32_t depth;
	const char *ids[MESOS_NESTING_MAX];
	uint32_t flags;
};

#define V1  MESOS_CONTAINER_V1
#define V2  MESOS_CONTAINER_V2
#define DEL MESOS_CONTAINER_DELETED

static const struct cgroup_case cgroup_cases[] = {
	/* not in a container */
	{"this machine", HERE, NULL, -ENOENT},
	{"cgroup2 only, a systemd service", "0::/system.slice/sshd.service\n", NULL, -ENOENT},
	{"systemd slices, docker scope",
	 "1:name=systemd:/system.slice/docker-abc.scope\n0::/system.slice/docker-abc.scope\n", NULL,
	 -ENOENT},
	{"the agent itself", "7:cpu:/system.slice/dcos-mesos-slave.service\n0::/\n", NULL, -ENOENT},
	{"the root of the mesos hierarchy, no container", "7:cpu:/mesos\n0::/\n", NULL, -ENOENT},
	{"mesos/<id> below a delegated user cgroup is not Mesos's",
	 "0::/user.slice/user-1000.slice/user@1000.service/mesos/" ID_A "\n", NULL, -ENOENT},
	{"a name that only starts like the root", "7:cpu:/mesosx/" ID_A "\n", NULL, -ENOENT},

	/* containers */
	{"v1 hybrid, a Mesos task", AGENT_V1(ID_A), NULL, 0, 1, {ID_A}, V1},
	{"cgroup2 only", "0::/mesos/" ID_A "\n", NULL, 0, 1, {ID_A}, V2},
	{"cgroup2 with a leaf", "0::/mesos/" ID_A "/leaf\n", NULL, 0, 1, {ID_A}, V2},
	{"v1 and v2 agree",
	 "4:memory:/mesos/" ID_A "\n0::/mesos/" ID_A "\n",
	 NULL,
	 0,
	 1,
	 {ID_A},
	 V1 | V2},
	{"nested",
	 "7:cpu,cpuacct:/mesos/" ID_A "/mesos/" ID_B "\n0::/\n",
	 NULL,
	 0,
	 2,
	 {ID_A, ID_B},
	 V1},
	{"nested, sharing the parent's cgroup for one controller",
	 "8:memory:/mesos/" ID_A "\n7:cpu:/mesos/" ID_A "/mesos/" ID_B "\n",
	 NULL,
	 0,
	 2,
	 {ID_A, ID_B},
	 V1},
	{"nested, the longer chain first",
	 "7:cpu:/mesos/" ID_A "/mesos/" ID_B "\n8:memory:/mesos/" ID_A "\n",
	 NULL,
	 0,
	 2,
	 {ID_A, ID_B},
	 V1},
	{"nested three deep",
	 "0::/mesos/" ID_A "/mesos/" ID_B "/mesos/" ID_C "\n",
	 NULL,
	 0,
	 3,
	 {ID_A, ID_B, ID_C},
	 V2},
	{"nested eight deep: the limit",
	 "0::/mesos/a/mesos/b/mesos/c/mesos/d/mesos/e/mesos/f/mesos/g/mesos/h\n",
	 NULL,
	 0,
	 8,
	 {"a", "b", "c", "d", "e", "f", "g", "h"},
	 V2},
	{"the task's own sub-cgroups after the chain",
	 "0::/mesos/" ID_A "/app/worker\n",
	 NULL,
	 0,
	 1,
	 {ID_A},
	 V2},
	{"a 'mesos' sub-cgroup without a child id",
	 "0::/mesos/" ID_A "/mesos\n",
	 NULL,
	 0,
	 1,
	 {ID_A},
	 V2},
	{"mesos/<x> deeper in the task's own cgroups is not a nesting",
	 "0::/mesos/" ID_A "/app/mesos/" ID_B "\n",
	 NULL,
	 0,
	 1,
	 {ID_A},
	 V2},
	{"an id that is 'mesos'", "0::/mesos/mesos/mesos/x\n", NULL, 0, 2, {"mesos", "x"}, V2},
	{"an id of 255 bytes", "0::/mesos/" ID_255 "\n", NULL, 0, 1, {ID_255}, V2},
	{"cgroup2 marks a removed cgroup",
	 "4:memory:/\n0::/mesos/" ID_A " (deleted)\n",
	 NULL,
	 0,
	 1,
	 {ID_A},
	 V2 | DEL},
	{"another cgroups_root", "4:memory:/dcos/agent/" ID_A "\n", "dcos/agent", 0, 1, {ID_A}, V1},
	{"another cgroups_root, default asked", "4:memory:/dcos/agent/" ID_A "\n", NULL, -ENOENT},
	{"hierarchy ids need not be in order",
	 "0::/\n3:cpu:/mesos/" ID_A "\n1:pids:/\n",
	 NULL,
	 0,
	 1,
	 {ID_A},
	 V1},

	/* disagreement */
	{"two containers", "8:memory:/mesos/" ID_A "\n7:cpu:/mesos/" ID_B "\n", NULL, -ENOTUNIQ},
	{"two nested siblings",
	 "8:memory:/mesos/" ID_A "/mesos/" ID_B "\n7:cpu:/mesos/" ID_A "/mesos/" ID_C "\n", NULL,
	 -ENOTUNIQ},
	{"v1 and v2 disagree", "8:memory:/mesos/" ID_A "\n0::/mesos/" ID_B "\n", NULL, -ENOTUNIQ},

	/* hostile or broken ids */
	{"an id of 256 bytes", "0::/mesos/" ID_255 "f\n", NULL, -EINVAL},
	{"'..' as the id", "0::/mesos/../etc\n", NULL, -EINVAL},
	{"'../' inside the path", "0::/mesos/" ID_A "/../" ID_B "\n", NULL, -EINVAL},
	{"'.' in the path", "0::/mesos/./" ID_A "\n", NULL, -EINVAL},
	{"a hidden id", "0::/mesos/.x\n", NULL, -EINVAL},
	{"an id with a space", "0::/mesos/a b\n", NULL, -EINVAL},
	{"an id with a quote", "0::/mesos/a\"b\n", NULL, -EINVAL},
	{"an id with '@'", "0::/mesos/a@b\n", NULL, -EINVAL},
	{"an id of UTF-8", "0::/mesos/caf\xc3\xa9\n", NULL, -EINVAL},
	{"a nested id with a '%'", "0::/mesos/" ID_A "/mesos/a%b\n", NULL, -EINVAL},
	{"' (deleted)' on a v1 line is not cgroup2's mark", "4:memory:/mesos/" ID_A " (deleted)\n",
	 NULL, -EINVAL},
	{"nested nine deep",
	 "0::/mesos/a/mesos/b/mesos/c/mesos/d/mesos/e/mesos/f/mesos/g/mesos/h/mesos/i\n", NULL,
	 -E2BIG},

	/* garbage */
	{"empty", "", NULL, -EINVAL},
	{"no final newline", "0::/mesos/" ID_A, NULL, -EINVAL},
	{"not a cgroup line", "hello\n", NULL, -EINVAL},
	{"an empty line", "0::/\n\n", NULL, -EINVAL},
	{"a hierarchy that is not a number", "x:cpu:/\n", NULL, -EINVAL},
	{"a hierarchy with a leading zero", "01:cpu:/\n", NULL, -EINVAL},
	{"a hierarchy past the bound", "1024:cpu:/\n", NULL, -EINVAL},
	{"no path", "1:cpu\n", NULL, -EINVAL},
	{"a relative path", "1:cpu:mesos/" ID_A "\n", NULL, -EINVAL},
	{"an empty path", "1:cpu:\n", NULL, -EINVAL},
	{"v1 without controllers", "1::/\n", NULL, -EINVAL},
	{"v2 with controllers", "0:cpu:/\n", NULL, -EINVAL},
	{"a controller with a space", "1:cpu acct:/\n", NULL, -EINVAL},
	{"one hierarchy twice (a forged line)",
	 "4:memory:/mesos/" ID_A "\n4:memory:/mesos/" ID_B "\n", NULL, -EINVAL},
	{"an empty component", "0::/mesos//" ID_A "\n", NULL, -EINVAL},
	{"a trailing slash", "0::/mesos/" ID_A "/\n", NULL, -EINVAL},
	{"a carriage return", "0::/mesos/" ID_A "\r\n", NULL, -EINVAL},
	{"a tab in the path", "0::/system.slice/a\tb\n", NULL, -EINVAL},
	{"a NUL in the path", "0::/mesos/a\0b\n", NULL, -EINVAL},

	/* bad roots */
	{"an absolute root", "0::/mesos/" ID_A "\n", "/mesos", -EINVAL},
	{"an empty root", "0::/mesos/" ID_A "\n", "", -EINVAL},
	{"a root with '..'", "0::/mesos/" ID_A "\n", "a/../mesos", -EINVAL},
	{"a root with a trailing slash", "0::/mesos/" ID_A "\n", "mesos/", -EINVAL},
};

/* sizeof - 1 of a literal: the NUL-in-path case holds a NUL. */
static size_t case_len(const struct cgroup_case *c)
{
	if (strcmp(c->name, "a NUL in the path") == 0)
		return sizeof("0::/mesos/a\0b\n") - 1;
	return strlen(c->text);
}

static int parse_exact(const char *text, size_t len, const char *root, struct mesos_container *ret)
{
	char *copy = malloc(len ? len : 1);
	cr_assert(copy);
	memcpy(copy, text, len);
	int r = cgroup_mesos_container(copy, len, root, ret);
	free(copy);
	return r;
}

static void expect_container(const struct mesos_container *got, const struct cgroup_case *c)
{
	cr_expect_eq(got->depth, c->depth, "%s: depth %u", c->name, got->depth);
	cr_expect_eq(got->flags, c->flags, "%s: flags %#x", c->name, got->flags);
	for (uint32_t i = 0; i < c->depth && i < got->depth; i++)
		cr_expect_str_eq(got->ids[i], c->ids[i], "%s: ids[%u]", c->name, i);
	if (c->depth)
		cr_expect_str_eq(mesos_container_id(got), c->ids[c->depth - 1], "%s: innermost",
				 c->name);
}

Test(cgroup, table)
{
	for (size_t i = 0; i < ARRAY_SIZE(cgroup_cases); i++) {
		const struct cgroup_case *c = &cgroup_cases[i];
		struct mesos_container got;

		memset(&got, 0x5a, sizeof(got));
		int r = parse_exact(c->text, case_len(c), c->root, &got);
		cr_expect_eq(r, c->ret, "%s: %d (%s)", c->name, r, strerror(-r));
		if (r == 0 && c->ret == 0)
			expect_container(&got, c);
		if (c->ret != 0)
			cr_expect_eq(got.depth, 0x5a5a5a5au, "%s: untouched on failure", c->name);
	}
}

/* A cut read is refused: every prefix that does not end a line. */
Test(cgroup, truncations)
{
	const char *text = AGENT_V1(ID_A);
	size_t len = strlen(text);

	for (size_t n = 0; n < len; n++) {
		struct mesos_container got;
		int r = parse_exact(text, n, NULL, &got);

		if (n > 0 && text[n - 1] == '\n')
			cr_expect(r == 0 || r == -ENOENT, "cut at a line end, %zu: %d", n, r);
		else
			cr_expect_eq(r, -EINVAL, "cut at %zu: %d", n, r);
	}
}

Test(cgroup, bounds)
{
	struct mesos_container got;
	size_t lines = CGROUP_LINES_MAX + 1, len = 0;
	char *text = malloc(CGROUP_TEXT_MAX + 2);

	cr_assert(text);
	for (size_t i = 0; i < lines; i++)
		len += (size_t)sprintf(text + len, "%zu:name=h%zu:/\n", i + 1, i);
	cr_expect_eq(parse_exact(text, len, NULL, &got), -EINVAL, "%zu lines", lines);

	/* Within the line bound, past the size bound: one long path. */
	len = (size_t)sprintf(text, "0::/");
	memset(text + len, 'a', CGROUP_TEXT_MAX + 1 - len - 1);
	text[CGROUP_TEXT_MAX] = '\n';
	cr_expect_eq(parse_exact(text, CGROUP_TEXT_MAX + 1, NULL, &got), -EINVAL, "over the size");
	free(text);
}

Test(cgroup, id_validity)
{
	cr_expect(mesos_id_valid(ID_A, strlen(ID_A)));
	cr_expect(mesos_id_valid("a.b_c-D9", 8));
	cr_expect(mesos_id_valid(ID_255, 255));
	cr_expect_not(mesos_id_valid(ID_255 "x", 256));
	cr_expect_not(mesos_id_valid("", 0));
	cr_expect_not(mesos_id_valid(NULL, 3));
	cr_expect_not(mesos_id_valid(".", 1));
	cr_expect_not(mesos_id_valid("..", 2));
	cr_expect_not(mesos_id_valid("a/b", 3));
	cr_expect_not(mesos_id_valid("a\\b", 3));
	cr_expect_not(mesos_id_valid("a\nb", 3));
	cr_expect_not(mesos_id_valid("ab\0", 3), "the length counts: a NUL is refused");
}

/* ---- environ -------------------------------------------------------------------------- */

static int env_exact(const char *text, size_t len, struct mesos_env *ret)
{
	char *copy = malloc(len ? len : 1);
	cr_assert(copy);
	memcpy(copy, text, len);
	int r = mesos_env_parse(copy, len, ret);
	free(copy);
	return r;
}

#define ENV(lit) lit, sizeof(lit) - 1

Test(environ, a_marathon_task_under_the_mesos_containerizer)
{
	struct mesos_env env;
	int r = env_exact(ENV("PATH=/usr/bin:/bin\0"
			      "MESOS_TASK_ID=web.instance-" ID_A "._app.1\0"
			      "MARATHON_APP_ID=/prod/web\0"
			      "MARATHON_APP_VERSION=2024-05-01T10:00:00.123Z\0"
			      "MESOS_EXECUTOR_ID=web.instance-" ID_A "._app.1\0"
			      "MESOS_FRAMEWORK_ID=" AGENT "-0001\0"
			      "MESOS_SANDBOX=/mnt/mesos/sandbox\0"
			      "HOME=/root\0"),
			  &env);

	cr_expect_eq(r, 5);
	cr_expect_eq(env.found, MESOS_ENV_TASK_ID | MESOS_ENV_EXECUTOR_ID | MESOS_ENV_FRAMEWORK_ID |
					MESOS_ENV_MARATHON_APP_ID | MESOS_ENV_MARATHON_APP_VERSION);
	cr_expect_str_eq(env.task_id, "web.instance-" ID_A "._app.1");
	cr_expect_str_eq(env.executor_id, "web.instance-" ID_A "._app.1");
	cr_expect_str_eq(env.framework_id, AGENT "-0001");
	cr_expect_str_eq(env.marathon_app_id, "/prod/web");
	cr_expect_str_eq(env.marathon_app_version, "2024-05-01T10:00:00.123Z");
	cr_expect_eq(env.invalid | env.conflicting | env.flags, 0);
	cr_expect_str_eq(env.container_id, "");
}

struct container_name_case {
	const char *name;
	const char *container_id; /* NULL: none derived */
	bool invalid;
};

static const struct container_name_case container_names[] = {
	{"mesos-" AGENT "." ID_C, ID_C, false},		    /* Mesos 0.23 and later */
	{"mesos-" AGENT "." ID_C ".executor", ID_C, false}, /* --docker_mesos_image */
	{"mesos-" ID_C, ID_C, false},			    /* before 0.23 */
	{"mesos-" AGENT "." ID_C ".other", NULL, true},
	{"mesos-" AGENT ".", NULL, true},
	{"mesos-" AGENT "..x", NULL, true},
	{"mesos-", NULL, true},
	{"mesos-" AGENT ".a%b", NULL, true},
	{"docker-" ID_C, NULL, false}, /* not Mesos's naming: nothing derived, nothing wrong */
};

Test(environ, the_container_id_from_the_docker_containerizer_name)
{
	for (size_t i = 0; i < ARRAY_SIZE(container_names); i++) {
		const struct container_name_case *c = &container_names[i];
		char text[512];
		struct mesos_env env;
		int len = snprintf(text, sizeof(text), "MESOS_CONTAINER_NAME=%s", c->name);

		env_exact(text, (size_t)len + 1, &env);
		cr_expect(env.found & MESOS_ENV_CONTAINER_NAME, "%s", c->name);
		cr_expect_str_eq(env.container_name, c->name);
		cr_expect_eq(!!(env.found & MESOS_ENV_CONTAINER_ID), c->container_id != NULL, "%s",
			     c->name);
		cr_expect_eq(!!(env.invalid & MESOS_ENV_CONTAINER_ID), c->invalid, "%s", c->name);
		if (c->container_id)
			cr_expect_str_eq(env.container_id, c->container_id, "%s", c->name);
	}
}

Test(environ, the_first_definition_wins_and_a_different_one_is_flagged)
{
	struct mesos_env env;

	env_exact(ENV("MESOS_TASK_ID=a\0MESOS_TASK_ID=b\0MARATHON_APP_ID=/x\0MARATHON_APP_ID=/x\0"),
		  &env);
	cr_expect_str_eq(env.task_id, "a", "getenv() would return the first");
	cr_expect_eq(env.conflicting, MESOS_ENV_TASK_ID, "the same value twice is no conflict");

	env_exact(ENV("MESOS_TASK_ID=\0MESOS_TASK_ID=b\0"), &env);
	cr_expect_eq(env.found, 0, "an empty first definition is what getenv() returns");
	cr_expect_eq(env.invalid, MESOS_ENV_TASK_ID);
	cr_expect_eq(env.conflicting, MESOS_ENV_TASK_ID);
}

Test(environ, refused_values)
{
	struct mesos_env env;
	char text[600];
	int len;

	env_exact(ENV("MESOS_TASK_ID=a b\0MESOS_EXECUTOR_ID=\0MARATHON_APP_ID=/a\x01\0"
		      "MESOS_FRAMEWORK_ID=caf\xc3\xa9\0"),
		  &env);
	cr_expect_eq(env.found, 0);
	cr_expect_eq(env.invalid, MESOS_ENV_TASK_ID | MESOS_ENV_EXECUTOR_ID |
					  MESOS_ENV_MARATHON_APP_ID | MESOS_ENV_FRAMEWORK_ID);

	len = snprintf(text, sizeof(text), "MESOS_TASK_ID=%s", ID_255);
	cr_expect_eq(env_exact(text, (size_t)len + 1, &env), 1, "255 bytes fit");
	len = snprintf(text, sizeof(text), "MESOS_TASK_ID=%sx", ID_255);
	cr_expect_eq(env_exact(text, (size_t)len + 1, &env), 0, "256 do not");
	cr_expect_eq(env.invalid, MESOS_ENV_TASK_ID);
}

Test(environ, entries_that_are_not_ours)
{
	struct mesos_env env;

	cr_expect_eq(env_exact(ENV("MESOS_TASK_ID_X=1\0XMESOS_TASK_ID=2\0MESOS_TASK_ID\0"
				   "\0\0=MESOS_TASK_ID=3\0mesos_task_id=4\0"),
			       &env),
		     0);
	cr_expect_eq(env.found | env.invalid | env.conflicting | env.flags, 0);
	cr_expect_eq(env_exact("", 0, &env), 0);
	cr_expect_eq(mesos_env_parse(NULL, 0, &env), 0);
}

Test(environ, an_entry_cut_by_the_read_is_not_taken)
{
	struct mesos_env env;

	cr_expect_eq(env_exact(ENV("MARATHON_APP_ID=/a\0MESOS_TASK_ID=abc"), &env), 1);
	cr_expect_eq(env.found, MESOS_ENV_MARATHON_APP_ID);
	cr_expect_eq(env.flags, MESOS_ENV_INCOMPLETE);
}

/* ---- the readers, on what the kernel writes ------------------------------------------- */

/* A child that waits on a pipe; it exits when the pipe closes. */
static pid_t start_waiting_child(int *ret_write_end)
{
	int pipefd[2];

	cr_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);
	pid_t pid = test_fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		char c;
		close(pipefd[1]);
		_exit(read(pipefd[0], &c, 1) == 0 ? 0 : 1);
	}
	close(pipefd[0]);
	*ret_write_end = pipefd[1];
	return pid;
}

static void stop_child(pid_t pid, int write_end)
{
	int status;
	close(write_end);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_expect_eq(status, 0);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text), "%s: %s", path,
		     strerror(errno));
	close(fd);
}

static void put_in_cgroup(const char *dir, pid_t pid)
{
	char path[512], text[32];
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(text, sizeof(text), "%d", (int)pid);
	write_file(path, text);
}

static void make_dir(const char *path)
{
	cr_assert(mkdir(path, 0755) == 0, "mkdir %s: %s (run as root)", path, strerror(errno));
}

/* This process's own file parses (no container here), and a gone pid is -ESRCH. */
Test(cgroup_live, this_process)
{
	struct mesos_container got;
	char *text;
	size_t len;

	cr_assert_eq(read_file_bounded("/proc/self/cgroup", CGROUP_TEXT_MAX, &text, &len), 0);
	cr_expect_eq(cgroup_mesos_container(text, len, NULL, &got), -ENOENT, "%s", text);
	free(text);
	cr_expect_eq(cgroup_mesos_container_of(getpid(), NULL, &got), -ENOENT);
	cr_expect_eq(cgroup_mesos_container_of(4194305, NULL, &got), -ESRCH);
	cr_expect_eq(cgroup_mesos_container_of(0, NULL, &got), -EINVAL);
}

/*
 * Real cgroups, under a root of this test's own (--cgroups_root): a nested container in the
 * v1 freezer hierarchy and its parent in cgroup2, as Mesos lays them out; the kernel writes
 * /proc/<pid>/cgroup.
 */
Test(cgroup_live, a_process_in_a_nested_container, .timeout = 30)
{
	char root[64], v1_root[128], v1_parent[256], v1_mid[272], v1_child[320], v2_root[128],
		v2_parent[256];
	struct mesos_container got;
	int write_end;

	snprintf(root, sizeof(root), "sigsys-test-%d", (int)getpid());
	snprintf(v1_root, sizeof(v1_root), "/sys/fs/cgroup/freezer/%s", root);
	snprintf(v1_parent, sizeof(v1_parent), "%s/%s", v1_root, ID_A);
	snprintf(v1_mid, sizeof(v1_mid), "%s/mesos", v1_parent);
	snprintf(v1_child, sizeof(v1_child), "%s/%s", v1_mid, ID_B);
	snprintf(v2_root, sizeof(v2_root), "/sys/fs/cgroup/unified/%s", root);
	snprintf(v2_parent, sizeof(v2_parent), "%s/%s", v2_root, ID_A);
	make_dir(v1_root);
	make_dir(v1_parent);
	make_dir(v1_mid);
	make_dir(v1_child);
	make_dir(v2_root);
	make_dir(v2_parent);

	pid_t pid = start_waiting_child(&write_end);
	put_in_cgroup(v1_child, pid);
	put_in_cgroup(v2_parent, pid);

	int r = cgroup_mesos_container_of(pid, root, &got);
	cr_expect_eq(r, 0, "%s", strerror(-r));
	cr_expect_eq(got.depth, 2);
	cr_expect_str_eq(got.ids[0], ID_A);
	cr_expect_str_eq(mesos_container_id(&got), ID_B);
	cr_expect_eq(got.flags, MESOS_CONTAINER_V1 | MESOS_CONTAINER_V2);
	cr_expect_eq(cgroup_mesos_container_of(pid, NULL, &got), -ENOENT, "not under 'mesos'");

	stop_child(pid, write_end);
	const char *dirs[] = {v1_child, v1_mid, v1_parent, v1_root, v2_parent, v2_root};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		cr_expect_eq(rmdir(dirs[i]), 0, "rmdir %s: %s", dirs[i], strerror(errno));
}

/* The environment a process was exec'd with, read back from /proc/<pid>/environ. */
Test(environ_live, a_process_execd_with_a_marathon_environment, .timeout = 30)
{
	int pipefd[2];
	char c;
	struct mesos_env env;

	cr_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);
	pid_t pid = test_fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		char *argv[] = {"sleep", "30", NULL};
		char *envp[] = {"PATH=/usr/bin:/bin", "MESOS_TASK_ID=web.instance-" ID_A "._app.1",
				"MARATHON_APP_ID=/prod/web",
				"MESOS_CONTAINER_NAME=mesos-" AGENT "." ID_C, NULL};
		close(pipefd[0]);
		execve("/bin/sleep", argv, envp);
		_exit(127);
	}
	close(pipefd[1]);
	/* The close-on-exec write end closes at the exec: EOF says the environment is set. */
	cr_assert_eq(read(pipefd[0], &c, 1), 0);
	close(pipefd[0]);

	int r = mesos_env_of(pid, &env);
	cr_expect_eq(r, 4, "%d", r);
	cr_expect_str_eq(env.task_id, "web.instance-" ID_A "._app.1");
	cr_expect_str_eq(env.marathon_app_id, "/prod/web");
	cr_expect_str_eq(env.container_id, ID_C);
	cr_expect_eq(env.flags, 0);

	kill(pid, SIGKILL);
	cr_assert_eq(waitpid(pid, NULL, 0), pid);
	cr_expect_eq(mesos_env_of(4194305, &env), -ESRCH);
}
