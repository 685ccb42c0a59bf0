/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Text a task controls (its comm, exe, the paths it passes) shown to an operator: a task can
 * put terminal escapes (C0 and C1 controls) and bytes that are not UTF-8 in it, which would
 * drive the operator's terminal or make a JSON answer unreadable.
 */
#ifndef SIGSYS_COMMON_TEXT_H
#define SIGSYS_COMMON_TEXT_H

#include <stdbool.h>

/* A copy with every byte of invalid UTF-8 and every C1 control as '?', and, when c0, the C0
 * controls and DEL too (JSON escapes those itself). NULL when out of memory. */
char *text_scrub(const char *text, bool c0);

/* Whether text_scrub() would change text. */
bool text_is_clean(const char *text, bool c0);

#endif
