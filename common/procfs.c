/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "procfs.h"
#include "util.h"

#include <string.h>

int proc_pid_start_ns(pid_t pid, uint64_t *ret_ns)
{
	char path[64];
	_cleanup_free_ char *text = NULL;
	format_into(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int r = read_file_bounded(path, 4096, &text, NULL);
	if (r < 0)
		return r;
	/* comm may hold spaces and ')': the fields start after the last ')' */
	char *p = strrchr(text, ')');
	if (!p)
		return -EIO;
	p++;
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EIO;
	}
	char *end;
	errno = 0;
	unsigned long long ticks = strtoull(p + 1, &end, 10);
	long hz = sysconf(_SC_CLK_TCK);
	if (errno || end == p + 1 || hz <= 0)
		return -EIO;
	*ret_ns = (uint64_t)ticks * (1000000000ull / (uint64_t)hz);
	return 0;
}
