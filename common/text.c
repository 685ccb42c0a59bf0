/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0 when it is not one. The code
 * point in *cp. Overlong forms, surrogates and values past U+10FFFF are not valid. */
static size_t utf8_sequence(const unsigned char *s, uint32_t *cp)
{
	size_t len = s[0] < 0x80		    ? 1
		     : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
		     : s[0] >= 0xe0 && s[0] <= 0xef ? 3
		     : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
						    : 0;
	if (len <= 1) {
		*cp = s[0];
		return len;
	}
	*cp = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	bool overlong = (len == 3 && *cp < 0x800) || (len == 4 && *cp < 0x10000);
	bool surrogate = *cp >= 0xd800 && *cp <= 0xdfff;
	return overlong || surrogate || *cp > 0x10ffff ? 0 : len;
}

static bool is_control(uint32_t cp, bool c0)
{
	return (cp >= 0x80 && cp <= 0x9f) || (c0 && (cp < 0x20 || cp == 0x7f));
}

/* Walks text; with out, writes the scrubbed copy. Returns whether anything changed. */
static bool scrub(const char *text, bool c0, char *out)
{
	const unsigned char *s = (const unsigned char *)text;
	bool changed = false;
	while (*s) {
		uint32_t cp;
		size_t len = utf8_sequence(s, &cp);
		bool bad = len == 0 || is_control(cp, c0);
		size_t n = len ? len : 1;
		if (out && bad)
			memset(out, '?', n);
		else if (out)
			memcpy(out, s, n);
		if (out)
			out += n;
		changed |= bad;
		s += n;
	}
	if (out)
		*out = '\0';
	return changed;
}

bool text_is_clean(const char *text, bool c0)
{
	return !scrub(text, c0, NULL);
}

char *text_scrub(const char *text, bool c0)
{
	char *copy = malloc(strlen(text) + 1);
	if (copy)
		scrub(text, c0, copy);
	return copy;
}
