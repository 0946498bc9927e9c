/*
 * A model file's weights read in place: before decoding, the raw bytes of
 * the graph's initializers are taken out of the protobuf message (each
 * replaced by an empty raw_data field), so the decoder copies only the
 * small rest, and the decoded initializers point into our copy of the
 * file. Without this, the file and its decoded copy were both held whole
 * while loading: twice the weights, the peak of every large model.
 *
 * Each taken payload is moved a few bytes down inside the file buffer to a
 * 64-byte (at least 8-byte) boundary, over bytes of its own TensorProto
 * the stripped copy already holds, so kernels and conversions read
 * aligned weights. The file buffer is ours: the message it held is
 * destroyed by the moves, and only the stripped copy describes it after.
 *
 * Anything unexpected in the wire format (a second graph field, a tensor
 * with two raw_data fields, groups, truncation) leaves the bytes as they
 * are: the ordinary decoder then sees the original message and reports
 * what is wrong with it.
 *
 * Thread: any; a source is read-only once made.
 */
#include <stdint.h>
#include <string.h>

#include "device/alloc.h"
#include "onnx.h"

enum {
    MODEL_GRAPH = 7,        /* ModelProto.graph */
    GRAPH_INITIALIZER = 5,  /* GraphProto.initializer */
    TENSOR_DATA_TYPE = 2,   /* TensorProto.data_type */
    TENSOR_RAW_DATA = 9,    /* TensorProto.raw_data */
    WIRE_VARINT = 0, WIRE_I64 = 1, WIRE_LEN = 2, WIRE_I32 = 5,
    MIN_TAKEN = 1024,       /* smaller payloads are not worth a record */
};

/* A varint at *p (below end): 0 and *v, *p past it; -1 when malformed. */
static int varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t r = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = r;
            return 0;
        }
    }
    return -1;
}

static size_t varint_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static uint8_t *put_varint(uint8_t *o, uint64_t v)
{
    while (v >= 0x80) {
        *o++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *o++ = (uint8_t)v;
    return o;
}

/* One field at *p: its number, wire type and, for length-delimited ones,
 * its payload [*body, *p); *p moves past it. 0, or -1 when malformed. */
static int field(const uint8_t **p, const uint8_t *end, uint32_t *num, int *wt, const uint8_t **body)
{
    uint64_t key, v;
    if (varint(p, end, &key) != 0 || (key >> 3) == 0 || (key >> 3) > UINT32_MAX)
        return -1;
    *num = (uint32_t)(key >> 3);
    *wt = (int)(key & 7);
    *body = NULL;
    switch (*wt) {
    case WIRE_VARINT: return varint(p, end, &v);
    case WIRE_I64: return end - *p >= 8 ? (*p += 8, 0) : -1;
    case WIRE_I32: return end - *p >= 4 ? (*p += 4, 0) : -1;
    case WIRE_LEN:
        if (varint(p, end, &v) != 0 || v > (uint64_t)(end - *p))
            return -1;
        *body = *p;
        *p += v;
        return 0;
    default: return -1; /* groups: not in ONNX's messages */
    }
}

/* One initializer: where its TensorProto and its raw payload lie. */
struct taken {
    const uint8_t *key;       /* the initializer field's first byte in the graph */
    const uint8_t *tensor;    /* the TensorProto's bytes [tensor, tensor_end) */
    const uint8_t *tensor_end;
    const uint8_t *raw_key;   /* the raw_data field [raw_key, raw_end) */
    const uint8_t *raw;       /* its payload [raw, raw_end), or NULL: kept */
    const uint8_t *raw_end;
    size_t new_len;           /* the TensorProto's length without the payload */
};

/* Finds tensor's raw_data field; 0 (t->raw NULL when none worth taking),
 * or -1 when the message cannot be read as expected. */
static int scan_tensor(struct taken *t)
{
    const uint8_t *p = t->tensor, *body;
    uint32_t num;
    int wt, nraw = 0;
    uint64_t dtype = 1;
    t->raw = NULL;
    while (p < t->tensor_end) {
        const uint8_t *start = p;
        if (field(&p, t->tensor_end, &num, &wt, &body) != 0)
            return -1;
        if (num == TENSOR_DATA_TYPE && wt == WIRE_VARINT) {
            const uint8_t *q = start;
            uint64_t key;
            if (varint(&q, p, &key) != 0 || varint(&q, p, &dtype) != 0)
                return -1;
        }
        if (num == TENSOR_RAW_DATA) {
            if (wt != WIRE_LEN || ++nraw > 1)
                return -1;
            t->raw_key = start;
            t->raw = body;
            t->raw_end = p;
        }
    }
    /* complex types (14, 15) would want 16-byte alignment, and a payload
     * with no room for an 8-byte boundary inside its tensor would be read
     * unaligned: both left to the decoder */
    if (!t->raw || t->raw_end - t->raw < MIN_TAKEN || dtype == 14 || dtype == 15 ||
        ((uintptr_t)t->raw & ~(uintptr_t)7) < (uintptr_t)t->tensor)
        t->raw = NULL;
    else
        t->new_len = (size_t)(t->tensor_end - t->tensor) - (size_t)(t->raw_end - t->raw_key) + 2;
    return 0;
}

/* The graph's initializers, with their payloads found: a count (0 when
 * nothing is worth taking), -1 when the bytes are not as expected. */
static long scan_graph(const uint8_t *g, const uint8_t *gend, struct taken **out)
{
    size_t n = 0, cap = 0, worth = 0;
    struct taken *ts = NULL;
    const uint8_t *p = g, *body;
    uint32_t num;
    int wt;
    while (p < gend) {
        const uint8_t *start = p;
        if (field(&p, gend, &num, &wt, &body) != 0)
            goto bad;
        if (num != GRAPH_INITIALIZER)
            continue;
        if (wt != WIRE_LEN)
            goto bad;
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 64;
            struct taken *nt = hacl_realloc(ts, nc * sizeof *nt);
            if (!nt)
                goto bad;
            ts = nt;
            cap = nc;
        }
        struct taken *t = &ts[n++];
        memset(t, 0, sizeof *t);
        t->key = start;
        t->tensor = body;
        t->tensor_end = p;
        if (scan_tensor(t) != 0)
            goto bad;
        worth += t->raw != NULL;
    }
    if (!worth) {
        hacl_free(ts);
        return 0;
    }
    *out = ts;
    return (long)n;
bad:
    hacl_free(ts);
    return -1;
}

/* Builds the stripped message into s->stripped; 0, or -1 (out of memory). */
static int write_stripped(struct hacl_onnx_src *s, const uint8_t *m, const uint8_t *mend, const uint8_t *gkey,
                          const uint8_t *g, const uint8_t *gend, const struct taken *ts, size_t n)
{
    size_t glen = (size_t)(gend - g);
    for (size_t i = 0; i < n; i++)
        if (ts[i].raw) {
            size_t old = (size_t)(ts[i].tensor_end - ts[i].key);
            size_t now = 1 + varint_size(ts[i].new_len) + ts[i].new_len; /* field 5's key is one byte */
            glen = glen - old + now;
        }
    size_t total = (size_t)(gkey - m) + 1 + varint_size(glen) + glen + (size_t)(mend - gend);
    uint8_t *o = hacl_malloc(total ? total : 1);
    if (!o)
        return -1;
    s->stripped = o;
    memcpy(o, m, (size_t)(gkey - m));
    o += gkey - m;
    *o++ = (uint8_t)(MODEL_GRAPH << 3 | WIRE_LEN);
    o = put_varint(o, glen);
    const uint8_t *from = g;
    for (size_t i = 0; i < n; i++) {
        const struct taken *t = &ts[i];
        if (!t->raw)
            continue;
        memcpy(o, from, (size_t)(t->key - from)); /* the graph up to this initializer */
        o += t->key - from;
        *o++ = (uint8_t)(GRAPH_INITIALIZER << 3 | WIRE_LEN);
        o = put_varint(o, t->new_len);
        memcpy(o, t->tensor, (size_t)(t->raw_key - t->tensor));
        o += t->raw_key - t->tensor;
        *o++ = (uint8_t)(TENSOR_RAW_DATA << 3 | WIRE_LEN);
        *o++ = 0;
        memcpy(o, t->raw_end, (size_t)(t->tensor_end - t->raw_end));
        o += t->tensor_end - t->raw_end;
        from = t->tensor_end;
    }
    memcpy(o, from, (size_t)(mend - from)); /* the rest of the graph and of the model */
    o += mend - from;
    s->bytes = s->stripped;
    s->len = (size_t)(o - s->stripped);
    return s->len == total ? 0 : -1;
}

/* Takes the payloads out when the message allows; 0 whether or not it
 * did, -1 when out of memory. */
static int split(struct hacl_onnx_src *s, const uint8_t *m, size_t len)
{
    const uint8_t *p = m, *mend = m + len, *body, *gkey = NULL, *g = NULL, *gend = NULL;
    uint32_t num;
    int wt;
    while (p < mend) {
        const uint8_t *start = p;
        if (field(&p, mend, &num, &wt, &body) != 0)
            return 0;
        if (num == MODEL_GRAPH) {
            if (wt != WIRE_LEN || g)
                return 0; /* two graph fields merge: left to the decoder */
            gkey = start;
            g = body;
            gend = p;
        }
    }
    if (!g)
        return 0;
    struct taken *ts = NULL;
    long n = scan_graph(g, gend, &ts);
    if (n <= 0)
        return 0;
    s->raw = hacl_calloc((size_t)n, sizeof *s->raw);
    s->raw_len = hacl_calloc((size_t)n, sizeof *s->raw_len);
    if (!s->raw || !s->raw_len || write_stripped(s, m, mend, gkey, g, gend, ts, (size_t)n) != 0) {
        hacl_free(ts);
        return -1;
    }
    /* The stripped copy holds everything but the payloads: each payload
     * now moves down to an aligned place inside its own TensorProto. */
    for (long i = 0; i < n; i++) {
        const struct taken *t = &ts[i];
        if (!t->raw)
            continue;
        uint8_t *to = NULL;
        for (uintptr_t a = 64; a >= 8 && !to; a /= 2) { /* 8 always fits (scan_tensor) */
            uintptr_t at = (uintptr_t)t->raw & ~(a - 1);
            if (at >= (uintptr_t)t->tensor)
                to = (uint8_t *)at;
        }
        size_t bytes = (size_t)(t->raw_end - t->raw);
        memmove(to, t->raw, bytes);
        s->raw[i] = to;
        s->raw_len[i] = bytes;
    }
    s->nraw = (size_t)n;
    hacl_free(ts);
    return 0;
}

struct hacl_onnx_src *hacl_onnx_src_new(void *buf, size_t buf_len, const void *onnx, size_t onnx_len)
{
    struct hacl_onnx_src *s = hacl_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->buf = buf;
    s->buf_len = buf_len;
    s->bytes = onnx;
    s->len = onnx_len;
    if (split(s, onnx, onnx_len) != 0) {
        s->buf = NULL; /* the caller's still */
        hacl_onnx_src_free(s);
        return NULL;
    }
    return s;
}

void hacl_onnx_src_free(struct hacl_onnx_src *s)
{
    if (!s)
        return;
    hacl_free(s->stripped);
    hacl_free(s->raw);
    hacl_free(s->raw_len);
    hacl_free(s->buf);
    hacl_free(s);
}
