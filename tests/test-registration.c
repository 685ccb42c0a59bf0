/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sigsysd's side of a registration: what sigsys_register sends is accepted; anything else a
 * peer may send is refused with a reason, and a non-root peer only registers itself. */
#include "test-helpers.h"
#include "registration.h"

#include <errno.h>
#include <json-c/json.h>

#define GOOD_TEXT "{\"defaultAction\":\"SCMP_ACT_LOG\"}"

/* A valid registration from pid 4242, with one key replaced (or removed when value is NULL). */
static char *registration_with(const char *key, struct json_object *value)
{
	struct sigsys_profile *p = parse_text(GOOD_TEXT);
	struct json_object *o = json_object_new_object(), *prof = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "pid", json_object_new_int(4242));
	json_object_object_add(o, "pid_start_ns", json_object_new_uint64(123456789));
	json_object_object_add(o, "time_ns", json_object_new_uint64(1795840000000000000ull));
	json_object_object_add(o, "task_id", json_object_new_string("web.1234-abcd"));
	json_object_object_add(o, "framework", json_object_new_string("marathon"));
	json_object_object_add(o, "app_id", json_object_new_string("/prod/web"));
	json_object_object_add(o, "mode", json_object_new_string("kill"));
	json_object_object_add(o, "caps", json_object_new_string("0x200000"));
	json_object_object_add(o, "unconfined", json_object_new_boolean(false));
	json_object_object_add(prof, "name", json_object_new_string("default.json"));
	json_object_object_add(prof, "digest", json_object_new_string(sigsys_profile_digest(p)));
	json_object_object_add(prof, "text", json_object_new_string(GOOD_TEXT));
	json_object_object_add(o, "profile", prof);
	if (key) {
		struct json_object *target = strncmp(key, "profile.", 8) == 0 ? prof : o;
		const char *k = target == prof ? key + 8 : key;
		if (value)
			json_object_object_add(target, k, value);
		else
			json_object_object_del(target, k);
	}
	char *text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	sigsys_profile_free(p);
	return text;
}

static int parse(const char *text, const struct ucred *peer, struct registration *reg, char *why)
{
	return registration_parse(text, strlen(text), peer, reg, why, 256);
}

Test(registration, a_good_one_is_accepted_whole)
{
	struct registration reg;
	char why[256] = "", *text = registration_with(NULL, NULL);
	cr_assert_eq(parse(text, NULL, &reg, why), 0, "%s", why);
	cr_expect_eq(reg.pid, 4242);
	cr_expect_eq(reg.pid_start_ns, 123456789);
	cr_expect_str_eq(reg.task_id, "web.1234-abcd");
	cr_expect_str_eq(reg.framework, "marathon");
	cr_expect_str_eq(reg.app_id, "/prod/web");
	cr_expect_eq(reg.mode, SIGSYS_MODE_KILL);
	cr_expect_eq(reg.caps, 0x200000);
	cr_expect_str_eq(reg.profile_name, "default.json");
	cr_expect_str_eq(reg.profile_text, GOOD_TEXT);
	registration_clear(&reg);
	free(text);
}

struct bad_case {
	const char *key;
	const char *value; /* JSON text of the replacement; NULL: the key is removed */
	const char *why;
};

static const struct bad_case bad_cases[] = {
	{"version", "2", "\"version\": expected 1"},
	{"pid", "0", "\"pid\": out of range"},
	{"pid", "-5", "\"pid\": out of range"},
	{"pid", "\"4242\"", "\"pid\": expected an integer"},
	{"pid_start_ns", NULL, "\"pid_start_ns\": expected an integer"},
	{"framework", "\"aurora\"", "expected marathon, metronome or other"},
	{"framework", NULL, "\"framework\": missing"},
	{"task_id", "\"a\\nb\"", "\"task_id\": expected printable text"},
	{"task_id", "7", "\"task_id\": expected a string"},
	{"mode", "\"strict\"", "\"mode\": expected enforce, log, kill or notify"},
	{"caps", "\"all\"", "\"caps\": expected a hex capability mask"},
	{"unconfined", "\"no\"", "\"unconfined\": expected true or false"},
	{"unconfined", "true", "\"profile\": given for an unconfined task"},
	{"profile", NULL, "\"profile\": missing"},
	{"profile.text", "\"{\\\"defaultAction\\\":\\\"NOPE\\\"}\"",
	 "\"profile.text\": not a valid profile"},
	{"profile.digest", "\"sha256:0000\"",
	 "\"profile.digest\": does not match the profile text"},
	{"profile.text", "{\"nested\":1}", "\"profile.text\": expected the profile as a string"},
};

ParameterizedTestParameters(registration, bad_input)
{
	static size_t indexes[ARRAY_SIZE(bad_cases)];
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++)
		indexes[i] = i;
	return cr_make_param_array(size_t, indexes, ARRAY_SIZE(bad_cases));
}

ParameterizedTest(size_t *i, registration, bad_input)
{
	const struct bad_case *c = &bad_cases[*i];
	struct registration reg;
	char why[256] = "";
	struct json_object *value = c->value ? json_tokener_parse(c->value) : NULL;
	cr_assert(!c->value || value, "case %zu: bad test JSON", *i);
	char *text = registration_with(c->key, value);
	cr_expect_eq(parse(text, NULL, &reg, why), -EINVAL, "case %zu (%s) accepted", *i, c->key);
	cr_expect(strstr(why, c->why), "case %zu: \"%s\" lacks \"%s\"", *i, why, c->why);
	cr_expect_null(reg.profile_text);
	free(text);
}

Test(registration, malformed_documents_are_refused)
{
	static const char *const texts[] = {"", "{", "[]", "{\"version\":1} {}", "nul\0", "1"};
	struct registration reg;
	char why[256];
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++)
		cr_expect_eq(registration_parse(texts[i], strlen(texts[i]) + (i == 4), NULL, &reg,
						why, sizeof(why)),
			     -EINVAL, "text %zu accepted", i);
	char deep[64];
	memset(deep, '[', sizeof(deep));
	cr_expect_eq(registration_parse(deep, sizeof(deep), NULL, &reg, why, sizeof(why)), -EINVAL);
	cr_expect_eq(
		registration_parse("{}", REGISTRATION_MAX_BYTES + 1, NULL, &reg, why, sizeof(why)),
		-EINVAL, "the size limit is checked before reading");
	cr_expect(strstr(why, "limit"), "%s", why);
}

Test(registration, only_root_names_another_pid)
{
	struct registration reg;
	char why[256] = "", *text = registration_with(NULL, NULL);
	struct ucred root = {.pid = 1, .uid = 0}, self = {.pid = 4242, .uid = 1000},
		     other = {.pid = 4243, .uid = 1000};
	cr_expect_eq(parse(text, &root, &reg, why), 0, "%s", why);
	registration_clear(&reg);
	cr_expect_eq(parse(text, &self, &reg, why), 0, "%s", why);
	registration_clear(&reg);
	cr_expect_eq(parse(text, &other, &reg, why), -EPERM);
	cr_expect(strstr(why, "pid 4242 is not the sender's (4243)"), "%s", why);
	free(text);
}

/* What the library sends is what the daemon accepts. */
Test(registration, the_library_and_the_daemon_agree)
{
	char run_dir[] = "/tmp/sigsys-test-reg-XXXXXX", path[128], why[256] = "";
	cr_assert(mkdtemp(run_dir));
	struct sigsys_profile *p = load_profile("dcos-default.json");
	struct sigsys_registration out = {.pid = getpid(),
					  .task_id = "t",
					  .framework = "other",
					  .profile = p,
					  .mode = SIGSYS_MODE_ENFORCE,
					  .caps = 0};
	cr_assert_eq(sigsys_register(run_dir, &out, NULL), SIGSYS_SPOOLED);
	struct registration in;
	char cmd[160], *text = NULL;
	size_t len;
	format_into(cmd, sizeof(cmd), "%s/spool", run_dir);
	format_into(path, sizeof(path), "%s/%d-", cmd, (int)getpid());
	format_into(cmd, sizeof(cmd), "ls %s*.json > %s/name", path, run_dir);
	cr_assert_eq(system(cmd), 0);
	format_into(cmd, sizeof(cmd), "%s/name", run_dir);
	cr_assert_eq(read_file_bounded(cmd, 4096, &text, &len), 0);
	text[strcspn(text, "\n")] = '\0';
	char *json = NULL;
	cr_assert_eq(read_file_bounded(text, REGISTRATION_MAX_BYTES, &json, &len), 0);
	cr_expect_eq(registration_parse(json, len, NULL, &in, why, sizeof(why)), 0, "%s", why);
	cr_expect_eq(in.pid, getpid());
	cr_expect_str_eq(in.digest, sigsys_profile_digest(p));
	registration_clear(&in);
	free(json);
	free(text);
	sigsys_profile_free(p);
	format_into(cmd, sizeof(cmd), "rm -rf %s", run_dir);
	cr_expect_eq(system(cmd), 0);
}
