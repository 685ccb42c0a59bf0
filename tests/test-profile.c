/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsing: every format in the wild, bad input refused with the file and JSON path, the
 * canonical digest, profile names that try to leave their directory, Marathon's rules. */
#include "test-helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>

struct bad_case {
	const char *text;
	const char *message; /* must appear in the error */
};

static const struct bad_case bad_cases[] = {
	{"", "unexpected end of input"},
	{"{", "unexpected end of input"},
	{"[1,2]", "(top level): expected an object, got array"},
	{"{\"defaultAction\":\"SCMP_ACT_ALLOW\"} x", "invalid JSON at byte 35"},
	{"{\"defaultAction\":\"SCMP_ACT_ALLOW\",}", "invalid JSON"},
	{"{\"syscalls\":[]}", "defaultAction: missing: not a seccomp profile"},
	{"{\"ociVersion\":\"1.0.2\",\"linux\":{}}", "linux.seccomp: missing"},
	{"{\"defaultAction\":\"SCMP_ACT_KILLL\"}",
	 "defaultAction: unknown action \"SCMP_ACT_KILLL\""},
	{"{\"defaultAction\":7}", "defaultAction: expected a string, got int"},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
	 "\"SCMP_ACT_KILLL\"}]}",
	 "inline.json: syscalls[0].action: unknown action \"SCMP_ACT_KILLL\""},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":\"read\",\"action\":"
	 "\"SCMP_ACT_ALLOW\"}]}",
	 "syscalls[0].names: expected an array of strings, got string"},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"name\":"
	 "\"write\",\"action\":\"SCMP_ACT_ALLOW\"}]}",
	 "syscalls[0]: has both \"name\" and \"names\""},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"action\":\"SCMP_ACT_ALLOW\"}]}",
	 "syscalls[0].names: missing"},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"]}]}",
	 "syscalls[0].action: missing"},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
	 "\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":7,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	 "syscalls[0].args[0].index: argument index 7 is out of range"},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
	 "\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQUAL\"}]}]}",
	 "syscalls[0].args[0].op: unknown operator \"SCMP_CMP_EQUAL\""},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
	 "\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":-1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	 "syscalls[0].args[0].value: expected a non-negative integer, got -1"},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
	 "\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1.5,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	 "syscalls[0].args[0].value: expected a non-negative integer, got double"},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
	 "\"SCMP_ACT_ALLOW\",\"errnoRet\":1}]}",
	 "syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE"},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
	 "\"SCMP_ACT_ERRNO\",\"errnoRet\":70000}]}",
	 "syscalls[0].errnoRet: errno 70000 is out of range"},
	{"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":1}",
	 "defaultErrnoRet: only valid with SCMP_ACT_ERRNO"},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
	 "\"archMap\":[]}",
	 "has both \"architectures\" and \"archMap\""},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_Z80\"]}",
	 "architectures[0]: unknown architecture \"SCMP_ARCH_Z80\""},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"flags\":[\"SECCOMP_FILTER_FLAG_FAST\"]}",
	 "flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_FAST\""},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
	 "\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"five\"}}]}",
	 "syscalls[0].includes.minKernel: expected a kernel version"},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
	 "\"SCMP_ACT_ERRNO\",\"errno\":\"EWHATEVER\"}]}",
	 "syscalls[0].errno: unknown errno name \"EWHATEVER\""},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":{}}",
	 "syscalls: expected an array of rules, got object"},
	{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"re\\u0000ad\"],"
	 "\"action\":\"SCMP_ACT_ALLOW\"}]}",
	 "syscalls[0].names[0]: string contains a NUL byte"},
};

ParameterizedTestParameters(profile, bad_input)
{
	static size_t indexes[ARRAY_SIZE(bad_cases)];
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++)
		indexes[i] = i;
	return cr_make_param_array(size_t, indexes, ARRAY_SIZE(bad_cases));
}

ParameterizedTest(size_t *i, profile, bad_input)
{
	const struct bad_case *c = &bad_cases[*i];
	struct sigsys_profile *p = NULL;
	struct sigsys_error err = {{0}};
	int r = sigsys_profile_parse(c->text, strlen(c->text), "inline.json", &p, &err);
	cr_assert_eq(r, -EINVAL, "case %zu (%s) should be refused, got %d", *i, c->text, r);
	cr_expect_null(p);
	cr_expect(strstr(err.message, c->message), "case %zu: \"%s\" lacks \"%s\"", *i, err.message,
		  c->message);
	cr_expect(strncmp(err.message, "inline.json: ", 13) == 0, "no file name: %s", err.message);
}

static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
	size_t len = strlen(head) + strlen(unit) * n + strlen(tail);
	char *s = malloc(len + 1), *q = s;
	cr_assert_not_null(s);
	q = stpcpy(q, head);
	for (size_t i = 0; i < n; i++)
		q = stpcpy(q, unit);
	strcpy(q, tail);
	return s;
}

Test(profile, absurd_sizes_are_refused)
{
	struct sigsys_profile *p = NULL;
	struct sigsys_error err = {{0}};

	char *deep = repeat("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"x\":", "[", 100000, "");
	cr_expect_eq(sigsys_profile_parse(deep, strlen(deep), "deep.json", &p, &err), -EINVAL);
	cr_expect(strstr(err.message, "deep.json: (file): invalid JSON"), "%s", err.message);
	free(deep);

	char *big = repeat("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"comment\":\"", "x",
			   SIGSYS_MAX_PROFILE_BYTES, "\"}");
	cr_expect_eq(sigsys_profile_parse(big, strlen(big), "big.json", &p, &err), -EINVAL);
	cr_expect(strstr(err.message, "is more than the limit of"), "%s", err.message);
	free(big);

	char *many = repeat("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[",
			    "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\"},",
			    SIGSYS_MAX_RULES + 1, "{\"names\":[],\"action\":\"SCMP_ACT_LOG\"}]}");
	cr_expect_eq(sigsys_profile_parse(many, strlen(many), "many.json", &p, &err), -EINVAL);
	cr_expect(strstr(err.message, "many.json: syscalls: 4098 rules is more than the limit"),
		  "%s", err.message);
	free(many);
	cr_expect_null(p);
}

Test(profile, formats_are_recognised)
{
	struct sigsys_profile *p = load_profile("dcos-default.json");
	cr_expect_eq(sigsys_profile_format(p), SIGSYS_FORMAT_DOCKER);
	cr_expect_eq(sigsys_profile_rule_count(p), 25);
	sigsys_profile_free(p);
	p = load_profile("moby-fixture-default-old-format.json");
	cr_expect_eq(sigsys_profile_format(p), SIGSYS_FORMAT_DOCKER, "legacy \"name\" is Docker");
	sigsys_profile_free(p);
	p = load_profile("runc-syscall-test1.json");
	cr_expect_eq(sigsys_profile_format(p), SIGSYS_FORMAT_OCI);
	sigsys_profile_free(p);
	p = parse_text("{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"]},\"linux\":"
		       "{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":"
		       "[\"SCMP_ARCH_X86_64\"],\"syscalls\":[{\"names\":[\"read\"],\"action\":"
		       "\"SCMP_ACT_ALLOW\"}]}}}");
	cr_expect_eq(sigsys_profile_format(p), SIGSYS_FORMAT_OCI_CONFIG);
	cr_expect_eq(sigsys_profile_rule_count(p), 1);
	sigsys_profile_free(p);
}

Test(profile, config_errors_carry_the_oci_path)
{
	struct sigsys_profile *p = NULL;
	struct sigsys_error err = {{0}};
	const char *text = "{\"ociVersion\":\"1.0.2\",\"linux\":{\"seccomp\":{\"defaultAction\":"
			   "\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
			   "\"SCMP_ACT_NOPE\"}]}}}";
	cr_assert_eq(sigsys_profile_parse(text, strlen(text), "config.json", &p, &err), -EINVAL);
	cr_expect(strstr(err.message, "config.json: linux.seccomp.syscalls[0].action: unknown "
				      "action \"SCMP_ACT_NOPE\""),
		  "%s", err.message);
}

Test(profile, unknown_keys_and_caps_warn_with_their_path)
{
	struct sigsys_profile *p = parse_text(
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultActoin\":1,\"syscalls\":[{"
		"\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":"
		"[\"CAP_TIME_TRAVEL\"]}}]}");
	cr_assert_eq(sigsys_profile_warning_count(p), 2);
	cr_expect(strstr(sigsys_profile_warning(p, 0), "unknown key \"defaultActoin\" ignored"),
		  "%s", sigsys_profile_warning(p, 0));
	cr_expect(strstr(sigsys_profile_warning(p, 1), "syscalls[0].includes.caps: unknown "
						       "capability \"CAP_TIME_TRAVEL\""),
		  "%s", sigsys_profile_warning(p, 1));
	sigsys_profile_free(p);
}

static void expect_sha256(const char *canonical, const char *digest)
{
	unsigned char md[32];
	unsigned len = 32;
	char hex[72] = "sha256:";
	EVP_Digest(canonical, strlen(canonical), md, &len, EVP_sha256(), NULL);
	for (size_t i = 0; i < 32; i++)
		snprintf(hex + 7 + 2 * i, 3, "%02x", md[i]);
	cr_expect_str_eq(digest, hex, "digest of %s", canonical);
}

Test(profile, digest_is_sha256_of_the_canonical_json)
{
	struct sigsys_profile *a = parse_text(
		"{ \"syscalls\" : [ { \"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\" } ],\n"
		"  \"defaultAction\": \"SCMP_ACT_ERRNO\", \"comment\": \"tab\\there \\\"q\\\"\" }");
	struct sigsys_profile *b = parse_text(
		"{\"comment\":\"tab\\u0009here \\\"q\\\"\",\"defaultAction\":\"SCMP_ACT_ERRNO\","
		"\"syscalls\":[{\"action\":\"SCMP_ACT_ALLOW\",\"names\":[\"read\"]}]}");
	struct sigsys_profile *c =
		parse_text("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"action\":"
			   "\"SCMP_ACT_ALLOW\",\"names\":[\"write\"]}]}");
	expect_sha256("{\"comment\":\"tab\\u0009here \\\"q\\\"\",\"defaultAction\":"
		      "\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"action\":\"SCMP_ACT_ALLOW\",\"names\":"
		      "[\"read\"]}]}",
		      sigsys_profile_digest(a));
	cr_expect_str_eq(sigsys_profile_digest(a), sigsys_profile_digest(b));
	cr_expect_str_neq(sigsys_profile_digest(a), sigsys_profile_digest(c));
	sigsys_profile_free(a);
	sigsys_profile_free(b);
	sigsys_profile_free(c);
}

Test(profile, digest_of_a_config_is_the_profile_digest)
{
	struct sigsys_profile *alone = parse_text("{\"defaultAction\":\"SCMP_ACT_LOG\"}");
	struct sigsys_profile *inside =
		parse_text("{\"ociVersion\":\"1.0.2\",\"linux\":{\"seccomp\":{\"defaultAction\":"
			   "\"SCMP_ACT_LOG\"}}}");
	cr_expect_str_eq(sigsys_profile_digest(alone), sigsys_profile_digest(inside));
	sigsys_profile_free(alone);
	sigsys_profile_free(inside);
}

Test(profile, repo_default_is_the_dcos_default)
{
	struct sigsys_profile *repo = load_profile("profiles/default.json");
	struct sigsys_profile *dcos = load_profile("dcos-default.json");
	cr_expect_str_eq(sigsys_profile_digest(repo), sigsys_profile_digest(dcos));
	sigsys_profile_free(repo);
	sigsys_profile_free(dcos);
}

static char *make_profile_dir(void)
{
	char *dir = strdup("/tmp/sigsys-test-profiles-XXXXXX");
	cr_assert(mkdtemp(dir));
	char *path;
	cr_assert(asprintf(&path, "%s/good.json", dir) > 0);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", f);
	fclose(f);
	free(path);
	return dir;
}

static int load_named(const char *dir, const char *name, struct sigsys_error *err)
{
	struct sigsys_profile *p = NULL;
	int r = sigsys_profile_load_named(dir, name, &p, err);
	sigsys_profile_free(p);
	return r;
}

Test(profile, names_never_leave_the_profile_directory)
{
	char *dir = make_profile_dir(), *link_path, *inner_link;
	struct sigsys_error err = {{0}};
	cr_assert(asprintf(&link_path, "%s/escape.json", dir) > 0);
	cr_assert(asprintf(&inner_link, "%s/alias.json", dir) > 0);
	cr_assert_eq(symlink("/etc/passwd", link_path), 0);
	cr_assert_eq(symlink("good.json", inner_link), 0);

	cr_expect_eq(load_named(dir, "good.json", &err), 0, "%s", err.message);
	cr_expect_eq(load_named(dir, "alias.json", &err), 0, "a link inside: %s", err.message);
	cr_expect_eq(load_named(dir, "../etc/passwd", &err), -EPERM);
	cr_expect(strstr(err.message, "contains \"/\""), "%s", err.message);
	cr_expect_eq(load_named(dir, "..", &err), -EPERM);
	cr_expect_eq(load_named(dir, "/etc/passwd", &err), -EPERM);
	cr_expect_eq(load_named(dir, "escape.json", &err), -EPERM);
	cr_expect(strstr(err.message, "leads out of the profile directory"), "%s", err.message);
	cr_expect_eq(load_named(dir, "", &err), -EPERM);
	cr_expect_eq(load_named(dir, "missing.json", &err), -ENOENT);
	cr_expect(strstr(err.message, "missing.json"), "%s", err.message);

	unlink(link_path);
	unlink(inner_link);
	free(link_path);
	free(inner_link);
	char *good;
	cr_assert(asprintf(&good, "%s/good.json", dir) > 0);
	unlink(good);
	free(good);
	rmdir(dir);
	free(dir);
}

static int marathon(const char *json, char **name, bool *unconfined, struct sigsys_error *err)
{
	char path[] = "/tmp/sigsys-test-app-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, json, strlen(json)), (ssize_t)strlen(json));
	close(fd);
	int r = sigsys_marathon_seccomp(path, name, unconfined, err);
	unlink(path);
	return r;
}

Test(profile, marathon_rules)
{
	char *name = NULL;
	bool unconfined = true;
	struct sigsys_error err = {{0}};
	char *path = NULL;

	cr_assert(asprintf(&path, "%s/schedulers/marathon/seccomp-app-example-1.json",
			   env_path("SIGSYS_DATA")) > 0);
	cr_expect_eq(sigsys_marathon_seccomp(path, &name, &unconfined, &err), 0, "%s", err.message);
	cr_expect(name != NULL || unconfined, "example 1 names a profile or is unconfined");
	free(name);
	free(path);

	cr_expect_eq(marathon("{\"id\":\"/a\",\"container\":{\"linuxInfo\":{\"seccomp\":{"
			      "\"profileName\":\"strict.json\",\"unconfined\":false}}}}",
			      &name, &unconfined, &err),
		     0, "%s", err.message);
	cr_expect_str_eq(name, "strict.json");
	cr_expect(!unconfined);
	free(name);
	cr_expect_eq(marathon("{\"container\":{\"linuxInfo\":{\"seccomp\":{\"unconfined\":true}}}}",
			      &name, &unconfined, &err),
		     0);
	cr_expect(unconfined);
	cr_expect_null(name);
	cr_expect_eq(marathon("{\"id\":\"/a\"}", &name, &unconfined, &err), 0);
	cr_expect(!unconfined && !name, "no seccomp object: the agent default");
	cr_expect_eq(marathon("{\"container\":{\"linuxInfo\":{\"seccomp\":{\"unconfined\":true,"
			      "\"profileName\":\"x.json\"}}}}",
			      &name, &unconfined, &err),
		     -EINVAL);
	cr_expect(strstr(err.message, "container.linuxInfo.seccomp: \"unconfined\": true "
				      "together with a \"profileName\""),
		  "%s", err.message);
	cr_expect_eq(marathon("{\"container\":{\"linuxInfo\":{\"seccomp\":{\"unconfined\":"
			      "false}}}}",
			      &name, &unconfined, &err),
		     -EINVAL);
	cr_expect(strstr(err.message, "neither"), "%s", err.message);
	cr_expect_eq(marathon("{\"container\":", &name, &unconfined, &err), -EINVAL);
}

Test(profile, rules_are_readable_as_written)
{
	struct sigsys_profile *p = load_profile("dcos-default.json");
	struct sigsys_rule_info rule;
	struct sigsys_condition cond;
	cr_assert_eq(sigsys_profile_rule(p, 5, &rule), 0);
	cr_expect_eq(rule.index, 5);
	cr_expect_eq(rule.n_names, 1);
	cr_expect_str_eq(rule.names[0], "personality");
	cr_expect_eq(rule.action, 0x7fff0000u);
	cr_assert_eq(rule.n_conditions, 1);
	cr_assert_eq(sigsys_profile_rule_condition(p, 5, 0, &cond), 0);
	cr_expect_eq(cond.index, 0);
	cr_expect_str_eq(cond.op, "SCMP_CMP_EQ");
	cr_expect_eq(cond.value, 0xffffffffu);
	cr_expect_eq(sigsys_profile_rule_condition(p, 5, 1, &cond), -ENOENT);
	cr_expect_eq(sigsys_profile_rule(p, 25, &rule), -ENOENT);
	sigsys_profile_free(p);
}
