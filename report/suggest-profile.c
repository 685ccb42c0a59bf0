/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The profile edit of `sigsys suggest`, on the JSON text recorded at launch (json-c keeps its
 * key order and the original's format): names taken out of unconditional deny rules, then an
 * ENOSYS rule for start-up probes, an ALLOW rule by name, ALLOW rules for recorded argument
 * values. The result is parsed and compiled as sigsys-apply would, in the task's mode and
 * capabilities, and every refused call of the evidence is run through it.
 */
#include "cli.h"
#include "mesos-lint.h"
#include "profile-cmd.h"
#include "suggest.h"

#include <json-c/json.h>
#include <linux/seccomp.h>
#include <string.h>

#define ARG_NOTHING 0x5a5a5a5a5a5a5a5aull /* no condition of a real profile names it */
#define COMMENT_MAX (STORE_ID_MAX + 512)
#define JSON_FLAGS \
	(JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

bool suggest_rule_names(const struct sigsys_rule_info *rule, const char *name)
{
	for (size_t i = 0; i < rule->n_names; i++)
		if (strcmp(rule->names[i], name) == 0)
			return true;
	return false;
}

/* ---- checking a candidate ---------------------------------------------------------------- */

static uint32_t expected_action(const struct need *n)
{
	return n->fix == FIX_ENOSYS ? SECCOMP_RET_ERRNO | ENOSYS_ERRNO : SECCOMP_RET_ALLOW;
}

static int decide(const struct sigsys_filter *f, const struct call_site *c, const uint64_t args[6],
		  uint32_t *ret)
{
	struct sigsys_decision d;
	struct sigsys_error err = {{0}};
	char nr[16];
	format_into(nr, sizeof(nr), "%d", c->nr);
	int r = sigsys_explain(f, nr, event_scmp_arch(c->arch, c->nr), args, &d, &err);
	if (r < 0) {
		cli_error("explaining %s: %s", nr, err.message);
		return r;
	}
	*ret = d.action;
	return 0;
}

/* Whether every call of the evidence gets what the need asks; *ret_got: the first that does
 * not. Calls without arguments are tried with all zero and with values no condition of a
 * real profile names (so a conditional rule that allows zero cannot pass for the change). */
static int need_met(const struct sigsys_filter *f, const struct need *n, bool *ret_met,
		    uint32_t *ret_got)
{
	static const uint64_t unknown[2][6] = {
		{0},
		{ARG_NOTHING, ARG_NOTHING, ARG_NOTHING, ARG_NOTHING, ARG_NOTHING, ARG_NOTHING}};
	*ret_met = true;
	for (size_t c = 0; c < n->n_calls; c++) {
		for (size_t k = 0; k < n->n_argsets + 2 * n->by_name; k++) {
			const uint64_t *args =
				k < n->n_argsets ? n->argsets[k] : unknown[k - n->n_argsets];
			int r = decide(f, &n->calls[c], args, ret_got);
			if (r < 0)
				return r;
			if (*ret_got != expected_action(n)) {
				*ret_met = false;
				return 0;
			}
		}
	}
	return 0;
}

/* The filter is freed before its profile. */
static int compile_candidate(const struct suggestion *sg, const char *text, const char *label,
			     struct sigsys_profile **ret_profile, struct sigsys_filter **ret_filter)
{
	_cleanup_profile_ struct sigsys_profile *p = NULL;
	struct sigsys_options o;
	struct sigsys_error err = {{0}};
	int r = sigsys_profile_parse(text, strlen(text), label, &p, &err);
	if (r >= 0) {
		sigsys_options_init(&o);
		o.mode = sg->verify_mode;
		o.caps = sg->ev.task.caps;
		r = sigsys_compile(p, &o, ret_filter, &err);
	}
	if (r < 0) {
		cli_error("the changed profile does not compile: %s", err.message);
		return r;
	}
	*ret_profile = TAKE_PTR(p);
	return 0;
}

/* ---- the JSON document ------------------------------------------------------------------- */

static struct json_object *parse_json(const char *text)
{
	struct json_tokener *tok = json_tokener_new_ex(SIGSYS_MAX_JSON_DEPTH);
	if (!tok)
		return NULL;
	struct json_object *root = json_tokener_parse_ex(tok, text, (int)strlen(text));
	json_tokener_free(tok);
	return root;
}

/* The object holding defaultAction and syscalls: the root, or linux.seccomp of a config. */
static struct json_object *seccomp_object(struct json_object *root, enum sigsys_format format)
{
	struct json_object *linux_obj = NULL, *seccomp = NULL;
	if (format != SIGSYS_FORMAT_OCI_CONFIG)
		return root;
	json_object_object_get_ex(root, "linux", &linux_obj);
	json_object_object_get_ex(linux_obj, "seccomp", &seccomp);
	return seccomp;
}

static struct json_object *syscalls_array(struct json_object *profile)
{
	struct json_object *rules = NULL;
	if (json_object_object_get_ex(profile, "syscalls", &rules) &&
	    json_object_is_type(rules, json_type_array))
		return rules;
	rules = json_object_new_array();
	if (rules && json_object_object_add(profile, "syscalls", rules) < 0) {
		json_object_put(rules);
		return NULL;
	}
	return rules;
}

static const char *text_of(struct json_object *root)
{
	return json_object_to_json_string_ext(root, JSON_FLAGS);
}

/* Take the name out of rule; returns whether the rule is left naming nothing. */
static bool remove_from_rule(struct json_object *rule, const char *name)
{
	struct json_object *names = NULL;
	if (!json_object_object_get_ex(rule, "names", &names) ||
	    !json_object_is_type(names, json_type_array))
		return true; /* a legacy single "name": the rule goes */
	for (size_t k = json_object_array_length(names); k-- > 0;) {
		const char *s = json_object_get_string(json_object_array_get_idx(names, k));
		if (s && strcmp(s, name) == 0)
			json_object_array_del_idx(names, k, 1);
	}
	return json_object_array_length(names) == 0;
}

/* An unconditional rule of the profile that denies the syscall outright. */
static bool removable(const struct suggestion *sg, const struct need *n)
{
	struct sigsys_rule_info rule;
	if (!n->rule_known || n->rule < 0 || !event_action_denies(n->written))
		return false;
	return sigsys_profile_rule(sg->lp.profile, (size_t)n->rule, &rule) == 0 &&
	       rule.n_conditions == 0 && suggest_rule_names(&rule, n->name);
}

/* Every removal first, then the emptied rules, from the last so indexes hold. */
static int remove_names(struct suggestion *sg, struct json_object *rules)
{
	size_t n_rules = json_object_array_length(rules);
	_cleanup_free_ bool *drop = calloc(n_rules ? n_rules : 1, sizeof(*drop));
	if (!drop)
		return -ENOMEM;
	for (size_t i = 0; i < sg->n_needs; i++) {
		struct need *n = &sg->needs[i];
		if (!removable(sg, n) || (size_t)n->rule >= n_rules)
			continue;
		if (drop[n->rule]) { /* gone with the rule already */
			n->removed = true;
			continue;
		}
		drop[n->rule] =
			remove_from_rule(json_object_array_get_idx(rules, n->rule), n->name);
		n->removed = true;
		int r = drop[n->rule]
				? strv_pushf(&sg->changes,
					     "- syscalls[%d]: removed, it named only %s (%s)",
					     n->rule, n->name, sigsys_action_name(n->written))
				: strv_pushf(&sg->changes,
					     "- syscalls[%d]: %s taken out of this %s rule",
					     n->rule, n->name, sigsys_action_name(n->written));
		if (r < 0)
			return -ENOMEM;
	}
	for (size_t i = n_rules; i-- > 0;)
		if (drop[i])
			json_object_array_del_idx(rules, i, 1);
	return 0;
}

static int add_string(struct json_object *array, const char *s)
{
	struct json_object *v = json_object_new_string(s);
	if (!v || json_object_array_add(array, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static int add_member(struct json_object *o, const char *key, struct json_object *v)
{
	if (!v || json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

/* args: {"index", "value", "valueTwo", "op"} for every argument the profile tests. */
static struct json_object *args_json(const struct need *n, const uint64_t *args)
{
	struct json_object *list = json_object_new_array();
	for (unsigned i = 0; list && args && i < 6; i++) {
		if (!(n->tested & (1u << i)))
			continue;
		struct json_object *c = json_object_new_object();
		if (add_member(c, "index", json_object_new_int(i)) < 0 ||
		    add_member(c, "value", json_object_new_uint64(args[i])) < 0 ||
		    add_member(c, "valueTwo", json_object_new_int(0)) < 0 ||
		    add_member(c, "op", json_object_new_string("SCMP_CMP_EQ")) < 0 ||
		    json_object_array_add(list, c) < 0) {
			json_object_put(c);
			json_object_put(list);
			return NULL;
		}
	}
	return list;
}

/* A rule in the original's format: Docker carries args, comment, includes and excludes
 * (Mesos requires the three), an OCI profile only what the runtime spec defines. */
static struct json_object *rule_json(const struct suggestion *sg, struct json_object *names,
				     enum fix fix, struct json_object *args, const char *comment)
{
	bool docker = sigsys_profile_format(sg->lp.profile) == SIGSYS_FORMAT_DOCKER;
	struct json_object *rule = args ? json_object_new_object() : NULL;
	if (!rule) {
		json_object_put(names);
		json_object_put(args);
		return NULL;
	}
	int r = add_member(rule, "names", names);
	if (r >= 0)
		r = add_member(rule, "action",
			       json_object_new_string(fix == FIX_ENOSYS ? "SCMP_ACT_ERRNO"
									: "SCMP_ACT_ALLOW"));
	if (r >= 0 && fix == FIX_ENOSYS)
		r = add_member(rule, "errnoRet", json_object_new_int(ENOSYS_ERRNO));
	if (r >= 0 && (docker || json_object_array_length(args) > 0))
		r = add_member(rule, "args", json_object_get(args));
	if (r >= 0 && docker)
		r = add_member(rule, "comment", json_object_new_string(comment));
	if (r >= 0 && docker)
		r = add_member(rule, "includes", json_object_new_object());
	if (r >= 0 && docker)
		r = add_member(rule, "excludes", json_object_new_object());
	json_object_put(args);
	if (r < 0) {
		json_object_put(rule);
		return NULL;
	}
	return rule;
}

/* " if a0 == 0x5 && a1 == 0x0": the conditions of an argument rule, as printed. */
static void args_text(const struct need *n, const uint64_t *args, char *buf, size_t size)
{
	buf[0] = '\0';
	for (unsigned i = 0; i < 6; i++) {
		size_t len = strlen(buf);
		if (n->tested & (1u << i))
			format_into(buf + len, size - len, "%sa%u == %#jx", len ? " && " : " if ",
				    i, (uintmax_t)args[i]);
	}
}

static int append_rule(struct suggestion *sg, struct json_object *rules, struct json_object *rule,
		       const char *names, const char *what)
{
	if (!rule || json_object_array_add(rules, rule) < 0) {
		json_object_put(rule);
		return -ENOMEM;
	}
	return strv_pushf(&sg->changes, "+ syscalls[%zu]: %s %s",
			  json_object_array_length(rules) - 1, what, names);
}

static bool wants(const struct need *n, enum fix fix, bool by_name)
{
	return n->needs_rule && n->fix == fix && (n->fix == FIX_ENOSYS || n->by_name == by_name);
}

/* One rule for every syscall of this fix allowed whatever its arguments. */
static int add_named_rule(struct suggestion *sg, struct json_object *rules, enum fix fix)
{
	char comment[COMMENT_MAX], list[1024] = "";
	struct json_object *names = json_object_new_array();
	for (size_t i = 0; names && i < sg->n_needs; i++) {
		if (!wants(&sg->needs[i], fix, true))
			continue;
		size_t len = strlen(list);
		format_into(list + len, sizeof(list) - len, "%s%s", len ? ", " : "",
			    sg->needs[i].name);
		if (add_string(names, sg->needs[i].name) < 0) {
			json_object_put(names);
			return -ENOMEM;
		}
	}
	if (!names || json_object_array_length(names) == 0) {
		json_object_put(names);
		return names ? 0 : -ENOMEM;
	}
	if (fix == FIX_ENOSYS)
		format_into(comment, sizeof(comment),
			    "sigsys suggest, task \"%s\" (%s): %s answered ENOSYS, not denied: "
			    "callers fall back (glibc: clone3 -> clone)",
			    sg->o->task_id, outcome_name(sg->d.outcome), list);
	else
		format_into(
			comment, sizeof(comment),
			"sigsys suggest, task \"%s\" (%s): allow %s, which the profile refused it",
			sg->o->task_id, outcome_name(sg->d.outcome), list);
	return append_rule(
		sg, rules, rule_json(sg, names, fix, json_object_new_array(), comment), list,
		fix == FIX_ENOSYS ? "SCMP_ACT_ERRNO errnoRet 38 (ENOSYS)" : "SCMP_ACT_ALLOW");
}

/* One rule per argument values the task was refused with. */
static int add_arg_rules(struct suggestion *sg, struct json_object *rules, struct need *n)
{
	char comment[COMMENT_MAX], cond[256], what[320];
	for (size_t k = 0; k < n->n_argsets; k++) {
		struct json_object *names = json_object_new_array();
		if (!names || add_string(names, n->name) < 0) {
			json_object_put(names);
			return -ENOMEM;
		}
		args_text(n, n->argsets[k], cond, sizeof(cond));
		format_into(comment, sizeof(comment),
			    "sigsys suggest, task \"%s\" (%s): allow %s%s, the call it was refused",
			    sg->o->task_id, outcome_name(sg->d.outcome), n->name, cond);
		format_into(what, sizeof(what), "%s%s", n->name, cond);
		int r = append_rule(
			sg, rules,
			rule_json(sg, names, FIX_ALLOW, args_json(n, n->argsets[k]), comment), what,
			"SCMP_ACT_ALLOW");
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_rules(struct suggestion *sg, struct json_object *rules)
{
	int r = add_named_rule(sg, rules, FIX_ENOSYS);
	if (r >= 0)
		r = add_named_rule(sg, rules, FIX_ALLOW);
	for (size_t i = 0; i < sg->n_needs && r >= 0; i++)
		if (wants(&sg->needs[i], FIX_ALLOW, false))
			r = add_arg_rules(sg, rules, &sg->needs[i]);
	return r;
}

/* ---- building and checking the suggestion ----------------------------------------------- */

/* After the removals, which syscalls still need a rule. */
static int mark_still_refused(struct suggestion *sg, struct json_object *root)
{
	_cleanup_profile_ struct sigsys_profile *p = NULL;
	_cleanup_filter_ struct sigsys_filter *f = NULL;
	bool any_removed = false;
	for (size_t i = 0; i < sg->n_needs; i++) {
		sg->needs[i].needs_rule = true;
		any_removed |= sg->needs[i].removed;
	}
	if (!any_removed)
		return 0;
	const char *text = text_of(root);
	if (!text)
		return -ENOMEM;
	int r = compile_candidate(sg, text, sg->lp.name, &p, &f);
	for (size_t i = 0; i < sg->n_needs && r >= 0; i++) {
		struct need *n = &sg->needs[i];
		bool met = false;
		uint32_t got;
		if (n->removed && (r = need_met(f, n, &met, &got)) >= 0)
			n->needs_rule = !met;
	}
	return r;
}

/* Every call of the evidence, under the new profile in the task's mode. */
static int verify(struct suggestion *sg, const struct sigsys_filter *f)
{
	char got_text[48], want_text[48];
	for (size_t i = 0; i < sg->n_needs; i++) {
		const struct need *n = &sg->needs[i];
		bool met;
		uint32_t got;
		int r = need_met(f, n, &met, &got);
		if (r < 0)
			return r;
		if (met)
			continue;
		decision_text(got, got_text, sizeof(got_text));
		decision_text(expected_action(n), want_text, sizeof(want_text));
		cli_error("no suggestion: with the changed profile, %s still gets %s, not %s (a "
			  "conditional rule of the profile refuses it; edit that rule by hand, and "
			  "check with 'sigsys profile explain')",
			  n->name, got_text, want_text);
		return -EINVAL;
	}
	return 0;
}

void suggest_candidate_clear(struct suggest_candidate *c)
{
	json_object_put(c->root);
	free(c->text);
	sigsys_filter_free(c->filter);
	sigsys_profile_free(c->profile);
}

int suggest_build(struct suggestion *sg, struct suggest_candidate *c)
{
	const char *text = sg->ev.task.profile_text;
	c->root = parse_json(text);
	struct json_object *profile =
		c->root ? seccomp_object(c->root, sigsys_profile_format(sg->lp.profile)) : NULL;
	struct json_object *rules = profile ? syscalls_array(profile) : NULL;
	if (!rules) {
		cli_error("the recorded profile text of task \"%s\" cannot be edited (out of "
			  "memory, or it has no profile object)",
			  sg->o->task_id);
		return -EINVAL;
	}
	int r = remove_names(sg, rules);
	if (r >= 0)
		r = mark_still_refused(sg, c->root);
	if (r >= 0)
		r = add_rules(sg, rules);
	if (r >= 0 && !(c->text = strdup(text_of(c->root) ?: "")))
		r = -ENOMEM;
	if (r == -ENOMEM)
		cli_error("out of memory");
	if (r >= 0)
		r = compile_candidate(sg, c->text, sg->lp.name, &c->profile, &c->filter);
	if (r >= 0)
		r = verify(sg, c->filter);
	return r;
}

/* --target mesos: what the isolator refuses fails the profile on every agent. */
int suggest_mesos_check(const struct suggestion *sg, const struct suggest_candidate *c)
{
	struct mesos_lint lint = {0}, original = {0};
	int r = mesos_lint(c->profile, "the new profile", &lint);
	if (r >= 0)
		r = mesos_lint(sg->lp.profile, sg->lp.name, &original);
	if (r < 0) {
		cli_error("out of memory");
	} else if (lint.refused.n) {
		cli_error("the Mesos isolator would refuse the new profile:");
		for (size_t i = 0; i < lint.refused.n; i++)
			fprintf(stderr, "  %s\n", lint.refused.items[i]);
		if (original.refused.n)
			fprintf(stderr,
				"The profile task \"%s\" was launched with (%s) is refused by "
				"Mesos "
				"too, for %zu reason(s): fix those first ('sigsys profile check "
				"--target mesos').\n",
				sg->o->task_id, sg->lp.name, original.refused.n);
		r = -EINVAL;
	}
	mesos_lint_clear(&lint);
	mesos_lint_clear(&original);
	return r;
}
