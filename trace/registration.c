/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "registration.h"
#include "util.h"

#include <ctype.h>
#include <json-c/json.h>
#include <string.h>

#define REGISTRATION_VERSION 1
#define REGISTRATION_DEPTH   4

struct checker {
	struct json_object *root;
	char *why;
	size_t why_size;
};

_printf_(2, 3) static int refuse(struct checker *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->why, c->why_size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int get_text(struct checker *c, struct json_object *obj, const char *key, char *out,
		    size_t size, bool required)
{
	struct json_object *v;
	if (!json_object_object_get_ex(obj, key, &v) || !v)
		return required ? refuse(c, "\"%s\": missing", key) : 0;
	if (!json_object_is_type(v, json_type_string))
		return refuse(c, "\"%s\": expected a string", key);
	const char *s = json_object_get_string(v);
	size_t len = (size_t)json_object_get_string_len(v);
	if (len >= size || strlen(s) != len || !text_printable(s))
		return refuse(c, "\"%s\": expected printable text of at most %zu bytes", key,
			      size - 1);
	memcpy(out, s, len + 1);
	return 0;
}

static int get_u64(struct checker *c, const char *key, uint64_t *ret)
{
	struct json_object *v;
	if (!json_object_object_get_ex(c->root, key, &v) || !json_object_is_type(v, json_type_int))
		return refuse(c, "\"%s\": expected an integer", key);
	errno = 0;
	*ret = json_object_get_uint64(v);
	if (errno || json_object_get_int64(v) < 0)
		return refuse(c, "\"%s\": out of range", key);
	return 0;
}

static int check_identity(struct checker *c, struct registration *reg)
{
	static const struct {
		const char *key;
		size_t offset;
	} ids[] = {
		{"task_id", offsetof(struct registration, task_id)},
		{"app_id", offsetof(struct registration, app_id)},
		{"job_id", offsetof(struct registration, job_id)},
		{"run_id", offsetof(struct registration, run_id)},
		{"container_id", offsetof(struct registration, container_id)},
		{"agent_id", offsetof(struct registration, agent_id)},
	};
	int r;
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		if ((r = get_text(c, c->root, ids[i].key, (char *)reg + ids[i].offset,
				  REGISTRATION_ID_MAX + 1, false)) < 0)
			return r;
	if ((r = get_text(c, c->root, "framework", reg->framework, sizeof(reg->framework), true)) <
	    0)
		return r;
	if (strcmp(reg->framework, "marathon") && strcmp(reg->framework, "metronome") &&
	    strcmp(reg->framework, "other"))
		return refuse(c, "\"framework\": expected marathon, metronome or other");
	return 0;
}

static int check_pid(struct checker *c, struct registration *reg, const struct ucred *peer)
{
	uint64_t pid;
	int r = get_u64(c, "pid", &pid);
	if (r < 0)
		return r;
	if (pid == 0 || pid > INT32_MAX)
		return refuse(c, "\"pid\": out of range");
	reg->pid = (int32_t)pid;
	if (peer && peer->uid != 0 && peer->pid != reg->pid) {
		snprintf(c->why, c->why_size,
			 "pid %d is not the sender's (%d): only root may register another "
			 "process",
			 reg->pid, (int)peer->pid);
		return -EPERM;
	}
	if ((r = get_u64(c, "pid_start_ns", &reg->pid_start_ns)) < 0)
		return r;
	return get_u64(c, "time_ns", &reg->time_ns);
}

static int check_mode(struct checker *c, struct registration *reg)
{
	char mode[16], caps[24], *end;
	struct json_object *v;
	int r = get_text(c, c->root, "mode", mode, sizeof(mode), true);
	if (r < 0)
		return r;
	if (sigsys_mode_from_name(mode, &reg->mode) < 0)
		return refuse(c, "\"mode\": expected enforce, log, kill or notify");
	if ((r = get_text(c, c->root, "caps", caps, sizeof(caps), true)) < 0)
		return r;
	errno = 0;
	reg->caps = strtoull(caps, &end, 16);
	if (strncmp(caps, "0x", 2) || errno || *end || end == caps + 2)
		return refuse(c, "\"caps\": expected a hex capability mask like \"0x200000\"");
	if (!json_object_object_get_ex(c->root, "unconfined", &v) ||
	    !json_object_is_type(v, json_type_boolean))
		return refuse(c, "\"unconfined\": expected true or false");
	reg->unconfined = json_object_get_boolean(v);
	if (json_object_object_get_ex(c->root, "listener", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return refuse(c, "\"listener\": expected true or false");
		reg->listener = json_object_get_boolean(v);
	}
	return 0;
}

/* The text must be a profile and its digest the one claimed: the report explains decisions
 * from this text, so a lie here would be a lie in every report. */
static int check_profile(struct checker *c, struct registration *reg)
{
	struct json_object *p, *text;
	struct sigsys_profile *profile = NULL;
	struct sigsys_error err;
	int r;
	if (!json_object_object_get_ex(c->root, "profile", &p) ||
	    !json_object_is_type(p, json_type_object))
		return reg->unconfined ? 0 : refuse(c, "\"profile\": missing");
	if (reg->unconfined)
		return refuse(c, "\"profile\": given for an unconfined task");
	if ((r = get_text(c, p, "name", reg->profile_name, sizeof(reg->profile_name), false)) < 0 ||
	    (r = get_text(c, p, "source", reg->profile_source, sizeof(reg->profile_source),
			  false)) < 0 ||
	    (r = get_text(c, p, "digest", reg->digest, sizeof(reg->digest), true)) < 0)
		return r;
	if (!json_object_object_get_ex(p, "text", &text) ||
	    !json_object_is_type(text, json_type_string))
		return refuse(c, "\"profile.text\": expected the profile as a string");
	size_t len = (size_t)json_object_get_string_len(text);
	if (len > SIGSYS_MAX_PROFILE_BYTES)
		return refuse(c, "\"profile.text\": larger than the 4 MiB profile limit");
	r = sigsys_profile_parse(json_object_get_string(text), len, "profile.text", &profile, &err);
	if (r < 0)
		return refuse(c, "\"profile.text\": not a valid profile: %s", err.message);
	bool same = strcmp(sigsys_profile_digest(profile), reg->digest) == 0;
	sigsys_profile_free(profile);
	if (!same)
		return refuse(c, "\"profile.digest\": does not match the profile text");
	if (!(reg->profile_text = malloc(len + 1)))
		return -ENOMEM;
	memcpy(reg->profile_text, json_object_get_string(text), len + 1);
	reg->profile_len = len;
	return 0;
}

static int parse_root(const char *text, size_t len, struct checker *c)
{
	if (len > REGISTRATION_MAX_BYTES)
		return refuse(c, "%zu bytes is more than the %u-byte limit", len,
			      REGISTRATION_MAX_BYTES);
	if (memchr(text, '\0', len))
		return refuse(c, "not JSON text (a NUL byte)");
	struct json_tokener *tok = json_tokener_new_ex(REGISTRATION_DEPTH);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	c->root = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr != json_tokener_success || end != len)
		return refuse(c, "not one JSON object (%s)",
			      jerr == json_tokener_success ? "trailing data"
							   : json_tokener_error_desc(jerr));
	if (!json_object_is_type(c->root, json_type_object))
		return refuse(c, "not a JSON object");
	struct json_object *v;
	if (!json_object_object_get_ex(c->root, "version", &v) ||
	    json_object_get_int(v) != REGISTRATION_VERSION)
		return refuse(c, "\"version\": expected %d", REGISTRATION_VERSION);
	return 0;
}

int registration_parse(const char *text, size_t len, const struct ucred *peer,
		       struct registration *ret, char *why, size_t why_size)
{
	struct checker c = {.why = why, .why_size = why_size};
	*ret = (struct registration){0};
	int r = parse_root(text, len, &c);
	if (r >= 0)
		r = check_pid(&c, ret, peer);
	if (r >= 0)
		r = check_identity(&c, ret);
	if (r >= 0)
		r = check_mode(&c, ret);
	if (r >= 0)
		r = check_profile(&c, ret);
	json_object_put(c.root);
	if (r < 0)
		registration_clear(ret);
	return r;
}

void registration_clear(struct registration *reg)
{
	free(reg->profile_text);
	reg->profile_text = NULL;
	reg->profile_len = 0;
}
