/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsysd — the per-agent tracer: takes task registrations (register.sock and the spool),
 * follows their processes (process connector), reads every seccomp decision (audit
 * multicast), attributes each to its task and stores it. One thread, one event loop.
 */
#include "audit.h"
#include "daemon.h"
#include "proc.h"
#include "registration.h"

#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

static void usage(FILE *out)
{
	fputs("Usage: sigsysd [OPTIONS]\n"
	      "\n"
	      "The per-agent seccomp tracer: registrations from sigsys-apply, every seccomp\n"
	      "decision from the kernel, attributed to its task and stored for 'sigsys report'.\n"
	      "\n"
	      "  --run-dir DIR         sockets and spool (default " DAEMON_RUN_DIR ")\n"
	      "  --db FILE             the SQLite store (default " DAEMON_DB ")\n"
	      "  --sources LIST        audit,proc,bpf,notify (default: every one this kernel\n"
	      "                        allows); without notify, notify mode and the OCI\n"
	      "                        agent (notify.sock) are off\n"
	      "  --redact              keep the strings of notified calls (paths) out of the\n"
	      "                        store\n"
	      "  --profile-dir DIR     the agent's profiles (default " DAEMON_PROFILE_DIR ")\n"
	      "  --api-group GROUP     group that may read the API socket\n"
	      "  --register-group GROUP  group that may register tasks besides root\n"
	      "  --foreground          do not detach; log to stderr\n"
	      "  --audit-rcvbuf BYTES  the audit socket's receive buffer (default 64 MiB); a\n"
	      "                        testing aid: a small one makes the kernel drop records\n"
	      "  -h, --help  --version\n"
	      "\n"
	      "Example: sigsysd --foreground --run-dir /tmp/sigsys --db /tmp/sigsys.db\n",
	      out);
}

enum {
	OPT_RUN_DIR = 256,
	OPT_DB,
	OPT_SOURCES,
	OPT_PROFILE_DIR,
	OPT_API_GROUP,
	OPT_REGISTER_GROUP,
	OPT_FOREGROUND,
	OPT_REDACT,
	OPT_AUDIT_RCVBUF,
	OPT_VERSION
};

static const struct option options[] = {
	{"run-dir", required_argument, NULL, OPT_RUN_DIR},
	{"db", required_argument, NULL, OPT_DB},
	{"sources", required_argument, NULL, OPT_SOURCES},
	{"profile-dir", required_argument, NULL, OPT_PROFILE_DIR},
	{"api-group", required_argument, NULL, OPT_API_GROUP},
	{"register-group", required_argument, NULL, OPT_REGISTER_GROUP},
	{"foreground", no_argument, NULL, OPT_FOREGROUND},
	{"redact", no_argument, NULL, OPT_REDACT},
	{"audit-rcvbuf", required_argument, NULL, OPT_AUDIT_RCVBUF},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{0},
};

static int parse_group(const char *name, gid_t *ret)
{
	struct group *g = getgrnam(name);
	if (!g)
		return -ENOENT;
	*ret = g->gr_gid;
	return 0;
}

static int parse_sources(const char *list, unsigned *ret)
{
	_cleanup_free_ char *copy = strdup(list);
	char *save = NULL;
	int names = 0;
	*ret = 0;
	if (!copy)
		return -ENOMEM;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save), names++) {
		if (strcmp(t, "audit") == 0)
			*ret |= DAEMON_SOURCE_AUDIT;
		else if (strcmp(t, "proc") == 0)
			*ret |= DAEMON_SOURCE_PROC;
		else if (strcmp(t, "bpf") == 0)
			*ret |= DAEMON_SOURCE_BPF;
		else if (strcmp(t, "notify") == 0)
			*ret |= DAEMON_SOURCE_NOTIFY;
		else
			return -EINVAL;
	}
	return names ? 0 : -EINVAL;
}

/* A size in bytes, within what SO_RCVBUFFORCE takes (the kernel doubles it, into an int). */
static int parse_rcvbuf(const char *text, int *ret)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v < 1024 || v > (1ull << 30))
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

/* Configuration errors are reported here, before anything is created or detached. */
static int parse_args(int argc, char **argv, struct daemon_config *c)
{
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		switch (opt) {
		case OPT_RUN_DIR:
			c->run_dir = optarg;
			break;
		case OPT_DB:
			c->db = optarg;
			break;
		case OPT_PROFILE_DIR:
			c->profile_dir = optarg;
			break;
		case OPT_FOREGROUND:
			c->foreground = true;
			break;
		case OPT_REDACT:
			c->redact = true;
			break;
		case OPT_SOURCES:
			if (parse_sources(optarg, &c->sources) < 0)
				return daemon_usage_error("--sources \"%s\": expected a list of "
							  "audit, proc, bpf and notify",
							  optarg);
			c->sources_given = true;
			break;
		case OPT_AUDIT_RCVBUF:
			if (parse_rcvbuf(optarg, &c->audit_rcvbuf) < 0)
				return daemon_usage_error(
					"--audit-rcvbuf \"%s\": expected a number "
					"of bytes from 1024 to 1 GiB",
					optarg);
			break;
		case OPT_API_GROUP:
			if (parse_group(optarg, &c->api_group) < 0)
				return daemon_usage_error("--api-group \"%s\": no such group",
							  optarg);
			c->has_api_group = true;
			break;
		case OPT_REGISTER_GROUP:
			if (parse_group(optarg, &c->register_group) < 0)
				return daemon_usage_error("--register-group \"%s\": no such group",
							  optarg);
			c->has_register_group = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case OPT_VERSION:
			printf("sigsysd %s\n", SIGSYS_VERSION);
			exit(0);
		case ':':
			return daemon_usage_error("option \"%s\" needs a value", argv[optind - 1]);
		default:
			return daemon_usage_error("unknown option \"%s\" (see sigsysd --help)",
						  argv[optind - 1]);
		}
	}
	if (optind < argc)
		return daemon_usage_error("unexpected argument \"%s\"", argv[optind]);
	if (geteuid() != 0)
		return daemon_usage_error("must run as root: it reads audit and the process "
					  "connector and checks every peer");
	return 0;
}

/* Detach before anything is opened (SQLite and locks must not cross a fork), but report
 * start-up errors to the caller: the first parent waits for one status byte on a pipe. */
static int detach(int *ret_ready_fd)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		unsigned char status = 1;
		close(pipefd[1]);
		if (read(pipefd[0], &status, 1) != 1)
			status = 1;
		_exit(status);
	}
	close(pipefd[0]);
	if (setsid() < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	*ret_ready_fd = pipefd[1];
	return chdir("/") < 0 ? -errno : 0;
}

/* Started (or not): tell the waiting parent, and let go of the terminal. */
static void detached(int ready_fd, bool ok)
{
	unsigned char status = ok ? 0 : 1;
	if (write(ready_fd, &status, 1) < 0)
		daemon_log(LOG_WARNING, "cannot tell the parent it started: %m");
	close(ready_fd);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(null);
	}
	daemon_log_init(false);
}

/* Every notify-mode task holds a listener open here (up to NOTIFY_LISTENERS_MAX): the soft
 * limit of open files, often 1024, goes up to the hard one. */
static void raise_nofile_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			fprintf(stderr, "sigsysd: cannot raise the open files limit: %m\n");
	}
}

#define RESTART_ENV "SIGSYSD_RESTARTED"

/* The binary's path, taken at start: after an upgrade it names the new binary, while
 * /proc/self/exe would still be the old, replaced one. */
static char own_path[PATH_MAX];

/* Exec sigsysd again, same arguments; the listeners stay open across it (NOTIFY_ENV lists
 * them), so no notified task sees ENOSYS. Returns only when the exec failed. */
static int restart(char **argv, bool detached)
{
	setenv(RESTART_ENV, detached ? "detached" : "foreground", 1);
	execv(own_path[0] ? own_path : "/proc/self/exe", argv);
	daemon_log(LOG_ERR, "restart: cannot exec sigsysd again: %m; the listeners are lost");
	return 1;
}

int main(int argc, char **argv)
{
	static struct daemon d;
	int ready_fd = -1;
	daemon_config_init(&d.config);
	raise_nofile_limit();
	ssize_t n = readlink("/proc/self/exe", own_path, sizeof(own_path) - 1);
	own_path[n > 0 ? n : 0] = '\0';
	if (parse_args(argc, argv, &d.config) < 0)
		return 2;
	daemon_log_init(true);
	/* A restart (SIGHUP) execs sigsysd in place: it is detached already. */
	const char *restarted = getenv(RESTART_ENV);
	bool was_detached = restarted && strcmp(restarted, "detached") == 0;
	unsetenv(RESTART_ENV);
	if (was_detached)
		daemon_log_init(false);
	else if (!d.config.foreground && !restarted && detach(&ready_fd) < 0) {
		daemon_log(LOG_ERR, "cannot detach: %m");
		return 1;
	}
	int r = daemon_start(&d);
	if (ready_fd >= 0)
		detached(ready_fd, r >= 0);
	if (r < 0)
		return 1;
	r = daemon_run(&d);
	daemon_stop(&d);
	if (r >= 0 && d.restarting)
		return restart(argv, !d.config.foreground || was_detached);
	return r < 0 ? 1 : 0;
}
