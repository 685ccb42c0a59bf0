/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsys suggest TASK_ID: the smallest change to the profile a task was launched with that
 * would have let it run. The evidence is what `sigsys report` weighs: the task's denials the
 * diagnosis does not mark benign, and in log mode the calls enforce mode would have denied.
 * The change, in this order of preference:
 *   - a start-up probe whose callers fall back on ENOSYS (clone3: glibc then uses clone) gets
 *     errnoRet 38 — with --target sigsys only: Mesos ignores errnoRet (FACTS.md);
 *   - a syscall an unconditional deny rule names is taken out of that rule;
 *   - what is still denied gets an ALLOW rule: with the argument values the task used when the
 *     evidence has them and the profile's own rules for that syscall test arguments, by name
 *     otherwise.
 * The new profile is parsed, compiled in the task's mode and capabilities and run on every
 * call of the evidence before it is shown: a suggestion that would not have let the task run
 * is never written. With --target mesos it must also pass the Mesos lint.
 *
 * The launch-time profile text is in sigsysd's store, which its API does not serve: this
 * command reads the store file (--db), as `sigsys report --db` does.
 */
#include "api-client.h"
#include "cli.h"
#include "diagnose.h"
#include "evidence.h"
#include "mesos-lint.h"
#include "profile-cmd.h"

#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/stat.h>

#define PROFILE_DIR_DEFAULT "/opt/mesosphere/etc/dcos/mesos/seccomp"
#define NEEDS_MAX	    256 /* distinct syscalls one suggestion names */
#define ARGSETS_MAX	    16 /* distinct argument values per syscall before allowing it by name */
#define CALLS_MAX	    8  /* (arch, number) pairs per syscall */
#define ENOSYS_ERRNO	    38
#define ARG_NOTHING	    0x5a5a5a5a5a5a5a5aull /* no condition of a real profile names it */
#define COMMENT_MAX	    (STORE_ID_MAX + 512)
#define JSON_FLAGS \
	(JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

struct suggest_opts {
	const char *task_id;
	const char *output;
	const char *db;
	const char *run_dir;
	const char *profile_dir;
	bool mesos;
};

enum fix {
	FIX_ALLOW,
	FIX_ENOSYS,
};

struct call_site {
	uint32_t arch; /* AUDIT_ARCH_* */
	int32_t nr;
};

/* One syscall the task needed and was refused. */
struct need {
	char name[SYSCALL_NAME_MAX];
	const struct ev_event *first; /* into the evidence */
	struct call_site calls[CALLS_MAX];
	size_t n_calls;
	uint64_t count;
	uint32_t got;	  /* what the kernel did, errno included when the profile says */
	uint32_t written; /* what the profile as written does (log mode: what it would do) */
	int rule;	  /* the written rule that decided, -1 the default action */
	bool rule_known;
	bool from_profile; /* a rule of the launch-time profile gives what the kernel did */
	unsigned tested;   /* bit i: a rule of the profile for this syscall tests argument i */
	uint64_t argsets[ARGSETS_MAX][6];
	size_t n_argsets;
	bool by_name; /* allow it whatever the arguments: a call came without them */
	enum fix fix;
	bool removed;	 /* taken out of the rule that denied it */
	bool needs_rule; /* still refused after that: a rule is added */
};

struct harmful_row {
	int64_t id;
	size_t need;
};

struct suggestion {
	const struct suggest_opts *o;
	struct task_evidence ev;
	struct launch_profile lp;
	struct diagnosis d;
	enum sigsys_mode verify_mode; /* the task's mode; log and notify: enforce, as written */
	struct need needs[NEEDS_MAX];
	size_t n_needs;
	struct harmful_row *rows;
	size_t n_rows, cap_rows;
	struct strv changes;	/* "+ syscalls[25] …" lines, in the order made */
	char not_profile[1024]; /* calls the profile allows: something else refused them */
};

static void usage(FILE *f)
{
	fputs("Usage: sigsys suggest TASK_ID [--output FILE] [--target sigsys|mesos] [--db FILE]\n"
	      "                      [--run-dir DIR] [--profile-dir DIR]\n"
	      "\n"
	      "The smallest change to the profile TASK_ID was launched with that would have let\n"
	      "it run, from the calls seccomp refused it (the denials 'sigsys report' does not\n"
	      "mark benign) or, in log mode, the calls enforce mode would have refused:\n"
	      "  - a start-up probe whose callers fall back on ENOSYS (clone3: glibc then uses\n"
	      "    clone) gets \"errnoRet\": 38, which grants nothing (--target sigsys);\n"
	      "  - a syscall named by an unconditional deny rule is taken out of that rule;\n"
	      "  - what is still refused gets an ALLOW rule: for the argument values the task\n"
	      "    used when the evidence has them and the profile tests that syscall's\n"
	      "    arguments, by name otherwise.\n"
	      "New rules carry a comment naming the task. The result is a complete profile in\n"
	      "the format of the original (Docker/moby, OCI linux.seccomp, OCI config.json),\n"
	      "checked before it is shown: compiled in the task's mode and capabilities, every\n"
	      "refused call of the evidence must then be allowed (or get ENOSYS).\n"
	      "\n"
	      "stdout: the change, rule by rule, and the decisions that change (as 'sigsys\n"
	      "profile diff' prints them). The new profile is written only with --output.\n"
	      "\n"
	      "  --output FILE        write the new profile there (replaced atomically, 0644)\n"
	      "  --target sigsys|mesos\n"
	      "                       where the profile will be enforced. sigsys (default):\n"
	      "                       sigsys-apply, crun, runc, Docker honour errnoRet. mesos:\n"
	      "                       the Mesos isolator (DC/OS), which ignores errnoRet, so\n"
	      "                       probes are allowed instead, every new rule carries args,\n"
	      "                       includes and excludes, and the result must pass 'sigsys\n"
	      "                       profile check --target mesos'\n"
	      "  --db FILE            sigsysd's store file (its --db; default " DB_DEFAULT_PATH
	      ").\n"
	      "                       The store holds the profile text recorded at launch, which\n"
	      "                       sigsysd's API does not serve: suggest always reads the\n"
	      "                       file (read-only; the daemon may keep running)\n"
	      "  --run-dir DIR        sigsysd's run dir (its --run-dir): only to tell, when the\n"
	      "                       store file is missing, that a daemon runs there\n"
	      "  --profile-dir DIR    where the profile is now (default " PROFILE_DIR_DEFAULT "):\n"
	      "                       a note when it changed since the launch, since the\n"
	      "                       suggestion edits the text the task was launched with\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "Exit status: 0 a change was suggested, or nothing needs to change (the output\n"
	      "is then not written); 1 failure (no profile recorded, no change found that lets\n"
	      "every call through, refused by Mesos, FILE not written); 2 usage error;\n"
	      "3 unknown task.\n"
	      "\n"
	      "Example: sigsys suggest --db /var/lib/sigsys/sigsys.db --target mesos \\\n"
	      "           --output /opt/mesosphere/etc/dcos/mesos/seccomp/web.json my-app.1f2e3d\n",
	      f);
}

/* ---- options ----------------------------------------------------------------------------- */

/* Returns EXIT_OK with *o filled, -1 when --help was printed, or an exit status. */
static int parse_options(int argc, char **argv, struct suggest_opts *o)
{
	enum { OPT_OUTPUT = 256, OPT_TARGET, OPT_DB, OPT_RUN_DIR, OPT_PROFILE_DIR };
	static const struct option options[] = {
		{"output", required_argument, NULL, OPT_OUTPUT},
		{"target", required_argument, NULL, OPT_TARGET},
		{"db", required_argument, NULL, OPT_DB},
		{"run-dir", required_argument, NULL, OPT_RUN_DIR},
		{"profile-dir", required_argument, NULL, OPT_PROFILE_DIR},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int opt;

	*o = (struct suggest_opts){.profile_dir = PROFILE_DIR_DEFAULT};
	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return -1;
		case OPT_OUTPUT:
			if (!*optarg)
				return cli_usage_error("sigsys suggest",
						       "--output needs a file name");
			o->output = optarg;
			break;
		case OPT_TARGET:
			if (strcmp(optarg, "mesos") != 0 && strcmp(optarg, "sigsys") != 0)
				return cli_usage_error("sigsys suggest",
						       "--target \"%s\": expected sigsys or mesos",
						       optarg);
			o->mesos = strcmp(optarg, "mesos") == 0;
			break;
		case OPT_DB:
			o->db = optarg;
			break;
		case OPT_RUN_DIR:
			o->run_dir = optarg;
			break;
		case OPT_PROFILE_DIR:
			o->profile_dir = optarg;
			break;
		case ':':
			return cli_usage_error("sigsys suggest", "option \"%s\" needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("sigsys suggest", "unknown option \"%s\"",
					       argv[optind - 1]);
		}
	}
	if (argc - optind == 0)
		return cli_usage_error("sigsys suggest", "which task? give its TASK_ID");
	if (argc - optind > 1)
		return cli_usage_error("sigsys suggest", "one TASK_ID at a time (got %d)",
				       argc - optind);
	o->task_id = argv[optind];
	return EXIT_OK;
}

/* ---- the evidence ------------------------------------------------------------------------ */

static struct need *need_of(struct suggestion *sg, const struct ev_event *e)
{
	for (size_t i = 0; i < sg->n_needs; i++)
		if (strcmp(sg->needs[i].name, e->name) == 0)
			return &sg->needs[i];
	if (sg->n_needs == NEEDS_MAX)
		return NULL;
	struct need *n = &sg->needs[sg->n_needs++];
	*n = (struct need){.first = e, .got = e->action, .written = e->action, .rule = -1};
	format_into(n->name, sizeof(n->name), "%s", e->name);
	return n;
}

static void add_call(struct need *n, const struct ev_event *e)
{
	for (size_t i = 0; i < n->n_calls; i++)
		if (n->calls[i].arch == e->arch && n->calls[i].nr == e->nr)
			return;
	if (n->n_calls < CALLS_MAX)
		n->calls[n->n_calls++] = (struct call_site){.arch = e->arch, .nr = e->nr};
}

/* Rows are in id order, so the list of harmful rows is sorted too. */
static int add_row(struct suggestion *sg, int64_t id, size_t need)
{
	if (sg->n_rows == sg->cap_rows) {
		size_t cap = sg->cap_rows ? sg->cap_rows * 2 : 64;
		void *p = reallocarray(sg->rows, cap, sizeof(*sg->rows));
		if (!p)
			return -ENOMEM;
		sg->rows = p;
		sg->cap_rows = cap;
	}
	sg->rows[sg->n_rows++] = (struct harmful_row){.id = id, .need = need};
	return 0;
}

static int add_need(struct suggestion *sg, const struct ev_event *e, bool row)
{
	struct need *n = need_of(sg, e);
	if (!n) {
		cli_error("task \"%s\" was refused more than %d different syscalls: a profile "
			  "that lets it run is not a small change (run it under sigsys-apply "
			  "--mode log and write its profile from what it calls)",
			  sg->o->task_id, NEEDS_MAX);
		return -E2BIG;
	}
	add_call(n, e);
	n->count += e->count;
	n->by_name |= !row; /* a count carries no arguments */
	return row ? add_row(sg, e->id, (size_t)(n - sg->needs)) : 0;
}

/* The refused calls that mattered: denials not marked benign and, in log mode, the logged
 * calls enforce mode would deny. A task seccomp did not fail needs nothing. */
static int collect_needs(struct suggestion *sg)
{
	int r = 0;
	if (sg->d.outcome == OUTCOME_NOT_SECCOMP)
		return 0;
	for (size_t i = 0; i < sg->ev.n_events && r >= 0; i++) {
		const struct ev_event *e = &sg->ev.events[i];
		if (event_action_denies(e->action) && !e->benign)
			r = add_need(sg, e, true);
	}
	for (size_t i = 0; i < sg->ev.n_counts && r >= 0; i++) {
		const struct ev_event *c = &sg->ev.counts[i];
		if (c->action == SECCOMP_RET_LOG && !c->benign)
			r = add_need(sg, c, false);
	}
	return r;
}

static bool rule_names(const struct sigsys_rule_info *rule, const char *name)
{
	for (size_t i = 0; i < rule->n_names; i++)
		if (strcmp(rule->names[i], name) == 0)
			return true;
	return false;
}

/* The argument indexes the profile's own rules for this syscall test. */
static unsigned tested_args(const struct sigsys_profile *p, const char *name)
{
	struct sigsys_rule_info rule;
	struct sigsys_condition c;
	unsigned tested = 0;
	for (size_t i = 0; sigsys_profile_rule(p, i, &rule) == 0; i++) {
		if (!rule_names(&rule, name))
			continue;
		for (size_t k = 0; sigsys_profile_rule_condition(p, i, k, &c) == 0; k++)
			tested |= c.index < 6 ? 1u << c.index : 0;
	}
	return tested;
}

static bool is_enosys_probe(const char *name)
{
	const char *const *probes = sigsys_default_probes();
	for (size_t i = 0; probes[i]; i++)
		if (strcmp(probes[i], name) == 0)
			return true;
	return false;
}

/* Which rule refused it, what the profile writes for it, and how to let it through. */
static void classify(struct suggestion *sg, struct need *n)
{
	struct rule_match m;
	rule_find(&sg->lp, n->first, &m);
	n->from_profile = m.found;
	if (m.found) {
		n->got = m.decision.action;
		n->written = m.written.action;
		n->rule = m.written.rule_index;
		n->rule_known = !m.written.added_by_sigsys;
	}
	n->tested = tested_args(sg->lp.profile, n->name);
	n->by_name |= n->tested == 0;
	/* ENOSYS grants nothing, but kill mode turns every ERRNO into a kill. */
	n->fix = !sg->o->mesos && sg->verify_mode != SIGSYS_MODE_KILL && is_enosys_probe(n->name)
			 ? FIX_ENOSYS
			 : FIX_ALLOW;
}

static void add_argset(struct need *n, const uint64_t args[6])
{
	uint64_t set[6] = {0};
	for (int i = 0; i < 6; i++)
		set[i] = n->tested & (1u << i) ? args[i] : 0;
	for (size_t k = 0; k < n->n_argsets; k++)
		if (memcmp(n->argsets[k], set, sizeof(set)) == 0)
			return;
	if (n->n_argsets == ARGSETS_MAX) {
		n->by_name = true; /* too many values to list */
		return;
	}
	memcpy(n->argsets[n->n_argsets++], set, sizeof(set));
}

struct args_page {
	struct suggestion *sg;
	int64_t last_id;
};

static const struct harmful_row *find_row(const struct suggestion *sg, int64_t id)
{
	size_t lo = 0, hi = sg->n_rows;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sg->rows[mid].id == id)
			return &sg->rows[mid];
		if (sg->rows[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The evidence keeps no arguments: they are read from the harmful rows themselves. */
static int on_row_args(const struct store_event_row *row, void *userdata)
{
	struct args_page *page = userdata;
	const struct harmful_row *h = find_row(page->sg, row->id);
	page->last_id = row->id;
	if (!h)
		return 0;
	struct need *n = &page->sg->needs[h->need];
	if (row->event.has_args)
		add_argset(n, row->event.args);
	else
		n->by_name = true;
	return 0;
}

static int load_args(struct store *s, struct suggestion *sg)
{
	struct args_page page = {.sg = sg};
	struct store_error err = {{0}};
	int r;
	do {
		r = store_task_events(s, sg->o->task_id, page.last_id, STORE_PAGE_MAX, on_row_args,
				      &page, &err);
	} while (r == STORE_PAGE_MAX);
	if (r < 0)
		cli_error("reading the events of task \"%s\": %s", sg->o->task_id, err.message);
	return r < 0 ? r : 0;
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

/* A call no rule of the launch-time profile refuses the way the kernel did, whatever the
 * arguments its conditions test, was refused by something else (a filter the task loaded
 * itself, a launch with other capabilities): no edit of this profile helps it. Such needs
 * are dropped and named. */
static void drop_needs_not_from_profile(struct suggestion *sg)
{
	size_t kept = 0;
	for (size_t i = 0; i < sg->n_needs; i++) {
		if (sg->needs[i].from_profile) {
			sg->needs[kept++] = sg->needs[i];
			continue;
		}
		size_t len = strlen(sg->not_profile);
		format_into(sg->not_profile + len, sizeof(sg->not_profile) - len, "%s%s",
			    len ? ", " : "", sg->needs[i].name);
	}
	sg->n_needs = kept;
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
	       rule.n_conditions == 0 && rule_names(&rule, n->name);
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

struct candidate {
	struct json_object *root;
	char *text;
	struct sigsys_profile *profile;
	struct sigsys_filter *filter;
};

static void candidate_clear(struct candidate *c)
{
	json_object_put(c->root);
	free(c->text);
	sigsys_filter_free(c->filter);
	sigsys_profile_free(c->profile);
}

static int build(struct suggestion *sg, struct candidate *c)
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
static int mesos_accepts(const struct suggestion *sg, const struct candidate *c)
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

/* ---- printing ---------------------------------------------------------------------------- */

static const char *format_name(enum sigsys_format f)
{
	return f == SIGSYS_FORMAT_DOCKER ? "Docker/moby"
	       : f == SIGSYS_FORMAT_OCI	 ? "OCI linux.seccomp"
					 : "OCI config.json";
}

static void print_need(const struct need *n)
{
	char got[48], written[48];
	decision_text(n->got, got, sizeof(got));
	decision_text(n->written, written, sizeof(written));
	printf("  %s (%s, %ju call(s)): got %s", n->name,
	       event_arch_name(n->calls[0].arch, n->calls[0].nr), (uintmax_t)n->count, got);
	if (n->written != n->got)
		printf(", written %s", written);
	if (!n->rule_known)
		printf(", rule unknown");
	else if (n->rule < 0)
		printf(", by the default action");
	else
		printf(", by syscalls[%d]", n->rule);
	if (n->fix == FIX_ENOSYS)
		printf(" -> ENOSYS: a start-up probe whose callers fall back on it, smaller than "
		       "allowing it");
	else if (!n->by_name)
		printf(" -> allowed for the %zu argument value(s) it was refused with",
		       n->n_argsets);
	else if (n->tested)
		printf(" -> allowed by name (the evidence holds no arguments for it: audit "
		       "records carry none)");
	else
		printf(" -> allowed");
	putchar('\n');
}

static void print_header(const struct suggestion *sg)
{
	printf("Task \"%s\" (%s): %s\n", sg->o->task_id, outcome_name(sg->d.outcome), sg->d.reason);
	printf("Profile: %s as launched (%s, %s format), %s mode, target %s.\n", sg->lp.name,
	       sg->ev.task.profile_digest, format_name(sigsys_profile_format(sg->lp.profile)),
	       sigsys_mode_name(sg->lp.mode), sg->o->mesos ? "mesos" : "sigsys");
	if (sg->d.outcome == OUTCOME_UNKNOWN)
		printf("Note: the diagnosis is unknown, so these calls may not be why the task "
		       "failed; the change lets them through all the same.\n");
	if (sg->not_profile[0])
		printf("Note: %s was refused, but no rule of %s as launched refuses it: something "
		       "else "
		       "refused it (a filter the task loaded itself, another launch); left out.\n",
		       sg->not_profile, sg->lp.name);
	if (sg->ev.events_not_kept)
		printf("Note: %ju event(s) beyond the first %d were not read.\n",
		       (uintmax_t)sg->ev.events_not_kept, EVIDENCE_EVENTS_MAX);
}

/* The profile named at launch, as it is in --profile-dir now. */
static void note_disk_change(const struct suggestion *sg)
{
	_cleanup_profile_ struct sigsys_profile *now = NULL;
	struct sigsys_error err = {{0}};
	if (sigsys_profile_load_named(sg->o->profile_dir, sg->lp.name, &now, &err) < 0)
		return;
	if (strcmp(sigsys_profile_digest(now), sg->ev.task.profile_digest) != 0)
		printf("Note: %s/%s has changed since the launch (%s now): this change is to the "
		       "profile the task ran with; compare with 'sigsys profile diff'.\n",
		       sg->o->profile_dir, sg->lp.name, sigsys_profile_digest(now));
}

static int print_diff(const struct suggestion *sg, const struct candidate *c)
{
	_cleanup_out_ struct out *out = NULL;
	char caps[32], label_a[STORE_ID_MAX + 32], label_b[64];
	format_into(caps, sizeof(caps), "%#jx as launched", (uintmax_t)sg->ev.task.caps);
	struct profile_opts po = {.format = OUT_TEXT,
				  .mode = sg->verify_mode,
				  .caps = sg->ev.task.caps,
				  .caps_text = caps};
	format_into(label_a, sizeof(label_a), "%s as launched", sg->lp.name);
	format_into(label_b, sizeof(label_b), "the suggestion");
	printf("\nDecisions that change (every syscall, as 'sigsys profile diff' compares):\n");
	fflush(stdout);
	if (out_new(OUT_TEXT, stdout, &out) < 0)
		return -ENOMEM;
	int status = profile_diff_parsed(&po, label_a, sg->lp.profile, label_b, c->profile, out);
	int r = out_finish(out);
	return status == EXIT_USAGE ? -EINVAL : r;
}

static void print_change(const struct suggestion *sg)
{
	printf("\nRefused calls:\n");
	for (size_t i = 0; i < sg->n_needs; i++)
		print_need(&sg->needs[i]);
	printf("\nChange (- a rule of the profile as launched, + a rule of the new one):\n");
	for (size_t i = 0; i < sg->changes.n; i++)
		printf("  %s\n", sg->changes.items[i]);
}

/* ---- writing ----------------------------------------------------------------------------- */

static int write_all(int fd, const char *text, size_t len)
{
	while (len) {
		ssize_t n = write(fd, text, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Replaced atomically: an agent reading the profile directory never sees half a file. */
static int write_profile(const char *path, const char *text)
{
	_cleanup_free_ char *tmp = NULL;
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return -ENOMEM;
	_cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = fchmod(fd, 0644) < 0 ? -errno : 0;
	if (r >= 0)
		r = write_all(fd, text, strlen(text));
	if (r >= 0)
		r = write_all(fd, "\n", 1);
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	if (r >= 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

static int finish(const struct suggestion *sg, const struct candidate *c)
{
	if (!sg->o->output) {
		printf("\nNothing written: give --output FILE to write the new profile (%s, %s).\n",
		       sigsys_profile_digest(c->profile),
		       format_name(sigsys_profile_format(c->profile)));
		return EXIT_OK;
	}
	int r = write_profile(sg->o->output, c->text);
	if (r < 0) {
		cli_error("--output \"%s\": %s; nothing written", sg->o->output, strerror(-r));
		return EXIT_FAIL;
	}
	printf("\nNew profile written to %s (%s)%s.\n", sg->o->output,
	       sigsys_profile_digest(c->profile),
	       sg->o->mesos ? "; Mesos accepts it ('sigsys profile check --target mesos')" : "");
	return EXIT_OK;
}

/* ---- the command ------------------------------------------------------------------------- */

static int nothing_to_change(const struct suggestion *sg)
{
	printf("Nothing to change: task \"%s\" (%s): %s\n", sg->o->task_id,
	       outcome_name(sg->d.outcome), sg->d.reason);
	if (sg->d.n_benign)
		printf("The %zu denial(s) it survives are benign; allowing them would add "
		       "privileges it does not need.\n",
		       sg->d.n_benign);
	if (sg->o->output)
		printf("%s was not written.\n", sg->o->output);
	return EXIT_OK;
}

static int suggest(struct store *s, struct suggestion *sg)
{
	_cleanup_(candidate_clear) struct candidate c = {0};
	if (collect_needs(sg) < 0)
		return EXIT_FAIL;
	if (sg->n_needs == 0)
		return nothing_to_change(sg);
	for (size_t i = 0; i < sg->n_needs; i++) {
		if (strncmp(sg->needs[i].name, "nr ", 3) == 0) {
			cli_error(
				"task \"%s\" was refused syscall %s, which libseccomp here cannot "
				"name: no profile can list it",
				sg->o->task_id, sg->needs[i].name);
			return EXIT_FAIL;
		}
		classify(sg, &sg->needs[i]);
	}
	if (load_args(s, sg) < 0)
		return EXIT_FAIL;
	drop_needs_not_from_profile(sg);
	if (sg->n_needs == 0) {
		cli_error("task \"%s\" was refused %s, which no rule of %s as launched refuses in "
			  "%s mode: "
			  "another filter (one the task loaded itself) or another launch "
			  "(capabilities, kernel) refused it; no change to this profile helps",
			  sg->o->task_id, sg->not_profile, sg->lp.name,
			  sigsys_mode_name(sg->verify_mode));
		return EXIT_FAIL;
	}
	if (build(sg, &c) < 0)
		return EXIT_FAIL;
	if (sg->o->mesos && mesos_accepts(sg, &c) < 0)
		return EXIT_FAIL;
	print_header(sg);
	note_disk_change(sg);
	print_change(sg);
	if (print_diff(sg, &c) < 0) {
		cli_error("writing the diff failed");
		return EXIT_FAIL;
	}
	printf("Checked: under the new profile in %s mode, every refused call above gets what "
	       "the change gives it.\n",
	       sigsys_mode_name(sg->verify_mode));
	return finish(sg, &c);
}

static int load_task(struct store *s, struct suggestion *sg)
{
	struct store_error err = {{0}};
	int r = evidence_load(s, sg->o->task_id, &sg->ev, &err);
	if (r == -ENOENT) {
		cli_error("no task \"%s\" in this store (task ids are what sigsys-apply --task-id "
			  "or Mesos gave; try 'sigsys events' to see recent ones)",
			  sg->o->task_id);
		return EXIT_UNKNOWN_TASK;
	}
	if (r < 0) {
		cli_error("reading task \"%s\": %s", sg->o->task_id, err.message);
		return EXIT_FAIL;
	}
	if (launch_profile_build(&sg->ev.task, &sg->lp) < 0) {
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	if (!sg->lp.filter) {
		cli_error("no suggestion for task \"%s\": %s", sg->o->task_id, sg->lp.why_none);
		return EXIT_FAIL;
	}
	sg->verify_mode = sg->lp.mode == SIGSYS_MODE_KILL ? SIGSYS_MODE_KILL : SIGSYS_MODE_ENFORCE;
	diagnose(&sg->ev, &sg->lp, &sg->d);
	return EXIT_OK;
}

/* No --db and no store at the default path: say what would work. */
static int no_store(const struct suggest_opts *o)
{
	const char *run_dir = api_run_dir(o->run_dir);
	struct api_response a;
	if (api_get(run_dir, "/v1/health", &a) == 0) {
		api_response_free(&a);
		cli_error("sigsysd answers on %s/api.sock, but its API does not serve the profile "
			  "text a suggestion edits: give its store file with --db FILE (its --db)",
			  run_dir);
	} else {
		cli_error("there is no store at %s and no sigsysd on %s/api.sock: give sigsysd's "
			  "store file with --db FILE",
			  DB_DEFAULT_PATH, run_dir);
	}
	return EXIT_FAIL;
}

int suggest_main(int argc, char **argv)
{
	_cleanup_store_ struct store *s = NULL;
	struct suggest_opts o;
	int r = parse_options(argc, argv, &o);
	if (r != EXIT_OK)
		return r < 0 ? EXIT_OK : r;
	if (!o.db && access(DB_DEFAULT_PATH, F_OK) < 0)
		return no_store(&o);
	if ((r = db_open(o.db, &s)) != EXIT_OK)
		return r;
	struct suggestion *sg = calloc(1, sizeof(*sg));
	if (!sg) {
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	sg->o = &o;
	r = load_task(s, sg);
	if (r == EXIT_OK)
		r = suggest(s, sg);
	if (r == EXIT_OK && fflush(stdout) != 0) {
		cli_error("writing to stdout failed: %m");
		r = EXIT_FAIL;
	}
	launch_profile_clear(&sg->lp);
	evidence_clear(&sg->ev);
	strv_clear(&sg->changes);
	free(sg->rows);
	free(sg);
	return r;
}
