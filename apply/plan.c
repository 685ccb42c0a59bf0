/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "plan.h"
#include "names.h"

#include <linux/seccomp.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/utsname.h>

/* Start-up feature probes of libc and runtimes that survive a denial and fall back only on
 * ENOSYS (or carry on without the feature). Kill mode answers them ENOSYS, not SIGSYS. */
static const char *const default_probes[] = {
	"rseq",		     /* glibc 2.35+ registers it in every thread */
	"clone3",	     /* glibc 2.34+ pthread_create, posix_spawn; falls back to clone */
	"close_range",	     /* glibc closefrom, Python subprocess */
	"faccessat2",	     /* glibc faccessat with flags */
	"fchmodat2",	     /* glibc 2.39+ fchmodat with AT_SYMLINK_NOFOLLOW */
	"openat2",	     /* runtimes and systemd, falling back to openat */
	"statx",	     /* coreutils, glibc on 32-bit */
	"pidfd_open",	     /* Python, systemd */
	"pidfd_send_signal", /* Python, systemd */
	"pidfd_getfd",	     /* runtimes */
	"copy_file_range",   /* cp, Python shutil, falling back to read/write */
	"io_uring_setup",    /* runtimes, falling back to epoll */
	"landlock_create_ruleset", /* sandboxing libraries probe the ABI */
	"epoll_pwait2",		   /* event loops */
	"futex_waitv",		   /* wine, game runtimes */
	"memfd_secret",		   /* probed by crypto libraries */
	NULL,
};

const char *const *sigsys_default_probes(void)
{
	return default_probes;
}

void sigsys_options_init(struct sigsys_options *options)
{
	*options = (struct sigsys_options){.mode = SIGSYS_MODE_ENFORCE};
}

static bool is_probe(const struct sigsys_options *o, const char *name)
{
	const char *const *probes = o->probes ? o->probes : default_probes;
	if (o->mode != SIGSYS_MODE_KILL)
		return false;
	for (size_t i = 0; probes[i]; i++)
		if (strcmp(probes[i], name) == 0)
			return true;
	return false;
}

/* What an action of the profile becomes in a mode. */
static uint32_t mode_action(enum sigsys_mode mode, uint32_t action, bool probe)
{
	uint32_t kind = action_kind(action);
	if (!action_denies(action))
		return action;
	switch (mode) {
	case SIGSYS_MODE_LOG:
		return SCMP_ACT_LOG;
	case SIGSYS_MODE_KILL:
		if (kind == SCMP_ACT_NOTIFY)
			return action;
		if (kind == SCMP_ACT_KILL_PROCESS || kind == SCMP_ACT_KILL_THREAD)
			return SCMP_ACT_KILL_PROCESS;
		return probe ? SCMP_ACT_ERRNO(ENOSYS) : SCMP_ACT_KILL_PROCESS;
	case SIGSYS_MODE_NOTIFY:
		return kind == SCMP_ACT_ERRNO(0) || kind == SCMP_ACT_TRAP ? SCMP_ACT_NOTIFY
									  : action;
	case SIGSYS_MODE_ENFORCE:
	default:
		return action;
	}
}

static bool arch_listed(const struct profile_cond *c)
{
	const char *native = native_go_arch();
	for (size_t i = 0; i < c->n_arches; i++)
		if (strcmp(c->arches[i], native) == 0)
			return true;
	return false;
}

/* The names of capabilities in `caps`, for messages. */
static void caps_text(uint64_t caps, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int cap = 0; cap < 64 && len < size; cap++)
		if ((caps & (UINT64_C(1) << cap)) && capability_name(cap))
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "," : "",
						capability_name(cap));
}

/* moby's rules: excludes drop the rule if any cap is held, the arch matches or the kernel
 * is at least minKernel; includes need every cap, the arch and at least minKernel. False,
 * with the reason in `why`, when the rule does not apply. */
static bool rule_applies(const struct profile_rule *rule, uint64_t caps, const char *release,
			 char *why, size_t size)
{
	const struct profile_cond *ex = &rule->excludes, *in = &rule->includes;
	char names[512];
	/* Arches first: a rule for another arch never applies, whatever the caps. */
	if (ex->present && arch_listed(ex)) {
		format_into(why, size, "excludes.arches lists %s", native_go_arch());
		return false;
	}
	if (in->present && in->n_arches && !arch_listed(in)) {
		format_into(why, size, "includes.arches does not list %s", native_go_arch());
		return false;
	}
	if (ex->present && (ex->caps & caps)) {
		caps_text(ex->caps & caps, names, sizeof(names));
		format_into(why, size, "excludes.caps: %s is held", names);
		return false;
	}
	if (ex->present && ex->min_kernel && kernel_version_compare(release, ex->min_kernel) >= 0) {
		format_into(why, size, "excludes.minKernel: kernel %s is at least %s", release,
			    ex->min_kernel);
		return false;
	}
	if (!in->present)
		return true;
	if (in->unknown_cap || (in->caps & ~caps)) {
		caps_text(in->caps & ~caps, names, sizeof(names));
		format_into(why, size, "includes.caps: needs %s%s%s", names,
			    in->unknown_cap && names[0] ? " and " : "",
			    in->unknown_cap ? "a capability unknown to sigsys" : "");
		return false;
	}
	if (in->min_kernel && kernel_version_compare(release, in->min_kernel) < 0) {
		format_into(why, size, "includes.minKernel: needs kernel %s (this is %s)",
			    in->min_kernel, release);
		return false;
	}
	return true;
}

static int plan_push(struct plan *plan, const struct plan_rule *rule)
{
	char *name = strdup(rule->name);
	if (!name)
		return -ENOMEM;
	if (plan->n_rules == plan->cap_rules) {
		size_t cap = plan->cap_rules ? plan->cap_rules * 2 : 64;
		struct plan_rule *rules = realloc(plan->rules, cap * sizeof(*rules));
		if (!rules) {
			free(name);
			return -ENOMEM;
		}
		plan->rules = rules;
		plan->cap_rules = cap;
	}
	plan->rules[plan->n_rules] = *rule;
	plan->rules[plan->n_rules++].name = name;
	return 0;
}

static bool index_repeats(const struct profile_rule *rule)
{
	unsigned seen = 0;
	for (size_t i = 0; i < rule->n_args; i++) {
		if (seen & (1u << rule->args[i].index))
			return true;
		seen |= 1u << rule->args[i].index;
	}
	return false;
}

/* crun and runc: conditions of one rule are ANDed, unless an index repeats; then every
 * condition becomes a rule of its own (OR). */
static int plan_add_syscall(struct plan *plan, const struct profile_rule *rule, const char *name,
			    int nr, uint32_t action)
{
	struct plan_rule pr = {
		.origin = (int)rule->index, .name = name, .nr = nr, .action = action};
	if (!index_repeats(rule)) {
		pr.n_args = (unsigned)rule->n_args;
		if (rule->n_args)
			memcpy(pr.args, rule->args, rule->n_args * sizeof(*rule->args));
		return plan_push(plan, &pr);
	}
	for (size_t i = 0; i < rule->n_args; i++) {
		pr.n_args = 1;
		pr.args[0] = rule->args[i];
		int r = plan_push(plan, &pr);
		if (r < 0)
			return r;
	}
	return 0;
}

static int plan_add_rule(struct plan *plan, const struct sigsys_profile *profile,
			 const struct profile_rule *rule, const struct sigsys_options *o,
			 struct sigsys_error *err)
{
	for (size_t j = 0; j < rule->n_names; j++) {
		const char *name = rule->names[j];
		int nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR) {
			if (o->flags & SIGSYS_OPT_STRICT) {
				format_into(
					err->message, sizeof(err->message),
					"%s: syscalls[%u].names[%zu]: syscall \"%s\" is unknown "
					"to libseccomp %u.%u.%u (--strict)",
					profile->source, rule->index, j, name,
					seccomp_version()->major, seccomp_version()->minor,
					seccomp_version()->micro);
				return -ENOENT;
			}
			strv_pushf(&plan->warnings,
				   "%s: syscalls[%u].names[%zu]: unknown syscall \"%s\" skipped "
				   "(libseccomp %u.%u.%u does not know it; it gets the default "
				   "action)",
				   profile->source, rule->index, j, name, seccomp_version()->major,
				   seccomp_version()->minor, seccomp_version()->micro);
			continue;
		}
		uint32_t action = mode_action(o->mode, rule->action, is_probe(o, name));
		if (action == plan->default_action)
			continue; /* libseccomp refuses rules equal to the default */
		int r = plan_add_syscall(plan, rule, name, nr, action);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool plan_names(const struct plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->n_rules; i++)
		if (strcmp(plan->rules[i].name, name) == 0)
			return true;
	return false;
}

/* Probes that fall to a default which kill mode turns into a kill get ENOSYS instead. */
static int plan_add_probes(struct plan *plan, const struct sigsys_profile *profile,
			   const struct sigsys_options *o)
{
	const char *const *probes = o->probes ? o->probes : default_probes;
	uint32_t probe_default = mode_action(o->mode, profile->default_action, true);
	if (o->mode != SIGSYS_MODE_KILL || probe_default == plan->default_action)
		return 0;
	for (size_t i = 0; probes[i]; i++) {
		int nr = seccomp_syscall_resolve_name(probes[i]);
		if (nr == __NR_SCMP_ERROR || plan_names(plan, probes[i]))
			continue;
		struct plan_rule pr = {
			.origin = -1, .name = probes[i], .nr = nr, .action = probe_default};
		int r = plan_push(plan, &pr);
		if (r < 0)
			return r;
	}
	return 0;
}

static void plan_arches(struct plan *plan, const struct sigsys_profile *profile)
{
	plan->arches[plan->n_arches++] = seccomp_arch_native();
	for (size_t i = 0; i < profile->n_arches && plan->n_arches < PLAN_MAX_ARCHES; i++)
		if (profile->arches[i] != seccomp_arch_native())
			plan->arches[plan->n_arches++] = profile->arches[i];
}

/* A NOTIFY action the profile itself has (enforce and kill keep it): its listener goes to
 * sigsysd as in notify mode, or every such call would get ENOSYS. */
static bool plan_notifies(const struct plan *plan)
{
	if (plan->default_action == SCMP_ACT_NOTIFY)
		return true;
	for (size_t i = 0; i < plan->n_rules; i++)
		if (plan->rules[i].action == SCMP_ACT_NOTIFY)
			return true;
	return false;
}

int plan_build(const struct sigsys_profile *profile, const struct sigsys_options *o,
	       struct plan *plan, struct sigsys_error *err)
{
	struct utsname uts;
	const char *release = o->kernel_release;
	if (!release) {
		uname(&uts);
		release = uts.release;
	}
	*plan = (struct plan){.mode = o->mode, .enosys_newer = o->flags & SIGSYS_OPT_ENOSYS_NEWER};
	plan->default_action = mode_action(o->mode, profile->default_action, false);
	/* Calls from an architecture the filter does not list are killed, as libseccomp and
	 * crun do; log mode lets them through, logged. */
	plan->badarch_action = o->mode == SIGSYS_MODE_LOG    ? SCMP_ACT_LOG
			       : o->mode == SIGSYS_MODE_KILL ? SCMP_ACT_KILL_PROCESS
							     : SCMP_ACT_KILL_THREAD;
	plan_arches(plan, profile);
	plan->load_flags =
		SECCOMP_FILTER_FLAG_LOG | (profile->filter_flags & SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	/* Notify mode: sigsysd records every notified call with its arguments; an audit
	 * record of each would only be a second, poorer copy (kills are audited anyway). */
	if (o->mode == SIGSYS_MODE_NOTIFY)
		plan->load_flags = (plan->load_flags & ~(unsigned)SECCOMP_FILTER_FLAG_LOG) |
				   SECCOMP_FILTER_FLAG_NEW_LISTENER;

	for (size_t i = 0; i < profile->n_rules; i++) {
		const struct profile_rule *rule = &profile->rules[i];
		char why[640];
		bool applies = rule_applies(rule, o->caps, release, why, sizeof(why));
		int r = applies ? strv_push_nullable(&plan->skipped, NULL)
				: strv_push(&plan->skipped, strdup(why));
		if (r >= 0 && applies)
			r = plan_add_rule(plan, profile, rule, o, err);
		if (r < 0) {
			plan_clear(plan);
			return r;
		}
	}
	int r = plan_add_probes(plan, profile, o);
	if (r < 0)
		plan_clear(plan);
	else if (plan_notifies(plan))
		plan->load_flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	return r;
}

void plan_clear(struct plan *plan)
{
	for (size_t i = 0; i < plan->n_rules; i++)
		free((char *)plan->rules[i].name);
	free(plan->rules);
	strv_clear(&plan->skipped);
	strv_clear(&plan->warnings);
	*plan = (struct plan){0};
}

static void hash_u64(EVP_MD_CTX *ctx, uint64_t v)
{
	EVP_DigestUpdate(ctx, &v, sizeof(v));
}

static void hash_str(EVP_MD_CTX *ctx, const char *s)
{
	EVP_DigestUpdate(ctx, s, strlen(s) + 1);
}

int plan_cache_key(const struct plan *plan, char out[65])
{
	struct utsname uts;
	const struct scmp_version *v = seccomp_version();
	unsigned char md[32];
	unsigned md_len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	uname(&uts);
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	hash_str(ctx, "sigsys-filter-v1");
	hash_str(ctx, SIGSYS_VERSION);
	hash_str(ctx, uts.release);
	hash_str(ctx, uts.machine);
	hash_u64(ctx, ((uint64_t)v->major << 32) | (v->minor << 16) | v->micro);
	hash_u64(ctx, plan->default_action);
	hash_u64(ctx, plan->badarch_action);
	hash_u64(ctx, plan->load_flags);
	hash_u64(ctx, plan->enosys_newer);
	for (size_t i = 0; i < plan->n_arches; i++)
		hash_u64(ctx, plan->arches[i]);
	for (size_t i = 0; i < plan->n_rules; i++) {
		const struct plan_rule *r = &plan->rules[i];
		hash_str(ctx, r->name);
		hash_u64(ctx, (uint64_t)(int64_t)r->nr);
		hash_u64(ctx, r->action);
		hash_u64(ctx, r->n_args);
		for (unsigned a = 0; a < r->n_args; a++) {
			hash_u64(ctx, r->args[a].index);
			hash_u64(ctx, r->args[a].op);
			hash_u64(ctx, r->args[a].value);
			hash_u64(ctx, r->args[a].value_two);
		}
	}
	EVP_DigestFinal_ex(ctx, md, &md_len);
	EVP_MD_CTX_free(ctx);
	for (size_t i = 0; i < sizeof(md); i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}
