/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* listenerMetadata of an OCI runtime's listener message: a pure parser (text in, task out). */
#include "names.h"
#include "notify-source.h"
#include "util.h"

#include <ctype.h>
#include <json-c/json.h>
#include <string.h>

static int parse_on_notify(const char *v, struct notify_task *t, char *why, size_t why_size)
{
	char *end;
	if (strcmp(v, "kill") == 0) {
		t->answer = NOTIFY_ANSWER_KILL;
		return 0;
	}
	if (strncmp(v, "errno:", 6) == 0) {
		long n = isdigit((unsigned char)v[6]) ? strtol(v + 6, &end, 10) : -1;
		if (n < 0 || (n >= 0 && *end))
			n = errno_from_name(v + 6);
		if (n > 0 && n < 4096) {
			t->answer = NOTIFY_ANSWER_ERRNO;
			t->errnum = (int)n;
			return 0;
		}
	}
	format_into(why, why_size,
		    "on_notify \"%s\": expected errno:EPERM, errno:<1..4095> or kill", v);
	return -EINVAL;
}

static int set_key(struct notify_task *t, const char *key, const char *value, char *why,
		   size_t why_size)
{
	struct {
		const char *key;
		char *field;
		size_t size;
	} ids[] = {{"task_id", t->task_id, sizeof(t->task_id)},
		   {"app_id", t->app_id, sizeof(t->app_id)},
		   {"job_id", t->job_id, sizeof(t->job_id)},
		   {"run_id", t->run_id, sizeof(t->run_id)},
		   {"framework", t->framework, sizeof(t->framework)}};
	if (!text_printable(value)) {
		format_into(why, why_size, "%s: not printable text", key);
		return -EINVAL;
	}
	if (strcmp(key, "on_notify") == 0)
		return parse_on_notify(value, t, why, why_size);
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		if (strcmp(key, ids[i].key))
			continue;
		if (strlen(value) >= ids[i].size || !*value) {
			format_into(why, why_size, "%s: empty or longer than %zu bytes", key,
				    ids[i].size - 1);
			return -EINVAL;
		}
		memcpy(ids[i].field, value, strlen(value) + 1);
		return 0;
	}
	format_into(why, why_size,
		    "unknown key \"%.64s\" (known: task_id, framework, app_id, job_id, run_id, "
		    "on_notify)",
		    key);
	return -EINVAL;
}

static int parse_json_metadata(const char *text, struct notify_task *t, char *why, size_t why_size)
{
	struct json_object *o = json_tokener_parse(text);
	int r = 0;
	if (!json_object_is_type(o, json_type_object)) {
		format_into(why, why_size, "not a JSON object");
		r = -EINVAL;
	}
	json_object_object_foreach (r < 0 ? NULL : o, key, value) {
		if (!json_object_is_type(value, json_type_string)) {
			format_into(why, why_size, "%.64s: expected a string", key);
			r = -EINVAL;
			break;
		}
		if ((r = set_key(t, key, json_object_get_string(value), why, why_size)) < 0)
			break;
	}
	json_object_put(o);
	return r;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	for (size_t n = strlen(s); n && isspace((unsigned char)s[n - 1]); n--)
		s[n - 1] = '\0';
	return s;
}

static int parse_pairs(char *text, struct notify_task *t, char *why, size_t why_size)
{
	char *save = NULL;
	for (char *pair = strtok_r(text, ";", &save); pair; pair = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(pair, '=');
		if (!eq) {
			format_into(why, why_size, "\"%.64s\": expected key=value", pair);
			return -EINVAL;
		}
		*eq = '\0';
		int r = set_key(t, trim(pair), trim(eq + 1), why, why_size);
		if (r < 0)
			return r;
	}
	return 0;
}

int notify_metadata_parse(const char *text, struct notify_task *t, char *why, size_t why_size)
{
	t->answer = NOTIFY_ANSWER_ERRNO; /* fail closed */
	t->errnum = EPERM;
	format_into(t->framework, sizeof(t->framework), "other");
	if (!text || !*text)
		return 0;
	if (strlen(text) > 4096) {
		format_into(why, why_size, "metadata longer than 4096 bytes");
		return -E2BIG;
	}
	_cleanup_free_ char *copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	char *s = trim(copy);
	int r;
	if (*s == '{')
		r = parse_json_metadata(s, t, why, why_size);
	else if (strchr(s, '='))
		r = parse_pairs(s, t, why, why_size);
	else
		r = set_key(t, "task_id", s, why, why_size);
	if (r >= 0 && strcmp(t->framework, "marathon") && strcmp(t->framework, "metronome") &&
	    strcmp(t->framework, "other")) {
		format_into(why, why_size,
			    "framework \"%s\": expected marathon, metronome or other",
			    t->framework);
		r = -EINVAL;
	}
	return r;
}
