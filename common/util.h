/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small helpers shared by every part. Nothing here prints. */
#ifndef SIGSYS_COMMON_UTIL_H
#define SIGSYS_COMMON_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f)	 __attribute__((cleanup(f)))
#define _cleanup_free_	 _cleanup_(freep)
#define _cleanup_close_	 _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _printf_(a, b)	 __attribute__((format(printf, a, b)))
#define _unused_	 __attribute__((unused))
#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

/* Hand ownership out of a cleanup variable. */
#define TAKE_PTR(p)                     \
	({                              \
		__typeof__(p) _p = (p); \
		(p) = NULL;             \
		_p;                     \
	})
#define TAKE_FD(fd)             \
	({                      \
		int _fd = (fd); \
		(fd) = -1;      \
		_fd;            \
	})

/* A growable list of owned strings. */
struct strv {
	char **items;
	size_t n;
	size_t cap;
};

int strv_push(struct strv *v, char *owned);
/* Like strv_push, but NULL is a valid entry (a list with holes). */
int strv_push_nullable(struct strv *v, char *owned);
int strv_pushf(struct strv *v, const char *fmt, ...) _printf_(2, 3);
void strv_clear(struct strv *v);

/* Read a whole file, refusing files larger than max_bytes (-E2BIG). NUL-terminated. */
int read_file_bounded(const char *path, size_t max_bytes, char **ret_text, size_t *ret_len);
int read_fd_bounded(int fd, size_t max_bytes, char **ret_text, size_t *ret_len);

/* printf into a fixed buffer, always terminated, truncated when long. */
void format_into(char *buf, size_t size, const char *fmt, ...) _printf_(3, 4);

/* No control bytes (below 0x20, nor DEL): text safe to log and to store as an id. */
bool text_printable(const char *s);

/* Kernel release "6.18.44-foo" compared with "5.8": <0, 0, >0 on numeric parts. */
int kernel_version_compare(const char *release, const char *wanted);

#endif
