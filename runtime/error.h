/*
 * hostacl internal: errors and logs.
 *
 * One table lists every error code hostacl can return with its name and a
 * short text. hacl_err() records a message for aclGetRecentErrMsg() on the
 * calling thread (or process-wide when aclInit's err_msg_mode is "1"), writes
 * it to the log at error level, and returns the code so call sites read
 * `return HACL_ERR(code, "...")`.
 *
 * Thread: any. Locks: the process-wide message store has its own mutex, taken
 * last (never while calling out).
 */
#ifndef HOSTACL_RUNTIME_ERROR_H
#define HOSTACL_RUNTIME_ERROR_H

#include "acl/acl_base.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define HACL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define HACL_PRINTF(a, b)
#endif

/* Records "api: message (NAME code)" and returns code. */
aclError hacl_err(aclError code, const char *api, const char *fmt, ...) HACL_PRINTF(3, 4);
#define HACL_ERR(code, ...) hacl_err((code), __func__, __VA_ARGS__)
/* The same for outcomes that are part of normal control flow (timeouts of
 * polling calls): recorded for aclGetRecentErrMsg, logged only at debug. */
aclError hacl_err_quiet(aclError code, const char *api, const char *fmt, ...) HACL_PRINTF(3, 4);

/* Name ("ACL_ERROR_INVALID_PARAM") and text of a code; "UNKNOWN" if unlisted. */
const char *hacl_err_name(aclError code);
const char *hacl_err_text(aclError code);
/* Number of entries in the error table and the code of entry i (tests). */
unsigned hacl_err_table_size(void);
aclError hacl_err_table_code(unsigned i);

/* Chooses where messages are kept: 0 per thread (default), 1 per process. */
void hacl_err_set_process_mode(int process_wide);

/* Runtime log lines, filtered like application logs. */
void hacl_log(aclLogLevel level, const char *fmt, ...) HACL_PRINTF(2, 3);
/* Re-reads ASCEND_GLOBAL_LOG_LEVEL (at aclInit). */
void hacl_log_reload_level(void);
int hacl_log_enabled(aclLogLevel level);

#ifdef __cplusplus
}
#endif

#endif
