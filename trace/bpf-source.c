/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bpf-source.h"
#include "bpf/sigsys-bpf.h"
#include "sigsys.skel.h"
#include "util.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/magic.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* Pinned objects of one instance; meta is pinned last and removed first: it marks a
 * complete set. */
static const char *const pin_names[] = {"meta",	       "kills",	    "procs",	 "drops",
					"link_signal", "link_exit", "link_fork", "link_exec"};

/* The pinned "meta" map's one value: which build pinned the set, and for which run dir. */
struct pin_meta {
	uint32_t layout;
	uint32_t pad;
	uint64_t object_hash; /* of the BPF object: another build's programs are replaced */
	uint64_t drops_recorded[BPF_SOURCE_RINGS];
	char run_dir[PATH_MAX];
};

static int fail(struct bpf_source *s, int err, const char *fmt, ...) _printf_(3, 4);
static int fail(struct bpf_source *s, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
	return err;
}

static uint64_t fnv1a(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t object_hash(void)
{
	size_t size = 0;
	const void *bytes = sigsys_bpf__elf_bytes(&size);
	return fnv1a(bytes, size) ^ SIGSYS_BPF_LAYOUT;
}

int bpf_source_pin_dir(const char *run_dir, char *buf, size_t size)
{
	char real[PATH_MAX];
	if (!realpath(run_dir, real))
		return -errno;
	format_into(buf, size, "%s/%016llx", BPF_SOURCE_PIN_BASE,
		    (unsigned long long)fnv1a(real, strlen(real)));
	return 0;
}

/* ---- decoding ------------------------------------------------------------------------- */

static bool task_id_ok(int32_t id)
{
	return id > 0 && id <= PROC_PID_MAX;
}

static void copy_comm(char *dst, const char *src)
{
	memcpy(dst, src, SIGSYS_BPF_COMM_LEN);
	dst[SIGSYS_BPF_COMM_LEN - 1] = '\0';
}

static int decode_event(const struct sigsys_bpf_event *b, int64_t offset,
			struct bpf_source_item *it)
{
	struct seccomp_event *e = &it->event;
	if (b->arch != AUDIT_ARCH_X86_64 && b->arch != AUDIT_ARCH_I386)
		return -EINVAL;
	if (b->action != SECCOMP_RET_KILL_PROCESS && b->action != SECCOMP_RET_KILL_THREAD &&
	    b->action != SECCOMP_RET_TRAP)
		return -EINVAL;
	it->is_event = true;
	it->cgroup_id = b->cgroup_id;
	e->time_ns = (uint64_t)((int64_t)b->time_ns + offset);
	e->ip = b->ip;
	memcpy(e->args, b->args, sizeof(e->args));
	e->has_args = 1;
	e->pid = b->tgid;
	e->tid = b->tid;
	e->uid = b->uid;
	e->gid = b->gid;
	e->auid = e->ses = SECCOMP_EVENT_ID_UNSET;
	e->arch = b->arch;
	e->nr = b->nr;
	e->compat = b->arch == AUDIT_ARCH_I386;
	e->code = b->action | (b->data & SECCOMP_RET_DATA);
	e->sig = b->type == SIGSYS_BPF_KILL ? SIGSYS : 0; /* as audit says: TRAP records sig=0 */
	e->sources = SECCOMP_EVENT_SOURCE_BPF;
	copy_comm(e->comm, b->comm);
	return 0;
}

static int decode_change(const struct sigsys_bpf_event *b, struct proc_change *c)
{
	c->time_ns = b->time_ns;
	c->tgid = b->tgid;
	c->tid = b->tid;
	switch (b->type) {
	case SIGSYS_BPF_FORK:
		if (b->parent_tgid < 0 || b->parent_tgid > PROC_PID_MAX || b->parent_tid < 0 ||
		    b->parent_tid > PROC_PID_MAX)
			return -EINVAL;
		c->type = PROC_CHANGE_FORK;
		c->fork.parent_tgid = b->parent_tgid;
		c->fork.parent_tid = b->parent_tid;
		c->fork.thread = b->tid != b->tgid;
		return 0;
	case SIGSYS_BPF_EXEC:
		c->type = PROC_CHANGE_EXEC;
		return 0;
	default:
		c->type = PROC_CHANGE_EXIT;
		proc_decode_exit_code(b->exit_code, c);
		c->exit.exit_signal = b->tid == b->tgid ? SIGCHLD : -1;
		return 0;
	}
}

int bpf_source_decode(const void *data, size_t len, int64_t realtime_offset_ns,
		      struct bpf_source_item *ret)
{
	struct sigsys_bpf_event b;
	if (len != sizeof(b))
		return -EINVAL;
	memcpy(&b, data, sizeof(b)); /* ring samples are 8-aligned; the copy makes it moot */
	*ret = (struct bpf_source_item){.start_ns = b.start_ns,
					.parent_start_ns = b.parent_start_ns};
	if (!task_id_ok(b.tgid) || !task_id_ok(b.tid))
		return -EINVAL;
	if (b.type == SIGSYS_BPF_KILL || b.type == SIGSYS_BPF_TRAP)
		return decode_event(&b, realtime_offset_ns, ret);
	if (b.type == SIGSYS_BPF_FORK || b.type == SIGSYS_BPF_EXEC || b.type == SIGSYS_BPF_EXIT)
		return decode_change(&b, &ret->change);
	return -EINVAL;
}

/* ---- bpffs and pins -------------------------------------------------------------------- */

static int ensure_bpffs(struct bpf_source *s)
{
	struct statfs st;
	if (statfs(BPF_SOURCE_FS_ROOT, &st) == 0 && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mkdir(BPF_SOURCE_FS_ROOT, 0700) < 0 && errno != EEXIST)
		return fail(s, -errno, "cannot create %s: %m", BPF_SOURCE_FS_ROOT);
	if (mount("bpf", BPF_SOURCE_FS_ROOT, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700") <
	    0)
		return fail(s, -errno, "cannot mount bpffs at %s: %m", BPF_SOURCE_FS_ROOT);
	return 0;
}

static bool under_pin_base(const char *dir)
{
	size_t n = strlen(BPF_SOURCE_PIN_BASE);
	return strncmp(dir, BPF_SOURCE_PIN_BASE "/", n + 1) == 0 && !strstr(dir, "..") &&
	       !strchr(dir + n + 1, '/');
}

int bpf_source_unpin(const char *pin_dir)
{
	char path[PATH_MAX];
	if (!under_pin_base(pin_dir))
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(pin_names); i++) {
		format_into(path, sizeof(path), "%s/%s", pin_dir, pin_names[i]);
		if (unlink(path) < 0 && errno != ENOENT)
			return -errno;
	}
	return rmdir(pin_dir) < 0 && errno != ENOENT ? -errno : 0;
}

static int read_meta(int fd, struct pin_meta *m)
{
	uint32_t key = 0;
	return bpf_map_lookup_elem(fd, &key, m) < 0 ? -errno : 0;
}

static int write_meta(int fd, const struct pin_meta *m)
{
	uint32_t key = 0;
	return bpf_map_update_elem(fd, &key, m, BPF_ANY) < 0 ? -errno : 0;
}

/* Pins of run dirs that no longer exist (a test's temporary dir, a removed instance). */
static void remove_stale_pins(const char *own)
{
	_cleanup_(closedirp) DIR *dir = opendir(BPF_SOURCE_PIN_BASE);
	char path[PATH_MAX];
	for (struct dirent *e; dir && (e = readdir(dir));) {
		if (e->d_name[0] == '.')
			continue;
		format_into(path, sizeof(path), "%s/%s", BPF_SOURCE_PIN_BASE, e->d_name);
		if (strcmp(path, own) == 0)
			continue;
		char meta_path[PATH_MAX];
		format_into(meta_path, sizeof(meta_path), "%s/meta", path);
		_cleanup_close_ int fd = bpf_obj_get(meta_path);
		static struct pin_meta m;
		if (fd < 0 || read_meta(fd, &m) < 0)
			continue; /* being created, or not ours to judge */
		m.run_dir[sizeof(m.run_dir) - 1] = '\0';
		struct stat st;
		if (m.run_dir[0] == '/' && stat(m.run_dir, &st) < 0 && errno == ENOENT)
			bpf_source_unpin(path);
	}
}

static int pin_path(const struct bpf_source *s, const char *name, char *buf, size_t size)
{
	format_into(buf, size, "%s/%s", s->pin_dir, name);
	return 0;
}

static int pin_link(struct bpf_source *s, struct bpf_link *link, const char *name)
{
	char path[PATH_MAX];
	pin_path(s, name, path, sizeof(path));
	int r = bpf_link__pin(link, path);
	return r < 0 ? fail(s, r, "cannot pin %s: %s", path, strerror(-r)) : 0;
}

static int pin_map(struct bpf_source *s, struct bpf_map *map, const char *name)
{
	char path[PATH_MAX];
	pin_path(s, name, path, sizeof(path));
	int r = bpf_map__pin(map, path);
	return r < 0 ? fail(s, r, "cannot pin %s: %s", path, strerror(-r)) : 0;
}

static int pin_meta(struct bpf_source *s, const char *real_run_dir)
{
	static struct pin_meta m;
	char path[PATH_MAX];
	m = (struct pin_meta){.layout = SIGSYS_BPF_LAYOUT, .object_hash = object_hash()};
	format_into(m.run_dir, sizeof(m.run_dir), "%s", real_run_dir);
	_cleanup_close_ int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "sigsys_meta", sizeof(uint32_t),
						sizeof(m), 1, NULL);
	if (fd < 0)
		return fail(s, -errno, "cannot create the meta map: %m");
	pin_path(s, "meta", path, sizeof(path));
	if (write_meta(fd, &m) < 0 || bpf_obj_pin(fd, path) < 0)
		return fail(s, -errno, "cannot pin %s: %m", path);
	return 0;
}

static int load_and_pin(struct bpf_source *s, const char *real_run_dir)
{
	struct sigsys_bpf *skel = sigsys_bpf__open_and_load();
	int r;
	if (!skel)
		return fail(s, -errno, "cannot load the BPF programs: %m");
	if ((r = sigsys_bpf__attach(skel)) < 0) {
		sigsys_bpf__destroy(skel);
		return fail(s, r, "cannot attach the BPF programs: %s", strerror(-r));
	}
	if (mkdir(s->pin_dir, 0700) < 0 && errno != EEXIST)
		r = fail(s, -errno, "cannot create %s: %m", s->pin_dir);
	if (r == 0)
		r = pin_map(s, skel->maps.kills, "kills") ?: pin_map(s, skel->maps.procs, "procs")
		?: pin_map(s, skel->maps.drops, "drops")
		?: pin_link(s, skel->links.sigsys_signal, "link_signal")
		?: pin_link(s, skel->links.sigsys_exit, "link_exit")
		?: pin_link(s, skel->links.sigsys_fork, "link_fork")
		?: pin_link(s, skel->links.sigsys_exec, "link_exec")
		?: pin_meta(s, real_run_dir);
	/* the pins hold what must live on: links keep their programs, which keep their maps */
	sigsys_bpf__destroy(skel);
	if (r < 0)
		bpf_source_unpin(s->pin_dir);
	return r;
}

/* Open the pinned set. 1: reused; 0: nothing (usable) there; < 0: error. */
static int open_pins(struct bpf_source *s, const char *real_run_dir)
{
	static struct pin_meta m;
	static const char *const maps[] = {"kills", "procs"};
	char path[PATH_MAX];
	pin_path(s, "meta", path, sizeof(path));
	s->meta_fd = bpf_obj_get(path);
	if (s->meta_fd < 0 || read_meta(s->meta_fd, &m) < 0)
		return 0;
	m.run_dir[sizeof(m.run_dir) - 1] = '\0';
	if (strcmp(m.run_dir, real_run_dir) != 0)
		return fail(s, -EEXIST, "%s holds the pins of another run dir, %s", s->pin_dir,
			    m.run_dir);
	if (m.layout != SIGSYS_BPF_LAYOUT || m.object_hash != object_hash())
		return 0; /* another build's programs */
	for (size_t i = 0; i < ARRAY_SIZE(maps); i++) {
		pin_path(s, maps[i], path, sizeof(path));
		if ((s->map_fd[i] = bpf_obj_get(path)) < 0)
			return 0;
	}
	pin_path(s, "drops", path, sizeof(path));
	if ((s->drops_fd = bpf_obj_get(path)) < 0)
		return 0;
	for (size_t i = 4; i < ARRAY_SIZE(pin_names); i++) {
		pin_path(s, pin_names[i], path, sizeof(path));
		_cleanup_close_ int fd = bpf_obj_get(path);
		if (fd < 0)
			return 0;
	}
	memcpy(s->drops, m.drops_recorded, sizeof(s->drops));
	return 1;
}

static void close_fds(struct bpf_source *s)
{
	for (int i = 0; i < BPF_SOURCE_RINGS; i++) {
		if (s->map_fd[i] >= 0)
			close(s->map_fd[i]);
		s->map_fd[i] = -1;
	}
	if (s->drops_fd >= 0)
		close(s->drops_fd);
	if (s->meta_fd >= 0)
		close(s->meta_fd);
	s->drops_fd = s->meta_fd = -1;
}

static int on_sample(void *ctx, void *data, size_t len)
{
	struct bpf_source *s = ctx;
	struct bpf_source_item item;
	if (bpf_source_decode(data, len, s->realtime_offset_ns, &item) < 0) {
		s->rejected++;
		return 0;
	}
	s->samples[item.is_event ? BPF_SOURCE_KILLS : BPF_SOURCE_PROCS]++;
	s->fn(&item, s->userdata);
	return 0;
}

static int64_t realtime_offset(void)
{
	struct timespec real, mono;
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return (int64_t)(real.tv_sec - mono.tv_sec) * 1000000000ll +
	       (int64_t)(real.tv_nsec - mono.tv_nsec);
}

static void write_pins_file(const struct bpf_source *s, const char *run_dir)
{
	char path[PATH_MAX];
	format_into(path, sizeof(path), "%s/%s", run_dir, BPF_SOURCE_PINS_FILE);
	_cleanup_close_ int fd =
		open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd >= 0 && dprintf(fd, "%s\n", s->pin_dir) < 0)
		unlink(path);
}

static int print_nothing(_unused_ enum libbpf_print_level level, _unused_ const char *fmt,
			 _unused_ va_list ap)
{
	return 0;
}

int bpf_source_open(struct bpf_source *s, const char *run_dir, bpf_source_fn fn, void *userdata)
{
	char real[PATH_MAX];
	int r;
	*s = (struct bpf_source){
		.map_fd = {-1, -1}, .drops_fd = -1, .meta_fd = -1, .fn = fn, .userdata = userdata};
	libbpf_set_print(print_nothing); /* errors come back as values, said by the caller */
	if (!realpath(run_dir, real))
		return fail(s, -errno, "run dir %s: %m", run_dir);
	if ((r = bpf_source_pin_dir(run_dir, s->pin_dir, sizeof(s->pin_dir))) < 0 ||
	    (r = ensure_bpffs(s)) < 0)
		return r < 0 && !s->error[0] ? fail(s, r, "%s", strerror(-r)) : r;
	if (mkdir(BPF_SOURCE_PIN_BASE, 0700) < 0 && errno != EEXIST)
		return fail(s, -errno, "cannot create %s: %m", BPF_SOURCE_PIN_BASE);
	remove_stale_pins(s->pin_dir);
	r = open_pins(s, real);
	if (r < 0)
		return r;
	s->resumed = r == 1;
	if (!s->resumed) {
		close_fds(s);
		bpf_source_unpin(s->pin_dir);
		if ((r = load_and_pin(s, real)) < 0 || (r = open_pins(s, real)) <= 0) {
			close_fds(s);
			return r < 0 ? r : fail(s, -EIO, "the pins just made cannot be opened");
		}
	}
	s->realtime_offset_ns = realtime_offset();
	for (int i = 0; i < BPF_SOURCE_RINGS; i++) {
		s->rb[i] = ring_buffer__new(s->map_fd[i], on_sample, s, NULL);
		if (!s->rb[i]) {
			r = fail(s, -errno, "cannot map the ring buffer: %m");
			bpf_source_close(s);
			return r;
		}
	}
	write_pins_file(s, run_dir);
	return 0;
}

void bpf_source_close(struct bpf_source *s)
{
	for (int i = 0; i < BPF_SOURCE_RINGS; i++) {
		ring_buffer__free(s->rb[i]);
		s->rb[i] = NULL;
	}
	close_fds(s);
}

int bpf_source_fd(const struct bpf_source *s, enum bpf_source_ring ring)
{
	return s->rb[ring] ? ring_buffer__epoll_fd(s->rb[ring]) : -EBADF;
}

int bpf_source_drain(struct bpf_source *s, enum bpf_source_ring ring, int budget)
{
	/* ring_buffer__consume() takes everything there; the budget bounds the calls when the
	 * kernel writes as fast as we read */
	int total = 0;
	s->realtime_offset_ns = realtime_offset();
	while (total < budget) {
		int n = ring_buffer__consume(s->rb[ring]);
		if (n < 0)
			return fail(s, n, "reading the ring buffer: %s", strerror(-n));
		if (n == 0)
			break;
		total += n;
	}
	return total;
}

int bpf_source_drops(struct bpf_source *s, uint64_t ret[BPF_SOURCE_RINGS])
{
	static struct pin_meta m;
	bool changed = false;
	for (uint32_t i = 0; i < BPF_SOURCE_RINGS; i++) {
		uint64_t now = 0;
		ret[i] = 0;
		if (bpf_map_lookup_elem(s->drops_fd, &i, &now) < 0)
			return fail(s, -errno, "reading the drop counters: %m");
		if (now > s->drops[i]) {
			ret[i] = now - s->drops[i];
			s->drops[i] = now;
			changed = true;
		}
	}
	/* Remember what was taken, in the pins: the next sigsysd does not count it again. */
	if (changed && read_meta(s->meta_fd, &m) == 0) {
		memcpy(m.drops_recorded, s->drops, sizeof(s->drops));
		write_meta(s->meta_fd, &m);
	}
	return 0;
}

int bpf_source_probe(char *why, size_t size)
{
	libbpf_set_print(print_nothing);
	struct sigsys_bpf *skel = sigsys_bpf__open_and_load();
	int r = skel ? 0 : -errno;
	if (!skel) {
		format_into(why, size, "loading the programs: %s", strerror(-r));
		return r;
	}
	if ((r = sigsys_bpf__attach(skel)) < 0)
		format_into(why, size, "attaching to the raw tracepoints: %s", strerror(-r));
	else
		format_into(why, size,
			    "loaded and attached sigsysd's programs (raw tracepoints "
			    "signal_generate, sched_process_exit, _fork, _exec; ring buffers)");
	sigsys_bpf__destroy(skel);
	return r;
}
