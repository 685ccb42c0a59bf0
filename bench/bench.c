/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- samples ------------------------------------------------------------------------------ */

int samples_push(struct samples *s, double value)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		double *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = value;
	return 0;
}

void samples_clear(struct samples *s)
{
	free(s->v);
	*s = (struct samples){0};
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Linear interpolation between the closest ranks; NAN when there is nothing. */
double samples_quantile(const struct samples *s, double q)
{
	if (s->n == 0)
		return NAN;
	double *sorted = malloc(s->n * sizeof(*sorted));
	if (!sorted)
		return NAN;
	memcpy(sorted, s->v, s->n * sizeof(*sorted));
	qsort(sorted, s->n, sizeof(*sorted), compare_doubles);
	double pos = q * (double)(s->n - 1);
	size_t lo = (size_t)pos;
	size_t hi = lo + 1 < s->n ? lo + 1 : lo;
	double value = sorted[lo] + (pos - (double)lo) * (sorted[hi] - sorted[lo]);
	free(sorted);
	return value;
}

double samples_median(const struct samples *s)
{
	return samples_quantile(s, 0.5);
}

double samples_spread(const struct samples *s)
{
	return (samples_quantile(s, 0.75) - samples_quantile(s, 0.25)) / samples_median(s);
}

static double diff(double a, double b)
{
	return a - b;
}

static double quotient(double a, double b)
{
	return a / b;
}

static int samples_paired(const struct samples *a, const struct samples *b,
			  double (*op)(double, double), struct samples *ret)
{
	*ret = (struct samples){0};
	if (a->n != b->n)
		return -EINVAL;
	for (size_t i = 0; i < a->n; i++) {
		int r = samples_push(ret, op(a->v[i], b->v[i]));
		if (r < 0) {
			samples_clear(ret);
			return r;
		}
	}
	return 0;
}

int samples_paired_diff(const struct samples *a, const struct samples *b, struct samples *ret)
{
	return samples_paired(a, b, diff, ret);
}

int samples_paired_ratio(const struct samples *a, const struct samples *b, struct samples *ret)
{
	return samples_paired(a, b, quotient, ret);
}

/* ---- output ------------------------------------------------------------------------------- */

/* JSON has no NaN or infinity: a figure that cannot be computed is null. */
static void print_number(const char *key, double v)
{
	if (isfinite(v))
		printf(",\"%s\":%.6g", key, v);
	else
		printf(",\"%s\":null", key);
}

static bool target_met(const struct target *t, double value, double ratio, double delta)
{
	switch (t->kind) {
	case TARGET_RATIO_MAX:
		return ratio <= t->bound;
	case TARGET_RATIO_MIN:
		return ratio >= t->bound;
	case TARGET_DELTA_MAX:
		return delta <= t->bound;
	case TARGET_VALUE_MAX:
		return value <= t->bound;
	case TARGET_VALUE_MIN:
		return value >= t->bound;
	default:
		return false;
	}
}

/* The medians of the per-pair ratios and differences. */
static void paired_medians(const struct comparison *c, double *ret_ratio, double *ret_delta)
{
	struct samples ratios, diffs;
	*ret_ratio = *ret_delta = NAN;
	if (samples_paired_ratio(c->value, c->base, &ratios) == 0)
		*ret_ratio = samples_median(&ratios);
	if (samples_paired_diff(c->value, c->base, &diffs) == 0)
		*ret_delta = samples_median(&diffs);
	samples_clear(&ratios);
	samples_clear(&diffs);
}

/* Names, units and target texts are string literals of ours: nothing to escape. */
void bench_emit(const struct comparison *c)
{
	double ratio, delta, value, base;
	if (c->quantile > 0) {
		value = samples_quantile(c->value, c->quantile);
		base = samples_quantile(c->base, c->quantile);
		ratio = value / base;
		delta = value - base;
	} else {
		value = samples_median(c->value);
		base = samples_median(c->base);
		paired_medians(c, &ratio, &delta);
	}

	printf("{\"name\":\"%s\",\"unit\":\"%s\"", c->name, c->unit);
	print_number("value", value);
	printf(",\"baseline\":\"%s\"", c->baseline);
	print_number("baseline_value", base);
	print_number("ratio", ratio);
	print_number("delta", delta);
	printf(",\"runs\":%zu", c->value->n);
	print_number("spread", samples_spread(c->value));
	print_number("baseline_spread", samples_spread(c->base));
	if (!c->target.text)
		printf(",\"target\":null");
	else
		printf(",\"target\":\"%s\"", c->target.text);
	if (c->target.kind == TARGET_NONE)
		printf(",\"target_met\":null}\n");
	else
		printf(",\"target_met\":%s}\n",
		       target_met(&c->target, value, ratio, delta) ? "true" : "false");
	fflush(stdout);
}

/* ---- children ----------------------------------------------------------------------------- */

static void child_main(int fd, child_fn fn, void *arg, double *out, size_t n)
{
	int r = fn(arg, out, n);
	ssize_t want = (ssize_t)(n * sizeof(*out));
	if (r == 0 && write(fd, out, (size_t)want) != want)
		r = -EIO;
	/* _exit: the parent's stdio buffers are not ours to flush. */
	_exit(r < 0 ? (-r & 0xff) : 0);
}

static int read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t k = read(fd, (char *)buf + done, len - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -EIO;
		done += (size_t)k;
	}
	return 0;
}

static int wait_child(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFSIGNALED(status))
		return -EINTR;
	return WEXITSTATUS(status) ? -WEXITSTATUS(status) : 0;
}

int run_in_child(child_fn fn, void *arg, double *out, size_t n)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int r = -errno;
		close(fds[0]);
		close(fds[1]);
		return r;
	}
	if (pid == 0) {
		close(fds[0]);
		child_main(fds[1], fn, arg, out, n);
	}
	close(fds[1]);
	int r = read_full(fds[0], out, n * sizeof(*out));
	close(fds[0]);
	int status = wait_child(pid);
	return status < 0 ? status : r;
}

/* ---- main --------------------------------------------------------------------------------- */

static void usage(FILE *f, const char *argv0, const struct bench *benches, size_t n)
{
	fprintf(f,
		"usage: %s [--quick] [--profile PATH] [--list] [NAME...]\n"
		"Runs the named benchmarks (all by default) and prints one JSON line per result.\n"
		"Benchmarks:\n",
		argv0);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-10s %s\n", benches[i].name, benches[i].what);
}

static bool selected(const char *name, char **names, int n_names)
{
	if (n_names == 0)
		return true;
	for (int i = 0; i < n_names; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

static int check_names(const char *argv0, char **names, int n_names, const struct bench *benches,
		       size_t n)
{
	for (int i = 0; i < n_names; i++) {
		bool known = false;
		for (size_t j = 0; j < n; j++)
			known = known || strcmp(names[i], benches[j].name) == 0;
		if (!known) {
			fprintf(stderr, "%s: no benchmark \"%s\" (--list shows them)\n", argv0,
				names[i]);
			return -ENOENT;
		}
	}
	return 0;
}

static int run_selected(const struct bench_args *args, char **names, int n_names,
			const struct bench *benches, size_t n, void *fixture)
{
	for (size_t i = 0; i < n; i++) {
		if (!selected(benches[i].name, names, n_names))
			continue;
		fprintf(stderr, "  %s: %s\n", benches[i].name, benches[i].what);
		int r = benches[i].run(args, fixture);
		if (r < 0)
			return r;
	}
	return 0;
}

int bench_main(int argc, char **argv, const struct bench *benches, size_t n_benches,
	       const struct fixture_ops *ops, const char *default_profile)
{
	static const struct option longopts[] = {
		{"quick", no_argument, NULL, 'q'},
		{"profile", required_argument, NULL, 'p'},
		{"list", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct bench_args args = {.profile = default_profile};
	int c;

	while ((c = getopt_long(argc, argv, "qp:lh", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			args.quick = true;
			break;
		case 'p':
			args.profile = optarg;
			break;
		case 'l':
		case 'h':
			usage(stdout, argv[0], benches, n_benches);
			return 0;
		default:
			usage(stderr, argv[0], benches, n_benches);
			return 2;
		}
	}
	if (check_names(argv[0], argv + optind, argc - optind, benches, n_benches) < 0)
		return 2;
	void *fixture = NULL;
	if (ops->setup(&args, &fixture) < 0)
		return 1;
	int r = run_selected(&args, argv + optind, argc - optind, benches, n_benches, fixture);
	ops->teardown(fixture);
	return r < 0 ? 1 : 0;
}
