/*
 * hostacl's offline-model container: recognising, splitting and writing it
 * (format in om.h and docs/semantics.md).
 */
#include "om.h"

#include <stdio.h>
#include <string.h>

#include "device/alloc.h"

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const unsigned char *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void wr64(unsigned char *p, uint64_t v)
{
    wr32(p, (uint32_t)v);
    wr32(p + 4, (uint32_t)(v >> 32));
}

int hacl_om_is(const void *bytes, size_t len)
{
    return len >= 8 && memcmp(bytes, HACL_OM_MAGIC, 8) == 0;
}

/* Huawei's offline models start with a file header whose first word is
 * the magic 0x444F4D49 ("IMOD" in memory). */
int hacl_om_is_huawei(const void *bytes, size_t len)
{
    return len >= 4 && memcmp(bytes, "IMOD", 4) == 0;
}

aclError hacl_om_open(const void *bytes, size_t len, struct hacl_om *om, char *why, size_t whylen)
{
    const unsigned char *p = bytes;
    memset(om, 0, sizeof *om);
    if (len < 16 || !hacl_om_is(bytes, len)) {
        snprintf(why, whylen, "not a hostacl offline model (%zu bytes, no container header)", len);
        return ACL_ERROR_DESERIALIZE_MODEL;
    }
    uint32_t version = rd32(p + 8), nsec = rd32(p + 12);
    if (version != HACL_OM_VERSION) {
        snprintf(why, whylen, "offline model format version %u; this hostacl reads version %u (convert the model "
                              "again with this hostacl's atc)",
                 version, HACL_OM_VERSION);
        return ACL_ERROR_DESERIALIZE_MODEL;
    }
    size_t off = 16;
    for (uint32_t s = 0; s < nsec; s++) {
        if (len - off < 16) {
            snprintf(why, whylen, "offline model truncated in the header of section %u (%zu bytes)", s, len);
            return ACL_ERROR_DESERIALIZE_MODEL;
        }
        char tag[5];
        memcpy(tag, p + off, 4);
        tag[4] = '\0';
        uint64_t n = rd64(p + off + 8);
        off += 16;
        if (n > len - off) {
            snprintf(why, whylen, "offline model section '%.4s' claims %llu bytes; %zu remain", tag,
                     (unsigned long long)n, len - off);
            return ACL_ERROR_DESERIALIZE_MODEL;
        }
        const void *payload = p + off;
        const void **slot;
        size_t *slot_len;
        if (!strcmp(tag, "ONNX")) {
            slot = &om->onnx;
            slot_len = &om->onnx_len;
        } else if (!strcmp(tag, "OPTS")) {
            slot = (const void **)&om->opts;
            slot_len = &om->opts_len;
        } else if (!strcmp(tag, "AIPP")) {
            slot = (const void **)&om->aipp;
            slot_len = &om->aipp_len;
        } else {
            snprintf(why, whylen, "offline model has a section of unknown type (tag bytes %02x %02x %02x %02x)",
                     p[off - 16], p[off - 15], p[off - 14], p[off - 13]);
            return ACL_ERROR_DESERIALIZE_MODEL;
        }
        if (*slot) {
            snprintf(why, whylen, "offline model has two '%s' sections", tag);
            return ACL_ERROR_DESERIALIZE_MODEL;
        }
        *slot = payload;
        *slot_len = (size_t)n;
        size_t padded = ((size_t)n + 7) & ~(size_t)7;
        off = padded > len - off ? len : off + padded;
    }
    if (!om->onnx || !om->onnx_len) {
        snprintf(why, whylen, "offline model has no ONNX section");
        return ACL_ERROR_DESERIALIZE_MODEL;
    }
    return ACL_SUCCESS;
}

aclError hacl_om_write(const void *onnx, size_t onnx_len, const char *opts, size_t opts_len, const char *aipp,
                       size_t aipp_len, void **out, size_t *outlen)
{
    struct {
        const char *tag;
        const void *data;
        size_t len;
    } sec[3] = {{"OPTS", opts, opts_len}, {"AIPP", aipp, aipp_len}, {"ONNX", onnx, onnx_len}};
    size_t total = 16;
    uint32_t n = 0;
    for (int i = 0; i < 3; i++)
        if (sec[i].data) {
            total += 16 + ((sec[i].len + 7) & ~(size_t)7);
            n++;
        }
    unsigned char *b = hacl_calloc(1, total);
    if (!b)
        return ACL_ERROR_BAD_ALLOC;
    memcpy(b, HACL_OM_MAGIC, 8);
    wr32(b + 8, HACL_OM_VERSION);
    wr32(b + 12, n);
    size_t off = 16;
    for (int i = 0; i < 3; i++) {
        if (!sec[i].data)
            continue;
        memcpy(b + off, sec[i].tag, 4);
        wr64(b + off + 8, sec[i].len);
        memcpy(b + off + 16, sec[i].data, sec[i].len);
        off += 16 + ((sec[i].len + 7) & ~(size_t)7);
    }
    *out = b;
    *outlen = total;
    return ACL_SUCCESS;
}

int hacl_om_opt(const struct hacl_om *om, const char *name, char *buf, size_t buflen)
{
    size_t nl = strlen(name);
    const char *p = om->opts, *end = om->opts ? om->opts + om->opts_len : NULL;
    while (p && p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        if ((size_t)(eol - p) > nl && !memcmp(p, name, nl) && p[nl] == '=') {
            size_t vl = (size_t)(eol - p) - nl - 1;
            if (vl >= buflen)
                return -1;
            memcpy(buf, p + nl + 1, vl);
            buf[vl] = '\0';
            return 1;
        }
        p = eol + 1;
    }
    return 0;
}
