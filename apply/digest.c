/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The profile digest: sha256 of the JSON re-serialized canonically — object keys sorted by
 * byte value, no insignificant whitespace, strings escaped minimally, numbers as written — so
 * that two agents holding the same profile in different formatting agree.
 */
#include "profile.h"

#include <json-c/json.h>
#include <openssl/evp.h>
#include <string.h>

struct buf {
	char *data;
	size_t len, cap;
	bool failed;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (b->len + n + 1 > cap)
			cap *= 2;
		char *data = realloc(b->data, cap);
		if (!data) {
			b->failed = true;
			return;
		}
		b->data = data;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void write_string(struct buf *b, const char *s, size_t n)
{
	buf_add(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			buf_add(b, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			buf_add(b, esc, 6);
		} else {
			buf_add(b, (const char *)&c, 1);
		}
	}
	buf_add(b, "\"", 1);
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void write_value(struct buf *b, struct json_object *o);

static void write_object(struct buf *b, struct json_object *o)
{
	size_t n = (size_t)json_object_object_length(o), i = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	if (!keys) {
		b->failed = true;
		return;
	}
	json_object_object_foreach (o, key, val) {
		(void)val;
		keys[i++] = key;
	}
	qsort(keys, n, sizeof(*keys), compare_keys);
	buf_add(b, "{", 1);
	for (i = 0; i < n; i++) {
		if (i)
			buf_add(b, ",", 1);
		write_string(b, keys[i], strlen(keys[i]));
		buf_add(b, ":", 1);
		write_value(b, json_object_object_get(o, keys[i]));
	}
	buf_add(b, "}", 1);
	free(keys);
}

static void write_value(struct buf *b, struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		buf_str(b, "null");
		break;
	case json_type_object:
		write_object(b, o);
		break;
	case json_type_array:
		buf_add(b, "[", 1);
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			if (i)
				buf_add(b, ",", 1);
			write_value(b, json_object_array_get_idx(o, i));
		}
		buf_add(b, "]", 1);
		break;
	case json_type_string:
		write_string(b, json_object_get_string(o), (size_t)json_object_get_string_len(o));
		break;
	default: /* numbers keep the text they were parsed from; booleans */
		buf_str(b, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		break;
	}
}

int canonical_digest(struct json_object *root, char out[72])
{
	struct buf b = {0};
	unsigned char md[32];
	unsigned int md_len = 0;

	write_value(&b, root);
	if (b.failed) {
		free(b.data);
		return -ENOMEM;
	}
	int ok = EVP_Digest(b.data ? b.data : "", b.len, md, &md_len, EVP_sha256(), NULL);
	free(b.data);
	if (!ok || md_len != sizeof(md))
		return -EIO;
	memcpy(out, "sha256:", 7);
	for (size_t i = 0; i < sizeof(md); i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
	return 0;
}
