/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the `sigsys` commands share: exit codes, error lines, the subcommand entry points. */
#ifndef SIGSYS_REPORT_CLI_H
#define SIGSYS_REPORT_CLI_H

#include "../common/util.h"

/* The contract of every `sigsys` command (DESIGN.md). */
#define EXIT_OK		  0
#define EXIT_FAIL	  1 /* a failure, an invalid profile, differing decisions */
#define EXIT_USAGE	  2
#define EXIT_UNKNOWN_TASK 3 /* sigsys report: no such task */

/* "sigsys: MESSAGE" on stderr. */
void cli_error(const char *fmt, ...) _printf_(1, 2);
/* cli_error, then where to read more; returns EXIT_USAGE. */
int cli_usage_error(const char *help_command, const char *fmt, ...) _printf_(2, 3);

/* `sigsys profile ...`: argv[0] is "profile". Returns the exit status. */
int profile_main(int argc, char **argv);
/* `sigsys report`, `sigsys events`, `sigsys doctor`: argv[0] is the command. */
int report_main(int argc, char **argv);
int events_main(int argc, char **argv);
int doctor_main(int argc, char **argv);
/* `sigsys suggest`: the smallest profile change that would have let a task run. */
int suggest_main(int argc, char **argv);

struct store;

/*
 * Open the store read-only: db_path as given by --db, or NULL for the default file when it
 * exists. On failure prints why (naming the file and what to do) and returns the exit
 * status; EXIT_OK otherwise.
 */
int db_open(const char *db_path, struct store **ret);

#endif
