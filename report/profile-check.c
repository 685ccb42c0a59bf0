/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsys profile check: parse and compile each file as sigsys-apply would (mode enforce), and
 * list what was skipped and why; with --target mesos, what the Mesos isolator would refuse
 * or silently ignore.
 */
#include "cli.h"
#include "mesos-lint.h"
#include "profile-cmd.h"

#include <string.h>

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

/* "chroot, pivot_root": at most four names, then "...". */
static void rule_names_text(const struct sigsys_profile *profile, size_t i, char *buf, size_t size)
{
	struct sigsys_rule_info rule;
	size_t used = 0;
	buf[0] = '\0';
	if (sigsys_profile_rule(profile, i, &rule) < 0)
		return;
	for (size_t k = 0; k < rule.n_names && k < 4 && used < size; k++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", k ? ", " : "",
					 rule.names[k]);
	if (rule.n_names > 4 && used < size)
		snprintf(buf + used, size - used, ", ...");
}

/* A rule for another architecture is the profile working as meant; every other reason
 * (capabilities, kernel version) is one the user controls or should know about. */
static bool worth_listing(const char *reason)
{
	return reason && strncmp(reason, "includes.arches", 15) != 0 &&
	       strncmp(reason, "excludes.arches", 15) != 0;
}

static int list_skipped_rules(const char *path, struct check_result *c)
{
	char names[128];
	for (size_t i = 0; i < sigsys_profile_rule_count(c->profile); i++) {
		const char *reason = sigsys_filter_rule_skipped(c->filter, i);
		if (!worth_listing(reason))
			continue;
		rule_names_text(c->profile, i, names, sizeof(names));
		int r = strv_pushf(&c->skipped, "%s: syscalls[%zu] (%s): %s", path, i, names,
				   reason);
		if (r < 0)
			return r;
	}
	return 0;
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
	int r = c->filter ? list_skipped_rules(path, c) : 0;
	if (r < 0)
		return r;
	return c->profile && o->target_mesos ? mesos_lint(c->profile, path, &c->mesos) : 0;
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
