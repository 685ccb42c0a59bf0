/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The profile's own JSON document, re-read with json-c for what libsigsys's public API does
 * not expose: the names and conditions of a rule, includes/excludes, the architectures. The
 * library has validated the document already, so these readers skip what they do not expect.
 */
#ifndef SIGSYS_REPORT_PROFILE_DOC_H
#define SIGSYS_REPORT_PROFILE_DOC_H

#include "sigsys.h"

#include <json-c/json.h>
#include <seccomp.h>

struct profile_doc {
	struct json_object *root;
	struct json_object *seccomp; /* the object holding defaultAction (borrowed from root) */
	const char *prefix;	     /* JSON path of `seccomp`: "" or "linux.seccomp." */
	struct json_object *rules;   /* its "syscalls" array, or NULL */
};

/* One argument condition, as written. */
struct doc_arg {
	unsigned index;
	enum scmp_compare op;
	uint64_t value;
	uint64_t value_two;
};

int profile_doc_open(const struct sigsys_profile *profile, struct profile_doc *ret);
void profile_doc_close(struct profile_doc *doc);

size_t profile_doc_rule_count(const struct profile_doc *doc);
struct json_object *profile_doc_rule(const struct profile_doc *doc, size_t index);

/* The rule's syscall names: "names", or the legacy "name". NULL for a non-string entry. */
size_t doc_rule_name_count(struct json_object *rule);
const char *doc_rule_name(struct json_object *rule, size_t i);
bool doc_rule_names_has(struct json_object *rule, const char *name);
/* "chroot, pivot_root" (at most four names, then "..."), for messages. */
void doc_rule_names_text(struct json_object *rule, char *buf, size_t size);
/* The rule's argument conditions; returns how many were stored. */
size_t doc_rule_args(struct json_object *rule, struct doc_arg *ret_args, size_t max);

/* Whether includes.arches / excludes.arches let the rule apply on this machine (moby). */
bool doc_rule_for_this_arch(struct json_object *rule);

/* The SCMP_ARCH_* tokens the compiled filter handles: the native one first, then the listed
 * sub-architectures (as libsigsys builds its plan). */
size_t profile_doc_arches(const struct profile_doc *doc, uint32_t *ret_arches, size_t max);

/* Go-style name of this machine's architecture ("amd64"), as includes.arches spells it. */
const char *doc_native_go_arch(void);
/* "x86_64", "x86", "x32" … for a SCMP_ARCH_* token. */
const char *doc_arch_name(uint32_t arch);

#endif
