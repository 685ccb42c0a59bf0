/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsys doctor: what this kernel and agent can do for sigsys — seccomp actions available
 * and logged, the audit multicast, the process connector, BTF and BPF, user notification,
 * libseccomp, sigsysd's socket. Each check says what it tried, and what its answer means.
 */
#include "bpf-source.h"
#include "cli.h"
#include "output.h"
#include "proc.h"

#include <getopt.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>

#define RUN_DIR_DEFAULT	   "/run/sigsys"
#define ACTIONS_AVAIL_PATH "/proc/sys/kernel/seccomp/actions_avail"
#define ACTIONS_LOG_PATH   "/proc/sys/kernel/seccomp/actions_logged"
#define BTF_PATH	   "/sys/kernel/btf/vmlinux"

struct check {
	bool ok;
	char detail[512];  /* what was found, or what failed */
	char meaning[512]; /* what that means for sigsys */
};

struct doctor_opts {
	enum out_format format;
	const char *run_dir;
};

static void usage(FILE *f)
{
	fputs("Usage: sigsys doctor [--run-dir DIR] [--format text|json]\n"
	      "\n"
	      "What this kernel and agent can do for sigsys: seccomp actions available and\n"
	      "logged, the audit multicast group, the process connector, BTF and BPF, seccomp\n"
	      "user notification, libseccomp, and whether sigsysd answers. Each check says what\n"
	      "it tried and what its answer means. Run it as root, as sigsysd runs.\n"
	      "\n"
	      "  --run-dir DIR   sigsysd's run directory (default $SIGSYS_RUN_DIR, or\n"
	      "                  " RUN_DIR_DEFAULT ")\n"
	      "  --format text|json\n"
	      "  -h, --help      this text\n"
	      "\n"
	      "Exit status: 0 (whatever the checks found); 1 failure; 2 usage error.\n",
	      f);
}

/* ---- seccomp actions ---------------------------------------------------------------------- */

static bool word_in(const char *list, const char *word)
{
	size_t len = strlen(word);
	for (const char *p = list; (p = strstr(p, word)); p += len)
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
			return true;
	return false;
}

/* Reads a one-line sysctl into buf, newline removed. */
static int read_sysctl(const char *path, char *buf, size_t size, struct check *c)
{
	_cleanup_free_ char *text = NULL;
	int r = read_file_bounded(path, 4096, &text, NULL);
	if (r < 0) {
		format_into(c->detail, sizeof(c->detail), "cannot read %s: %s", path, strerror(-r));
		return r;
	}
	text[strcspn(text, "\n")] = '\0';
	format_into(buf, size, "%s", text);
	return 0;
}

/* The words of `wanted` missing from list, space separated. */
static void missing_words(const char *list, const char *const *wanted, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; wanted[i]; i++) {
		if (word_in(list, wanted[i]))
			continue;
		size_t len = strlen(buf);
		format_into(buf + len, size - len, "%s%s", len ? " " : "", wanted[i]);
	}
}

static void check_actions_avail(struct check *c, _unused_ const struct doctor_opts *o)
{
	static const char *const wanted[] = {"kill_process", "errno", "log", "user_notif", NULL};
	char list[256], missing[128];
	if (read_sysctl(ACTIONS_AVAIL_PATH, list, sizeof(list), c) < 0) {
		format_into(c->meaning, sizeof(c->meaning),
			    "no seccomp filter support (CONFIG_SECCOMP_FILTER): sigsys cannot "
			    "enforce anything");
		return;
	}
	missing_words(list, wanted, missing, sizeof(missing));
	c->ok = !missing[0];
	format_into(c->detail, sizeof(c->detail), "%s%s%s", list, missing[0] ? "; missing: " : "",
		    missing);
	format_into(c->meaning, sizeof(c->meaning), "%s",
		    c->ok ? "every mode can load its actions: enforce, log (log), kill "
			    "(kill_process), notify (user_notif)"
			  : "the modes needing a missing action cannot load: log needs log, kill "
			    "needs kill_process, notify needs user_notif");
}

static void check_actions_logged(struct check *c, _unused_ const struct doctor_opts *o)
{
	static const char *const wanted[] = {"kill_process", "kill_thread", "trap",
					     "errno",	     "log",	    NULL};
	char list[256], missing[128];
	if (read_sysctl(ACTIONS_LOG_PATH, list, sizeof(list), c) < 0) {
		format_into(c->meaning, sizeof(c->meaning),
			    "this kernel does not say which actions reach audit (before 4.14)");
		return;
	}
	missing_words(list, wanted, missing, sizeof(missing));
	c->ok = !missing[0];
	format_into(c->detail, sizeof(c->detail), "%s%s%s", list,
		    missing[0] ? "; not logged: " : "", missing);
	if (c->ok)
		format_into(c->meaning, sizeof(c->meaning),
			    "every denial reaches audit: kills, ERRNO denials (sigsys loads its "
			    "filters with SECCOMP_FILTER_FLAG_LOG) and logged calls");
	else
		format_into(c->meaning, sizeof(c->meaning),
			    "denials by %s never reach audit, so reports cannot see them: add them "
			    "to %s",
			    missing, ACTIONS_LOG_PATH);
}

/* ---- sources ------------------------------------------------------------------------------ */

static void check_audit(struct check *c, _unused_ const struct doctor_opts *o)
{
	struct sockaddr_nl addr = {.nl_family = AF_NETLINK,
				   .nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1)};
	_cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	int r = fd < 0 ? -errno : 0;
	if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		r = -errno;
	c->ok = r == 0;
	if (c->ok) {
		format_into(c->detail, sizeof(c->detail),
			    "bound a NETLINK_AUDIT socket to AUDIT_NLGRP_READLOG");
		format_into(c->meaning, sizeof(c->meaning),
			    "sigsysd's audit source can read every seccomp record, beside auditd "
			    "(it never takes auditd's place)");
		return;
	}
	format_into(c->detail, sizeof(c->detail), "%s a NETLINK_AUDIT socket: %s",
		    fd < 0 ? "cannot open" : "cannot bind to AUDIT_NLGRP_READLOG", strerror(-r));
	format_into(
		c->meaning, sizeof(c->meaning), "%s",
		r == -EPERM || r == -EACCES
			? "the audit source needs CAP_AUDIT_READ: run sigsysd (and this) as root"
			: "no audit in this kernel (CONFIG_AUDIT): sigsysd cannot see ERRNO or "
			  "LOG decisions");
}

static void check_proc_connector(struct check *c, _unused_ const struct doctor_opts *o)
{
	int fd = proc_open(0, 65536);
	c->ok = fd >= 0;
	if (c->ok) {
		int r = proc_close(fd);
		format_into(c->detail, sizeof(c->detail),
			    "subscribed to the process connector and the kernel acknowledged%s",
			    r < 0 ? " (the unsubscribe failed)" : "");
		format_into(c->meaning, sizeof(c->meaning),
			    "sigsysd sees fork, exec and exit of every process: kills in child "
			    "processes are attributed, exit statuses recorded");
		return;
	}
	format_into(c->detail, sizeof(c->detail), "proc_open: %s", strerror(-fd));
	format_into(c->meaning, sizeof(c->meaning), "%s",
		    fd == -EPERM ? "the proc source needs CAP_NET_ADMIN: run sigsysd (and this) "
				   "as root"
		    : fd == -ETIMEDOUT
			    ? "no CONFIG_PROC_EVENTS, or not in the initial namespaces: no "
			      "process tree, exits unknown"
			    : "no process connector: no process tree, exits unknown");
}

static void check_btf(struct check *c, _unused_ const struct doctor_opts *o)
{
	struct stat st;
	c->ok = stat(BTF_PATH, &st) == 0;
	format_into(c->detail, sizeof(c->detail), c->ok ? "%s exists" : "%s: %m", BTF_PATH);
	format_into(c->meaning, sizeof(c->meaning), "%s",
		    c->ok ? "CO-RE BPF programs can be relocated for this kernel"
			  : "no kernel BTF (CONFIG_DEBUG_INFO_BTF): the bpf source cannot load "
			    "CO-RE programs");
}

/* sigsysd's own BPF object, loaded and attached to its raw tracepoints, then detached. */
static void check_bpf(struct check *c, _unused_ const struct doctor_opts *o)
{
	int r = bpf_source_probe(c->detail, sizeof(c->detail));
	c->ok = r == 0;
	format_into(c->meaning, sizeof(c->meaning), "%s",
		    c->ok ? "sigsysd's bpf source runs here: kills with their six arguments and "
			    "thread id, thread kills that never signal, and kills while sigsysd "
			    "is down (its rings are pinned in " BPF_SOURCE_PIN_BASE ")"
		    : r == -EPERM
			    ? "no BPF for this user (CAP_BPF or CAP_SYS_ADMIN): sigsysd runs on "
			      "audit alone — kills without arguments, thread kills audit misses "
			      "go unseen, nothing is recorded while it is down"
			    : "sigsysd's programs do not load here: it runs on audit alone — kills "
			      "without arguments, thread kills audit misses go unseen");
}

static void check_notify(struct check *c, _unused_ const struct doctor_opts *o)
{
	struct seccomp_notif_sizes sizes = {0};
	c->ok = syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0;
	if (c->ok)
		format_into(c->detail, sizeof(c->detail),
			    "SECCOMP_GET_NOTIF_SIZES: notif %u, resp %u, data %u bytes",
			    sizes.seccomp_notif, sizes.seccomp_notif_resp, sizes.seccomp_data);
	else
		format_into(c->detail, sizeof(c->detail), "SECCOMP_GET_NOTIF_SIZES: %m");
	format_into(c->meaning, sizeof(c->meaning), "%s",
		    c->ok ? "notify mode and OCI listenerPath agents can work on this kernel"
			  : "no seccomp user notification (before 5.0): notify mode cannot run");
}

static void check_libseccomp(struct check *c, _unused_ const struct doctor_opts *o)
{
	const struct scmp_version *v = seccomp_version();
	unsigned level = seccomp_api_get();
	c->ok = level >= 5;
	format_into(c->detail, sizeof(c->detail), "libseccomp %u.%u.%u, API level %u", v->major,
		    v->minor, v->micro, level);
	format_into(c->meaning, sizeof(c->meaning), "%s",
		    c->ok ? "the library can compile every action and flag sigsys uses"
			  : "API level below 5: notify actions cannot be compiled");
}

static void check_sigsysd(struct check *c, const struct doctor_opts *o)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	format_into(addr.sun_path, sizeof(addr.sun_path), "%s/register.sock", o->run_dir);
	c->ok = fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
	if (c->ok)
		format_into(c->detail, sizeof(c->detail),
			    "%s accepts connections (its HTTP API, api.sock, is not in this "
			    "version)",
			    addr.sun_path);
	else
		format_into(c->detail, sizeof(c->detail), "connect %s: %m", addr.sun_path);
	format_into(c->meaning, sizeof(c->meaning), "%s",
		    c->ok ? "launches register their tasks; reports read its store with --db"
			  : "sigsysd is not running here (or uses another --run-dir): launches "
			    "spool their registrations, and nothing is recorded until it starts");
}

/* ---- the command ------------------------------------------------------------------------ */

static void out_check(struct out *out, const char *name, const struct check *c)
{
	out_object_begin(out, NULL);
	out_string(out, "status", "%-8s", c->ok ? "ok" : "missing");
	out_bool(out, "ok", NULL, c->ok);
	out_string(out, "name", " %s: ", name);
	out_string(out, "detail", "%s\n", c->detail);
	out_string(out, "meaning", "         %s\n", c->meaning);
	out_object_end(out);
}

static const struct {
	const char *name;
	void (*run)(struct check *c, const struct doctor_opts *o);
} checks[] = {
	{"seccomp actions available", check_actions_avail},
	{"seccomp actions logged", check_actions_logged},
	{"audit multicast", check_audit},
	{"proc connector", check_proc_connector},
	{"BTF", check_btf},
	{"BPF", check_bpf},
	{"seccomp user notification", check_notify},
	{"libseccomp", check_libseccomp},
	{"sigsysd", check_sigsysd},
};

static void run_checks(struct out *out, const struct doctor_opts *o)
{
	struct utsname uts;
	unsigned n_ok = 0;
	uname(&uts);
	out_object_begin(out, NULL);
	out_string(out, "kernel", "kernel %s", uts.release);
	out_string(out, "machine", " (%s)\n", uts.machine);
	out_array_begin(out, "checks");
	for (size_t i = 0; i < ARRAY_SIZE(checks); i++) {
		struct check c = {0};
		checks[i].run(&c, o);
		out_check(out, checks[i].name, &c);
		n_ok += c.ok;
	}
	out_array_end(out);
	out_uint(out, "ok", "%ju of ", n_ok);
	out_uint(out, "checks_run", "%ju checks ok\n", ARRAY_SIZE(checks));
	out_object_end(out);
}

/* Returns EXIT_OK with *o filled, -1 when --help was printed, or an exit status. */
static int parse_options(int argc, char **argv, struct doctor_opts *o)
{
	static const struct option options[] = {
		{"format", required_argument, NULL, 'f'},
		{"run-dir", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *env = getenv("SIGSYS_RUN_DIR");
	int opt;
	*o = (struct doctor_opts){.run_dir = env && *env ? env : RUN_DIR_DEFAULT};
	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return -1;
		case 'f':
			if (out_format_from_name(optarg, &o->format) < 0)
				return cli_usage_error("sigsys doctor",
						       "--format \"%s\": expected text or json",
						       optarg);
			break;
		case 'r':
			o->run_dir = optarg;
			break;
		case ':':
			return cli_usage_error("sigsys doctor", "option \"%s\" needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("sigsys doctor", "unknown option \"%s\"",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("sigsys doctor", "unexpected \"%s\"", argv[optind]);
	return EXIT_OK;
}

int doctor_main(int argc, char **argv)
{
	_cleanup_out_ struct out *out = NULL;
	struct doctor_opts o;
	int r = parse_options(argc, argv, &o);
	if (r != EXIT_OK)
		return r < 0 ? EXIT_OK : r;
	if (out_new(o.format, stdout, &out) < 0) {
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	run_checks(out, &o);
	if ((r = out_finish(out)) < 0) {
		cli_error("writing the output failed: %s", strerror(-r));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
