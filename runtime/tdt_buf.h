/*
 * hostacl internal: TDT shared buffers (tdt_buf.c) as the queues
 * (tdt_queue.c) use them. A buffer handed to a queue leaves the handle
 * registry (the application can no longer touch it) and comes back when
 * it is dequeued. Thread: any.
 */
#ifndef HOSTACL_RUNTIME_TDT_BUF_H
#define HOSTACL_RUNTIME_TDT_BUF_H

#include <stddef.h>

#include "acl/acl_base.h"

#define HACL_TDT_USER_BYTES 96

struct hacl_tdt_buf;

/* Checks h and takes it from the application (unregistered). */
struct hacl_tdt_buf *hacl_tdt_buf_take(const char *api, void *h, aclError *rc);
/* Hands b back to the application as a live handle. */
aclError hacl_tdt_buf_give(const char *api, struct hacl_tdt_buf *b, void **out);
/* A new unregistered buffer holding copies of data and user bytes. */
struct hacl_tdt_buf *hacl_tdt_buf_new(const void *data, size_t n, const void *user, size_t un);
/* Another unregistered buffer sharing b's data. */
struct hacl_tdt_buf *hacl_tdt_buf_share(struct hacl_tdt_buf *b);
/* Frees an unregistered buffer (and its chain). */
void hacl_tdt_buf_free(struct hacl_tdt_buf *b);
/* The data length, and a copy of data (when it fits cap) and user bytes. */
size_t hacl_tdt_buf_len(const struct hacl_tdt_buf *b);
void hacl_tdt_buf_read(const struct hacl_tdt_buf *b, void *data, void *user, size_t un);

#endif
