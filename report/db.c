/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store file of `sigsys report` and `sigsys events`, opened read-only by the CLI. */
#include "cli.h"
#include "evidence.h"

#include <string.h>

/* ---- the store file ---------------------------------------------------------------------- */

static int db_open_error(const char *path, bool defaulted, int r, const struct store_error *err)
{
	if (r == -ENOENT && defaulted)
		cli_error("there is no store at %s: give the store file with --db FILE (sigsysd's "
			  "--db)",
			  DB_DEFAULT_PATH);
	else if (r == -ENOENT)
		cli_error("--db \"%s\": no such file; give the file sigsysd was started with "
			  "(its --db, default %s)",
			  path, DB_DEFAULT_PATH);
	else if (r == -EACCES || r == -EPERM)
		cli_error("--db \"%s\": permission denied; run as root or as a user who may read "
			  "sigsysd's store",
			  path);
	else
		cli_error("--db \"%s\": %s", path, err->message[0] ? err->message : strerror(-r));
	return EXIT_FAIL;
}

int db_open(const char *db_path, struct store **ret)
{
	struct store_options o;
	struct store_error err = {{0}};
	bool defaulted = !db_path;
	const char *path = db_path ? db_path : DB_DEFAULT_PATH;

	store_options_init(&o);
	o.read_only = true;
	o.busy_timeout_ms = 2000;
	int r = store_open(path, &o, ret, &err);
	if (r < 0)
		return db_open_error(path, defaulted, r, &err);
	return EXIT_OK;
}

/* ---- names ------------------------------------------------------------------------------- */
