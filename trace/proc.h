/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The proc source: the kernel's process connector (netlink NETLINK_CONNECTOR, CN_IDX_PROC),
 * which multicasts fork, exec and exit (with its exit code) of every task to root listeners.
 * sigsysd keeps its process tree from it, so a kill in a grandchild that is already gone can
 * still be attributed to the task that started it.
 *
 * proc_decode() is a pure function (bytes in, changes out); the rest is thin socket plumbing
 * and a /proc reader for the start time that, with the pid, identifies a process.
 */
#ifndef SIGSYS_TRACE_PROC_H
#define SIGSYS_TRACE_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/procfs.h"

/* A receive buffer that holds any one datagram of the connector (one message is ~76 bytes). */
#define PROC_RECV_SIZE 4096

/* Socket receive buffer proc_open() asks for when given 0: fork storms come in bursts. */
#define PROC_RCVBUF_DEFAULT (16u << 20)

/* How long proc_open() waits for the kernel to acknowledge the subscription. */
#define PROC_ACK_TIMEOUT_MS 2000

/* The largest task id the kernel hands out (PID_MAX_LIMIT on 64-bit). */
#define PROC_PID_MAX 4194304

/* CPU numbers above this are refused as not the kernel's (NR_CPUS is at most 8192). */
#define PROC_CPU_MAX 65535

#define PROC_COMM_MAX 16 /* TASK_COMM_LEN - 1, with one byte of slack, as in event.h */

enum proc_open_flag {
	PROC_OPEN_NONBLOCK = 1u << 0, /* the socket is O_NONBLOCK: proc_receive() says -EAGAIN */
};

enum proc_change_type {
	PROC_CHANGE_ACK = 1, /* the kernel's answer to a LISTEN or IGNORE (anyone's) */
	PROC_CHANGE_FORK,    /* a new task: a process, or a thread (fork.thread) */
	PROC_CHANGE_EXEC,
	/* A task ended: every thread reports its own exit. tid == tgid is the leader, and
	 * usually the end of the process, except when another thread execs: the leader then
	 * "exits" with code 0 and an EXEC of the same tgid comes with it, usually after (the
	 * exec'ing thread takes over the leader's pid and never reports its own tid's exit). */
	PROC_CHANGE_EXIT,
	PROC_CHANGE_COMM, /* PR_SET_NAME or a write to its own comm file; exec sends none */
	PROC_CHANGE_UID,
	PROC_CHANGE_GID,
	PROC_CHANGE_SID,
	PROC_CHANGE_PTRACE, /* attached (tracer set) or detached (tracer 0) */
	/* A core dump is attempted (even under RLIMIT_CORE 0, which writes none); the exit
	 * follows, and says whether a core was written. */
	PROC_CHANGE_COREDUMP,
};

/* How a task ended, from the kernel's task->exit_code (a wait(2) status word). */
enum proc_exit_how {
	PROC_EXIT_STATUS = 1, /* exit(2) or exit_group(2): status is valid */
	PROC_EXIT_SIGNAL,     /* killed: signal is valid, core_dumped tells */
	PROC_EXIT_OTHER,      /* not a wait status (a kernel thread's return value): see code */
};

/*
 * One normalized change. Zeroed whole before it is filled, so equal inputs give equal bytes.
 * Task ids are in the initial pid namespace; tid == tgid for a process's main thread.
 */
struct proc_change {
	uint64_t time_ns; /* CLOCK_MONOTONIC (ktime_get_ns()), whatever the uapi comment says */
	uint32_t type;	  /* enum proc_change_type */
	uint32_t cpu;	  /* CPU that sent it; with seq, detects lost messages (proc_seq_gap) */
	uint32_t seq;	  /* that CPU's message counter */
	int32_t tgid;	  /* the task the change is about (fork: the child) */
	int32_t tid;
	union {
		struct {
			/* The child's real parent: the caller, or for a thread and for
			 * CLONE_PARENT the caller's own parent. */
			int32_t parent_tgid, parent_tid;
			uint8_t thread; /* a thread (tid != tgid), not a new process */
		} fork;
		struct {
			uint32_t code;	     /* task->exit_code as the kernel gave it */
			uint32_t how;	     /* enum proc_exit_how */
			int32_t status;	     /* PROC_EXIT_STATUS: 0..255 */
			int32_t signal;	     /* PROC_EXIT_SIGNAL: 1..64 */
			uint8_t core_dumped; /* PROC_EXIT_SIGNAL: a core was written */
			/* Signal the parent gets (clone's CSIGNAL byte, 0..255): SIGCHLD for
			 * most processes, 0 for none; -1 for a thread other than the leader. */
			int32_t exit_signal;
			/* The real parent; 0 for a thread (it is released before the event
			 * is sent) and for a task already reaped. */
			int32_t parent_tgid, parent_tid;
		} exit;
		struct {
			char comm[PROC_COMM_MAX + 1];
		} comm;
		struct {
			uint32_t real, effective; /* uid or gid, in the initial user namespace */
		} id;
		struct {
			int32_t tracer_tgid, tracer_tid; /* 0 on detach */
		} ptrace;
		struct {
			int32_t parent_tgid, parent_tid;
		} coredump;
		struct {
			int32_t error; /* 0, or the positive errno the kernel answered */
			/* The request's cn_msg.ack + 1. proc_open() and proc_close() send
			 * their socket's port id: an answer to them is its port id + 1. */
			uint32_t ack;
		} ack;
	};
};

/*
 * Open a connector socket and subscribe to process events: socket (O_CLOEXEC), a receive
 * buffer of rcvbuf bytes (0: PROC_RCVBUF_DEFAULT; forced past rmem_max when privileged),
 * bind to the CN_IDX_PROC group, PROC_CN_MCAST_LISTEN, then wait up to PROC_ACK_TIMEOUT_MS
 * for the kernel's acknowledgement, so that every event after the return is delivered.
 * Messages queued before the acknowledgement are dropped: the caller scans /proc after
 * this returns for what already exists.
 *
 * Returns the fd, or -EPROTONOSUPPORT (no connector in this kernel), -EPERM (not
 * privileged), -ETIMEDOUT (no acknowledgement: no CONFIG_PROC_EVENTS, or the caller is not
 * in the initial user and pid namespaces, whose requests the kernel ignores), the errno the
 * kernel acknowledged with, or another negative errno of socket(2)/bind(2)/send(2).
 */
int proc_open(unsigned flags, size_t rcvbuf);

/*
 * Unsubscribe (PROC_CN_MCAST_IGNORE: without it the kernel keeps counting a listener and
 * keeps building messages for nobody) and close fd. Returns 0, or the negative errno of the
 * unsubscribe; the fd is closed either way.
 */
int proc_close(int fd);

/*
 * Receive one datagram from the kernel into buf (size >= PROC_RECV_SIZE is always enough).
 * Datagrams from anyone but the kernel are discarded. Returns its length, or
 *   -ENOBUFS  messages were lost (the socket overflowed): count the loss and keep reading;
 *             proc_seq_gap() says how many;
 *   -EAGAIN   nothing queued (non-blocking sockets);
 *   -EMSGSIZE the datagram did not fit in buf (it is consumed);
 *   another negative errno of recvmsg(2).
 */
int proc_receive(int fd, void *buf, size_t size);

/*
 * Decode one received datagram (one or more netlink messages) into at most max changes.
 * Pure: reads [buf, buf + len) only, in any alignment. Messages for other connectors and
 * netlink control messages are skipped; event types this version does not know are skipped.
 * Every value is range-checked: lengths of every nested header, task ids (0 < id <=
 * PROC_PID_MAX; parents may be 0), cpu, exit signals, the comm terminator.
 *
 * Returns the number of changes written (0 when the datagram held none), -EINVAL when it is
 * malformed (nothing of it should be trusted; out may be partly written), or -ENOSPC when it
 * holds more than max changes.
 */
int proc_decode(const void *buf, size_t len, struct proc_change *out, size_t max);

/* Fill c->exit (code, how, status, signal, core_dumped) from a task->exit_code; the bpf
 * source reads the same kernel field. */
void proc_decode_exit_code(uint32_t code, struct proc_change *c);

/*
 * Lost-message accounting. The kernel numbers every connector message with a per-CPU
 * counter, and this socket receives every message (it listens to all events), so a jump in
 * one CPU's sequence counts messages lost. next[] has one entry per possible CPU, each
 * starting at PROC_SEQ_UNSEEN. Returns how many messages from c->cpu were missed before c
 * (0 for the first one seen, for a step backwards, which resyncs, and for the uncounted
 * acknowledgements of kernels before 6.6, cpu -1), or -ERANGE when c->cpu >= ncpus.
 */
#define PROC_SEQ_UNSEEN UINT64_MAX
long proc_seq_gap(uint64_t *next, size_t ncpus, const struct proc_change *c);

/* Start times of processes: proc_start_time_ns() and its parts are in common/procfs.h. */

#endif
