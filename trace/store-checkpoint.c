/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "store-checkpoint.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>

struct store_checkpointer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool due, stopping;
	sqlite3 *db;
};

static void *checkpoint_loop(void *arg)
{
	struct store_checkpointer *c = arg;
	pthread_mutex_lock(&c->lock);
	while (!c->stopping) {
		if (!c->due) {
			pthread_cond_wait(&c->wake, &c->lock);
			continue;
		}
		c->due = false;
		pthread_mutex_unlock(&c->lock);
		/* Best effort, as the automatic one: what it cannot copy now, the next one does. */
		sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* A fresh connection has not opened the WAL yet (a checkpoint would do nothing): a read
 * does, and the connection keeps it open. */
static int open_connection(const char *path, sqlite3 **ret)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 5000);
		rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
	}
	if (rc != SQLITE_OK) {
		sqlite3_close_v2(db);
		return -EIO;
	}
	*ret = db;
	return 0;
}

int store_checkpointer_start(const char *path, struct store_checkpointer **ret)
{
	struct store_checkpointer *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	int r = open_connection(path, &c->db);
	if (r < 0) {
		free(c);
		return r;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	/* Signals stay with the daemon's signalfd: the thread blocks them all. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = -pthread_create(&c->thread, NULL, checkpoint_loop, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0) {
		sqlite3_close_v2(c->db);
		free(c);
		return r;
	}
	*ret = c;
	return 0;
}

void store_checkpointer_poke(struct store_checkpointer *c)
{
	pthread_mutex_lock(&c->lock);
	if (!c->due) {
		c->due = true;
		pthread_cond_signal(&c->wake);
	}
	pthread_mutex_unlock(&c->lock);
}

void store_checkpointer_stop(struct store_checkpointer *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->stopping = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	sqlite3_close_v2(c->db);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
