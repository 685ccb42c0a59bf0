/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsysd's kernel side: seccomp kills and traps with their syscall, arguments and task, and
 * the fork, exec and exit of every process, from raw tracepoints (kprobes and fentry are not
 * available everywhere sigsys runs; raw tracepoints are). CO-RE against trace/bpf/vmlinux.h.
 *
 * How a seccomp death shows (kernel/seccomp.c): the filter marks the thread
 * SECCOMP_MODE_DEAD, then either forces an uncatchable SIGSYS (KILL_PROCESS, or KILL_THREAD
 * on the last thread) or calls do_exit(SIGSYS) without any signal (KILL_THREAD while other
 * threads live). Both end in sched_process_exit with the dead mode and the syscall still in
 * the registers, so kills are reported there; signal_generate only notes which ones were
 * signalled (with si_syscall and si_arch), and reports TRAPs, whose thread lives on.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "sigsys-bpf.h"

/* The kernel accepts GPL-compatible licenses only; LGPL-2.1+ code may be used under GPL. */
char LICENSE[] SEC("license") = "GPL";

#define SIGSYS_NR		 31
#define SYS_SECCOMP		 1
#define SECCOMP_MODE_FILTER	 2
#define SECCOMP_MODE_DEAD	 3
#define SECCOMP_RET_KILL_PROCESS 0x80000000u
#define SECCOMP_RET_KILL_THREAD	 0x00000000u
#define SECCOMP_RET_TRAP	 0x00030000u
#define ARCH_X86_64		 0xc000003eu
#define ARCH_I386		 0x40000003u
#define TS_COMPAT		 0x0002u /* thread_info.status: in a 32-bit syscall */
#define SIGNALLED_MAX		 4096	 /* threads between their SIGSYS and their exit */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SIGSYS_BPF_KILLS_RING);
} kills SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SIGSYS_BPF_PROCS_RING);
} procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SIGSYS_BPF_DROP_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* What the seccomp SIGSYS said, kept by thread id until the thread's exit reports it. */
struct sigsys_signal {
	__u64 ip;
	__u32 arch;
	__s32 nr;
	__u32 data;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SIGNALLED_MAX);
	__type(key, __u32);
	__type(value, struct sigsys_signal);
} signalled SEC(".maps");

static void count_drop(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &which);
	if (n)
		__sync_fetch_and_add(n, 1);
}

static struct sigsys_bpf_event *reserve(void *ring, __u32 drop_index)
{
	struct sigsys_bpf_event *e = bpf_ringbuf_reserve(ring, sizeof(*e), 0);
	if (!e) {
		count_drop(drop_index);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	return e;
}

static void fill_task(struct sigsys_bpf_event *e, struct task_struct *t, __u32 type)
{
	e->type = type;
	e->time_ns = bpf_ktime_get_ns();
	e->tgid = BPF_CORE_READ(t, tgid);
	e->tid = BPF_CORE_READ(t, pid);
	e->start_ns = BPF_CORE_READ(t, group_leader, start_boottime);
	e->uid = BPF_CORE_READ(t, cred, uid.val);
	e->gid = BPF_CORE_READ(t, cred, gid.val);
	BPF_CORE_READ_STR_INTO(&e->comm, t, comm);
}

/* The syscall's arguments as the syscall saw them (the 32-bit ABI uses other registers). */
static void fill_syscall(struct sigsys_bpf_event *e, struct task_struct *t)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);
	bool compat = e->arch == ARCH_I386;
	e->ip = BPF_CORE_READ(regs, ip);
	if (compat) {
		e->args[0] = BPF_CORE_READ(regs, bx) & 0xffffffffu;
		e->args[1] = BPF_CORE_READ(regs, cx) & 0xffffffffu;
		e->args[2] = BPF_CORE_READ(regs, dx) & 0xffffffffu;
		e->args[3] = BPF_CORE_READ(regs, si) & 0xffffffffu;
		e->args[4] = BPF_CORE_READ(regs, di) & 0xffffffffu;
		e->args[5] = BPF_CORE_READ(regs, bp) & 0xffffffffu;
	} else {
		e->args[0] = BPF_CORE_READ(regs, di);
		e->args[1] = BPF_CORE_READ(regs, si);
		e->args[2] = BPF_CORE_READ(regs, dx);
		e->args[3] = BPF_CORE_READ(regs, r10);
		e->args[4] = BPF_CORE_READ(regs, r8);
		e->args[5] = BPF_CORE_READ(regs, r9);
	}
}

/* signal_generate(int sig, struct kernel_siginfo *info, struct task_struct *task, int group,
 * int result). A seccomp SIGSYS is sent by the thread to itself with SYS_SECCOMP. */
SEC("raw_tp/signal_generate")
int sigsys_signal(struct bpf_raw_tracepoint_args *ctx)
{
	struct kernel_siginfo *info = (struct kernel_siginfo *)ctx->args[1];
	struct task_struct *target = (struct task_struct *)ctx->args[2];
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	/* info 0 and 1 are SEND_SIG_NOINFO and SEND_SIG_PRIV, not pointers */
	if ((int)ctx->args[0] != SIGSYS_NR || ctx->args[1] <= 1)
		return 0;
	if (BPF_CORE_READ(info, si_code) != SYS_SECCOMP || BPF_CORE_READ(target, pid) != tid)
		return 0;
	struct sigsys_signal s = {
		.ip = (__u64)BPF_CORE_READ(info, _sifields._sigsys._call_addr),
		.arch = BPF_CORE_READ(info, _sifields._sigsys._arch),
		.nr = BPF_CORE_READ(info, _sifields._sigsys._syscall),
		.data = (__u32)BPF_CORE_READ(info, si_errno) & 0xffffu,
	};
	int mode = BPF_CORE_READ(target, seccomp.mode);
	if (mode == SECCOMP_MODE_DEAD) { /* a kill: reported at the thread's exit */
		bpf_map_update_elem(&signalled, &tid, &s, BPF_ANY);
		return 0;
	}
	if (mode != SECCOMP_MODE_FILTER)
		return 0; /* forged by the process itself: no filter, no trap */
	/* Traps go to the bulk ring: a task trapping in a loop must not crowd out kills. */
	struct task_struct *t = bpf_get_current_task_btf();
	struct sigsys_bpf_event *e = reserve(&procs, SIGSYS_BPF_DROP_PROCS);
	if (!e)
		return 0;
	fill_task(e, t, SIGSYS_BPF_TRAP);
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->action = SECCOMP_RET_TRAP;
	e->arch = s.arch;
	e->nr = s.nr;
	e->data = s.data;
	fill_syscall(e, t);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

static void report_kill(struct task_struct *t, __u32 tid)
{
	struct sigsys_signal *s = bpf_map_lookup_elem(&signalled, &tid);
	struct sigsys_bpf_event *e = reserve(&kills, SIGSYS_BPF_DROP_KILLS);
	if (!e)
		return;
	fill_task(e, t, SIGSYS_BPF_KILL);
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->exit_code = BPF_CORE_READ(t, exit_code);
	if (s) {
		e->signalled = 1;
		e->action = SECCOMP_RET_KILL_PROCESS;
		e->arch = s->arch;
		e->nr = s->nr;
		e->data = s->data;
	} else { /* do_exit(SIGSYS): a KILL_THREAD with other threads alive */
		e->action = SECCOMP_RET_KILL_THREAD;
		e->arch =
			BPF_CORE_READ(t, thread_info.status) & TS_COMPAT ? ARCH_I386 : ARCH_X86_64;
		e->nr = (__s32)BPF_CORE_READ((struct pt_regs *)bpf_task_pt_regs(t), orig_ax);
	}
	fill_syscall(e, t);
	bpf_ringbuf_submit(e, 0);
	if (s)
		bpf_map_delete_elem(&signalled, &tid);
}

/* sched_process_exit(struct task_struct *p, bool group_dead): p is current. */
SEC("raw_tp/sched_process_exit")
int sigsys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, tgid = (__u32)(id >> 32);

	if (BPF_CORE_READ(t, seccomp.mode) == SECCOMP_MODE_DEAD)
		report_kill(t, tid);
	if (tid != tgid)
		return 0;
	struct sigsys_bpf_event *e = reserve(&procs, SIGSYS_BPF_DROP_PROCS);
	if (!e)
		return 0;
	fill_task(e, t, SIGSYS_BPF_EXIT);
	e->exit_code = BPF_CORE_READ(t, exit_code);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* sched_process_fork(struct task_struct *parent, struct task_struct *child): before the
 * child first runs, so its fork is in the ring before anything the child does. */
SEC("raw_tp/sched_process_fork")
int sigsys_fork(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *child = (struct task_struct *)ctx->args[1];
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0; /* a thread: attribution follows processes */
	struct sigsys_bpf_event *e = reserve(&procs, SIGSYS_BPF_DROP_PROCS);
	if (!e)
		return 0;
	fill_task(e, child, SIGSYS_BPF_FORK);
	e->start_ns = BPF_CORE_READ(child, start_boottime);
	e->parent_tgid = BPF_CORE_READ(child, real_parent, tgid);
	e->parent_tid = BPF_CORE_READ(child, real_parent, pid);
	e->parent_start_ns = BPF_CORE_READ(child, real_parent, group_leader, start_boottime);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* sched_process_exec(struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm) */
SEC("raw_tp/sched_process_exec")
int sigsys_exec(struct bpf_raw_tracepoint_args *ctx)
{
	struct sigsys_bpf_event *e = reserve(&procs, SIGSYS_BPF_DROP_PROCS);
	if (!e)
		return 0;
	fill_task(e, bpf_get_current_task_btf(), SIGSYS_BPF_EXEC);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
