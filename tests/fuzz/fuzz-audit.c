/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: one audit record as the audit source receives it. The decoder promises
 * to read only [data, data + size) and to leave *ret untouched on refusal: both checked (the
 * input is copied to a buffer of its exact size, so ASan sees any read past it). */
#include "audit-parse.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seccomp_event ev, before;
	uint32_t serial;
	memset(&ev, 0xa5, sizeof(ev));
	before = ev;
	if (audit_parse_seccomp((const char *)data, size, &ev) == 0) {
		/* Decoded strings are terminated within their bounds. */
		if (!memchr(ev.comm, '\0', sizeof(ev.comm)) ||
		    !memchr(ev.exe, '\0', sizeof(ev.exe)) ||
		    !memchr(ev.subj, '\0', sizeof(ev.subj)) || ev.pid < 1)
			__builtin_trap();
		(void)audit_arch_name(ev.arch);
	} else if (memcmp(&ev, &before, sizeof(ev))) {
		__builtin_trap(); /* a refusal wrote into the caller's event */
	}
	(void)audit_parse_serial((const char *)data, size, &serial);
	return 0;
}
