/*
 * hostacl internal: hostacl's offline-model container (the `.om` files its
 * atc writes). docs/semantics.md, "Offline models", documents the format:
 *
 *   offset 0   8 bytes  magic "HACLOM\r\n"
 *          8   u32      format version (1)
 *         12   u32      number of sections
 *         16   sections, each: 4-byte tag, u32 zero, u64 payload length,
 *              the payload, then zero bytes up to a multiple of 8
 *
 * Integers are little-endian. Tags: "ONNX" the model (exactly one),
 * "OPTS" the conversion options as `name=value` lines (atc's flags, values
 * without newlines), "AIPP" the text of the --insert_op_conf file. Unknown
 * tags are refused (a newer writer's file must not half-load).
 *
 * Thread: any (no shared state).
 */
#ifndef HOSTACL_MODEL_OM_H
#define HOSTACL_MODEL_OM_H

#include <stddef.h>
#include <stdint.h>

#include "acl/acl_base.h"

#define HACL_OM_MAGIC "HACLOM\r\n"
#define HACL_OM_VERSION 1u

/* A container's parts, pointing into its bytes. */
struct hacl_om {
    const void *onnx;
    size_t onnx_len;
    const char *opts; /* NULL when absent; not NUL-terminated */
    size_t opts_len;
    const char *aipp;
    size_t aipp_len;
};

/* 1 when bytes start like a hostacl container, 0 otherwise. */
int hacl_om_is(const void *bytes, size_t len);
/* Splits a container: ACL_SUCCESS, or an error with why (truncated,
 * unknown version or tag, missing or repeated section). Files written by
 * Huawei's ATC are recognised and refused with a message that says so. */
aclError hacl_om_open(const void *bytes, size_t len, struct hacl_om *om, char *why, size_t whylen);
/* 1 when bytes look like an offline model of Huawei's ATC. */
int hacl_om_is_huawei(const void *bytes, size_t len);

/* Writes a container to a newly allocated buffer (hacl_free): *out, *outlen.
 * opts / aipp may be NULL. */
aclError hacl_om_write(const void *onnx, size_t onnx_len, const char *opts, size_t opts_len, const char *aipp,
                       size_t aipp_len, void **out, size_t *outlen);

/* The value of option `name` in an OPTS section, copied NUL-terminated into
 * buf: 1 when present, 0 when not, -1 when longer than buflen - 1. */
int hacl_om_opt(const struct hacl_om *om, const char *name, char *buf, size_t buflen);

#endif
