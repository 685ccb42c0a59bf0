/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsys profile diff A B: which syscalls change decision. Both profiles are compiled and
 * every syscall libseccomp knows on each architecture is run through both programs
 * (sigsys_explain), at all-zero arguments and, for syscalls with argument conditions in
 * either profile, at the values those conditions test and their neighbours.
 */
#include "cli.h"
#include "profile-cmd.h"

#include <seccomp.h>
#include <string.h>

#define MAX_SYSCALL_NR	1024 /* above every x86/x86_64/x32 number libseccomp knows */
#define MAX_ARCHES	8
#define MAX_VALUES	48   /* candidate values per argument index */
#define MAX_VECTORS	4096 /* argument combinations per syscall */
#define X32_SYSCALL_BIT 0x40000000

struct side {
	const char *path; /* or the label the caller gave */
	struct sigsys_profile *profile;
	bool borrowed; /* the caller's profile: not freed here */
	struct sigsys_filter *filter;
	uint32_t arches[32];
	size_t n_arches;
};

/* Candidate values for each argument index; n == 0: no condition tests that index. */
struct arg_values {
	uint64_t v[6][MAX_VALUES];
	size_t n[6];
};

struct diff_state {
	struct out *out;
	struct side a, b;
	size_t differences;
	size_t compared;
};

static void side_clear(struct side *s)
{
	sigsys_filter_free(s->filter);
	if (!s->borrowed)
		sigsys_profile_free(s->profile);
}

static void side_arches(struct side *s)
{
	s->n_arches = sigsys_filter_arches(s->filter, s->arches, ARRAY_SIZE(s->arches));
	if (s->n_arches > ARRAY_SIZE(s->arches))
		s->n_arches = ARRAY_SIZE(s->arches);
}

static int side_open(struct side *s, const char *path, const struct profile_opts *o)
{
	struct sigsys_error err;
	s->path = path;
	if (profile_load_compiled(path, o, &s->profile, &s->filter, &err) < 0) {
		cli_error("%s", err.message);
		return -EINVAL;
	}
	side_arches(s);
	return 0;
}

/* A profile the caller parsed, compiled with the options. */
static int side_borrow(struct side *s, const char *label, const struct sigsys_profile *profile,
		       const struct profile_opts *o)
{
	struct sigsys_options options;
	struct sigsys_error err;
	*s = (struct side){
		.path = label, .profile = (struct sigsys_profile *)profile, .borrowed = true};
	sigsys_options_init(&options);
	options.mode = o->mode;
	options.caps = o->caps;
	options.flags = (o->strict ? SIGSYS_OPT_STRICT : 0) |
			(o->enosys_newer ? SIGSYS_OPT_ENOSYS_NEWER : 0);
	if (sigsys_compile(profile, &options, &s->filter, &err) < 0) {
		cli_error("%s: %s", label, err.message);
		return -EINVAL;
	}
	side_arches(s);
	return 0;
}

static bool side_lists(const struct side *s, uint32_t arch)
{
	for (size_t i = 0; i < s->n_arches; i++)
		if (s->arches[i] == arch)
			return true;
	return false;
}

/* The architectures whose syscalls we can enumerate, native first. */
static size_t diff_arches(uint32_t *ret)
{
	static const uint32_t known[] = {SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32,
					 SCMP_ARCH_AARCH64, SCMP_ARCH_ARM};
	size_t n = 0;
	ret[n++] = seccomp_arch_native();
	for (size_t i = 0; i < ARRAY_SIZE(known) && n < MAX_ARCHES; i++)
		if (known[i] != seccomp_arch_native())
			ret[n++] = known[i];
	return n;
}

/* ---- argument values --------------------------------------------------------------------- */

static void value_add(struct arg_values *av, unsigned index, uint64_t v)
{
	for (size_t i = 0; i < av->n[index]; i++)
		if (av->v[index][i] == v)
			return;
	if (av->n[index] < MAX_VALUES)
		av->v[index][av->n[index]++] = v;
}

/* The values a condition tests, and their neighbours: the decision flips among them. */
static void condition_values(struct arg_values *av, const struct sigsys_condition *c)
{
	if (av->n[c->index] == 0)
		value_add(av, c->index, 0);
	value_add(av, c->index, c->value);
	value_add(av, c->index, c->value - 1);
	value_add(av, c->index, c->value + 1);
	if (strcmp(c->op, "SCMP_CMP_MASKED_EQ") == 0) {
		/* value is the mask, valueTwo the datum: the match, each masked bit flipped (a
		 * single clone flag), and every unmasked bit set */
		value_add(av, c->index, c->value_two);
		for (uint64_t m = c->value; m; m &= m - 1)
			value_add(av, c->index, c->value_two ^ (m & -m));
		value_add(av, c->index, c->value_two | ~c->value);
	}
}

static int compare_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

/* Smallest first: the first difference found is then the simplest to read. */
static void sort_values(struct arg_values *av)
{
	for (int i = 0; i < 6; i++)
		qsort(av->v[i], av->n[i], sizeof(av->v[i][0]), compare_u64);
}

static bool rule_has_name(const struct sigsys_rule_info *rule, const char *name)
{
	for (size_t i = 0; i < rule->n_names; i++)
		if (strcmp(rule->names[i], name) == 0)
			return true;
	return false;
}

static void collect_values(const struct sigsys_profile *profile, const char *name,
			   struct arg_values *av)
{
	struct sigsys_rule_info rule;
	struct sigsys_condition cond;
	for (size_t i = 0; sigsys_profile_rule(profile, i, &rule) == 0; i++) {
		if (!rule_has_name(&rule, name))
			continue;
		for (size_t k = 0; sigsys_profile_rule_condition(profile, i, k, &cond) == 0; k++)
			condition_values(av, &cond);
	}
}

static size_t product_size(const struct arg_values *av)
{
	size_t total = 1;
	for (int i = 0; i < 6; i++)
		if (av->n[i] && (total *= av->n[i]) > MAX_VECTORS)
			return MAX_VECTORS + 1;
	return total;
}

/* Vector number `k`: the full product when small enough, else one index varied at a time. */
static bool vector_at(const struct arg_values *av, size_t k, uint64_t args[6])
{
	size_t total = product_size(av);
	memset(args, 0, 6 * sizeof(*args));
	if (total <= MAX_VECTORS) {
		if (k >= total)
			return false;
		for (int i = 0; i < 6; i++)
			if (av->n[i]) {
				args[i] = av->v[i][k % av->n[i]];
				k /= av->n[i];
			}
		return true;
	}
	for (int i = 0; i < 6; i++) {
		if (k < av->n[i]) {
			args[i] = av->v[i][k];
			return true;
		}
		k -= av->n[i];
	}
	return false;
}

/* ---- comparing --------------------------------------------------------------------------- */

struct verdict {
	uint32_t a, b;	  /* the first differing decisions */
	uint64_t args[6]; /* at these arguments */
	unsigned tested;  /* bit i: argument i has conditions */
	size_t n_differ, n_tested;
};

static int explain_nr(const struct side *s, int nr, uint32_t arch, const uint64_t args[6],
		      uint32_t *ret_action)
{
	struct sigsys_error err;
	struct sigsys_decision d;
	char text[16];
	format_into(text, sizeof(text), "%d", nr);
	int r = sigsys_explain(s->filter, text, arch, args, &d, &err);
	if (r < 0) {
		cli_error("%s: %s", s->path, err.message);
		return r;
	}
	*ret_action = d.action;
	return 0;
}

static int compare_syscall(struct diff_state *st, const char *name, int nr, uint32_t arch,
			   struct verdict *v)
{
	struct arg_values av = {0};
	uint64_t args[6];
	collect_values(st->a.profile, name, &av);
	collect_values(st->b.profile, name, &av);
	sort_values(&av);
	*v = (struct verdict){0};
	for (unsigned i = 0; i < 6; i++)
		v->tested |= av.n[i] ? 1u << i : 0;
	for (size_t k = 0; vector_at(&av, k, args); k++) {
		uint32_t a, b;
		int r = explain_nr(&st->a, nr, arch, args, &a);
		if (r < 0 || (r = explain_nr(&st->b, nr, arch, args, &b)) < 0)
			return r;
		v->n_tested++;
		if (a == b)
			continue;
		if (v->n_differ++ == 0) {
			v->a = a;
			v->b = b;
			memcpy(v->args, args, sizeof(args));
		}
	}
	return 0;
}

/* The arguments, when the decision depends on them: those the profiles test. */
static void out_args(struct out *out, const struct verdict *v)
{
	bool first = true;
	if (v->n_differ == v->n_tested) {
		out_null(out, "args", NULL);
		return;
	}
	out_text(out, "(");
	out_array_begin(out, "args");
	for (int i = 0; i < 6; i++) {
		bool shown = v->tested & (1u << i);
		if (shown)
			out_text(out, "%sa%d=", first ? "" : ", ", i);
		out_uint(out, NULL, shown ? "%#jx" : NULL, v->args[i]);
		first = first && !shown;
	}
	out_array_end(out);
	out_text(out, ")");
}

static void out_difference(struct diff_state *st, const char *name, int nr, uint32_t arch,
			   const struct verdict *v)
{
	struct out *out = st->out;
	out_object_begin(out, NULL);
	out_string(out, "syscall", "%s", name);
	out_args(out, v);
	out_string(out, "arch", " on %s", arch_name(arch));
	out_int(out, "nr", " (nr %jd): ", nr);
	out_decision(out, "a", "%s", v->a);
	out_decision(out, "b", " -> %s", v->b);
	if (v->n_differ < v->n_tested)
		out_uint(out, "argument_values_differing",
			 " (%ju of the argument values tried differ)", v->n_differ);
	out_text(out, "\n");
	out_object_end(out);
	st->differences++;
}

static int compare_arch(struct diff_state *st, uint32_t arch)
{
	int base = arch == SCMP_ARCH_X32 ? X32_SYSCALL_BIT : 0;
	for (int nr = base; nr < base + MAX_SYSCALL_NR; nr++) {
		_cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(arch, nr);
		struct verdict v;
		if (!name)
			continue;
		int r = compare_syscall(st, name, nr, arch, &v);
		if (r < 0)
			return r;
		st->compared++;
		if (v.n_differ)
			out_difference(st, name, nr, arch, &v);
	}
	return 0;
}

/* An architecture one profile handles and the other refuses as a whole. */
static int arch_difference(struct diff_state *st, uint32_t arch)
{
	const struct side *listing = side_lists(&st->a, arch) ? &st->a : &st->b;
	const struct side *other = listing == &st->a ? &st->b : &st->a;
	uint32_t refused;
	int r = explain_nr(other, arch == SCMP_ARCH_X32 ? X32_SYSCALL_BIT : 0, arch, NULL,
			   &refused);
	if (r < 0)
		return r;
	out_object_begin(st->out, NULL);
	out_null(st->out, "syscall", NULL);
	out_string(st->out, "arch", "every syscall on %s: ", arch_name(arch));
	out_string(st->out, "listed_by", NULL, listing == &st->a ? "a" : "b");
	out_text(st->out, "%s decides by its rules, %s does not list %s and refuses every call (",
		 listing == &st->a ? "A" : "B", listing == &st->a ? "B" : "A", arch_name(arch));
	out_decision(st->out, "unlisted", "%s", refused);
	out_text(st->out, ")\n");
	out_object_end(st->out);
	st->differences++;
	return 0;
}

static int compare_all(struct diff_state *st)
{
	uint32_t arches[MAX_ARCHES];
	size_t n = diff_arches(arches);
	out_array_begin(st->out, "arches");
	for (size_t i = 0; i < n; i++)
		if (side_lists(&st->a, arches[i]) && side_lists(&st->b, arches[i]))
			out_string(st->out, NULL, NULL, arch_name(arches[i]));
	out_array_end(st->out);
	out_array_begin(st->out, "differences");
	for (size_t i = 0; i < n; i++) {
		bool in_a = side_lists(&st->a, arches[i]), in_b = side_lists(&st->b, arches[i]);
		int r = in_a && in_b   ? compare_arch(st, arches[i])
			: in_a || in_b ? arch_difference(st, arches[i])
				       : 0;
		if (r < 0)
			return r;
	}
	out_array_end(st->out);
	return 0;
}

static void out_side(struct out *out, const char *key, const char *label, const struct side *s)
{
	out_object_begin(out, key);
	out_text(out, "%s: ", label);
	out_string(out, "file", "%s", s->path);
	out_string(out, "digest", " (%s)\n", sigsys_profile_digest(s->profile));
	out_object_end(out);
}

/* Both sides open: the comparison and its summary. */
static int diff_sides(struct diff_state *st, const struct profile_opts *o)
{
	struct out *out = st->out;
	out_object_begin(out, NULL);
	out_side(out, "a", "A", &st->a);
	out_side(out, "b", "B", &st->b);
	out_string(out, "mode", NULL, sigsys_mode_name(o->mode));
	out_string(out, "caps", NULL, o->caps_text);
	if (compare_all(st) < 0)
		return EXIT_USAGE;
	out_uint(out, "compared", NULL, st->compared);
	out_bool(out, "equal", NULL, st->differences == 0);
	if (st->differences)
		out_uint(out, NULL, "%ju decisions differ", st->differences);
	else
		out_text(out, "decisions are equal");
	out_uint(out, NULL, " (%ju syscalls compared", st->compared);
	out_string(out, NULL, ", mode %s", sigsys_mode_name(o->mode));
	out_string(out, NULL, ", caps %s)\n", o->caps_text);
	out_object_end(out);
	return st->differences ? EXIT_FAIL : EXIT_OK;
}

int profile_diff(const struct profile_opts *o, struct out *out)
{
	struct diff_state st = {.out = out};
	int status = EXIT_USAGE; /* as diff(1): 2 when the comparison could not be made */
	if (side_open(&st.a, o->operands[0], o) == 0 && side_open(&st.b, o->operands[1], o) == 0)
		status = diff_sides(&st, o);
	side_clear(&st.a);
	side_clear(&st.b);
	return status;
}

int profile_diff_parsed(const struct profile_opts *o, const char *label_a,
			const struct sigsys_profile *a, const char *label_b,
			const struct sigsys_profile *b, struct out *out)
{
	struct diff_state st = {.out = out};
	int status = EXIT_USAGE;
	if (side_borrow(&st.a, label_a, a, o) == 0 && side_borrow(&st.b, label_b, b, o) == 0)
		status = diff_sides(&st, o);
	side_clear(&st.a);
	side_clear(&st.b);
	return status;
}
