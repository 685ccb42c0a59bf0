/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Task-controlled text made safe to show: terminal escapes and bytes that are not UTF-8. */
#include "text.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static void expect_scrub(const char *in, bool c0, const char *want)
{
	char *got = text_scrub(in, c0);
	cr_assert(got);
	cr_expect_str_eq(got, want, "scrub(\"%s\", c0=%d)", in, c0);
	cr_expect_eq(text_is_clean(in, c0), strcmp(in, want) == 0);
	free(got);
}

Test(text, utf8_and_printable_text_is_kept)
{
	expect_scrub("personality", true, "personality");
	expect_scrub("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", true,
		     "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	expect_scrub("", true, "");
}

Test(text, terminal_escapes_are_replaced)
{
	expect_scrub("\x1b[31mred", true, "?[31mred");
	expect_scrub("\x1b[31mred", false, "\x1b[31mred"); /* JSON escapes C0 itself */
	expect_scrub("b\xc2\x9b"
		     "31mX",
		     false, "b??31mX"); /* C1 CSI, in UTF-8 */
	expect_scrub("a\x7f", true, "a?");
}

Test(text, bytes_that_are_not_utf8_are_replaced)
{
	expect_scrub("\xff", false, "?");
	expect_scrub("\xc0\xaf", false, "??");		 /* overlong '/' */
	expect_scrub("\xed\xa0\x80", false, "???");	 /* a surrogate */
	expect_scrub("\xf4\x90\x80\x80", false, "????"); /* past U+10FFFF */
	expect_scrub("ok\xe2\x82", false, "ok??");	 /* cut short */
	expect_scrub("\xe2(\xa1", false, "?(?");
}
