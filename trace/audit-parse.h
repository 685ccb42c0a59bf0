/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The audit source's decoder: one AUDIT_SECCOMP (type 1326) record into a struct
 * seccomp_event. Pure functions: bytes in, struct out; no allocation, no state, no I/O. The
 * text is read within [text, text + len) only and need not be NUL-terminated.
 */
#ifndef SIGSYS_TRACE_AUDIT_PARSE_H
#define SIGSYS_TRACE_AUDIT_PARSE_H

#include "event.h"

#include <stddef.h>
#include <stdint.h>

#define AUDIT_SECCOMP_RECORD 1326 /* AUDIT_SECCOMP, the record type */

/*
 * Decode one type-1326 record. Accepted framings, all on one line (one trailing '\n' is
 * allowed):
 *
 *   audit(S.MMM:N): FIELDS                          netlink payload: the caller checks
 *                                                   that nlmsg_type is 1326
 *   [PREFIX]type=1326 audit(S.MMM:N): FIELDS        kernel log; PREFIX empty or ending in
 *                                                   "audit: " (kmsg, dmesg, syslog)
 *   [PREFIX]type=SECCOMP msg=audit(S.MMM:N): FIELDS auditd; PREFIX empty or ending in a
 *                                                   space ("node=… ", an audispd relay)
 *
 * PREFIX is log framing (printable ASCII, no "type="), not read for data. FIELDS must be
 * exactly what the kernel writes, in its order, each once:
 *
 *   auid=U uid=U gid=U ses=U [subj=LABEL] pid=P comm=STR exe=STR|(null) sig=S arch=X
 *   syscall=D compat=0|1 ip=0xX code=0xX
 *
 * numbers as its printf writes them (decimal or lower-case hex, no leading zeros) and in
 * range for their type (u32 ids and serial, pid >= 1, sig <= 64, syscall an int, ip u64,
 * seconds such that the time in ns fits in 64 bits, exactly 3 ms digits); STR is "quoted"
 * (printable, no space or quote) or upper-case hex of even length (decoded; a NUL byte is
 * refused); LABEL is printable ASCII and ends at the first " pid=". After code, only the
 * end, or auditd's ENRICHED tail after a 0x1d byte (not read). Anything else, including
 * unknown fields, is refused.
 *
 * Returns 0 and fills *ret (zeroed first; sources = AUDIT), or -EINVAL with *ret untouched.
 */
int audit_parse_seccomp(const char *text, size_t len, struct seccomp_event *ret);

/*
 * The serial alone, from a record of any type, in any framing above (any type name or
 * number): to detect lost records as gaps in serials. Records of one event share a serial.
 * Returns 0, or -EINVAL when the text holds no valid stamp.
 */
int audit_parse_serial(const char *text, size_t len, uint32_t *ret_serial);
/* The same, with the record's time (CLOCK_REALTIME ns; ret_time_ns may be NULL). */
int audit_parse_stamp(const char *text, size_t len, uint64_t *ret_time_ns, uint32_t *ret_serial);

/* "x86_64", "i386", "aarch64"… for an AUDIT_ARCH_* value; NULL when unknown. */
const char *audit_arch_name(uint32_t arch);

#endif
