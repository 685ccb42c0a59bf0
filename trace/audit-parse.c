/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The strict decoder of AUDIT_SECCOMP records. The kernel writes them with one fixed sequence
 * of printf calls (kernel/auditsc.c: audit_log_task() then audit_seccomp()), so the grammar
 * is that sequence read back, field by field, with no search except for the end of subj (the
 * one field printed raw, which may hold spaces). A record that deviates is not one the kernel
 * wrote as we know it: refusing it is safer than guessing, and sigsysd counts refusals.
 *
 * Every helper takes from a cursor that never moves past its end, and answers false for "not
 * the kernel's format"; only the public functions turn that into -EINVAL.
 */
#include "audit-parse.h"

#include <errno.h>
#include <linux/audit.h>
#include <stdbool.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The largest seconds for which seconds * 1e9 + 999 ms still fits in 64 bits. */
#define STAMP_SECONDS_MAX ((UINT64_MAX - 999999999u) / 1000000000u)
#define SIGNAL_MAX	  64 /* _NSIG: sig= is 0 or the signal the kill sends */

struct cursor {
	const char *p;
	const char *end;
};

static inline size_t left(const struct cursor *c)
{
	return (size_t)(c->end - c->p);
}

/* The literal lit (n bytes) comes next. */
static inline bool take(struct cursor *c, const char *lit, size_t n)
{
	if (left(c) < n || memcmp(c->p, lit, n) != 0)
		return false;
	c->p += n;
	return true;
}

#define TAKE(c, lit) take((c), (lit), sizeof(lit) - 1)

static inline int digit_value(char ch)
{
	unsigned d = (unsigned char)ch - '0';
	return d < 10 ? (int)d : -1;
}

/* %x writes lower case; audit_log_n_hex() writes upper case: each is refused for the other. */
static inline int lower_hex_value(char ch)
{
	unsigned a = (unsigned char)ch - 'a';
	return a < 6 ? (int)a + 10 : digit_value(ch);
}

static inline int upper_hex_value(char ch)
{
	unsigned a = (unsigned char)ch - 'A';
	return a < 6 ? (int)a + 10 : digit_value(ch);
}

/* The digits in [c->p, end) as printf writes them: at least one, no leading zero. */
static bool end_number(struct cursor *c, const char *end, uint64_t v, uint64_t *ret)
{
	if (end == c->p || (*c->p == '0' && end - c->p > 1))
		return false;
	c->p = end;
	*ret = v;
	return true;
}

/* %u, %lu, %llu: decimal, no sign, at most max. Constant divisors only: this is the hot loop. */
static bool take_decimal(struct cursor *c, uint64_t max, uint64_t *ret)
{
	const uint64_t limit = max / 10, last = max % 10;
	const char *p = c->p;
	uint64_t v = 0;
	int d;

	for (; p < c->end && (d = digit_value(*p)) >= 0; p++) {
		if (v > limit || (v == limit && (unsigned)d > last))
			return false;
		v = v * 10 + (unsigned)d;
	}
	return end_number(c, p, v, ret);
}

/* %x, %lx: lower-case hex, at most max. */
static bool take_hex(struct cursor *c, uint64_t max, uint64_t *ret)
{
	const uint64_t limit = max >> 4, last = max & 15;
	const char *p = c->p;
	uint64_t v = 0;
	int d;

	for (; p < c->end && (d = lower_hex_value(*p)) >= 0; p++) {
		if (v > limit || (v == limit && (unsigned)d > last))
			return false;
		v = v << 4 | (unsigned)d;
	}
	return end_number(c, p, v, ret);
}

static bool take_u32(struct cursor *c, bool hex, uint32_t *ret)
{
	uint64_t v;
	if (!(hex ? take_hex(c, UINT32_MAX, &v) : take_decimal(c, UINT32_MAX, &v)))
		return false;
	*ret = (uint32_t)v;
	return true;
}

/* %ld of an int (syscall=): an optional '-', never "-0". */
static bool take_int32(struct cursor *c, int32_t *ret)
{
	bool negative = left(c) > 0 && *c->p == '-';
	struct cursor digits = {c->p + negative, c->end};
	uint64_t magnitude;

	if (!take_decimal(&digits, negative ? (uint64_t)INT32_MAX + 1 : INT32_MAX, &magnitude) ||
	    (negative && magnitude == 0))
		return false;
	*ret = (int32_t)(negative ? -(int64_t)magnitude : (int64_t)magnitude);
	c->p = digits.p;
	return true;
}

/* A string value as it stands in the text: validated, decoded only once the record is. */
struct span {
	const char *p;
	size_t len; /* in text bytes: twice the value's length when hex */
	bool hex;
};

/* What a record says, before it is written out: the strings stay spans in the text, so a
 * refused record costs no copy and a parsed one is copied once, straight into *ret. */
struct record {
	uint64_t time_ns, ip;
	uint32_t serial, auid, uid, gid, ses, arch, code;
	int32_t pid, nr, sig;
	uint8_t compat;
	uint32_t flags; /* HAS_SUBJ, NO_EXE */
	struct span subj, comm, exe;
};

/* "value": audit_log_n_string() quotes a value only when every byte is 0x21..0x7e and not '"'. */
static bool take_quoted(struct cursor *c, struct span *ret)
{
	const char *start = c->p + 1, *p = start;

	for (; p < c->end && *p != '"'; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			return false;
	if (p == c->end)
		return false;
	*ret = (struct span){start, (size_t)(p - start), false};
	c->p = p + 1;
	return true;
}

/* Upper-case hex of every byte, up to the next space: a NUL would cut the C string short, and
 * the kernel's strings never hold one. */
static bool take_hex_string(struct cursor *c, struct span *ret)
{
	const char *p = c->p;

	while (p < c->end && *p != ' ') {
		int hi, lo;
		if (c->end - p < 2 || (hi = upper_hex_value(p[0])) < 0 ||
		    (lo = upper_hex_value(p[1])) < 0 || (hi | lo) == 0)
			return false;
		p += 2;
	}
	if (p == c->p)
		return false;
	*ret = (struct span){c->p, (size_t)(p - c->p), true};
	c->p = p;
	return true;
}

/* A value of audit_log_untrustedstring(): comm= and exe=. */
static bool take_untrusted(struct cursor *c, struct span *ret)
{
	if (left(c) > 0 && *c->p == '"')
		return take_quoted(c, ret);
	return take_hex_string(c, ret);
}

/* audit(SECONDS.MMM:SERIAL): — "%llu.%03lu:%u" */
static bool take_stamp(struct cursor *c, uint64_t *ret_ns, uint32_t *ret_serial)
{
	uint64_t seconds, ms = 0;

	if (!take_decimal(c, STAMP_SECONDS_MAX, &seconds) || !TAKE(c, ".") || left(c) < 3)
		return false;
	for (int i = 0; i < 3; i++) {
		int d = digit_value(*c->p++);
		if (d < 0)
			return false;
		ms = ms * 10 + (unsigned)d;
	}
	if (!TAKE(c, ":") || !take_u32(c, false, ret_serial) || !TAKE(c, "): "))
		return false;
	*ret_ns = seconds * 1000000000u + ms * 1000000u;
	return true;
}

/* auid=%u uid=%u gid=%u ses=%u */
static bool take_ids(struct cursor *c, struct record *rec)
{
	return TAKE(c, "auid=") && take_u32(c, false, &rec->auid) && TAKE(c, " uid=") &&
	       take_u32(c, false, &rec->uid) && TAKE(c, " gid=") && take_u32(c, false, &rec->gid) &&
	       TAKE(c, " ses=") && take_u32(c, false, &rec->ses);
}

/*
 * [ subj=%s] — the LSM label, printed raw: AppArmor's hold spaces ("=profile (enforce)"). It
 * ends at the first " pid=": labels come from policy, not from the task, and one holding
 * " pid=" is refused rather than split in two (what follows must still parse to the end).
 */
static bool take_subj(struct cursor *c, struct record *rec)
{
	const char *end;

	if (!TAKE(c, " subj="))
		return true;
	end = memmem(c->p, left(c), " pid=", 5);
	if (!end)
		return false;
	for (const char *p = c->p; p < end; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return false;
	rec->subj = (struct span){c->p, (size_t)(end - c->p), false};
	rec->flags |= SECCOMP_EVENT_HAS_SUBJ;
	c->p = end;
	return true;
}

/* pid=%d comm=… exe=… ; exe is (null) when the task has no mm or no executable file. */
static bool take_task(struct cursor *c, struct record *rec)
{
	uint64_t pid;

	if (!TAKE(c, " pid=") || !take_decimal(c, INT32_MAX, &pid) || pid == 0 ||
	    !TAKE(c, " comm=") || !take_untrusted(c, &rec->comm) || !TAKE(c, " exe="))
		return false;
	rec->pid = (int32_t)pid;
	if (TAKE(c, "(null)")) {
		rec->flags |= SECCOMP_EVENT_NO_EXE;
		return true;
	}
	return take_untrusted(c, &rec->exe);
}

/* sig=%ld arch=%x syscall=%ld compat=%d ip=0x%lx code=0x%x */
static bool take_call(struct cursor *c, struct record *rec)
{
	uint64_t sig, compat;

	if (!TAKE(c, " sig=") || !take_decimal(c, SIGNAL_MAX, &sig) || !TAKE(c, " arch=") ||
	    !take_u32(c, true, &rec->arch) || !TAKE(c, " syscall=") || !take_int32(c, &rec->nr) ||
	    !TAKE(c, " compat=") || !take_decimal(c, 1, &compat) || !TAKE(c, " ip=0x") ||
	    !take_hex(c, UINT64_MAX, &rec->ip) || !TAKE(c, " code=0x") ||
	    !take_u32(c, true, &rec->code))
		return false;
	rec->sig = (int32_t)sig;
	rec->compat = (uint8_t)compat;
	return true;
}

/* The record ends with code=, a line's '\n', or auditd's ENRICHED tail after 0x1d. */
static bool at_end(const struct cursor *c)
{
	return left(c) == 0 || (left(c) == 1 && *c->p == '\n') || *c->p == '\x1d';
}

/* ---- writing the event out ------------------------------------------------------------- */

/* The value of a span into out (cap bytes, zeroed by the caller, so it stays terminated);
 * true when it had to be cut. */
static bool decode_span(const struct span *s, char *out, size_t cap)
{
	size_t n = s->hex ? s->len / 2 : s->len;
	size_t kept = n < cap ? n : cap;

	if (!s->hex) {
		if (kept) /* an empty span may have no pointer */
			memcpy(out, s->p, kept);
		return n > cap;
	}
	for (size_t i = 0; i < kept; i++)
		out[i] = (char)(upper_hex_value(s->p[2 * i]) << 4 |
				upper_hex_value(s->p[2 * i + 1]));
	return n > cap;
}

static void write_event(const struct record *rec, struct seccomp_event *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->time_ns = rec->time_ns;
	ret->ip = rec->ip;
	ret->serial = rec->serial;
	ret->pid = rec->pid;
	ret->uid = rec->uid;
	ret->gid = rec->gid;
	ret->auid = rec->auid;
	ret->ses = rec->ses;
	ret->arch = rec->arch;
	ret->nr = rec->nr;
	ret->code = rec->code;
	ret->sig = rec->sig;
	ret->compat = rec->compat;
	ret->sources = SECCOMP_EVENT_SOURCE_AUDIT;
	ret->flags = rec->flags;
	if (decode_span(&rec->comm, ret->comm, SECCOMP_EVENT_COMM_MAX))
		ret->flags |= SECCOMP_EVENT_COMM_TRUNCATED;
	if (decode_span(&rec->exe, ret->exe, SECCOMP_EVENT_EXE_MAX))
		ret->flags |= SECCOMP_EVENT_EXE_TRUNCATED;
	if (decode_span(&rec->subj, ret->subj, SECCOMP_EVENT_SUBJ_MAX))
		ret->flags |= SECCOMP_EVENT_SUBJ_TRUNCATED;
}

/* ---- framing ------------------------------------------------------------------------------ */

enum framing {
	FRAMING_NETLINK,    /* audit(… : the payload of a netlink message */
	FRAMING_KERNEL_LOG, /* type=1326 audit(… : printk, behind "audit: " in the kernel log */
	FRAMING_AUDITD,	    /* type=SECCOMP msg=audit(… : auditd, audispd, ausearch --raw */
};

struct frame {
	enum framing framing;
	const char *type; /* the type token, not terminated; empty in netlink */
	size_t type_len;
	const char *stamp; /* just past "audit(" */
};

static bool ends_with(const char *s, size_t n, const char *suffix, size_t m)
{
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* Log framing before "type=": printable ASCII, and either nothing or the framing's own end. */
static bool prefix_fits(const char *prefix, size_t n, enum framing framing)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)prefix[i] < 0x20 || (unsigned char)prefix[i] > 0x7e)
			return false;
	if (n == 0)
		return true;
	if (framing == FRAMING_KERNEL_LOG)
		return ends_with(prefix, n, "audit: ", 7);
	return prefix[n - 1] == ' ';
}

static bool find_frame(const char *text, size_t len, struct frame *ret)
{
	struct cursor c = {text, text + len};
	const char *type, *space;

	if (TAKE(&c, "audit(")) {
		*ret = (struct frame){FRAMING_NETLINK, text, 0, c.p};
		return true;
	}
	type = memmem(text, len, "type=", 5);
	if (!type)
		return false;
	c.p = type + 5;
	space = memchr(c.p, ' ', left(&c));
	if (!space || space == c.p)
		return false;
	*ret = (struct frame){.type = c.p, .type_len = (size_t)(space - c.p)};
	c.p = space + 1;
	if (TAKE(&c, "msg=audit("))
		ret->framing = FRAMING_AUDITD;
	else if (TAKE(&c, "audit("))
		ret->framing = FRAMING_KERNEL_LOG;
	else
		return false;
	ret->stamp = c.p;
	return prefix_fits(text, (size_t)(type - text), ret->framing);
}

/* The netlink message type is the caller's to check; text framings name theirs. */
static bool is_seccomp_frame(const struct frame *f)
{
	switch (f->framing) {
	case FRAMING_NETLINK:
		return true;
	case FRAMING_KERNEL_LOG:
		return f->type_len == 4 && memcmp(f->type, "1326", 4) == 0;
	case FRAMING_AUDITD:
		return f->type_len == 7 && memcmp(f->type, "SECCOMP", 7) == 0;
	}
	return false;
}

/* ---- the API ------------------------------------------------------------------------------ */

int audit_parse_seccomp(const char *text, size_t len, struct seccomp_event *ret)
{
	struct record rec = {0};
	struct frame frame;
	struct cursor c;

	if (!text || !ret || !find_frame(text, len, &frame) || !is_seccomp_frame(&frame))
		return -EINVAL;
	c = (struct cursor){frame.stamp, text + len};
	if (!take_stamp(&c, &rec.time_ns, &rec.serial) || !take_ids(&c, &rec) ||
	    !take_subj(&c, &rec) || !take_task(&c, &rec) || !take_call(&c, &rec) || !at_end(&c))
		return -EINVAL;
	write_event(&rec, ret);
	return 0;
}

int audit_parse_stamp(const char *text, size_t len, uint64_t *ret_time_ns, uint32_t *ret_serial)
{
	struct frame frame;
	struct cursor c;
	uint64_t time_ns;
	uint32_t serial;

	if (!text || !ret_serial || !find_frame(text, len, &frame))
		return -EINVAL;
	c = (struct cursor){frame.stamp, text + len};
	if (!take_stamp(&c, &time_ns, &serial))
		return -EINVAL;
	*ret_serial = serial;
	if (ret_time_ns)
		*ret_time_ns = time_ns;
	return 0;
}

int audit_parse_serial(const char *text, size_t len, uint32_t *ret_serial)
{
	return audit_parse_stamp(text, len, NULL, ret_serial);
}

const char *audit_arch_name(uint32_t arch)
{
	static const struct {
		uint32_t arch;
		const char *name;
	} names[] = {
		{AUDIT_ARCH_X86_64, "x86_64"},
		{AUDIT_ARCH_I386, "i386"},
		{AUDIT_ARCH_AARCH64, "aarch64"},
		{AUDIT_ARCH_ARM, "arm"},
		{AUDIT_ARCH_ARMEB, "armeb"},
		{AUDIT_ARCH_RISCV64, "riscv64"},
		{AUDIT_ARCH_RISCV32, "riscv32"},
		{AUDIT_ARCH_PPC64LE, "ppc64le"},
		{AUDIT_ARCH_PPC64, "ppc64"},
		{AUDIT_ARCH_PPC, "ppc"},
		{AUDIT_ARCH_S390X, "s390x"},
		{AUDIT_ARCH_S390, "s390"},
		{AUDIT_ARCH_MIPS, "mips"},
		{AUDIT_ARCH_MIPSEL, "mipsel"},
		{AUDIT_ARCH_MIPS64, "mips64"},
		{AUDIT_ARCH_MIPSEL64, "mipsel64"},
		{AUDIT_ARCH_MIPS64N32, "mips64n32"},
		{AUDIT_ARCH_MIPSEL64N32, "mipsel64n32"},
		{AUDIT_ARCH_LOONGARCH64, "loongarch64"},
		{AUDIT_ARCH_PARISC, "parisc"},
		{AUDIT_ARCH_PARISC64, "parisc64"},
		{AUDIT_ARCH_SPARC, "sparc"},
		{AUDIT_ARCH_SPARC64, "sparc64"},
		{AUDIT_ARCH_M68K, "m68k"},
		{AUDIT_ARCH_SH, "sh"},
		{AUDIT_ARCH_SHEL, "shel"},
		{AUDIT_ARCH_CSKY, "csky"},
		{AUDIT_ARCH_XTENSA, "xtensa"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].arch == arch)
			return names[i].name;
	return NULL;
}
