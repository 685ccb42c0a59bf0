/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "launch-cache.h"
#include "../common/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct launch_slot {
	bool used;
	char digest[STORE_DIGEST_MAX + 1];
	char name[STORE_ID_MAX + 1]; /* "" for none */
	char mode[STORE_ID_MAX + 1];
	uint64_t caps;
	struct launch_profile profile;
};

struct launch_cache {
	struct launch_slot slots[LAUNCH_CACHE_SLOTS];
	size_t next; /* the slot a miss fills: round robin, so the oldest entry goes */
	unsigned long hits;
};

int launch_cache_new(struct launch_cache **ret)
{
	*ret = calloc(1, sizeof(**ret));
	return *ret ? 0 : -ENOMEM;
}

void launch_cache_free(struct launch_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < LAUNCH_CACHE_SLOTS; i++)
		launch_profile_clear(&c->slots[i].profile);
	free(c);
}

unsigned long launch_cache_hits(const struct launch_cache *c)
{
	return c ? c->hits : 0;
}

/* Only a registered task with a recorded profile compiles anything: the rest is cheap. */
static bool cacheable(const struct store_task *t)
{
	return t->registered_ns && t->profile_digest && t->profile_text && t->mode &&
	       strlen(t->profile_digest) <= STORE_DIGEST_MAX &&
	       (!t->profile_name || strlen(t->profile_name) <= STORE_ID_MAX) &&
	       strlen(t->mode) <= STORE_ID_MAX;
}

static bool slot_matches(const struct launch_slot *s, const struct store_task *t)
{
	return s->used && s->caps == t->caps && strcmp(s->digest, t->profile_digest) == 0 &&
	       strcmp(s->name, t->profile_name ? t->profile_name : "") == 0 &&
	       strcmp(s->mode, t->mode) == 0;
}

static int slot_fill(struct launch_slot *s, const struct store_task *t)
{
	launch_profile_clear(&s->profile);
	*s = (struct launch_slot){.caps = t->caps};
	int r = launch_profile_build(t, &s->profile);
	if (r < 0)
		return r;
	format_into(s->digest, sizeof(s->digest), "%s", t->profile_digest);
	format_into(s->name, sizeof(s->name), "%s", t->profile_name ? t->profile_name : "");
	format_into(s->mode, sizeof(s->mode), "%s", t->mode);
	s->used = true;
	return 0;
}

int launch_cache_get(struct launch_cache *c, const struct store_task *t,
		     struct launch_profile *scratch, const struct launch_profile **ret)
{
	*scratch = (struct launch_profile){0};
	if (!c || !cacheable(t)) {
		*ret = scratch;
		return launch_profile_build(t, scratch);
	}
	for (size_t i = 0; i < LAUNCH_CACHE_SLOTS; i++)
		if (slot_matches(&c->slots[i], t)) {
			c->hits++;
			*ret = &c->slots[i].profile;
			return 0;
		}
	struct launch_slot *s = &c->slots[c->next];
	c->next = (c->next + 1) % LAUNCH_CACHE_SLOTS;
	int r = slot_fill(s, t);
	*ret = &s->profile;
	return r;
}
