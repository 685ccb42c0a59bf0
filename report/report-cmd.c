/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsys report TASK_ID | --pid PID | --container ID: was it seccomp, which syscall, under
 * which rule. Asks sigsysd over RUN_DIR/api.sock, or reads its store file (--db) when the
 * daemon is down.
 */
#include "api-client.h"
#include "cli.h"
#include "evidence.h"
#include "output.h"
#include "report.h"
#include "scheduler-format.h"
#include "verdict.h"

#include <getopt.h>
#include <json-c/json.h>
#include <string.h>
#include <unistd.h>

#define PROFILE_DIR_DEFAULT "/opt/mesosphere/etc/dcos/mesos/seccomp"

enum report_format {
	REPORT_TEXT,
	REPORT_JSON,
	REPORT_MESSAGE,
	REPORT_MARATHON,
	REPORT_METRONOME,
};

static const char *const format_names[] = {
	[REPORT_TEXT] = "text",		  [REPORT_JSON] = "json",
	[REPORT_MESSAGE] = "message",	  [REPORT_MARATHON] = "marathon",
	[REPORT_METRONOME] = "metronome",
};

struct report_opts {
	const char *task_id;
	const char *container_id;
	int32_t pid;
	const char *db;
	const char *run_dir;
	const char *profile_dir;
	enum report_format format;
	struct scheduler_policy policy;
	bool policy_given;
};

static void usage(FILE *f)
{
	fputs("Usage: sigsys report TASK_ID | --pid PID | --container ID [--db FILE | --run-dir "
	      "DIR]\n"
	      "                     [--profile-dir DIR] [--marathon-app APP.json | --metronome-job "
	      "JOB.json]\n"
	      "                     [--format text|json|message|marathon|metronome]\n"
	      "\n"
	      "Why a task failed: seccomp or not, which syscall, under which rule of the profile\n"
	      "it was launched with. The outcome is one of seccomp-kill, seccomp-denied,\n"
	      "seccomp-logged, not-seccomp, unknown (with the evidence that is missing).\n"
	      "The verdict weighs the other failures of the same Marathon app (its restarts)\n"
	      "or Metronome job (the retries of the run, and earlier runs): when the newest\n"
	      "ones share the same seccomp cause, restarting will not help.\n"
	      "\n"
	      "  --pid PID            the newest task one of whose processes had this pid\n"
	      "  --container ID       the newest task of this Mesos container\n"
	      "  --run-dir DIR        where sigsysd's api.sock is (its --run-dir; default\n"
	      "                       $SIGSYS_RUN_DIR, else " API_RUN_DIR_DEFAULT "). TASK_ID is\n"
	      "                       asked there first; --pid and --container read the store\n"
	      "  --db FILE            read sigsysd's store file instead (its --db; used when\n"
	      "                       the daemon is down, default " DB_DEFAULT_PATH ")\n"
	      "  --profile-dir DIR    where the profile is now, to tell whether it changed\n"
	      "                       since the launch (default " PROFILE_DIR_DEFAULT ");\n"
	      "                       sigsysd compares with its own --profile-dir\n"
	      "  --marathon-app FILE  the app's JSON: its backoffSeconds, backoffFactor and\n"
	      "                       maxLaunchDelaySeconds give the restart delays (default\n"
	      "                       Marathon's: 1 s, 1.15, 300 s)\n"
	      "  --metronome-job FILE the job's JSON: run.restart (policy, activeDeadlineSeconds)\n"
	      "                       says how long retries go on\n"
	      "  --format FORMAT      text (default: the answer first, then the evidence), json\n"
	      "                       (the schema in DESIGN.md), message (one line under 200\n"
	      "                       characters, fit for a Mesos TaskStatus message),\n"
	      "                       marathon (the app's lastTaskFailure with the diagnosis),\n"
	      "                       metronome (the job run: its tasks, the cause, the verdict)\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "Exit status: 0 a report was produced (whatever the outcome); 1 failure;\n"
	      "2 usage error; 3 unknown task.\n"
	      "\n"
	      "Example: sigsys report --db /var/lib/sigsys/sigsys.db my-app.1f2e3d\n",
	      f);
}

/* ---- options ----------------------------------------------------------------------------- */

static int parse_pid(const char *text, int32_t *ret)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (errno || end == text || *end || v <= 0 || v > INT32_MAX)
		return -EINVAL;
	*ret = (int32_t)v;
	return 0;
}

static int parse_format(const char *text, enum report_format *ret)
{
	for (size_t i = 0; i < ARRAY_SIZE(format_names); i++) {
		if (strcmp(text, format_names[i]) == 0) {
			*ret = (enum report_format)i;
			return EXIT_OK;
		}
	}
	return cli_usage_error("sigsys report",
			       "--format \"%s\": expected text, json, message, marathon or "
			       "metronome",
			       text);
}

/* --marathon-app or --metronome-job: the scheduler's restart policy. */
static int read_policy(struct report_opts *o, const char *path, bool marathon)
{
	char why[1024];
	int r = marathon ? scheduler_policy_read_marathon(&o->policy, path, why, sizeof(why))
			 : scheduler_policy_read_metronome(&o->policy, path, why, sizeof(why));
	if (r < 0) {
		cli_error("%s %s", marathon ? "--marathon-app" : "--metronome-job", why);
		return EXIT_USAGE;
	}
	o->policy_given = true;
	return EXIT_OK;
}

/* Exactly one of TASK_ID, --pid, --container. */
static int check_selector(const struct report_opts *o, int n_operands)
{
	int given = (n_operands > 0) + (o->pid > 0) + (o->container_id != NULL);
	if (n_operands > 1)
		return cli_usage_error("sigsys report", "one TASK_ID at a time (got %d)",
				       n_operands);
	if (given == 0)
		return cli_usage_error("sigsys report", "which task? give TASK_ID, --pid PID or "
							"--container ID");
	if (given > 1)
		return cli_usage_error("sigsys report", "give one of TASK_ID, --pid and "
							"--container, not several");
	return EXIT_OK;
}

/* Returns EXIT_OK with *o filled, -1 when --help was printed, or an exit status. */
static int parse_options(int argc, char **argv, struct report_opts *o)
{
	enum {
		OPT_PID = 256,
		OPT_CONTAINER,
		OPT_DB,
		OPT_RUN_DIR,
		OPT_PROFILE_DIR,
		OPT_FORMAT,
		OPT_MARATHON_APP,
		OPT_METRONOME_JOB,
	};
	static const struct option options[] = {
		{"pid", required_argument, NULL, OPT_PID},
		{"container", required_argument, NULL, OPT_CONTAINER},
		{"db", required_argument, NULL, OPT_DB},
		{"run-dir", required_argument, NULL, OPT_RUN_DIR},
		{"profile-dir", required_argument, NULL, OPT_PROFILE_DIR},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"marathon-app", required_argument, NULL, OPT_MARATHON_APP},
		{"metronome-job", required_argument, NULL, OPT_METRONOME_JOB},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int opt, r;

	*o = (struct report_opts){.profile_dir = PROFILE_DIR_DEFAULT};
	scheduler_policy_init(&o->policy);
	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return -1;
		case OPT_PID:
			if (parse_pid(optarg, &o->pid) < 0)
				return cli_usage_error("sigsys report",
						       "--pid \"%s\": expected a process id",
						       optarg);
			break;
		case OPT_CONTAINER:
			o->container_id = optarg;
			break;
		case OPT_DB:
			o->db = optarg;
			break;
		case OPT_RUN_DIR:
			o->run_dir = optarg;
			break;
		case OPT_PROFILE_DIR:
			o->profile_dir = optarg;
			break;
		case OPT_FORMAT:
			if ((r = parse_format(optarg, &o->format)) != EXIT_OK)
				return r;
			break;
		case OPT_MARATHON_APP:
		case OPT_METRONOME_JOB:
			if ((r = read_policy(o, optarg, opt == OPT_MARATHON_APP)) != EXIT_OK)
				return r;
			break;
		case ':':
			return cli_usage_error("sigsys report", "option \"%s\" needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("sigsys report", "unknown option \"%s\"",
					       argv[optind - 1]);
		}
	}
	if ((r = check_selector(o, argc - optind)) != EXIT_OK)
		return r;
	if (optind < argc)
		o->task_id = argv[optind];
	return EXIT_OK;
}

/* ---- which task ------------------------------------------------------------------------- */

struct found_task {
	char id[STORE_ID_MAX + 1];
	unsigned n;
};

static int on_found_task(const struct store_task *t, void *userdata)
{
	struct found_task *f = userdata;
	if (f->n++ == 0)
		format_into(f->id, sizeof(f->id), "%s", t->task_id);
	return 0;
}

/* --pid or --container: the newest task that matches. */
static int resolve_task(struct store *s, const struct report_opts *o, struct found_task *ret)
{
	struct store_task_query q = {.key = o->pid ? STORE_TASKS_BY_PID : STORE_TASKS_BY_CONTAINER,
				     .id = o->container_id,
				     .pid = o->pid,
				     .limit = 100};
	struct store_error err = {{0}};
	*ret = (struct found_task){0};
	int r = store_find_tasks(s, &q, on_found_task, ret, &err);
	if (r < 0) {
		cli_error("looking up the task: %s", err.message);
		return EXIT_FAIL;
	}
	if (ret->n == 0) {
		if (o->pid)
			cli_error("no task had a process with pid %d in this store", o->pid);
		else
			cli_error("no task of container \"%s\" in this store", o->container_id);
		return EXIT_UNKNOWN_TASK;
	}
	if (ret->n > 1 && o->pid)
		cli_error("%u tasks had a process with pid %d: reporting the newest, \"%s\"",
			  ret->n, o->pid, ret->id);
	else if (ret->n > 1)
		cli_error("%u tasks ran in container \"%s\": reporting the newest, \"%s\"", ret->n,
			  o->container_id, ret->id);
	return EXIT_OK;
}

/* ---- the command ------------------------------------------------------------------------ */

static int report_status(int r, const char *task_id, const struct store_error *err)
{
	if (r == -ENOENT) {
		cli_error("no task \"%s\" in this store (task ids are what sigsys-apply "
			  "--task-id or Mesos gave; try 'sigsys events' to see recent ones)",
			  task_id);
		return EXIT_UNKNOWN_TASK;
	}
	if (r == -ENOMEM)
		cli_error("out of memory");
	else
		cli_error("reading task \"%s\": %s", task_id, err->message);
	return EXIT_FAIL;
}

static int print_json(struct json_object *root)
{
	int r = out_print_json(stdout, root);
	if (r < 0 || fflush(stdout) != 0) {
		cli_error("writing the report failed: %s", strerror(r < 0 ? -r : errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* marathon and metronome: JSON documents around the report. */
static int report_scheduler(struct store *s, const struct report_opts *o,
			    const struct report_options *ro, const char *task_id)
{
	struct json_object *root = NULL;
	struct store_error err = {{0}};
	int r = o->format == REPORT_MARATHON ? report_build_marathon(s, task_id, ro, &root, &err)
					     : report_build_metronome(s, task_id, ro, &root, &err);
	if (r < 0)
		return report_status(r, task_id, &err);
	r = print_json(root);
	json_object_put(root);
	return r;
}

/* From the store file: every format through the same code the daemon uses. */
static int report_task(struct store *s, const struct report_opts *o, const char *task_id)
{
	_cleanup_out_ struct out *out = NULL;
	struct report_options ro = {.profile_dir = o->profile_dir, .policy = &o->policy};
	struct store_error err = {{0}};
	char message[REPORT_MESSAGE_MAX];
	if (o->format == REPORT_MARATHON || o->format == REPORT_METRONOME)
		return report_scheduler(s, o, &ro, task_id);
	if (o->format != REPORT_MESSAGE &&
	    out_new(o->format == REPORT_JSON ? OUT_JSON : OUT_TEXT, stdout, &out) < 0) {
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	int r = report_write(s, task_id, &ro, out, message, sizeof(message), &err);
	if (r < 0)
		return report_status(r, task_id, &err);
	if (o->format == REPORT_MESSAGE)
		printf("%s\n", message);
	r = out ? out_finish(out) : (fflush(stdout) == 0 ? 0 : -errno);
	if (r < 0) {
		cli_error("writing the report failed: %s", strerror(-r));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* The daemon's answer, printed as the store path prints it. */
static int print_answer(const struct report_opts *o, const struct api_response *a)
{
	if (o->format == REPORT_TEXT) {
		fwrite(a->body, 1, a->len, stdout);
	} else {
		struct json_object *root = json_tokener_parse(a->body), *message = NULL;
		if (!root || !json_object_is_type(root, json_type_object)) {
			json_object_put(root);
			cli_error("sigsysd answered with what is not a JSON report");
			return EXIT_FAIL;
		}
		if (o->format != REPORT_MESSAGE)
			out_print_json(stdout, root);
		else if (json_object_object_get_ex(root, "message", &message))
			printf("%s\n", json_object_get_string(message));
		json_object_put(root);
	}
	if (fflush(stdout) != 0) {
		cli_error("writing the report failed: %m");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static const char *answer_error(const struct api_response *a)
{
	static char text[512];
	struct json_object *root = json_tokener_parse(a->body), *e = NULL;
	format_into(text, sizeof(text), "HTTP %d", a->status);
	if (root && json_object_object_get_ex(root, "error", &e))
		format_into(text, sizeof(text), "%s", json_object_get_string(e));
	json_object_put(root);
	return text;
}

/* The restart policy read from the app or job JSON, as the API's query parameters. */
static void policy_query(const struct report_opts *o, char *buf, size_t size)
{
	const struct scheduler_policy *p = &o->policy;
	char restart[sizeof(p->restart_policy) * 3 + 1] = "";
	buf[0] = '\0';
	if (p->backoff_given)
		format_into(
			buf, size,
			"&backoff_seconds=%.3f&backoff_factor=%.3f&max_launch_delay_seconds=%.3f",
			p->backoff_s, p->backoff_factor, p->max_delay_s);
	if (p->restart_policy[0] && api_escape(p->restart_policy, restart, sizeof(restart)) == 0)
		format_into(buf + strlen(buf), size - strlen(buf), "&restart_policy=%s", restart);
	if (p->deadline_s >= 0)
		format_into(buf + strlen(buf), size - strlen(buf), "&active_deadline_seconds=%jd",
			    (intmax_t)p->deadline_s);
}

/* Over RUN_DIR/api.sock. Returns an exit status, or -1 when no daemon listens there. */
static int report_from_daemon(const struct report_opts *o, const char *run_dir)
{
	char id[STORE_ID_MAX * 3 + 1], path[STORE_ID_MAX * 3 + 512], query[400];
	struct api_response a;
	if (api_escape(o->task_id, id, sizeof(id)) < 0) {
		cli_error("no task \"%s\" (task ids are at most %d bytes)", o->task_id,
			  STORE_ID_MAX);
		return EXIT_UNKNOWN_TASK;
	}
	policy_query(o, query, sizeof(query));
	format_into(path, sizeof(path), "/v1/tasks/%s/report?format=%s%s", id,
		    o->format == REPORT_MESSAGE ? "json" : format_names[o->format], query);
	int r = api_get(run_dir, path, &a);
	if (r == -ENOENT || r == -ECONNREFUSED)
		return -1;
	if (r < 0) {
		cli_error("asking sigsysd on %s/api.sock: %s", run_dir, strerror(-r));
		return EXIT_FAIL;
	}
	int status = EXIT_OK;
	if (a.status == 404) {
		cli_error("no task \"%s\" known to sigsysd (task ids are what sigsys-apply "
			  "--task-id or Mesos gave; try 'sigsys events' to see recent ones)",
			  o->task_id);
		status = EXIT_UNKNOWN_TASK;
	} else if (a.status != 200) {
		cli_error("sigsysd on %s/api.sock: %s", run_dir, answer_error(&a));
		status = EXIT_FAIL;
	} else {
		status = print_answer(o, &a);
	}
	api_response_free(&a);
	return status;
}

int report_main(int argc, char **argv)
{
	_cleanup_store_ struct store *s = NULL;
	struct report_opts o;
	struct found_task found;
	int r = parse_options(argc, argv, &o);
	if (r != EXIT_OK)
		return r < 0 ? EXIT_OK : r;
	const char *run_dir = api_run_dir(o.run_dir);
	/* The daemon answers by task id; --pid and --container search the store file. */
	if (!o.db && o.task_id && (r = report_from_daemon(&o, run_dir)) >= 0)
		return r;
	if (!o.db && o.task_id && access(DB_DEFAULT_PATH, F_OK) < 0) {
		cli_error("sigsysd is not listening on %s/api.sock and there is no store at %s: "
			  "start sigsysd, give its run dir with --run-dir DIR, or its store with "
			  "--db FILE",
			  run_dir, DB_DEFAULT_PATH);
		return EXIT_FAIL;
	}
	if ((r = db_open(o.db, &s)) != EXIT_OK)
		return r;
	if (!o.task_id) {
		if ((r = resolve_task(s, &o, &found)) != EXIT_OK)
			return r;
		o.task_id = found.id;
	}
	return report_task(s, &o, o.task_id);
}
