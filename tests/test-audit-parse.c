/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The audit source's decoder against the field: every type-1326 line of
 * ../shared/data/audit/ with its fields written out by hand, every other line refused,
 * libauparse as an oracle, truncations and byte flips, and a record fresh from the kernel.
 *
 * Every parse goes through parse_exact(): the text is copied into a malloc'd buffer of its
 * exact size, with no terminator, so ASan catches any read past len.
 */
#include "audit-parse.h"
#include "test-helpers.h"

#include <auparse.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#define UNSET	     SECCOMP_EVENT_ID_UNSET
#define AT(s, ms)    ((uint64_t)(s)*1000000000u + (uint64_t)(ms)*1000000u)
#define MAX_LINE     16384
#define ALL_FLAGS    0x1fu /* every enum seccomp_event_flag */
#define ENRICHED_SEP '\x1d'

static int parse_exact(const char *text, size_t len, struct seccomp_event *ret)
{
	char *copy = malloc(len ? len : 1);
	cr_assert(copy);
	memcpy(copy, text, len);
	int r = audit_parse_seccomp(copy, len, ret);
	free(copy);
	return r;
}

static int serial_exact(const char *text, size_t len, uint32_t *ret)
{
	char *copy = malloc(len ? len : 1);
	cr_assert(copy);
	memcpy(copy, text, len);
	int r = audit_parse_serial(copy, len, ret);
	free(copy);
	return r;
}

/* ---- the field records, written out by hand -------------------------------------------- */

enum disposition {
	ACCEPTED, /* parses as written */
	REFUSED,  /* not a record the kernel wrote: why says what is wrong */
	REPAIRED, /* refused as written (why), parses once the ENRICHED separator is put back */
};

struct expected {
	const char *file;
	unsigned line;
	enum disposition disposition;
	const char *why;
	uint64_t time_ns;
	uint32_t serial, auid, uid, gid, ses;
	const char *subj; /* NULL: no subj= */
	int32_t pid;
	const char *comm, *exe;
	int32_t sig;
	uint32_t arch;
	int32_t nr;
	uint8_t compat;
	uint64_t ip;
	uint32_t code;
};

#define CHROMIUMOS "chromiumos_debugd_audit_log_utils_test_lines.txt"
#define GOAUDIT	   "go_libaudit_seccomp_and_hex_fields.txt"
#define INSPEKTOR  "inspektor_gadget_audit_seccomp_fixture.txt"
#define ISSUES	   "issue_thread_audit_lines.txt"
#define CRUN	   "observed-crun-records.txt"
#define SPO	   "spo_enricher_audit_test_lines.txt"
#define VARMOR	   "varmor_auditor_test_lines.txt"
#define LOST_SEP   "the ENRICHED tail lost its 0x1d separator: code=0x…AUID= is no number"
#define SPACE_SEP  "fields after code= (the ENRICHED tail with a space for its 0x1d separator)"

/* Root, no login session: what most of the field records are. */
#define ROOT .auid = UNSET, .uid = 0, .gid = 0, .ses = UNSET
static const struct expected field_records[] = {
	{CHROMIUMOS, 6, REPAIRED, LOST_SEP, AT(1750922692, 830), .serial = 4911, .auid = UNSET,
	 .uid = 1000, .gid = 1001, .ses = UNSET, .subj = "u:r:cros_disks:s0", .pid = 83658,
	 .comm = "AsyncLocalStore", .exe = "/opt/google/drive-file-stream/drivefs", .sig = 31,
	 .arch = AUDIT_ARCH_AARCH64, .nr = 227, .ip = 0x7d0767988c, .code = 0x80000000},
	{CHROMIUMOS, 8, REFUSED, "ausearch --interpret output: a date for a stamp, names for ids"},
	{GOAUDIT, 4, ACCEPTED, NULL, AT(1433785727, 186), .serial = 10262, .auid = 20003, .uid = 22,
	 .gid = 22, .ses = 21, .pid = 11217, .comm = "sshd", .exe = "/usr/sbin/sshd", .sig = 31,
	 .arch = AUDIT_ARCH_I386, .nr = 132, .ip = 0xb7670aac, .code = 0x0},
	{ISSUES, 5, ACCEPTED, NULL, AT(1611996299, 149), .serial = 466250, ROOT, .pid = 615549,
	 .comm = "sh", .exe = "/bin/busybox", .sig = 0, .arch = AUDIT_ARCH_X86_64, .nr = 1,
	 .ip = 0x7f61a81c5923, .code = 0x7ffc0000},
	{ISSUES, 12, ACCEPTED, NULL, AT(1611907092, 540), .serial = 26626, .auid = 22776,
	 .uid = 22776, .gid = 89939, .ses = 11, .subj = "=untrusted (complain)", .pid = 7743,
	 .comm = "clang++",
	 .exe = "/usr/local/google/home/ukai/tmp/try-sample2/root/third_party/llvm-build/"
		"Release+Asserts/bin/clang",
	 .sig = 31, .arch = AUDIT_ARCH_X86_64, .nr = 12, .ip = 0x7fa45496bcb7, .code = 0x0},
	{CRUN, 11, ACCEPTED, NULL, AT(1795831241, 891), .serial = 9, ROOT, .pid = 11564,
	 .comm = "mkdir", .exe = "/bin/busybox", .sig = 31, .arch = AUDIT_ARCH_X86_64, .nr = 83,
	 .ip = 0x47b567, .code = 0x0},
	{CRUN, 13, ACCEPTED, NULL, AT(1795831241, 987), .serial = 10, ROOT, .pid = 11611,
	 .comm = "mkdir", .exe = "/bin/busybox", .sig = 31, .arch = AUDIT_ARCH_X86_64, .nr = 83,
	 .ip = 0x47b567, .code = 0x80000000},
	{CRUN, 15, ACCEPTED, NULL, AT(1795831242, 83), .serial = 11, ROOT, .pid = 11658,
	 .comm = "mkdir", .exe = "/bin/busybox", .sig = 0, .arch = AUDIT_ARCH_X86_64, .nr = 83,
	 .ip = 0x47b567, .code = 0x7ffc0000},
	{CRUN, 19, ACCEPTED, NULL, AT(1795831498, 767), .serial = 12, ROOT, .pid = 15890,
	 .comm = "mkdir", .exe = "/bin/busybox", .sig = 0, .arch = AUDIT_ARCH_X86_64, .nr = 83,
	 .ip = 0x47b567, .code = 0x50000},
	{SPO, 6, ACCEPTED, NULL, AT(1625740283, 502), .serial = 574, ROOT, .pid = 4709,
	 .comm = "sh", .exe = "/bin/busybox", .sig = 0, .arch = AUDIT_ARCH_X86_64, .nr = 13,
	 .ip = 0x7f3c012e467b, .code = 0x7ffc0000},
	{SPO, 8, ACCEPTED, NULL, AT(1611996299, 149), .serial = 466250, ROOT, .pid = 615549,
	 .comm = "sh", .exe = "/bin/busybox", .sig = 0, .arch = AUDIT_ARCH_X86_64, .nr = 1,
	 .ip = 0x7f61a81c5923, .code = 0x7ffc0000},
	{SPO, 9, REFUSED, "uid= and gid= are missing"},
	{SPO, 10, ACCEPTED, NULL, AT(1612299677, 115), .serial = 549067, ROOT, .pid = 3109464,
	 .comm = "sh", .exe = "/bin/busybox", .sig = 0, .arch = AUDIT_ARCH_X86_64, .nr = 0,
	 .ip = 0x7fce771ae923, .code = 0x7ffc0000},
	{SPO, 11, REFUSED, "gid=invalid is no number"},
	{SPO, 12, REFUSED, "uid=invalid is no number"},
	{SPO, 15, REFUSED, "no audit(…) stamp and no fields"},
	{SPO, 18, REPAIRED, LOST_SEP, AT(1613596317, 899), .serial = 6461, ROOT,
	 .subj = "system_u:system_r:spc_t:s0:c284,c594", .pid = 2039886, .comm = "ls",
	 .exe = "/bin/ls", .sig = 0, .arch = AUDIT_ARCH_X86_64, .nr = 3, .ip = 0x7f62dce3d4c7,
	 .code = 0x7ffc0000},
	{SPO, 19, REPAIRED, LOST_SEP, AT(1744780616, 598), .serial = 836036, ROOT,
	 .subj = "system_u:system_r:container_t:s0:c83,c152", .pid = 72503, .comm = "sh",
	 .exe = "/bin/dash", .sig = 0, .arch = AUDIT_ARCH_X86_64, .nr = 56, .ip = 0x7fe2ff5017be,
	 .code = 0x7ffc0000},
	{SPO, 22, REPAIRED, SPACE_SEP, AT(1624537480, 360), .serial = 8477, .auid = 1000, .uid = 0,
	 .gid = 0, .ses = 1, .subj = "kernel", .pid = 2060394, .comm = "sleep",
	 .exe = "/bin/busybox", .sig = 0, .arch = AUDIT_ARCH_X86_64, .nr = 10, .ip = 0x7f4ce626349b,
	 .code = 0x7ffc0000},
	{SPO, 23, REPAIRED, SPACE_SEP, AT(1624537480, 360), .serial = 8477, .auid = 1000, .uid = 0,
	 .gid = 0, .ses = 1, .subj = "kernel", .pid = 2060395, .comm = "sleep", .exe = "/bin/nginx",
	 .sig = 0, .arch = AUDIT_ARCH_X86_64, .nr = 10, .ip = 0x7f4ce626349b, .code = 0x7ffc0000},
	{VARMOR, 6, ACCEPTED, NULL, AT(1705307237, 424), .serial = 9332888, ROOT,
	 .subj = "=unconfined", .pid = 2684228, .comm = "runc:[2:INIT]", .exe = "/", .sig = 0,
	 .arch = AUDIT_ARCH_X86_64, .nr = 439, .ip = 0x7f0ef217692e, .code = 0x7ffc0000},
	{VARMOR, 7, ACCEPTED, NULL, AT(1734766503, 316), .serial = 6623924, ROOT,
	 .subj = "=varmor-cluster-varmor-demo-4//null-/bin/sleep (complain)", .pid = 698839,
	 .comm = "sleep", .exe = "/bin/sleep", .sig = 0, .arch = AUDIT_ARCH_X86_64, .nr = 11,
	 .ip = 0x7f24913a87b7, .code = 0x7ffc0000},
	{VARMOR, 8, ACCEPTED, NULL, AT(1734766505, 185), .serial = 6623933, ROOT,
	 .subj = "=unconfined", .pid = 699016, .comm = "runc:[2:INIT]", .exe = "/", .sig = 0,
	 .arch = AUDIT_ARCH_X86_64, .nr = 72, .ip = 0x7fb83dc5e92e, .code = 0x7ffc0000},
	{VARMOR, 9, ACCEPTED, NULL, AT(1740668907, 734), .serial = 6970, ROOT, .subj = "?",
	 .pid = 2045941, .comm = "chmod", .exe = "/usr/bin/chmod", .sig = 0,
	 .arch = AUDIT_ARCH_X86_64, .nr = 268, .ip = 0x7ff84e0733c7, .code = 0x7ffc0000},
	{VARMOR, 10, ACCEPTED, NULL, AT(1740669778, 647), .serial = 6964, ROOT, .subj = "?",
	 .pid = 2159619, .comm = "unshare", .exe = "/usr/bin/unshare", .sig = 0,
	 .arch = AUDIT_ARCH_X86_64, .nr = 272, .ip = 0x7f3a2617de1b, .code = 0x7ffc0000},
	{VARMOR, 15, ACCEPTED, NULL, AT(1740535410, 396), .serial = 1727850, ROOT,
	 .subj = "=cri-containerd.apparmor.d (enforce)", .pid = 3315793, .comm = "chmod",
	 .exe = "/bin/chmod", .sig = 0, .arch = AUDIT_ARCH_X86_64, .nr = 268, .ip = 0x7fd8c219ef24,
	 .code = 0x7ffc0000},
	{VARMOR, 16, ACCEPTED, NULL, AT(1740670474, 406), .serial = 2766278, ROOT, .pid = 6412,
	 .comm = "chmod", .exe = "/usr/bin/chmod", .sig = 0, .arch = AUDIT_ARCH_X86_64, .nr = 268,
	 .ip = 0x7f5c0fae83c7, .code = 0x7ffc0000},
};

static const char *const all_files[] = {CHROMIUMOS, GOAUDIT, INSPEKTOR, ISSUES, CRUN, SPO, VARMOR};

/* ---- reading the data ------------------------------------------------------------------- */

struct line {
	char text[MAX_LINE]; /* terminated, for messages; parses use len */
	size_t len;
	unsigned number;
};

/* Calls fn for every line of a data file that is not blank and not a '#' comment. */
static void for_each_line(const char *file,
			  void (*fn)(const char *file, const struct line *l, void *arg), void *arg)
{
	char *path, *text;
	size_t len;
	cr_assert(asprintf(&path, "%s/audit/%s", env_path("SIGSYS_DATA"), file) > 0);
	cr_assert_eq(read_file_bounded(path, 1 << 20, &text, &len), 0, "cannot read %s", path);
	struct line *l = calloc(1, sizeof(*l));
	cr_assert(l);
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		cr_assert_lt(n, sizeof(l->text));
		memcpy(l->text, p, n);
		l->text[n] = '\0';
		l->len = n;
		l->number++;
		if (n > 0 && p[0] != '#')
			fn(file, l, arg);
		p += n + 1;
	}
	free(l);
	free(text);
	free(path);
}

static const struct expected *expected_for(const char *file, unsigned line)
{
	for (size_t i = 0; i < ARRAY_SIZE(field_records); i++)
		if (!strcmp(field_records[i].file, file) && field_records[i].line == line)
			return &field_records[i];
	return NULL;
}

/* A line auditd or the kernel labelled as a seccomp record. */
static bool names_seccomp(const char *text)
{
	return strstr(text, "type=1326") || strstr(text, "type=SECCOMP");
}

/* Put the ENRICHED separator back in front of AUID=, in place of a space or inserted. */
static size_t repair(const char *text, size_t len, char *out, size_t size)
{
	const char *at = strstr(text, "AUID=\"");
	cr_assert(at, "no ENRICHED tail to repair in: %s", text);
	size_t head = (size_t)(at - text);
	bool spaced = head > 0 && at[-1] == ' ';
	cr_assert_lt(len + 1, size);
	memcpy(out, text, head - spaced);
	out[head - spaced] = ENRICHED_SEP;
	memcpy(out + head - spaced + 1, at, len - head);
	return len - spaced + 1;
}

/* ---- comparing ------------------------------------------------------------------------- */

static void expect_fields(const struct seccomp_event *ev, const struct expected *x,
			  const char *where)
{
	cr_expect_eq(ev->time_ns, x->time_ns, "%s: time_ns %llu", where,
		     (unsigned long long)ev->time_ns);
	cr_expect_eq(ev->serial, x->serial, "%s: serial %u", where, ev->serial);
	cr_expect_eq(ev->auid, x->auid, "%s: auid %u", where, ev->auid);
	cr_expect_eq(ev->uid, x->uid, "%s: uid %u", where, ev->uid);
	cr_expect_eq(ev->gid, x->gid, "%s: gid %u", where, ev->gid);
	cr_expect_eq(ev->ses, x->ses, "%s: ses %u", where, ev->ses);
	cr_expect_eq(!!(ev->flags & SECCOMP_EVENT_HAS_SUBJ), x->subj != NULL, "%s: subj flag",
		     where);
	cr_expect_str_eq(ev->subj, x->subj ? x->subj : "", "%s: subj [%s]", where, ev->subj);
	cr_expect_eq(ev->pid, x->pid, "%s: pid %d", where, ev->pid);
	cr_expect_eq(ev->tid, 0, "%s: tid %d", where, ev->tid);
	cr_expect_str_eq(ev->comm, x->comm, "%s: comm [%s]", where, ev->comm);
	cr_expect_str_eq(ev->exe, x->exe, "%s: exe [%s]", where, ev->exe);
	cr_expect_eq(ev->sig, x->sig, "%s: sig %d", where, ev->sig);
	cr_expect_eq(ev->arch, x->arch, "%s: arch %#x", where, ev->arch);
	cr_expect_eq(ev->nr, x->nr, "%s: syscall %d", where, ev->nr);
	cr_expect_eq(ev->compat, x->compat, "%s: compat %u", where, ev->compat);
	cr_expect_eq(ev->ip, x->ip, "%s: ip %#llx", where, (unsigned long long)ev->ip);
	cr_expect_eq(ev->code, x->code, "%s: code %#x", where, ev->code);
	cr_expect_eq(seccomp_event_action(ev), x->code & SECCOMP_RET_ACTION_FULL, "%s", where);
	cr_expect_eq(ev->sources, SECCOMP_EVENT_SOURCE_AUDIT, "%s: sources", where);
	cr_expect_eq(ev->flags & ~(unsigned)SECCOMP_EVENT_HAS_SUBJ, 0u, "%s: flags %#x", where,
		     ev->flags);
	cr_expect_eq(ev->has_args, 0, "%s: has_args", where);
}

/* The record as the kernel sent it: from "audit(" to the end of the kernel's part, no '\n'. */
static size_t payload_of(const char *text, size_t len, const char **ret)
{
	const char *p = memmem(text, len, "audit(", 6);
	cr_assert(p, "no audit( in: %.*s", (int)len, text);
	const char *end = memchr(p, ENRICHED_SEP, len - (size_t)(p - text));
	if (!end)
		end = text + len;
	if (end > p && end[-1] == '\n')
		end--;
	*ret = p;
	return (size_t)(end - p);
}

/* ---- libauparse, the oracle ------------------------------------------------------------ */

static const char *oracle_field(auparse_state_t *au, const char *name, bool interpret,
				const char *where)
{
	cr_assert_eq(auparse_first_record(au), 1, "%s", where);
	const char *v = auparse_find_field(au, name);
	cr_assert(v, "%s: libauparse finds no %s=", where, name);
	return interpret ? auparse_interpret_field(au) : v;
}

static void oracle_agrees(const char *text, size_t len, const struct seccomp_event *ev,
			  const char *where)
{
	const char *payload;
	size_t n = payload_of(text, len, &payload);
	char *buf;
	cr_assert(asprintf(&buf, "type=SECCOMP msg=%.*s\n", (int)n, payload) > 0);
	auparse_state_t *au = auparse_init(AUSOURCE_BUFFER, buf);
	cr_assert(au, "%s: auparse_init", where);
	cr_assert_eq(auparse_next_event(au), 1, "%s: libauparse sees no event", where);
	cr_expect_eq(auparse_get_type(au), AUDIT_SECCOMP_RECORD, "%s", where);
	cr_expect_eq(auparse_get_serial(au), ev->serial, "%s: serial", where);
	cr_expect_eq((uint64_t)auparse_get_time(au) * 1000000000u +
			     (uint64_t)auparse_get_milli(au) * 1000000u,
		     ev->time_ns, "%s: time", where);
	cr_expect_eq(strtol(oracle_field(au, "pid", false, where), NULL, 10), ev->pid, "%s: pid",
		     where);
	cr_expect_eq(strtol(oracle_field(au, "syscall", false, where), NULL, 10), ev->nr,
		     "%s: syscall", where);
	cr_expect_eq(strtoul(oracle_field(au, "arch", false, where), NULL, 16), ev->arch,
		     "%s: arch", where);
	cr_expect_eq(strtoul(oracle_field(au, "code", false, where), NULL, 16), ev->code,
		     "%s: code", where);
	cr_expect_str_eq(oracle_field(au, "comm", true, where), ev->comm, "%s: comm", where);
	const char *exe = oracle_field(au, "exe", true, where);
	cr_expect_str_eq(exe, ev->flags & SECCOMP_EVENT_NO_EXE ? "(null)" : ev->exe, "%s: exe",
			 where);
	auparse_destroy(au);
	free(buf);
}

/* ---- synthetic records: what the field data lacks -------------------------------------- */

#define HEAD	   "audit(1795831241.891:9): auid=4294967295 uid=0 gid=0 ses=4294967295"
#define TAIL_CALL  " sig=0 arch=c000003e syscall=83 compat=0 ip=0x47b567 code=0x7ffc0000"
#define TASK	   " pid=11564 comm=\"mkdir\" exe=\"/bin/busybox\""
#define BASE	   HEAD TASK TAIL_CALL
#define BASE_SUBJ  HEAD " subj=system_u:system_r:spc_t:s0" TASK TAIL_CALL
#define PY_DELETED "2F7573722F62696E2F707974686F6E322E373B3538643163636662202864656C6574656429"

struct synthetic {
	const char *text;
	const char *comm, *exe, *subj;
	uint32_t flags;
};

static const struct synthetic synthetic[] = {
	{BASE, "mkdir", "/bin/busybox"},
	{BASE_SUBJ, "mkdir", "/bin/busybox", "system_u:system_r:spc_t:s0", SECCOMP_EVENT_HAS_SUBJ},
	{HEAD " pid=11564 comm=6D6B20646972 exe=" PY_DELETED TAIL_CALL, "mk dir",
	 "/usr/bin/python2.7;58d1ccfb (deleted)"},
	{HEAD " pid=11564 comm=\"kworker\" exe=(null)" TAIL_CALL, "kworker", "", NULL,
	 SECCOMP_EVENT_NO_EXE},
	{HEAD " pid=11564 comm=\"\" exe=\"<too_long>\"" TAIL_CALL, "", "<too_long>"},
	{HEAD " subj= pid=11564 comm=\"a\" exe=\"/b\"" TAIL_CALL, "a", "/b", "",
	 SECCOMP_EVENT_HAS_SUBJ},
	{HEAD " subj=x:pid=3 (a) pid=11564 comm=\"a\" exe=\"/b\"" TAIL_CALL, "a", "/b",
	 "x:pid=3 (a)", SECCOMP_EVENT_HAS_SUBJ},
	{"type=SECCOMP msg=" BASE "\035AUID=\"unset\" UID=\"root\" pid=1 comm=x\n", "mkdir",
	 "/bin/busybox"},
	{BASE "\n", "mkdir", "/bin/busybox"},
};

/* ---- (1) every seccomp line of the field data, field by field -------------------------- */

static void check_expected_line(const char *file, const struct line *l, void *arg)
{
	const struct expected *x = expected_for(file, l->number);
	struct seccomp_event ev;
	char where[256], fixed[MAX_LINE];
	(void)arg;
	if (!x)
		return;
	snprintf(where, sizeof(where), "%s:%u", file, l->number);
	int r = parse_exact(l->text, l->len, &ev);
	if (x->disposition == ACCEPTED) {
		cr_assert_eq(r, 0, "%s refused: %s", where, l->text);
		expect_fields(&ev, x, where);
		return;
	}
	cr_expect_eq(r, -EINVAL, "%s accepted, but %s: %s", where, x->why, l->text);
	if (x->disposition == REPAIRED) {
		size_t n = repair(l->text, l->len, fixed, sizeof(fixed));
		cr_assert_eq(parse_exact(fixed, n, &ev), 0, "%s refused once repaired", where);
		expect_fields(&ev, x, where);
	}
}

Test(audit_parse, field_records_give_the_fields_written_out)
{
	for (size_t i = 0; i < ARRAY_SIZE(all_files); i++)
		for_each_line(all_files[i], check_expected_line, NULL);
}

/* The table covers every seccomp line and names nothing else: no line escapes the tests. */
static void count_table_line(const char *file, const struct line *l, void *arg)
{
	const struct expected *x = expected_for(file, l->number);
	size_t *found = arg;
	if (names_seccomp(l->text))
		cr_expect(x, "%s:%u is a seccomp line missing from the table: %s", file, l->number,
			  l->text);
	if (!x)
		return;
	cr_expect(names_seccomp(l->text), "%s:%u is in the table but is no seccomp line", file,
		  l->number);
	if (x->disposition != REFUSED) {
		char serial[32];
		snprintf(serial, sizeof(serial), ":%u)", x->serial);
		cr_expect(strstr(l->text, serial), "%s:%u does not hold serial %u", file, l->number,
			  x->serial);
	}
	(*found)++;
}

Test(audit_parse, the_table_covers_every_seccomp_line)
{
	size_t found = 0;
	for (size_t i = 0; i < ARRAY_SIZE(all_files); i++)
		for_each_line(all_files[i], count_table_line, &found);
	cr_expect_eq(found, ARRAY_SIZE(field_records), "%zu of %zu table lines found", found,
		     ARRAY_SIZE(field_records));
}

/* ---- (2) every other line is refused ----------------------------------------------------- */

static void check_other_line(const char *file, const struct line *l, void *arg)
{
	struct seccomp_event ev;
	size_t *n = arg;
	if (expected_for(file, l->number))
		return;
	cr_expect_eq(parse_exact(l->text, l->len, &ev), -EINVAL, "%s:%u accepted: %s", file,
		     l->number, l->text);
	(*n)++;
}

Test(audit_parse, every_other_line_is_refused)
{
	size_t n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(all_files); i++)
		for_each_line(all_files[i], check_other_line, &n);
	cr_expect_eq(n, 39, "%zu other lines, 39 when this was written", n);
}

/* The serial helper reads any record type; an independent reading with sscanf agrees. */
static void check_serial_line(const char *file, const struct line *l, void *arg)
{
	uint32_t serial = 0, want;
	unsigned long long seconds;
	unsigned ms;
	char close[3] = "";
	const char *stamp = strstr(l->text, "audit(");
	bool has = stamp &&
		   sscanf(stamp, "audit(%llu.%3u:%u%2c", &seconds, &ms, &want, close) == 4 &&
		   !strncmp(close, "):", 2);
	int r = serial_exact(l->text, l->len, &serial);
	(void)arg;
	if (!has) {
		cr_expect_eq(r, -EINVAL, "%s:%u: a serial from a line without a stamp", file,
			     l->number);
		return;
	}
	cr_expect_eq(r, 0, "%s:%u: no serial in: %s", file, l->number, l->text);
	cr_expect_eq(serial, want, "%s:%u: serial %u, want %u", file, l->number, serial, want);
}

Test(audit_parse, serial_of_every_record_type)
{
	for (size_t i = 0; i < ARRAY_SIZE(all_files); i++)
		for_each_line(all_files[i], check_serial_line, NULL);
}

/* ---- framings: one record, every way it reaches us, one event --------------------------- */

static void expect_same(const char *framed, const struct seccomp_event *want)
{
	struct seccomp_event ev;
	cr_assert_eq(parse_exact(framed, strlen(framed), &ev), 0, "refused: %s", framed);
	cr_expect_eq(memcmp(&ev, want, sizeof(ev)), 0, "another event from: %s", framed);
}

/* framing with its "%s" replaced by the record (no printf: the framings are data). */
static void frame(const char *framing, const char *record, char *out, size_t size)
{
	const char *hole = strstr(framing, "%s");
	cr_assert(hole);
	int n = snprintf(out, size, "%.*s%s%s", (int)(hole - framing), framing, record, hole + 2);
	cr_assert(n > 0 && (size_t)n < size);
}

Test(audit_parse, every_framing_gives_the_same_event)
{
	static const char *const framings[] = {
		"%s",
		"type=1326 %s",
		"audit: type=1326 %s",
		"[  386.858131] audit: type=1326 %s",
		"[22734288.221628][   T55] audit: type=1326 %s",
		"5,1234,386858131,-;audit: type=1326 %s",
		"<5>Jan 15 16:27:18 host kernel: [ 1.5] audit: type=1326 %s",
		"type=SECCOMP msg=%s",
		"node=host.example type=SECCOMP msg=%s",
		"Jan 29 07:58:12 host audispd[568]: node=[reducted] type=SECCOMP msg=%s",
		"type=SECCOMP msg=%s\n",
		"type=SECCOMP msg=%s\035AUID=\"unset\" UID=\"root\" GID=\"root\" ARCH=x86_64",
	};
	for (size_t i = 0; i < ARRAY_SIZE(synthetic); i++) {
		const char *payload;
		struct seccomp_event want;
		size_t n = payload_of(synthetic[i].text, strlen(synthetic[i].text), &payload);
		char *bare = strndup(payload, n);
		cr_assert_eq(parse_exact(bare, n, &want), 0, "refused: %s", bare);
		for (size_t f = 0; f < ARRAY_SIZE(framings); f++) {
			char framed[MAX_LINE];
			frame(framings[f], bare, framed, sizeof(framed));
			expect_same(framed, &want);
		}
		free(bare);
	}
}

Test(audit_parse, framings_that_are_not_the_kernels_are_refused)
{
	static const char *const framings[] = {
		"type=SECCOMP %s",		   /* auditd's type name, printk's layout */
		"type=1326 msg=%s",		   /* the other way round */
		"type=1327 %s",			   /* another record type */
		"audit: type=ANOM_ABEND msg=%s",   /* another record type */
		"kernel: type=1326 %s",		   /* printk's record behind something else */
		"node=xtype=SECCOMP msg=%s",	   /* framing glued to the type */
		"x type=1326 type=SECCOMP msg=%s", /* the first type= decides */
		"\tnode=a type=SECCOMP msg=%s",	   /* a control byte in the framing */
		" %s",				   /* a bare payload must start the text */
		"msg=%s",
		"type= %s",
		"type=SECCOMP msg=%s\n\n",
		"type=SECCOMP msg=%s\r\n",
		"type=SECCOMP msg=%s ",
	};
	struct seccomp_event ev;
	for (size_t f = 0; f < ARRAY_SIZE(framings); f++) {
		char framed[MAX_LINE];
		frame(framings[f], BASE, framed, sizeof(framed));
		cr_expect_eq(parse_exact(framed, strlen(framed), &ev), -EINVAL, "accepted: [%s]",
			     framed);
	}
	char nul[] = BASE "\0";
	cr_expect_eq(parse_exact(nul, sizeof(nul) - 1, &ev), -EINVAL, "a NUL after code accepted");
	cr_expect_eq(parse_exact("", 0, &ev), -EINVAL);
	cr_expect_eq(audit_parse_seccomp(NULL, 0, &ev), -EINVAL);
	cr_expect_eq(audit_parse_seccomp(BASE, strlen(BASE), NULL), -EINVAL);
}

/* ---- what the field data lacks: hex, (null), bounds, extremes ---------------------------- */

Test(audit_parse, synthetic_records_decode)
{
	for (size_t i = 0; i < ARRAY_SIZE(synthetic); i++) {
		const struct synthetic *s = &synthetic[i];
		struct seccomp_event ev;
		cr_assert_eq(parse_exact(s->text, strlen(s->text), &ev), 0, "refused: %s", s->text);
		cr_expect_str_eq(ev.comm, s->comm, "%s", s->text);
		cr_expect_str_eq(ev.exe, s->exe, "%s", s->text);
		cr_expect_str_eq(ev.subj, s->subj ? s->subj : "", "%s", s->text);
		cr_expect_eq(ev.flags, s->flags, "flags %#x: %s", ev.flags, s->text);
		cr_expect_eq(ev.pid, 11564, "%s", s->text);
		cr_expect_eq(ev.code, SECCOMP_RET_LOG, "%s", s->text);
	}
}

Test(audit_parse, the_largest_values_of_each_field)
{
	static const char text[] =
		"audit(18446744072.999:4294967295): auid=4294967295 uid=4294967295 gid=4294967295 "
		"ses=4294967295 pid=2147483647 comm=\"x\" exe=\"/x\" sig=64 arch=ffffffff "
		"syscall=-2147483648 compat=1 ip=0xffffffffffffffff code=0xffffffff";
	struct seccomp_event ev;
	cr_assert_eq(parse_exact(text, strlen(text), &ev), 0);
	cr_expect_eq(ev.time_ns, 18446744072999000000ull);
	cr_expect_eq(ev.serial, UINT32_MAX);
	cr_expect_eq(ev.uid, UINT32_MAX);
	cr_expect_eq(ev.gid, UINT32_MAX);
	cr_expect_eq(ev.ses, UNSET);
	cr_expect_eq(ev.pid, INT32_MAX);
	cr_expect_eq(ev.sig, 64);
	cr_expect_eq(ev.arch, UINT32_MAX);
	cr_expect_eq(ev.nr, INT32_MIN);
	cr_expect_eq(ev.compat, 1);
	cr_expect_eq(ev.ip, UINT64_MAX);
	cr_expect_eq(ev.code, UINT32_MAX);
	cr_expect_eq(seccomp_event_action(&ev), SECCOMP_RET_ACTION_FULL);
	cr_expect_eq(seccomp_event_data(&ev), 0xffff);
}

Test(audit_parse, smallest_values_and_x32_numbers)
{
	static const char text[] = "audit(0.000:0): auid=0 uid=0 gid=0 ses=0 pid=1 comm=\"x\" "
				   "exe=\"/x\" sig=0 arch=0 syscall=1073742159 compat=0 ip=0x0 "
				   "code=0x0";
	struct seccomp_event ev;
	cr_assert_eq(parse_exact(text, strlen(text), &ev), 0);
	cr_expect_eq(ev.time_ns, 0);
	cr_expect_eq(ev.nr, 0x40000000 | 335);
	cr_expect_eq(ev.pid, 1);
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	cr_assert(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

enum bounded { COMM, EXE, SUBJ };

/* Strings at their bound are kept whole; one byte more is cut and flagged. */
static void check_bound(enum bounded which, size_t n, bool hex)
{
	static const size_t max[] = {SECCOMP_EVENT_COMM_MAX, SECCOMP_EVENT_EXE_MAX,
				     SECCOMP_EVENT_SUBJ_MAX};
	static const uint32_t flag[] = {SECCOMP_EVENT_COMM_TRUNCATED, SECCOMP_EVENT_EXE_TRUNCATED,
					SECCOMP_EVENT_SUBJ_TRUNCATED};
	char *value = hex ? repeat('A', 2 * n) : repeat('a', n), *quoted, *text;
	struct seccomp_event ev;
	cr_assert(asprintf(&quoted, "%s%s%s", hex ? "" : "\"", value, hex ? "" : "\"") > 0);
	cr_assert(asprintf(&text, HEAD "%s%s pid=5 comm=%s exe=%s" TAIL_CALL,
			   which == SUBJ ? " subj=" : "", which == SUBJ ? value : "",
			   which == COMM ? quoted : "\"c\"", which == EXE ? quoted : "\"/e\"") > 0);
	cr_assert_eq(parse_exact(text, strlen(text), &ev), 0, "refused: %s", text);
	const char *got = which == SUBJ ? ev.subj : which == COMM ? ev.comm : ev.exe;
	size_t kept = n > max[which] ? max[which] : n;
	cr_expect_eq(strlen(got), kept, "%zu bytes: kept %zu", n, strlen(got));
	cr_expect_eq(got[0], hex ? '\xaa' : 'a');
	cr_expect_eq(ev.flags & flag[which] ? 1 : 0, n > max[which], "%zu bytes: flags %#x", n,
		     ev.flags);
	free(text);
	free(quoted);
	free(value);
}

Test(audit_parse, long_strings_are_cut_and_flagged)
{
	for (int hex = 0; hex < 2; hex++) {
		for (size_t n = SECCOMP_EVENT_COMM_MAX - 1; n <= SECCOMP_EVENT_COMM_MAX + 1; n++)
			check_bound(COMM, n, hex);
		for (size_t n = SECCOMP_EVENT_EXE_MAX - 1; n <= SECCOMP_EVENT_EXE_MAX + 1; n++)
			check_bound(EXE, n, hex);
		check_bound(EXE, 4107, hex); /* PATH_MAX + " (deleted)": the kernel's longest */
	}
	for (size_t n = SECCOMP_EVENT_SUBJ_MAX - 1; n <= SECCOMP_EVENT_SUBJ_MAX + 1; n++)
		check_bound(SUBJ, n, false);
}

/* ---- what the kernel never writes -------------------------------------------------------- */

struct mutation {
	const char *from, *to, *why;
};

static const struct mutation mutations[] = {
	{" uid=0", " uid=0 uid=0", "a key twice"},
	{" pid=11564", " pid=11564 pid=11564", "pid twice"},
	{"code=0x7ffc0000", "code=0x7ffc0000 code=0x0", "code twice"},
	{"arch=c000003e syscall=83", "syscall=83 arch=c000003e", "fields out of order"},
	{" sig=0", " sig=0 res=1", "an unknown field inside"},
	{"code=0x7ffc0000", "code=0x7ffc0000 extra=1", "an unknown field after code"},
	{" compat=0", "", "compat missing"},
	{" code=0x7ffc0000", "", "code missing"},
	{"auid=4294967295 ", "", "auid missing"},
	{"uid=0", "uid=4294967296", "uid out of range"},
	{":9)", ":4294967296)", "serial out of range"},
	{"1795831241.891", "18446744073.891", "seconds out of range for ns"},
	{"1795831241.891", "99999999999999999999999.891", "seconds overflow"},
	{".891:", ".89:", "two-digit milliseconds"},
	{".891:", ".8910:", "four-digit milliseconds"},
	{"1795831241.891", "1795831241", "no milliseconds"},
	{":9): ", ":9):", "no space after the stamp"},
	{"pid=11564", "pid=0", "pid 0"},
	{"pid=11564", "pid=-5", "negative pid"},
	{"pid=11564", "pid=2147483648", "pid out of range"},
	{"syscall=83", "syscall=2147483648", "syscall above INT32_MAX"},
	{"syscall=83", "syscall=-2147483649", "syscall below INT32_MIN"},
	{"syscall=83", "syscall=-0", "minus zero"},
	{"syscall=83", "syscall=+83", "a plus sign"},
	{"syscall=83", "syscall=083", "a leading zero"},
	{"syscall=83", "syscall=", "an empty number"},
	{"syscall=83", "syscall=83x", "trailing garbage"},
	{"uid=0", "uid=00", "a leading zero"},
	{"arch=c000003e", "arch=0c000003e", "a leading zero in hex"},
	{"arch=c000003e", "arch=C000003E", "upper-case %x"},
	{"arch=c000003e", "arch=0xc000003e", "0x where %x has none"},
	{"arch=c000003e", "arch=1c000003e", "arch out of range"},
	{"ip=0x47b567", "ip=47b567", "ip without 0x"},
	{"ip=0x47b567", "ip=0x47B567", "upper-case ip"},
	{"ip=0x47b567", "ip=0x10000000000000000", "ip out of range"},
	{"code=0x7ffc0000", "code=0x100000000", "code out of range"},
	{"code=0x7ffc0000", "code=0x", "code without digits"},
	{"sig=0", "sig=65", "sig above _NSIG"},
	{"sig=0", "sig=-1", "negative sig"},
	{"compat=0", "compat=2", "compat is 0 or 1"},
	{"comm=\"mkdir\"", "comm=6d6b646972", "lower-case hex"},
	{"comm=\"mkdir\"", "comm=6D6B64697", "odd hex"},
	{"comm=\"mkdir\"", "comm=6D00", "a NUL byte in hex"},
	{"comm=\"mkdir\"", "comm=6D6G", "not hex"},
	{"comm=\"mkdir\"", "comm=mkdir", "bare text that is not hex"},
	{"comm=\"mkdir\"", "comm=\"mk dir\"", "a space inside quotes"},
	{"comm=\"mkdir\"", "comm=\"mk\tdir\"", "a control byte inside quotes"},
	{"comm=\"mkdir\"", "comm=\"mk\xc3\xa9\"", "a non-ASCII byte inside quotes"},
	{"comm=\"mkdir\"", "comm=\"mkdir", "an unterminated quote"},
	{"comm=\"mkdir\"", "comm=", "an empty value"},
	{"comm=\"mkdir\"", "comm=\"mkdir\"x", "garbage after the quote"},
	{"exe=\"/bin/busybox\"", "exe=null", "null without parentheses"},
	{"exe=\"/bin/busybox\"", "exe=(null)x", "garbage after (null)"},
	{"uid=0 gid", "uid=0  gid", "two spaces"},
	{"uid=0 gid", "uid=0\tgid", "a tab"},
	{"uid=0 gid", "uid=0\ngid", "a newline"},
	{"ses=4294967295 pid", "ses=4294967295 subj=a\tb pid", "a control byte in subj"},
	{"ses=4294967295 pid", "ses=4294967295 subj=a\xc3\xa9 pid", "a non-ASCII subj"},
	{"ses=4294967295 pid", "ses=4294967295 subj=a pid=1 pid",
	 "subj ends at the first pid=, then pid twice"},
	{"ses=4294967295 pid=11564", "ses=4294967295 subj=a", "subj without pid"},
	{"auid=", "AUID=", "upper-case key"},
	{"audit(", "audit((", "a doubled parenthesis"},
};

static char *mutate(const char *base, const struct mutation *m)
{
	const char *at = strstr(base, m->from);
	char *out;
	cr_assert(at, "%s: [%s] is not in the base record", m->why, m->from);
	cr_assert(asprintf(&out, "%.*s%s%s", (int)(at - base), base, m->to, at + strlen(m->from)) >
		  0);
	return out;
}

Test(audit_parse, what_the_kernel_never_writes_is_refused)
{
	struct seccomp_event ev;
	cr_assert_eq(parse_exact(BASE, strlen(BASE), &ev), 0, "the base record itself");
	for (size_t i = 0; i < ARRAY_SIZE(mutations); i++) {
		char *text = mutate(BASE, &mutations[i]);
		cr_expect_eq(parse_exact(text, strlen(text), &ev), -EINVAL, "%s accepted: %s",
			     mutations[i].why, text);
		free(text);
	}
}

Test(audit_parse, a_refused_record_leaves_ret_untouched)
{
	struct seccomp_event ev, before;
	memset(&ev, 0xa5, sizeof(ev));
	before = ev;
	char *text = mutate(BASE, &mutations[0]);
	cr_assert_eq(parse_exact(text, strlen(text), &ev), -EINVAL);
	cr_expect_eq(memcmp(&ev, &before, sizeof(ev)), 0, "ret was written on failure");
	free(text);
}

/* ---- (3) libauparse agrees ---------------------------------------------------------------- */

static void check_oracle_line(const char *file, const struct line *l, void *arg)
{
	const struct expected *x = expected_for(file, l->number);
	struct seccomp_event ev;
	char where[256], fixed[MAX_LINE];
	const char *text = l->text;
	size_t len = l->len, *n = arg;
	if (!x || x->disposition == REFUSED)
		return;
	if (x->disposition == REPAIRED) {
		len = repair(l->text, l->len, fixed, sizeof(fixed));
		text = fixed;
	}
	snprintf(where, sizeof(where), "%s:%u", file, l->number);
	cr_assert_eq(parse_exact(text, len, &ev), 0, "%s refused", where);
	oracle_agrees(text, len, &ev, where);
	(*n)++;
}

Test(audit_parse, libauparse_agrees_on_every_field_record)
{
	size_t n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(all_files); i++)
		for_each_line(all_files[i], check_oracle_line, &n);
	cr_expect_eq(n, 22, "%zu records compared with libauparse, 22 in the table", n);
}

Test(audit_parse, libauparse_agrees_on_hex_and_null)
{
	for (size_t i = 0; i < ARRAY_SIZE(synthetic); i++) {
		struct seccomp_event ev;
		const char *text = synthetic[i].text;
		cr_assert_eq(parse_exact(text, strlen(text), &ev), 0, "refused: %s", text);
		oracle_agrees(text, strlen(text), &ev, text);
	}
}

/* ---- (4) truncations and byte flips -------------------------------------------------------- */

struct corpus {
	char *text[64];
	size_t len[64];
	size_t n;
};

static void corpus_add(struct corpus *c, const char *text, size_t len)
{
	cr_assert_lt(c->n, ARRAY_SIZE(c->text));
	c->text[c->n] = malloc(len);
	cr_assert(c->text[c->n]);
	memcpy(c->text[c->n], text, len);
	c->len[c->n++] = len;
}

static void corpus_add_line(const char *file, const struct line *l, void *arg)
{
	const struct expected *x = expected_for(file, l->number);
	char fixed[MAX_LINE];
	if (!x || x->disposition == REFUSED)
		return;
	if (x->disposition == REPAIRED)
		corpus_add(arg, fixed, repair(l->text, l->len, fixed, sizeof(fixed)));
	else
		corpus_add(arg, l->text, l->len);
}

/* Every accepted record: the field data, the synthetic ones, and bare payloads. */
static void corpus_build(struct corpus *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < ARRAY_SIZE(all_files); i++)
		for_each_line(all_files[i], corpus_add_line, c);
	for (size_t i = 0; i < ARRAY_SIZE(synthetic); i++)
		corpus_add(c, synthetic[i].text, strlen(synthetic[i].text));
	for (size_t i = 0, n = c->n; i < n; i++) {
		const char *payload;
		size_t len = payload_of(c->text[i], c->len[i], &payload);
		corpus_add(c, payload, len);
	}
}

static void corpus_free(struct corpus *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->text[i]);
}

/* What any accepted event satisfies, whatever the input. */
static void expect_sane(const struct seccomp_event *ev, const char *text, size_t len)
{
	struct seccomp_event again;
	cr_expect(memchr(ev->comm, '\0', sizeof(ev->comm)), "comm unterminated");
	cr_expect(memchr(ev->exe, '\0', sizeof(ev->exe)), "exe unterminated");
	cr_expect(memchr(ev->subj, '\0', sizeof(ev->subj)), "subj unterminated");
	cr_expect_gt(ev->pid, 0);
	cr_expect_leq(ev->compat, 1);
	cr_expect(ev->sig >= 0 && ev->sig <= 64, "sig %d", ev->sig);
	cr_expect_eq(ev->sources, SECCOMP_EVENT_SOURCE_AUDIT);
	cr_expect_eq(ev->flags & ~ALL_FLAGS, 0u, "flags %#x", ev->flags);
	cr_expect_eq(parse_exact(text, len, &again), 0, "not deterministic");
	cr_expect_eq(memcmp(ev, &again, sizeof(again)), 0, "not deterministic");
}

/* Where a truncated record may still parse: within code's digits, or in the ENRICHED tail. */
static size_t first_complete_length(const char *text, size_t len)
{
	const char *code = memmem(text, len, " code=0x", 8);
	cr_assert(code);
	return (size_t)(code - text) + 9;
}

Test(audit_parse, every_truncation_is_refused_or_ends_in_code)
{
	struct corpus c;
	corpus_build(&c);
	cr_assert_geq(c.n, 50, "corpus of %zu", c.n);
	for (size_t i = 0; i < c.n; i++) {
		size_t complete = first_complete_length(c.text[i], c.len[i]);
		for (size_t n = 0; n <= c.len[i]; n++) {
			struct seccomp_event ev;
			uint32_t serial;
			int r = parse_exact(c.text[i], n, &ev);
			cr_assert(r == 0 || r == -EINVAL, "%d for a prefix of %zu", r, n);
			cr_expect(r == -EINVAL || n >= complete,
				  "a cut at %zu of %zu accepted: %.*s", n, c.len[i], (int)n,
				  c.text[i]);
			cr_expect(n != c.len[i] || r == 0, "the whole record refused: %.*s",
				  (int)c.len[i], c.text[i]);
			if (r == 0)
				expect_sane(&ev, c.text[i], n);
			r = serial_exact(c.text[i], n, &serial);
			cr_assert(r == 0 || r == -EINVAL, "serial: %d for a prefix of %zu", r, n);
		}
	}
	corpus_free(&c);
}

/* xorshift64*: a fixed seed, the same flips in every run. */
static uint64_t next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dull;
}

/* Bytes the grammar turns on, so that flips reach past the first check. */
static char random_byte(uint64_t *state)
{
	static const char interesting[] = " =\"0x19afAF-()\n\x1d:.";
	uint64_t r = next_random(state);
	return r & 1 ? interesting[(r >> 1) % (sizeof(interesting) - 1)] : (char)(r >> 8);
}

static void flip_and_parse(const char *text, size_t len, uint64_t *state, size_t *accepted)
{
	char *copy = malloc(len);
	struct seccomp_event ev;
	cr_assert(copy);
	memcpy(copy, text, len);
	for (unsigned k = 1 + next_random(state) % 4; k > 0; k--)
		copy[next_random(state) % len] = random_byte(state);
	int r = audit_parse_seccomp(copy, len, &ev);
	cr_assert(r == 0 || r == -EINVAL, "%d after flips", r);
	if (r == 0) {
		expect_sane(&ev, copy, len);
		(*accepted)++;
	}
	uint32_t serial;
	r = audit_parse_serial(copy, len, &serial);
	cr_assert(r == 0 || r == -EINVAL);
	free(copy);
}

Test(audit_parse, random_byte_flips_never_crash, .timeout = 120)
{
	struct corpus c;
	uint64_t state = 0x5eccea11d00dull;
	size_t accepted = 0, tries = 0;
	corpus_build(&c);
	for (size_t i = 0; i < c.n; i++)
		for (unsigned j = 0; j < 10000; j++, tries++)
			flip_and_parse(c.text[i], c.len[i], &state, &accepted);
	/* Flips in comm, exe, subj or digits still parse: the flips reached the fields. */
	cr_expect(accepted > tries / 50 && accepted < tries / 2, "%zu of %zu flipped accepted",
		  accepted, tries);
	corpus_free(&c);
}

Test(audit_parse, random_bytes_never_crash)
{
	uint64_t state = 0xfeedfacecafebeefull;
	for (unsigned i = 0; i < 20000; i++) {
		size_t len = next_random(&state) % 300;
		char *buf = malloc(len ? len : 1);
		struct seccomp_event ev;
		uint32_t serial;
		cr_assert(buf);
		for (size_t k = 0; k < len; k++)
			buf[k] = random_byte(&state);
		int r = audit_parse_seccomp(buf, len, &ev);
		cr_assert(r == -EINVAL, "random bytes accepted");
		r = audit_parse_serial(buf, len, &serial);
		cr_assert(r == 0 || r == -EINVAL);
		free(buf);
	}
}

Test(audit_parse, arch_names)
{
	cr_expect_str_eq(audit_arch_name(AUDIT_ARCH_X86_64), "x86_64");
	cr_expect_str_eq(audit_arch_name(0x40000003), "i386");
	cr_expect_str_eq(audit_arch_name(0xc00000b7), "aarch64");
	cr_expect_str_eq(audit_arch_name(AUDIT_ARCH_ARM), "arm");
	cr_expect_str_eq(audit_arch_name(AUDIT_ARCH_S390X), "s390x");
	cr_expect_null(audit_arch_name(0));
	cr_expect_null(audit_arch_name(0xc000003f));
}

/* ---- (5) a record fresh from the kernel -------------------------------------------------- */

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif

static int join_readlog(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	cr_assert_geq(fd, 0, "netlink audit socket: %s", strerror(errno));
	int size = 8 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	struct sockaddr_nl addr = {.nl_family = AF_NETLINK,
				   .nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1)};
	cr_assert_eq(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0,
		     "cannot join AUDIT_NLGRP_READLOG: %s (needs CAP_AUDIT_READ: run as root)",
		     strerror(errno));
	return fd;
}

/* The child: LOG for getppid, ALLOW for the rest, then getppid once. Plain syscalls only. */
static void child_logs_getppid(void)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_LOG),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = ARRAY_SIZE(insns), .filter = insns};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
		_exit(2);
	syscall(SYS_getppid);
	_exit(0);
}

struct live_want {
	pid_t pid;
	char comm[32], exe[4096];
	uint32_t auid, ses;
	uint64_t now_ns;
};

static uint32_t read_id(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0, "%s", path);
	cr_assert_gt(read(fd, buf, sizeof(buf) - 1), 0, "%s", path);
	close(fd);
	return (uint32_t)strtoul(buf, NULL, 10);
}

static void live_want_fill(struct live_want *w)
{
	struct timespec ts;
	int fd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	ssize_t n = read(fd, w->comm, sizeof(w->comm) - 1);
	close(fd);
	cr_assert_gt(n, 0);
	w->comm[n - 1] = '\0';
	n = readlink("/proc/self/exe", w->exe, sizeof(w->exe) - 1);
	cr_assert_gt(n, 0);
	w->exe[n] = '\0';
	w->auid = read_id("/proc/self/loginuid");
	w->ses = read_id("/proc/self/sessionid");
	clock_gettime(CLOCK_REALTIME, &ts);
	w->now_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void expect_live(const struct seccomp_event *ev, const struct live_want *w)
{
	cr_expect_eq(ev->code, SECCOMP_RET_LOG, "code %#x", ev->code);
	cr_expect_eq(seccomp_event_action(ev), SECCOMP_RET_LOG);
	cr_expect_eq(ev->sig, 0);
	cr_expect_eq(ev->compat, 0);
#ifdef NATIVE_ARCH
	cr_expect_eq(ev->arch, NATIVE_ARCH, "arch %#x", ev->arch);
#endif
	cr_expect_str_eq(ev->comm, w->comm);
	cr_expect_str_eq(ev->exe, w->exe);
	cr_expect_eq(ev->uid, getuid());
	cr_expect_eq(ev->gid, getgid());
	cr_expect_eq(ev->auid, w->auid);
	cr_expect_eq(ev->ses, w->ses);
	cr_expect_neq(ev->ip, 0);
	cr_expect(ev->time_ns + 60000000000ull > w->now_ns &&
			  ev->time_ns < w->now_ns + 60000000000ull,
		  "stamp %llu, now %llu", (unsigned long long)ev->time_ns,
		  (unsigned long long)w->now_ns);
}

/* One netlink message: every record on the group has a serial; ours is the one we look for. */
static bool examine(const struct nlmsghdr *h, const struct live_want *w, struct seccomp_event *ret,
		    const char **ret_payload, size_t *ret_len)
{
	const char *payload = NLMSG_DATA(h);
	size_t len = h->nlmsg_len - NLMSG_HDRLEN;
	uint32_t serial;
	struct seccomp_event ev;
	cr_expect_eq(serial_exact(payload, len, &serial), 0, "type %u without a serial: %.*s",
		     h->nlmsg_type, (int)len, payload);
	if (h->nlmsg_type != AUDIT_SECCOMP_RECORD)
		return false;
	cr_expect_eq(parse_exact(payload, len, &ev), 0, "a kernel record refused: %.*s", (int)len,
		     payload);
	cr_expect_eq(ev.serial, serial);
	if (ev.pid != w->pid || ev.nr != SYS_getppid)
		return false;
	*ret = ev;
	*ret_payload = payload;
	*ret_len = len;
	return true;
}

Test(audit_parse, a_log_record_from_the_kernel, .timeout = 30)
{
	static char buf[1 << 16];
	struct live_want w;
	struct seccomp_event ev;
	int fd = join_readlog(), status;
	live_want_fill(&w);
	w.pid = test_fork();
	cr_assert_geq(w.pid, 0);
	if (w.pid == 0)
		child_logs_getppid();
	cr_assert_eq(waitpid(w.pid, &status, 0), w.pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
	for (int tries = 0; tries < 5000; tries++) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		cr_assert_gt(poll(&pfd, 1, 5000), 0, "no record of getppid by pid %d", w.pid);
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == ENOBUFS)
			continue;
		cr_assert_gt(n, 0, "recv: %s", strerror(errno));
		for (size_t off = 0; off + NLMSG_HDRLEN <= (size_t)n;) {
			const struct nlmsghdr *h = (const void *)(buf + off);
			const char *payload;
			size_t len;
			if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > (size_t)n - off)
				break;
			off += NLMSG_ALIGN(h->nlmsg_len);
			if (!examine(h, &w, &ev, &payload, &len))
				continue;
			expect_live(&ev, &w);
			oracle_agrees(payload, len, &ev, "the live record");
			close(fd);
			return;
		}
	}
	cr_assert_fail("no record of getppid by pid %d among 5000 messages", w.pid);
}
