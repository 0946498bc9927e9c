/*
 * Conversion options of an offline model (atc's flags), parsed from the
 * container and applied to each parsed graph at load (see convert.h and
 * docs/semantics.md, "Offline models").
 */
#include "convert.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/alloc.h"
#include "kernels.h"
#include "runtime/config.h"

#define OPT_MAX 65536

static aclError bad(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    return ACL_ERROR_INVALID_PARAM;
}

/* Copies s without spaces. */
static void strip(char *s)
{
    char *d = s;
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            *d++ = *s;
    *d = '\0';
}

/* Parses "a,b,c" into v (at most max): the count, or -1. Empty: 0. */
static int parse_ints(const char *s, int64_t *v, int max, int allow_neg1)
{
    int n = 0;
    if (!*s)
        return 0;
    for (;;) {
        char *end;
        errno = 0;
        long long x = strtoll(s, &end, 10);
        if (end == s || errno || n == max || (x <= 0 && !(allow_neg1 && x == -1)))
            return -1;
        v[n++] = x;
        if (*end == '\0')
            return n;
        if (*end != ',')
            return -1;
        s = end + 1;
        if (!*s) /* a trailing comma */
            return n;
    }
}

static aclError parse_shapes(struct hacl_conv *c, char *v, char *why, size_t whylen)
{
    size_t n = 1;
    for (char *p = v; *p; p++)
        n += *p == ';';
    c->shapes = hacl_calloc(n, sizeof *c->shapes);
    if (!c->shapes)
        return ACL_ERROR_BAD_ALLOC;
    char *save = NULL;
    for (char *item = strtok_r(v, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
        char *colon = strrchr(item, ':');
        if (!colon || colon == item)
            return bad(why, whylen, "--input_shape: '%s' is not name:dims", item);
        *colon = '\0';
        struct hacl_shape_opt *s = &c->shapes[c->nshapes++];
        if (strlen(item) >= sizeof s->name)
            return bad(why, whylen, "--input_shape: the name '%.40s...' is too long", item);
        strcpy(s->name, item);
        s->rank = parse_ints(colon + 1, s->dims, HACL_MAX_RANK, 1);
        if (s->rank < 0)
            return bad(why, whylen,
                       "--input_shape: the dims of '%s' ('%s') are not positive integers or -1 (at most %d)", item,
                       colon + 1, HACL_MAX_RANK);
        for (size_t j = 0; j + 1 < c->nshapes; j++)
            if (!strcmp(c->shapes[j].name, s->name))
                return bad(why, whylen, "--input_shape names '%s' twice", s->name);
    }
    return ACL_SUCCESS;
}

static aclError parse_gears(struct hacl_conv *c, int kind, const char *flag, char *v, char *why, size_t whylen)
{
    if (c->gear_kind)
        return bad(why, whylen, "--%s: only one of --dynamic_batch_size, --dynamic_image_size and --dynamic_dims "
                                "may be given", flag);
    c->gear_kind = kind;
    c->gears = hacl_calloc((size_t)HACL_MAX_GEARS * HACL_MAX_RANK * 4, sizeof *c->gears);
    if (!c->gears)
        return ACL_ERROR_BAD_ALLOC;
    size_t per = kind == HACL_GEARS_BATCH ? 1 : kind == HACL_GEARS_HW ? 2 : 0;
    char *save = NULL;
    if (kind == HACL_GEARS_BATCH) { /* "1,2,4": one value per gear */
        int64_t vals[HACL_MAX_GEARS + 1];
        int n = parse_ints(v, vals, HACL_MAX_GEARS + 1, 0);
        if (n < 0)
            return bad(why, whylen, "--%s: '%s' is not a list of positive integers", flag, v);
        for (int i = 0; i < n; i++)
            c->gears[i] = vals[i];
        c->ngears = (size_t)n;
        c->gear_len = 1;
    } else {
        for (char *g = strtok_r(v, ";", &save); g; g = strtok_r(NULL, ";", &save)) {
            if (c->ngears == HACL_MAX_GEARS)
                return bad(why, whylen, "--%s: more than %d gears", flag, HACL_MAX_GEARS);
            int64_t vals[HACL_MAX_RANK * 4];
            int n = parse_ints(g, vals, HACL_MAX_RANK * 4, 0);
            if (n <= 0 || (per && (size_t)n != per))
                return bad(why, whylen, "--%s: gear '%s' is not %s", flag, g,
                           per ? "two positive integers (height,width)" : "a list of positive integers");
            if (c->ngears && (size_t)n != c->gear_len)
                return bad(why, whylen, "--%s: gear '%s' has %d values; the first has %zu", flag, g, n, c->gear_len);
            c->gear_len = (size_t)n;
            memcpy(c->gears + c->ngears * c->gear_len, vals, (size_t)n * sizeof *vals);
            c->ngears++;
        }
    }
    if (c->ngears < 2 || c->ngears > HACL_MAX_GEARS)
        return bad(why, whylen, "--%s: %zu gears; 2 to %d are needed", flag, c->ngears, HACL_MAX_GEARS);
    for (size_t i = 0; i < c->ngears; i++)
        for (size_t j = 0; j < i; j++)
            if (!memcmp(c->gears + i * c->gear_len, c->gears + j * c->gear_len, c->gear_len * sizeof *c->gears))
                return bad(why, whylen, "--%s: gear %zu repeats gear %zu", flag, i, j);
    /* the largest gear: most elements (the product of its values) */
    double best = -1;
    for (size_t i = 0; i < c->ngears; i++) {
        double p = 1;
        for (size_t k = 0; k < c->gear_len; k++)
            p *= (double)c->gears[i * c->gear_len + k];
        if (p > best) {
            best = p;
            c->max_gear = i;
        }
    }
    return ACL_SUCCESS;
}

/* FP32, FP16, UINT8, ... as ONNX types (0: unknown). */
static int type_by_name(const char *s)
{
    static const struct {
        const char *name;
        int type;
    } t[] = {{"FP32", 1}, {"FP16", 10}, {"UINT8", 2}, {"INT8", 3}, {"UINT16", 4}, {"INT16", 5},
             {"INT32", 6}, {"INT64", 7}, {"UINT32", 12}, {"UINT64", 13}, {"DOUBLE", 11}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(s, t[i].name))
            return t[i].type;
    return 0;
}

static aclError parse_outs(struct hacl_conv *c, char *v, char *why, size_t whylen)
{
    size_t n = 1;
    for (char *p = v; *p; p++)
        n += *p == ';';
    c->outs = hacl_calloc(n, sizeof *c->outs);
    if (!c->outs)
        return ACL_ERROR_BAD_ALLOC;
    char *save = NULL;
    for (char *item = strtok_r(v, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
        struct hacl_out_sel *o = &c->outs[c->nouts++];
        o->idx = -1;
        char *colon = strrchr(item, ':');
        char *end = NULL;
        if (colon) {
            long idx = strtol(colon + 1, &end, 10);
            if (end != colon + 1 && !*end && idx >= 0) {
                o->idx = idx;
                *colon = '\0';
            }
        }
        if (strlen(item) >= sizeof o->name || !*item)
            return bad(why, whylen, "--out_nodes: '%s' is not node:index or an output name", item);
        strcpy(o->name, item);
    }
    return ACL_SUCCESS;
}

static aclError parse_out_type(struct hacl_conv *c, char *v, char *why, size_t whylen)
{
    if (!strchr(v, ':')) {
        if (!(c->out_type = type_by_name(v)))
            return bad(why, whylen, "--output_type: '%s' is not FP32, FP16, UINT8, INT8, INT16, UINT16, INT32, "
                                    "UINT32, INT64, UINT64 or DOUBLE", v);
        return ACL_SUCCESS;
    }
    /* node:index:TYPE for outputs chosen with --out_nodes */
    char *save = NULL;
    for (char *item = strtok_r(v, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
        char *tc = strrchr(item, ':');
        int t = tc ? type_by_name(tc + 1) : 0;
        if (!t)
            return bad(why, whylen, "--output_type: '%s' is not node:index:TYPE", item);
        *tc = '\0';
        char *ic = strrchr(item, ':');
        long idx = ic ? strtol(ic + 1, NULL, 10) : -1;
        if (ic)
            *ic = '\0';
        size_t k = 0;
        while (k < c->nouts && !(strcmp(c->outs[k].name, item) == 0 && c->outs[k].idx == idx))
            k++;
        if (k == c->nouts)
            return bad(why, whylen, "--output_type names %s:%ld, which --out_nodes does not list", item, idx);
        c->outs[k].type = t;
    }
    return ACL_SUCCESS;
}

static aclError parse_fp16(struct hacl_conv *c, char *v)
{
    size_t n = 1;
    for (char *p = v; *p; p++)
        n += *p == ';';
    c->fp16 = hacl_calloc(n, sizeof *c->fp16);
    if (!c->fp16)
        return ACL_ERROR_BAD_ALLOC;
    char *save = NULL;
    for (char *item = strtok_r(v, ";", &save); item; item = strtok_r(NULL, ";", &save))
        snprintf(c->fp16[c->nfp16++], HACL_NAME_MAX, "%s", item);
    return ACL_SUCCESS;
}

aclError hacl_conv_parse(const struct hacl_om *om, struct hacl_conv *c, char *why, size_t whylen)
{
    memset(c, 0, sizeof *c);
    c->precision = -1;
    c->input_format = ACL_FORMAT_UNDEFINED;
    if (!om)
        return ACL_SUCCESS;
    char *v = hacl_malloc(OPT_MAX);
    if (!v)
        return ACL_ERROR_BAD_ALLOC;
    aclError rc = ACL_SUCCESS;
    static const char *const names[] = {"input_shape",      "input_format",       "dynamic_batch_size",
                                        "dynamic_image_size", "dynamic_dims",     "out_nodes",
                                        "output_type",      "input_fp16_nodes",   "precision_mode"};
    for (size_t i = 0; rc == ACL_SUCCESS && i < sizeof names / sizeof names[0]; i++) {
        int got = hacl_om_opt(om, names[i], v, OPT_MAX);
        if (got < 0)
            rc = bad(why, whylen, "--%s is longer than %d bytes", names[i], OPT_MAX - 1);
        if (got <= 0)
            continue;
        if (i != 0 && i != 5 && i != 7)
            strip(v);
        if (!*v)
            continue;
        switch (i) {
        case 0:
            strip(v);
            rc = parse_shapes(c, v, why, whylen);
            break;
        case 1:
            c->input_format = !strcmp(v, "NCHW")    ? ACL_FORMAT_NCHW
                              : !strcmp(v, "NHWC")  ? ACL_FORMAT_NHWC
                              : !strcmp(v, "ND")    ? ACL_FORMAT_ND
                              : !strcmp(v, "NCDHW") ? ACL_FORMAT_NCDHW
                              : !strcmp(v, "NDHWC") ? ACL_FORMAT_NDHWC
                                                    : -1;
            if (c->input_format < 0)
                rc = bad(why, whylen, "--input_format '%s': NCHW, NHWC, ND, NCDHW or NDHWC", v);
            break;
        case 2:
            rc = parse_gears(c, HACL_GEARS_BATCH, names[i], v, why, whylen);
            break;
        case 3:
            rc = parse_gears(c, HACL_GEARS_HW, names[i], v, why, whylen);
            break;
        case 4:
            rc = parse_gears(c, HACL_GEARS_DIMS, names[i], v, why, whylen);
            break;
        case 5:
            strip(v);
            rc = parse_outs(c, v, why, whylen);
            break;
        case 6:
            rc = parse_out_type(c, v, why, whylen);
            break;
        case 7:
            strip(v);
            rc = parse_fp16(c, v);
            break;
        case 8:
            /* bfloat16 compute where the operators take it; float16 modes
             * compute in float32 (hostacl has no float16 kernels worth it) */
            c->precision = strstr(v, "bf16") ? HACL_PREC_ALLOW_BF16 : -1;
            break;
        }
    }
    hacl_free(v);
    if (rc == ACL_SUCCESS && om->aipp)
        rc = hacl_aipp_conf_parse(om->aipp, om->aipp_len, &c->aipp, &c->naipp, why, whylen);
    if (rc == ACL_SUCCESS && c->gear_kind == HACL_GEARS_DIMS && c->input_format != ACL_FORMAT_ND)
        rc = bad(why, whylen, "--dynamic_dims needs --input_format=ND");
    if (rc == ACL_SUCCESS && c->gear_kind == HACL_GEARS_DIMS && c->naipp)
        rc = bad(why, whylen, "--dynamic_dims cannot be combined with --insert_op_conf");
    if (rc == ACL_SUCCESS && c->gear_kind && !c->nshapes)
        rc = bad(why, whylen, "dynamic gears need --input_shape with -1 where the gears go");
    if (rc != ACL_SUCCESS)
        hacl_conv_free(c);
    return rc;
}

void hacl_conv_free(struct hacl_conv *c)
{
    hacl_free(c->shapes);
    hacl_free(c->gears);
    hacl_free(c->fp16);
    hacl_free(c->outs);
    hacl_free(c->aipp);
    memset(c, 0, sizeof *c);
}
