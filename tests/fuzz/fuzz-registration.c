/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: a registration message body as register.sock or the spool hands it to
 * sigsysd — from the root-only spool (no peer) and from a non-root peer. */
#include "registration.h"

#include <errno.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	registration_clear(&reg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ucred user = {.pid = 4242, .uid = 1000, .gid = 1000};
	parse(data, size, NULL);
	parse(data, size, &user);
	return 0;
}
