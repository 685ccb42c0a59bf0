/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bpf source, live: sigsysd with its programs attached on this kernel; tasks launched
 * through sigsys-apply under a profile that kills umask(2) (known arguments) die, and the
 * kill must be stored with those arguments and the right task and thread — with bpf alone,
 * merged with audit's record into one event, for a thread killed while another lives, and
 * for a kill that happened while sigsysd was stopped.
 */
#include "test-helpers.h"
#include "bpf-source.h"
#include "daemon-harness.h"
#include <linux/types.h>
#include "bpf/sigsys-bpf.h"
#include "store.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#define UMASK_ARG 022

static int32_t umask_nr(void)
{
	return seccomp_syscall_resolve_name("umask");
}

/* A profile that allows everything but umask, which gets ACTION. */
static void write_profile(const struct daemon_run *d, const char *action, char *path, size_t size)
{
	format_into(path, size, "%s/umask-%s.json", d->dir, action);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fprintf(f,
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
		"[{\"names\": [\"umask\"], \"action\": \"%s\"}]}\n",
		action);
	fclose(f);
}

/* sigsys-apply ... -- COMMAND; stdout to out_path when not NULL. Returns the status. */
static int launch_command(const struct daemon_run *d, const char *task_id, const char *profile,
			  const char *out_path, char *command[])
{
	char *argv[32] = {(char *)env_path("SIGSYS_APPLY"),
			  "-q",
			  "--run-dir",
			  (char *)d->run_dir,
			  "--profile",
			  (char *)profile,
			  "--no-cache",
			  "--caps",
			  "",
			  "--task-id",
			  (char *)task_id,
			  "--"};
	size_t n = 12;
	for (size_t i = 0; command[i] && n < ARRAY_SIZE(argv) - 1; i++)
		argv[n++] = command[i];
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	if (out_path)
		posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out_path,
						 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int status = harness_wait(harness_spawn(argv, &fa));
	posix_spawn_file_actions_destroy(&fa);
	return status;
}

/* The probe with ARGS under sigsys-apply. */
static int launch(const struct daemon_run *d, const char *task_id, const char *profile,
		  const char *out_path, char *probe_args[])
{
	char *command[8] = {(char *)env_path("SIGSYS_PROBE")};
	for (size_t i = 0; probe_args[i] && i + 2 < ARRAY_SIZE(command); i++)
		command[i + 1] = probe_args[i];
	return launch_command(d, task_id, profile, out_path, command);
}

struct kills {
	int32_t nr;
	int n;			    /* kill rows of that syscall */
	struct store_event_row row; /* the last one */
	char comm[SECCOMP_EVENT_COMM_MAX + 1], exe[SECCOMP_EVENT_EXE_MAX + 1];
};

static int collect_kill(const struct store_event_row *row, void *userdata)
{
	struct kills *k = userdata;
	if (row->event.nr != k->nr || !store_event_is_kill(&row->event))
		return 0;
	k->n++;
	k->row = *row;
	k->row.task_id = k->row.container_id = NULL; /* borrowed: not kept */
	return 0;
}

/* Poll the store until the task has a kill of nr carrying every source in `sources`. */
static struct kills wait_kill(const struct daemon_run *d, const char *task_id, int32_t nr,
			      uint32_t sources)
{
	struct store_options o;
	struct kills k = {.nr = nr};
	store_options_init(&o);
	o.read_only = true;
	for (int i = 0; i < 100; i++) {
		struct store *s = NULL;
		k = (struct kills){.nr = nr};
		if (store_open(d->db, &o, &s, NULL) == 0) {
			store_task_events(s, task_id, 0, 0, collect_kill, &k, NULL);
			store_close(s);
		}
		if (k.n && (k.row.event.sources & sources) == sources)
			break;
		harness_sleep_ms(100);
	}
	return k;
}

struct trap_found {
	int n;
	struct seccomp_event e;
};

static int collect_trap(const struct store_event_row *row, void *userdata)
{
	struct trap_found *t = userdata;
	if (seccomp_event_action(&row->event) != SECCOMP_RET_TRAP)
		return 0;
	t->n++;
	t->e = row->event;
	return 0;
}

static void expect_umask_kill(const struct kills *k, uint32_t action)
{
	const struct seccomp_event *e = &k->row.event;
	cr_assert_eq(k->n, 1, "%d kill rows of umask", k->n);
	cr_expect_eq(seccomp_event_action(e), action, "action %#x", seccomp_event_action(e));
	cr_expect(e->has_args, "the kill carries no arguments");
	cr_expect_eq(e->args[0], UMASK_ARG, "umask's argument: %#llx",
		     (unsigned long long)e->args[0]);
	cr_expect_eq(e->arch, SCMP_ARCH_X86_64);
	cr_expect_eq(e->sig, SIGSYS);
	cr_expect_str_eq(e->comm, "probe");
	cr_expect_neq(e->ip, 0);
	cr_expect_neq(k->row.pid_start_ns, 0, "the process's start time is unknown");
}

static void read_text(const char *path, char *buf, size_t size)
{
	_cleanup_free_ char *text = NULL;
	cr_assert_eq(read_file_bounded(path, 4096, &text, NULL), 0, "read %s", path);
	format_into(buf, size, "%s", text);
}

static struct json_object *get_json(const struct daemon_run *d, const char *path)
{
	char req[256];
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char buf[8192];
	size_t len = 0;
	format_into(addr.sun_path, sizeof(addr.sun_path), "%s/api.sock", d->run_dir);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	for (int i = 0; i < 50 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0; i++)
		harness_sleep_ms(100);
	format_into(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		    path);
	cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	for (ssize_t n;
	     len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0;)
		len += (size_t)n;
	buf[len] = '\0';
	char *body = strstr(buf, "\r\n\r\n");
	cr_assert(body, "no HTTP answer: %s", buf);
	struct json_object *o = json_tokener_parse(body + 4);
	cr_assert(o, "not JSON: %s", body + 4);
	return o;
}

Test(bpf, bpf_alone_reports_the_arguments_and_the_task, .timeout = 120)
{
	struct daemon_run d;
	char profile[160];
	daemon_run_dirs(&d, "bpf");
	write_profile(&d, "SCMP_ACT_KILL_PROCESS", profile, sizeof(profile));
	daemon_run_start_sources(&d, "bpf");

	int status = launch(&d, "t-bpf", profile, NULL, (char *[]){"umask:022", NULL});
	cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "status %#x", status);
	struct kills k = wait_kill(&d, "t-bpf", umask_nr(), SECCOMP_EVENT_SOURCE_BPF);
	expect_umask_kill(&k, SECCOMP_RET_KILL_PROCESS);
	cr_expect_eq(k.row.event.sources, SECCOMP_EVENT_SOURCE_BPF, "sources %#x",
		     k.row.event.sources);
	cr_expect_eq(k.row.event.tid, k.row.event.pid, "a single-threaded process");
	struct json_object *page = get_json(&d, "/v1/tasks/t-bpf/events"), *events, *args;
	cr_assert(json_object_object_get_ex(page, "events", &events) &&
			  json_object_array_length(events) > 0,
		  "%s", json_object_to_json_string(page));
	struct json_object *ev = json_object_array_get_idx(events, 0);
	cr_expect(json_object_object_get_ex(ev, "args", &args) &&
			  json_object_array_length(args) == 6 &&
			  strtoull(json_object_get_string(json_object_array_get_idx(args, 0)), NULL,
				   16) == UMASK_ARG,
		  "the API does not give the arguments: %s", json_object_to_json_string(ev));
	json_object_put(page);

	daemon_run_stop(&d);
	daemon_run_remove(&d);
}

Test(bpf, audit_and_bpf_store_one_event_with_both_fields, .timeout = 120)
{
	struct daemon_run d;
	char profile[160];
	daemon_run_dirs(&d, "bpf");
	write_profile(&d, "SCMP_ACT_KILL_PROCESS", profile, sizeof(profile));
	daemon_run_start_sources(&d, "audit,proc,bpf");

	int status = launch(&d, "t-both", profile, NULL, (char *[]){"umask:022", NULL});
	cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "status %#x", status);
	struct kills k = wait_kill(&d, "t-both", umask_nr(),
				   SECCOMP_EVENT_SOURCE_AUDIT | SECCOMP_EVENT_SOURCE_BPF);
	expect_umask_kill(&k, SECCOMP_RET_KILL_PROCESS);
	cr_expect_eq(k.row.event.sources, SECCOMP_EVENT_SOURCE_AUDIT | SECCOMP_EVENT_SOURCE_BPF,
		     "sources %#x: not one event from both", k.row.event.sources);
	cr_expect(strstr(k.row.event.exe, "/probe"), "audit's exe is missing: \"%s\"",
		  k.row.event.exe);
	cr_expect_eq(k.row.event.tid, k.row.event.pid, "bpf's thread id is missing");
	cr_expect_neq(k.row.event.serial, 0, "audit's serial is missing");

	daemon_run_stop(&d);
	daemon_run_remove(&d);
}

/* KILL_THREAD with another thread alive: do_exit(SIGSYS), no signal; the process goes on. */
Test(bpf, a_thread_killed_while_another_lives_is_reported, .timeout = 120)
{
	struct daemon_run d;
	char profile[160], out[160], text[256];
	daemon_run_dirs(&d, "bpf");
	write_profile(&d, "SCMP_ACT_KILL_THREAD", profile, sizeof(profile));
	format_into(out, sizeof(out), "%s/probe.out", d.dir);
	daemon_run_start_sources(&d, "bpf");

	int status =
		launch(&d, "t-thread", profile, out, (char *[]){"in-thread", "umask:022", NULL});
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "the process lives on after its thread's kill: status %#x", status);
	read_text(out, text, sizeof(text));
	long tid = 0;
	const char *at = strstr(text, "tid=");
	cr_assert(at && sscanf(at, "tid=%ld", &tid) == 1, "probe said: %s", text);
	cr_expect(strstr(text, "joined"), "the main thread did not go on: %s", text);

	struct kills k = wait_kill(&d, "t-thread", umask_nr(), SECCOMP_EVENT_SOURCE_BPF);
	expect_umask_kill(&k, SECCOMP_RET_KILL_THREAD);
	cr_expect_eq(k.row.event.tid, tid, "thread %d reported, %ld killed", k.row.event.tid, tid);
	cr_expect_neq(k.row.event.tid, k.row.event.pid);

	daemon_run_stop(&d);
	daemon_run_remove(&d);
}

/* Stopped: the pinned programs keep recording and the launch is spooled; at start the
 * spool names the task and the drained ring its kill — in a child the shell forked while
 * sigsysd was down, attributed through the fork drained with it. */
Test(bpf, a_kill_while_sigsysd_is_stopped_is_drained_and_attributed, .timeout = 120)
{
	struct daemon_run d;
	char profile[160], cmd[512];
	daemon_run_dirs(&d, "bpf");
	write_profile(&d, "SCMP_ACT_KILL_PROCESS", profile, sizeof(profile));
	daemon_run_start_sources(&d, "bpf");
	daemon_run_stop(&d);

	format_into(cmd, sizeof(cmd), "'%s' umask:022; true", env_path("SIGSYS_PROBE"));
	char *argv[] = {(char *)env_path("SIGSYS_APPLY"),
			"-q",
			"--run-dir",
			d.run_dir,
			"--profile",
			profile,
			"--no-cache",
			"--caps",
			"",
			"--task-id",
			"t-down",
			"--",
			"/bin/sh",
			"-c",
			cmd,
			NULL};
	int status = harness_wait(harness_spawn(argv, NULL));
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);

	daemon_run_start_sources(&d, "bpf");
	struct kills k = wait_kill(&d, "t-down", umask_nr(), SECCOMP_EVENT_SOURCE_BPF);
	expect_umask_kill(&k, SECCOMP_RET_KILL_PROCESS);

	daemon_run_stop(&d);
	daemon_run_remove(&d);
}

/* TRAP: a catchable SIGSYS (here not caught, so the probe dies of it) is a TRAP, not a kill:
 * the filter never marked the thread dead. */
Test(bpf, a_trap_is_reported_as_a_trap_not_a_kill, .timeout = 120)
{
	struct daemon_run d;
	char profile[160];
	daemon_run_dirs(&d, "bpf");
	write_profile(&d, "SCMP_ACT_TRAP", profile, sizeof(profile));
	daemon_run_start_sources(&d, "bpf");

	int status = launch(&d, "t-trap", profile, NULL, (char *[]){"umask:022", NULL});
	cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "status %#x", status);
	struct kills k = {.nr = umask_nr()};
	struct store_options o;
	store_options_init(&o);
	o.read_only = true;
	struct trap_found trap = {0};
	for (int i = 0; i < 100 && !trap.n; i++) {
		struct store *st = NULL;
		if (store_open(d.db, &o, &st, NULL) == 0) {
			store_task_events(st, "t-trap", 0, 0, collect_trap, &trap, NULL);
			store_task_events(st, "t-trap", 0, 0, collect_kill, &k, NULL);
			store_close(st);
		}
		if (!trap.n)
			harness_sleep_ms(100);
	}
	cr_assert_eq(trap.n, 1, "%d TRAP events of umask", trap.n);
	cr_expect_eq(trap.e.nr, umask_nr());
	cr_expect(trap.e.has_args && trap.e.args[0] == UMASK_ARG);
	cr_expect_eq(trap.e.sig, 0, "a TRAP is not a kill signal");
	cr_expect_eq(k.n, 0, "the trap was also reported as a kill");

	daemon_run_stop(&d);
	daemon_run_remove(&d);
}

struct run_facts {
	struct store_exit exit;
	int processes, child_signal;
};

static int task_exit(const struct store_task *t, void *userdata)
{
	((struct run_facts *)userdata)->exit = t->exit;
	return 0;
}

static int task_process(const struct store_process *p, void *userdata)
{
	struct run_facts *f = userdata;
	f->processes++;
	if (p->exit.kind == STORE_EXIT_SIGNAL)
		f->child_signal = p->exit.code;
	return 0;
}

/* A shell that forks the killed probe and exits 3: its processes and exits as stored. */
static struct run_facts run_forking_task(const char *sources)
{
	struct daemon_run d;
	char profile[160], cmd[512];
	struct run_facts f = {0};
	struct store_options o;
	daemon_run_dirs(&d, "bpf");
	write_profile(&d, "SCMP_ACT_KILL_PROCESS", profile, sizeof(profile));
	daemon_run_start_sources(&d, sources);
	format_into(cmd, sizeof(cmd), "'%s' umask:022; exit 3", env_path("SIGSYS_PROBE"));
	int status =
		launch_command(&d, "t-tree", profile, NULL, (char *[]){"/bin/sh", "-c", cmd, NULL});
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 3, "status %#x", status);
	store_options_init(&o);
	o.read_only = true;
	for (int i = 0; i < 100; i++) {
		struct store *st = NULL;
		f = (struct run_facts){0};
		if (store_open(d.db, &o, &st, NULL) == 0) {
			store_get_task(st, "t-tree", task_exit, &f, NULL);
			store_task_processes(st, "t-tree", 0, task_process, &f, NULL);
			store_close(st);
		}
		if (f.exit.kind != STORE_EXIT_NONE && f.child_signal)
			break;
		harness_sleep_ms(100);
	}
	daemon_run_stop(&d);
	daemon_run_remove(&d);
	return f;
}

/* Forks and exits from the kernel side: bpf alone knows what the process connector knows. */
Test(bpf, bpf_alone_and_proc_alone_agree_on_processes_and_exits, .timeout = 120)
{
	struct run_facts by_bpf = run_forking_task("bpf");
	struct run_facts by_proc = run_forking_task("proc");
	cr_expect_eq(by_bpf.exit.kind, STORE_EXIT_STATUS, "bpf: the task's exit is %d",
		     by_bpf.exit.kind);
	cr_expect_eq(by_bpf.exit.code, 3, "bpf: exit status %d", by_bpf.exit.code);
	cr_expect_eq(by_bpf.child_signal, SIGSYS, "bpf: the child's death: %d",
		     by_bpf.child_signal);
	cr_expect_eq(by_bpf.processes, 2, "bpf: %d processes", by_bpf.processes);
	cr_expect_eq(by_proc.exit.kind, by_bpf.exit.kind);
	cr_expect_eq(by_proc.exit.code, by_bpf.exit.code);
	cr_expect_eq(by_proc.child_signal, by_bpf.child_signal);
	cr_expect_eq(by_proc.processes, by_bpf.processes);
}

/* Registered while sigsysd runs, killed (in a child forked meanwhile) while it is stopped:
 * the task's processes are found in the store at start and the drained fork, kill and exit
 * are attributed to it. */
Test(bpf, a_task_registered_before_a_restart_is_attributed_after_it, .timeout = 120)
{
	struct daemon_run d;
	char profile[160], cmd[512];
	daemon_run_dirs(&d, "bpf");
	write_profile(&d, "SCMP_ACT_KILL_PROCESS", profile, sizeof(profile));
	daemon_run_start_sources(&d, "bpf");
	format_into(cmd, sizeof(cmd), "sleep 1; '%s' umask:022; exit 3", env_path("SIGSYS_PROBE"));
	char *argv[] = {(char *)env_path("SIGSYS_APPLY"),
			"-q",
			"--run-dir",
			d.run_dir,
			"--profile",
			profile,
			"--no-cache",
			"--caps",
			"",
			"--task-id",
			"t-restart",
			"--",
			"/bin/sh",
			"-c",
			cmd,
			NULL};
	pid_t task = harness_spawn(argv, NULL);
	harness_sleep_ms(400); /* registered by now; the kill comes after a second */
	daemon_run_stop(&d);
	int status = harness_wait(task);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 3, "status %#x", status);

	daemon_run_start_sources(&d, "bpf");
	struct kills k = wait_kill(&d, "t-restart", umask_nr(), SECCOMP_EVENT_SOURCE_BPF);
	expect_umask_kill(&k, SECCOMP_RET_KILL_PROCESS);
	struct run_facts f = {0};
	struct store_options o;
	store_options_init(&o);
	o.read_only = true;
	for (int i = 0; i < 50 && f.exit.kind == STORE_EXIT_NONE; i++) {
		struct store *st = NULL;
		if (store_open(d.db, &o, &st, NULL) == 0) {
			store_get_task(st, "t-restart", task_exit, &f, NULL);
			store_close(st);
		}
		harness_sleep_ms(100);
	}
	cr_expect_eq(f.exit.kind, STORE_EXIT_STATUS, "the exit while down: kind %d", f.exit.kind);
	cr_expect_eq(f.exit.code, 3);

	daemon_run_stop(&d);
	daemon_run_remove(&d);
}

/* ---- loading, and running without it -------------------------------------------------- */

Test(bpf, the_programs_load_and_attach_on_this_kernel)
{
	char why[256];
	int r = bpf_source_probe(why, sizeof(why));
	cr_expect_eq(r, 0, "%s", why);
}

static bool source_on(struct json_object *health, const char *name)
{
	struct json_object *sources, *v;
	cr_assert(json_object_object_get_ex(health, "sources", &sources));
	return json_object_object_get_ex(sources, name, &v) && json_object_get_boolean(v);
}

/* sigsysd with its default sources and without CAP_BPF and CAP_SYS_ADMIN: it runs on audit
 * and says why bpf is off; with them, bpf is on. */
Test(bpf, without_bpf_sigsysd_runs_on_audit_and_says_so, .timeout = 120)
{
	struct daemon_run d;
	char sock[160];
	daemon_run_dirs(&d, "bpf");
	char *argv[] = {"/usr/bin/setpriv",
			"--bounding-set",
			"-bpf,-sys_admin,-perfmon",
			"--",
			(char *)env_path("SIGSYSD"),
			"--foreground",
			"--run-dir",
			d.run_dir,
			"--db",
			d.db,
			"--profile-dir",
			(char *)env_path("SIGSYS_PROFILES"),
			NULL};
	d.pid = harness_spawn(argv, NULL);
	format_into(sock, sizeof(sock), "%s/api.sock", d.run_dir);
	for (int i = 0; i < 100 && access(sock, F_OK) < 0; i++)
		harness_sleep_ms(50);
	struct json_object *h = get_json(&d, "/v1/health");
	struct json_object *why = NULL;
	cr_expect(source_on(h, "audit"), "%s", json_object_to_json_string(h));
	cr_expect(!source_on(h, "bpf"), "%s", json_object_to_json_string(h));
	cr_expect(json_object_object_get_ex(h, "bpf_unavailable", &why) &&
			  strstr(json_object_get_string(why), "Operation not permitted"),
		  "health does not say why: %s", json_object_to_json_string(h));
	json_object_put(h);
	daemon_run_stop(&d);

	/* sigsys doctor, under the same limits and without them */
	char *doctor[] = {"/usr/bin/setpriv",
			  "--bounding-set",
			  "-bpf,-sys_admin,-perfmon",
			  "--",
			  (char *)env_path("SIGSYS_CLI"),
			  "doctor",
			  NULL};
	char out[160], text[16384];
	format_into(out, sizeof(out), "%s/doctor.out", d.dir);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out, O_WRONLY | O_CREAT | O_TRUNC,
					 0600);
	cr_expect_eq(harness_wait(harness_spawn(doctor, &fa)), 0);
	read_text(out, text, sizeof(text));
	cr_expect(strstr(text, "missing  BPF:") && strstr(text, "audit alone"),
		  "doctor does not say the bpf source cannot run: %s", text);
	harness_wait(harness_spawn(doctor + 4, &fa));
	read_text(out, text, sizeof(text));
	cr_expect(strstr(text, "ok       BPF:"), "doctor: %s", text);
	posix_spawn_file_actions_destroy(&fa);

	daemon_run_start_sources(&d, "audit,proc,bpf");
	h = get_json(&d, "/v1/health");
	cr_expect(source_on(h, "bpf"), "%s", json_object_to_json_string(h));
	json_object_put(h);
	daemon_run_stop(&d);
	daemon_run_remove(&d);
}

/* ---- the decoder, pure: bytes as the programs write them in, events out ------------------ */

static struct sigsys_bpf_event sample(uint32_t type)
{
	return (struct sigsys_bpf_event){.type = type,
					 .time_ns = 1000,
					 .start_ns = 77,
					 .tgid = 100,
					 .tid = 101,
					 .arch = AUDIT_ARCH_X86_64,
					 .nr = 95,
					 .action = SECCOMP_RET_KILL_PROCESS,
					 .args = {022, 1, 2, 3, 4, 5},
					 .ip = 0x401000,
					 .comm = "probe"};
}

Test(bpf_decode, a_kill_becomes_a_seccomp_event)
{
	struct sigsys_bpf_event b = sample(SIGSYS_BPF_KILL);
	struct bpf_source_item it;
	cr_assert_eq(bpf_source_decode(&b, sizeof(b), 5000, &it), 0);
	cr_expect(it.is_event);
	cr_expect_eq(it.start_ns, 77);
	cr_expect_eq(it.event.time_ns, 6000, "monotonic stamp moved to realtime");
	cr_expect_eq(it.event.pid, 100);
	cr_expect_eq(it.event.tid, 101);
	cr_expect_eq(it.event.nr, 95);
	cr_expect_eq(it.event.code, SECCOMP_RET_KILL_PROCESS);
	cr_expect_eq(it.event.sig, SIGSYS);
	cr_expect_eq(it.event.sources, SECCOMP_EVENT_SOURCE_BPF);
	cr_expect(it.event.has_args && it.event.args[0] == 022 && it.event.args[5] == 5);
	cr_expect_eq(it.event.auid, SECCOMP_EVENT_ID_UNSET);
	cr_expect_str_eq(it.event.comm, "probe");
}

Test(bpf_decode, a_trap_keeps_its_data_and_sends_no_kill_signal)
{
	struct sigsys_bpf_event b = sample(SIGSYS_BPF_TRAP);
	struct bpf_source_item it;
	b.action = SECCOMP_RET_TRAP;
	b.data = 7;
	b.arch = AUDIT_ARCH_I386;
	cr_assert_eq(bpf_source_decode(&b, sizeof(b), 0, &it), 0);
	cr_expect_eq(it.event.code, SECCOMP_RET_TRAP | 7);
	cr_expect_eq(it.event.sig, 0);
	cr_expect_eq(it.event.compat, 1);
}

Test(bpf_decode, forks_and_exits_become_process_changes)
{
	struct sigsys_bpf_event b = sample(SIGSYS_BPF_FORK);
	struct bpf_source_item it;
	b.tid = b.tgid;
	b.parent_tgid = b.parent_tid = 50;
	cr_assert_eq(bpf_source_decode(&b, sizeof(b), 0, &it), 0);
	cr_expect(!it.is_event);
	cr_expect_eq(it.change.type, PROC_CHANGE_FORK);
	cr_expect_eq(it.change.fork.parent_tgid, 50);
	cr_expect_eq(it.change.time_ns, 1000, "monotonic, as the connector's");

	b = sample(SIGSYS_BPF_EXIT);
	b.tid = b.tgid;
	b.exit_code = 3 << 8;
	cr_assert_eq(bpf_source_decode(&b, sizeof(b), 0, &it), 0);
	cr_expect_eq(it.change.type, PROC_CHANGE_EXIT);
	cr_expect_eq(it.change.exit.how, PROC_EXIT_STATUS);
	cr_expect_eq(it.change.exit.status, 3);
	b.exit_code = SIGSYS | 0x80;
	cr_assert_eq(bpf_source_decode(&b, sizeof(b), 0, &it), 0);
	cr_expect_eq(it.change.exit.how, PROC_EXIT_SIGNAL);
	cr_expect_eq(it.change.exit.signal, SIGSYS);
	cr_expect(it.change.exit.core_dumped);
}

Test(bpf_decode, what_is_not_a_sample_is_refused)
{
	struct bpf_source_item it;
	struct sigsys_bpf_event b = sample(SIGSYS_BPF_KILL);
	cr_expect_eq(bpf_source_decode(&b, sizeof(b) - 8, 0, &it), -EINVAL, "short");
	cr_expect_eq(bpf_source_decode(&b, sizeof(b) + 8, 0, &it), -EINVAL, "long");
	b.type = 99;
	cr_expect_eq(bpf_source_decode(&b, sizeof(b), 0, &it), -EINVAL, "unknown type");
	b = sample(SIGSYS_BPF_KILL);
	b.tgid = 0;
	cr_expect_eq(bpf_source_decode(&b, sizeof(b), 0, &it), -EINVAL, "tgid 0");
	b = sample(SIGSYS_BPF_KILL);
	b.tid = PROC_PID_MAX + 1;
	cr_expect_eq(bpf_source_decode(&b, sizeof(b), 0, &it), -EINVAL, "tid beyond pid_max");
	b = sample(SIGSYS_BPF_KILL);
	b.arch = 0x12345;
	cr_expect_eq(bpf_source_decode(&b, sizeof(b), 0, &it), -EINVAL, "unknown arch");
	b = sample(SIGSYS_BPF_KILL);
	b.action = SECCOMP_RET_LOG;
	cr_expect_eq(bpf_source_decode(&b, sizeof(b), 0, &it), -EINVAL, "not a kill or trap");
	b = sample(SIGSYS_BPF_FORK);
	b.parent_tgid = -1;
	cr_expect_eq(bpf_source_decode(&b, sizeof(b), 0, &it), -EINVAL, "negative parent");
}
