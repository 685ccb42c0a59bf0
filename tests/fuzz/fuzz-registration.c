/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: a registration message body as register.sock or the spool hands it to
 * sigsysd — from the root-only spool (no peer) and from a non-root peer — and, once
 * accepted, taken into the store and the registry as the daemon takes it. */
#include "daemon.h"
#include "registration.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct daemon fuzz_daemon;
static char dir[64];

static void stop(void)
{
	char path[96];
	store_close(fuzz_daemon.store);
	registry_clear(&fuzz_daemon.registry);
	const char *suffixes[] = {"", "-wal", "-shm", "-reserve"};
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		snprintf(path, sizeof(path), "%s/sigsys.db%s", dir, suffixes[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* A store on /dev/shm: the daemon's own path for accepted registrations, without the disk. */
int LLVMFuzzerInitialize(int *argc _unused_, char ***argv _unused_)
{
	struct store_options o;
	struct store_error err;
	char db[96];
	snprintf(dir, sizeof(dir), "/dev/shm/sigsys-fuzz-reg-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(db, sizeof(db), "%s/sigsys.db", dir);
	daemon_log_init(true);
	registry_init(&fuzz_daemon.registry);
	store_options_init(&o);
	o.reserve_bytes = 0;
	if (store_open(db, &o, &fuzz_daemon.store, &err) < 0) {
		fprintf(stderr, "fuzz-registration: %s\n", err.message);
		abort();
	}
	atexit(stop);
	return 0;
}

static void parse(const uint8_t *data, size_t size, const struct ucred *peer)
{
	struct registration reg;
	char why[256];
	why[0] = '\0';
	int r = registration_parse((const char *)data, size, peer, &reg, why, sizeof(why));
	if (r < 0) {
		if (!why[0] && r != -ENOMEM)
			__builtin_trap(); /* every refusal says why */
		return;
	}
	if (peer && peer->uid != 0 && reg.pid != peer->pid)
		__builtin_trap(); /* a non-root peer registered another pid */
	if (!reg.unconfined && (!reg.profile_text || strlen(reg.profile_text) != reg.profile_len))
		__builtin_trap();
	if (!peer)
		daemon_add_registration(&fuzz_daemon, &reg);
	registration_clear(&reg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ucred user = {.pid = 4242, .uid = 1000, .gid = 1000};
	parse(data, size, NULL);
	parse(data, size, &user);
	return 0;
}
