/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "output.h"
#include "text.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define OUT_MAX_DEPTH 16

struct out {
	enum out_format format;
	FILE *stream;
	struct json_object *root;
	struct json_object *stack[OUT_MAX_DEPTH];
	size_t depth;
	bool failed; /* a value could not be stored: out_finish() says so */
};

int out_format_from_name(const char *name, enum out_format *ret)
{
	if (strcmp(name, "text") == 0)
		*ret = OUT_TEXT;
	else if (strcmp(name, "json") == 0)
		*ret = OUT_JSON;
	else
		return -EINVAL;
	return 0;
}

int out_new(enum out_format format, FILE *stream, struct out **ret)
{
	struct out *o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->format = format;
	o->stream = stream;
	*ret = o;
	return 0;
}

static void end(struct out *o);

void out_free(struct out *o)
{
	if (!o)
		return;
	while (o->format == OUT_JSON && o->depth > 0)
		end(o);
	json_object_put(o->root);
	free(o);
}

int out_print_json(FILE *stream, struct json_object *root)
{
	const char *text = json_object_to_json_string_ext(
		root,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		return -ENOMEM;
	fprintf(stream, "%s\n", text);
	return 0;
}

int out_take_json(struct out *o, struct json_object **ret)
{
	if (o->format != OUT_JSON || !o->root || o->failed || o->depth > 0)
		return -ENOMEM;
	*ret = TAKE_PTR(o->root);
	return 0;
}

int out_finish(struct out *o)
{
	if (o->format == OUT_JSON && o->root && !o->failed &&
	    out_print_json(o->stream, o->root) < 0)
		o->failed = true;
	if (fflush(o->stream) != 0)
		return -errno;
	return o->failed ? -ENOMEM : 0;
}

/* The innermost open container; NULL at the top level or below a failed begin. */
static struct json_object *current(const struct out *o)
{
	return o->depth > 0 && o->depth <= OUT_MAX_DEPTH ? o->stack[o->depth - 1] : NULL;
}

static bool in_array(const struct out *o)
{
	return json_object_is_type(current(o), json_type_array);
}

/* JSON mode and a place for the value: a key in an object, or an element of an array.
 * A NULL key in an object means "text only". */
static bool json_wants(const struct out *o, const char *key)
{
	return o->format == OUT_JSON && (key || in_array(o));
}

/* Put a new JSON value (NULL is JSON null) into the current container; takes ownership. */
static void json_add(struct out *o, const char *key, struct json_object *value)
{
	if (o->depth == 0) {
		if (o->root)
			o->failed = true; /* a second top-level value: a bug of the caller */
		json_object_put(o->root);
		o->root = value;
		return;
	}
	struct json_object *parent = current(o);
	if (!parent) {
		json_object_put(value);
		o->failed = true;
		return;
	}
	int r = in_array(o) ? json_object_array_add(parent, value)
			    : json_object_object_add(parent, key ? key : "", value);
	if (r < 0) {
		json_object_put(value);
		o->failed = true;
	}
}

/* The stack holds its own reference, so a container stays valid until its end() even when
 * adding it to its parent failed. */
static void begin(struct out *o, const char *key, struct json_object *container)
{
	if (o->format != OUT_JSON)
		return;
	if (!container || o->depth >= OUT_MAX_DEPTH) {
		json_object_put(container);
		o->failed = true;
		if (o->depth < OUT_MAX_DEPTH)
			o->stack[o->depth] = NULL;
		o->depth++; /* keep begin/end balanced; nothing is stored at this level */
		return;
	}
	json_add(o, key, json_object_get(container));
	o->stack[o->depth++] = container;
}

static void end(struct out *o)
{
	if (o->format != OUT_JSON || o->depth == 0)
		return;
	o->depth--;
	if (o->depth < OUT_MAX_DEPTH) {
		json_object_put(o->stack[o->depth]);
		o->stack[o->depth] = NULL;
	}
}

void out_object_begin(struct out *o, const char *key)
{
	begin(o, key, o->format == OUT_JSON ? json_object_new_object() : NULL);
}

void out_object_end(struct out *o)
{
	end(o);
}

void out_array_begin(struct out *o, const char *key)
{
	begin(o, key, o->format == OUT_JSON ? json_object_new_array() : NULL);
}

void out_array_end(struct out *o)
{
	end(o);
}

/* The text formats come from the callers' string literals, checked against their values
 * by reading: as in iproute2's json_print.c, the compiler cannot see them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

/* Text from tasks (comm, paths read from their memory) may hold escapes meant for the
 * operator's terminal, or bytes that are not UTF-8: shown as '?' (common/text.h). */
static void print_text_value(struct out *o, const char *fmt, const char *value)
{
	char *safe = text_scrub(value, true);
	if (!safe) {
		o->failed = true;
		return;
	}
	fprintf(o->stream, fmt, safe);
	free(safe);
}

struct json_object *out_json_text(const char *value)
{
	if (text_is_clean(value, false))
		return json_object_new_string(value);
	char *safe = text_scrub(value, false);
	struct json_object *v = safe ? json_object_new_string(safe) : NULL;
	free(safe);
	return v;
}

/* Add a new value, or remember that it could not be made. */
static void json_put(struct out *o, const char *key, struct json_object *v)
{
	if (!v)
		o->failed = true;
	else
		json_add(o, key, v);
}

void out_string(struct out *o, const char *key, const char *fmt, const char *value)
{
	if (o->format == OUT_TEXT) {
		if (fmt)
			print_text_value(o, fmt, value ? value : "-");
		return;
	}
	if (!json_wants(o, key))
		return;
	struct json_object *v = value ? out_json_text(value) : NULL;
	if (value && !v)
		o->failed = true;
	else
		json_add(o, key, v);
}

void out_uint(struct out *o, const char *key, const char *fmt, uint64_t value)
{
	if (o->format == OUT_TEXT) {
		if (fmt)
			fprintf(o->stream, fmt, value);
		return;
	}
	if (!json_wants(o, key))
		return;
	json_put(o, key, json_object_new_uint64(value));
}

/* JSON: a number with at most three decimals, as written ("1.15", "300"). */
void out_double(struct out *o, const char *key, const char *fmt, double value)
{
	if (o->format == OUT_TEXT) {
		if (fmt)
			fprintf(o->stream, fmt, value);
		return;
	}
	if (!json_wants(o, key))
		return;
	char text[64];
	format_into(text, sizeof(text), "%.3f", value);
	char *end = text + strlen(text); /* "1.150" → "1.15", "300.000" → "300" */
	while (strchr(text, '.') && (end[-1] == '0' || end[-1] == '.'))
		*--end = '\0';
	json_put(o, key, json_object_new_double_s(value, text));
}

void out_int(struct out *o, const char *key, const char *fmt, int64_t value)
{
	if (o->format == OUT_TEXT) {
		if (fmt)
			fprintf(o->stream, fmt, value);
		return;
	}
	if (!json_wants(o, key))
		return;
	json_put(o, key, json_object_new_int64(value));
}

void out_bool(struct out *o, const char *key, const char *fmt, bool value)
{
	if (o->format == OUT_TEXT) {
		if (fmt)
			fprintf(o->stream, fmt, value ? "true" : "false");
		return;
	}
	if (!json_wants(o, key))
		return;
	json_put(o, key, json_object_new_boolean(value));
}

void out_null(struct out *o, const char *key, const char *fmt)
{
	if (o->format == OUT_TEXT) {
		if (fmt)
			fputs(fmt, o->stream);
		return;
	}
	if (json_wants(o, key))
		json_add(o, key, NULL);
}

void out_text(struct out *o, const char *fmt, ...)
{
	va_list ap;
	if (o->format != OUT_TEXT)
		return;
	va_start(ap, fmt);
	vfprintf(o->stream, fmt, ap);
	va_end(ap);
}

#pragma GCC diagnostic pop
