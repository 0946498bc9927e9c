/*
 * JSON reader (see json.h). Recursive descent over a length-bounded buffer;
 * every read checks the end, so truncated input is an error, never an
 * overrun.
 */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/alloc.h"

#define MAX_DEPTH 64

struct parser {
    const char *p, *end;
    char *err;
    size_t errlen;
    int oom;
};

static int fail(struct parser *ps, const char *what)
{
    if (ps->err && ps->errlen)
        snprintf(ps->err, ps->errlen, "%s", what);
    return -1;
}

static void skip_ws(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static struct hacl_json *new_value(struct parser *ps, enum hacl_json_type t)
{
    struct hacl_json *v = hacl_calloc(1, sizeof *v);
    if (!v)
        ps->oom = 1;
    else
        v->type = t;
    return v;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F)); return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int read_hex4(struct parser *ps, unsigned *cp)
{
    if (ps->end - ps->p < 4)
        return fail(ps, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(ps->p[i]);
        if (h < 0)
            return fail(ps, "bad \\u escape");
        v = v * 16 + (unsigned)h;
    }
    ps->p += 4;
    *cp = v;
    return 0;
}

/* Reads a string literal (ps->p at the opening quote) into a new buffer. */
static char *parse_string(struct parser *ps)
{
    ps->p++; /* opening quote */
    /* Escapes never expand (\uXXXX: 6 bytes in, at most 4 out), so the
     * remaining input length bounds the output. */
    const char *q = ps->p;
    while (q < ps->end && *q != '"') {
        if (*q == '\\')
            q++;
        q++;
    }
    if (q >= ps->end) {
        fail(ps, "unterminated string");
        return NULL;
    }
    char *out = hacl_malloc((size_t)(q - ps->p) + 1);
    if (!out) {
        ps->oom = 1;
        return NULL;
    }
    size_t n = 0;
    while (ps->p < ps->end && *ps->p != '"') {
        unsigned char c = (unsigned char)*ps->p++;
        if (c < 0x20) {
            fail(ps, "control character in string");
            goto bad;
        }
        if (c != '\\') {
            out[n++] = (char)c;
            continue;
        }
        if (ps->p >= ps->end) {
            fail(ps, "truncated escape");
            goto bad;
        }
        char e = *ps->p++;
        switch (e) {
        case '"': out[n++] = '"'; break;
        case '\\': out[n++] = '\\'; break;
        case '/': out[n++] = '/'; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'n': out[n++] = '\n'; break;
        case 'r': out[n++] = '\r'; break;
        case 't': out[n++] = '\t'; break;
        case 'u': {
            unsigned cp;
            if (read_hex4(ps, &cp) != 0)
                goto bad;
            if (cp >= 0xD800 && cp < 0xDC00 && ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u') {
                unsigned lo;
                ps->p += 2;
                if (read_hex4(ps, &lo) != 0)
                    goto bad;
                if (lo >= 0xDC00 && lo < 0xE000)
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                else
                    cp = 0xFFFD;
            } else if (cp >= 0xD800 && cp < 0xE000) {
                cp = 0xFFFD;
            }
            n += put_utf8(out + n, cp);
            break;
        }
        default:
            fail(ps, "bad escape in string");
            goto bad;
        }
    }
    ps->p++; /* closing quote */
    out[n] = '\0';
    return out;
bad:
    hacl_free(out);
    return NULL;
}

static struct hacl_json *parse_value(struct parser *ps, int depth);

static int append(struct parser *ps, struct hacl_json *c, struct hacl_json *child, char *key)
{
    struct hacl_json **ni = hacl_realloc(c->items, (c->count + 1) * sizeof *ni);
    if (!ni)
        goto oom;
    c->items = ni;
    if (c->type == HACL_JSON_OBJECT) {
        char **nk = hacl_realloc(c->keys, (c->count + 1) * sizeof *nk);
        if (!nk)
            goto oom;
        c->keys = nk;
        c->keys[c->count] = key;
    }
    c->items[c->count++] = child;
    return 0;
oom:
    ps->oom = 1;
    hacl_json_free(child);
    hacl_free(key);
    return -1;
}

static struct hacl_json *parse_container(struct parser *ps, int depth, int is_object)
{
    char close = is_object ? '}' : ']';
    struct hacl_json *c = new_value(ps, is_object ? HACL_JSON_OBJECT : HACL_JSON_ARRAY);
    if (!c)
        return NULL;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return c;
    }
    for (;;) {
        char *key = NULL;
        skip_ws(ps);
        if (is_object) {
            if (ps->p >= ps->end || *ps->p != '"') {
                fail(ps, "expected a member name");
                goto bad;
            }
            key = parse_string(ps);
            if (!key)
                goto bad;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                hacl_free(key);
                fail(ps, "expected ':' after a member name");
                goto bad;
            }
            ps->p++;
        }
        struct hacl_json *child = parse_value(ps, depth + 1);
        if (!child) {
            hacl_free(key);
            goto bad;
        }
        if (append(ps, c, child, key) != 0)
            goto bad;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            return c;
        }
        fail(ps, is_object ? "expected ',' or '}'" : "expected ',' or ']'");
        goto bad;
    }
bad:
    hacl_json_free(c);
    return NULL;
}

static int match(struct parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, word, n) == 0) {
        ps->p += n;
        return 1;
    }
    return 0;
}

static struct hacl_json *parse_number(struct parser *ps)
{
    const char *s = ps->p;
    if (ps->p < ps->end && *ps->p == '-')
        ps->p++;
    if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
        fail(ps, "invalid value");
        return NULL;
    }
    while (ps->p < ps->end && ((*ps->p >= '0' && *ps->p <= '9') || *ps->p == '.' || *ps->p == 'e' ||
                               *ps->p == 'E' || *ps->p == '+' || *ps->p == '-'))
        ps->p++;
    char buf[64];
    size_t n = (size_t)(ps->p - s);
    if (n >= sizeof buf) {
        fail(ps, "number too long");
        return NULL;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *endp;
    double d = strtod(buf, &endp);
    if (*endp != '\0') {
        fail(ps, "malformed number");
        return NULL;
    }
    struct hacl_json *v = new_value(ps, HACL_JSON_NUMBER);
    if (v)
        v->number = d;
    return v;
}

static struct hacl_json *parse_value(struct parser *ps, int depth)
{
    if (depth > MAX_DEPTH) {
        fail(ps, "nesting too deep");
        return NULL;
    }
    skip_ws(ps);
    if (ps->p >= ps->end) {
        fail(ps, "unexpected end of input");
        return NULL;
    }
    struct hacl_json *v;
    switch (*ps->p) {
    case '{': return parse_container(ps, depth, 1);
    case '[': return parse_container(ps, depth, 0);
    case '"': {
        char *s = parse_string(ps);
        if (!s)
            return NULL;
        v = new_value(ps, HACL_JSON_STRING);
        if (!v)
            hacl_free(s);
        else
            v->string = s;
        return v;
    }
    default:
        if (match(ps, "true")) {
            v = new_value(ps, HACL_JSON_BOOL);
            if (v)
                v->boolean = 1;
            return v;
        }
        if (match(ps, "false"))
            return new_value(ps, HACL_JSON_BOOL);
        if (match(ps, "null"))
            return new_value(ps, HACL_JSON_NULL);
        return parse_number(ps);
    }
}

int hacl_json_parse(const char *text, size_t len, struct hacl_json **out, char *err, size_t errlen)
{
    struct parser ps = {text, text + len, err, errlen, 0};
    if (err && errlen)
        err[0] = '\0';
    struct hacl_json *v = parse_value(&ps, 0);
    if (v) {
        skip_ws(&ps);
        if (ps.p != ps.end) {
            hacl_json_free(v);
            v = NULL;
            fail(&ps, "unexpected text after the document");
        }
    }
    if (!v) {
        if (ps.oom) {
            fail(&ps, "out of memory");
            return -2;
        }
        if (err && errlen) {
            char where[48];
            snprintf(where, sizeof where, " at byte %zu", (size_t)(ps.p - text));
            size_t l = strlen(err);
            snprintf(err + l, errlen - l, "%s", where);
        }
        return -1;
    }
    *out = v;
    return 0;
}

void hacl_json_free(struct hacl_json *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->count; i++) {
        hacl_json_free(v->items[i]);
        if (v->keys)
            hacl_free(v->keys[i]);
    }
    hacl_free(v->items);
    hacl_free(v->keys);
    hacl_free(v->string);
    hacl_free(v);
}

const struct hacl_json *hacl_json_get(const struct hacl_json *obj, const char *key)
{
    if (!obj || obj->type != HACL_JSON_OBJECT)
        return NULL;
    for (size_t i = obj->count; i-- > 0;)
        if (strcmp(obj->keys[i], key) == 0)
            return obj->items[i];
    return NULL;
}
