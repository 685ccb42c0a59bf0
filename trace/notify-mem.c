/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "notify-mem.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define PAGE_BYTES 4096u

/* The calls whose path arguments a report wants to name, and where the paths are. */
static const struct {
	const char *name;
	unsigned n;
	unsigned index[NOTIFY_STRINGS_MAX];
} string_args[] = {
	{"open", 1, {0}},
	{"openat", 1, {1}},
	{"openat2", 1, {1}},
	{"creat", 1, {0}},
	{"mkdir", 1, {0}},
	{"mkdirat", 1, {1}},
	{"mknod", 1, {0}},
	{"mknodat", 1, {1}},
	{"rmdir", 1, {0}},
	{"unlink", 1, {0}},
	{"unlinkat", 1, {1}},
	{"chmod", 1, {0}},
	{"fchmodat", 1, {1}},
	{"fchmodat2", 1, {1}},
	{"chown", 1, {0}},
	{"lchown", 1, {0}},
	{"fchownat", 1, {1}},
	{"mount", 3, {0, 1, 2}},
	{"umount2", 1, {0}},
	{"execve", 1, {0}},
	{"execveat", 1, {1}},
	{"rename", 2, {0, 1}},
	{"renameat", 2, {1, 3}},
	{"renameat2", 2, {1, 3}},
	{"link", 2, {0, 1}},
	{"linkat", 2, {1, 3}},
	{"symlink", 2, {0, 1}},
	{"symlinkat", 2, {0, 2}},
	{"chdir", 1, {0}},
	{"chroot", 1, {0}},
	{"pivot_root", 2, {0, 1}},
	{"truncate", 1, {0}},
	{"access", 1, {0}},
	{"faccessat", 1, {1}},
	{"faccessat2", 1, {1}},
	{"stat", 1, {0}},
	{"lstat", 1, {0}},
	{"newfstatat", 1, {1}},
	{"statx", 1, {1}},
	{"readlink", 1, {0}},
	{"readlinkat", 1, {1}},
	{"utimensat", 1, {1}},
	{"setxattr", 2, {0, 1}},
	{"lsetxattr", 2, {0, 1}},
	{"getxattr", 2, {0, 1}},
	{"removexattr", 2, {0, 1}},
	{"swapon", 1, {0}},
	{"swapoff", 1, {0}},
	{"acct", 1, {0}},
	{"init_module", 1, {2}},
	{"finit_module", 1, {1}},
	{"delete_module", 1, {0}},
	{"quotactl", 1, {1}},
	{"fanotify_mark", 1, {4}},
	{"inotify_add_watch", 1, {1}},
	{"open_tree", 1, {1}},
	{"move_mount", 2, {1, 3}},
	{"fsopen", 1, {0}},
	{"fspick", 1, {1}},
};

size_t notify_string_args(const char *name, unsigned ret_index[NOTIFY_STRINGS_MAX])
{
	for (size_t i = 0; name && i < ARRAY_SIZE(string_args); i++)
		if (strcmp(string_args[i].name, name) == 0) {
			memcpy(ret_index, string_args[i].index, sizeof(string_args[i].index));
			return string_args[i].n;
		}
	return 0;
}

bool notify_id_valid(int listener_fd, uint64_t id)
{
	return ioctl(listener_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

/* Page by page: a string near the end of a mapping must not fail for the bytes beyond it. */
static int read_until_nul(int mem_fd, uint64_t addr, char *out, size_t size)
{
	size_t got = 0;
	while (got < size - 1) {
		size_t to_page_end = PAGE_BYTES - (size_t)((addr + got) % PAGE_BYTES);
		size_t want = to_page_end < size - 1 - got ? to_page_end : size - 1 - got;
		ssize_t n = pread(mem_fd, out + got, want, (off_t)(addr + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return got ? (int)got : (n < 0 ? -errno : -EFAULT);
		char *nul = memchr(out + got, '\0', (size_t)n);
		if (nul)
			return (int)(nul - out);
		got += (size_t)n;
	}
	out[got] = '\0';
	return (int)got;
}

/*
 * Another thread of the task may be rewriting the string while it is read: a read that two
 * reads in a row do not confirm is not presented as what the call named.
 */
static int read_stable(int mem_fd, uint64_t addr, char *out, char *check, size_t size)
{
	int r = read_until_nul(mem_fd, addr, out, size);
	for (int tries = 0; r >= 0 && tries < NOTIFY_READ_TRIES; tries++) {
		int again = read_until_nul(mem_fd, addr, check, size);
		if (again == r && memcmp(out, check, (size_t)r) == 0)
			return r;
		if (again < 0)
			return again;
		memcpy(out, check, (size_t)again);
		r = again;
	}
	return r < 0 ? r : -ESTALE;
}

int notify_read_strings(int listener_fd, uint64_t id, pid_t tid, const uint64_t *addrs, size_t n,
			char (*out)[NOTIFY_STRING_MAX], int *ret_len)
{
	char path[64], check[NOTIFY_STRING_MAX];
	for (size_t i = 0; i < n; i++) {
		out[i][0] = '\0';
		ret_len[i] = addrs[i] ? -ENOENT : -EFAULT;
	}
	format_into(path, sizeof(path), "/proc/%d/mem", (int)tid);
	_cleanup_close_ int mem_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (mem_fd < 0)
		return -errno;
	/* The pid may have been reused between the notification and the open. */
	if (!notify_id_valid(listener_fd, id))
		return -ENOENT;
	for (size_t i = 0; i < n; i++)
		if (addrs[i]) {
			ret_len[i] =
				read_stable(mem_fd, addrs[i], out[i], check, NOTIFY_STRING_MAX);
			out[i][ret_len[i] >= 0 ? ret_len[i] : 0] = '\0';
		}
	/* And the task may have died (its pid reused) during the reads: none of them counts. */
	if (!notify_id_valid(listener_fd, id)) {
		for (size_t i = 0; i < n; i++) {
			out[i][0] = '\0';
			ret_len[i] = -ENOENT;
		}
		return -ENOENT;
	}
	return 0;
}
