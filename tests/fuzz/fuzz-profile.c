/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: a profile as the launcher reads it — parse, then compile in one of the
 * modes (chosen by the input's length, so each seed reaches a different one), and ask the
 * explainer about a few syscalls, as `sigsys profile explain` does. */
#include "sigsys.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the compiled program decides, as `sigsys profile explain` asks it: for the first
 * rule's first name and a few fixed calls, with arguments taken from the input, on the
 * native arch and on i386. A decision names a rule of the profile or the default. */
static void explain(const struct sigsys_profile *profile, const struct sigsys_filter *filter,
		    const uint8_t *data, size_t size)
{
	const char *syscalls[] = {"personality", "clone3", "getpid", "999", NULL};
	const uint32_t arches[] = {0, 0x40000003};
	struct sigsys_rule_info rule;
	uint64_t args[6] = {0};
	memcpy(args, data, size < sizeof(args) ? size : sizeof(args));
	if (sigsys_profile_rule_count(profile) > 0 && sigsys_profile_rule(profile, 0, &rule) == 0 &&
	    rule.n_names > 0)
		syscalls[4] = rule.names[0];
	for (size_t i = 0; i < 5 && syscalls[i]; i++)
		for (size_t a = 0; a < 2; a++) {
			struct sigsys_decision d;
			struct sigsys_error err;
			if (sigsys_explain(filter, syscalls[i], arches[a], args, &d, &err) < 0)
				continue;
			if (d.rule_index < -1 ||
			    (d.rule_index >= 0 &&
			     (size_t)d.rule_index >= sigsys_profile_rule_count(profile)))
				__builtin_trap();
		}
}

static void compile(const struct sigsys_profile *profile, const uint8_t *data, size_t size)
{
	static const enum sigsys_mode modes[] = {SIGSYS_MODE_ENFORCE, SIGSYS_MODE_LOG,
						 SIGSYS_MODE_KILL, SIGSYS_MODE_NOTIFY};
	struct sigsys_options o;
	struct sigsys_filter *filter = NULL;
	struct sigsys_error err;
	sigsys_options_init(&o);
	o.mode = modes[size % 4];
	o.caps = (size & 4) ? UINT64_MAX : 0;
	o.flags = (size & 8) ? SIGSYS_OPT_ENOSYS_NEWER : 0;
	o.kernel_release = "6.1.0";
	if (sigsys_compile(profile, &o, &filter, &err) < 0)
		return;
	const void *insns;
	size_t n = sigsys_filter_program(filter, &insns);
	if (n == 0 || !insns)
		__builtin_trap(); /* a compiled filter always has a program */
	for (size_t i = 0; i < sigsys_filter_warning_count(filter); i++)
		(void)strlen(sigsys_filter_warning(filter, i));
	explain(profile, filter, data, size);
	sigsys_filter_free(filter);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sigsys_profile *profile = NULL;
	struct sigsys_error err;
	if (sigsys_profile_parse((const char *)data, size, "fuzz.json", &profile, &err) < 0) {
		if (!memchr(err.message, '\0', sizeof(err.message)))
			__builtin_trap(); /* the message is always terminated */
		return 0;
	}
	(void)strlen(sigsys_profile_digest(profile));
	for (size_t i = 0; i < sigsys_profile_rule_count(profile); i++) {
		struct sigsys_rule_info rule;
		if (sigsys_profile_rule(profile, i, &rule) < 0)
			__builtin_trap();
		for (size_t k = 0; k < rule.n_conditions; k++) {
			struct sigsys_condition c;
			if (sigsys_profile_rule_condition(profile, i, k, &c) < 0)
				__builtin_trap();
		}
	}
	compile(profile, data, size);
	sigsys_profile_free(profile);
	return 0;
}
