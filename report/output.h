/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One printer for text and JSON (the iproute2 json_print / bpftool json_writer idea): every
 * value is emitted by one call that names its JSON key and its text format, so the two
 * outputs cannot drift. A NULL key prints in text only, a NULL format in JSON only.
 *
 * Text goes out as it is printed; JSON is built with json-c and written by out_finish().
 * Allocation failures are remembered and reported once, by out_finish().
 */
#ifndef SIGSYS_REPORT_OUTPUT_H
#define SIGSYS_REPORT_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/util.h"

enum out_format {
	OUT_TEXT,
	OUT_JSON,
};

struct out;
struct json_object;

/* "text" or "json" (from --format); -EINVAL otherwise. */
int out_format_from_name(const char *name, enum out_format *ret);

int out_new(enum out_format format, FILE *stream, struct out **ret);
/* JSON: write the document. Returns -ENOMEM if any value was lost on the way. */
int out_finish(struct out *o);
void out_free(struct out *o);
/* JSON: hand over the document built so far (the caller puts it). -ENOMEM if a value was
 * lost or nothing was built. */
int out_take_json(struct out *o, struct json_object **ret);
/* Write a JSON document as out_finish() does: pretty, spaced, a newline after. */
int out_print_json(FILE *stream, struct json_object *root);

static inline void out_freep(struct out **o)
{
	out_free(*o);
}
#define _cleanup_out_ _cleanup_(out_freep)

/* Containers: key names the member in the enclosing object, NULL inside arrays. */
void out_object_begin(struct out *o, const char *key);
void out_object_end(struct out *o);
void out_array_begin(struct out *o, const char *key);
void out_array_end(struct out *o);

/* Values: in text, fmt receives the value (a NULL string prints as "-"). */
void out_string(struct out *o, const char *key, const char *fmt, const char *value);
void out_uint(struct out *o, const char *key, const char *fmt, uint64_t value);
void out_int(struct out *o, const char *key, const char *fmt, int64_t value);
void out_bool(struct out *o, const char *key, const char *fmt, bool value);
void out_double(struct out *o, const char *key, const char *fmt, double value);
/* JSON null; text prints fmt as it is. */
void out_null(struct out *o, const char *key, const char *fmt);
/* A JSON string of text a task controls (comm, exe, a path): bytes that are not UTF-8 and C1
 * controls as '?' (common/text.h), so the document stays readable. NULL: out of memory. */
struct json_object *out_json_text(const char *text);

/* Text only: words, separators and newlines around the values. */
void out_text(struct out *o, const char *fmt, ...) _printf_(2, 3);

#endif
