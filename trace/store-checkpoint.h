/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A checkpoint of the store's WAL on a thread of its own. SQLite's automatic checkpoint runs
 * inside the COMMIT that crosses its threshold, fsync included: in sigsysd that commit is the
 * one a notified task is waiting on (its event is stored before it is answered), so one call
 * in a few hundred paid milliseconds. Here the commit only wakes this thread, which
 * checkpoints on its own connection while the writer goes on (a PASSIVE checkpoint never
 * blocks a writer, nor waits for one).
 */
#ifndef SIGSYS_TRACE_STORE_CHECKPOINT_H
#define SIGSYS_TRACE_STORE_CHECKPOINT_H

struct store_checkpointer;

/* A thread with its own connection to the WAL database at PATH. Negative errno on failure
 * (the caller keeps SQLite's automatic checkpoints then). */
int store_checkpointer_start(const char *path, struct store_checkpointer **ret);
/* The WAL is due for a checkpoint: cheap, called from the writer's commit hook. */
void store_checkpointer_poke(struct store_checkpointer *c);
/* Join the thread (a checkpoint under way finishes first) and close its connection. */
void store_checkpointer_stop(struct store_checkpointer *c);

#endif
