/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "util.h"

#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

int strv_push(struct strv *v, char *owned)
{
	return owned ? strv_push_nullable(v, owned) : -ENOMEM;
}

int strv_push_nullable(struct strv *v, char *owned)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		char **items = realloc(v->items, cap * sizeof(*items));
		if (!items) {
			free(owned);
			return -ENOMEM;
		}
		v->items = items;
		v->cap = cap;
	}
	v->items[v->n++] = owned;
	return 0;
}

int strv_pushf(struct strv *v, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	return strv_push(v, s);
}

void strv_clear(struct strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->items[i]);
	free(v->items);
	*v = (struct strv){0};
}

int read_fd_bounded(int fd, size_t max_bytes, char **ret_text, size_t *ret_len)
{
	size_t cap = 4096, len = 0;
	_cleanup_free_ char *buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			if (cap > max_bytes)
				return -E2BIG;
			cap *= 2;
			char *grown = realloc(buf, cap + 1);
			if (!grown)
				return -ENOMEM;
			buf = grown;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max_bytes)
			return -E2BIG;
	}
	buf[len] = '\0';
	*ret_text = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int read_file_bounded(const char *path, size_t max_bytes, char **ret_text, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max_bytes)
		return -E2BIG;
	return read_fd_bounded(fd, max_bytes, ret_text, ret_len);
}

void format_into(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

static const char *next_number(const char *s, unsigned long *ret)
{
	char *end;
	if (*s < '0' || *s > '9') {
		*ret = 0;
		return s;
	}
	*ret = strtoul(s, &end, 10);
	return *end == '.' ? end + 1 : end;
}

int kernel_version_compare(const char *release, const char *wanted)
{
	for (int part = 0; part < 3; part++) {
		unsigned long a, b;
		release = next_number(release, &a);
		wanted = next_number(wanted, &b);
		if (a != b)
			return a < b ? -1 : 1;
	}
	return 0;
}

bool text_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}
