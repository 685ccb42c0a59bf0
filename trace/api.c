/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "api.h"
#include "evidence.h"
#include "launch-cache.h"
#include "daemon.h"
#include "output.h"
#include "report.h"
#include "scheduler-format.h"
#include "verdict.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <microhttpd.h>
#include <pthread.h>
#include <seccomp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#define JSON_TYPE    "application/json"
#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define TEXT_TYPE    "text/plain; charset=utf-8"
#define FAILURES_MAX 100 /* reports in one /v1/failures answer, newest tasks first */

/* What the main thread knows, as of its last api_publish(). */
struct api_snapshot {
	struct store_health store;
	bool audit, proc, bpf, notify;
	uint64_t audit_parsed, audit_rejected, audit_lost, enobufs;
	char bpf_error[256];		   /* why the bpf source is not running */
	uint64_t down_from_ns, down_to_ns; /* before this start; 0: none known */
};

struct api {
	struct MHD_Daemon *mhd;
	char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *db, *profile_dir;
	struct store *reader;		   /* the MHD thread's own, opened on first use */
	struct launch_cache *launch_cache; /* the MHD thread's: compiled launch profiles */
	pthread_mutex_t lock;
	struct api_snapshot snapshot;
};

struct reply {
	unsigned status;
	const char *type;
	char *body; /* owned */
	size_t len;
};

/* ---- replies ----------------------------------------------------------------------------- */

static void reply_json(struct reply *r, unsigned status, struct json_object *body)
{
	const char *text = json_object_to_json_string_ext(
		body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	r->status = status;
	r->type = JSON_TYPE;
	r->body = text ? strdup(text) : NULL;
	r->len = r->body ? strlen(r->body) : 0;
	json_object_put(body);
}

static void reply_error(struct reply *r, unsigned status, const char *message)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "error", json_object_new_string(message));
	reply_json(r, status, o);
}

static void reply_store_error(struct reply *r, int err, const struct store_error *e)
{
	if (err == -ENOENT)
		reply_error(r, MHD_HTTP_NOT_FOUND, "unknown task");
	else
		reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, e->message);
}

/* The reader, opened in the MHD thread on first use and kept. */
static struct store *reader_of(struct api *api, struct store_error *err)
{
	struct store_options o;
	if (api->reader)
		return api->reader;
	store_options_init(&o);
	o.read_only = true;
	o.busy_timeout_ms = 2000;
	if (store_open(api->db, &o, &api->reader, err) < 0)
		api->reader = NULL;
	return api->reader;
}

/* ---- /v1/health -------------------------------------------------------------------------- */

static struct json_object *health_store(const struct store_health *h)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "full", json_object_new_boolean(h->full));
	json_object_object_add(o, "last_error",
			       h->last_error ? json_object_new_string(h->last_message) : NULL);
	return o;
}

static struct json_object *health_records(const struct api_snapshot *s)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "audit_parsed", json_object_new_uint64(s->audit_parsed));
	json_object_object_add(o, "audit_rejected", json_object_new_uint64(s->audit_rejected));
	json_object_object_add(o, "audit_lost", json_object_new_uint64(s->audit_lost));
	json_object_object_add(o, "enobufs", json_object_new_uint64(s->enobufs));
	return o;
}

/* The time sigsysd was not running before this start: kills in it were not recorded. */
static struct json_object *health_down(const struct api_snapshot *s)
{
	if (!s->down_from_ns)
		return NULL;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "from_ns", json_object_new_uint64(s->down_from_ns));
	json_object_object_add(o, "to_ns", json_object_new_uint64(s->down_to_ns));
	json_object_object_add(o, "note",
			       json_object_new_string("sigsysd was not running: "
						      "kills in this window were "
						      "not recorded"));
	return o;
}

static void get_health(struct api *api, struct reply *r)
{
	struct api_snapshot s;
	pthread_mutex_lock(&api->lock);
	s = api->snapshot;
	pthread_mutex_unlock(&api->lock);
	bool ok = s.audit && !s.store.full && !s.store.last_error;
	struct json_object *o = json_object_new_object();
	struct json_object *sources = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_string(ok ? "ok" : "degraded"));
	json_object_object_add(o, "version", json_object_new_string(SIGSYS_VERSION));
	json_object_object_add(sources, "audit", json_object_new_boolean(s.audit));
	json_object_object_add(sources, "proc", json_object_new_boolean(s.proc));
	json_object_object_add(sources, "bpf", json_object_new_boolean(s.bpf));
	json_object_object_add(sources, "notify", json_object_new_boolean(s.notify));
	json_object_object_add(o, "sources", sources);
	if (!s.bpf) /* kills then have no arguments, and thread kills may go unseen */
		json_object_object_add(
			o, "bpf_unavailable",
			json_object_new_string(s.bpf_error[0] ? s.bpf_error : "not requested"));
	json_object_object_add(o, "store", health_store(&s.store));
	json_object_object_add(o, "records", health_records(&s));
	json_object_object_add(o, "daemon_down", health_down(&s));
	reply_json(r, MHD_HTTP_OK, o);
}

/* ---- events ------------------------------------------------------------------------------ */

static struct json_object *event_sources(uint32_t sources)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {{SECCOMP_EVENT_SOURCE_AUDIT, "audit"},
		     {SECCOMP_EVENT_SOURCE_BPF, "bpf"},
		     {SECCOMP_EVENT_SOURCE_NOTIFY, "notify"}};
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (sources & names[i].bit)
			json_object_array_add(a, json_object_new_string(names[i].name));
	return a;
}

static struct json_object *hex_arg(uint64_t value)
{
	char text[24];
	format_into(text, sizeof(text), "0x%jx", (uintmax_t)value);
	return json_object_new_string(text);
}

/* The stored JSON array of path strings, each one made safe to show. */
static struct json_object *task_strings(const char *stored)
{
	struct json_object *in = json_tokener_parse(stored), *out = json_object_new_array();
	for (size_t i = 0;
	     out && json_object_is_type(in, json_type_array) && i < json_object_array_length(in);
	     i++) {
		struct json_object *s = json_object_array_get_idx(in, i);
		json_object_array_add(out, json_object_is_type(s, json_type_string)
						   ? out_json_text(json_object_get_string(s))
						   : NULL);
	}
	json_object_put(in);
	return out;
}

/* The six arguments, as "0x…" strings (JSON numbers lose precision above 2^53) as the
 * report gives them, and the path strings the notify source read. */
static void event_args_strings(struct json_object *o, const struct store_event_row *row)
{
	struct json_object *args = NULL;
	if (row->event.has_args) {
		args = json_object_new_array();
		for (int i = 0; i < 6; i++)
			json_object_array_add(args, hex_arg(row->event.args[i]));
	}
	json_object_object_add(o, "args", args); /* null: no source saw them */
	json_object_object_add(o, "strings", row->strings ? task_strings(row->strings) : NULL);
}

static struct json_object *event_json(const struct store_event_row *row)
{
	const struct seccomp_event *e = &row->event;
	struct json_object *o = json_object_new_object();
	char time[TIME_TEXT_MAX], syscall[SYSCALL_NAME_MAX];
	time_text(e->time_ns, time, sizeof(time));
	event_syscall_name(e->arch, e->nr, syscall, sizeof(syscall));
	json_object_object_add(o, "id", json_object_new_int64(row->id));
	json_object_object_add(o, "task_id",
			       row->task_id ? json_object_new_string(row->task_id) : NULL);
	json_object_object_add(o, "time", json_object_new_string(time));
	json_object_object_add(o, "time_ns", json_object_new_uint64(e->time_ns));
	json_object_object_add(o, "pid", json_object_new_int(e->pid));
	json_object_object_add(o, "comm", out_json_text(e->comm));
	json_object_object_add(o, "exe", out_json_text(e->exe));
	json_object_object_add(o, "arch", json_object_new_string(event_arch_name(e->arch, e->nr)));
	json_object_object_add(o, "syscall", json_object_new_string(syscall));
	json_object_object_add(o, "nr", json_object_new_int(e->nr));
	json_object_object_add(o, "audit_arch", json_object_new_int64(e->arch));
	json_object_object_add(o, "code", json_object_new_int64(e->code));
	json_object_object_add(o, "action",
			       json_object_new_string(sigsys_action_name(seccomp_event_action(e))));
	json_object_object_add(o, "sources", event_sources(e->sources));
	json_object_object_add(o, "tid", e->tid ? json_object_new_int(e->tid) : NULL);
	event_args_strings(o, row);
	return o;
}

struct page {
	struct json_object *events;
	int64_t last_id;
	uint32_t count;
};

static int add_event(const struct store_event_row *row, void *userdata)
{
	struct page *p = userdata;
	json_object_array_add(p->events, event_json(row));
	p->last_id = row->id;
	p->count++;
	return 0;
}

static int count_event(const struct store_event_row *row _unused_, void *userdata)
{
	(*(uint32_t *)userdata)++;
	return 0;
}

/* One page of events with id > since: all of them (task_id NULL), or one task's. */
static int query_events(struct store *s, const char *task_id, int64_t since, uint32_t limit,
			store_event_fn fn, void *userdata, struct store_error *err)
{
	if (task_id)
		return store_task_events(s, task_id, since, limit, fn, userdata, err);
	return store_events_since(s, since, limit, fn, userdata, err);
}

/* A full decimal number in [min, max]; false for anything else. */
static bool parse_bounded(const char *text, long long min, long long max, long long *ret)
{
	char *end;
	if (!text || !*text || *text == '-' || *text == '+' || strlen(text) > 20)
		return false;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*ret = v;
	return true;
}

static bool page_arguments(struct MHD_Connection *c, int64_t *ret_since, uint32_t *ret_limit)
{
	const char *since = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "since");
	const char *limit = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
	long long v;
	*ret_since = 0;
	*ret_limit = API_PAGE_DEFAULT;
	if (since && !parse_bounded(since, 0, INT64_MAX, &v))
		return false;
	if (since)
		*ret_since = v;
	if (limit && !parse_bounded(limit, 1, STORE_PAGE_MAX, &v))
		return false;
	if (limit)
		*ret_limit = (uint32_t)v;
	return true;
}

static void get_events(struct api *api, struct MHD_Connection *c, const char *task_id,
		       struct reply *r)
{
	struct store_error err = {""};
	int64_t since;
	uint32_t limit, after = 0;
	if (!page_arguments(c, &since, &limit)) {
		reply_error(r, MHD_HTTP_BAD_REQUEST,
			    "since must be an event id >= 0 and limit a number in 1..10000");
		return;
	}
	struct store *s = reader_of(api, &err);
	if (!s) {
		reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, err.message);
		return;
	}
	struct page p = {.events = json_object_new_array(), .last_id = since};
	int n = query_events(s, task_id, since, limit, add_event, &p, &err);
	if (n >= 0 && p.count == limit)
		n = query_events(s, task_id, p.last_id, 1, count_event, &after, &err);
	if (n < 0) {
		json_object_put(p.events);
		reply_store_error(r, n, &err);
		return;
	}
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "events", p.events);
	json_object_object_add(o, "next", json_object_new_int64(p.last_id));
	json_object_object_add(o, "more", json_object_new_boolean(after > 0));
	reply_json(r, MHD_HTTP_OK, o);
}

/* ---- /v1/profiles ------------------------------------------------------------------------ */

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct json_object *profile_json(const char *dir, const char *name, off_t size)
{
	struct json_object *o = json_object_new_object();
	struct sigsys_profile *profile = NULL;
	struct sigsys_error err = {""};
	char path[PATH_MAX];
	format_into(path, sizeof(path), "%s/%s", dir, name);
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "size", json_object_new_int64(size));
	if (sigsys_profile_load(path, &profile, &err) < 0) {
		json_object_object_add(o, "digest", NULL);
		json_object_object_add(o, "error", json_object_new_string(err.message));
		return o;
	}
	json_object_object_add(o, "digest", json_object_new_string(sigsys_profile_digest(profile)));
	sigsys_profile_free(profile);
	return o;
}

/* The *.json regular files of the directory (no dot files), sorted, at most API_PROFILES_MAX. */
static int list_profile_names(DIR *dir, struct strv *names)
{
	struct dirent *de;
	while ((de = readdir(dir)) && names->n < API_PROFILES_MAX) {
		struct stat st;
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".json") ||
		    fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (strv_pushf(names, "%s", de->d_name) < 0)
			return -ENOMEM;
	}
	qsort(names->items, names->n, sizeof(*names->items), compare_names);
	return 0;
}

static void get_profiles(struct api *api, struct reply *r)
{
	struct strv names = {0};
	DIR *dir = opendir(api->profile_dir);
	if (!dir) {
		reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "cannot read the profile directory");
		return;
	}
	int err = list_profile_names(dir, &names);
	struct json_object *list = json_object_new_array();
	for (size_t i = 0; !err && i < names.n; i++) {
		struct stat st = {0};
		fstatat(dirfd(dir), names.items[i], &st, AT_SYMLINK_NOFOLLOW);
		json_object_array_add(list,
				      profile_json(api->profile_dir, names.items[i], st.st_size));
	}
	closedir(dir);
	strv_clear(&names);
	if (err) {
		json_object_put(list);
		reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
		return;
	}
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "profile_dir", json_object_new_string(api->profile_dir));
	json_object_object_add(o, "profiles", list);
	reply_json(r, MHD_HTTP_OK, o);
}

/* ---- /metrics ---------------------------------------------------------------------------- */

static int metric_count(const struct store_count *c, void *userdata)
{
	char syscall[SYSCALL_NAME_MAX];
	event_syscall_name(c->arch, c->nr, syscall, sizeof(syscall));
	fprintf(userdata, "sigsys_events_total{action=\"%s\",syscall=\"%s\",arch=\"%s\"} %ju\n",
		sigsys_action_name(c->action), syscall, event_arch_name(c->arch, c->nr),
		(uintmax_t)c->count);
	return 0;
}

/* Losses per kind: store_stats() keeps no source, so the source is the kind's own. */
static const char *loss_source(enum store_loss_kind kind)
{
	switch (kind) {
	case STORE_LOSS_ENOBUFS:
		return "netlink"; /* the audit or the proc socket: store_stats() does not say */
	case STORE_LOSS_SERIAL_GAP:
		return "audit";
	case STORE_LOSS_DAEMON_DOWN:
		return "daemon";
	default:
		return "store";
	}
}

static void metrics_stats(FILE *f, const struct store_stats *st)
{
	fputs("# HELP sigsys_records_lost_total Records known lost (0 when the count is unknown).\n"
	      "# TYPE sigsys_records_lost_total counter\n",
	      f);
	for (int k = 0; k < STORE_LOSS_KIND_COUNT; k++)
		fprintf(f, "sigsys_records_lost_total{source=\"%s\",kind=\"%s\"} %ju\n",
			loss_source(k), store_loss_kind_name(k), (uintmax_t)st->loss_records[k]);
	fputs("# HELP sigsys_loss_reports_total Losses reported (ENOBUFS counts here).\n"
	      "# TYPE sigsys_loss_reports_total counter\n",
	      f);
	for (int k = 0; k < STORE_LOSS_KIND_COUNT; k++)
		fprintf(f, "sigsys_loss_reports_total{source=\"%s\",kind=\"%s\"} %ju\n",
			loss_source(k), store_loss_kind_name(k), (uintmax_t)st->loss_reports[k]);
	fprintf(f,
		"# HELP sigsys_registrations_total Task registrations stored.\n"
		"# TYPE sigsys_registrations_total counter\n"
		"sigsys_registrations_total %ju\n"
		"# HELP sigsys_store_bytes The database and its WAL on disk.\n"
		"# TYPE sigsys_store_bytes gauge\n"
		"sigsys_store_bytes %ju\n",
		(uintmax_t)st->registrations, (uintmax_t)st->file_bytes);
}

static int write_metrics(struct store *s, FILE *f, struct store_error *err)
{
	struct store_stats st;
	fputs("# HELP sigsys_events_total Seccomp decisions seen, per action, syscall and arch.\n"
	      "# TYPE sigsys_events_total counter\n",
	      f);
	int r = store_event_counts(s, metric_count, f, err);
	if (r < 0 || (r = store_stats(s, &st, err)) < 0)
		return r;
	metrics_stats(f, &st);
	return 0;
}

static void get_metrics(struct api *api, struct reply *r)
{
	struct store_error err = {""};
	char *text = NULL;
	size_t len = 0;
	struct store *s = reader_of(api, &err);
	if (!s) {
		reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, err.message);
		return;
	}
	FILE *f = open_memstream(&text, &len);
	if (!f) {
		reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
		return;
	}
	int ret = write_metrics(s, f, &err);
	fclose(f);
	if (ret < 0) {
		free(text);
		reply_store_error(r, ret, &err);
		return;
	}
	*r = (struct reply){.status = MHD_HTTP_OK, .type = METRICS_TYPE, .body = text, .len = len};
}

/* ---- reports ----------------------------------------------------------------------------- */

/* A number query parameter in [min, max]; absent: *value unchanged. -EINVAL otherwise. */
static int query_number(struct MHD_Connection *c, const char *key, double min, double max,
			double *value)
{
	const char *text = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
	char *end;
	if (!text)
		return 0;
	errno = 0;
	double v = strtod(text, &end);
	if (errno || end == text || *end || !(v >= min && v <= max))
		return -EINVAL;
	*value = v;
	return 1;
}

/* The scheduler's restart policy, as `sigsys report --marathon-app/--metronome-job` sends
 * it. Returns false with the reply filled when a value is bad. */
static bool policy_from_query(struct MHD_Connection *c, struct scheduler_policy *p, struct reply *r)
{
	const char *restart =
		MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "restart_policy");
	double deadline = -1;
	scheduler_policy_init(p);
	int seconds = query_number(c, "backoff_seconds", 0, 86400, &p->backoff_s);
	int factor = query_number(c, "backoff_factor", 1, 100, &p->backoff_factor);
	int max = query_number(c, "max_launch_delay_seconds", 0, 86400 * 30, &p->max_delay_s);
	int until = query_number(c, "active_deadline_seconds", 0, 86400 * 365, &deadline);
	bool bad_restart = restart && strcmp(restart, "ON_FAILURE") && strcmp(restart, "NEVER");
	if (seconds < 0 || factor < 0 || max < 0 || until < 0 || bad_restart) {
		reply_error(r, MHD_HTTP_BAD_REQUEST,
			    "backoff_seconds (0-86400), backoff_factor (1-100), "
			    "max_launch_delay_seconds (0-2592000), active_deadline_seconds "
			    "(0-31536000) are numbers; restart_policy is ON_FAILURE or NEVER");
		return false;
	}
	p->backoff_given = seconds > 0 || factor > 0 || max > 0;
	p->deadline_s = deadline >= 0 ? (int64_t)deadline : -1;
	if (restart)
		format_into(p->restart_policy, sizeof(p->restart_policy), "%s", restart);
	return true;
}

typedef int (*report_builder)(struct store *s, const char *task_id, const struct report_options *o,
			      struct json_object **ret, struct store_error *err);

static report_builder builder_of(const char *format)
{
	if (!format || !strcmp(format, "json"))
		return report_build;
	if (!strcmp(format, "marathon"))
		return report_build_marathon;
	if (!strcmp(format, "metronome"))
		return report_build_metronome;
	return NULL;
}

static void get_report_text(struct store *s, const char *id, const struct report_options *o,
			    struct reply *r)
{
	struct store_error err = {""};
	char *text = NULL;
	size_t len = 0;
	struct out *out = NULL;
	FILE *f = open_memstream(&text, &len);
	if (!f || out_new(OUT_TEXT, f, &out) < 0) {
		if (f)
			fclose(f);
		free(text);
		reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
		return;
	}
	int ret = report_write(s, id, o, out, NULL, 0, &err);
	out_free(out);
	fclose(f);
	if (ret < 0) {
		free(text);
		reply_store_error(r, ret, &err);
		return;
	}
	*r = (struct reply){.status = MHD_HTTP_OK, .type = TEXT_TYPE, .body = text, .len = len};
}

/* GET /v1/tasks/{id}/report: the JSON of `sigsys report --format json`; ?format=text,
 * marathon or metronome the other forms, with the restart policy from the query. */
static void get_report(struct api *api, struct MHD_Connection *c, const char *id, struct reply *r)
{
	const char *format = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
	struct scheduler_policy policy;
	struct report_options o = {.profile_dir = api->profile_dir,
				   .policy = &policy,
				   .launch_cache = api->launch_cache};
	struct store_error err = {""};
	struct json_object *report = NULL;
	report_builder build = builder_of(format);
	if (!build && strcmp(format, "text")) {
		reply_error(r, MHD_HTTP_BAD_REQUEST,
			    "format: expected json, text, marathon or metronome");
		return;
	}
	if (!policy_from_query(c, &policy, r))
		return;
	struct store *s = reader_of(api, &err);
	if (!s) {
		reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, err.message);
		return;
	}
	if (!build) {
		get_report_text(s, id, &o, r);
		return;
	}
	int ret = build(s, id, &o, &report, &err);
	if (ret < 0)
		reply_store_error(r, ret, &err);
	else
		reply_json(r, MHD_HTTP_OK, report);
}

struct task_ids {
	char (*ids)[STORE_ID_MAX + 1];
	size_t n;
	size_t newest_failed; /* index of the newest failed task; n when none failed */
};

static int add_task_id(const struct store_task *t, void *userdata)
{
	struct task_ids *l = userdata;
	bool failed = (t->exit.kind == STORE_EXIT_STATUS && t->exit.code != 0) ||
		      t->exit.kind == STORE_EXIT_SIGNAL;
	if (l->n == FAILURES_MAX)
		return 0;
	if (failed && l->newest_failed == SIZE_MAX)
		l->newest_failed = l->n;
	format_into(l->ids[l->n++], sizeof(l->ids[0]), "%s", t->task_id);
	return 0;
}

/* The reports of the listed tasks: the newest weighs the history, the others are brief. */
static int failures_json(struct store *s, const struct task_ids *l, const struct report_options *o,
			 struct json_object *list, struct store_error *err)
{
	struct report_options brief = *o;
	brief.brief = true;
	for (size_t i = 0; i < l->n; i++) {
		struct json_object *report = NULL;
		int r = report_build(s, l->ids[i], i ? &brief : o, &report, err);
		if (r == -ENOENT)
			continue; /* pruned since it was listed */
		if (r < 0)
			return r;
		json_object_array_add(list, report);
	}
	return 0;
}

/* ?format=marathon (by app) or metronome (by job run): the newest failure in that shape. */
static int failures_scheduler(struct store *s, const struct task_ids *l, const char *format,
			      const struct report_options *o, struct json_object **ret,
			      struct store_error *err)
{
	size_t i = l->newest_failed < l->n ? l->newest_failed : 0;
	if (!l->n) {
		*ret = json_object_new_object();
		return *ret ? 0 : -ENOMEM;
	}
	return strcmp(format, "marathon") ? report_build_metronome(s, l->ids[i], o, ret, err)
					  : report_build_marathon(s, l->ids[i], o, ret, err);
}

static const char *failures_request_error(const char *app, const char *job, const char *run,
					  const char *format)
{
	if ((!app) == (!job) || (run && !job))
		return "give app_id, or job_id (and run_id for one run of it)";
	if (format && strcmp(format, "json") && strcmp(format, "marathon") &&
	    strcmp(format, "metronome"))
		return "format: expected json, marathon or metronome";
	if (format && !strcmp(format, "marathon") && !app)
		return "format=marathon: give app_id";
	if (format && !strcmp(format, "metronome") && (!job || !run))
		return "format=metronome: give job_id and run_id";
	return NULL;
}

/* GET /v1/failures?app_id=ID or ?job_id=ID[&run_id=ID]: the reports of those tasks, newest
 * first; ?format=marathon|metronome the newest failure in the scheduler's shape. */
static void get_failures(struct api *api, struct MHD_Connection *c, struct reply *r)
{
	const char *app = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "app_id");
	const char *job = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "job_id");
	const char *run = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "run_id");
	const char *format = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
	const char *bad = failures_request_error(app, job, run, format);
	struct scheduler_policy policy;
	struct store_task_query q = {.limit = FAILURES_MAX};
	struct report_options o = {.profile_dir = api->profile_dir,
				   .policy = &policy,
				   .launch_cache = api->launch_cache};
	struct store_error err = {""};
	struct task_ids l = {.newest_failed = SIZE_MAX};
	struct json_object *body = NULL, *list = NULL;
	if (bad) {
		reply_error(r, MHD_HTTP_BAD_REQUEST, bad);
		return;
	}
	if (!policy_from_query(c, &policy, r))
		return;
	struct store *s = reader_of(api, &err);
	if (!s) {
		reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, err.message);
		return;
	}
	q.key = app ? STORE_TASKS_BY_APP : STORE_TASKS_BY_JOB;
	q.id = app ? app : job;
	q.run_id = run;
	l.ids = calloc(FAILURES_MAX, sizeof(*l.ids));
	int ret = l.ids ? store_find_tasks(s, &q, add_task_id, &l, &err) : -ENOMEM;
	if (ret >= 0 && format && strcmp(format, "json")) {
		ret = failures_scheduler(s, &l, format, &o, &body, &err);
	} else if (ret >= 0) {
		body = json_object_new_object();
		list = json_object_new_array();
		ret = body && list ? failures_json(s, &l, &o, list, &err) : -ENOMEM;
		if (body && list)
			json_object_object_add(body, "failures", TAKE_PTR(list));
	}
	free(l.ids);
	json_object_put(list);
	if (ret < 0) {
		json_object_put(body);
		reply_store_error(r, ret, &err);
		return;
	}
	reply_json(r, MHD_HTTP_OK, body);
}

/* ---- routing ----------------------------------------------------------------------------- */

/* "/v1/tasks/{id}/{what}": the id (MHD has percent-decoded the path, so it may hold '/'). */
static bool task_path(const char *url, const char *what, char *id, size_t size)
{
	const char *prefix = "/v1/tasks/";
	size_t plen = strlen(prefix), wlen = strlen(what), len = strlen(url);
	if (strncmp(url, prefix, plen) || len < plen + wlen + 2)
		return false;
	const char *tail = url + len - wlen - 1;
	if (tail[0] != '/' || strcmp(tail + 1, what))
		return false;
	size_t idlen = (size_t)(tail - url) - plen;
	if (idlen > STORE_ID_MAX || idlen >= size)
		return false;
	memcpy(id, url + plen, idlen);
	id[idlen] = '\0';
	return true;
}

static void route(struct api *api, struct MHD_Connection *c, const char *url, struct reply *r)
{
	char id[STORE_ID_MAX + 1];
	if (!strcmp(url, "/v1/health"))
		get_health(api, r);
	else if (!strcmp(url, "/v1/events"))
		get_events(api, c, NULL, r);
	else if (task_path(url, "events", id, sizeof(id)))
		get_events(api, c, id, r);
	else if (!strcmp(url, "/v1/profiles"))
		get_profiles(api, r);
	else if (!strcmp(url, "/metrics"))
		get_metrics(api, r);
	else if (task_path(url, "report", id, sizeof(id)))
		get_report(api, c, id, r);
	else if (!strcmp(url, "/v1/failures"))
		get_failures(api, c, r);
	else
		reply_error(r, MHD_HTTP_NOT_FOUND, "no such endpoint");
}

static enum MHD_Result send_reply(struct MHD_Connection *c, struct reply *r)
{
	if (!r->body)
		return MHD_NO; /* out of memory: MHD closes the connection */
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(r->body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->type);
	if (r->status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET");
	enum MHD_Result ret = MHD_queue_response(c, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version _unused_,
				  const char *upload_data _unused_,
				  size_t *upload_data_size _unused_, void **state _unused_)
{
	struct reply r = {0};
	if (strcmp(method, MHD_HTTP_METHOD_GET))
		reply_error(&r, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET is allowed");
	else
		route(cls, c, url, &r);
	return send_reply(c, &r);
}

/* ---- life -------------------------------------------------------------------------------- */

/* api.sock: 0660 and the API group when one is given, else root-only 0600. */
static int api_listen(struct daemon *d, const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	gid_t group = d->config.has_api_group ? d->config.api_group : 0;
	mode_t mode = d->config.has_api_group ? 0660 : 0600;
	format_into(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(path); /* a stale socket of a previous run */
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || chown(path, 0, group) < 0 ||
	    chmod(path, mode) < 0 || listen(fd, API_CONNECTIONS_MAX) < 0) {
		int r = -errno;
		daemon_log(LOG_ERR, "cannot listen on %s: %m", path);
		close(fd);
		return r;
	}
	return fd;
}

static struct MHD_Daemon *api_serve(struct api *api, int fd)
{
	return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL,
				on_request, api, MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)API_CONNECTIONS_MAX,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)API_TIMEOUT_S,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)API_CONNECTION_MEMORY,
				MHD_OPTION_END);
}

int api_start(struct daemon *d)
{
	struct api *api = calloc(1, sizeof(*api));
	if (!api)
		return -ENOMEM;
	if ((size_t)snprintf(api->socket_path, sizeof(api->socket_path), "%s/api.sock",
			     d->config.run_dir) >= sizeof(api->socket_path)) {
		free(api);
		daemon_log(LOG_ERR, "the run dir path is too long for a socket");
		return -ENAMETOOLONG;
	}
	api->db = d->config.db;
	api->profile_dir = d->config.profile_dir;
	if (launch_cache_new(&api->launch_cache) < 0) {
		free(api);
		return -ENOMEM;
	}
	pthread_mutex_init(&api->lock, NULL);
	d->api = api;
	api_publish(d);
	int fd = api_listen(d, api->socket_path);
	if (fd < 0)
		return fd;
	api->mhd = api_serve(api, fd);
	if (!api->mhd) {
		close(fd);
		daemon_log(LOG_ERR, "cannot start the HTTP API on %s", api->socket_path);
		return -EIO;
	}
	return 0;
}

void api_stop(struct daemon *d)
{
	struct api *api = d->api;
	if (!api)
		return;
	if (api->mhd) {
		MHD_stop_daemon(api->mhd); /* joins the thread, closes the socket */
		unlink(api->socket_path);
	}
	if (api->reader)
		store_close(api->reader);
	launch_cache_free(api->launch_cache);
	pthread_mutex_destroy(&api->lock);
	free(api);
	d->api = NULL;
}

void api_publish(struct daemon *d)
{
	struct api_snapshot s = {.audit = d->audit.fd >= 0,
				 .proc = d->proc_fd >= 0,
				 .bpf = d->bpf != NULL,
				 .notify = d->notify != NULL,
				 .audit_parsed = d->audit.records,
				 .audit_rejected = d->audit.rejected,
				 .audit_lost = d->audit.lost,
				 .enobufs = d->audit.enobufs,
				 .down_from_ns = d->down_from_ns,
				 .down_to_ns = d->down_to_ns};
	if (!d->api)
		return;
	format_into(s.bpf_error, sizeof(s.bpf_error), "%s", d->bpf_error);
	store_health(d->store, &s.store);
	pthread_mutex_lock(&d->api->lock);
	d->api->snapshot = s;
	pthread_mutex_unlock(&d->api->lock);
}
