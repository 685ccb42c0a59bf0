/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsys profile check: parse and compile each file as sigsys-apply would (mode enforce), and
 * list what was skipped and why; with --target mesos, what the Mesos isolator would refuse
 * or silently ignore.
 */
#include "cli.h"
#include "mesos-lint.h"
#include "profile-cmd.h"
#include "profile-doc.h"

#include <string.h>
#include <sys/utsname.h>

static const char *format_name(enum sigsys_format format)
{
	switch (format) {
	case SIGSYS_FORMAT_DOCKER:
		return "docker";
	case SIGSYS_FORMAT_OCI:
		return "oci";
	case SIGSYS_FORMAT_OCI_CONFIG:
		return "oci-config";
	default:
		return "unknown";
	}
}

static void out_strv(struct out *out, const char *key, const char *fmt, const struct strv *v)
{
	out_array_begin(out, key);
	for (size_t i = 0; i < v->n; i++)
		out_string(out, NULL, fmt, v->items[i]);
	out_array_end(out);
}

struct check_result {
	struct sigsys_profile *profile;
	struct sigsys_filter *filter;
	struct sigsys_error err;
	int r;
	struct strv warnings;
	struct strv skipped;
	struct mesos_lint mesos;
};

static void check_result_clear(struct check_result *c)
{
	sigsys_profile_free(c->profile);
	sigsys_filter_free(c->filter);
	strv_clear(&c->warnings);
	strv_clear(&c->skipped);
	mesos_lint_clear(&c->mesos);
}

/* Capabilities named in includes/excludes `key` of a rule: held ones or missing ones. */
static void cond_caps_text(struct json_object *rule, const char *key, uint64_t caps, bool held,
			   char *buf, size_t size)
{
	struct json_object *cond, *list;
	size_t used = 0;
	buf[0] = '\0';
	if (!json_object_object_get_ex(rule, key, &cond) ||
	    !json_object_object_get_ex(cond, "caps", &list) ||
	    !json_object_is_type(list, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(list) && used < size; i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(list, i));
		uint64_t bit = 0;
		if (!name || sigsys_caps_parse(name, &bit, NULL) < 0)
			bit = 0; /* unknown: never held */
		if (held != ((bit & caps) != 0))
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "", name);
	}
}

static const char *min_kernel(struct json_object *rule)
{
	struct json_object *cond, *v;
	if (!json_object_object_get_ex(rule, "includes", &cond) ||
	    !json_object_object_get_ex(cond, "minKernel", &v))
		return NULL;
	return json_object_get_string(v);
}

/* Why a rule the user might expect is not compiled: capabilities and kernel version (rules
 * for other architectures are the profile working as meant, and not listed). */
static int note_skipped_rule(const char *source, size_t i, struct json_object *rule,
			     const struct profile_opts *o, const char *release, struct strv *out)
{
	char names[128], needs[256], held[256];
	const char *kernel = min_kernel(rule);
	doc_rule_names_text(rule, names, sizeof(names));
	cond_caps_text(rule, "includes", o->caps, false, needs, sizeof(needs));
	cond_caps_text(rule, "excludes", o->caps, true, held, sizeof(held));
	if (needs[0])
		return strv_pushf(out,
				  "%s: syscalls[%zu] (%s): not included: needs %s, not in --caps "
				  "(%s)",
				  source, i, names, needs, o->caps_text);
	if (held[0])
		return strv_pushf(out, "%s: syscalls[%zu] (%s): excluded: %s is in --caps (%s)",
				  source, i, names, held, o->caps_text);
	if (kernel && kernel_version_compare(release, kernel) < 0)
		return strv_pushf(out,
				  "%s: syscalls[%zu] (%s): not included: needs kernel %s (this is "
				  "%s)",
				  source, i, names, kernel, release);
	return 0;
}

static int check_document(const char *path, const struct profile_opts *o, struct check_result *c)
{
	struct profile_doc doc;
	struct utsname uts;
	int r = profile_doc_open(c->profile, &doc);
	if (r < 0)
		return r;
	uname(&uts);
	for (size_t i = 0; r >= 0 && i < profile_doc_rule_count(&doc); i++) {
		struct json_object *rule = profile_doc_rule(&doc, i);
		if (rule && doc_rule_for_this_arch(rule))
			r = note_skipped_rule(path, i, rule, o, uts.release, &c->skipped);
	}
	if (r >= 0 && o->target_mesos)
		r = mesos_lint(&doc, path, &c->mesos);
	profile_doc_close(&doc);
	return r;
}

static int check_file(const char *path, const struct profile_opts *o, struct check_result *c)
{
	struct profile_opts enforce = *o;
	enforce.mode = SIGSYS_MODE_ENFORCE;
	c->r = profile_load_compiled(path, &enforce, &c->profile, &c->filter, &c->err);
	if (!c->profile) /* a --strict failure still comes with the parser's warnings */
		sigsys_profile_load(path, &c->profile, NULL);
	for (size_t i = 0; c->profile && i < sigsys_profile_warning_count(c->profile); i++)
		if (strv_push(&c->warnings, strdup(sigsys_profile_warning(c->profile, i))) < 0)
			return -ENOMEM;
	for (size_t i = 0; c->filter && i < sigsys_filter_warning_count(c->filter); i++)
		if (strv_push(&c->warnings, strdup(sigsys_filter_warning(c->filter, i))) < 0)
			return -ENOMEM;
	return c->profile ? check_document(path, o, c) : 0;
}

static bool check_valid(const struct check_result *c)
{
	return c->r >= 0 && c->mesos.refused.n == 0;
}

static void out_check_summary(struct out *out, const char *path, const struct check_result *c,
			      const struct profile_opts *o)
{
	out_string(out, "file", "%s: ", path);
	out_bool(out, "valid", NULL, check_valid(c));
	if (c->r < 0) {
		out_text(out, "invalid\n");
		out_string(out, "error", "  error: %s\n", c->err.message);
		return;
	}
	out_null(out, "error", NULL);
	out_text(out, "valid for sigsys");
	out_string(out, "format", " (%s format", format_name(sigsys_profile_format(c->profile)));
	out_uint(out, "rules", ", %ju rules", sigsys_profile_rule_count(c->profile));
	out_uint(out, "instructions", ", %ju BPF instructions)",
		 sigsys_filter_program(c->filter, NULL));
	out_string(out, "digest", NULL, sigsys_profile_digest(c->profile));
	if (o->target_mesos)
		out_text(out, "; %s",
			 c->mesos.refused.n ? "REFUSED by Mesos" : "accepted by Mesos");
	out_text(out, "\n");
}

static void out_check_file(struct out *out, const char *path, const struct check_result *c,
			   const struct profile_opts *o)
{
	out_object_begin(out, NULL);
	out_check_summary(out, path, c, o);
	out_strv(out, "warnings", "  warning: %s\n", &c->warnings);
	out_strv(out, "skipped", "  skipped: %s\n", &c->skipped);
	if (o->target_mesos && c->r >= 0) {
		out_object_begin(out, "mesos");
		out_bool(out, "accepted", NULL, c->mesos.refused.n == 0);
		out_strv(out, "refused", "  mesos refuses: %s\n", &c->mesos.refused);
		out_strv(out, "ignored", "  mesos ignores: %s\n", &c->mesos.ignored);
		out_object_end(out);
	}
	out_object_end(out);
}

int profile_check(const struct profile_opts *o, struct out *out)
{
	bool all_valid = true;
	out_object_begin(out, NULL);
	out_string(out, "target", NULL, o->target_mesos ? "mesos" : "sigsys");
	out_string(out, "caps", NULL, o->caps_text);
	out_array_begin(out, "files");
	for (int i = 0; i < o->n_operands; i++) {
		struct check_result c = {0};
		int r = check_file(o->operands[i], o, &c);
		if (r < 0) {
			check_result_clear(&c);
			cli_error("%s: %s", o->operands[i], strerror(-r));
			return EXIT_FAIL;
		}
		out_check_file(out, o->operands[i], &c, o);
		all_valid = all_valid && check_valid(&c);
		check_result_clear(&c);
	}
	out_array_end(out);
	out_bool(out, "valid", NULL, all_valid);
	out_object_end(out);
	return all_valid ? EXIT_OK : EXIT_FAIL;
}
