/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsys events [--task TASK_ID] [--since ID] [--limit N]: the seccomp decisions sigsysd
 * stored, one line each, oldest first, with the cursor of the next page.
 */
#include "api-client.h"
#include "cli.h"
#include "evidence.h"
#include "output.h"

#include <getopt.h>
#include <json-c/json.h>
#include <inttypes.h>
#include <string.h>

#define EVENTS_LIMIT_DEFAULT 100

struct events_opts {
	const char *db;
	const char *run_dir;
	const char *task_id;
	int64_t since;
	uint32_t limit;
	enum out_format format;
};

static void usage(FILE *f)
{
	fputs("Usage: sigsys events [--db FILE] [--task TASK_ID] [--since ID] [--limit N]\n"
	      "                     [--format text|json]\n"
	      "\n"
	      "The seccomp decisions sigsysd stored, oldest first: id, time (UTC), task, pid,\n"
	      "comm, syscall, action. Logged calls (LOG) are counted, not stored one by one:\n"
	      "'sigsys report TASK_ID' shows them.\n"
	      "\n"
	      "  --run-dir DIR    ask sigsysd on DIR/api.sock (default $SIGSYS_RUN_DIR or\n"
	      "                   " API_RUN_DIR_DEFAULT ")\n"
	      "  --db FILE        read sigsysd's store instead (its --db), e.g. while it is\n"
	      "                   down (default when the daemon does not answer:\n"
	      "                   " DB_DEFAULT_PATH ")\n"
	      "  --task TASK_ID   only this task's events\n"
	      "  --since ID       only events after this id: the cursor the last page printed\n"
	      "  --limit N        at most N events (1 to 10000, default 100)\n"
	      "  --format text|json\n"
	      "  -h, --help       this text\n"
	      "\n"
	      "Exit status: 0 success; 1 failure; 2 usage error; 3 unknown task.\n",
	      f);
}

static int parse_number(const char *text, int64_t min, int64_t max, int64_t *ret)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno || end == text || *end || v < min || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int apply_option(int opt, const char *arg, struct events_opts *o)
{
	int64_t v;
	switch (opt) {
	case 'd':
		o->db = arg;
		return EXIT_OK;
	case 'r':
		o->run_dir = arg;
		return EXIT_OK;
	case 't':
		o->task_id = arg;
		return EXIT_OK;
	case 's':
		if (parse_number(arg, 0, INT64_MAX, &o->since) < 0)
			return cli_usage_error("sigsys events",
					       "--since \"%s\": expected an event id (0 or more)",
					       arg);
		return EXIT_OK;
	case 'l':
		if (parse_number(arg, 1, STORE_PAGE_MAX, &v) < 0)
			return cli_usage_error("sigsys events", "--limit \"%s\": expected 1 to %d",
					       arg, STORE_PAGE_MAX);
		o->limit = (uint32_t)v;
		return EXIT_OK;
	case 'f':
		if (out_format_from_name(arg, &o->format) < 0)
			return cli_usage_error("sigsys events",
					       "--format \"%s\": expected text or json", arg);
		return EXIT_OK;
	default:
		return EXIT_USAGE;
	}
}

/* Returns EXIT_OK with *o filled, -1 when --help was printed, or an exit status. */
static int parse_options(int argc, char **argv, struct events_opts *o)
{
	static const struct option options[] = {
		{"db", required_argument, NULL, 'd'},	 {"run-dir", required_argument, NULL, 'r'},
		{"task", required_argument, NULL, 't'},	 {"since", required_argument, NULL, 's'},
		{"limit", required_argument, NULL, 'l'}, {"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},	 {0},
	};
	int opt, r;
	*o = (struct events_opts){.limit = EVENTS_LIMIT_DEFAULT};
	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return -1;
		}
		if (opt == ':')
			return cli_usage_error("sigsys events", "option \"%s\" needs a value",
					       argv[optind - 1]);
		if (opt == '?')
			return cli_usage_error("sigsys events", "unknown option \"%s\"",
					       argv[optind - 1]);
		if ((r = apply_option(opt, optarg, o)) != EXIT_OK)
			return r;
	}
	if (optind < argc)
		return cli_usage_error("sigsys events",
				       "unexpected \"%s\" (a task is given with --task)",
				       argv[optind]);
	return EXIT_OK;
}

struct page {
	struct out *out;
	int64_t last_id;
	unsigned rows;
};

static int on_event(const struct store_event_row *row, void *userdata)
{
	struct page *p = userdata;
	const struct seccomp_event *e = &row->event;
	char name[SYSCALL_NAME_MAX], time[TIME_TEXT_MAX];
	event_syscall_name(e->arch, e->nr, name, sizeof(name));
	time_text(e->time_ns, time, sizeof(time));
	p->last_id = row->id;
	p->rows++;
	out_object_begin(p->out, NULL);
	out_int(p->out, "id", "%-8jd", row->id);
	out_string(p->out, "time", " %s", time);
	out_uint(p->out, "time_ns", NULL, e->time_ns);
	if (row->task_id)
		out_string(p->out, "task", " %s", row->task_id);
	else
		out_null(p->out, "task", " -");
	out_int(p->out, "pid", " %jd", e->pid);
	out_string(p->out, "comm", " %s", e->comm[0] ? e->comm : "?");
	out_string(p->out, "syscall", " %s", name);
	out_int(p->out, "nr", NULL, e->nr);
	out_string(p->out, "arch", NULL, event_arch_name(e->arch, e->nr));
	out_string(p->out, "action", " %s\n", event_action_name(seccomp_event_action(e)));
	out_object_end(p->out);
	return 0;
}

static int count_one(const struct store_event_row *row, void *userdata)
{
	(void)row;
	++*(unsigned *)userdata;
	return 1;
}

/* Whether another event follows the cursor. */
static int more_after(struct store *s, const struct events_opts *o, int64_t cursor, bool *ret)
{
	unsigned n = 0;
	int r = o->task_id ? store_task_events(s, o->task_id, cursor, 1, count_one, &n, NULL)
			   : store_events_since(s, cursor, 1, count_one, &n, NULL);
	*ret = n > 0;
	return r < 0 ? r : 0;
}

static int list_page(struct store *s, const struct events_opts *o, struct page *p)
{
	struct store_error err = {{0}};
	int r = o->task_id ? store_task_events(s, o->task_id, o->since, o->limit, on_event, p, &err)
			   : store_events_since(s, o->since, o->limit, on_event, p, &err);
	if (r == -ENOENT) {
		cli_error("no task \"%s\" in this store (try 'sigsys events' without --task)",
			  o->task_id);
		return EXIT_UNKNOWN_TASK;
	}
	if (r == -EINVAL && o->task_id && strlen(o->task_id) > STORE_ID_MAX) {
		cli_error("no task \"%s\" in this store (task ids are at most %d bytes)",
			  o->task_id, STORE_ID_MAX);
		return EXIT_UNKNOWN_TASK;
	}
	if (r < 0) {
		cli_error("reading events: %s", err.message);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int list_events(struct store *s, const struct events_opts *o, struct out *out)
{
	struct page p = {.out = out, .last_id = o->since};
	bool more = false;
	out_object_begin(out, NULL);
	out_array_begin(out, "events");
	int status = list_page(s, o, &p);
	out_array_end(out);
	if (status != EXIT_OK)
		return status;
	if (p.rows && more_after(s, o, p.last_id, &more) < 0) {
		cli_error("reading events: the store failed while paging");
		return EXIT_FAIL;
	}
	out_uint(out, "count", p.rows ? NULL : "no events\n", p.rows);
	out_int(out, "next_since", "next: --since %jd", p.last_id);
	out_bool(out, "more", more ? " (more events follow)\n" : " (no more for now)\n", more);
	out_object_end(out);
	return EXIT_OK;
}

/* One event as the API gives it, back into the row the printer takes. */
static int row_from_json(struct json_object *e, struct store_event_row *row)
{
	struct json_object *v;
	*row = (struct store_event_row){0};
#define GET(key) (json_object_object_get_ex(e, key, &v) ? v : NULL)
	row->id = json_object_get_int64(GET("id"));
	row->task_id = GET("task_id") ? json_object_get_string(v) : NULL;
	row->event.time_ns = json_object_get_uint64(GET("time_ns"));
	row->event.pid = json_object_get_int(GET("pid"));
	row->event.nr = json_object_get_int(GET("nr"));
	row->event.arch = (uint32_t)json_object_get_int64(GET("audit_arch"));
	row->event.code = (uint32_t)json_object_get_int64(GET("code"));
	format_into(row->event.comm, sizeof(row->event.comm), "%s",
		    GET("comm") ? json_object_get_string(v) : "");
#undef GET
	return row->id > 0 ? 0 : -EBADMSG;
}

/* Ask sigsysd: 1 when it did not answer (the caller falls back to the store file). */
static int list_from_api(const struct events_opts *o, struct out *out)
{
	char path[600], id[STORE_ID_MAX * 3 + 1];
	struct api_response resp = {0};
	if (o->task_id && api_escape(o->task_id, id, sizeof(id)) < 0)
		return EXIT_UNKNOWN_TASK;
	format_into(path, sizeof(path), "%s%s%s?since=%jd&limit=%u",
		    o->task_id ? "/v1/tasks/" : "/v1/events", o->task_id ? id : "",
		    o->task_id ? "/events" : "", (intmax_t)o->since, o->limit);
	if (api_get(api_run_dir(o->run_dir), path, &resp) < 0)
		return 1;
	int status = resp.status == 404	  ? EXIT_UNKNOWN_TASK
		     : resp.status == 200 ? EXIT_OK
					  : EXIT_FAIL;
	struct json_object *root = status == EXIT_OK ? json_tokener_parse(resp.body) : NULL;
	struct json_object *events = NULL, *more = NULL;
	if (status == EXIT_UNKNOWN_TASK)
		cli_error("no task \"%s\" known to sigsysd", o->task_id);
	else if (!json_object_object_get_ex(root, "events", &events) ||
		 !json_object_object_get_ex(root, "more", &more))
		status = EXIT_FAIL,
		cli_error("sigsysd answered %d: %.200s", resp.status, resp.body ? resp.body : "");
	struct page p = {.out = out, .last_id = o->since};
	out_object_begin(out, NULL);
	out_array_begin(out, "events");
	for (size_t i = 0; status == EXIT_OK && i < json_object_array_length(events); i++) {
		struct store_event_row row;
		if (row_from_json(json_object_array_get_idx(events, i), &row) == 0)
			on_event(&row, &p);
	}
	out_array_end(out);
	if (status == EXIT_OK) {
		bool more_follow = json_object_get_boolean(more);
		out_uint(out, "count", p.rows ? NULL : "no events\n", p.rows);
		out_int(out, "next_since", "next: --since %jd", p.last_id);
		out_bool(out, "more",
			 more_follow ? " (more events follow)\n" : " (no more for now)\n",
			 more_follow);
	}
	out_object_end(out);
	json_object_put(root);
	api_response_free(&resp);
	return status;
}

int events_main(int argc, char **argv)
{
	_cleanup_store_ struct store *s = NULL;
	_cleanup_out_ struct out *out = NULL;
	struct events_opts o;
	int r = parse_options(argc, argv, &o);
	if (r != EXIT_OK)
		return r < 0 ? EXIT_OK : r;
	if (out_new(o.format, stdout, &out) < 0) {
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	int status = o.db ? 1 : list_from_api(&o, out);
	if (status == 1) { /* the store file: given, or the daemon did not answer */
		if ((r = db_open(o.db, &s)) != EXIT_OK)
			return r;
		status = list_events(s, &o, out);
	}
	if (status != EXIT_OK)
		return status;
	if ((r = out_finish(out)) < 0) {
		cli_error("writing the events failed: %s", strerror(-r));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
