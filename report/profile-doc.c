/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "profile-doc.h"
#include "../common/util.h"

#include <ctype.h>
#include <string.h>

static const struct {
	const char *name;
	enum scmp_compare op;
} compares[] = {
	{"SCMP_CMP_NE", SCMP_CMP_NE},
	{"SCMP_CMP_LT", SCMP_CMP_LT},
	{"SCMP_CMP_LE", SCMP_CMP_LE},
	{"SCMP_CMP_EQ", SCMP_CMP_EQ},
	{"SCMP_CMP_GE", SCMP_CMP_GE},
	{"SCMP_CMP_GT", SCMP_CMP_GT},
	{"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

int profile_doc_open(const struct sigsys_profile *profile, struct profile_doc *doc)
{
	size_t len;
	const char *text = sigsys_profile_text(profile, &len);
	struct json_object *linux_obj;

	*doc = (struct profile_doc){.prefix = ""};
	struct json_tokener *tok = json_tokener_new_ex(SIGSYS_MAX_JSON_DEPTH);
	if (!tok)
		return -ENOMEM;
	doc->root = json_tokener_parse_ex(tok, text, (int)len);
	json_tokener_free(tok);
	if (!json_object_is_type(doc->root, json_type_object)) {
		profile_doc_close(doc);
		return -EINVAL; /* the library parsed it: only memory can fail here */
	}
	doc->seccomp = doc->root;
	if (!json_object_object_get_ex(doc->root, "defaultAction", NULL) &&
	    json_object_object_get_ex(doc->root, "linux", &linux_obj) &&
	    json_object_object_get_ex(linux_obj, "seccomp", &doc->seccomp))
		doc->prefix = "linux.seccomp.";
	if (!json_object_object_get_ex(doc->seccomp, "syscalls", &doc->rules) ||
	    !json_object_is_type(doc->rules, json_type_array))
		doc->rules = NULL;
	return 0;
}

void profile_doc_close(struct profile_doc *doc)
{
	json_object_put(doc->root);
	*doc = (struct profile_doc){0};
}

size_t profile_doc_rule_count(const struct profile_doc *doc)
{
	return doc->rules ? json_object_array_length(doc->rules) : 0;
}

struct json_object *profile_doc_rule(const struct profile_doc *doc, size_t index)
{
	if (index >= profile_doc_rule_count(doc))
		return NULL;
	struct json_object *rule = json_object_array_get_idx(doc->rules, index);
	return json_object_is_type(rule, json_type_object) ? rule : NULL;
}

size_t doc_rule_name_count(struct json_object *rule)
{
	struct json_object *v;
	if (json_object_object_get_ex(rule, "name", &v))
		return json_object_is_type(v, json_type_string) ? 1 : 0;
	if (!json_object_object_get_ex(rule, "names", &v) ||
	    !json_object_is_type(v, json_type_array))
		return 0;
	return json_object_array_length(v);
}

const char *doc_rule_name(struct json_object *rule, size_t i)
{
	struct json_object *v;
	if (json_object_object_get_ex(rule, "name", &v))
		return i == 0 ? json_object_get_string(v) : NULL;
	if (!json_object_object_get_ex(rule, "names", &v) ||
	    !json_object_is_type(v, json_type_array))
		return NULL;
	struct json_object *s = json_object_array_get_idx(v, i);
	return json_object_is_type(s, json_type_string) ? json_object_get_string(s) : NULL;
}

bool doc_rule_names_has(struct json_object *rule, const char *name)
{
	for (size_t i = 0; i < doc_rule_name_count(rule); i++) {
		const char *s = doc_rule_name(rule, i);
		if (s && strcmp(s, name) == 0)
			return true;
	}
	return false;
}

void doc_rule_names_text(struct json_object *rule, char *buf, size_t size)
{
	size_t n = doc_rule_name_count(rule), used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && i < 4 && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
					 doc_rule_name(rule, i) ?: "?");
	if (n > 4 && used < size)
		snprintf(buf + used, size - used, ", ...");
}

static bool get_u64(struct json_object *obj, const char *key, uint64_t *ret)
{
	struct json_object *v;
	*ret = 0;
	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_int))
		return false;
	*ret = json_object_get_uint64(v);
	return true;
}

static bool compare_from_name(const char *name, enum scmp_compare *ret)
{
	for (size_t i = 0; i < ARRAY_SIZE(compares); i++)
		if (strcmp(name, compares[i].name) == 0) {
			*ret = compares[i].op;
			return true;
		}
	return false;
}

size_t doc_rule_args(struct json_object *rule, struct doc_arg *ret_args, size_t max)
{
	struct json_object *args, *op;
	size_t n = 0;
	if (!json_object_object_get_ex(rule, "args", &args) ||
	    !json_object_is_type(args, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(args) && n < max; i++) {
		struct json_object *a = json_object_array_get_idx(args, i);
		struct doc_arg *d = &ret_args[n];
		uint64_t index;
		if (!get_u64(a, "index", &index) || index > 5 || !get_u64(a, "value", &d->value) ||
		    !json_object_object_get_ex(a, "op", &op) ||
		    !compare_from_name(json_object_get_string(op), &d->op))
			continue;
		get_u64(a, "valueTwo", &d->value_two);
		d->index = (unsigned)index;
		n++;
	}
	return n;
}

/* "SCMP_ARCH_X86_64" → SCMP_ARCH_X86_64; 0 when unknown. */
static uint32_t arch_token(const char *name)
{
	char lower[32];
	if (!name || strncmp(name, "SCMP_ARCH_", 10) != 0 || strlen(name + 10) >= sizeof(lower))
		return 0;
	for (size_t i = 0; i <= strlen(name + 10); i++)
		lower[i] = (char)tolower((unsigned char)name[10 + i]);
	return seccomp_arch_resolve_name(lower);
}

static void arch_add(uint32_t token, uint32_t *arches, size_t *n, size_t max)
{
	if (!token)
		return;
	for (size_t i = 0; i < *n; i++)
		if (arches[i] == token)
			return;
	if (*n < max)
		arches[(*n)++] = token;
}

static void arch_add_list(struct json_object *list, uint32_t *arches, size_t *n, size_t max)
{
	if (!json_object_is_type(list, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(list); i++)
		arch_add(arch_token(json_object_get_string(json_object_array_get_idx(list, i))),
			 arches, n, max);
}

size_t profile_doc_arches(const struct profile_doc *doc, uint32_t *arches, size_t max)
{
	struct json_object *list, *map;
	uint32_t native = seccomp_arch_native();
	size_t n = 0;

	arch_add(native, arches, &n, max);
	if (json_object_object_get_ex(doc->seccomp, "architectures", &list))
		arch_add_list(list, arches, &n, max);
	if (!json_object_object_get_ex(doc->seccomp, "archMap", &map) ||
	    !json_object_is_type(map, json_type_array))
		return n;
	/* moby keeps the entry of the native architecture and its sub-architectures */
	for (size_t i = 0; i < json_object_array_length(map); i++) {
		struct json_object *e = json_object_array_get_idx(map, i), *v;
		if (json_object_object_get_ex(e, "architecture", &v) &&
		    arch_token(json_object_get_string(v)) == native &&
		    json_object_object_get_ex(e, "subArchitectures", &v))
			arch_add_list(v, arches, &n, max);
	}
	return n;
}

static bool cond_lists_native(struct json_object *rule, const char *key, bool *ret_present)
{
	struct json_object *cond, *arches;
	*ret_present = false;
	if (!json_object_object_get_ex(rule, key, &cond) ||
	    !json_object_object_get_ex(cond, "arches", &arches) ||
	    !json_object_is_type(arches, json_type_array) || json_object_array_length(arches) == 0)
		return false;
	*ret_present = true;
	for (size_t i = 0; i < json_object_array_length(arches); i++) {
		const char *a = json_object_get_string(json_object_array_get_idx(arches, i));
		if (a && strcmp(a, doc_native_go_arch()) == 0)
			return true;
	}
	return false;
}

bool doc_rule_for_this_arch(struct json_object *rule)
{
	bool present;
	if (cond_lists_native(rule, "excludes", &present))
		return false;
	return cond_lists_native(rule, "includes", &present) || !present;
}

const char *doc_native_go_arch(void)
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

const char *doc_arch_name(uint32_t arch)
{
	switch (arch) {
	case SCMP_ARCH_X86_64:
		return "x86_64";
	case SCMP_ARCH_X86:
		return "x86";
	case SCMP_ARCH_X32:
		return "x32";
	case SCMP_ARCH_AARCH64:
		return "aarch64";
	case SCMP_ARCH_ARM:
		return "arm";
	default:
		return "other";
	}
}
