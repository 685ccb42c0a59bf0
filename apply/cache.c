/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The on-disk cache of compiled filters: one root-only file per cache key, holding the
 * program and its own sha256. A file that is not ours, not private, or does not match its
 * digest is a miss: the caller rebuilds, never loads it.
 */
#include "plan.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/stat.h>

#define CACHE_MAGIC "SIGSYSF1"

struct cache_header {
	char magic[8];
	char key[64];
	uint32_t n_insns;
	uint32_t reserved;
	unsigned char sha256[32];
};

static void program_sha256(const struct sock_filter *insns, size_t n, unsigned char out[32])
{
	unsigned len = 32;
	EVP_Digest(insns, n * sizeof(*insns), out, &len, EVP_sha256(), NULL);
}

/* The directory must be ours and closed to others, or the cache is not used at all. */
static int open_cache_dir(const char *dir, bool create)
{
	if (create && mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 0077)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

int cache_lookup(const char *dir, const char *key, struct sock_filter **ret_insns, size_t *ret_n)
{
	char name[80];
	struct cache_header h;
	struct stat st;
	unsigned char sum[32];

	_cleanup_close_ int dfd = open_cache_dir(dir, false);
	if (dfd < 0)
		return dfd;
	format_into(name, sizeof(name), "%s.bpf", key);
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 0077))
		return -EPERM;
	if (pread(fd, &h, sizeof(h), 0) != sizeof(h) || memcmp(h.magic, CACHE_MAGIC, 8) ||
	    memcmp(h.key, key, 64) || h.n_insns == 0 || h.n_insns > 4096 ||
	    (size_t)st.st_size != sizeof(h) + h.n_insns * sizeof(struct sock_filter))
		return -EBADMSG;
	struct sock_filter *insns = malloc(h.n_insns * sizeof(*insns));
	if (!insns)
		return -ENOMEM;
	ssize_t want = (ssize_t)(h.n_insns * sizeof(*insns));
	if (pread(fd, insns, (size_t)want, sizeof(h)) != want) {
		free(insns);
		return -EBADMSG;
	}
	program_sha256(insns, h.n_insns, sum);
	if (memcmp(sum, h.sha256, sizeof(sum))) {
		free(insns);
		return -EBADMSG;
	}
	*ret_insns = insns;
	*ret_n = h.n_insns;
	return 0;
}

int cache_store(const char *dir, const char *key, const struct sock_filter *insns, size_t n)
{
	char name[80], tmp[96];
	struct cache_header h = {.n_insns = (uint32_t)n};

	_cleanup_close_ int dfd = open_cache_dir(dir, true);
	if (dfd < 0)
		return dfd;
	memcpy(h.magic, CACHE_MAGIC, 8);
	memcpy(h.key, key, 64);
	program_sha256(insns, n, h.sha256);
	format_into(name, sizeof(name), "%s.bpf", key);
	format_into(tmp, sizeof(tmp), ".%s.%d.tmp", key, (int)getpid());
	_cleanup_close_ int fd =
		openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	ssize_t body = (ssize_t)(n * sizeof(*insns));
	if (write(fd, &h, sizeof(h)) != sizeof(h) || write(fd, insns, (size_t)body) != body ||
	    renameat(dfd, tmp, dfd, name) < 0) {
		int r = errno ? -errno : -EIO;
		unlinkat(dfd, tmp, 0);
		return r;
	}
	return 0;
}
