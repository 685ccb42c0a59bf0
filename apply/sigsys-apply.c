/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsys-apply — resolve a task's seccomp profile, compile it for a mode, load it and exec
 * the task. Own failures: one line on stderr and exit 125 (126: the command cannot be
 * executed, 127: not found, as env(1)). The task's exit status and signal are its own: this
 * process becomes the task.
 */
#include "sigsys.h"
#include "notify-handoff.h"
#include "../common/util.h"

#include <getopt.h>
#include <grp.h>
#include <json-c/json.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>

#define EXIT_OWN_FAILURE 125
#define EXIT_CANNOT_RUN	 126
#define EXIT_NOT_FOUND	 127

#define DEFAULT_PROFILE_DIR "/opt/mesosphere/etc/dcos/mesos/seccomp"
#define DEFAULT_CACHE_DIR   "/var/cache/sigsys"
#define DEFAULT_RUN_DIR	    "/run/sigsys"
#define MAX_PROBES	    256

struct identity {
	const char *task_id, *framework, *app_id, *job_id, *run_id, *container_id, *agent_id;
};

struct config {
	const char *profile_dir;
	const char *profile;
	const char *marathon_app;
	const char *metronome_job;
	bool unconfined;
	const char *mode_name;
	const char *caps;
	const char *user;
	const char *cache_dir;
	const char *probes;
	const char *run_dir;
	bool strict, enosys_newer, quiet, dry_run;
	struct identity id;
	char **argv;
};

/* What the task will be: the resolved profile and the user to become. */
struct launch {
	struct sigsys_profile *profile;
	struct sigsys_filter *filter;
	char *profile_name; /* from a Marathon app */
	bool unconfined;
	bool switch_user;
	uid_t uid;
	gid_t gid;
	gid_t groups[NGROUPS_MAX];
	int n_groups;
	enum sigsys_mode mode;
	uint64_t caps;
	char command[PATH_MAX];
	const char *probe_list[MAX_PROBES + 1];
	char *probe_storage;
};

_printf_(1, 2) static _Noreturn void die(const char *fmt, ...)
{
	va_list ap;
	fputs("sigsys-apply: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_OWN_FAILURE);
}

static void usage(FILE *out)
{
	fputs("Usage: sigsys-apply [OPTIONS] -- COMMAND [ARG...]\n"
	      "\n"
	      "Load a seccomp profile into this process and exec COMMAND under it.\n"
	      "\n"
	      "Which profile (DC/OS rules: the file name is the profile name):\n"
	      "  --profile-dir DIR     profile directory (default " DEFAULT_PROFILE_DIR ")\n"
	      "  --profile NAME|PATH   a profile name in DIR, or a file (absolute path, or\n"
	      "                        starting with ./)\n"
	      "                        (default: default.json in DIR)\n"
	      "  --unconfined          no seccomp filter at all\n"
	      "  --marathon-app FILE   read container.linuxInfo.seccomp of a Marathon app\n"
	      "  --metronome-job FILE  a Metronome job: always the agent default profile\n"
	      "\n"
	      "How to enforce it:\n"
	      "  --mode MODE           enforce (default): actions as written, every denial\n"
	      "                          audited;\n"
	      "                        log: every denial becomes LOG, nothing fails;\n"
	      "                        kill: every denial becomes KILL_PROCESS (SIGSYS names\n"
	      "                          the syscall), start-up probes get ENOSYS;\n"
	      "                        notify: ERRNO and TRAP denials go to sigsysd, which\n"
	      "                          records them with their arguments and answers\n"
	      "                          with the profile's errno (refuses to start\n"
	      "                          without sigsysd)\n"
	      "  --caps LIST|auto      capabilities that includes/excludes are resolved\n"
	      "                        against: CAP_A,CAP_B, all, or auto (default: this\n"
	      "                        process's bounding set, as Mesos does)\n"
	      "  --probes LIST         kill mode: syscalls answered ENOSYS instead of a kill\n"
	      "                        (default: rseq,clone3,close_range,faccessat2,...;\n"
	      "                        \"none\" for none)\n"
	      "  --enosys-newer        syscalls newer than any the profile names get ENOSYS\n"
	      "                        (as runc does; off by default)\n"
	      "  --strict              syscall names unknown to libseccomp are errors\n"
	      "  --user USER[:GROUP]   as root: become USER after loading, before exec\n"
	      "  --cache-dir DIR       compiled-filter cache (default " DEFAULT_CACHE_DIR
	      " as root)\n"
	      "  --no-cache            compile every time\n"
	      "  --run-dir DIR         where sigsysd listens (default $SIGSYS_RUN_DIR, or\n"
	      "                        " DEFAULT_RUN_DIR "); the task is registered there before\n"
	      "                        it starts, or spooled for sigsysd when it is down\n"
	      "\n"
	      "Task identity (default: from the Mesos and Marathon environment):\n"
	      "  --task-id ID  --framework marathon|metronome|other  --app-id ID  --job-id ID\n"
	      "  --run-id ID  --container-id ID  --agent-id ID\n"
	      "\n"
	      "  --dry-run             print what would be applied, do not exec\n"
	      "  -q, --quiet           no warnings\n"
	      "  -h, --help            this text\n"
	      "  --version             the version\n"
	      "\n"
	      "Exit status: COMMAND's own; 125 when sigsys-apply fails, 126 when COMMAND cannot\n"
	      "be executed, 127 when it is not found.\n"
	      "\n"
	      "Example: sigsys-apply --profile-dir profiles --mode kill -- python3 app.py\n",
	      out);
}

enum {
	OPT_PROFILE_DIR = 256,
	OPT_PROFILE,
	OPT_UNCONFINED,
	OPT_MARATHON,
	OPT_METRONOME,
	OPT_MODE,
	OPT_CAPS,
	OPT_PROBES,
	OPT_ENOSYS,
	OPT_STRICT,
	OPT_USER,
	OPT_CACHE,
	OPT_NO_CACHE,
	OPT_RUN_DIR,
	OPT_TASK,
	OPT_FRAMEWORK,
	OPT_APP,
	OPT_JOB,
	OPT_RUN,
	OPT_CONTAINER,
	OPT_AGENT,
	OPT_DRY,
	OPT_VERSION,
};

static const struct option long_options[] = {
	{"profile-dir", required_argument, NULL, OPT_PROFILE_DIR},
	{"profile", required_argument, NULL, OPT_PROFILE},
	{"unconfined", no_argument, NULL, OPT_UNCONFINED},
	{"marathon-app", required_argument, NULL, OPT_MARATHON},
	{"metronome-job", required_argument, NULL, OPT_METRONOME},
	{"mode", required_argument, NULL, OPT_MODE},
	{"caps", required_argument, NULL, OPT_CAPS},
	{"probes", required_argument, NULL, OPT_PROBES},
	{"enosys-newer", no_argument, NULL, OPT_ENOSYS},
	{"strict", no_argument, NULL, OPT_STRICT},
	{"user", required_argument, NULL, OPT_USER},
	{"cache-dir", required_argument, NULL, OPT_CACHE},
	{"no-cache", no_argument, NULL, OPT_NO_CACHE},
	{"run-dir", required_argument, NULL, OPT_RUN_DIR},
	{"task-id", required_argument, NULL, OPT_TASK},
	{"framework", required_argument, NULL, OPT_FRAMEWORK},
	{"app-id", required_argument, NULL, OPT_APP},
	{"job-id", required_argument, NULL, OPT_JOB},
	{"run-id", required_argument, NULL, OPT_RUN},
	{"container-id", required_argument, NULL, OPT_CONTAINER},
	{"agent-id", required_argument, NULL, OPT_AGENT},
	{"dry-run", no_argument, NULL, OPT_DRY},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{0},
};

static const char **identity_field(struct identity *id, int opt)
{
	switch (opt) {
	case OPT_TASK:
		return &id->task_id;
	case OPT_FRAMEWORK:
		return &id->framework;
	case OPT_APP:
		return &id->app_id;
	case OPT_JOB:
		return &id->job_id;
	case OPT_RUN:
		return &id->run_id;
	case OPT_CONTAINER:
		return &id->container_id;
	case OPT_AGENT:
		return &id->agent_id;
	default:
		return NULL;
	}
}

static void parse_args(int argc, char **argv, struct config *c)
{
	int opt;
	opterr = 0; /* one line of our own instead of getopt's two */
	while ((opt = getopt_long(argc, argv, "+:qh", long_options, NULL)) != -1) {
		const char **field = identity_field(&c->id, opt);
		if (field) {
			*field = optarg;
			continue;
		}
		switch (opt) {
		case OPT_PROFILE_DIR:
			c->profile_dir = optarg;
			break;
		case OPT_PROFILE:
			c->profile = optarg;
			break;
		case OPT_UNCONFINED:
			c->unconfined = true;
			break;
		case OPT_MARATHON:
			c->marathon_app = optarg;
			break;
		case OPT_METRONOME:
			c->metronome_job = optarg;
			break;
		case OPT_MODE:
			c->mode_name = optarg;
			break;
		case OPT_CAPS:
			c->caps = optarg;
			break;
		case OPT_PROBES:
			c->probes = optarg;
			break;
		case OPT_ENOSYS:
			c->enosys_newer = true;
			break;
		case OPT_STRICT:
			c->strict = true;
			break;
		case OPT_USER:
			c->user = optarg;
			break;
		case OPT_CACHE:
			c->cache_dir = optarg;
			break;
		case OPT_NO_CACHE:
			c->cache_dir = "";
			break;
		case OPT_RUN_DIR:
			c->run_dir = optarg;
			break;
		case OPT_DRY:
			c->dry_run = true;
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case OPT_VERSION:
			printf("sigsys-apply %s\n", SIGSYS_VERSION);
			exit(0);
		case ':':
			die("option \"%s\" needs a value (see sigsys-apply --help)",
			    argv[optind - 1]);
		default:
			die("unknown option \"%s\" (see sigsys-apply --help)", argv[optind - 1]);
		}
	}
	if (optind >= argc && !c->dry_run)
		die("no command given (usage: sigsys-apply [OPTIONS] -- COMMAND [ARG...])");
	c->argv = argv + optind;
	int sources = !!c->profile + c->unconfined + !!c->marathon_app + !!c->metronome_job;
	if (sources > 1)
		die("--profile, --unconfined, --marathon-app and --metronome-job exclude each "
		    "other; give one");
}

static const char *env_or(const char *value, const char *name)
{
	const char *e = value ? value : getenv(name);
	return e && *e ? e : NULL;
}

/* Unset identity fields come from the Mesos executor and Marathon environment. */
static void identity_from_env(struct identity *id)
{
	id->task_id = env_or(id->task_id, "MESOS_TASK_ID");
	id->app_id = env_or(id->app_id, "MARATHON_APP_ID");
	id->container_id = env_or(id->container_id, "MESOS_CONTAINER_ID");
	id->agent_id = env_or(id->agent_id, "MESOS_AGENT_ID");
	id->agent_id = env_or(id->agent_id, "MESOS_SLAVE_ID");
	if (!id->framework)
		id->framework = id->app_id ? "marathon" : id->job_id ? "metronome" : "other";
	if (strcmp(id->framework, "marathon") && strcmp(id->framework, "metronome") &&
	    strcmp(id->framework, "other"))
		die("--framework \"%s\": expected marathon, metronome or other", id->framework);
}

static enum sigsys_mode parse_mode(const char *name)
{
	enum sigsys_mode mode;
	if (sigsys_mode_from_name(name, &mode) < 0)
		die("--mode \"%s\": expected enforce, log, kill or notify", name);
	return mode;
}

#define MAX_SCHEDULER_JSON_BYTES (1u << 20)

/* A Marathon app or Metronome job definition, bounded in size and depth. */
static struct json_object *read_scheduler_json(const char *path)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = read_file_bounded(path, MAX_SCHEDULER_JSON_BYTES, &text, &len);
	if (r < 0)
		die("%s: %s", path, r == -E2BIG ? "larger than 1 MiB" : strerror(-r));
	struct json_tokener *tok = json_tokener_new_ex(SIGSYS_MAX_JSON_DEPTH);
	if (!tok)
		die("out of memory");
	struct json_object *root = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (jerr != json_tokener_success || !json_object_is_type(root, json_type_object))
		die("%s: not a JSON object (%s)", path,
		    jerr == json_tokener_success ? "wrong type" : json_tokener_error_desc(jerr));
	return root;
}

/* The definition's "id", kept for the task identity. */
static const char *definition_id(struct json_object *root)
{
	struct json_object *id;
	if (!json_object_object_get_ex(root, "id", &id) ||
	    !json_object_is_type(id, json_type_string))
		return NULL;
	return strdup(json_object_get_string(id));
}

/* A Metronome job has no seccomp field: check it is a job, take its id. */
static void read_metronome_job(struct config *c)
{
	struct json_object *root = read_scheduler_json(c->metronome_job);
	const char *id = definition_id(root);
	if (!id)
		die("%s: id: missing (expected a Metronome job definition)", c->metronome_job);
	if (!c->id.job_id)
		c->id.job_id = id;
	if (!c->id.framework)
		c->id.framework = "metronome";
	json_object_put(root);
}

static void read_marathon_app(struct config *c, struct launch *l)
{
	struct sigsys_error err;
	int r = sigsys_marathon_seccomp(c->marathon_app, &l->profile_name, &l->unconfined, &err);
	if (r < 0)
		die("%s", err.message);
	struct json_object *root = read_scheduler_json(c->marathon_app);
	if (!c->id.app_id)
		c->id.app_id = definition_id(root);
	if (!c->id.framework)
		c->id.framework = "marathon";
	json_object_put(root);
}

/* A file chosen by the operator: an absolute path or one starting with "./". Anything
 * else is a profile name, which may never leave --profile-dir ("../x" is refused). */
static bool is_profile_path(const char *profile)
{
	return profile[0] == '/' || strncmp(profile, "./", 2) == 0;
}

static void load_profile(const struct config *c, struct launch *l)
{
	struct sigsys_error err;
	const char *name = l->profile_name ? l->profile_name : c->profile;
	int r;
	if (c->profile && is_profile_path(c->profile)) {
		r = sigsys_profile_load(c->profile, &l->profile, &err);
	} else
		r = sigsys_profile_load_named(c->profile_dir, name, &l->profile, &err);
	if (r < 0)
		die("%s", err.message);
}

static void split_probes(const char *list, struct launch *l)
{
	size_t n = 0;
	if (strcmp(list, "none") != 0) {
		if (!(l->probe_storage = strdup(list)))
			die("out of memory");
		char *save = NULL;
		for (char *t = strtok_r(l->probe_storage, ",", &save); t;
		     t = strtok_r(NULL, ",", &save)) {
			if (n == MAX_PROBES)
				die("--probes: more than %d names", MAX_PROBES);
			l->probe_list[n++] = t;
		}
	}
	l->probe_list[n] = NULL;
}

static void compile_filter(const struct config *c, struct launch *l)
{
	struct sigsys_options o;
	struct sigsys_error err;
	sigsys_options_init(&o);
	o.mode = parse_mode(c->mode_name ? c->mode_name : "enforce");
	if (!c->caps || strcmp(c->caps, "auto") == 0) {
		if (sigsys_caps_bounding(&o.caps) < 0)
			die("cannot read the capability bounding set: %m");
	} else if (sigsys_caps_parse(c->caps, &o.caps, &err) < 0) {
		die("--caps: %s", err.message);
	}
	o.flags = (c->strict ? SIGSYS_OPT_STRICT : 0) |
		  (c->enosys_newer ? SIGSYS_OPT_ENOSYS_NEWER : 0);
	if (c->probes) {
		split_probes(c->probes, l);
		o.probes = l->probe_list;
	}
	if (c->cache_dir)
		o.cache_dir = *c->cache_dir ? c->cache_dir : NULL;
	else
		o.cache_dir = geteuid() == 0 ? DEFAULT_CACHE_DIR : NULL;
	if (sigsys_compile(l->profile, &o, &l->filter, &err) < 0)
		die("%s", err.message);
	l->mode = o.mode;
	l->caps = o.caps;
}

static void warn_all(const struct config *c, const struct launch *l)
{
	if (c->quiet)
		return;
	for (size_t i = 0; l->profile && i < sigsys_profile_warning_count(l->profile); i++)
		fprintf(stderr, "sigsys-apply: warning: %s\n",
			sigsys_profile_warning(l->profile, i));
	for (size_t i = 0; l->filter && i < sigsys_filter_warning_count(l->filter); i++)
		fprintf(stderr, "sigsys-apply: warning: %s\n", sigsys_filter_warning(l->filter, i));
}

static void resolve_user(const char *spec, struct launch *l)
{
	_cleanup_free_ char *copy = strdup(spec);
	if (!copy)
		die("out of memory");
	char *group = strchr(copy, ':');
	if (group)
		*group++ = '\0';
	if (geteuid() != 0)
		die("--user needs root (this process runs as uid %u)", (unsigned)geteuid());
	errno = 0;
	struct passwd *pw = getpwnam(copy);
	if (!pw)
		die("--user: unknown user \"%s\"", copy);
	l->uid = pw->pw_uid;
	l->gid = pw->pw_gid;
	if (group) {
		struct group *gr = getgrnam(group);
		if (!gr)
			die("--user: unknown group \"%s\"", group);
		l->gid = gr->gr_gid;
		l->groups[0] = l->gid;
		l->n_groups = 1;
	} else {
		l->n_groups = NGROUPS_MAX;
		if (getgrouplist(pw->pw_name, pw->pw_gid, l->groups, &l->n_groups) < 0)
			die("--user: user \"%s\" is in too many groups", copy);
	}
	l->switch_user = true;
}

/* Find COMMAND before the filter is loaded, so that "not found" (-ENOENT → 127) is told
 * apart from "found but not executable" (-EACCES → 126), as execvp and env(1) do. */
static int find_command(const char *name, char out[PATH_MAX])
{
	struct stat st;
	if (strchr(name, '/')) {
		format_into(out, PATH_MAX, "%s", name);
		if (stat(out, &st) < 0)
			return -ENOENT;
		return S_ISREG(st.st_mode) && access(out, X_OK) == 0 ? 0 : -EACCES;
	}
	const char *path = getenv("PATH");
	_cleanup_free_ char *dirs = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	if (!dirs)
		return -ENOMEM;
	char *save = NULL, found_unusable[PATH_MAX] = "";
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		format_into(out, PATH_MAX, "%s/%s", *d ? d : ".", name);
		if (stat(out, &st) < 0)
			continue;
		if (S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return 0;
		if (!found_unusable[0])
			format_into(found_unusable, PATH_MAX, "%s", out);
	}
	if (!found_unusable[0])
		return -ENOENT;
	format_into(out, PATH_MAX, "%s", found_unusable);
	return -EACCES;
}

static void print_plan(const struct config *c, const struct launch *l)
{
	const struct identity *id = &c->id;
	if (l->unconfined || !l->profile) {
		printf("profile: unconfined\n");
	} else {
		printf("profile: %s\ndigest: %s\nmode: %s\nprogram: %zu instructions%s\n",
		       sigsys_profile_source(l->profile), sigsys_profile_digest(l->profile),
		       c->mode_name ? c->mode_name : "enforce",
		       sigsys_filter_program(l->filter, NULL),
		       sigsys_filter_cached(l->filter) ? " (cached)" : "");
	}
	printf("task: task_id=%s framework=%s app_id=%s job_id=%s run_id=%s container_id=%s "
	       "agent_id=%s\n",
	       id->task_id ?: "-", id->framework, id->app_id ?: "-", id->job_id ?: "-",
	       id->run_id ?: "-", id->container_id ?: "-", id->agent_id ?: "-");
}

/* The name the profile was resolved by: what the scheduler named, what the operator gave,
 * or the agent default. */
static const char *profile_name_of(const struct config *c, const struct launch *l)
{
	if (l->unconfined)
		return NULL;
	if (l->profile_name)
		return l->profile_name;
	return c->profile ? c->profile : "default.json";
}

/* Notify mode, or NOTIFY actions of the profile itself: a listener sigsysd must hold. */
static bool has_listener(const struct launch *l)
{
	return l->filter && (sigsys_filter_flags(l->filter) & SECCOMP_FILTER_FLAG_NEW_LISTENER);
}

static const char *run_dir_of(const struct config *c)
{
	const char *run_dir = c->run_dir ? c->run_dir : env_or(NULL, "SIGSYS_RUN_DIR");
	return run_dir ? run_dir : DEFAULT_RUN_DIR;
}

static struct sigsys_registration registration_of(const struct config *c, const struct launch *l)
{
	return (struct sigsys_registration){
		.pid = getpid(),
		.task_id = c->id.task_id,
		.framework = c->id.framework,
		.app_id = c->id.app_id,
		.job_id = c->id.job_id,
		.run_id = c->id.run_id,
		.container_id = c->id.container_id,
		.agent_id = c->id.agent_id,
		.profile = l->unconfined ? NULL : l->profile,
		.profile_name = profile_name_of(c, l),
		.mode = l->mode,
		.caps = l->caps,
	};
}

/* Before the filter is loaded (the profile may deny sockets). Best effort: a launch never
 * fails for want of sigsysd; the operator is told once. */
static void register_task(const struct config *c, const struct launch *l)
{
	const char *run_dir = run_dir_of(c);
	struct sigsys_error err;
	struct sigsys_registration reg = registration_of(c, l);
	int r = sigsys_register(run_dir, &reg, &err);
	if (c->quiet || r == SIGSYS_REGISTERED)
		return;
	if (r == SIGSYS_SPOOLED)
		fprintf(stderr,
			"sigsys-apply: warning: sigsysd is not running; the task's registration "
			"waits in %s/spool for it\n",
			run_dir);
	else
		fprintf(stderr, "sigsys-apply: warning: task not registered: %s\n", err.message);
}

/* After the filter is loaded: as few syscalls as possible, then exec. */
static _Noreturn void become_task(const struct config *c, struct launch *l)
{
	unsigned load_flags = geteuid() == 0 ? 0 : SIGSYS_LOAD_NO_NEW_PRIVS;
	if (l->filter && has_listener(l)) {
		/* Registered together with the listener: the launch fails without sigsysd. */
		static struct sigsys_registration reg;
		reg = registration_of(c, l);
		notify_load_and_handoff(l->filter, load_flags, run_dir_of(c), &reg);
	} else if (l->filter) {
		int r = sigsys_filter_load(l->filter, load_flags);
		if (r < 0)
			die("loading the seccomp filter: %s", strerror(-r));
	}
	if (l->switch_user && (setgroups((size_t)l->n_groups, l->groups) < 0 ||
			       setgid(l->gid) < 0 || setuid(l->uid) < 0))
		die("--user: switching to uid %u gid %u failed: %m (does the profile allow "
		    "setgroups, setgid and setuid?)",
		    (unsigned)l->uid, (unsigned)l->gid);
	execv(l->command, c->argv);
	int e = errno;
	fprintf(stderr, "sigsys-apply: %s: %s\n", c->argv[0], strerror(e));
	exit(e == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
}

int main(int argc, char **argv)
{
	/* Static: what the task is launched with lives until exec (or exit). */
	static struct config c = {.profile_dir = DEFAULT_PROFILE_DIR};
	static struct launch l;

	parse_args(argc, argv, &c);
	if (c.marathon_app)
		read_marathon_app(&c, &l);
	if (c.metronome_job)
		read_metronome_job(&c);
	identity_from_env(&c.id);
	l.unconfined = l.unconfined || c.unconfined;
	if (!l.unconfined) {
		load_profile(&c, &l);
		compile_filter(&c, &l);
	}
	warn_all(&c, &l);
	if (c.user)
		resolve_user(c.user, &l);
	if (c.dry_run) {
		print_plan(&c, &l);
		return 0;
	}
	int r = find_command(c.argv[0], l.command);
	if (r == -EACCES) {
		fprintf(stderr, "sigsys-apply: %s: not an executable file\n", l.command);
		return EXIT_CANNOT_RUN;
	}
	if (r < 0) {
		fprintf(stderr, "sigsys-apply: %s: command not found\n", c.argv[0]);
		return EXIT_NOT_FOUND;
	}
	if (!has_listener(&l))
		register_task(&c, &l);
	become_task(&c, &l);
}
