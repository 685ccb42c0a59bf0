/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Registering a task: to sigsysd on register.sock, or to the root-only spool when it is down. */
#include "test-helpers.h"
#include "procfs.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

static char run_dir[64];

static void setup(void)
{
	strcpy(run_dir, "/tmp/sigsys-test-run-XXXXXX");
	cr_assert(mkdtemp(run_dir));
}

static void teardown(void)
{
	char cmd[128];
	format_into(cmd, sizeof(cmd), "rm -rf '%s'", run_dir);
	cr_expect_eq(system(cmd), 0);
}

static struct sigsys_registration registration(struct sigsys_profile *p)
{
	return (struct sigsys_registration){.pid = getpid(),
					    .task_id = "web.1234",
					    .framework = "marathon",
					    .app_id = "/prod/web",
					    .profile = p,
					    .profile_name = "default.json",
					    .mode = SIGSYS_MODE_KILL,
					    .caps = 0x200000};
}

/* The one file in the spool, parsed. */
static struct json_object *spooled(void)
{
	char dir[128], path[256];
	struct json_object *o = NULL;
	format_into(dir, sizeof(dir), "%s/spool", run_dir);
	DIR *d = opendir(dir);
	cr_assert(d, "no spool directory");
	for (struct dirent *e; (e = readdir(d));)
		if (e->d_name[0] != '.') {
			cr_assert_null(o, "more than one registration spooled");
			format_into(path, sizeof(path), "%s/%s", dir, e->d_name);
			struct stat st;
			cr_assert_eq(stat(path, &st), 0);
			cr_expect_eq(st.st_mode & 0777, 0600, "spooled file mode %o", st.st_mode);
			o = json_object_from_file(path);
		}
	closedir(d);
	cr_assert_not_null(o, "nothing spooled");
	return o;
}

static const char *field(struct json_object *o, const char *key)
{
	struct json_object *v;
	cr_assert(json_object_object_get_ex(o, key, &v), "no \"%s\"", key);
	return json_object_get_string(v);
}

Test(register, daemon_down_spools_the_registration, .init = setup, .fini = teardown)
{
	struct sigsys_profile *p = load_profile("dcos-default.json");
	struct sigsys_registration reg = registration(p);
	struct sigsys_error err = {{0}};
	uint64_t start;
	cr_assert_eq(sigsys_register(run_dir, &reg, &err), SIGSYS_SPOOLED, "%s", err.message);

	struct stat st;
	char spool[128];
	format_into(spool, sizeof(spool), "%s/spool", run_dir);
	cr_assert_eq(stat(spool, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0700, "the spool is root-only: %o", st.st_mode & 0777);

	struct json_object *o = spooled();
	cr_assert_eq(proc_start_time_ns(getpid(), &start), 0);
	cr_expect_eq(json_object_get_int(json_object_object_get(o, "pid")), getpid());
	cr_expect_eq(json_object_get_uint64(json_object_object_get(o, "pid_start_ns")), start);
	cr_expect_str_eq(field(o, "task_id"), "web.1234");
	cr_expect_str_eq(field(o, "app_id"), "/prod/web");
	cr_expect_str_eq(field(o, "mode"), "kill");
	cr_expect_str_eq(field(o, "caps"), "0x200000");
	struct json_object *prof = json_object_object_get(o, "profile");
	cr_expect_str_eq(field(prof, "digest"), sigsys_profile_digest(p));
	cr_expect_str_eq(field(prof, "text"), sigsys_profile_text(p, NULL),
			 "the launch-time profile text travels with the registration");
	json_object_put(o);
	sigsys_profile_free(p);
}

struct fake_daemon {
	int listen_fd;
	const char *reply;
	bool refuse_unread; /* answer and close before reading anything, as for a bad peer */
	char received[1 << 16];
	size_t received_len;
};

static void *serve_once(void *arg)
{
	struct fake_daemon *d = arg;
	uint32_t be;
	int fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (d->refuse_unread) {
		be = htonl((uint32_t)strlen(d->reply));
		if (write(fd, &be, 4) == 4 && write(fd, d->reply, strlen(d->reply)) < 0)
			d->received_len = 0;
		shutdown(fd, SHUT_RD); /* the unread rest makes the client's send fail */
		close(fd);
		return NULL;
	}
	if (recv(fd, &be, 4, MSG_WAITALL) == 4 && ntohl(be) < sizeof(d->received)) {
		d->received_len = ntohl(be);
		if (recv(fd, d->received, d->received_len, MSG_WAITALL) != (ssize_t)d->received_len)
			d->received_len = 0;
	}
	be = htonl((uint32_t)strlen(d->reply));
	if (write(fd, &be, 4) == 4 && write(fd, d->reply, strlen(d->reply)) < 0)
		d->received_len = 0;
	close(fd);
	return NULL;
}

static void start_daemon(struct fake_daemon *d, pthread_t *thread)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	format_into(addr.sun_path, sizeof(addr.sun_path), "%s/register.sock", run_dir);
	d->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(d->listen_fd, 0);
	cr_assert_eq(bind(d->listen_fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	cr_assert_eq(listen(d->listen_fd, 4), 0);
	cr_assert_eq(pthread_create(thread, NULL, serve_once, d), 0);
}

Test(register, a_running_daemon_takes_it_and_nothing_is_spooled, .init = setup, .fini = teardown)
{
	struct sigsys_profile *p = load_profile("dcos-default.json");
	struct sigsys_registration reg = registration(p);
	struct sigsys_error err = {{0}};
	struct fake_daemon d = {.reply = "{\"ok\":true}"};
	pthread_t thread;
	start_daemon(&d, &thread);
	cr_expect_eq(sigsys_register(run_dir, &reg, &err), SIGSYS_REGISTERED, "%s", err.message);
	pthread_join(thread, NULL);
	close(d.listen_fd);

	cr_assert_gt(d.received_len, 0, "the daemon got no framed message");
	struct json_object *o = json_tokener_parse(d.received);
	cr_assert_not_null(o, "not JSON: %.*s", (int)d.received_len, d.received);
	cr_expect_str_eq(field(o, "task_id"), "web.1234");
	json_object_put(o);
	char spool[128];
	struct stat st;
	format_into(spool, sizeof(spool), "%s/spool", run_dir);
	cr_expect_neq(stat(spool, &st), 0, "a registration the daemon took was also spooled");
	sigsys_profile_free(p);
}

Test(register, a_refusal_is_reported_not_spooled, .init = setup, .fini = teardown)
{
	struct sigsys_registration reg = registration(NULL);
	struct sigsys_error err = {{0}};
	struct fake_daemon d = {.reply = "{\"ok\":false,\"error\":\"pid 1 is not yours\"}"};
	pthread_t thread;
	start_daemon(&d, &thread);
	cr_expect_eq(sigsys_register(run_dir, &reg, &err), -EPERM);
	pthread_join(thread, NULL);
	close(d.listen_fd);
	cr_expect(strstr(err.message, "sigsysd refused the registration: pid 1 is not yours"), "%s",
		  err.message);
}

/* Without root the spool is out of reach: an error, and the launch decides what to do. */
Test(register, only_root_may_spool, .init = setup, .fini = teardown)
{
	cr_assert_eq(chmod(run_dir, 0755), 0);
	pid_t pid = test_fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct sigsys_registration reg = registration(NULL);
		reg.pid = getpid();
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		_exit(sigsys_register(run_dir, &reg, NULL) == -EACCES ? 0 : 1);
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
}

/* The daemon refuses a peer before reading its message and closes: the launcher must get
 * the refusal, not die of SIGPIPE while still sending a large profile. */
Test(register, an_early_refusal_is_read_not_a_sigpipe, .init = setup, .fini = teardown)
{
	static char text[2 << 20];
	int n = snprintf(text, sizeof(text), "{\"defaultAction\":\"SCMP_ACT_LOG\",\"comment\":\"");
	memset(text + n, 'x', sizeof(text) - (size_t)n - 3);
	strcpy(text + sizeof(text) - 3, "\"}");
	struct sigsys_profile *p = parse_text(text);
	struct sigsys_registration reg = registration(p);
	struct sigsys_error err = {{0}};
	struct fake_daemon d = {.reply = "{\"ok\":false,\"error\":\"not root\"}",
				.refuse_unread = true};
	pthread_t thread;
	start_daemon(&d, &thread);
	cr_expect_eq(sigsys_register(run_dir, &reg, &err), -EPERM, "%s", err.message);
	cr_expect(strstr(err.message, "not root"), "%s", err.message);
	pthread_join(thread, NULL);
	close(d.listen_fd);
	sigsys_profile_free(p);
}
