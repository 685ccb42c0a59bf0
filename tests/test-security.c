/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Nobody let in, live: sigsysd runs as root and reads what every task sends. Its peers are
 * checked (SO_PEERCRED: root, or the register group, and then only for its own pid); its
 * files have exactly the modes DESIGN.md gives; its run dir is never taken over through a
 * symlink or a directory others may write; a profile name never leads out of the profile
 * directory, in the launcher or in the daemon's reports; and oversized or deeply nested JSON
 * is refused with a clear error while the daemon carries on.
 */
#include "sigsysd-launch.h"
#include "procfs.h"
#include "test-helpers.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <json-c/json.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define GROUP	 2     /* "bin": the API and register group of these tests */
#define NOBODY	 65534 /* a peer that is neither root nor in the group */
#define WAIT_S	 10
#define TASK_GID 65534

/* A test that fails halfway leaves no daemon running. */
TestSuite(security, .fini = sigsysd_kill_leftovers);

static const char *const with_groups[] = {"--api-group", "bin", "--register-group", "bin", NULL};

static void expect_file(const char *dir, const char *name, mode_t type, uid_t uid, gid_t gid,
			mode_t mode);

static void start_with(struct daemon_run *d, const char *const *extra)
{
	daemon_run_dirs(d, "security");
	sigsysd_spawn(d, NULL, extra);
	/* The spool is made last, once the sockets listen. */
	cr_assert(sigsysd_wait_for(d, "spool", WAIT_S), "sigsysd did not start");
	/* mkdtemp made the parent 0700: let other users reach the run dir's own checks. */
	cr_assert_eq(chmod(d->dir, 0711), 0);
}

static void stop(struct daemon_run *d)
{
	sigsysd_stop(d);
	daemon_run_remove(d);
}

/* ---- peers --------------------------------------------------------------------------------- */

enum child_result { CHILD_OK, CHILD_FORGED, CHILD_OWN_REFUSED, CHILD_SETUP, CHILD_LET_IN };

/* Become uid NOBODY with primary group TASK_GID and, if `group` is not -1, that one
 * supplementary group. In a test_fork() child: plain syscalls only. */
static bool become_nobody(int group)
{
	gid_t groups[] = {(gid_t)group};
	return setgroups(group < 0 ? 0 : 1, groups) == 0 &&
	       setresgid(TASK_GID, TASK_GID, TASK_GID) == 0 &&
	       setresuid(NOBODY, NOBODY, NOBODY) == 0;
}

static int run_child(int (*body)(const struct daemon_run *), const struct daemon_run *d)
{
	pid_t pid = test_fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(body(d));
	int status = harness_wait(pid);
	cr_assert(WIFEXITED(status), "child status %#x", status);
	return WEXITSTATUS(status);
}

/* A member of the register group (as a supplementary group): its own pid is taken, its
 * parent's — a pid that is not the sender's — is refused. */
static int forge_as_member(const struct daemon_run *d)
{
	struct sigsys_error err = {{0}};
	if (!become_nobody(GROUP))
		return CHILD_SETUP;
	struct sigsys_registration forged = {
		.pid = getppid(), .task_id = "forged", .framework = "other"};
	if (sigsys_register(d->run_dir, &forged, &err) != -EPERM ||
	    !strstr(err.message, "is not the sender's"))
		return CHILD_FORGED;
	struct sigsys_registration own = {.pid = getpid(), .task_id = "own", .framework = "other"};
	return sigsys_register(d->run_dir, &own, &err) == SIGSYS_REGISTERED ? CHILD_OK
									    : CHILD_OWN_REFUSED;
}

Test(security, a_group_member_may_register_only_its_own_pid, .timeout = 60)
{
	struct daemon_run d;
	start_with(&d, with_groups);
	int r = run_child(forge_as_member, &d);
	cr_expect_eq(r, CHILD_OK, "child result %d (1: a forged pid was taken, 2: its own refused)",
		     r);
	struct http_response resp = http_get(&d, "/v1/tasks/forged/report");
	cr_expect_eq(resp.status, 404, "the forged task was stored: %s", resp.body);
	http_response_free(&resp);
	resp = http_get(&d, "/v1/tasks/own/report");
	cr_expect_eq(resp.status, 200, "the member's own task is not stored: %s", resp.body);
	http_response_free(&resp);
	stop(&d);
}

/* --register-group alone: its members reach register.sock through the run dir (the run dir
 * takes that group), while api.sock stays root-only. */
Test(security, a_register_group_alone_reaches_the_register_socket, .timeout = 60)
{
	struct daemon_run d;
	const char *extra[] = {"--register-group", "bin", NULL};
	start_with(&d, extra);
	expect_file(d.dir, "run", S_IFDIR, 0, GROUP, 0750);
	expect_file(d.run_dir, "api.sock", S_IFSOCK, 0, 0, 0600);
	expect_file(d.run_dir, "register.sock", S_IFSOCK, 0, GROUP, 0660);
	int r = run_child(forge_as_member, &d);
	cr_expect_eq(r, CHILD_OK, "child result %d (1: a forged pid was taken, 2: its own refused)",
		     r);
	stop(&d);
}

/* Not root, not in the group: refused by the daemon itself even when the file system lets
 * it reach the socket (the run dir and socket are opened to everyone for the test). */
static int register_as_stranger(const struct daemon_run *d)
{
	struct sigsys_error err = {{0}};
	if (!become_nobody(-1))
		return CHILD_SETUP;
	struct sigsys_registration own = {
		.pid = getpid(), .task_id = "stranger", .framework = "other"};
	int r = sigsys_register(d->run_dir, &own, &err);
	return r == -EPERM && strstr(err.message, "only root or the register group") ? CHILD_OK
										     : CHILD_LET_IN;
}

Test(security, a_peer_neither_root_nor_in_the_group_is_refused, .timeout = 60)
{
	struct daemon_run d;
	char sock[160];
	start_with(&d, with_groups);
	format_into(sock, sizeof(sock), "%s/register.sock", d.run_dir);
	cr_assert_eq(chmod(d.run_dir, 0755), 0);
	cr_assert_eq(chmod(sock, 0666), 0);
	cr_expect_eq(run_child(register_as_stranger, &d), CHILD_OK);
	struct http_response resp = http_get(&d, "/v1/tasks/stranger/report");
	cr_expect_eq(resp.status, 404, "the stranger's task was stored");
	http_response_free(&resp);
	stop(&d);
}

/* Without the file system's help, a stranger does not even reach the sockets. */
static int reach_as_stranger(const struct daemon_run *d)
{
	char path[160];
	if (!become_nobody(-1))
		return CHILD_SETUP;
	format_into(path, sizeof(path), "%s/api.sock", d->run_dir);
	return access(path, F_OK) < 0 && errno == EACCES ? CHILD_OK : CHILD_LET_IN;
}

Test(security, the_run_dir_keeps_strangers_from_the_sockets, .timeout = 60)
{
	struct daemon_run d;
	start_with(&d, with_groups);
	cr_expect_eq(run_child(reach_as_stranger, &d), CHILD_OK);
	stop(&d);
}

/* ---- modes --------------------------------------------------------------------------------- */

static void expect_file(const char *dir, const char *name, mode_t type, uid_t uid, gid_t gid,
			mode_t mode)
{
	char path[256];
	struct stat st;
	format_into(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_eq(lstat(path, &st), 0, "%s: %s", path, strerror(errno));
	cr_expect_eq(st.st_mode & S_IFMT, type, "%s: type %o", name, st.st_mode & S_IFMT);
	cr_expect_eq(st.st_uid, uid, "%s: uid %u", name, st.st_uid);
	cr_expect_eq(st.st_gid, gid, "%s: gid %u", name, st.st_gid);
	cr_expect_eq(st.st_mode & 07777, mode, "%s: mode %o, not %o", name, st.st_mode & 07777,
		     mode);
}

/* Every file of the store (the database, its WAL, shared memory and reserve): root's, 0600. */
static void expect_store_private(const struct daemon_run *d)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-reserve"};
	char name[64];
	expect_file(d->dir, "sigsys.db", S_IFREG, 0, 0, 0600);
	for (size_t i = 1; i < ARRAY_SIZE(suffixes); i++) {
		char path[160];
		format_into(name, sizeof(name), "sigsys.db%s", suffixes[i]);
		format_into(path, sizeof(path), "%s/%s", d->dir, name);
		if (access(path, F_OK) == 0)
			expect_file(d->dir, name, S_IFREG, 0, 0, 0600);
	}
}

Test(security, run_dir_sockets_spool_and_store_have_their_exact_modes, .timeout = 60)
{
	struct daemon_run d;
	start_with(&d, with_groups);
	expect_file(d.dir, "run", S_IFDIR, 0, GROUP, 0750);
	expect_file(d.run_dir, "api.sock", S_IFSOCK, 0, GROUP, 0660);
	expect_file(d.run_dir, "register.sock", S_IFSOCK, 0, GROUP, 0660);
	expect_file(d.run_dir, "spool", S_IFDIR, 0, 0, 0700);
	expect_store_private(&d);
	stop(&d);

	start_with(&d, NULL); /* no groups: root only */
	expect_file(d.dir, "run", S_IFDIR, 0, 0, 0750);
	expect_file(d.run_dir, "api.sock", S_IFSOCK, 0, 0, 0600);
	expect_file(d.run_dir, "register.sock", S_IFSOCK, 0, 0, 0660);
	expect_file(d.run_dir, "spool", S_IFDIR, 0, 0, 0700);
	expect_store_private(&d);
	stop(&d);
}

/* A database left open to others (an older version, a copy made with umask 022) is closed
 * before anything is written to it; one of another user is refused. */
Test(security, an_existing_store_open_to_others_is_closed_and_a_foreign_one_refused, .timeout = 60)
{
	struct daemon_run d;
	daemon_run_dirs(&d, "security");
	int fd = open(d.db, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(fchmod(fd, 0644), 0);
	close(fd);
	sigsysd_spawn(&d, NULL, NULL);
	cr_assert(sigsysd_wait_for(&d, "spool", WAIT_S), "sigsysd did not start");
	expect_store_private(&d);
	sigsysd_stop(&d);

	cr_assert_eq(chown(d.db, NOBODY, TASK_GID), 0);
	cr_assert_eq(chmod(d.db, 0600), 0);
	sigsysd_spawn(&d, NULL, NULL);
	int status = sigsysd_wait_exit(&d, WAIT_S);
	sigsysd_kill_leftovers(); /* one that did not exit */
	cr_expect(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) != 0,
		  "sigsysd took a store of uid %d (status %#x)", NOBODY, status);
	daemon_run_remove(&d);
}

Test(security, the_cache_is_a_private_directory_of_private_files, .timeout = 60)
{
	char top[] = "/tmp/sigsys-test-cache-XXXXXX", dir[64], link_path[64], target[64];
	cr_assert(mkdtemp(top));
	format_into(dir, sizeof(dir), "%s/cache", top);
	struct sigsys_profile *p = load_profile("dcos-default.json");
	struct sigsys_options o;
	struct sigsys_filter *f = NULL;
	struct sigsys_error err;
	sigsys_options_init(&o);
	o.cache_dir = dir;
	cr_assert_eq(sigsys_compile(p, &o, &f, &err), 0, "%s", err.message);
	sigsys_filter_free(f);
	expect_file(top, "cache", S_IFDIR, 0, 0, 0700);
	DIR *listing = opendir(dir);
	size_t files = 0;
	for (struct dirent *e; listing && (e = readdir(listing));)
		if (e->d_name[0] != '.') {
			expect_file(dir, e->d_name, S_IFREG, 0, 0, 0600);
			files++;
		}
	closedir(listing);
	cr_expect_eq(files, 1u, "one program, one file");

	/* A cache dir that is a symlink (to a private dir of ours, even) is not used. */
	format_into(target, sizeof(target), "%s/target", top);
	format_into(link_path, sizeof(link_path), "%s/link", top);
	cr_assert_eq(mkdir(target, 0700), 0);
	cr_assert_eq(symlink(target, link_path), 0);
	o.cache_dir = link_path;
	cr_assert_eq(sigsys_compile(p, &o, &f, &err), 0, "%s", err.message);
	cr_expect(!sigsys_filter_cached(f));
	sigsys_filter_free(f);
	cr_assert_eq(sigsys_compile(p, &o, &f, &err), 0, "%s", err.message);
	cr_expect(!sigsys_filter_cached(f), "a program was kept behind a symlink");
	sigsys_filter_free(f);
	cr_expect_eq(rmdir(target), 0, "something was written through the symlink");
	sigsys_profile_free(p);
	char cmd[96];
	format_into(cmd, sizeof(cmd), "rm -rf '%s'", top);
	cr_expect_eq(system(cmd), 0);
}

/* ---- the run dir ---------------------------------------------------------------------------- */

/* sigsysd on a run dir prepared by `prepare`: whether it refused to start (and left nothing
 * in the directory it was given, or behind the link). */
static void expect_refused_run_dir(void (*prepare)(const struct daemon_run *, const char *),
				   const char *what)
{
	struct daemon_run d;
	char target[128], sock[160];
	daemon_run_dirs(&d, "security");
	format_into(target, sizeof(target), "%s/target", d.dir);
	prepare(&d, target);
	sigsysd_spawn(&d, NULL, NULL);
	int status = sigsysd_wait_exit(&d, WAIT_S);
	sigsysd_kill_leftovers(); /* one that did not exit */
	cr_expect(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) != 0,
		  "%s: sigsysd started (status %#x)", what, status);
	format_into(sock, sizeof(sock), "%s/register.sock", target);
	cr_expect_neq(access(sock, F_OK), 0, "%s: a socket was made in %s", what, target);
	format_into(sock, sizeof(sock), "%s/register.sock", d.run_dir);
	cr_expect_neq(access(sock, F_OK), 0, "%s: a socket was made in the run dir", what);
	daemon_run_remove(&d);
}

static void symlink_to_root_dir(const struct daemon_run *d, const char *target)
{
	cr_assert_eq(mkdir(target, 0750), 0);
	cr_assert_eq(symlink(target, d->run_dir), 0);
}

static void world_writable_dir(const struct daemon_run *d, const char *target _unused_)
{
	cr_assert_eq(mkdir(d->run_dir, 0750), 0);
	cr_assert_eq(chmod(d->run_dir, 01777), 0); /* like /tmp */
}

static void group_writable_dir(const struct daemon_run *d, const char *target _unused_)
{
	cr_assert_eq(mkdir(d->run_dir, 0750), 0);
	cr_assert_eq(chmod(d->run_dir, 0770), 0);
	cr_assert_eq(chown(d->run_dir, 0, GROUP), 0);
}

static void dir_of_another_user(const struct daemon_run *d, const char *target _unused_)
{
	cr_assert_eq(mkdir(d->run_dir, 0750), 0);
	cr_assert_eq(chown(d->run_dir, NOBODY, TASK_GID), 0);
}

static void a_regular_file(const struct daemon_run *d, const char *target _unused_)
{
	int fd = open(d->run_dir, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	cr_assert_geq(fd, 0);
	close(fd);
}

/* Refused, not repaired: whoever could write there may have left sockets or a spool of
 * their own, and a link may point anywhere. */
Test(security, a_run_dir_others_control_is_refused, .timeout = 120)
{
	expect_refused_run_dir(symlink_to_root_dir, "a symlink to a root-owned directory");
	expect_refused_run_dir(world_writable_dir, "a world-writable directory");
	expect_refused_run_dir(group_writable_dir, "a group-writable directory");
	expect_refused_run_dir(dir_of_another_user, "a directory of another user");
	expect_refused_run_dir(a_regular_file, "a regular file");
}

/* A root-owned directory that others may only read is ours: its mode is tightened. */
Test(security, a_root_run_dir_open_for_reading_is_tightened, .timeout = 60)
{
	struct daemon_run d;
	daemon_run_dirs(&d, "security");
	cr_assert_eq(mkdir(d.run_dir, 0755), 0);
	cr_assert_eq(chmod(d.run_dir, 0755), 0);
	sigsysd_spawn(&d, NULL, NULL);
	cr_assert(sigsysd_wait_for(&d, "api.sock", WAIT_S), "sigsysd did not start");
	expect_file(d.dir, "run", S_IFDIR, 0, 0, 0750);
	stop(&d);
}

/* ---- profile names ------------------------------------------------------------------------ */

#define NAMED_PROFILE                                                                       \
	"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"personality\"]," \
	"\"action\":\"SCMP_ACT_ERRNO\"}]}"

static void write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* A profile dir with good.json, and links out of it to the same text outside. */
static void make_profile_dirs(const char *top, char *outside, size_t size)
{
	char path[256];
	format_into(path, sizeof(path), "%s/profiles", top);
	cr_assert_eq(mkdir(path, 0755), 0);
	format_into(path, sizeof(path), "%s/outside", top);
	cr_assert_eq(mkdir(path, 0755), 0);
	format_into(outside, size, "%s/outside/p.json", top);
	write_text(outside, NAMED_PROFILE);
	format_into(path, sizeof(path), "%s/profiles/good.json", top);
	write_text(path, NAMED_PROFILE);
	format_into(path, sizeof(path), "%s/profiles/abs.json", top);
	cr_assert_eq(symlink(outside, path), 0);
	format_into(path, sizeof(path), "%s/profiles/rel.json", top);
	cr_assert_eq(symlink("../outside/p.json", path), 0);
}

/* The registered task's report: profile.changed_on_disk (a JSON boolean or null). */
static struct json_object *changed_on_disk(const struct daemon_run *d, const char *task_id)
{
	char path[128];
	struct json_object *report, *profile, *changed = NULL;
	format_into(path, sizeof(path), "/v1/tasks/%s/report", task_id);
	struct http_response r = http_get(d, path);
	cr_assert_eq(r.status, 200, "GET %s: %d %s", path, r.status, r.body);
	report = json_tokener_parse(r.body);
	cr_assert(json_object_object_get_ex(report, "profile", &profile), "%s", r.body);
	cr_assert(json_object_object_get_ex(profile, "changed_on_disk", &changed), "%s", r.body);
	changed = json_object_get(changed);
	json_object_put(report);
	http_response_free(&r);
	return changed;
}

/* A registration names its profile; the report compares that name's file in --profile-dir
 * with what was launched. A name leading out of the directory is never read. */
Test(security, report_never_reads_a_profile_outside_the_profile_dir, .timeout = 60)
{
	struct daemon_run d;
	char profile_dir[128], outside[160], top[64];
	format_into(top, sizeof(top), "/tmp/sigsys-test-names-XXXXXX");
	cr_assert(mkdtemp(top));
	make_profile_dirs(top, outside, sizeof(outside));
	format_into(profile_dir, sizeof(profile_dir), "%s/profiles", top);
	const char *extra[] = {"--profile-dir", profile_dir, NULL};
	start_with(&d, extra);
	struct sigsys_profile *p = parse_text(NAMED_PROFILE);
	const char *names[] = {"good.json", "abs.json", "rel.json", "../outside/p.json", outside};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char task[32];
		struct sigsys_error err;
		format_into(task, sizeof(task), "names-%zu", i);
		struct sigsys_registration reg = {.pid = getpid(),
						  .task_id = task,
						  .framework = "other",
						  .profile = p,
						  .profile_name = names[i]};
		cr_assert_eq(sigsys_register(d.run_dir, &reg, &err), SIGSYS_REGISTERED, "%s",
			     err.message);
		struct json_object *changed = changed_on_disk(&d, task);
		if (i == 0)
			cr_expect(json_object_is_type(changed, json_type_boolean) &&
					  !json_object_get_boolean(changed),
				  "good.json is in the directory and unchanged");
		else
			cr_expect_null(changed, "%s was compared (read) through: %s", names[i],
				       json_object_to_json_string(changed));
		json_object_put(changed);
	}
	sigsys_profile_free(p);
	stop(&d);
	char cmd[96];
	format_into(cmd, sizeof(cmd), "rm -rf '%s'", top);
	cr_expect_eq(system(cmd), 0);
}

/* The launcher: a Marathon app naming an absolute path is refused, as "../" is. */
Test(security, a_marathon_profile_name_may_not_be_an_absolute_path, .timeout = 60)
{
	char top[] = "/tmp/sigsys-test-app-XXXXXX", outside[160], app[128], json[512];
	cr_assert(mkdtemp(top));
	make_profile_dirs(top, outside, sizeof(outside));
	format_into(app, sizeof(app), "%s/app.json", top);
	format_into(json, sizeof(json),
		    "{\"id\":\"/abs\",\"container\":{\"type\":\"MESOS\",\"linuxInfo\":{\"seccomp\":"
		    "{\"profileName\":\"%s\"}}}}",
		    outside);
	write_text(app, json);
	char profile_dir[128];
	format_into(profile_dir, sizeof(profile_dir), "%s/profiles", top);
	char *argv[] = {(char *)env_path("SIGSYS_APPLY"),
			"--profile-dir",
			profile_dir,
			"--marathon-app",
			app,
			"--no-cache",
			"--dry-run",
			NULL};
	int status = harness_wait(harness_spawn(argv, NULL));
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 125, "status %#x", status);
	char cmd[96];
	format_into(cmd, sizeof(cmd), "rm -rf '%s'", top);
	cr_expect_eq(system(cmd), 0);
}

/* ---- JSON bombs ----------------------------------------------------------------------------- */

static char *repeated(const char *head, const char *unit, size_t n, const char *sep,
		      const char *tail)
{
	size_t len = strlen(head) + (strlen(unit) + strlen(sep)) * n + strlen(tail) + 1;
	char *s = malloc(len), *q = s;
	cr_assert(s);
	q = stpcpy(q, head);
	for (size_t i = 0; i < n; i++) {
		q = stpcpy(q, unit);
		if (i + 1 < n)
			q = stpcpy(q, sep);
	}
	strcpy(q, tail);
	return s;
}

struct bomb {
	char *text;
	const char *message; /* the clear error expected */
};

static void expect_profile_refused(struct bomb b)
{
	struct sigsys_profile *p = NULL;
	struct sigsys_error err = {{0}};
	int r = sigsys_profile_parse(b.text, strlen(b.text), "bomb.json", &p, &err);
	cr_expect_eq(r, -EINVAL, "accepted (%d): %.120s", r, b.text);
	cr_expect(strstr(err.message, b.message), "\"%s\" lacks \"%s\"", err.message, b.message);
	cr_expect_null(p);
	free(b.text);
}

Test(security, profile_bombs_are_bounded_and_named)
{
	const char *head = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",";
	char *h;
	cr_assert(asprintf(&h, "%s\"syscalls\":[{\"action\":\"SCMP_ACT_LOG\",\"names\":[", head) >
		  0);
	expect_profile_refused(
		(struct bomb){repeated(h, "\"read\"", 4097, ",", "]}]}"),
			      "syscalls[0].names: 4097 entries is more than the limit"});
	free(h);
	cr_assert(asprintf(&h,
			   "%s\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\","
			   "\"args\":[",
			   head) > 0);
	expect_profile_refused((struct bomb){
		repeated(h, "{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}", 65, ",", "]}]}"),
		"syscalls[0].args: 65 conditions is more than the limit"});
	free(h);
	cr_assert(asprintf(&h, "%s\"architectures\":[", head) > 0);
	expect_profile_refused((struct bomb){repeated(h, "\"SCMP_ARCH_X86\"", 33, ",", "]}"),
					     "architectures: 33 entries is more than the limit"});
	free(h);
	cr_assert(asprintf(&h, "%s\"comment\":", head) > 0);
	expect_profile_refused(
		(struct bomb){repeated(h, "[", SIGSYS_MAX_JSON_DEPTH + 1, "", ""), "invalid JSON"});
	expect_profile_refused((struct bomb){
		repeated(h, "{\"a\":", SIGSYS_MAX_JSON_DEPTH + 1, "", ""), "invalid JSON"});
	free(h);
	/* Half a million numbers in one array: within the size limit, then over it. */
	cr_assert(asprintf(&h, "%s\"syscalls\":[", head) > 0);
	expect_profile_refused((struct bomb){repeated(h, "1", 2500000, ",", "]}"),
					     "is more than the limit of 4194304"});
	expect_profile_refused((struct bomb){repeated(h, "1", 500000, ",", "]}"),
					     "syscalls: 500000 rules is more than the limit"});
	free(h);
}

/* A registration as the library writes it (version 1, the test's own pid), as json-c. */
static struct json_object *registration_of(const char *task_id, bool unconfined)
{
	uint64_t start;
	struct json_object *o = json_object_new_object();
	cr_assert_eq(proc_start_time_ns(getpid(), &start), 0);
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "pid", json_object_new_int(getpid()));
	json_object_object_add(o, "pid_start_ns", json_object_new_uint64(start));
	json_object_object_add(o, "time_ns", json_object_new_uint64(1));
	json_object_object_add(o, "task_id", json_object_new_string(task_id));
	json_object_object_add(o, "framework", json_object_new_string("other"));
	json_object_object_add(o, "mode", json_object_new_string("enforce"));
	json_object_object_add(o, "caps", json_object_new_string("0x0"));
	json_object_object_add(o, "unconfined", json_object_new_boolean(unconfined));
	return o;
}

static struct json_object *registration(bool unconfined)
{
	return registration_of("bomb", unconfined);
}

/* A confined registration whose profile text is TEXT (digest claimed: any). */
static struct json_object *registration_with_text(const char *text)
{
	struct json_object *o = registration(false), *p = json_object_new_object();
	json_object_object_add(p, "digest", json_object_new_string("sha256:0"));
	json_object_object_add(p, "text", json_object_new_string(text));
	json_object_object_add(o, "profile", p);
	return o;
}

/* Send it; expect {"ok":false,"error":…MESSAGE…}. */
static void expect_registration_refused(const struct daemon_run *d, struct json_object *o,
					const char *message)
{
	size_t len;
	const char *text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	char *reply = register_send_raw(d, text, len);
	cr_expect(reply && strstr(reply, "\"ok\":false") && strstr(reply, message),
		  "%zu bytes: reply %s lacks \"%s\"", len, reply ? reply : "(none)", message);
	free(reply);
	json_object_put(o);
}

Test(security, registration_bombs_are_refused_and_the_daemon_carries_on, .timeout = 120)
{
	struct daemon_run d;
	start_with(&d, NULL);

	/* A frame announcing more than the limit is refused before anything is read. */
	char *reply = register_send_frame(&d, 0x7fffffffu, "{}", 2);
	cr_expect(reply && strstr(reply, "message too large"), "%s", reply ? reply : "(none)");
	free(reply);
	char *deep = repeated("", "[", 100000, "", "");
	reply = register_send_raw(&d, deep, strlen(deep));
	cr_expect(reply && strstr(reply, "nesting too deep"), "%s", reply ? reply : "(none)");
	free(reply);
	free(deep);

	struct json_object *o = registration(true), *many = json_object_new_array();
	for (int i = 0; i < 200000; i++)
		json_object_array_add(many, json_object_new_string("x"));
	json_object_object_add(o, "task_id", many);
	expect_registration_refused(&d, o, "\\\"task_id\\\": expected a string");

	char *text =
		repeated("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"comment\":", "[", 10000, "", "");
	expect_registration_refused(&d, registration_with_text(text), "not a valid profile");
	free(text);
	text = repeated("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"comment\":\"", "x",
			SIGSYS_MAX_PROFILE_BYTES, "", "\"}");
	expect_registration_refused(&d, registration_with_text(text),
				    "larger than the 4 MiB profile limit");
	free(text);
	text = repeated("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[",
			"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\"}", SIGSYS_MAX_RULES + 1,
			",", "]}");
	expect_registration_refused(&d, registration_with_text(text),
				    "rules is more than the limit");
	free(text);

	/* Still serving, and still taking good registrations. */
	o = registration(true);
	size_t len;
	const char *good = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	reply = register_send_raw(&d, good, len);
	cr_expect(reply && strstr(reply, "\"ok\":true"), "%s", reply ? reply : "(none)");
	free(reply);
	json_object_put(o);
	struct http_response r = http_get(&d, "/v1/health");
	cr_expect_eq(r.status, 200);
	http_response_free(&r);
	stop(&d);
}

/* ---- the spool ------------------------------------------------------------------------------ */

/* A registration file left in RUN_DIR/spool (mode SPOOL_MODE) before sigsysd starts: whether
 * the daemon took it. */
static bool spooled_task_taken(mode_t spool_mode, const char *task_id)
{
	struct daemon_run d;
	char spool[160], file[224], path[96];
	daemon_run_dirs(&d, "security");
	format_into(spool, sizeof(spool), "%s/spool", d.run_dir);
	cr_assert_eq(mkdir(d.run_dir, 0750), 0);
	cr_assert_eq(mkdir(spool, 0700), 0);
	cr_assert_eq(chmod(spool, spool_mode), 0);
	format_into(file, sizeof(file), "%s/%d-1.json", spool, (int)getpid());
	struct json_object *o = registration_of(task_id, true);
	write_text(file, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	sigsysd_spawn(&d, NULL, NULL);
	cr_assert(sigsysd_wait_for(&d, "api.sock", WAIT_S), "sigsysd did not start");
	/* The spool is read before the loop serves register.sock: an answer there means it
	 * was read. */
	o = registration_of("barrier", true);
	size_t len;
	const char *text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	char *reply = register_send_raw(&d, text, len);
	cr_assert(reply && strstr(reply, "\"ok\":true"), "%s", reply ? reply : "(none)");
	free(reply);
	json_object_put(o);
	format_into(path, sizeof(path), "/v1/tasks/%s/report", task_id);
	struct http_response r = http_get(&d, path);
	bool taken = r.status == 200;
	cr_expect(r.status == 200 || r.status == 404, "GET %s: %d", path, r.status);
	http_response_free(&r);
	stop(&d);
	return taken;
}

/* Anyone could have written into a spool open to others: it is not read at all. */
Test(security, a_spool_open_to_others_is_not_read, .timeout = 60)
{
	cr_expect(spooled_task_taken(0700, "spooled"), "a root-only spool was not read");
	cr_expect(!spooled_task_taken(0733, "planted"), "a spool open to others was read");
}
