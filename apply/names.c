/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "names.h"
#include "sigsys.h"
#include "../common/util.h"

#include <ctype.h>
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>

static const struct {
	const char *name;
	uint32_t kind;
} actions[] = {
	{"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
	{"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
	{"SCMP_ACT_KILL", SCMP_ACT_KILL},
	{"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
	{"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0)},
	{"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0)},
	{"SCMP_ACT_LOG", SCMP_ACT_LOG},
	{"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY},
	{"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
};

int action_from_profile_name(const char *name, uint32_t *ret_kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		if (strcmp(name, actions[i].name) == 0) {
			*ret_kind = actions[i].kind;
			return 0;
		}
	return -EINVAL;
}

const char *action_profile_name(uint32_t action)
{
	uint32_t kind = action;
	if ((action & 0xffff0000u) == SCMP_ACT_ERRNO(0) ||
	    (action & 0xffff0000u) == SCMP_ACT_TRACE(0))
		kind = action & 0xffff0000u;
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		if (actions[i].kind == kind)
			return actions[i].name;
	return "SCMP_ACT_UNKNOWN";
}

static const char *const modes[] = {
	[SIGSYS_MODE_ENFORCE] = "enforce",
	[SIGSYS_MODE_LOG] = "log",
	[SIGSYS_MODE_KILL] = "kill",
	[SIGSYS_MODE_NOTIFY] = "notify",
};

const char *sigsys_mode_name(enum sigsys_mode mode)
{
	return (size_t)mode < ARRAY_SIZE(modes) ? modes[mode] : "unknown";
}

int sigsys_mode_from_name(const char *name, enum sigsys_mode *ret)
{
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		if (strcmp(name, modes[i]) == 0) {
			*ret = (enum sigsys_mode)i;
			return 0;
		}
	return -EINVAL;
}

const char *sigsys_action_name(uint32_t action)
{
	switch (action & 0xffff0000u) {
	case SCMP_ACT_KILL_PROCESS:
		return "KILL_PROCESS";
	case SCMP_ACT_KILL_THREAD:
		return "KILL_THREAD";
	case SCMP_ACT_TRAP:
		return "TRAP";
	case SCMP_ACT_ERRNO(0):
		return "ERRNO";
	case SCMP_ACT_TRACE(0):
		return "TRACE";
	case SCMP_ACT_NOTIFY:
		return "NOTIFY";
	case SCMP_ACT_LOG:
		return "LOG";
	case SCMP_ACT_ALLOW:
		return "ALLOW";
	default:
		return "UNKNOWN";
	}
}

static const char *const compares[] = {
	[SCMP_CMP_NE] = "SCMP_CMP_NE",
	[SCMP_CMP_LT] = "SCMP_CMP_LT",
	[SCMP_CMP_LE] = "SCMP_CMP_LE",
	[SCMP_CMP_EQ] = "SCMP_CMP_EQ",
	[SCMP_CMP_GE] = "SCMP_CMP_GE",
	[SCMP_CMP_GT] = "SCMP_CMP_GT",
	[SCMP_CMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

int compare_from_name(const char *name, enum scmp_compare *ret)
{
	for (size_t i = 0; i < ARRAY_SIZE(compares); i++)
		if (compares[i] && strcmp(name, compares[i]) == 0) {
			*ret = (enum scmp_compare)i;
			return 0;
		}
	return -EINVAL;
}

const char *compare_name(enum scmp_compare op)
{
	return (size_t)op < ARRAY_SIZE(compares) && compares[op] ? compares[op] : "?";
}

int arch_from_profile_name(const char *name, uint32_t *ret_token)
{
	if (strncmp(name, "SCMP_ARCH_", 10) != 0)
		return -EINVAL;
	char lower[32];
	size_t n = strlen(name + 10);
	if (n == 0 || n >= sizeof(lower))
		return -EINVAL;
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char)tolower((unsigned char)name[10 + i]);
	/* libseccomp spells the 32-bit x86 "x86"; profiles do too. */
	uint32_t token = seccomp_arch_resolve_name(lower);
	if (token == 0)
		return -EINVAL;
	*ret_token = token;
	return 0;
}

int errno_from_name(const char *name)
{
	for (int e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);
		if (n && strcmp(n, name) == 0)
			return e;
	}
	return -EINVAL;
}

const char *sigsys_errno_name(int errnum)
{
	return errnum > 0 ? strerrorname_np(errnum) : NULL;
}

static const char *const capabilities[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",
	"CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",
	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN",
	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ",
	"CAP_PERFMON",
	"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

int capability_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(capabilities); i++)
		if (strcasecmp(name, capabilities[i]) == 0 ||
		    strcasecmp(name, capabilities[i] + 4) == 0)
			return (int)i;
	return -EINVAL;
}

const char *capability_name(int cap)
{
	return cap >= 0 && (size_t)cap < ARRAY_SIZE(capabilities) ? capabilities[cap] : NULL;
}

int sigsys_caps_parse(const char *list, uint64_t *ret_caps, struct sigsys_error *err)
{
	uint64_t caps = 0;
	if (strcasecmp(list, "all") == 0) {
		*ret_caps = (UINT64_C(1) << ARRAY_SIZE(capabilities)) - 1;
		return 0;
	}
	_cleanup_free_ char *copy = strdup(list);
	if (!copy)
		return -ENOMEM;
	char *save = NULL;
	for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		int cap = capability_from_name(tok);
		if (cap < 0) {
			if (err)
				format_into(err->message, sizeof(err->message),
					    "unknown capability \"%s\" (expected e.g. "
					    "CAP_SYS_ADMIN, or \"all\")",
					    tok);
			return -EINVAL;
		}
		caps |= UINT64_C(1) << cap;
	}
	*ret_caps = caps;
	return 0;
}

int sigsys_caps_bounding(uint64_t *ret_caps)
{
	uint64_t caps = 0;
	for (int cap = 0; cap < 64; cap++) {
		int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (r < 0 && errno == EINVAL)
			break;
		if (r < 0)
			return -errno;
		if (r == 1)
			caps |= UINT64_C(1) << cap;
	}
	*ret_caps = caps;
	return 0;
}
