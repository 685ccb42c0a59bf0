/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-apply: what applying a profile costs — compiling it, loading it, and what each
 * syscall pays under it — every figure against a baseline measured in the same run, with the
 * two sides interleaved so that the noise of a shared machine falls on both.
 *
 * The baselines are built from the plan (the rules sigsys really compiles), so both sides
 * hold the same rules with the same attributes. Every filter is loaded in a forked child.
 * "denial" makes the kernel emit audit records (type 1326) for personality(5): about 20 000
 * in a full run, 8 000 in a quick one (the kernel log rate-limits them; audit listeners get all).
 */
#include "bench.h"
#include "direct.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <math.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef BENCH_DEFAULT_PROFILE
#define BENCH_DEFAULT_PROFILE "profiles/default.json"
#endif

#define PERSONALITY_QUERY  0xffffffffUL /* allowed by an argument rule of the DC/OS default */
#define PERSONALITY_DENIED 5UL		/* no rule allows it: the default action, EPERM */

struct fixture {
	char *text; /* the profile: every timed region starts from this text */
	size_t len;
	const char *source;
	struct sigsys_options options; /* the defaults: enforce, no capabilities, no cache */
	struct sigsys_options cached;  /* the same, with a warm cache */
	char cache_dir[64];
	struct sigsys_profile *profile;
	struct sigsys_filter *filter; /* as sigsys builds it */
	struct plan plan;
	struct direct_filter direct; /* the plan's rules, ready for libseccomp */
	struct program mesos;	     /* the plan at libseccomp's default optimisation */
	struct program allow1;	     /* the floor */
	int zero_fd;		     /* 1-byte reads */
	int null_fd;		     /* where the libseccomp baseline exports */
};

/* ---- setup -------------------------------------------------------------------------------- */

static int parse_and_compile(const struct fixture *fx, const struct sigsys_options *options,
			     struct sigsys_profile **ret_profile, struct sigsys_filter **ret_filter)
{
	struct sigsys_error err = {{0}};
	int r = sigsys_profile_parse(fx->text, fx->len, fx->source, ret_profile, &err);
	if (r < 0) {
		fprintf(stderr, "bench-apply: %s\n", err.message);
		return r;
	}
	r = sigsys_compile(*ret_profile, options, ret_filter, &err);
	if (r < 0) {
		fprintf(stderr, "bench-apply: %s\n", err.message);
		sigsys_profile_free(*ret_profile);
	}
	return r;
}

/* The filter borrows names from its profile: free it first. */
static void free_pair(struct sigsys_profile *profile, struct sigsys_filter *filter)
{
	sigsys_filter_free(filter);
	sigsys_profile_free(profile);
}

/* The same rules through libseccomp alone must give the very program sigsys gives. */
static int check_baseline_program(const struct fixture *fx)
{
	struct program tree = {0};
	const void *insns;
	size_t n = sigsys_filter_program(fx->filter, &insns);
	int r = direct_program(&fx->direct, OPTIMIZE_AS_SIGSYS, &tree);
	if (r == 0 && !program_equal(&tree, insns, n)) {
		fprintf(stderr,
			"bench-apply: the libseccomp baseline builds a different program (%zu "
			"instructions) than sigsys (%zu): the comparison would be unfair\n",
			tree.n, n);
		r = -EPROTO;
	}
	program_clear(&tree);
	return r;
}

static int build_baselines(struct fixture *fx)
{
	struct sigsys_error err = {{0}};
	int r = plan_build(fx->profile, &fx->options, &fx->plan, &err);
	if (r < 0) {
		fprintf(stderr, "bench-apply: plan: %s\n", err.message);
		return r;
	}
	if ((r = direct_from_plan(&fx->plan, &fx->direct)) < 0 ||
	    (r = check_baseline_program(fx)) < 0 ||
	    (r = direct_program(&fx->direct, OPTIMIZE_AS_MESOS, &fx->mesos)) < 0 ||
	    (r = program_allow1(&fx->allow1)) < 0)
		return r;
	fprintf(stderr,
		"bench-apply: %s: %zu rules; %zu instructions (sigsys), %zu (Mesos-style)\n",
		fx->source, fx->plan.n_rules, sigsys_filter_program(fx->filter, NULL), fx->mesos.n);
	return 0;
}

/* A private cache directory (mkdtemp: 0700) holding the compiled profile. */
static int warm_cache(struct fixture *fx)
{
	struct sigsys_profile *profile;
	struct sigsys_filter *filter;

	format_into(fx->cache_dir, sizeof(fx->cache_dir), "/tmp/sigsys-bench.XXXXXX");
	if (!mkdtemp(fx->cache_dir)) {
		fx->cache_dir[0] = '\0';
		return -errno;
	}
	fx->cached = fx->options;
	fx->cached.cache_dir = fx->cache_dir;
	for (int pass = 0; pass < 2; pass++) {
		int r = parse_and_compile(fx, &fx->cached, &profile, &filter);
		if (r < 0)
			return r;
		bool hit = sigsys_filter_cached(filter);
		free_pair(profile, filter);
		if (pass == 1 && !hit) {
			fprintf(stderr, "bench-apply: the cache in %s never hits\n", fx->cache_dir);
			return -ESTALE;
		}
	}
	return 0;
}

static void remove_cache_dir(const char *path)
{
	DIR *dir = opendir(path);
	if (!dir)
		return;
	for (struct dirent *e; (e = readdir(dir));)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(dir), e->d_name, 0);
	closedir(dir);
	rmdir(path);
}

static void fixture_free(void *data)
{
	struct fixture *fx = data;
	if (!fx)
		return;
	if (fx->cache_dir[0])
		remove_cache_dir(fx->cache_dir);
	program_clear(&fx->allow1);
	program_clear(&fx->mesos);
	direct_clear(&fx->direct);
	plan_clear(&fx->plan);
	free_pair(fx->profile, fx->filter);
	free(fx->text);
	closep(&fx->zero_fd);
	closep(&fx->null_fd);
	free(fx);
}

static int fixture_fill(struct fixture *fx, const struct bench_args *args)
{
	int r = read_file_bounded(args->profile, SIGSYS_MAX_PROFILE_BYTES, &fx->text, &fx->len);
	if (r < 0) {
		fprintf(stderr, "bench-apply: cannot read %s: %s\n", args->profile, strerror(-r));
		return r;
	}
	fx->source = args->profile;
	sigsys_options_init(&fx->options);
	if ((r = parse_and_compile(fx, &fx->options, &fx->profile, &fx->filter)) < 0)
		return r;
	if ((r = build_baselines(fx)) < 0 || (r = warm_cache(fx)) < 0)
		return r;
	fx->zero_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	fx->null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	return fx->zero_fd < 0 || fx->null_fd < 0 ? -errno : 0;
}

static int fixture_setup(const struct bench_args *args, void **ret)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -ENOMEM;
	fx->zero_fd = fx->null_fd = -1;
	int r = fixture_fill(fx, args);
	if (r < 0) {
		fprintf(stderr, "bench-apply: setup failed: %s\n", strerror(-r));
		fixture_free(fx);
		return r;
	}
	*ret = fx;
	return 0;
}

/* ---- interleaved pairs -------------------------------------------------------------------- */

typedef int (*timed_fn)(const struct fixture *fx, double *ret);

/* One warm-up each, then pairs in alternating order so that drift falls on both sides. */
static int measure_pairs(const struct fixture *fx, unsigned runs, timed_fn value_fn,
			 timed_fn base_fn, struct samples *value, struct samples *base)
{
	double v, b;
	int r;
	if ((r = value_fn(fx, &v)) < 0 || (r = base_fn(fx, &b)) < 0)
		return r;
	for (unsigned i = 0; i < runs; i++) {
		if (i % 2 == 0)
			r = value_fn(fx, &v) ?: base_fn(fx, &b);
		else
			r = base_fn(fx, &b) ?: value_fn(fx, &v);
		if (r < 0 || (r = samples_push(value, v)) < 0 || (r = samples_push(base, b)) < 0)
			return r;
	}
	return 0;
}

static int emit_pairs(const struct fixture *fx, unsigned runs, timed_fn value_fn, timed_fn base_fn,
		      const struct comparison *shape)
{
	struct samples value = {0}, base = {0};
	int r = measure_pairs(fx, runs, value_fn, base_fn, &value, &base);
	if (r == 0) {
		struct comparison c = *shape;
		c.value = &value;
		c.base = &base;
		bench_emit(&c);
	}
	samples_clear(&value);
	samples_clear(&base);
	return r;
}

/* ---- 1. compile --------------------------------------------------------------------------- */

static int compile_sigsys(const struct fixture *fx, double *ret_ms)
{
	struct sigsys_profile *profile;
	struct sigsys_filter *filter;
	uint64_t t0 = now_ns();
	int r = parse_and_compile(fx, &fx->options, &profile, &filter);
	if (r < 0)
		return r;
	free_pair(profile, filter);
	*ret_ms = (double)(now_ns() - t0) / 1e6;
	return 0;
}

static int compile_libseccomp(const struct fixture *fx, double *ret_ms)
{
	uint64_t t0 = now_ns();
	int r = direct_compile(&fx->direct, OPTIMIZE_AS_SIGSYS, fx->null_fd);
	*ret_ms = (double)(now_ns() - t0) / 1e6;
	return r;
}

static int bench_compile(const struct bench_args *args, void *data)
{
	static const struct comparison shape = {
		.name = "compile.sigsys",
		.baseline = "compile.libseccomp",
		.unit = "ms",
		.target = {TARGET_RATIO_MAX, 1.1, "ratio <= 1.1"},
	};
	return emit_pairs(data, bench_reps(args, 300, 60), compile_sigsys, compile_libseccomp,
			  &shape);
}

/* ---- 2. apply, cached and uncached -------------------------------------------------------- */

/* Root loads filters freely; anyone else needs no_new_privs first. */
static unsigned load_flags(void)
{
	return geteuid() == 0 ? 0 : SIGSYS_LOAD_NO_NEW_PRIVS;
}

static int load_in_fresh_child(const struct sigsys_filter *filter)
{
	int status;
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(sigsys_filter_load(filter, load_flags()) < 0 ? 1 : 0);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

static int apply_once(const struct fixture *fx, const struct sigsys_options *options,
		      bool want_cached, double *ret_ms)
{
	struct sigsys_profile *profile;
	struct sigsys_filter *filter;
	uint64_t t0 = now_ns();
	int r = parse_and_compile(fx, options, &profile, &filter);
	if (r < 0)
		return r;
	if (sigsys_filter_cached(filter) != want_cached) {
		fprintf(stderr, "bench-apply: the filter %s from the cache\n",
			want_cached ? "did not come" : "came");
		r = -ESTALE;
	}
	if (r == 0)
		r = load_in_fresh_child(filter);
	free_pair(profile, filter);
	*ret_ms = (double)(now_ns() - t0) / 1e6;
	return r;
}

static int apply_cached(const struct fixture *fx, double *ret_ms)
{
	return apply_once(fx, &fx->cached, true, ret_ms);
}

static int apply_uncached(const struct fixture *fx, double *ret_ms)
{
	return apply_once(fx, &fx->options, false, ret_ms);
}

static int bench_apply(const struct bench_args *args, void *data)
{
	static const struct comparison shape = {
		.name = "apply.cached",
		.baseline = "apply.uncached",
		.unit = "ms",
		.target = {TARGET_RATIO_MAX, 0.05, "ratio <= 0.05 (20x faster)"},
	};
	return emit_pairs(data, bench_reps(args, 300, 60), apply_cached, apply_uncached, &shape);
}

/* ---- filters in children ------------------------------------------------------------------ */

enum config {
	CFG_NONE,	  /* no filter */
	CFG_ALLOW1,	  /* 1-instruction ALLOW: what any filter costs */
	CFG_SIGSYS,	  /* sigsys_filter_load: binary tree, FILTER_FLAG_LOG */
	CFG_MESOS,	  /* the same rules at libseccomp's default optimisation */
	CFG_SIGSYS_NOLOG, /* sigsys's program loaded without FILTER_FLAG_LOG */
	N_CONFIGS,
};

static const char *const config_names[N_CONFIGS] = {"none", "allow1", "sigsys", "mesos",
						    "sigsys-nolog"};

static int allow_unprivileged_load(void)
{
	if (geteuid() != 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

/* Baselines get sigsys's load flags (bar CFG_SIGSYS_NOLOG): only the program differs. */
static int load_config(const struct fixture *fx, enum config cfg)
{
	unsigned flags = sigsys_filter_flags(fx->filter);
	const void *insns;
	size_t n;
	switch (cfg) {
	case CFG_NONE:
		return 0;
	case CFG_ALLOW1:
		return program_load(fx->allow1.insns, fx->allow1.n, flags);
	case CFG_SIGSYS:
		return sigsys_filter_load(fx->filter, 0);
	case CFG_MESOS:
		return program_load(fx->mesos.insns, fx->mesos.n, flags);
	case CFG_SIGSYS_NOLOG:
		n = sigsys_filter_program(fx->filter, &insns);
		return program_load(insns, n, 0);
	default:
		return -EINVAL;
	}
}

/* The next config of a round: the order rotates, so that no config always goes first. */
static enum config config_at(const enum config *configs, size_t n, unsigned round, size_t i)
{
	return configs[(round + i) % n];
}

/* ---- 3. load ------------------------------------------------------------------------------ */

struct load_child {
	const struct fixture *fx;
	enum config cfg;
};

static int time_load(void *arg, double *out, size_t n)
{
	const struct load_child *lc = arg;
	int r = allow_unprivileged_load();
	if (r < 0 || n != 1)
		return r < 0 ? r : -EINVAL;
	uint64_t t0 = now_ns();
	r = load_config(lc->fx, lc->cfg);
	out[0] = (double)(now_ns() - t0) / 1e3;
	return r < 0 ? r : 0;
}

static int measure_loads(const struct fixture *fx, unsigned rounds, struct samples *by_cfg)
{
	static const enum config configs[] = {CFG_ALLOW1, CFG_SIGSYS, CFG_MESOS};
	for (unsigned round = 0; round < rounds; round++) {
		for (size_t i = 0; i < ARRAY_SIZE(configs); i++) {
			struct load_child lc = {fx,
						config_at(configs, ARRAY_SIZE(configs), round, i)};
			double us;
			int r = run_in_child(time_load, &lc, &us, 1);
			if (r < 0) {
				fprintf(stderr, "bench-apply: loading %s in a child: %s\n",
					config_names[lc.cfg], strerror(-r));
				return r;
			}
			if ((r = samples_push(&by_cfg[lc.cfg], us)) < 0)
				return r;
		}
	}
	return 0;
}

static int bench_load(const struct bench_args *args, void *data)
{
	struct samples by_cfg[N_CONFIGS] = {{0}};
	int r = measure_loads(data, bench_reps(args, 1000, 200), by_cfg);
	if (r == 0) {
		bench_emit(&(struct comparison){"load.sigsys",
						"load.allow1",
						"us",
						&by_cfg[CFG_SIGSYS],
						&by_cfg[CFG_ALLOW1],
						{TARGET_NONE, 0, "report it"}});
		bench_emit(
			&(struct comparison){"load.sigsys",
					     "load.mesos",
					     "us",
					     &by_cfg[CFG_SIGSYS],
					     &by_cfg[CFG_MESOS],
					     {TARGET_NONE, 0, "report it (issue: ~2.7x faster)"}});
	}
	for (size_t i = 0; i < N_CONFIGS; i++)
		samples_clear(&by_cfg[i]);
	return r;
}

/* ---- syscalls in children ----------------------------------------------------------------- */

enum call {
	CALL_GETPID,
	CALL_READ1,	  /* one byte from /dev/zero */
	CALL_PERSONALITY, /* personality(0xffffffff): allowed by an argument rule */
	CALL_DENIED,	  /* personality(5): denied with EPERM */
	N_CALLS,
};

static const char *const call_names[N_CALLS] = {"getpid", "read1", "personality",
						"personality-denied"};

/* Calls per sample: a sample lasts milliseconds, far above the clock's resolution. */
static const unsigned call_iters[N_CALLS] = {10000, 10000, 10000, 500};

static double ns_per_call(enum call call, int zero_fd, unsigned iters)
{
	char byte;
	uint64_t t0 = now_ns();
	switch (call) {
	case CALL_GETPID:
		for (unsigned i = 0; i < iters; i++)
			syscall(SYS_getpid);
		break;
	case CALL_READ1:
		for (unsigned i = 0; i < iters; i++)
			if (read(zero_fd, &byte, 1) != 1)
				return NAN;
		break;
	case CALL_PERSONALITY:
		for (unsigned i = 0; i < iters; i++)
			syscall(SYS_personality, PERSONALITY_QUERY);
		break;
	case CALL_DENIED:
		for (unsigned i = 0; i < iters; i++)
			syscall(SYS_personality, PERSONALITY_DENIED);
		break;
	default:
		return NAN;
	}
	return (double)(now_ns() - t0) / iters;
}

/* Each call must do, under the filter, what the benchmark claims it measures. */
static bool call_behaves(enum call call, enum config cfg, int zero_fd)
{
	char byte;
	switch (call) {
	case CALL_GETPID:
		return syscall(SYS_getpid) > 0;
	case CALL_READ1:
		return read(zero_fd, &byte, 1) == 1;
	case CALL_PERSONALITY:
		return syscall(SYS_personality, PERSONALITY_QUERY) >= 0;
	case CALL_DENIED:
		/* unfiltered, personality(5) would really change the persona */
		return cfg != CFG_NONE && cfg != CFG_ALLOW1 &&
		       syscall(SYS_personality, PERSONALITY_DENIED) == -1 && errno == EPERM;
	default:
		return false;
	}
}

struct call_child {
	const struct fixture *fx;
	enum config cfg;
	const enum call *calls;
	size_t n_calls;
	unsigned per_child; /* samples of each call */
};

/* out[call * per_child + sample]; the calls take turns so that drift falls on all. */
static int time_calls(void *arg, double *out, size_t n)
{
	const struct call_child *cc = arg;
	int r = allow_unprivileged_load();
	if (r < 0 || (r = load_config(cc->fx, cc->cfg)) < 0)
		return r;
	if (n != cc->n_calls * cc->per_child)
		return -EINVAL;
	for (size_t c = 0; c < cc->n_calls; c++)
		if (!call_behaves(cc->calls[c], cc->cfg, cc->fx->zero_fd))
			return -EPROTO;
	for (unsigned s = 0; s < cc->per_child; s++)
		for (size_t c = 0; c < cc->n_calls; c++)
			out[c * cc->per_child + s] = ns_per_call(cc->calls[c], cc->fx->zero_fd,
								 call_iters[cc->calls[c]]);
	return 0;
}

struct call_plan {
	const enum config *configs;
	size_t n_configs;
	const enum call *calls;
	size_t n_calls;
	unsigned rounds, per_child;
};

static int push_child_samples(const struct call_plan *cp, const double *out,
			      struct samples (*by)[N_CALLS], enum config cfg)
{
	for (size_t c = 0; c < cp->n_calls; c++)
		for (unsigned s = 0; s < cp->per_child; s++) {
			int r = samples_push(&by[cfg][cp->calls[c]], out[c * cp->per_child + s]);
			if (r < 0)
				return r;
		}
	return 0;
}

/* by[config][call]: every config gets one child per round, so samples pair by index. */
static int measure_calls(const struct fixture *fx, const struct call_plan *cp,
			 struct samples (*by)[N_CALLS])
{
	size_t n = cp->n_calls * cp->per_child;
	_cleanup_free_ double *out = calloc(n, sizeof(*out));
	if (!out)
		return -ENOMEM;
	for (unsigned round = 0; round < cp->rounds; round++) {
		for (size_t i = 0; i < cp->n_configs; i++) {
			struct call_child cc = {fx, config_at(cp->configs, cp->n_configs, round, i),
						cp->calls, cp->n_calls, cp->per_child};
			int r = run_in_child(time_calls, &cc, out, n);
			if (r < 0) {
				fprintf(stderr, "bench-apply: syscalls under %s in a child: %s\n",
					config_names[cc.cfg], strerror(-r));
				return r;
			}
			if ((r = push_child_samples(cp, out, by, cc.cfg)) < 0)
				return r;
		}
	}
	return 0;
}

static void clear_call_samples(struct samples (*by)[N_CALLS])
{
	for (size_t cfg = 0; cfg < N_CONFIGS; cfg++)
		for (size_t c = 0; c < N_CALLS; c++)
			samples_clear(&by[cfg][c]);
}

/* ---- 4. syscall cost ---------------------------------------------------------------------- */

static void emit_call(struct samples (*by)[N_CALLS], enum call call, enum config cfg,
		      enum config base, struct target target)
{
	char name[64], baseline[64];
	format_into(name, sizeof(name), "syscall.%s.%s", call_names[call], config_names[cfg]);
	format_into(baseline, sizeof(baseline), "syscall.%s.%s", call_names[call],
		    config_names[base]);
	bench_emit(&(struct comparison){name, baseline, "ns", &by[cfg][call], &by[base][call],
					target});
}

/* Overhead = cost - unfiltered cost, paired child by child within a round. */
static int emit_personality_overhead(struct samples (*by)[N_CALLS])
{
	struct samples sigsys, mesos;
	int r = samples_paired_diff(&by[CFG_SIGSYS][CALL_PERSONALITY],
				    &by[CFG_NONE][CALL_PERSONALITY], &sigsys);
	if (r < 0)
		return r;
	r = samples_paired_diff(&by[CFG_MESOS][CALL_PERSONALITY], &by[CFG_NONE][CALL_PERSONALITY],
				&mesos);
	if (r == 0)
		bench_emit(&(struct comparison){
			"syscall.personality.overhead.sigsys",
			"syscall.personality.overhead.mesos",
			"ns",
			&sigsys,
			&mesos,
			{TARGET_RATIO_MAX, 1 / 1.5, "ratio <= 0.67 (1.5x less overhead)"}});
	samples_clear(&sigsys);
	samples_clear(&mesos);
	return r;
}

static int emit_syscalls(struct samples (*by)[N_CALLS])
{
	static const struct target hot = {TARGET_DELTA_MAX, 5, "delta <= 5 ns"};
	/* the targets are the hot rows' and the personality overhead row's */
	static const struct target context = {TARGET_NONE, 0, "none (context)"};
	static const struct target see_overhead = {TARGET_NONE, 0, "see overhead row"};
	static const enum call calls[] = {CALL_GETPID, CALL_READ1, CALL_PERSONALITY};
	for (size_t i = 0; i < ARRAY_SIZE(calls); i++) {
		enum call call = calls[i];
		bool is_hot = call != CALL_PERSONALITY;
		emit_call(by, call, CFG_SIGSYS, CFG_NONE, context);
		emit_call(by, call, CFG_SIGSYS, CFG_ALLOW1, is_hot ? hot : see_overhead);
		emit_call(by, call, CFG_SIGSYS, CFG_MESOS, is_hot ? context : see_overhead);
	}
	return emit_personality_overhead(by);
}

static int bench_syscalls(const struct bench_args *args, void *data)
{
	static const enum config configs[] = {CFG_NONE, CFG_ALLOW1, CFG_SIGSYS, CFG_MESOS};
	static const enum call calls[] = {CALL_GETPID, CALL_READ1, CALL_PERSONALITY};
	struct call_plan cp = {
		.configs = configs,
		.n_configs = ARRAY_SIZE(configs),
		.calls = calls,
		.n_calls = ARRAY_SIZE(calls),
		.rounds = bench_reps(args, 100, 20),
		.per_child = 8,
	};
	struct samples by[N_CONFIGS][N_CALLS] = {{{0}}};
	int r = measure_calls(data, &cp, by);
	if (r == 0)
		r = emit_syscalls(by);
	clear_call_samples(by);
	return r;
}

/* ---- 5. denial cost ----------------------------------------------------------------------- */

static int bench_denial(const struct bench_args *args, void *data)
{
	static const enum config configs[] = {CFG_SIGSYS, CFG_SIGSYS_NOLOG};
	static const enum call calls[] = {CALL_DENIED};
	struct call_plan cp = {
		.configs = configs,
		.n_configs = ARRAY_SIZE(configs),
		.calls = calls,
		.n_calls = ARRAY_SIZE(calls),
		.rounds = bench_reps(args, 10, 4),
		.per_child = 4,
	};
	struct samples by[N_CONFIGS][N_CALLS] = {{{0}}};
	int r = measure_calls(data, &cp, by);
	if (r == 0)
		bench_emit(&(struct comparison){"denial.flag-log",
						"denial.no-flag",
						"ns",
						&by[CFG_SIGSYS][CALL_DENIED],
						&by[CFG_SIGSYS_NOLOG][CALL_DENIED],
						{TARGET_NONE, 0, "report it (issue: ~2.3 us)"}});
	clear_call_samples(by);
	return r;
}

/* ---- main --------------------------------------------------------------------------------- */

static const struct bench benches[] = {
	{"compile", "parse + compile + export default.json vs libseccomp alone", bench_compile},
	{"apply", "profile text to filter loaded in a fresh child: cached vs uncached",
	 bench_apply},
	{"load", "seccomp(2) in a child: sigsys vs 1-insn ALLOW and Mesos-style", bench_load},
	{"syscall", "getpid, 1-byte read, personality under each filter", bench_syscalls},
	{"denial", "a denied call with and without FILTER_FLAG_LOG", bench_denial},
};

int main(int argc, char **argv)
{
	static const struct fixture_ops ops = {fixture_setup, fixture_free};
	return bench_main(argc, argv, benches, ARRAY_SIZE(benches), &ops, BENCH_DEFAULT_PROFILE);
}
