/*
 * The AIPP configuration file given to atc --insert_op_conf: protobuf text
 * format, one `aipp_op { field: value ... }` block per processed input.
 * Unknown fields, values out of range and fields repeated are refused with
 * the line named, as ATC refuses them; what a block leaves out gets ATC's
 * defaults (see aipp.h and docs/semantics.md).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aipp.h"
#include "device/alloc.h"
#include "device/half.h"

#define MAX_BLOCKS 64

struct lexer {
    const char *p, *end;
    int line;
    char *why;
    size_t whylen;
};

static aclError bad(struct lexer *lx, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(lx->why, lx->whylen, "AIPP configuration, line %d: %s", lx->line, msg);
    return ACL_ERROR_INVALID_PARAM;
}

static void skip_space(struct lexer *lx)
{
    while (lx->p < lx->end) {
        char c = *lx->p;
        if (c == '\n')
            lx->line++;
        if (c == '#') {
            while (lx->p < lx->end && *lx->p != '\n')
                lx->p++;
            continue;
        }
        if (!isspace((unsigned char)c) && c != ';' && c != ',')
            return;
        lx->p++;
    }
}

/* A token: an identifier or number (letters, digits, _ . + -), a quoted
 * string, or one of : { }. Returns its length (0 at the end). */
static size_t token(struct lexer *lx, char *buf, size_t buflen)
{
    skip_space(lx);
    if (lx->p >= lx->end)
        return 0;
    const char *s = lx->p;
    if (*s == ':' || *s == '{' || *s == '}') {
        lx->p++;
        buf[0] = *s;
        buf[1] = '\0';
        return 1;
    }
    if (*s == '"' || *s == '\'') {
        const char *q = memchr(s + 1, *s, (size_t)(lx->end - s - 1));
        size_t n = q ? (size_t)(q - s - 1) : 0;
        if (!q || n >= buflen)
            return 0;
        memcpy(buf, s + 1, n);
        buf[n] = '\0';
        lx->p = q + 1;
        return n ? n : (size_t)-1;
    }
    size_t n = 0;
    while (lx->p < lx->end && (isalnum((unsigned char)*lx->p) || strchr("_.+-", *lx->p))) {
        if (n + 1 < buflen)
            buf[n++] = *lx->p;
        lx->p++;
    }
    buf[n] = '\0';
    if (!n) /* a character no token starts with */
        buf[0] = *lx->p, buf[1] = '\0';
    return n;
}

enum ftype { F_MODE, F_FORMAT, F_BOOL, F_INT, F_UINT, F_FLOAT };

/* The fields of aipp_op: where each goes, and its range. */
struct field {
    const char *name;
    enum ftype type;
    size_t off; /* offset in struct hacl_aipp */
    double lo, hi;
    int bit; /* its bit in the block's seen mask */
};

#define A(f) offsetof(struct hacl_aipp, f)
#define I(f) (offsetof(struct hacl_aipp, img) + offsetof(struct hacl_aipp_img, f))
static const struct field fields[] = {
    {"aipp_mode", F_MODE, A(mode), 0, 2, 0},
    {"related_input_rank", F_UINT, A(input), 0, 4096, 1},
    {"input_format", F_FORMAT, A(format), 0, 0, 2},
    {"src_image_size_w", F_INT, A(src_w), 0, 4096, 3},
    {"src_image_size_h", F_INT, A(src_h), 0, 4096, 4},
    {"crop", F_BOOL, I(crop), 0, 1, 5},
    {"load_start_pos_w", F_INT, I(crop_x), 0, 4095, 6},
    {"load_start_pos_h", F_INT, I(crop_y), 0, 4095, 7},
    {"crop_size_w", F_INT, I(crop_w), 0, 4096, 8},
    {"crop_size_h", F_INT, I(crop_h), 0, 4096, 9},
    {"padding", F_BOOL, I(pad), 0, 1, 10},
    {"left_padding_size", F_INT, I(pad_l), 0, 32, 11},
    {"right_padding_size", F_INT, I(pad_r), 0, 32, 12},
    {"top_padding_size", F_INT, I(pad_t), 0, 32, 13},
    {"bottom_padding_size", F_INT, I(pad_b), 0, 32, 14},
    {"padding_value", F_FLOAT, A(pad_value), -65504, 65504, 15},
    {"csc_switch", F_BOOL, A(csc), 0, 1, 16},
    {"rbuv_swap_switch", F_BOOL, A(rbuv_swap), 0, 1, 17},
    {"ax_swap_switch", F_BOOL, A(ax_swap), 0, 1, 18},
    {"max_src_image_size", F_UINT, A(max_src_size), 1, 4294967295.0, 19},
    {"matrix_r0c0", F_INT, A(matrix[0]), -32768, 32767, 20},
    {"matrix_r0c1", F_INT, A(matrix[1]), -32768, 32767, 21},
    {"matrix_r0c2", F_INT, A(matrix[2]), -32768, 32767, 22},
    {"matrix_r1c0", F_INT, A(matrix[3]), -32768, 32767, 23},
    {"matrix_r1c1", F_INT, A(matrix[4]), -32768, 32767, 24},
    {"matrix_r1c2", F_INT, A(matrix[5]), -32768, 32767, 25},
    {"matrix_r2c0", F_INT, A(matrix[6]), -32768, 32767, 26},
    {"matrix_r2c1", F_INT, A(matrix[7]), -32768, 32767, 27},
    {"matrix_r2c2", F_INT, A(matrix[8]), -32768, 32767, 28},
    {"output_bias_0", F_INT, A(out_bias[0]), 0, 255, 29},
    {"output_bias_1", F_INT, A(out_bias[1]), 0, 255, 30},
    {"output_bias_2", F_INT, A(out_bias[2]), 0, 255, 31},
    {"input_bias_0", F_INT, A(in_bias[0]), 0, 255, 32},
    {"input_bias_1", F_INT, A(in_bias[1]), 0, 255, 33},
    {"input_bias_2", F_INT, A(in_bias[2]), 0, 255, 34},
    {"mean_chn_0", F_INT, I(mean[0]), 0, 255, 35},
    {"mean_chn_1", F_INT, I(mean[1]), 0, 255, 36},
    {"mean_chn_2", F_INT, I(mean[2]), 0, 255, 37},
    {"mean_chn_3", F_INT, I(mean[3]), 0, 255, 38},
    {"min_chn_0", F_FLOAT, I(min[0]), 0, 255, 39},
    {"min_chn_1", F_FLOAT, I(min[1]), 0, 255, 40},
    {"min_chn_2", F_FLOAT, I(min[2]), 0, 255, 41},
    {"min_chn_3", F_FLOAT, I(min[3]), 0, 255, 42},
    {"var_reci_chn_0", F_FLOAT, I(var[0]), -65504, 65504, 43},
    {"var_reci_chn_1", F_FLOAT, I(var[1]), -65504, 65504, 44},
    {"var_reci_chn_2", F_FLOAT, I(var[2]), -65504, 65504, 45},
    {"var_reci_chn_3", F_FLOAT, I(var[3]), -65504, 65504, 46},
    /* accepted, recorded by ATC, without effect here (as on the device) */
    {"support_rotation", F_BOOL, 0, 0, 1, 47},
    {"single_line_mode", F_BOOL, 0, 0, 1, 48},
    {"cpadding_value", F_FLOAT, 0, -65504, 65504, 49},
    {"raw_rgbir_to_f16_n", F_UINT, 0, 0, 31, 50},
    {"related_input_name", F_UINT, 0, 0, 0, 51},
    {"input_edge_idx", F_UINT, 0, 0, 4096, 52},
    {"resize", F_BOOL, 0, 0, 1, 53},
    {"resize_output_w", F_INT, 0, 0, 1920, 54},
    {"resize_output_h", F_INT, 0, 0, 4096, 55},
};
#define BIT(b) ((uint64_t)1 << (b))
#define SEEN_MATRIX (BIT(20) | BIT(21) | BIT(22) | BIT(23) | BIT(24) | BIT(25) | BIT(26) | BIT(27) | BIT(28))

static const char *const format_names[] = {
    "UNDEFINED", "YUV420SP_U8", "XRGB8888_U8", "RGB888_U8", "YUV400_U8", "NC1HWC0DI_FP16", "NC1HWC0DI_S8",
    "ARGB8888_U8", "YUYV_U8", "YUV422SP_U8", "AYUV444_U8", "RAW10", "RAW12", "RAW16", "RAW24",
};

static int parse_bool(const char *v)
{
    static const char *const t[] = {"true", "t", "1", "True", "TRUE"}, *const f[] = {"false", "f", "0", "False",
                                                                                        "FALSE"};
    for (size_t i = 0; i < 5; i++) {
        if (!strcmp(v, t[i]))
            return 1;
        if (!strcmp(v, f[i]))
            return 0;
    }
    return -1;
}

static aclError set_field(struct lexer *lx, struct hacl_aipp *a, const struct field *f, const char *v)
{
    if (f->name[0] == 'r' && !strcmp(f->name, "related_input_name"))
        return bad(lx, "related_input_name names Caffe layers; ONNX models choose the input with related_input_rank");
    if (f->name[0] == 'r' && !strncmp(f->name, "resize", 6)) {
        int on = f->type == F_BOOL ? parse_bool(v) : 1;
        if (on == 1 && strcmp(v, "0") != 0)
            return bad(lx, "%s: AIPP scaling is reserved (not available in static AIPP)", f->name);
        return ACL_SUCCESS;
    }
    char *end = NULL;
    double d = 0;
    switch (f->type) {
    case F_MODE:
        if (!strcmp(v, "static"))
            a->mode = 1;
        else if (!strcmp(v, "dynamic"))
            a->mode = 2;
        else
            return bad(lx, "aipp_mode is '%s'; static or dynamic expected", v);
        return ACL_SUCCESS;
    case F_FORMAT:
        for (size_t i = 1; i < sizeof format_names / sizeof format_names[0]; i++)
            if (!strcmp(v, format_names[i])) {
                a->format = (int)i;
                return ACL_SUCCESS;
            }
        return bad(lx, "input_format '%s' is not an AIPP input format", v);
    case F_BOOL: {
        int b = parse_bool(v);
        if (b < 0)
            return bad(lx, "%s is '%s'; true or false expected", f->name, v);
        if (f->off)
            *(int8_t *)((char *)a + f->off) = (int8_t)b;
        return ACL_SUCCESS;
    }
    default:
        break;
    }
    errno = 0;
    d = strtod(v, &end);
    if (!*v || *end || errno || !isfinite(d))
        return bad(lx, "%s is '%s'; a number expected", f->name, v);
    if ((f->type == F_INT || f->type == F_UINT) && d != floor(d))
        return bad(lx, "%s is '%s'; an integer expected", f->name, v);
    if (d < f->lo || d > f->hi)
        return bad(lx, "%s is %s; it must lie in [%g, %g]", f->name, v, f->lo, f->hi);
    if (!f->off)
        return ACL_SUCCESS;
    void *dst = (char *)a + f->off;
    if (f->type == F_FLOAT)
        *(float *)dst = (float)d;
    else if (f->off >= I(mean[0]) && f->off <= I(mean[3]))
        *(int16_t *)dst = (int16_t)d;
    else if (f->type == F_UINT)
        *(uint32_t *)dst = (uint32_t)d;
    else
        *(int32_t *)dst = (int32_t)d;
    return ACL_SUCCESS;
}

/* ATC's fill-ins for what a block left out, then the block's own checks. */
static aclError finish(struct lexer *lx, struct hacl_aipp *a, uint64_t seen)
{
    if (!a->mode)
        return bad(lx, "the aipp_op block has no aipp_mode");
    if (a->mode == 2) {
        if (!a->max_src_size)
            return bad(lx, "dynamic AIPP needs max_src_image_size");
        return ACL_SUCCESS;
    }
    if (!a->format)
        return bad(lx, "static AIPP needs input_format");
    if (!hacl_aipp_channels(a->format))
        return bad(lx, "input_format %s is not supported by hostacl's AIPP", format_names[a->format]);
    if (a->csc && !(seen & SEEN_MATRIX)) {
        static const int32_t yuv2bgr[9] = {298, 516, 0, 298, -100, -208, 298, 0, 409};
        static const int32_t rgb2yuv[9] = {66, 129, 25, -38, -74, 112, 112, -94, -18};
        memcpy(a->matrix, a->format == ACL_YUV420SP_U8 ? yuv2bgr : rgb2yuv, sizeof a->matrix);
    }
    static const int32_t bias[3] = {16, 128, 128};
    for (int i = 0; i < 3; i++) {
        if (!(seen & BIT(29 + i)))
            a->out_bias[i] = bias[i];
        if (!(seen & BIT(32 + i)))
            a->in_bias[i] = bias[i];
    }
    if (a->csc && a->format == ACL_YUV400_U8)
        return bad(lx, "csc_switch needs a colour input; YUV400_U8 is grey");
    struct hacl_aipp_img *im = &a->img;
    if (!im->crop)
        im->crop_x = im->crop_y = im->crop_w = im->crop_h = 0;
    if (!im->pad)
        im->pad_t = im->pad_b = im->pad_l = im->pad_r = 0;
    if (a->format == ACL_YUV420SP_U8 && ((a->src_w | a->src_h) & 1))
        return bad(lx, "YUV420SP_U8 needs an even src_image_size_w and src_image_size_h (%d x %d)", a->src_w,
                   a->src_h);
    if (a->format == ACL_YUV420SP_U8 && im->crop && ((im->crop_x | im->crop_y) & 1))
        return bad(lx, "YUV420SP_U8 crops from an even load_start_pos_w and load_start_pos_h (%d, %d)", im->crop_x,
                   im->crop_y);
    return ACL_SUCCESS;
}

aclError hacl_aipp_conf_parse(const char *text, size_t len, struct hacl_aipp **out, size_t *n, char *why,
                              size_t whylen)
{
    struct lexer lx = {text, text + len, 1, why, whylen};
    struct hacl_aipp *blocks = hacl_calloc(MAX_BLOCKS, sizeof *blocks);
    if (!blocks)
        return ACL_ERROR_BAD_ALLOC;
    size_t nb = 0;
    char tok[256], val[256];
    aclError rc = ACL_SUCCESS;
    size_t t;
    while (rc == ACL_SUCCESS && (t = token(&lx, tok, sizeof tok)) != 0) {
        if (t == (size_t)-1 || strcmp(tok, "aipp_op") != 0) {
            rc = bad(&lx, "'%s' where an aipp_op block should start", tok);
            break;
        }
        if (nb == MAX_BLOCKS) {
            rc = bad(&lx, "more than %d aipp_op blocks", MAX_BLOCKS);
            break;
        }
        t = token(&lx, tok, sizeof tok);
        if (t == 1 && tok[0] == ':')
            t = token(&lx, tok, sizeof tok);
        if (t != 1 || tok[0] != '{') {
            rc = bad(&lx, "aipp_op must be followed by '{'");
            break;
        }
        struct hacl_aipp *a = &blocks[nb++];
        for (int i = 0; i < 4; i++)
            a->img.var[i] = 1.0f;
        uint64_t seen = 0;
        for (;;) {
            t = token(&lx, tok, sizeof tok);
            if (t == 0) {
                rc = bad(&lx, "the aipp_op block is not closed with '}'");
                break;
            }
            if (t == 1 && tok[0] == '}')
                break;
            const struct field *f = NULL;
            for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
                if (!strcmp(fields[i].name, tok))
                    f = &fields[i];
            if (!f) {
                rc = bad(&lx, "unknown field '%s' in aipp_op", tok);
                break;
            }
            if (seen & BIT(f->bit)) {
                rc = bad(&lx, "field %s is given twice", f->name);
                break;
            }
            seen |= BIT(f->bit);
            int line = lx.line;
            t = token(&lx, val, sizeof val);
            if (t != 1 || val[0] != ':') {
                rc = bad(&lx, "field %s must be followed by ':'", f->name);
                break;
            }
            t = token(&lx, val, sizeof val);
            if (t == 0 || (t == 1 && strchr(":{}", val[0]))) {
                rc = bad(&lx, "field %s has no value", f->name);
                break;
            }
            lx.line = line;
            if ((rc = set_field(&lx, a, f, val)) != ACL_SUCCESS)
                break;
        }
        if (rc == ACL_SUCCESS)
            rc = finish(&lx, a, seen);
    }
    if (rc == ACL_SUCCESS && nb == 0)
        rc = bad(&lx, "no aipp_op block");
    for (size_t i = 0; rc == ACL_SUCCESS && i < nb; i++) {
        for (int c = 0; c < 4; c++) {
            blocks[i].img.min[c] = hacl_half_to_float(hacl_float_to_half(blocks[i].img.min[c]));
            blocks[i].img.var[c] = hacl_half_to_float(hacl_float_to_half(blocks[i].img.var[c]));
        }
        for (size_t j = 0; j < i; j++)
            if (blocks[j].input == blocks[i].input) {
                snprintf(why, whylen, "AIPP configuration: two aipp_op blocks for input %u", blocks[i].input);
                rc = ACL_ERROR_INVALID_PARAM;
            }
    }
    if (rc != ACL_SUCCESS) {
        hacl_free(blocks);
        return rc;
    }
    *out = blocks;
    *n = nb;
    return ACL_SUCCESS;
}
