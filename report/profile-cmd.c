/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsys profile check|explain|digest|diff: the profile tools. Every answer comes from the
 * library's parser and compiled program, so it is what sigsys-apply would enforce.
 */
#include "cli.h"
#include "profile-cmd.h"

#include <getopt.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>

#define MAX_FILES 4096

enum {
	OPT_FORMAT = 256,
	OPT_TARGET,
	OPT_CAPS,
	OPT_STRICT,
	OPT_ARCH,
	OPT_MODE,
	OPT_ENOSYS,
	OPT_HELP = 'h',
};

#define ACCEPTS(opt) (1u << ((opt)-OPT_FORMAT))

static const struct option all_options[] = {
	{"format", required_argument, NULL, OPT_FORMAT},
	{"target", required_argument, NULL, OPT_TARGET},
	{"caps", required_argument, NULL, OPT_CAPS},
	{"strict", no_argument, NULL, OPT_STRICT},
	{"arch", required_argument, NULL, OPT_ARCH},
	{"mode", required_argument, NULL, OPT_MODE},
	{"enosys-newer", no_argument, NULL, OPT_ENOSYS},
	{"help", no_argument, NULL, OPT_HELP},
	{0},
};

struct subcommand {
	const char *name;
	int (*run)(const struct profile_opts *o, struct out *out);
	unsigned accepts; /* ACCEPTS(OPT_*) */
	int min_operands, max_operands;
	const char *synopsis;
};

static int profile_digest(const struct profile_opts *o, struct out *out);

static const struct subcommand subcommands[] = {
	{"check", profile_check, ACCEPTS(OPT_TARGET) | ACCEPTS(OPT_CAPS) | ACCEPTS(OPT_STRICT), 1,
	 MAX_FILES, "check [--target sigsys|mesos] [--caps LIST] [--strict] FILE..."},
	{"explain", profile_explain,
	 ACCEPTS(OPT_ARCH) | ACCEPTS(OPT_MODE) | ACCEPTS(OPT_CAPS) | ACCEPTS(OPT_ENOSYS), 2, 8,
	 "explain [--arch ARCH] [--mode MODE] [--caps LIST] FILE SYSCALL [ARG...]"},
	{"digest", profile_digest, 0, 1, MAX_FILES, "digest FILE..."},
	{"diff", profile_diff, ACCEPTS(OPT_MODE) | ACCEPTS(OPT_CAPS) | ACCEPTS(OPT_ENOSYS), 2, 2,
	 "diff [--caps LIST] [--mode MODE] A B"},
};

static void usage(FILE *f)
{
	fputs("Usage: sigsys profile check [--target sigsys|mesos] [--caps LIST] [--strict]\n"
	      "                            FILE...\n"
	      "       sigsys profile explain [--arch ARCH] [--mode MODE] [--caps LIST]\n"
	      "                              FILE SYSCALL [ARG...]\n"
	      "       sigsys profile digest FILE...\n"
	      "       sigsys profile diff [--caps LIST] [--mode MODE] A B\n"
	      "\n"
	      "Profiles as found in the wild: Docker/moby (old and new), Podman, an OCI\n"
	      "linux.seccomp object or a whole OCI config.json. Every answer comes from the\n"
	      "parser and the compiled BPF program that sigsys-apply loads.\n"
	      "\n"
	      "check    Parse and compile each FILE (mode enforce); list what was skipped and\n"
	      "         why: syscall names this libseccomp does not know, unknown keys, rules\n"
	      "         left out for the capabilities given or for this kernel. Exit 0 when\n"
	      "         every FILE is valid (warnings allowed), 1 when one is not.\n"
	      "  --target sigsys|mesos  mesos: also check the file against the Mesos isolator\n"
	      "                         (DC/OS): what it refuses makes the whole profile fail\n"
	      "                         on the agent (exit 1); what it silently ignores\n"
	      "                         (errnoRet, minKernel, flags) is a warning\n"
	      "  --strict               unknown syscall names are errors, not warnings\n"
	      "\n"
	      "explain  Which rule decides SYSCALL (a name or a number) called with ARGs\n"
	      "         (numbers: 42, 0x2a, -1 after '--'; missing ones are 0), and what the\n"
	      "         task sees.\n"
	      "  --arch x86_64|x86|x32  the calling convention (default: this machine's)\n"
	      "\n"
	      "digest   Print \"sha256:... FILE\" for each FILE, a digest of the profile's JSON\n"
	      "         written canonically: equal whatever the whitespace or key order, so\n"
	      "         agents can be compared. Exit 1 if a FILE is invalid.\n"
	      "\n"
	      "diff     Which syscalls change decision between profiles A and B: every\n"
	      "         syscall on every architecture, at the argument values their conditions\n"
	      "         test. Exit 0 when all decisions are equal, 1 when one differs, 2 when\n"
	      "         a profile is invalid (as diff(1)).\n"
	      "\n"
	      "Options:\n"
	      "  --caps LIST|all|auto   the capabilities includes/excludes are resolved\n"
	      "                         against, as the task holds them: CAP_A,CAP_B (CAP_\n"
	      "                         optional), all, or auto (this process's bounding set,\n"
	      "                         as Mesos does). Default: none\n"
	      "  --mode enforce|log|kill|notify\n"
	      "                         what sigsys-apply --mode would load (default enforce:\n"
	      "                         the actions as written)\n"
	      "  --enosys-newer         as sigsys-apply --enosys-newer: syscalls newer than\n"
	      "                         the profile knows get ENOSYS\n"
	      "  --format text|json     json: one JSON document on stdout, the same content\n"
	      "  -h, --help             this text\n"
	      "\n"
	      "Exit status: 0 success; 1 invalid profile, refused by Mesos, or differing\n"
	      "decisions; 2 usage error.\n"
	      "\n"
	      "Examples:\n"
	      "  sigsys profile check --target mesos /opt/mesosphere/etc/dcos/mesos/seccomp/*\n"
	      "  sigsys profile explain default.json clone3\n"
	      "  sigsys profile explain default.json personality 0xffffffff\n"
	      "  sigsys profile diff --caps CAP_SYS_CHROOT old.json new.json\n",
	      f);
}

/* ---- option parsing ---------------------------------------------------------------------- */

static int parse_arch(const char *name, uint32_t *ret)
{
	static const struct {
		const char *name;
		uint32_t token;
	} arches[] = {
		{"x86_64", SCMP_ARCH_X86_64}, {"amd64", SCMP_ARCH_X86_64}, {"x86", SCMP_ARCH_X86},
		{"i386", SCMP_ARCH_X86},      {"x32", SCMP_ARCH_X32},
	};
	for (size_t i = 0; i < ARRAY_SIZE(arches); i++)
		if (strcmp(name, arches[i].name) == 0) {
			*ret = arches[i].token;
			return 0;
		}
	return -EINVAL;
}

static int parse_caps(const char *text, struct profile_opts *o, const char *help)
{
	struct sigsys_error err;
	int r;
	o->caps_text = *text ? text : "none";
	if (strcmp(text, "auto") == 0)
		r = sigsys_caps_bounding(&o->caps);
	else
		r = sigsys_caps_parse(text, &o->caps, &err);
	if (r == -EINVAL)
		return cli_usage_error(help, "--caps: %s", err.message);
	if (r < 0) {
		cli_error("--caps auto: cannot read the capability bounding set: %s", strerror(-r));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* Only the options a subcommand accepts are known to getopt: the rest are errors. */
static size_t options_for(const struct subcommand *sub, struct option *out)
{
	size_t n = 0;
	for (size_t i = 0; all_options[i].name; i++) {
		int opt = all_options[i].val;
		if (opt == OPT_HELP || opt == OPT_FORMAT ||
		    (opt > OPT_FORMAT && (sub->accepts & ACCEPTS(opt))))
			out[n++] = all_options[i];
	}
	out[n] = (struct option){0};
	return n;
}

static int unknown_option(const struct subcommand *sub, const char *arg, const char *help)
{
	size_t len = strncmp(arg, "--", 2) == 0 ? strcspn(arg + 2, "=") : 0;
	for (size_t i = 0; len && all_options[i].name; i++)
		if (strlen(all_options[i].name) == len &&
		    strncmp(arg + 2, all_options[i].name, len) == 0)
			return cli_usage_error(
				help, "option \"%s\" does not apply to 'sigsys profile %s'", arg,
				sub->name);
	return cli_usage_error(help, "'sigsys profile %s': unknown option \"%s\"", sub->name, arg);
}

static int apply_option(int opt, const char *arg, struct profile_opts *o, const char *help)
{
	switch (opt) {
	case OPT_FORMAT:
		if (out_format_from_name(arg, &o->format) < 0)
			return cli_usage_error(help, "--format \"%s\": expected text or json", arg);
		return EXIT_OK;
	case OPT_TARGET:
		if (strcmp(arg, "sigsys") != 0 && strcmp(arg, "mesos") != 0)
			return cli_usage_error(help, "--target \"%s\": expected sigsys or mesos",
					       arg);
		o->target_mesos = strcmp(arg, "mesos") == 0;
		return EXIT_OK;
	case OPT_CAPS:
		return parse_caps(arg, o, help);
	case OPT_STRICT:
		o->strict = true;
		return EXIT_OK;
	case OPT_ENOSYS:
		o->enosys_newer = true;
		return EXIT_OK;
	case OPT_ARCH:
		if (parse_arch(arg, &o->arch) < 0)
			return cli_usage_error(help, "--arch \"%s\": expected x86_64, x86 or x32",
					       arg);
		return EXIT_OK;
	case OPT_MODE:
		if (sigsys_mode_from_name(arg, &o->mode) < 0)
			return cli_usage_error(
				help, "--mode \"%s\": expected enforce, log, kill or notify", arg);
		return EXIT_OK;
	default:
		return EXIT_USAGE;
	}
}

/* Returns EXIT_OK with *o filled, -1 when --help was printed, or an exit status. */
static int parse_options(const struct subcommand *sub, int argc, char **argv,
			 struct profile_opts *o)
{
	const char *help = "sigsys profile";
	struct option options[ARRAY_SIZE(all_options)];
	int opt, r;

	*o = (struct profile_opts){.caps_text = "none"};
	options_for(sub, options);
	opterr = 0;
	optind = 0; /* a fresh scan (glibc), permuting: options may follow the files */
	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		if (opt == OPT_HELP) {
			usage(stdout);
			return -1;
		}
		if (opt == ':')
			return cli_usage_error(help, "option \"%s\" needs a value",
					       argv[optind - 1]);
		if (opt == '?')
			return unknown_option(sub, argv[optind - 1], help);
		if ((r = apply_option(opt, optarg, o, help)) != EXIT_OK)
			return r;
	}
	o->operands = argv + optind;
	o->n_operands = argc - optind;
	if (o->n_operands < sub->min_operands || o->n_operands > sub->max_operands)
		return cli_usage_error(help, "usage: sigsys profile %s", sub->synopsis);
	return EXIT_OK;
}

/* ---- shared helpers ---------------------------------------------------------------------- */

int profile_load_compiled(const char *path, const struct profile_opts *o,
			  struct sigsys_profile **ret_profile, struct sigsys_filter **ret_filter,
			  struct sigsys_error *err)
{
	_cleanup_profile_ struct sigsys_profile *profile = NULL;
	struct sigsys_options options;
	int r = sigsys_profile_load(path, &profile, err);
	if (r < 0)
		return r;
	sigsys_options_init(&options);
	options.mode = o->mode;
	options.caps = o->caps;
	options.flags = (o->strict ? SIGSYS_OPT_STRICT : 0) |
			(o->enosys_newer ? SIGSYS_OPT_ENOSYS_NEWER : 0);
	if ((r = sigsys_compile(profile, &options, ret_filter, err)) < 0)
		return r;
	*ret_profile = TAKE_PTR(profile);
	return 0;
}

/* ---- digest ------------------------------------------------------------------------------ */

static int profile_digest(const struct profile_opts *o, struct out *out)
{
	int status = EXIT_OK;
	out_array_begin(out, NULL);
	for (int i = 0; i < o->n_operands; i++) {
		_cleanup_profile_ struct sigsys_profile *profile = NULL;
		struct sigsys_error err;
		const char *path = o->operands[i];
		out_object_begin(out, NULL);
		if (sigsys_profile_load(path, &profile, &err) < 0) {
			cli_error("%s", err.message);
			out_string(out, "file", NULL, path);
			out_null(out, "digest", NULL);
			out_string(out, "error", NULL, err.message);
			status = EXIT_FAIL;
		} else {
			out_string(out, "digest", "%s", sigsys_profile_digest(profile));
			out_string(out, "file", " %s\n", path);
		}
		out_object_end(out);
	}
	out_array_end(out);
	return status;
}

/* ---- dispatch ---------------------------------------------------------------------------- */

static const struct subcommand *find_subcommand(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++)
		if (strcmp(subcommands[i].name, name) == 0)
			return &subcommands[i];
	return NULL;
}

int profile_main(int argc, char **argv)
{
	_cleanup_out_ struct out *out = NULL;
	struct profile_opts o;

	if (argc < 2)
		return cli_usage_error(
			"sigsys profile",
			"no subcommand given (expected check, explain, digest or diff)");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	const struct subcommand *sub = find_subcommand(argv[1]);
	if (!sub)
		return cli_usage_error("sigsys profile",
				       "unknown subcommand \"%s\" (expected check, explain, digest "
				       "or diff)",
				       argv[1]);
	int r = parse_options(sub, argc - 1, argv + 1, &o);
	if (r != EXIT_OK)
		return r < 0 ? EXIT_OK : r;
	if (out_new(o.format, stdout, &out) < 0) {
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	int status = sub->run(&o, out);
	if ((r = out_finish(out)) < 0) {
		cli_error("writing the output failed: %s", strerror(-r));
		return EXIT_FAIL;
	}
	return status;
}
