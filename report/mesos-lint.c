/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Follows Mesos's src/linux/seccomp/seccomp_parser.cpp and seccomp.cpp: the order of its
 * checks decides what it never looks at (a rule whose includes.arches do not match this
 * machine is dropped before its names or action are read).
 */
#include "mesos-lint.h"

#include <json-c/json.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <string.h>

#define MESOS_LAST_CAP CAP_AUDIT_READ /* Mesos's CapabilityInfo ends there */

struct linter {
	const char *source;
	const char *prefix; /* JSON path of the profile object */
	struct mesos_lint *out;
	int error;
	const char *default_action; /* as Mesos maps it, for the equal-to-default refusal */
};

/* Mesos's architecture enum; resolvable: it also has a libseccomp token there. */
static const struct {
	const char *name; /* without SCMP_ARCH_ */
	const char *go_name;
	uint32_t token;
} mesos_arches[] = {
	{"X86", "x86", SCMP_ARCH_X86},
	{"X86_64", "amd64", SCMP_ARCH_X86_64},
	{"X32", "x32", SCMP_ARCH_X32},
	{"ARM", "arm", SCMP_ARCH_ARM},
	{"AARCH64", "arm64", SCMP_ARCH_AARCH64},
	{"MIPS", "mips", SCMP_ARCH_MIPS},
	{"MIPSEL", "mipsel", SCMP_ARCH_MIPSEL},
	{"MIPS64", "mips64", SCMP_ARCH_MIPS64},
	{"MIPSEL64", "mipsel64", SCMP_ARCH_MIPSEL64},
	{"MIPS64N32", "mips64n32", SCMP_ARCH_MIPS64N32},
	{"MIPSEL64N32", "mipsel64n32", SCMP_ARCH_MIPSEL64N32},
	{"PPC", "ppc", SCMP_ARCH_PPC},
	{"PPC64", NULL, 0}, /* in the enum, but Mesos cannot resolve it */
	{"PPC64LE", "ppc64le", SCMP_ARCH_PPC64LE},
	{"S390", "s390", SCMP_ARCH_S390},
	{"S390X", "s390x", SCMP_ARCH_S390X},
};

static const char *const mesos_ops[] = {
	"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",	    "SCMP_CMP_EQ",
	"SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};

_printf_(4, 5) static void add(struct linter *l, struct strv *list, const char *path,
			       const char *fmt, ...)
{
	char detail[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (strv_pushf(list, "%s: %s%s: %s", l->source, l->prefix, path, detail) < 0)
		l->error = -ENOMEM;
}

#define refuse(l, path, ...) add(l, &(l)->out->refused, path, __VA_ARGS__)
#define ignore(l, path, ...) add(l, &(l)->out->ignored, path, __VA_ARGS__)

static const char *type_name(struct json_object *o)
{
	return json_type_to_name(json_object_get_type(o));
}

static bool is_number(struct json_object *o)
{
	return json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_double);
}

/* NULL when Mesos accepts the action; otherwise why not and what to write instead. */
static const char *action_refusal(const char *name)
{
	static const char *const accepted[] = {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
					       "SCMP_ACT_TRAP", "SCMP_ACT_TRACE"};
	for (size_t i = 0; i < ARRAY_SIZE(accepted); i++)
		if (strcmp(name, accepted[i]) == 0)
			return NULL;
	if (strcmp(name, "SCMP_ACT_LOG") == 0)
		return "to log without denying, keep the profile strict and run the task with "
		       "sigsys-apply --mode log";
	if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
		return "write SCMP_ACT_KILL (it kills the calling thread), or run the task with "
		       "sigsys-apply --mode kill";
	if (strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
		return "write SCMP_ACT_KILL, which Mesos maps to KILL_THREAD";
	if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
		return "Mesos has no seccomp user notification";
	return "Mesos knows SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_TRAP and "
	       "SCMP_ACT_TRACE";
}

/* The action as Mesos compiles it: ERRNO and TRACE always carry EPERM. */
static void lint_action(struct linter *l, const char *path, struct json_object *v,
			const char **ret_name)
{
	*ret_name = NULL;
	if (!json_object_is_type(v, json_type_string)) {
		refuse(l, path, "%s: Mesos needs an action name such as \"SCMP_ACT_ALLOW\"",
		       v ? type_name(v) : "missing");
		return;
	}
	const char *name = json_object_get_string(v);
	const char *why = action_refusal(name);
	if (why)
		refuse(l, path, "action \"%s\" is refused by Mesos (%s)", name, why);
	else
		*ret_name = name;
}

static void lint_errno(struct linter *l, const char *path, struct json_object *v, const char *what)
{
	int64_t e = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
	const char *name = e > 0 && e < 4096 ? sigsys_errno_name((int)e) : NULL;
	if (e == EPERM)
		ignore(l, path, "ignored by Mesos (harmless here: EPERM is what Mesos returns)");
	else
		ignore(l, path,
		       "ignored by Mesos: %s fails with EPERM there, not %s; only an "
		       "errnoRet-aware launcher (sigsys-apply, crun, runc, Docker) returns it",
		       what, name ? name : json_object_to_json_string(v));
}

static void lint_top_fields(struct linter *l, struct json_object *top)
{
	struct json_object *v;
	if (json_object_object_get_ex(top, "defaultErrnoRet", &v))
		lint_errno(l, "defaultErrnoRet", v, "the default action");
	else if (json_object_object_get_ex(top, "defaultErrno", &v))
		ignore(l, "defaultErrno",
		       "ignored by Mesos: the default action fails with EPERM there");
	if (json_object_object_get_ex(top, "flags", &v))
		ignore(l, "flags", "ignored by Mesos: the filter is loaded without these flags");
	if (json_object_object_get_ex(top, "listenerPath", &v))
		ignore(l, "listenerPath", "ignored by Mesos: it has no seccomp listener");
}

static void lint_default_action(struct linter *l, struct json_object *top)
{
	struct json_object *v = NULL;
	json_object_object_get_ex(top, "defaultAction", &v);
	lint_action(l, "defaultAction", v, &l->default_action);
}

/* Whether Mesos can resolve an SCMP_ARCH_* name to a libseccomp architecture. */
static bool mesos_arch(const char *name, uint32_t *ret_token)
{
	if (strncmp(name, "SCMP_ARCH_", 10) != 0)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(mesos_arches); i++)
		if (strcmp(name + 10, mesos_arches[i].name) == 0) {
			*ret_token = mesos_arches[i].token;
			return mesos_arches[i].token != 0;
		}
	return false;
}

static void lint_arch_name(struct linter *l, const char *path, struct json_object *v,
			   uint32_t *ret_token)
{
	*ret_token = 0;
	if (!json_object_is_type(v, json_type_string))
		refuse(l, path, "%s: Mesos needs an architecture name such as \"SCMP_ARCH_X86_64\"",
		       v ? type_name(v) : "missing");
	else if (!mesos_arch(json_object_get_string(v), ret_token))
		refuse(l, path, "architecture \"%s\" is unknown to Mesos",
		       json_object_get_string(v));
}

static void lint_sub_arches(struct linter *l, const char *path, struct json_object *subs)
{
	char sub[128];
	uint32_t token;
	if (!json_object_is_type(subs, json_type_array)) {
		refuse(l, path, "%s: Mesos needs the subArchitectures list of the native entry",
		       subs ? type_name(subs) : "missing");
		return;
	}
	for (size_t j = 0; j < json_object_array_length(subs); j++) {
		format_into(sub, sizeof(sub), "%s[%zu]", path, j);
		lint_arch_name(l, sub, json_object_array_get_idx(subs, j), &token);
	}
}

static void lint_arch_map(struct linter *l, struct json_object *top)
{
	struct json_object *map;
	char path[128];
	if (!json_object_object_get_ex(top, "archMap", &map)) {
		refuse(l, "archMap",
		       "missing: Mesos needs archMap%s (e.g. [{\"architecture\": "
		       "\"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_X86\", "
		       "\"SCMP_ARCH_X32\"]}])",
		       json_object_object_get_ex(top, "architectures", NULL)
			       ? " and does not read a flat \"architectures\" list"
			       : "");
		return;
	}
	if (!json_object_is_type(map, json_type_array)) {
		refuse(l, "archMap", "expected an array, got %s", type_name(map));
		return;
	}
	for (size_t i = 0; i < json_object_array_length(map); i++) {
		struct json_object *e = json_object_array_get_idx(map, i), *v = NULL;
		uint32_t token;
		format_into(path, sizeof(path), "archMap[%zu]", i);
		if (!json_object_is_type(e, json_type_object)) {
			refuse(l, path, "expected an object, got %s", type_name(e));
			continue;
		}
		json_object_object_get_ex(e, "architecture", &v);
		format_into(path, sizeof(path), "archMap[%zu].architecture", i);
		lint_arch_name(l, path, v, &token);
		if (token != seccomp_arch_native())
			continue; /* Mesos reads only the native entry's sub-architectures */
		v = NULL;
		json_object_object_get_ex(e, "subArchitectures", &v);
		format_into(path, sizeof(path), "archMap[%zu].subArchitectures", i);
		lint_sub_arches(l, path, v);
	}
}

/* A Go architecture name ("amd64") as Mesos resolves it; 0 when it cannot. */
static uint32_t mesos_go_arch(const char *name)
{
	for (size_t k = 0; name && k < ARRAY_SIZE(mesos_arches); k++)
		if (mesos_arches[k].go_name && strcmp(mesos_arches[k].go_name, name) == 0)
			return mesos_arches[k].token;
	return 0;
}

/* includes.arches / excludes.arches: Mesos stops at the first match of this machine. */
static bool lint_filter_arches(struct linter *l, const char *path, struct json_object *arches)
{
	char sub[160];
	if (!json_object_is_type(arches, json_type_array)) {
		refuse(l, path, "expected an array, got %s", type_name(arches));
		return false;
	}
	for (size_t i = 0; i < json_object_array_length(arches); i++) {
		struct json_object *a = json_object_array_get_idx(arches, i);
		uint32_t token = json_object_is_type(a, json_type_string)
					 ? mesos_go_arch(json_object_get_string(a))
					 : 0;
		format_into(sub, sizeof(sub), "%s[%zu]", path, i);
		if (!token) {
			refuse(l, sub,
			       "architecture %s is unknown to Mesos, which fails the whole profile "
			       "on it (even on other machines)",
			       json_object_to_json_string(a));
			return false;
		}
		if (token == seccomp_arch_native())
			return true;
	}
	return false;
}

static void lint_filter_caps(struct linter *l, const char *path, struct json_object *caps)
{
	char sub[160];
	if (!json_object_is_type(caps, json_type_array)) {
		refuse(l, path, "expected an array, got %s", type_name(caps));
		return;
	}
	for (size_t i = 0; i < json_object_array_length(caps); i++) {
		struct json_object *c = json_object_array_get_idx(caps, i);
		const char *name = json_object_get_string(c);
		uint64_t bits = 0;
		format_into(sub, sizeof(sub), "%s[%zu]", path, i);
		bool parsed = json_object_is_type(c, json_type_string) &&
			      strncmp(name, "CAP_", 4) == 0 &&
			      strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == strlen(name) &&
			      sigsys_caps_parse(name, &bits, NULL) == 0 && bits;
		if (!parsed)
			refuse(l, sub,
			       "capability %s is unknown to Mesos (it needs names like "
			       "\"CAP_SYS_ADMIN\")",
			       json_object_to_json_string(c));
		else if (__builtin_ctzll(bits) > MESOS_LAST_CAP)
			refuse(l, sub,
			       "capability \"%s\" is newer than Mesos knows (its list ends at "
			       "CAP_AUDIT_READ): the whole profile fails",
			       name);
	}
}

/* includes or excludes; returns whether its arches name this machine. */
static bool lint_filter(struct linter *l, const char *path, struct json_object *f,
			bool *ret_has_arches)
{
	char sub[160];
	struct json_object *v;
	bool matched = false;
	*ret_has_arches = json_object_object_get_ex(f, "arches", &v);
	if (*ret_has_arches) {
		format_into(sub, sizeof(sub), "%s.arches", path);
		matched = lint_filter_arches(l, sub, v);
	}
	if (json_object_object_get_ex(f, "caps", &v)) {
		format_into(sub, sizeof(sub), "%s.caps", path);
		lint_filter_caps(l, sub, v);
	}
	if (json_object_object_get_ex(f, "minKernel", &v)) {
		format_into(sub, sizeof(sub), "%s.minKernel", path);
		ignore(l, sub, "ignored by Mesos: the rule %s on every kernel, not only from %s on",
		       strstr(path, "excludes") ? "is excluded" : "applies",
		       json_object_get_string(v));
	}
	return matched;
}

static void lint_names(struct linter *l, const char *path, struct json_object *rule)
{
	char sub[160];
	struct json_object *names;
	const struct scmp_version *ver = seccomp_version();
	if (!json_object_object_get_ex(rule, "names", &names)) {
		refuse(l, path, "\"names\" missing: Mesos needs a \"names\" list%s",
		       json_object_object_get_ex(rule, "name", NULL)
			       ? " and does not read the legacy \"name\""
			       : "");
		return;
	}
	format_into(sub, sizeof(sub), "%s.names", path);
	if (!json_object_is_type(names, json_type_array) || json_object_array_length(names) == 0) {
		refuse(l, sub, "Mesos needs a non-empty list of syscall names");
		return;
	}
	for (size_t j = 0; j < json_object_array_length(names); j++) {
		struct json_object *n = json_object_array_get_idx(names, j);
		format_into(sub, sizeof(sub), "%s.names[%zu]", path, j);
		if (!json_object_is_type(n, json_type_string))
			refuse(l, sub, "expected a string, got %s", type_name(n));
		else if (seccomp_syscall_resolve_name(json_object_get_string(n)) == __NR_SCMP_ERROR)
			refuse(l, sub,
			       "unknown syscall \"%s\": Mesos fails the whole profile (libseccomp "
			       "%u.%u.%u here does not know it; the agent's may know even fewer)",
			       json_object_get_string(n), ver->major, ver->minor, ver->micro);
	}
}

static bool known_op(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(mesos_ops); i++)
		if (strcmp(name, mesos_ops[i]) == 0)
			return true;
	return false;
}

static void lint_arg(struct linter *l, const char *path, struct json_object *a, unsigned *seen)
{
	static const char *const numbers[] = {"index", "value", "valueTwo"};
	char sub[192];
	struct json_object *v;
	if (!json_object_is_type(a, json_type_object)) {
		refuse(l, path, "expected an object, got %s", type_name(a));
		return;
	}
	for (size_t k = 0; k < ARRAY_SIZE(numbers); k++) {
		format_into(sub, sizeof(sub), "%s.%s", path, numbers[k]);
		v = NULL;
		if (!json_object_object_get_ex(a, numbers[k], &v) || !is_number(v))
			refuse(l, sub,
			       "%s: Mesos needs index, value, valueTwo and op in every condition",
			       v ? type_name(v) : "missing");
	}
	format_into(sub, sizeof(sub), "%s.op", path);
	v = NULL;
	if (!json_object_object_get_ex(a, "op", &v) || !known_op(json_object_get_string(v)))
		refuse(l, sub, "Mesos needs an operator such as \"SCMP_CMP_EQ\"");
	if (json_object_object_get_ex(a, "index", &v) && json_object_is_type(v, json_type_int)) {
		int64_t index = json_object_get_int64(v);
		format_into(sub, sizeof(sub), "%s.index", path);
		if (index >= 0 && index < 6 && (*seen & (1u << index)))
			refuse(l, sub,
			       "argument %jd is compared twice in one rule: Mesos gives both "
			       "conditions to one libseccomp rule, which refuses it (sigsys, crun "
			       "and runc split such a rule; for Mesos write one rule per "
			       "condition)",
			       (intmax_t)index);
		if (index >= 0 && index < 6)
			*seen |= 1u << index;
	}
}

static void lint_args(struct linter *l, const char *path, struct json_object *rule)
{
	char sub[160];
	struct json_object *args;
	unsigned seen = 0;
	if (!json_object_object_get_ex(rule, "args", &args) ||
	    !json_object_is_type(args, json_type_array))
		return; /* reported with the other missing keys */
	for (size_t i = 0; i < json_object_array_length(args); i++) {
		format_into(sub, sizeof(sub), "%s.args[%zu]", path, i);
		lint_arg(l, sub, json_object_array_get_idx(args, i), &seen);
	}
}

static void lint_missing_keys(struct linter *l, const char *path, struct json_object *rule)
{
	static const struct {
		const char *key;
		json_type type;
	} required[] = {
		{"args", json_type_array},
		{"includes", json_type_object},
		{"excludes", json_type_object},
	};
	char missing[64] = "";
	struct json_object *v;
	for (size_t k = 0; k < ARRAY_SIZE(required); k++)
		if (!json_object_object_get_ex(rule, required[k].key, &v) ||
		    !json_object_is_type(v, required[k].type))
			format_into(missing + strlen(missing), sizeof(missing) - strlen(missing),
				    "%s\"%s\"", missing[0] ? ", " : "", required[k].key);
	if (missing[0])
		refuse(l, path,
		       "%s missing or of the wrong type: Mesos requires args (a list), includes "
		       "and excludes (objects) in every rule; write [], {} and {} when empty",
		       missing);
}

static void lint_rule_action(struct linter *l, const char *path, struct json_object *rule)
{
	char sub[160];
	struct json_object *v = NULL;
	const char *action;
	format_into(sub, sizeof(sub), "%s.action", path);
	json_object_object_get_ex(rule, "action", &v);
	lint_action(l, sub, v, &action);
	if (action && l->default_action && strcmp(action, l->default_action) == 0)
		refuse(l, sub,
		       "%s equals the default action as Mesos compiles it (every ERRNO is EPERM "
		       "there): libseccomp refuses such a rule and the profile fails to load",
		       action);
	if (json_object_object_get_ex(rule, "errnoRet", &v)) {
		format_into(sub, sizeof(sub), "%s.errnoRet", path);
		lint_errno(l, sub, v, "the rule");
	} else if (json_object_object_get_ex(rule, "errno", &v)) {
		format_into(sub, sizeof(sub), "%s.errno", path);
		ignore(l, sub, "ignored by Mesos: the rule fails with EPERM there");
	}
}

static void lint_rule(struct linter *l, size_t i, struct json_object *rule)
{
	char path[64], sub[96];
	struct json_object *f;
	bool has_arches;
	format_into(path, sizeof(path), "syscalls[%zu]", i);
	if (!json_object_is_type(rule, json_type_object)) {
		refuse(l, path, "expected an object, got %s", type_name(rule));
		return;
	}
	lint_missing_keys(l, path, rule);
	format_into(sub, sizeof(sub), "%s.includes", path);
	if (json_object_object_get_ex(rule, "includes", &f) &&
	    !lint_filter(l, sub, f, &has_arches) && has_arches)
		return; /* for other architectures: Mesos drops it unread */
	format_into(sub, sizeof(sub), "%s.excludes", path);
	if (json_object_object_get_ex(rule, "excludes", &f) && lint_filter(l, sub, f, &has_arches))
		return;
	lint_names(l, path, rule);
	lint_rule_action(l, path, rule);
	lint_args(l, path, rule);
}

static void lint_rules(struct linter *l, struct json_object *top)
{
	struct json_object *rules;
	if (!json_object_object_get_ex(top, "syscalls", &rules) ||
	    !json_object_is_type(rules, json_type_array)) {
		refuse(l, "syscalls", "missing or not a list: Mesos needs the syscalls list");
		return;
	}
	for (size_t i = 0; i < json_object_array_length(rules); i++)
		lint_rule(l, i, json_object_array_get_idx(rules, i));
}

/* The raw document: Mesos reads key presence and JSON types, which libsigsys normalizes. */
static struct json_object *parse_text(const struct sigsys_profile *profile)
{
	size_t len;
	const char *text = sigsys_profile_text(profile, &len);
	struct json_tokener *tok = json_tokener_new_ex(SIGSYS_MAX_JSON_DEPTH);
	if (!tok)
		return NULL;
	struct json_object *root = json_tokener_parse_ex(tok, text, (int)len);
	json_tokener_free(tok);
	return root;
}

int mesos_lint(const struct sigsys_profile *profile, const char *source, struct mesos_lint *ret)
{
	struct linter l = {.source = source, .prefix = "", .out = ret};
	struct json_object *root = parse_text(profile), *top = root, *linux_obj = NULL;
	if (!root)
		return -ENOMEM; /* the library parsed the text: only memory can fail here */
	if (sigsys_profile_format(profile) == SIGSYS_FORMAT_OCI_CONFIG) {
		refuse(&l, "linux.seccomp",
		       "an OCI config.json: Mesos reads a profile file with defaultAction and "
		       "archMap at the top level (save the linux.seccomp object as its own file)");
		json_object_object_get_ex(root, "linux", &linux_obj);
		json_object_object_get_ex(linux_obj, "seccomp", &top);
		l.prefix = "linux.seccomp.";
	}
	lint_default_action(&l, top);
	lint_top_fields(&l, top);
	lint_arch_map(&l, top);
	lint_rules(&l, top);
	json_object_put(root);
	return l.error;
}

void mesos_lint_clear(struct mesos_lint *lint)
{
	strv_clear(&lint->refused);
	strv_clear(&lint->ignored);
}
