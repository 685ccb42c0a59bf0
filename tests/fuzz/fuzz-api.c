/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target: the HTTP request path of sigsysd's API, whole — raw bytes on api.sock,
 * parsed by libmicrohttpd and routed by trace/api.c to the store and the report library.
 * The API runs as sigsysd runs it (its own thread, its own read-only store handle) on a
 * temporary run dir and a store holding one registered task with a kill, so the report,
 * events and failures paths have something to build. Each input is one connection: the
 * bytes, then end of input, then the answer read to the end. An answer that never comes is
 * a finding (the API would hang a client).
 */
#include "api.h"
#include "daemon.h"
#include "sigsys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PROFILE_TEXT                                                                              \
	"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getpid\"],\"action\":" \
	"\"SCMP_ACT_KILL_PROCESS\"}]}"

static struct daemon fuzz_daemon;
static char dir[64], run_dir[96], db[96], sock_path[128];

static void die(const char *what)
{
	fprintf(stderr, "fuzz-api: %s: %m\n", what);
	abort();
}

/* One task, "fuzz-task" of app "/fuzz" and job "job"/run "run", killed on getpid. */
static void fill_store(struct store *s)
{
	struct sigsys_profile *profile = NULL;
	struct sigsys_error perr;
	struct store_error err;
	if (sigsys_profile_parse(PROFILE_TEXT, strlen(PROFILE_TEXT), "fuzz.json", &profile, &perr))
		die(perr.message);
	struct store_task t = {.task_id = "fuzz-task",
			       .framework = "marathon",
			       .app_id = "/fuzz",
			       .job_id = "job",
			       .run_id = "run",
			       .pid = 4242,
			       .pid_start_ns = 1000,
			       .profile_name = "fuzz.json",
			       .profile_digest = sigsys_profile_digest(profile),
			       .profile_text = PROFILE_TEXT,
			       .mode = "enforce",
			       .registered_ns = 1000000000};
	struct seccomp_event ev = {.time_ns = 2000000000,
				   .pid = 4242,
				   .arch = 0xc000003e,
				   .nr = 39,
				   .code = SECCOMP_RET_KILL_PROCESS,
				   .sig = 31,
				   .sources = SECCOMP_EVENT_SOURCE_AUDIT,
				   .comm = "fuzz"};
	struct store_event sev = {.event = &ev, .task_id = "fuzz-task", .pid_start_ns = 1000};
	struct store_put_result res;
	if (store_put_task(s, &t, &err) < 0 || store_put_events(s, &sev, 1, &res, &err) < 0)
		die(err.message);
	sigsys_profile_free(profile);
}

static void stop(void)
{
	api_stop(&fuzz_daemon);
	store_close(fuzz_daemon.store);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz-api: could not remove %s\n", dir);
}

int LLVMFuzzerInitialize(int *argc _unused_, char ***argv _unused_)
{
	struct store_options o;
	struct store_error err;
	snprintf(dir, sizeof(dir), "/tmp/sigsys-fuzz-api-XXXXXX");
	if (!mkdtemp(dir))
		die("mkdtemp");
	snprintf(run_dir, sizeof(run_dir), "%s/run", dir);
	snprintf(db, sizeof(db), "%s/sigsys.db", dir);
	snprintf(sock_path, sizeof(sock_path), "%s/api.sock", run_dir);
	if (mkdir(run_dir, 0750) < 0)
		die("mkdir");
	daemon_log_init(true);
	daemon_config_init(&fuzz_daemon.config);
	fuzz_daemon.config.run_dir = run_dir;
	fuzz_daemon.config.db = db;
	fuzz_daemon.config.profile_dir = SIGSYS_PROFILES_DIR;
	fuzz_daemon.audit.fd = fuzz_daemon.proc_fd = -1;
	store_options_init(&o);
	o.reserve_bytes = 0;
	if (store_open(db, &o, &fuzz_daemon.store, &err) < 0)
		die(err.message);
	fill_store(fuzz_daemon.store);
	if (api_start(&fuzz_daemon) < 0)
		die("api_start");
	atexit(stop);
	return 0;
}

static int connect_api(void)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct timeval timeout = {.tv_sec = 5};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		die("connect");
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[65536];
	int fd = connect_api();
	/* A refusal may close the connection before everything was written: not a finding. */
	for (size_t off = 0; off < size;) {
		ssize_t n = send(fd, data + off, size - off, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			die("the API did not answer or close within 5 s");
		if (n <= 0)
			break;
	}
	close(fd);
	return 0;
}
