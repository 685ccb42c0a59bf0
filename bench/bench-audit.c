/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-audit: what decoding the kernel's AUDIT_SECCOMP records costs sigsysd, in ns per
 * record, against libauparse and a plain key=value splitter on the very same records, the
 * sides measured in interleaved pairs.
 *
 * The records are netlink payloads as the kernel multicasts them, in four shapes: a plain
 * one, an AppArmor subj with a space, hex-encoded comm and exe, a long sandbox path.
 * libauparse gets them as auditd lines prepared outside the timed region, in its two usual
 * feeds: each record followed by an end-of-event record, and bare records as they arrive. Fed
 * bare, it holds events open for a while, so its cost per record grows with the number of
 * records of the last seconds: the records are stamped 1 ms apart (a task in log mode).
 * Every side extracts pid, syscall, arch and code and decodes comm and exe; the splitter
 * only splits.
 */
#include "audit-parse.h"
#include "bench.h"

#include <auparse.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define N_RECORDS     10000

struct fixture {
	char *payloads; /* N_RECORDS netlink payloads, back to back */
	size_t offset[N_RECORDS + 1];
	char *eoe_lines; /* each record as an auditd line, then an EOE line */
	size_t eoe_offset[N_RECORDS + 1];
	char *bare_lines; /* each record as an auditd line */
	size_t bare_offset[N_RECORDS + 1];
};

/* ---- the records -------------------------------------------------------------------------- */

static const char *const shapes[] = {
	"auid=4294967295 uid=0 gid=0 ses=4294967295 pid=%d comm=\"python3\" exe=\"/usr/bin/"
	"python3.11\" sig=0 arch=c000003e syscall=%d compat=0 ip=0x7f53aff48829 code=0x50000",
	"auid=4294967295 uid=0 gid=0 ses=4294967295 subj=cri-containerd.apparmor.d (enforce) "
	"pid=%d comm=\"runc:[2:INIT]\" exe=\"/\" sig=0 arch=c000003e syscall=%d compat=0 "
	"ip=0x7f0ef217692e code=0x7ffc0000",
	"auid=1000 uid=1000 gid=1000 ses=3 pid=%d comm=57656220436F6E74656E74 "
	"exe=2F7573722F6C69622F66697265666F782F66697265666F78202864656C6574656429 sig=31 "
	"arch=c000003e syscall=%d compat=0 ip=0x7f3c012e467b code=0x80000000",
	"auid=4294967295 uid=99 gid=99 ses=4294967295 pid=%d comm=\"java\" "
	"exe=\"/var/lib/mesos/slave/slaves/0e5c3c1f-8d1b-4a1e-9b4c-1f2d3e4a5b6c-S3/frameworks/"
	"4a1e9b4c-1f2d-3e4a-5b6c-0e5c3c1f8d1b-0000/executors/app.4a1e9b4c/runs/"
	"1f2d3e4a-5b6c-0e5c-3c1f-8d1b4a1e9b4c/jre/bin/java\" sig=31 arch=c000003e syscall=%d "
	"compat=0 ip=0x7fd8c219ef24 code=0x0",
};

static int append(char **buf, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int append(char **buf, size_t *len, const char *fmt, ...)
{
	char *more;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&more, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	char *grown = realloc(*buf, *len + (size_t)n + 1);
	if (!grown) {
		free(more);
		return -ENOMEM;
	}
	memcpy(grown + *len, more, (size_t)n + 1);
	*buf = grown;
	*len += (size_t)n;
	free(more);
	return 0;
}

/* Record i: "audit(STAMP): FIELDS" with its own serial, pid and syscall, one per ms. */
static int add_record(struct fixture *fx, size_t i, size_t *len, size_t *eoe_len, size_t *bare_len)
{
	char stamp[64], fields[1024];
	unsigned serial = 177703 + (unsigned)i;
	snprintf(stamp, sizeof(stamp), "audit(%zu.%03zu:%u)", 1795840114 + i / 1000, i % 1000,
		 serial);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(fields, sizeof(fields), shapes[i % ARRAY_SIZE(shapes)], 20000 + (int)(i % 5000),
		 (int)(i % 450));
#pragma GCC diagnostic pop
	int r = append(&fx->payloads, len, "%s: %s", stamp, fields);
	if (r == 0)
		r = append(&fx->eoe_lines, eoe_len, "type=SECCOMP msg=%s: %s\ntype=EOE msg=%s: \n",
			   stamp, fields, stamp);
	if (r == 0)
		r = append(&fx->bare_lines, bare_len, "type=SECCOMP msg=%s: %s\n", stamp, fields);
	fx->offset[i + 1] = *len;
	fx->eoe_offset[i + 1] = *eoe_len;
	fx->bare_offset[i + 1] = *bare_len;
	return r;
}

static void fixture_free(void *data)
{
	struct fixture *fx = data;
	if (!fx)
		return;
	free(fx->payloads);
	free(fx->eoe_lines);
	free(fx->bare_lines);
	free(fx);
}

static int fixture_setup(const struct bench_args *args, void **ret)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	size_t len = 0, eoe_len = 0, bare_len = 0;
	(void)args;
	if (!fx)
		return -ENOMEM;
	for (size_t i = 0; i < N_RECORDS; i++) {
		int r = add_record(fx, i, &len, &eoe_len, &bare_len);
		if (r < 0) {
			fixture_free(fx);
			return r;
		}
	}
	*ret = fx;
	return 0;
}

/* ---- the three decoders ------------------------------------------------------------------ */

static volatile uint64_t sink; /* what the decoders found, so that nothing is optimised out */

static int decode_sigsys(const struct fixture *fx)
{
	struct seccomp_event ev;
	uint64_t sum = 0;
	for (size_t i = 0; i < N_RECORDS; i++) {
		if (audit_parse_seccomp(fx->payloads + fx->offset[i],
					fx->offset[i + 1] - fx->offset[i], &ev) < 0) {
			fprintf(stderr, "bench-audit: record %zu refused\n", i);
			return -EINVAL;
		}
		sum += (uint64_t)ev.pid + (uint64_t)ev.nr + ev.code + ev.arch +
		       (uint8_t)ev.comm[0] + (uint8_t)ev.exe[1];
	}
	sink = sum;
	return 0;
}

/* The floor: split on spaces and '=', convert nothing, decode nothing. */
static int decode_split(const struct fixture *fx)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < N_RECORDS; i++) {
		const char *p = fx->payloads + fx->offset[i],
			   *end = fx->payloads + fx->offset[i + 1];
		const char *key[32], *value[32];
		size_t n = 0;
		while (p < end && n < ARRAY_SIZE(key)) {
			const char *space = memchr(p, ' ', (size_t)(end - p)), *eq;
			if (!space)
				space = end;
			eq = memchr(p, '=', (size_t)(space - p));
			if (eq) {
				key[n] = p;
				value[n++] = eq + 1;
			}
			p = space + 1;
		}
		if (n == 0)
			return -EINVAL;
		sum += n + (uint64_t)(value[n - 1] - key[0]);
	}
	sink = sum;
	return 0;
}

struct auparse_count {
	size_t records;
	uint64_t sum;
};

static unsigned long number(auparse_state_t *au, const char *name, int base)
{
	auparse_first_field(au);
	const char *v = auparse_find_field(au, name);
	return v ? strtoul(v, NULL, base) : 0;
}

static const char *decoded(auparse_state_t *au, const char *name)
{
	auparse_first_field(au);
	return auparse_find_field(au, name) ? auparse_interpret_field(au) : NULL;
}

static void on_event(auparse_state_t *au, auparse_cb_event_t type, void *data)
{
	struct auparse_count *count = data;
	if (type != AUPARSE_CB_EVENT_READY || auparse_first_record(au) <= 0)
		return;
	do {
		if (auparse_get_type(au) != AUDIT_SECCOMP_RECORD)
			continue;
		const char *comm = decoded(au, "comm"), *exe = decoded(au, "exe");
		count->sum += number(au, "pid", 10) + number(au, "syscall", 10) +
			      number(au, "code", 16) + number(au, "arch", 16) +
			      (comm ? (uint8_t)comm[0] : 0) + (exe ? (uint8_t)exe[1] : 0);
		count->records++;
	} while (auparse_next_record(au) > 0);
}

/* One auparse_feed() per record, as a daemon would feed what each recv() brings. */
static int decode_auparse(const char *text, const size_t *offset)
{
	struct auparse_count count = {0};
	auparse_state_t *au = auparse_init(AUSOURCE_FEED, NULL);
	if (!au)
		return -ENOMEM;
	auparse_add_callback(au, on_event, &count, NULL);
	for (size_t i = 0; i < N_RECORDS; i++)
		auparse_feed(au, text + offset[i], offset[i + 1] - offset[i]);
	auparse_flush_feed(au);
	auparse_destroy(au);
	sink = count.sum;
	if (count.records != N_RECORDS) {
		fprintf(stderr, "bench-audit: libauparse saw %zu of %d records\n", count.records,
			N_RECORDS);
		return -EPROTO;
	}
	return 0;
}

static int decode_auparse_eoe(const struct fixture *fx)
{
	return decode_auparse(fx->eoe_lines, fx->eoe_offset);
}

static int decode_auparse_bare(const struct fixture *fx)
{
	return decode_auparse(fx->bare_lines, fx->bare_offset);
}

/* ---- measuring ---------------------------------------------------------------------------- */

typedef int (*decode_fn)(const struct fixture *fx);

static int time_per_record(const struct fixture *fx, decode_fn fn, double *ret_ns)
{
	uint64_t t0 = now_ns();
	int r = fn(fx);
	*ret_ns = (double)(now_ns() - t0) / N_RECORDS;
	return r;
}

/* One warm-up each, then pairs in alternating order so that drift falls on both sides. */
static int measure_pairs(const struct fixture *fx, unsigned runs, decode_fn value_fn,
			 decode_fn base_fn, struct samples *value, struct samples *base)
{
	double v, b;
	int r;
	if ((r = time_per_record(fx, value_fn, &v)) < 0 ||
	    (r = time_per_record(fx, base_fn, &b)) < 0)
		return r;
	for (unsigned i = 0; i < runs; i++) {
		if (i % 2 == 0)
			r = time_per_record(fx, value_fn, &v) ?: time_per_record(fx, base_fn, &b);
		else
			r = time_per_record(fx, base_fn, &b) ?: time_per_record(fx, value_fn, &v);
		if (r < 0 || (r = samples_push(value, v)) < 0 || (r = samples_push(base, b)) < 0)
			return r;
	}
	return 0;
}

static int compare(const struct fixture *fx, unsigned runs, decode_fn base_fn, const char *baseline)
{
	struct samples value = {0}, base = {0};
	int r = measure_pairs(fx, runs, decode_sigsys, base_fn, &value, &base);
	if (r == 0) {
		double ns = samples_median(&value);
		bench_emit(&(struct comparison){
			"audit.sigsys",
			baseline,
			"ns/record",
			&value,
			&base,
			{TARGET_VALUE_MAX, 1000, ">= 1 M records/s (<= 1000 ns/record)"}});
		fprintf(stderr, "    audit.sigsys: %.2f M records/s (%s: %.2f M/s)\n", 1e3 / ns,
			baseline, 1e3 / samples_median(&base));
	}
	samples_clear(&value);
	samples_clear(&base);
	return r;
}

static int bench_auparse(const struct bench_args *args, void *data)
{
	return compare(data, bench_reps(args, 40, 10), decode_auparse_eoe, "audit.libauparse-eoe");
}

static int bench_auparse_bare(const struct bench_args *args, void *data)
{
	return compare(data, bench_reps(args, 10, 4), decode_auparse_bare, "audit.libauparse-bare");
}

static int bench_split(const struct bench_args *args, void *data)
{
	return compare(data, bench_reps(args, 200, 40), decode_split, "audit.kv-split");
}

static const struct bench benches[] = {
	{"auparse", "10 000 records: sigsys vs libauparse fed record + EOE", bench_auparse},
	{"auparse-bare", "10 000 records: sigsys vs libauparse fed bare records",
	 bench_auparse_bare},
	{"split", "10 000 records: sigsys vs a key=value splitter (the floor)", bench_split},
};

int main(int argc, char **argv)
{
	static const struct fixture_ops ops = {fixture_setup, fixture_free};
	return bench_main(argc, argv, benches, ARRAY_SIZE(benches), &ops, BENCH_DEFAULT_PROFILE);
}
