/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsys — the command line: "my task failed — was it seccomp, which syscall, under which
 * rule, and will restarting help?", and the profile tools to check profiles before they
 * reach an agent. Exit status: 0 ok, 1 failure or invalid, 2 usage error, 3 unknown task.
 */
#include "cli.h"
#include "sigsys.h"

#include <getopt.h>
#include <seccomp.h>
#include <string.h>

struct command {
	const char *name;
	int (*run)(int argc, char **argv); /* NULL: not available in this version yet */
	const char *summary;
};

static const struct command commands[] = {
	{"profile", profile_main, "check, explain, fingerprint and compare seccomp profiles"},
	{"report", report_main, "why a task failed: seccomp or not, which syscall, which rule"},
	{"events", events_main, "the seccomp decisions sigsysd recorded"},
	{"suggest", suggest_main, "the smallest profile change that would have let a task run"},
	{"doctor", doctor_main, "what this kernel and agent can do"},
};

void cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("sigsys: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *help_command, const char *fmt, ...)
{
	va_list ap;
	fputs("sigsys: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", help_command);
	return EXIT_USAGE;
}

static void usage(FILE *out)
{
	fputs("Usage: sigsys COMMAND [ARGS...]\n"
	      "\n"
	      "Find out what seccomp did to a task, and check profiles before they reach an "
	      "agent.\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-9s %s%s\n", commands[i].name, commands[i].summary,
			commands[i].run ? "" : " (not available yet)");
	fputs("\n"
	      "Options:\n"
	      "  -h, --help   this text; 'sigsys COMMAND --help' explains a command\n"
	      "  --version    the versions of sigsys and libseccomp\n"
	      "\n"
	      "Exit status: 0 success; 1 failure (an invalid profile, differing decisions);\n"
	      "2 usage error; 3 unknown task (sigsys report).\n"
	      "\n"
	      "Example: sigsys profile check --target mesos /opt/mesosphere/etc/dcos/mesos/"
	      "seccomp/*.json\n",
	      out);
}

static void version(void)
{
	const struct scmp_version *v = seccomp_version();
	printf("sigsys %s (libseccomp %u.%u.%u)\n", SIGSYS_VERSION, v->major, v->minor, v->micro);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	int opt;

	/* "+": options after COMMAND belong to it */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			version();
			return EXIT_OK;
		default:
			return cli_usage_error("sigsys", "unknown option \"%s\"", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("sigsys", "no command given (expected one of: profile, "
						 "report, events, suggest, doctor)");
	const struct command *cmd = find_command(argv[optind]);
	if (!cmd)
		return cli_usage_error("sigsys",
				       "unknown command \"%s\" (expected one of: profile, report, "
				       "events, suggest, doctor)",
				       argv[optind]);
	if (!cmd->run) {
		cli_error("'sigsys %s' is not available in this version (%s)", cmd->name,
			  SIGSYS_VERSION);
		return EXIT_USAGE;
	}
	return cmd->run(argc - optind, argv + optind);
}
