/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Profile parsing: Docker/moby (old and new), Podman, OCI linux.seccomp and whole OCI
 * config.json files into one model. Errors name the file and the JSON path.
 */
#include "profile.h"
#include "names.h"

#include <json-c/json.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/utsname.h>

#define MAX_NAMES_PER_RULE 4096u
#define MAX_ARCHES	   32u
#define MAX_ERRNO_RET	   4094u

struct parser {
	const char *source;
	struct sigsys_profile *profile;
	struct sigsys_error *err;
};

_printf_(3, 4) static int fail(struct parser *p, const char *path, const char *fmt, ...)
{
	char detail[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (p->err)
		format_into(p->err->message, sizeof(p->err->message), "%s: %s: %s", p->source, path,
			    detail);
	return -EINVAL;
}

_printf_(3, 4) static void warn(struct parser *p, const char *path, const char *fmt, ...)
{
	char detail[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	strv_pushf(&p->profile->warnings, "%s: %s: %s", p->source, path, detail);
}

static const char *type_name(struct json_object *o)
{
	return o ? json_type_to_name(json_object_get_type(o)) : "null";
}

/* Warn about keys the formats do not define: a typo would otherwise be silently ignored. */
static void check_keys(struct parser *p, const char *path, struct json_object *obj,
		       const char *const *known)
{
	json_object_object_foreach (obj, key, val) {
		(void)val;
		bool found = false;
		for (size_t i = 0; known[i]; i++)
			found = found || strcmp(key, known[i]) == 0;
		if (!found)
			warn(p, path, "unknown key \"%s\" ignored", key);
	}
}

static int get_string(struct parser *p, const char *path, struct json_object *o, const char **ret)
{
	if (!json_object_is_type(o, json_type_string))
		return fail(p, path, "expected a string, got %s", type_name(o));
	*ret = json_object_get_string(o);
	if (strlen(*ret) != (size_t)json_object_get_string_len(o))
		return fail(p, path, "string contains a NUL byte");
	return 0;
}

static int get_uint64(struct parser *p, const char *path, struct json_object *o, uint64_t *ret)
{
	if (!json_object_is_type(o, json_type_int))
		return fail(p, path, "expected a non-negative integer, got %s", type_name(o));
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (text[0] == '-')
		return fail(p, path, "expected a non-negative integer, got %s", text);
	errno = 0;
	*ret = json_object_get_uint64(o);
	if (errno == ERANGE || *ret == UINT64_MAX)
		return fail(p, path, "integer out of range (at most 2^64-2)");
	return 0;
}

static int parse_action(struct parser *p, const char *path, struct json_object *o,
			uint32_t *ret_kind)
{
	const char *name;
	int r = get_string(p, path, o, &name);
	if (r < 0)
		return r;
	if (action_from_profile_name(name, ret_kind) < 0)
		return fail(p, path,
			    "unknown action \"%s\" (expected SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, "
			    "SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, "
			    "SCMP_ACT_TRAP, SCMP_ACT_TRACE, SCMP_ACT_LOG or SCMP_ACT_NOTIFY)",
			    name);
	return 0;
}

static int parse_errno_value(struct parser *p, const char *path, struct json_object *o,
			     uint32_t *ret)
{
	uint64_t v;
	int r = get_uint64(p, path, o, &v);
	if (r < 0)
		return r;
	if (v > 0xffff)
		return fail(p, path, "errno %ju is out of range (0 to 4094)", (uintmax_t)v);
	/* moby's own fixture says 12345. libseccomp takes at most 4094 (crun and runc refuse
	 * more); the task is denied either way, so keep the profile usable and say so. */
	if (v > MAX_ERRNO_RET) {
		warn(p, path,
		     "errno %ju is above %u, the largest libseccomp accepts (crun and "
		     "runc refuse it); %u is used",
		     (uintmax_t)v, MAX_ERRNO_RET, MAX_ERRNO_RET);
		v = MAX_ERRNO_RET;
	}
	*ret = (uint32_t)v;
	return 0;
}

/* Podman writes "errno": "ENOSYS" beside errnoRet; alone it names the errno. */
static int parse_errno_name(struct parser *p, const char *path, struct json_object *o,
			    uint32_t *ret)
{
	const char *name;
	int r = get_string(p, path, o, &name);
	if (r < 0)
		return r;
	int e = errno_from_name(name);
	if (e < 0)
		return fail(p, path, "unknown errno name \"%s\" (expected e.g. \"EPERM\")", name);
	*ret = (uint32_t)e;
	return 0;
}

/* errnoRet (number) and errno (Podman's name) for an action of kind `kind`. */
static int parse_action_data(struct parser *p, const char *path, const char *ret_key,
			     struct json_object *ret_obj, const char *name_key,
			     struct json_object *name_obj, uint32_t kind, uint32_t *ret_action)
{
	char sub[256];
	uint32_t data = EPERM, named = 0;
	bool has_ret = ret_obj != NULL, has_name = name_obj != NULL;
	int r;

	if ((has_ret || has_name) && kind != SCMP_ACT_ERRNO(0) && kind != SCMP_ACT_TRACE(0)) {
		format_into(sub, sizeof(sub), "%s%s", path, has_ret ? ret_key : name_key);
		return fail(p, sub, "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
	}
	if (has_name) {
		format_into(sub, sizeof(sub), "%s%s", path, name_key);
		if ((r = parse_errno_name(p, sub, name_obj, &named)) < 0)
			return r;
		data = named;
	}
	if (has_ret) {
		format_into(sub, sizeof(sub), "%s%s", path, ret_key);
		if ((r = parse_errno_value(p, sub, ret_obj, &data)) < 0)
			return r;
		if (has_name && named != data)
			warn(p, sub, "errnoRet %u and errno \"%s\" disagree; errnoRet is used",
			     data, json_object_get_string(name_obj));
	}
	bool has_data = kind == SCMP_ACT_ERRNO(0) || kind == SCMP_ACT_TRACE(0);
	*ret_action = has_data ? kind | data : kind;
	return 0;
}

static int parse_string_array(struct parser *p, const char *path, struct json_object *o, size_t max,
			      char ***ret_items, size_t *ret_n)
{
	char sub[256];
	if (!json_object_is_type(o, json_type_array))
		return fail(p, path, "expected an array of strings, got %s", type_name(o));
	size_t n = json_object_array_length(o);
	if (n > max)
		return fail(p, path, "%zu entries is more than the limit of %zu", n, max);
	char **items = calloc(n ? n : 1, sizeof(char *));
	if (!items)
		return -ENOMEM;
	*ret_items = items;
	*ret_n = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s;
		format_into(sub, sizeof(sub), "%s[%zu]", path, i);
		int r = get_string(p, sub, json_object_array_get_idx(o, i), &s);
		if (r < 0)
			return r;
		if (!(items[i] = strdup(s)))
			return -ENOMEM;
		*ret_n = i + 1;
	}
	return 0;
}

static int parse_caps(struct parser *p, const char *path, struct json_object *o,
		      struct profile_cond *cond)
{
	char **names = NULL;
	size_t n = 0;
	int r = parse_string_array(p, path, o, 64, &names, &n);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		int cap = capability_from_name(names[i]);
		if (cap < 0) {
			warn(p, path, "unknown capability \"%s\" (treated as not held)", names[i]);
			cond->unknown_cap = true;
		} else {
			cond->caps |= UINT64_C(1) << cap;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

static int parse_cond(struct parser *p, const char *path, struct json_object *o,
		      struct profile_cond *cond)
{
	static const char *const known[] = {"caps", "arches", "minKernel", NULL};
	char sub[256];
	struct json_object *v;
	int r;

	if (!json_object_is_type(o, json_type_object))
		return fail(p, path, "expected an object, got %s", type_name(o));
	check_keys(p, path, o, known);
	cond->present = true;
	if (json_object_object_get_ex(o, "caps", &v) && v) {
		format_into(sub, sizeof(sub), "%s.caps", path);
		if ((r = parse_caps(p, sub, v, cond)) < 0)
			return r;
	}
	if (json_object_object_get_ex(o, "arches", &v) && v) {
		format_into(sub, sizeof(sub), "%s.arches", path);
		if ((r = parse_string_array(p, sub, v, MAX_ARCHES, &cond->arches,
					    &cond->n_arches)) < 0)
			return r;
	}
	if (json_object_object_get_ex(o, "minKernel", &v) && v) {
		const char *s;
		format_into(sub, sizeof(sub), "%s.minKernel", path);
		if ((r = get_string(p, sub, v, &s)) < 0)
			return r;
		if (s[0] < '0' || s[0] > '9' || strspn(s, "0123456789.") != strlen(s))
			return fail(p, sub, "expected a kernel version like \"5.8\", got \"%s\"",
				    s);
		if (!(cond->min_kernel = strdup(s)))
			return -ENOMEM;
	}
	return 0;
}

static int parse_arg(struct parser *p, const char *path, struct json_object *o,
		     struct profile_arg *arg)
{
	static const char *const known[] = {"index", "value", "valueTwo", "op", NULL};
	char sub[256];
	struct json_object *v;
	uint64_t index;
	const char *op;
	int r;

	if (!json_object_is_type(o, json_type_object))
		return fail(p, path, "expected an object, got %s", type_name(o));
	check_keys(p, path, o, known);
	format_into(sub, sizeof(sub), "%s.index", path);
	if (!json_object_object_get_ex(o, "index", &v))
		return fail(p, sub, "missing (expected 0 to 5)");
	if ((r = get_uint64(p, sub, v, &index)) < 0)
		return r;
	if (index > 5)
		return fail(p, sub, "argument index %ju is out of range (0 to 5)",
			    (uintmax_t)index);
	arg->index = (unsigned)index;

	format_into(sub, sizeof(sub), "%s.op", path);
	if (!json_object_object_get_ex(o, "op", &v))
		return fail(p, sub, "missing (expected e.g. \"SCMP_CMP_EQ\")");
	if ((r = get_string(p, sub, v, &op)) < 0)
		return r;
	if (compare_from_name(op, &arg->op) < 0)
		return fail(p, sub,
			    "unknown operator \"%s\" (expected SCMP_CMP_NE, SCMP_CMP_LT, "
			    "SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT or "
			    "SCMP_CMP_MASKED_EQ)",
			    op);

	format_into(sub, sizeof(sub), "%s.value", path);
	if (!json_object_object_get_ex(o, "value", &v))
		return fail(p, sub, "missing (expected an integer)");
	if ((r = get_uint64(p, sub, v, &arg->value)) < 0)
		return r;
	if (json_object_object_get_ex(o, "valueTwo", &v)) {
		format_into(sub, sizeof(sub), "%s.valueTwo", path);
		if ((r = get_uint64(p, sub, v, &arg->value_two)) < 0)
			return r;
	}
	return 0;
}

static int parse_args(struct parser *p, const char *path, struct json_object *o,
		      struct profile_rule *rule)
{
	char sub[256];
	if (!json_object_is_type(o, json_type_array))
		return fail(p, path, "expected an array of argument conditions, got %s",
			    type_name(o));
	size_t n = json_object_array_length(o);
	if (n > PROFILE_MAX_ARGS)
		return fail(p, path, "%zu conditions is more than the limit of %u", n,
			    PROFILE_MAX_ARGS);
	rule->args = calloc(n ? n : 1, sizeof(*rule->args));
	if (!rule->args)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		format_into(sub, sizeof(sub), "%s[%zu]", path, i);
		int r = parse_arg(p, sub, json_object_array_get_idx(o, i), &rule->args[i]);
		if (r < 0)
			return r;
		rule->n_args = i + 1;
	}
	return 0;
}

static int parse_rule_names(struct parser *p, const char *path, struct json_object *o,
			    struct profile_rule *rule)
{
	char sub[256];
	struct json_object *names = NULL, *name = NULL;
	bool has_names = json_object_object_get_ex(o, "names", &names) && names;
	bool has_name = json_object_object_get_ex(o, "name", &name) && name;

	if (has_names && has_name)
		return fail(p, path, "has both \"name\" and \"names\" (use one)");
	if (has_name) {
		const char *s;
		format_into(sub, sizeof(sub), "%s.name", path);
		int r = get_string(p, sub, name, &s);
		if (r < 0)
			return r;
		rule->names = calloc(1, sizeof(char *));
		if (!rule->names || !(rule->names[0] = strdup(s)))
			return -ENOMEM;
		rule->n_names = 1;
		return 0;
	}
	format_into(sub, sizeof(sub), "%s.names", path);
	if (!has_names)
		return fail(p, sub, "missing (expected an array of syscall names)");
	int r = parse_string_array(p, sub, names, MAX_NAMES_PER_RULE, &rule->names, &rule->n_names);
	if (r < 0)
		return r;
	if (rule->n_names == 0)
		warn(p, sub, "empty: the rule matches nothing");
	return 0;
}

static int parse_rule(struct parser *p, const char *path, struct json_object *o,
		      struct profile_rule *rule)
{
	static const char *const known[] = {"names", "name",	"action",   "errnoRet", "errno",
					    "args",  "comment", "includes", "excludes", NULL};
	char sub[256];
	struct json_object *v, *ret_obj = NULL, *name_obj = NULL;
	uint32_t kind;
	int r;

	if (!json_object_is_type(o, json_type_object))
		return fail(p, path, "expected an object, got %s", type_name(o));
	check_keys(p, path, o, known);
	if ((r = parse_rule_names(p, path, o, rule)) < 0)
		return r;

	format_into(sub, sizeof(sub), "%s.action", path);
	if (!json_object_object_get_ex(o, "action", &v))
		return fail(p, sub, "missing (expected e.g. \"SCMP_ACT_ALLOW\")");
	if ((r = parse_action(p, sub, v, &kind)) < 0)
		return r;
	json_object_object_get_ex(o, "errnoRet", &ret_obj);
	json_object_object_get_ex(o, "errno", &name_obj);
	format_into(sub, sizeof(sub), "%s.", path);
	if ((r = parse_action_data(p, sub, "errnoRet", ret_obj, "errno", name_obj, kind,
				   &rule->action)) < 0)
		return r;

	if (json_object_object_get_ex(o, "args", &v) && v) {
		format_into(sub, sizeof(sub), "%s.args", path);
		if ((r = parse_args(p, sub, v, rule)) < 0)
			return r;
	}
	if (json_object_object_get_ex(o, "includes", &v) && v) {
		format_into(sub, sizeof(sub), "%s.includes", path);
		if ((r = parse_cond(p, sub, v, &rule->includes)) < 0)
			return r;
	}
	if (json_object_object_get_ex(o, "excludes", &v) && v) {
		format_into(sub, sizeof(sub), "%s.excludes", path);
		if ((r = parse_cond(p, sub, v, &rule->excludes)) < 0)
			return r;
	}
	if (json_object_object_get_ex(o, "comment", &v) && v &&
	    !json_object_is_type(v, json_type_string)) {
		format_into(sub, sizeof(sub), "%s.comment", path);
		return fail(p, sub, "expected a string, got %s", type_name(v));
	}
	return 0;
}

static int parse_rules(struct parser *p, const char *path, struct json_object *o)
{
	char sub[64];
	struct sigsys_profile *prof = p->profile;
	if (!json_object_is_type(o, json_type_array))
		return fail(p, path, "expected an array of rules, got %s", type_name(o));
	size_t n = json_object_array_length(o);
	if (n > SIGSYS_MAX_RULES)
		return fail(p, path, "%zu rules is more than the limit of %u", n, SIGSYS_MAX_RULES);
	prof->rules = calloc(n ? n : 1, sizeof(*prof->rules));
	if (!prof->rules)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		format_into(sub, sizeof(sub), "%s[%zu]", path, i);
		prof->rules[i].index = (unsigned)i;
		prof->n_rules = i + 1;
		int r = parse_rule(p, sub, json_object_array_get_idx(o, i), &prof->rules[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_arch(struct parser *p, const char *path, const char *name)
{
	struct sigsys_profile *prof = p->profile;
	uint32_t token;
	if (arch_from_profile_name(name, &token) < 0)
		return fail(p, path,
			    "unknown architecture \"%s\" (expected e.g. "
			    "\"SCMP_ARCH_X86_64\")",
			    name);
	for (size_t i = 0; i < prof->n_arches; i++)
		if (prof->arches[i] == token)
			return 0;
	if (prof->n_arches >= MAX_ARCHES)
		return fail(p, path, "more than %u architectures", MAX_ARCHES);
	prof->arches[prof->n_arches++] = token;
	return 0;
}

static int parse_architectures(struct parser *p, const char *path, struct json_object *o)
{
	char **names = NULL;
	size_t n = 0;
	int r = parse_string_array(p, path, o, MAX_ARCHES, &names, &n);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		char sub[256];
		format_into(sub, sizeof(sub), "%s[%zu]", path, i);
		r = add_arch(p, sub, names[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

/* archMap: moby keeps the entry of the native architecture and its sub-architectures. */
static int parse_arch_map(struct parser *p, const char *path, struct json_object *o)
{
	static const char *const known[] = {"architecture", "subArchitectures", NULL};
	char sub[256];
	uint32_t native = seccomp_arch_native();
	if (!json_object_is_type(o, json_type_array))
		return fail(p, path, "expected an array, got %s", type_name(o));
	size_t n = json_object_array_length(o);
	if (n > MAX_ARCHES)
		return fail(p, path, "%zu entries is more than the limit of %u", n, MAX_ARCHES);
	p->profile->has_arch_map = true;
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(o, i), *v;
		const char *name;
		uint32_t token;
		int r;
		format_into(sub, sizeof(sub), "%s[%zu]", path, i);
		if (!json_object_is_type(e, json_type_object))
			return fail(p, sub, "expected an object, got %s", type_name(e));
		check_keys(p, sub, e, known);
		format_into(sub, sizeof(sub), "%s[%zu].architecture", path, i);
		if (!json_object_object_get_ex(e, "architecture", &v))
			return fail(p, sub, "missing (expected e.g. \"SCMP_ARCH_X86_64\")");
		if ((r = get_string(p, sub, v, &name)) < 0)
			return r;
		/* Only the native entry counts; libseccomp may not know the others. */
		if (arch_from_profile_name(name, &token) < 0)
			continue;
		format_into(sub, sizeof(sub), "%s[%zu].subArchitectures", path, i);
		struct json_object *subs = NULL;
		json_object_object_get_ex(e, "subArchitectures", &subs);
		if (token != native) {
			if (subs && !json_object_is_type(subs, json_type_array))
				return fail(p, sub, "expected an array, got %s", type_name(subs));
			continue;
		}
		format_into(sub, sizeof(sub), "%s[%zu].architecture", path, i);
		if ((r = add_arch(p, sub, name)) < 0)
			return r;
		format_into(sub, sizeof(sub), "%s[%zu].subArchitectures", path, i);
		if (subs && (r = parse_architectures(p, sub, subs)) < 0)
			return r;
	}
	return 0;
}

static int parse_flags(struct parser *p, const char *path, struct json_object *o)
{
	char **names = NULL;
	size_t n = 0;
	int r = parse_string_array(p, path, o, 16, &names, &n);
	p->profile->has_flags = true;
	for (size_t i = 0; r >= 0 && i < n; i++) {
		char sub[256];
		format_into(sub, sizeof(sub), "%s[%zu]", path, i);
		if (strcmp(names[i], "SECCOMP_FILTER_FLAG_LOG") == 0)
			p->profile->filter_flags |= SECCOMP_FILTER_FLAG_LOG;
		else if (strcmp(names[i], "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
			p->profile->filter_flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
		else if (strcmp(names[i], "SECCOMP_FILTER_FLAG_TSYNC") == 0 ||
			 strcmp(names[i], "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0)
			warn(p, sub, "%s ignored (as runc does)", names[i]);
		else
			r = fail(p, sub,
				 "unknown flag \"%s\" (expected SECCOMP_FILTER_FLAG_LOG, "
				 "SECCOMP_FILTER_FLAG_SPEC_ALLOW or SECCOMP_FILTER_FLAG_TSYNC)",
				 names[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

static int parse_listener(struct parser *p, struct json_object *o, const char *prefix)
{
	static const char *const keys[] = {"listenerPath", "listenerMetadata"};
	char **targets[] = {&p->profile->listener_path, &p->profile->listener_metadata};
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		struct json_object *v;
		const char *s;
		char sub[128];
		if (!json_object_object_get_ex(o, keys[i], &v) || !v)
			continue;
		format_into(sub, sizeof(sub), "%s%s", prefix, keys[i]);
		int r = get_string(p, sub, v, &s);
		if (r < 0)
			return r;
		if (!(*targets[i] = strdup(s)))
			return -ENOMEM;
	}
	return 0;
}

static int parse_top(struct parser *p, struct json_object *o, const char *prefix)
{
	static const char *const known[] = {
		"defaultAction", "defaultErrnoRet", "defaultErrno", "architectures",	"archMap",
		"syscalls",	 "flags",	    "listenerPath", "listenerMetadata", NULL};
	char sub[128];
	struct json_object *v, *ret_obj = NULL, *name_obj = NULL;
	uint32_t kind;
	int r;

	check_keys(p, prefix[0] ? prefix : "(top level)", o, known);
	format_into(sub, sizeof(sub), "%sdefaultAction", prefix);
	if (!json_object_object_get_ex(o, "defaultAction", &v))
		return fail(p, sub, "missing (expected e.g. \"SCMP_ACT_ERRNO\")");
	if ((r = parse_action(p, sub, v, &kind)) < 0)
		return r;
	json_object_object_get_ex(o, "defaultErrnoRet", &ret_obj);
	json_object_object_get_ex(o, "defaultErrno", &name_obj);
	if ((r = parse_action_data(p, prefix, "defaultErrnoRet", ret_obj, "defaultErrno", name_obj,
				   kind, &p->profile->default_action)) < 0)
		return r;

	struct json_object *arches = NULL, *arch_map = NULL;
	json_object_object_get_ex(o, "architectures", &arches);
	json_object_object_get_ex(o, "archMap", &arch_map);
	if (arches && arch_map)
		return fail(p, prefix[0] ? prefix : "(top level)",
			    "has both \"architectures\" and \"archMap\" (use one)");
	p->profile->arches = calloc(MAX_ARCHES, sizeof(uint32_t));
	if (!p->profile->arches)
		return -ENOMEM;
	format_into(sub, sizeof(sub), "%sarchitectures", prefix);
	if (arches && (r = parse_architectures(p, sub, arches)) < 0)
		return r;
	format_into(sub, sizeof(sub), "%sarchMap", prefix);
	if (arch_map && (r = parse_arch_map(p, sub, arch_map)) < 0)
		return r;
	format_into(sub, sizeof(sub), "%sflags", prefix);
	if (json_object_object_get_ex(o, "flags", &v) && v && (r = parse_flags(p, sub, v)) < 0)
		return r;
	if ((r = parse_listener(p, o, prefix)) < 0)
		return r;
	format_into(sub, sizeof(sub), "%ssyscalls", prefix);
	if (json_object_object_get_ex(o, "syscalls", &v) && v)
		return parse_rules(p, sub, v);
	p->profile->rules = calloc(1, sizeof(*p->profile->rules));
	return p->profile->rules ? 0 : -ENOMEM;
}

/* Docker's format adds archMap, includes/excludes and the legacy "name" to OCI's. */
static bool looks_like_docker(struct json_object *root)
{
	struct json_object *rules;
	if (json_object_object_get_ex(root, "archMap", NULL))
		return true;
	if (!json_object_object_get_ex(root, "syscalls", &rules) ||
	    !json_object_is_type(rules, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(rules); i++) {
		struct json_object *rule = json_object_array_get_idx(rules, i);
		if (!json_object_is_type(rule, json_type_object))
			continue;
		if (json_object_object_get_ex(rule, "includes", NULL) ||
		    json_object_object_get_ex(rule, "excludes", NULL) ||
		    json_object_object_get_ex(rule, "name", NULL))
			return true;
	}
	return false;
}

/* A whole OCI config.json carries the profile at linux.seccomp. */
static int parse_document(struct parser *p, struct json_object *root,
			  struct json_object **ret_profile)
{
	struct json_object *linux_obj, *seccomp;
	if (!json_object_is_type(root, json_type_object))
		return fail(p, "(top level)", "expected an object, got %s", type_name(root));
	if (json_object_object_get_ex(root, "defaultAction", NULL)) {
		p->profile->format =
			looks_like_docker(root) ? SIGSYS_FORMAT_DOCKER : SIGSYS_FORMAT_OCI;
		*ret_profile = root;
		return parse_top(p, root, "");
	}
	if (json_object_object_get_ex(root, "linux", &linux_obj) &&
	    json_object_object_get_ex(linux_obj, "seccomp", &seccomp)) {
		if (!json_object_is_type(seccomp, json_type_object))
			return fail(p, "linux.seccomp", "expected an object, got %s",
				    type_name(seccomp));
		p->profile->format = SIGSYS_FORMAT_OCI_CONFIG;
		*ret_profile = seccomp; /* the digest is the profile's, not the bundle's */
		return parse_top(p, seccomp, "linux.seccomp.");
	}
	if (json_object_object_get_ex(root, "ociVersion", NULL))
		return fail(p, "linux.seccomp",
			    "missing: this OCI config.json has no seccomp profile");
	return fail(p, "defaultAction",
		    "missing: not a seccomp profile (expected a Docker/OCI profile with "
		    "\"defaultAction\", or an OCI config.json with \"linux.seccomp\")");
}

static int parse_json(struct parser *p, const char *text, size_t len, struct json_object **ret)
{
	if (len > SIGSYS_MAX_PROFILE_BYTES)
		return fail(p, "(file)", "%zu bytes is more than the limit of %u", len,
			    SIGSYS_MAX_PROFILE_BYTES);
	if (len > INT32_MAX || memchr(text, '\0', len))
		return fail(p, "(file)", "not JSON text (contains a NUL byte)");
	struct json_tokener *tok = json_tokener_new_ex(SIGSYS_MAX_JSON_DEPTH);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	struct json_object *root = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t offset = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_continue)
		return fail(p, "(file)", "invalid JSON: unexpected end of input");
	if (jerr != json_tokener_success)
		return fail(p, "(file)", "invalid JSON at byte %zu: %s", offset,
			    json_tokener_error_desc(jerr));
	if (offset < len && text[offset + strspn(text + offset, " \t\r\n")] != '\0') {
		json_object_put(root);
		return fail(p, "(file)", "invalid JSON: trailing data at byte %zu", offset);
	}
	*ret = root;
	return 0;
}

int sigsys_profile_parse(const char *text, size_t len, const char *source,
			 struct sigsys_profile **ret, struct sigsys_error *err)
{
	if (!text || !ret)
		return -EINVAL;
	struct sigsys_profile *prof = calloc(1, sizeof(*prof));
	if (!prof)
		return -ENOMEM;
	struct parser p = {.source = source ? source : "(profile)", .profile = prof, .err = err};
	struct json_object *root = NULL, *profile_obj = NULL;
	int r = parse_json(&p, text, len, &root);
	if (r >= 0)
		r = parse_document(&p, root, &profile_obj);
	if (r >= 0)
		r = canonical_digest(profile_obj, prof->digest);
	if (r >= 0 && (!(prof->source = strdup(p.source)) || !(prof->text = malloc(len + 1))))
		r = -ENOMEM;
	json_object_put(root);
	if (r < 0) {
		if (r == -ENOMEM && err)
			format_into(err->message, sizeof(err->message), "%s: out of memory",
				    p.source);
		sigsys_profile_free(prof);
		return r;
	}
	memcpy(prof->text, text, len);
	prof->text[len] = '\0';
	prof->text_len = len;
	*ret = prof;
	return 0;
}

int sigsys_profile_load(const char *path, struct sigsys_profile **ret, struct sigsys_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = read_file_bounded(path, SIGSYS_MAX_PROFILE_BYTES, &text, &len);
	if (r < 0) {
		if (err)
			format_into(err->message, sizeof(err->message), "%s: %s", path,
				    r == -E2BIG ? "larger than the 4 MiB profile limit"
						: strerror(-r));
		return r;
	}
	return sigsys_profile_parse(text, len, path, ret, err);
}

static void cond_free(struct profile_cond *c)
{
	for (size_t i = 0; i < c->n_arches; i++)
		free(c->arches[i]);
	free(c->arches);
	free(c->min_kernel);
}

void sigsys_profile_free(struct sigsys_profile *prof)
{
	if (!prof)
		return;
	for (size_t i = 0; i < prof->n_rules; i++) {
		struct profile_rule *rule = &prof->rules[i];
		for (size_t j = 0; j < rule->n_names; j++)
			free(rule->names[j]);
		free(rule->names);
		free(rule->args);
		cond_free(&rule->includes);
		cond_free(&rule->excludes);
	}
	free(prof->rules);
	free(prof->arches);
	free(prof->listener_path);
	free(prof->listener_metadata);
	free(prof->source);
	free(prof->text);
	strv_clear(&prof->warnings);
	free(prof);
}

const char *sigsys_profile_digest(const struct sigsys_profile *prof)
{
	return prof->digest;
}

const char *sigsys_profile_source(const struct sigsys_profile *prof)
{
	return prof->source;
}

const char *sigsys_profile_text(const struct sigsys_profile *prof, size_t *ret_len)
{
	if (ret_len)
		*ret_len = prof->text_len;
	return prof->text;
}

enum sigsys_format sigsys_profile_format(const struct sigsys_profile *prof)
{
	return prof->format;
}

size_t sigsys_profile_rule_count(const struct sigsys_profile *prof)
{
	return prof->n_rules;
}

int sigsys_profile_rule(const struct sigsys_profile *prof, size_t i, struct sigsys_rule_info *ret)
{
	if (i >= prof->n_rules)
		return -ENOENT;
	const struct profile_rule *rule = &prof->rules[i];
	*ret = (struct sigsys_rule_info){.index = rule->index,
					 .n_names = rule->n_names,
					 .names = (const char *const *)rule->names,
					 .action = rule->action,
					 .n_conditions = rule->n_args};
	return 0;
}

int sigsys_profile_rule_condition(const struct sigsys_profile *prof, size_t rule, size_t k,
				  struct sigsys_condition *ret)
{
	if (rule >= prof->n_rules || k >= prof->rules[rule].n_args)
		return -ENOENT;
	const struct profile_arg *a = &prof->rules[rule].args[k];
	*ret = (struct sigsys_condition){.index = a->index,
					 .op = compare_name(a->op),
					 .value = a->value,
					 .value_two = a->value_two};
	return 0;
}

size_t sigsys_profile_warning_count(const struct sigsys_profile *prof)
{
	return prof->warnings.n;
}

const char *sigsys_profile_warning(const struct sigsys_profile *prof, size_t i)
{
	return i < prof->warnings.n ? prof->warnings.items[i] : NULL;
}

const char *native_go_arch(void)
{
	switch (seccomp_arch_native()) {
	case SCMP_ARCH_X86_64:
		return "amd64";
	case SCMP_ARCH_AARCH64:
		return "arm64";
	case SCMP_ARCH_X86:
		return "386";
	case SCMP_ARCH_ARM:
		return "arm";
	case SCMP_ARCH_PPC64LE:
		return "ppc64le";
	case SCMP_ARCH_S390X:
		return "s390x";
	case SCMP_ARCH_RISCV64:
		return "riscv64";
	default:
		return "unknown";
	}
}
