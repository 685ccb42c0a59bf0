/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Table-driven decisions: profile + mode + caps + syscall + args → the action the compiled
 * program returns and the rule that decided it. The program is run by the BPF interpreter;
 * tests/test-live.c proves the same programs on the kernel.
 */
#include "test-helpers.h"

#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>

#define ERRNO(e)     (SCMP_ACT_ERRNO(e))
#define ALLOW	     SCMP_ACT_ALLOW
#define KILL_PROCESS SCMP_ACT_KILL_PROCESS
#define LOG	     SCMP_ACT_LOG
#define NONE	     -2 /* rule index not checked */
#define DEFAULT	     -1
#define ADDED	     -3 /* added by sigsys */

struct decision_case {
	const char *profile; /* data profile file, or inline JSON starting with '{' */
	enum sigsys_mode mode;
	const char *caps;
	unsigned flags;
	const char *syscall;
	uint32_t arch;
	uint64_t args[6];
	uint32_t action;
	int rule;
};

static const struct decision_case cases[] = {
	/* The DC/OS default: Docker 2018 + pivot_root, default ERRNO(EPERM), no clone3. */
	{"dcos-default.json", SIGSYS_MODE_ENFORCE, "", 0, "getpid", 0, {0}, ALLOW, 0},
	{"dcos-default.json", SIGSYS_MODE_ENFORCE, "", 0, "clone3", 0, {0}, ERRNO(EPERM), DEFAULT},
	{"dcos-default.json", SIGSYS_MODE_ENFORCE, "", 0, "rseq", 0, {0}, ERRNO(EPERM), DEFAULT},
	{"dcos-default.json", SIGSYS_MODE_ENFORCE, "", 0, "personality", 0, {0xffffffff}, ALLOW, 5},
	{"dcos-default.json", SIGSYS_MODE_ENFORCE, "", 0, "personality", 0, {8}, ALLOW, 2},
	{"dcos-default.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "personality",
	 0,
	 {5},
	 ERRNO(EPERM),
	 DEFAULT},
	{"dcos-default.json", SIGSYS_MODE_ENFORCE, "", 0, "unshare", 0, {0}, ERRNO(EPERM), DEFAULT},
	{"dcos-default.json",
	 SIGSYS_MODE_ENFORCE,
	 "CAP_SYS_ADMIN",
	 0,
	 "unshare",
	 0,
	 {0},
	 ALLOW,
	 12},
	{"dcos-default.json", SIGSYS_MODE_ENFORCE, "", 0, "clone", 0, {0x11}, ALLOW, 13},
	{"dcos-default.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "clone",
	 0,
	 {0x10000011},
	 ERRNO(EPERM),
	 DEFAULT},
	{"dcos-default.json",
	 SIGSYS_MODE_ENFORCE,
	 "CAP_SYS_ADMIN",
	 0,
	 "clone",
	 0,
	 {0x10000011},
	 ALLOW,
	 12},
	{"dcos-default.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "pivot_root",
	 0,
	 {0},
	 ERRNO(EPERM),
	 DEFAULT},
	{"dcos-default.json",
	 SIGSYS_MODE_ENFORCE,
	 "CAP_SYS_CHROOT",
	 0,
	 "pivot_root",
	 0,
	 {0},
	 ALLOW,
	 16},
	{"moby-default-2018.json",
	 SIGSYS_MODE_ENFORCE,
	 "CAP_SYS_CHROOT",
	 0,
	 "pivot_root",
	 0,
	 {0},
	 ERRNO(EPERM),
	 DEFAULT},
	/* Other architectures of the archMap: x86 and x32 numbers resolve per arch. */
	{"dcos-default.json", SIGSYS_MODE_ENFORCE, "", 0, "getpid", SCMP_ARCH_X86, {0}, ALLOW, 0},
	{"dcos-default.json", SIGSYS_MODE_ENFORCE, "", 0, "getpid", SCMP_ARCH_X32, {0}, ALLOW, 0},
	{"dcos-default.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "unshare",
	 SCMP_ARCH_X86,
	 {0},
	 ERRNO(EPERM),
	 DEFAULT},
	{"dcos-default.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "getpid",
	 SCMP_ARCH_AARCH64,
	 {0},
	 SCMP_ACT_KILL_THREAD,
	 DEFAULT},
	/* Kill mode: denials kill the process, start-up probes get ENOSYS. */
	{"dcos-default.json", SIGSYS_MODE_KILL, "", 0, "unshare", 0, {0}, KILL_PROCESS, DEFAULT},
	{"dcos-default.json",
	 SIGSYS_MODE_KILL,
	 "",
	 0,
	 "personality",
	 0,
	 {5},
	 KILL_PROCESS,
	 DEFAULT},
	{"dcos-default.json", SIGSYS_MODE_KILL, "", 0, "clone3", 0, {0}, ERRNO(ENOSYS), ADDED},
	{"dcos-default.json", SIGSYS_MODE_KILL, "", 0, "rseq", 0, {0}, ERRNO(ENOSYS), ADDED},
	{"dcos-default.json", SIGSYS_MODE_KILL, "", 0, "getpid", 0, {0}, ALLOW, 0},
	{"dcos-default.json",
	 SIGSYS_MODE_KILL,
	 "",
	 0,
	 "getpid",
	 SCMP_ARCH_AARCH64,
	 {0},
	 KILL_PROCESS,
	 DEFAULT},
	/* Log mode: every denial is logged and allowed. */
	{"dcos-default.json", SIGSYS_MODE_LOG, "", 0, "unshare", 0, {0}, LOG, DEFAULT},
	{"dcos-default.json", SIGSYS_MODE_LOG, "", 0, "getpid", 0, {0}, ALLOW, 0},
	/* --enosys-newer: above the highest syscall the profile names, ENOSYS. */
	{"dcos-default.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 SIGSYS_OPT_ENOSYS_NEWER,
	 "clone3",
	 0,
	 {0},
	 ERRNO(ENOSYS),
	 ADDED},
	{"dcos-default.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 SIGSYS_OPT_ENOSYS_NEWER,
	 "clone3",
	 SCMP_ARCH_X86,
	 {0},
	 ERRNO(ENOSYS),
	 ADDED},
	{"dcos-default.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 SIGSYS_OPT_ENOSYS_NEWER,
	 "clone3",
	 SCMP_ARCH_X32,
	 {0},
	 ERRNO(ENOSYS),
	 ADDED},
	{"dcos-default.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 SIGSYS_OPT_ENOSYS_NEWER,
	 "kexec_load",
	 0,
	 {0},
	 ERRNO(EPERM),
	 DEFAULT},
	{"dcos-default.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 SIGSYS_OPT_ENOSYS_NEWER,
	 "getpid",
	 0,
	 {0},
	 ALLOW,
	 0},
	{"dcos-default.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 SIGSYS_OPT_ENOSYS_NEWER,
	 "getpid",
	 SCMP_ARCH_X32,
	 {0},
	 ALLOW,
	 0},
	{"dcos-default.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 SIGSYS_OPT_ENOSYS_NEWER,
	 "execve",
	 SCMP_ARCH_X32,
	 {0},
	 ALLOW,
	 0},
	{"dcos-default.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 SIGSYS_OPT_ENOSYS_NEWER,
	 "kexec_load",
	 SCMP_ARCH_X32,
	 {0},
	 ERRNO(EPERM),
	 DEFAULT},
	{"dcos-default.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 SIGSYS_OPT_ENOSYS_NEWER,
	 "getpid",
	 SCMP_ARCH_X86,
	 {0},
	 ALLOW,
	 0},
	/* moby 2026: clone3 answers ENOSYS by rule so glibc falls back to clone. */
	{"moby-profiles-default-2026.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "clone3",
	 0,
	 {0},
	 ERRNO(ENOSYS),
	 20},
	{"moby-profiles-default-2026.json",
	 SIGSYS_MODE_ENFORCE,
	 "CAP_SYS_ADMIN",
	 0,
	 "clone3",
	 0,
	 {0},
	 ALLOW,
	 NONE},
	{"moby-profiles-default-2026.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "getpid",
	 0,
	 {0},
	 ALLOW,
	 NONE},
	{"moby-profiles-default-2026.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "kexec_load",
	 0,
	 {0},
	 ERRNO(EPERM),
	 DEFAULT},
	/* Podman: defaultErrnoRet 38; explicit EPERM rules; socket rules excluded by cap. */
	{"podman-containers-common-2025.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "kexec_load",
	 0,
	 {0},
	 ERRNO(EPERM),
	 0},
	{"podman-containers-common-2025.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "clone3",
	 0,
	 {0},
	 ALLOW,
	 1},
	{"podman-containers-common-2025.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "socket",
	 0,
	 {16, 3, 9},
	 ERRNO(EINVAL),
	 31},
	{"podman-containers-common-2025.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "socket",
	 0,
	 {2, 1, 0},
	 ALLOW,
	 NONE},
	{"podman-containers-common-2025.json",
	 SIGSYS_MODE_ENFORCE,
	 "CAP_AUDIT_WRITE",
	 0,
	 "socket",
	 0,
	 {16, 3, 9},
	 ALLOW,
	 35},
	{"podman-containers-common-2025.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "add_key",
	 0,
	 {0},
	 ERRNO(ENOSYS),
	 DEFAULT},
	/* runc's test profiles: defaultErrnoRet, OR for a repeated index, AND otherwise. */
	{"runc-syscall-test2.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "chdir",
	 0,
	 {0},
	 ERRNO(ENXIO),
	 DEFAULT},
	{"runc-syscall-test1.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "process_vm_readv",
	 0,
	 {100},
	 ALLOW,
	 4},
	{"runc-syscall-test1.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "process_vm_readv",
	 0,
	 {9001},
	 ALLOW,
	 4},
	{"runc-syscall-test1.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "process_vm_writev",
	 0,
	 {2020},
	 ERRNO(55),
	 5},
	{"runc-syscall-test1.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "ftruncate",
	 0,
	 {123456789, 1337},
	 ALLOW,
	 3},
	{"runc-syscall-test1.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "ftruncate",
	 0,
	 {123456789, 1},
	 ERRNO(EPERM),
	 DEFAULT},
	{"runc-syscall-test1.json", SIGSYS_MODE_ENFORCE, "", 0, "dup3", 0, {1}, ALLOW, 1},
	{"runc-syscall-test1.json", SIGSYS_MODE_ENFORCE, "", 0, "dup3", 0, {5}, ALLOW, 2},
	{"runc-syscall-test1.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "dup3",
	 0,
	 {2},
	 ERRNO(EPERM),
	 DEFAULT},
	/* FACTS.md: [a0==100, a0==200, a1==0x20000] matches on a1 alone. */
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"socket\"],"
	 "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":100,\"op\":"
	 "\"SCMP_CMP_EQ\"},{\"index\":0,\"value\":200,\"op\":\"SCMP_CMP_EQ\"},{\"index\":1,"
	 "\"value\":131072,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "socket",
	 0,
	 {1, 0x20000},
	 ALLOW,
	 0},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"socket\"],"
	 "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":100,\"op\":"
	 "\"SCMP_CMP_EQ\"},{\"index\":0,\"value\":200,\"op\":\"SCMP_CMP_EQ\"},{\"index\":1,"
	 "\"value\":131072,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "socket",
	 0,
	 {1, 1},
	 ERRNO(EPERM),
	 DEFAULT},
	/* An ERRNO rule without errnoRet is EPERM even when defaultErrnoRet is set (crun). */
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,\"syscalls\":[{\"names\":"
	 "[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "mkdir",
	 0,
	 {0},
	 ERRNO(EPERM),
	 0},
	/* minKernel and arches of includes, excludes by arch. */
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"getpid\"],"
	 "\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"99.0\"}},{\"names\":"
	 "[\"getppid\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":[\"arm64\"]}},"
	 "{\"names\":[\"gettid\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"arches\":"
	 "[\"amd64\"]}},{\"names\":[\"getuid\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":"
	 "{\"minKernel\":\"4.0\",\"arches\":[\"amd64\"]}}]}",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "getpid",
	 0,
	 {0},
	 ERRNO(EPERM),
	 DEFAULT},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"getppid\"],"
	 "\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":[\"arm64\"]}}]}",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "getppid",
	 0,
	 {0},
	 ERRNO(EPERM),
	 DEFAULT},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"gettid\"],"
	 "\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"arches\":[\"amd64\"]}}]}",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "gettid",
	 0,
	 {0},
	 ERRNO(EPERM),
	 DEFAULT},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"getuid\"],"
	 "\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"4.0\",\"arches\":"
	 "[\"amd64\"]}}]}",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "getuid",
	 0,
	 {0},
	 ALLOW,
	 0},
	/* A profile with no architectures: x86 calls are killed, as libseccomp and crun do. */
	{"{\"defaultAction\":\"SCMP_ACT_ALLOW\"}",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "getpid",
	 SCMP_ARCH_X86,
	 {0},
	 SCMP_ACT_KILL_THREAD,
	 DEFAULT},
	{"{\"defaultAction\":\"SCMP_ACT_ALLOW\"}",
	 SIGSYS_MODE_LOG,
	 "",
	 0,
	 "getpid",
	 SCMP_ARCH_X86,
	 {0},
	 LOG,
	 DEFAULT},
	/* Kill mode keeps an explicit KILL_PROCESS on a probe, and kills explicit ERRNO. */
	{"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"rseq\"],"
	 "\"action\":\"SCMP_ACT_KILL_PROCESS\"},{\"names\":[\"mkdir\"],\"action\":"
	 "\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}",
	 SIGSYS_MODE_KILL,
	 "",
	 0,
	 "rseq",
	 0,
	 {0},
	 KILL_PROCESS,
	 0},
	{"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"rseq\"],"
	 "\"action\":\"SCMP_ACT_KILL_PROCESS\"},{\"names\":[\"mkdir\"],\"action\":"
	 "\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}",
	 SIGSYS_MODE_KILL,
	 "",
	 0,
	 "mkdir",
	 0,
	 {0},
	 KILL_PROCESS,
	 1},
	{"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],"
	 "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}",
	 SIGSYS_MODE_LOG,
	 "",
	 0,
	 "mkdir",
	 0,
	 {0},
	 LOG,
	 0},
	/* Notify mode: ERRNO and TRAP go to the supervisor, KILL stays in the kernel. */
	{"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],"
	 "\"action\":\"SCMP_ACT_ERRNO\"},{\"names\":[\"getppid\"],\"action\":"
	 "\"SCMP_ACT_KILL_PROCESS\"}]}",
	 SIGSYS_MODE_NOTIFY,
	 "",
	 0,
	 "mkdir",
	 0,
	 {0},
	 SCMP_ACT_NOTIFY,
	 0},
	{"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],"
	 "\"action\":\"SCMP_ACT_ERRNO\"},{\"names\":[\"getppid\"],\"action\":"
	 "\"SCMP_ACT_KILL_PROCESS\"}]}",
	 SIGSYS_MODE_NOTIFY,
	 "",
	 0,
	 "getppid",
	 0,
	 {0},
	 KILL_PROCESS,
	 1},
	/* excludes.minKernel drops the rule on a kernel at least that new (moby). */
	{"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
	 "\"action\":\"SCMP_ACT_ERRNO\",\"excludes\":{\"minKernel\":\"4.0\"}}]}",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "getppid",
	 0,
	 {0},
	 ALLOW,
	 DEFAULT},
	{"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
	 "\"action\":\"SCMP_ACT_ERRNO\",\"excludes\":{\"minKernel\":\"99.0\"}}]}",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "getppid",
	 0,
	 {0},
	 ERRNO(EPERM),
	 0},
	/* A syscall number as text decides like its name, on its arch. */
	{"runc-syscall-test1.json",
	 SIGSYS_MODE_ENFORCE,
	 "",
	 0,
	 "0",
	 SCMP_ARCH_X32,
	 {0},
	 SCMP_ACT_KILL_THREAD,
	 DEFAULT},
	{"dcos-default.json", SIGSYS_MODE_ENFORCE, "", 0, "0", SCMP_ARCH_X32, {0}, ALLOW, 0},
	{"dcos-default.json", SIGSYS_MODE_ENFORCE, "", 0, "435", 0, {0}, ERRNO(EPERM), DEFAULT},
	{"dcos-default.json", SIGSYS_MODE_ENFORCE, "", 0, "39", 0, {0}, ALLOW, 0},
};

static void check_case(const struct decision_case *c, size_t i)
{
	struct sigsys_profile *p =
		c->profile[0] == '{' ? parse_text(c->profile) : load_profile(c->profile);
	struct sigsys_filter *f = compile_with(p, c->mode, caps_of(c->caps), c->flags);
	struct sigsys_decision d;
	sigsys_profile_free(p); /* a filter outlives its profile */
	struct sigsys_error err = {{0}};
	int r = sigsys_explain(f, c->syscall, c->arch, c->args, &d, &err);
	cr_assert_eq(r, 0, "case %zu: explain %s: %s", i, c->syscall, err.message);
	cr_expect_eq(d.action, c->action, "case %zu: %s %s(%#jx) on %#x: got %#x, want %#x", i,
		     c->profile[0] == '{' ? "inline" : c->profile, c->syscall,
		     (uintmax_t)c->args[0], c->arch, d.action, c->action);
	if (c->rule == ADDED)
		cr_expect(d.added_by_sigsys, "case %zu: %s should be decided by sigsys", i,
			  c->syscall);
	else if (c->rule != NONE)
		cr_expect(!d.added_by_sigsys && d.rule_index == c->rule,
			  "case %zu: %s decided by rule %d (added %d), want %d", i, c->syscall,
			  d.rule_index, d.added_by_sigsys, c->rule);
	sigsys_filter_free(f);
}

ParameterizedTestParameters(decisions, table)
{
	static size_t indexes[ARRAY_SIZE(cases)];
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		indexes[i] = i;
	return cr_make_param_array(size_t, indexes, ARRAY_SIZE(cases));
}

ParameterizedTest(size_t *i, decisions, table)
{
	check_case(&cases[*i], *i);
}

/* Every data profile compiles in every mode that needs no supervisor. */
Test(decisions, every_data_profile_compiles_in_every_mode)
{
	static const char *const files[] = {"dcos-default.json",
					    "moby-default-2018.json",
					    "moby-default-2025.json",
					    "moby-fixture-conditional-include.json",
					    "moby-fixture-default-old-format.json",
					    "moby-fixture-example.json",
					    "moby-profiles-default-2026.json",
					    "podman-container-libs-2026.json",
					    "podman-containers-common-2025.json",
					    "podman-fixture-example.json",
					    "runc-syscall-test1.json",
					    "runc-syscall-test2.json",
					    "seccompagent-demo.json",
					    "seccompagent-notify-dangerous.json"};
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		for (int mode = SIGSYS_MODE_ENFORCE; mode <= SIGSYS_MODE_NOTIFY; mode++) {
			struct sigsys_profile *p = load_profile(files[i]);
			struct sigsys_filter *f = compile_with(p, mode, caps_of("all"), 0);
			cr_expect_gt(sigsys_filter_program(f, NULL), 1, "%s", files[i]);
			sigsys_filter_free(f);
			sigsys_profile_free(p);
		}
}

/* libseccomp 2.5.4 does not know the newest names: skipped with a warning naming them,
 * or an error with --strict. */
Test(decisions, unknown_syscall_names_warn_or_fail_strict)
{
	struct sigsys_profile *p = parse_text(
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"getpid\","
		"\"no_such_syscall\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
	struct sigsys_filter *f = compile_with(p, SIGSYS_MODE_ENFORCE, 0, 0);
	cr_assert_eq(sigsys_filter_warning_count(f), 1);
	cr_expect(strstr(sigsys_filter_warning(f, 0),
			 "syscalls[0].names[1]: unknown syscall \"no_such_syscall\" skipped"),
		  "%s", sigsys_filter_warning(f, 0));
	sigsys_filter_free(f);

	struct sigsys_options o;
	struct sigsys_error err = {{0}};
	sigsys_options_init(&o);
	o.flags = SIGSYS_OPT_STRICT;
	cr_expect_eq(sigsys_compile(p, &o, &f, &err), -ENOENT);
	cr_expect(strstr(err.message, "inline.json: syscalls[0].names[1]: syscall "
				      "\"no_such_syscall\" is unknown"),
		  "%s", err.message);
	sigsys_profile_free(p);
}

Test(decisions, kill_mode_probe_list_is_overridable)
{
	static const char *const only_rseq[] = {"rseq", NULL};
	struct sigsys_profile *p = load_profile("dcos-default.json");
	struct sigsys_options o;
	struct sigsys_filter *f;
	struct sigsys_decision d;
	sigsys_options_init(&o);
	o.mode = SIGSYS_MODE_KILL;
	o.probes = only_rseq;
	cr_assert_eq(sigsys_compile(p, &o, &f, NULL), 0);
	cr_assert_eq(sigsys_explain(f, "rseq", 0, NULL, &d, NULL), 0);
	cr_expect_eq(d.action, ERRNO(ENOSYS));
	cr_assert_eq(sigsys_explain(f, "clone3", 0, NULL, &d, NULL), 0);
	cr_expect_eq(d.action, KILL_PROCESS, "clone3 is no probe in this list: %#x", d.action);
	sigsys_filter_free(f);
	sigsys_profile_free(p);
}

Test(decisions, explain_rejects_unknown_syscalls)
{
	struct sigsys_profile *p = load_profile("dcos-default.json");
	struct sigsys_filter *f = compile_with(p, SIGSYS_MODE_ENFORCE, 0, 0);
	struct sigsys_decision d;
	struct sigsys_error err = {{0}};
	cr_expect_eq(sigsys_explain(f, "no_such_call", 0, NULL, &d, &err), -ENOENT);
	cr_expect(strstr(err.message, "unknown syscall \"no_such_call\""), "%s", err.message);
	cr_expect_eq(sigsys_explain(f, "kexec_file_load", SCMP_ARCH_X86, NULL, &d, &err), -ENOENT,
		     "kexec_file_load does not exist on x86");
	cr_expect(strstr(err.message, "does not exist on architecture x86"), "%s", err.message);
	sigsys_filter_free(f);
	sigsys_profile_free(p);
}

Test(decisions, enforce_loads_with_the_log_flag)
{
	struct sigsys_profile *p = load_profile("dcos-default.json");
	for (int mode = SIGSYS_MODE_ENFORCE; mode <= SIGSYS_MODE_KILL; mode++) {
		struct sigsys_filter *f = compile_with(p, mode, 0, 0);
		cr_expect(sigsys_filter_flags(f) & SECCOMP_FILTER_FLAG_LOG, "mode %d", mode);
		sigsys_filter_free(f);
	}
	sigsys_profile_free(p);
}

Test(decisions, the_filter_says_why_a_rule_was_left_out)
{
	struct sigsys_profile *p = load_profile("dcos-default.json");
	struct sigsys_filter *none = compile_with(p, SIGSYS_MODE_ENFORCE, 0, 0);
	struct sigsys_filter *admin =
		compile_with(p, SIGSYS_MODE_ENFORCE, caps_of("CAP_SYS_ADMIN,CAP_SYS_CHROOT"), 0);
	uint32_t arches[8];

	cr_expect_null(sigsys_filter_rule_skipped(none, 0), "rule 0 has no conditions");
	cr_expect_str_eq(sigsys_filter_rule_skipped(none, 16),
			 "includes.caps: needs CAP_SYS_CHROOT");
	cr_expect_null(sigsys_filter_rule_skipped(admin, 16));
	cr_expect_str_eq(sigsys_filter_rule_skipped(admin, 13),
			 "excludes.caps: CAP_SYS_ADMIN is held");
	cr_expect_str_eq(sigsys_filter_rule_skipped(none, 14),
			 "includes.arches does not list amd64");
	cr_expect_null(sigsys_filter_rule_skipped(none, 999));
	cr_assert_eq(sigsys_filter_arches(none, arches, 8), 3);
	cr_expect_eq(arches[0], SCMP_ARCH_X86_64);
	cr_expect_eq(arches[1], SCMP_ARCH_X86);
	cr_expect_eq(arches[2], SCMP_ARCH_X32);
	sigsys_filter_free(none);
	sigsys_filter_free(admin);
	sigsys_profile_free(p);
}

Test(decisions, mode_names_round_trip)
{
	enum sigsys_mode mode;
	for (int m = SIGSYS_MODE_ENFORCE; m <= SIGSYS_MODE_NOTIFY; m++) {
		cr_assert_eq(sigsys_mode_from_name(sigsys_mode_name(m), &mode), 0);
		cr_expect_eq(mode, m);
	}
	cr_expect_eq(sigsys_mode_from_name("enforcing", &mode), -EINVAL);
}

/* moby's s390 clone rule: for another arch and excluded by CAP_SYS_ADMIN; the arch is the
 * reason that holds whatever the caps. */
Test(decisions, another_arch_is_the_reason_before_caps)
{
	struct sigsys_profile *p = load_profile("dcos-default.json");
	struct sigsys_filter *admin =
		compile_with(p, SIGSYS_MODE_ENFORCE, caps_of("CAP_SYS_ADMIN"), 0);
	cr_expect_str_eq(sigsys_filter_rule_skipped(admin, 14),
			 "includes.arches does not list amd64");
	sigsys_filter_free(admin);
	sigsys_profile_free(p);
}
