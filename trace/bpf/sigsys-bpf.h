/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What sigsys.bpf.c hands to user space (trace/bpf-source.c): one fixed-layout record per
 * ring buffer sample. Shared by the kernel and the user side, so fixed-width fields only.
 * Changing it changes SIGSYS_BPF_LAYOUT: programs left pinned by an older sigsysd are then
 * replaced instead of being read with the wrong layout.
 */
#ifndef SIGSYS_TRACE_BPF_SIGSYS_BPF_H
#define SIGSYS_TRACE_BPF_SIGSYS_BPF_H

#define SIGSYS_BPF_LAYOUT 2

#define SIGSYS_BPF_COMM_LEN 16 /* TASK_COMM_LEN */

/* Ring sizes (a power of two, at least a page): kills are rare and precious and get their
 * own ring, so that neither a fork storm while sigsysd is down nor a task trapping in a loop
 * (traps go to the procs ring) can crowd them out. */
#define SIGSYS_BPF_KILLS_RING (1u << 20)
#define SIGSYS_BPF_PROCS_RING (8u << 20)

enum sigsys_bpf_type {
	SIGSYS_BPF_KILL = 1, /* a thread died of seccomp: action says KILL_PROCESS or _THREAD */
	SIGSYS_BPF_TRAP,     /* SECCOMP_RET_TRAP: a catchable SIGSYS, the task lives on */
	SIGSYS_BPF_FORK,     /* a new process (threads are not reported) */
	SIGSYS_BPF_EXEC,
	SIGSYS_BPF_EXIT, /* a process's main thread ended: exit_code is its wait status */
};

/* Indexes of the drops array: samples that found their ring full. */
enum sigsys_bpf_drop {
	SIGSYS_BPF_DROP_KILLS,
	SIGSYS_BPF_DROP_PROCS, /* forks, execs, exits and traps */
	SIGSYS_BPF_DROP_COUNT,
};

struct sigsys_bpf_event {
	__u64 time_ns;	       /* bpf_ktime_get_ns(): CLOCK_MONOTONIC, as the process connector's */
	__u64 start_ns;	       /* the process's (group leader's) start, ns since boot */
	__u64 cgroup_id;       /* cgroup v2 id of the task */
	__u64 parent_start_ns; /* fork: the parent process's start, ns since boot */
	__u64 args[6];	       /* kill, trap: the syscall's arguments */
	__u64 ip;	       /* kill, trap: user instruction pointer after the syscall */
	__u32 type;	       /* enum sigsys_bpf_type */
	__s32 tgid, tid;
	__s32 parent_tgid, parent_tid; /* fork: the real parent */
	__u32 exit_code;	       /* exit, kill: task->exit_code (a wait status) */
	__u32 action;		       /* kill, trap: SECCOMP_RET_KILL_PROCESS, _THREAD, TRAP */
	__u32 data;		       /* trap, kill with a signal: the filter's data (si_errno) */
	__u32 arch;		       /* kill, trap: AUDIT_ARCH_* */
	__s32 nr;		       /* kill, trap: the syscall number */
	__u32 uid, gid;
	__u32 signalled; /* kill: a SIGSYS was generated (KILL_PROCESS or last thread) */
	char comm[SIGSYS_BPF_COMM_LEN];
};

#endif
