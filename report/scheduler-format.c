/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "scheduler-format.h"
#include "evidence.h"
#include "../common/util.h"

#include <errno.h>

#include <json-c/json.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RUN_TASKS_MAX 100

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* A copy of a member of the report (JSON null when absent). */
static void copy_member(struct json_object *to, const char *key, struct json_object *from,
			const char *from_key)
{
	struct json_object *v = member(from, from_key);
	json_object_object_add(to, key, v ? json_object_get(v) : NULL);
}

static void add_string(struct json_object *o, const char *key, const char *value)
{
	json_object_object_add(o, key, value ? json_object_new_string(value) : NULL);
}

/* The Mesos task state its exit gives: what Marathon and Metronome show. */
static const char *task_state(const struct store_exit *x)
{
	switch (x->kind) {
	case STORE_EXIT_STATUS:
		return x->code == 0 ? "TASK_FINISHED" : "TASK_FAILED";
	case STORE_EXIT_SIGNAL:
		return x->code == SIGKILL ? "TASK_KILLED" : "TASK_FAILED";
	case STORE_EXIT_LOST:
		return "TASK_LOST";
	default:
		return "TASK_RUNNING";
	}
}

static const char *report_state(struct json_object *report)
{
	struct json_object *x = member(report, "exit");
	struct store_exit e = {.kind = STORE_EXIT_NONE};
	if (x && member(x, "status"))
		e = (struct store_exit){STORE_EXIT_STATUS,
					json_object_get_int(member(x, "status"))};
	else if (x && member(x, "signal"))
		e = (struct store_exit){STORE_EXIT_SIGNAL,
					json_object_get_int(member(x, "signal"))};
	return task_state(&e);
}

/* lastTaskFailure {appId, host, message, state, taskId, timestamp, version, slaveId}. */
static struct json_object *last_task_failure(struct json_object *report)
{
	struct json_object *f = json_object_new_object(), *x = member(report, "exit");
	char host[256] = "";
	if (!f)
		return NULL;
	gethostname(host, sizeof(host) - 1);
	copy_member(f, "appId", report, "app_id");
	add_string(f, "host", host);
	copy_member(f, "message", report, "message");
	add_string(f, "state", report_state(report));
	copy_member(f, "taskId", report, "task_id");
	if (x)
		copy_member(f, "timestamp", x, "time");
	else
		json_object_object_add(f, "timestamp", NULL);
	json_object_object_add(f, "version", NULL); /* sigsys is not told the app version */
	copy_member(f, "slaveId", report, "agent_id");
	return f;
}

int report_build_marathon(struct store *s, const char *task_id, const struct report_options *o,
			  struct json_object **ret, struct store_error *err)
{
	struct json_object *report = NULL, *root;
	int r = report_build(s, task_id, o, &report, err);
	if (r < 0)
		return r;
	root = json_object_new_object();
	struct json_object *failure = root ? last_task_failure(report) : NULL;
	if (!failure) {
		json_object_put(root);
		json_object_put(report);
		return -ENOMEM;
	}
	copy_member(root, "appId", report, "app_id");
	json_object_object_add(root, "lastTaskFailure", failure);
	copy_member(root, "verdict", report, "verdict");
	json_object_object_add(root, "sigsys", report);
	*ret = root;
	return 0;
}

/* ---- metronome --------------------------------------------------------------------------- */

struct run_task {
	char id[STORE_ID_MAX + 1];
	uint64_t seen_ns;
	struct store_exit exit;
};

struct run_tasks {
	struct run_task *tasks;
	size_t n;
};

static int on_run_task(const struct store_task *t, void *userdata)
{
	struct run_tasks *l = userdata;
	if (l->n == RUN_TASKS_MAX)
		return 0;
	struct run_task *rt = &l->tasks[l->n++];
	format_into(rt->id, sizeof(rt->id), "%s", t->task_id);
	rt->seen_ns = t->seen_ns;
	rt->exit = t->exit;
	return 0;
}

static void add_time(struct json_object *o, const char *key, uint64_t ns)
{
	char text[TIME_TEXT_MAX];
	if (!ns) {
		json_object_object_add(o, key, NULL);
		return;
	}
	time_text(ns, text, sizeof(text));
	add_string(o, key, text);
}

/* One task of the run, oldest first as Metronome lists them, with its own diagnosis. */
static int run_task_json(struct store *s, const struct run_task *rt, const struct report_options *o,
			 struct json_object *tasks, struct store_error *err)
{
	struct report_options brief = *o;
	char message[REPORT_MESSAGE_MAX] = "";
	brief.brief = true;
	int r = report_write(s, rt->id, &brief, NULL, message, sizeof(message), err);
	if (r == -ENOENT)
		return 0; /* pruned since it was listed */
	if (r < 0)
		return r;
	struct json_object *t = json_object_new_object();
	if (!t)
		return -ENOMEM;
	add_string(t, "id", rt->id);
	add_string(t, "status", task_state(&rt->exit));
	add_time(t, "startedAt", rt->seen_ns);
	add_time(t, "completedAt", rt->exit.kind == STORE_EXIT_NONE ? 0 : rt->exit.time_ns);
	add_string(t, "message", message);
	json_object_array_add(tasks, t);
	return 0;
}

/* The run's tasks, oldest first; its status as Metronome would give it. */
static int run_json(struct store *s, const struct store_task *t, const struct report_options *o,
		    struct json_object *run, struct store_error *err)
{
	struct store_task_query q = {.key = STORE_TASKS_BY_JOB,
				     .id = t->job_id,
				     .run_id = t->run_id,
				     .limit = RUN_TASKS_MAX};
	struct run_tasks l = {.tasks = calloc(RUN_TASKS_MAX, sizeof(struct run_task))};
	struct json_object *tasks = json_object_new_array();
	bool succeeded = false, running = false;
	if (!l.tasks || !tasks) {
		free(l.tasks);
		json_object_put(tasks);
		return -ENOMEM;
	}
	json_object_object_add(run, "tasks", tasks);
	int r = store_find_tasks(s, &q, on_run_task, &l, err);
	for (size_t i = l.n; r >= 0 && i-- > 0;) {
		succeeded |= l.tasks[i].exit.kind == STORE_EXIT_STATUS && !l.tasks[i].exit.code;
		running |= l.tasks[i].exit.kind == STORE_EXIT_NONE;
		r = run_task_json(s, &l.tasks[i], o, tasks, err);
	}
	add_string(run, "status", succeeded ? "SUCCESS" : running ? "ACTIVE" : "FAILED");
	add_time(run, "createdAt", l.n ? l.tasks[l.n - 1].seen_ns : 0);
	free(l.tasks);
	return r;
}

/* The cause: the report's answer without its evidence. */
static struct json_object *cause_of(struct json_object *report)
{
	static const char *const keys[] = {"outcome", "reason", "syscall", "action",
					   "errno",   "rule",	"pattern"};
	struct json_object *c = json_object_new_object();
	for (size_t i = 0; c && i < ARRAY_SIZE(keys); i++)
		copy_member(c, keys[i], report, keys[i]);
	return c;
}

int report_build_metronome(struct store *s, const char *task_id, const struct report_options *o,
			   struct json_object **ret, struct store_error *err)
{
	struct json_object *report = NULL, *root = NULL, *run = NULL, *cause = NULL;
	struct task_evidence ev;
	int r = evidence_load(s, task_id, &ev, err);
	if (r == -EINVAL && strlen(task_id) > STORE_ID_MAX)
		r = -ENOENT;
	if (r < 0)
		return r;
	if ((r = report_build(s, task_id, o, &report, err)) < 0)
		goto out;
	root = json_object_new_object();
	run = json_object_new_object();
	cause = cause_of(report);
	if (!root || !run || !cause) {
		r = -ENOMEM;
		goto out;
	}
	add_string(root, "jobId", ev.task.job_id);
	add_string(root, "runId", ev.task.run_id);
	add_string(run, "id", ev.task.run_id);
	add_string(run, "jobId", ev.task.job_id);
	if (ev.task.job_id && (r = run_json(s, &ev.task, o, run, err)) < 0)
		goto out;
	json_object_object_add(root, "run", TAKE_PTR(run));
	json_object_object_add(root, "cause", TAKE_PTR(cause));
	copy_member(root, "verdict", report, "verdict");
	json_object_object_add(root, "sigsys", TAKE_PTR(report));
	*ret = TAKE_PTR(root);
out:
	json_object_put(root);
	json_object_put(run);
	json_object_put(cause);
	json_object_put(report);
	evidence_clear(&ev);
	return r;
}
