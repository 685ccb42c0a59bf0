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
#include "profile-cmd.h"
#include "suggest.h"

#include <fcntl.h>
#include <getopt.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/stat.h>

#define PROFILE_DIR_DEFAULT "/opt/mesosphere/etc/dcos/mesos/seccomp"

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

/* The argument indexes the profile's own rules for this syscall test. */
static unsigned tested_args(const struct sigsys_profile *p, const char *name)
{
	struct sigsys_rule_info rule;
	struct sigsys_condition c;
	unsigned tested = 0;
	for (size_t i = 0; sigsys_profile_rule(p, i, &rule) == 0; i++) {
		if (!suggest_rule_names(&rule, name))
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

static int print_diff(const struct suggestion *sg, const struct suggest_candidate *c)
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

static int finish(const struct suggestion *sg, const struct suggest_candidate *c)
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
	_cleanup_(suggest_candidate_clear) struct suggest_candidate c = {0};
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
	if (suggest_build(sg, &c) < 0)
		return EXIT_FAIL;
	if (sg->o->mesos && suggest_mesos_check(sg, &c) < 0)
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
