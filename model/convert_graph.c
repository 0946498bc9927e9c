/*
 * Applying an offline model's conversion options to a parsed graph, for
 * one gear: input shapes with the gear's values, float16 inputs (a Cast in
 * front), AIPP (a HaclAipp node in front, the input becoming the uint8
 * image), chosen outputs and their types (a Cast behind), and the extra
 * inputs ATC adds (ascend_dynamic_aipp_data, ascend_mbatch_shape_data).
 * Converted inputs and outputs keep the names the application knows; the
 * tensors they replace inside the graph get a suffix.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "convert.h"
#include "device/alloc.h"
#include "kernels.h"

#define T_FLOAT 1
#define T_UINT8 2
#define T_INT32 6
#define T_FLOAT16 10

static aclError bad(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    return ACL_ERROR_INVALID_PARAM;
}

static int input_named(const struct hacl_graph *g, const char *name)
{
    for (size_t i = 0; i < g->ninputs; i++)
        if (!strcmp(g->tensors[g->inputs[i]].name, name))
            return (int)i;
    return -1;
}

static aclError no_such_input(const struct hacl_graph *g, const char *flag, const char *name, char *why,
                              size_t whylen)
{
    char list[256] = "";
    for (size_t i = 0; i < g->ninputs && strlen(list) < 200; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s'%s'", i ? ", " : "",
                 g->tensors[g->inputs[i]].name);
    return bad(why, whylen, "%s names '%s', which is not a model input (the inputs: %s)", flag, name, list);
}

/* Renames tensor t to name+suffix. */
static int rename_tensor(struct hacl_graph *g, int t, const char *suffix)
{
    char buf[HACL_NAME_MAX + 32];
    snprintf(buf, sizeof buf, "%s%s", g->tensors[t].name, suffix);
    char *n = hacl_graph_strdup(g, buf);
    if (!n)
        return -1;
    g->tensors[t].name = n;
    return 0;
}

/* Input k becomes a new tensor of type `type` (the old one's name) feeding
 * the old one through a node inserted first: its index, or -1. */
static int replace_input(struct hacl_graph *g, size_t k, int type, const char *suffix)
{
    int old = g->inputs[k];
    int nt = hacl_graph_add_tensor(g, g->tensors[old].name, type);
    if (nt < 0 || rename_tensor(g, old, suffix) != 0)
        return -1;
    g->inputs[k] = nt;
    return nt;
}

static int append_input(struct hacl_graph *g, const char *name, int type, int rank, const int64_t *dims)
{
    int *in = hacl_realloc(g->inputs, (g->ninputs + 1) * sizeof *in);
    if (!in)
        return -1;
    g->inputs = in;
    int t = hacl_graph_add_tensor(g, name, type);
    if (t < 0)
        return -1;
    g->tensors[t].rank = rank;
    memcpy(g->tensors[t].dims, dims, (size_t)rank * sizeof *dims);
    g->inputs[g->ninputs++] = t;
    return (int)g->ninputs - 1;
}

/* --input_shape with the gear's values where it says -1; dyn marks those
 * positions per input. */
static aclError apply_shapes(const struct hacl_conv *c, struct hacl_graph *g, size_t gear,
                             unsigned char dyn[][HACL_MAX_RANK], char *why, size_t whylen)
{
    const int64_t *gv = c->gear_kind ? c->gears + gear * c->gear_len : NULL;
    size_t used = 0, minus = 0;
    for (size_t s = 0; s < c->nshapes; s++) {
        const struct hacl_shape_opt *o = &c->shapes[s];
        int k = input_named(g, o->name);
        if (k < 0)
            return no_such_input(g, "--input_shape", o->name, why, whylen);
        struct hacl_tensor *t = &g->tensors[g->inputs[k]];
        if (o->rank != t->rank)
            return bad(why, whylen, "--input_shape gives '%s' %d dims; the model input has %d", o->name, o->rank,
                       t->rank);
        int nhwc = c->input_format == ACL_FORMAT_NHWC;
        for (int d = 0; d < o->rank; d++) {
            int64_t v = o->dims[d];
            if (v == -1) {
                minus++;
                dyn[k][d] = 1;
                switch (c->gear_kind) {
                case HACL_GEARS_BATCH:
                    if (d != 0)
                        return bad(why, whylen, "--dynamic_batch_size: '%s' has -1 at dim %d; only the batch (dim 0) "
                                                "may be -1", o->name, d);
                    v = gv[0];
                    break;
                case HACL_GEARS_HW:
                    if (o->rank != 4 || (d != (nhwc ? 1 : 2) && d != (nhwc ? 2 : 3)))
                        return bad(why, whylen, "--dynamic_image_size: '%s' has -1 at dim %d; only H and W of a %s "
                                                "input may be -1", o->name, d, nhwc ? "NHWC" : "NCHW");
                    v = gv[d == (nhwc ? 1 : 2) ? 0 : 1];
                    break;
                case HACL_GEARS_DIMS:
                    if (used == c->gear_len)
                        return bad(why, whylen, "--input_shape has more -1 than the %zu values of each "
                                                "--dynamic_dims gear", c->gear_len);
                    v = gv[used++];
                    break;
                default:
                    return bad(why, whylen, "--input_shape: -1 in '%s' needs --dynamic_batch_size, "
                                            "--dynamic_image_size or --dynamic_dims", o->name);
                }
            }
            t->dims[d] = v;
        }
        if (hacl_tensor_elements(t) < 0)
            return bad(why, whylen, "--input_shape: the dims of '%s' overflow", o->name);
    }
    if (c->gear_kind == HACL_GEARS_DIMS && used != c->gear_len)
        return bad(why, whylen, "each --dynamic_dims gear has %zu values; --input_shape has %zu -1", c->gear_len,
                   used);
    if (c->gear_kind == HACL_GEARS_HW && minus % 2)
        return bad(why, whylen, "--dynamic_image_size needs both H and W as -1");
    if (c->gear_kind && !minus)
        return bad(why, whylen, "dynamic gears need -1 in --input_shape where the gears go");
    /* declared shapes inside the graph were for the original inputs */
    if (c->nshapes)
        for (size_t i = 0; i < g->ntensors; i++)
            if (g->tensors[i].producer >= 0)
                g->tensors[i].rank = -1;
    return ACL_SUCCESS;
}

static aclError apply_fp16(const struct hacl_conv *c, struct hacl_graph *g, char *why, size_t whylen)
{
    for (size_t i = 0; i < c->nfp16; i++) {
        int k = input_named(g, c->fp16[i]);
        if (k < 0)
            return no_such_input(g, "--input_fp16_nodes", c->fp16[i], why, whylen);
        int old = g->inputs[k];
        if (g->tensors[old].onnx_type != T_FLOAT)
            return bad(why, whylen, "--input_fp16_nodes: '%s' is not a float32 input", c->fp16[i]);
        for (size_t a = 0; a < c->naipp; a++)
            if (c->aipp[a].input == (uint32_t)k)
                return bad(why, whylen, "--input_fp16_nodes: '%s' is fed by AIPP", c->fp16[i]);
        int nt = replace_input(g, (size_t)k, T_FLOAT16, ":fp32");
        const void *cast = hacl_graph_int_attr_proto(g, "Cast", "to", T_FLOAT);
        if (nt < 0 || !cast)
            return ACL_ERROR_BAD_ALLOC;
        g->tensors[nt].rank = g->tensors[old].rank;
        memcpy(g->tensors[nt].dims, g->tensors[old].dims, sizeof g->tensors[nt].dims);
        if (hacl_graph_insert_node(g, 0, "Cast", "fp16_input", cast, NULL, &nt, 1, &old, 1) != 0)
            return ACL_ERROR_BAD_ALLOC;
    }
    return ACL_SUCCESS;
}

/* The image input's dims: as the application sees them (rep) and as they
 * are stored (v2, their product the byte size). */
static void image_dims(int format, int64_t n, int64_t h, int64_t w, int64_t *rep, int64_t *v2)
{
    int64_t r[4] = {n, h, w, 3}, s[4] = {n, h, w, 3};
    switch (format) {
    case ACL_YUV420SP_U8:
        s[1] = h * 3 / 2, s[3] = 1;
        break;
    case ACL_YUV422SP_U8:
        s[1] = h * 2, s[3] = 1;
        break;
    case ACL_YUYV_U8:
        s[3] = 2;
        break;
    case ACL_YUV400_U8:
        r[3] = s[3] = 1;
        break;
    case ACL_XRGB8888_U8:
    case ACL_ARGB8888_U8:
    case ACL_AYUV444_U8:
        r[3] = s[3] = 4;
        break;
    default:
        break;
    }
    memcpy(rep, r, sizeof r);
    memcpy(v2, s, sizeof s);
}

static aclError apply_aipp(const struct hacl_conv *c, struct hacl_graph *g, size_t norig, struct hacl_in_info *info,
                           char *why, size_t whylen)
{
    int ndyn = 0;
    for (size_t b = 0; b < c->naipp; b++) {
        const struct hacl_aipp *cfg = &c->aipp[b];
        if (cfg->input >= norig)
            return bad(why, whylen, "AIPP configuration: related_input_rank %u, but the model has %zu inputs",
                       cfg->input, norig);
        size_t k = cfg->input;
        int old = g->inputs[k];
        struct hacl_tensor *t = &g->tensors[old];
        if (t->rank != 4 || (t->onnx_type != T_FLOAT && t->onnx_type != T_FLOAT16))
            return bad(why, whylen, "AIPP feeds input '%s', which is not a 4-D float tensor", t->name);
        int nhwc = c->input_format == ACL_FORMAT_NHWC;
        struct hacl_aipp_node *an = hacl_graph_alloc(g, sizeof *an);
        if (!an)
            return ACL_ERROR_BAD_ALLOC;
        an->a = *cfg;
        an->nhwc = nhwc;
        an->n = t->dims[0];
        an->c = nhwc ? t->dims[3] : t->dims[1];
        an->h = nhwc ? t->dims[1] : t->dims[2];
        an->w = nhwc ? t->dims[2] : t->dims[3];
        if (an->c != 1 && an->c != 3 && an->c != 4)
            return bad(why, whylen, "AIPP feeds input '%s' with %lld channels; AIPP gives 1, 3 or 4", t->name,
                       (long long)an->c);
        struct hacl_in_info *in = &info[k];
        in->src_type = t->onnx_type;
        in->src_rank = 4;
        memcpy(in->src_dims, t->dims, sizeof in->src_dims);
        int params = -1;
        if (cfg->mode == 1) {
            struct hacl_aipp *a = &an->a;
            if (!a->src_w || !a->src_h) {
                if (a->img.crop || a->img.pad)
                    return bad(why, whylen, "AIPP configuration: src_image_size_w/h may be left 0 only without "
                                            "crop and padding");
                if (!a->src_w)
                    a->src_w = (int32_t)an->w;
                if (!a->src_h)
                    a->src_h = (int32_t)an->h;
            }
            if (a->img.crop && (!a->img.crop_w || !a->img.crop_h)) {
                if (a->img.pad)
                    return bad(why, whylen, "AIPP configuration: crop_size_w/h may be left 0 only without padding");
                a->img.crop_w = a->img.crop_w ? a->img.crop_w : (int32_t)an->w;
                a->img.crop_h = a->img.crop_h ? a->img.crop_h : (int32_t)an->h;
            }
            char msg[240];
            if (hacl_aipp_check(a, &a->img, an->h, an->w, msg, sizeof msg) != ACL_SUCCESS)
                return bad(why, whylen, "AIPP configuration for input '%s': %s", t->name, msg);
        }
        int nt = replace_input(g, k, T_UINT8, ":aipp");
        if (nt < 0)
            return ACL_ERROR_BAD_ALLOC;
        in->aipp = &an->a;
        in->kind = cfg->mode == 1 ? HACL_IN_AIPP_STATIC : HACL_IN_AIPP_DYNAMIC;
        in->format = ACL_FORMAT_NHWC;
        struct hacl_tensor *it = &g->tensors[nt];
        if (cfg->mode == 1) {
            image_dims(an->a.format, an->n, an->a.src_h, an->a.src_w, in->dims, in->dims_v2);
            in->rank = in->rank_v2 = 4;
            it->rank = 4;
            memcpy(it->dims, in->dims_v2, 4 * sizeof *it->dims);
        } else {
            int64_t d[2] = {1, cfg->max_src_size};
            memcpy(in->dims, d, sizeof d);
            memcpy(in->dims_v2, d, sizeof d);
            in->rank = in->rank_v2 = 2;
            it->rank = 2;
            memcpy(it->dims, d, sizeof d);
            char name[64];
            if (ndyn++)
                snprintf(name, sizeof name, "%s_%d", ACL_DYNAMIC_AIPP_NAME, ndyn - 1);
            else
                snprintf(name, sizeof name, "%s", ACL_DYNAMIC_AIPP_NAME);
            int64_t pd[1] = {HACL_AIPP_HEAD + HACL_AIPP_PER_IMAGE * an->n};
            int pk = append_input(g, name, T_UINT8, 1, pd);
            if (pk < 0)
                return ACL_ERROR_BAD_ALLOC;
            params = g->inputs[pk];
            in->attached = (size_t)pk;
            struct hacl_in_info *pi = &info[pk];
            pi->kind = HACL_IN_AIPP_DATA;
            pi->rank = pi->rank_v2 = 1;
            pi->dims[0] = pi->dims_v2[0] = pd[0];
            pi->format = ACL_FORMAT_ND;
        }
        int ins[2] = {nt, params};
        if (hacl_graph_insert_node(g, 0, "HaclAipp", "aipp", NULL, an, ins, params >= 0 ? 2 : 1, &old, 1) != 0)
            return ACL_ERROR_BAD_ALLOC;
    }
    return ACL_SUCCESS;
}

/* The tensor an --out_nodes entry names, or -1. */
static int out_tensor(const struct hacl_graph *g, const struct hacl_out_sel *o)
{
    if (o->idx >= 0)
        for (size_t i = 0; i < g->nnodes; i++)
            if (!strcmp(g->nodes[i].name, o->name))
                return (size_t)o->idx < g->nodes[i].noutputs ? g->nodes[i].outputs[o->idx] : -1;
    if (o->idx >= 0) { /* "name:0" may be a tensor's own name */
        char buf[HACL_NAME_MAX + 24];
        snprintf(buf, sizeof buf, "%s:%ld", o->name, o->idx);
        int t = hacl_graph_find(g, buf);
        if (t >= 0)
            return t;
    }
    int t = o->idx < 0 ? hacl_graph_find(g, o->name) : -1;
    return t >= 0 && (g->tensors[t].producer >= 0 || g->tensors[t].is_const) ? t : -1;
}

static aclError apply_outputs(const struct hacl_conv *c, struct hacl_graph *g, char *why, size_t whylen)
{
    if (c->nouts) {
        int *outs = hacl_calloc(c->nouts, sizeof *outs);
        if (!outs)
            return ACL_ERROR_BAD_ALLOC;
        for (size_t i = 0; i < c->nouts; i++) {
            outs[i] = out_tensor(g, &c->outs[i]);
            if (outs[i] < 0) {
                hacl_free(outs);
                if (c->outs[i].idx >= 0)
                    return bad(why, whylen, "--out_nodes: %s:%ld names no node output of the model", c->outs[i].name,
                               c->outs[i].idx);
                return bad(why, whylen, "--out_nodes: '%s' names no tensor of the model", c->outs[i].name);
            }
        }
        hacl_free(g->outputs);
        g->outputs = outs;
        g->noutputs = c->nouts;
    }
    for (size_t i = 0; i < g->noutputs; i++) {
        int type = c->nouts && c->outs[i].type ? c->outs[i].type : c->out_type;
        int old = g->outputs[i];
        if (!type || g->tensors[old].onnx_type == type)
            continue;
        int nt = hacl_graph_add_tensor(g, g->tensors[old].name, type);
        const void *cast = hacl_graph_int_attr_proto(g, "Cast", "to", type);
        if (nt < 0 || !cast || rename_tensor(g, old, ":typed") != 0 ||
            hacl_graph_insert_node(g, g->nnodes, "Cast", "output_type", cast, NULL, &old, 1, &nt, 1) != 0)
            return ACL_ERROR_BAD_ALLOC;
        g->outputs[i] = nt;
    }
    return ACL_SUCCESS;
}

aclError hacl_conv_apply(const struct hacl_conv *c, struct hacl_graph *g, size_t gear, struct hacl_in_info **out,
                         char *why, size_t whylen)
{
    size_t norig = g->ninputs;
    unsigned char(*dyn)[HACL_MAX_RANK] = hacl_calloc(norig ? norig : 1, sizeof *dyn);
    struct hacl_in_info *info = hacl_calloc(norig + c->naipp + 2, sizeof *info);
    if (!dyn || !info) {
        hacl_free(dyn);
        hacl_free(info);
        return ACL_ERROR_BAD_ALLOC;
    }
    aclError rc = apply_shapes(c, g, gear, dyn, why, whylen);
    if (rc == ACL_SUCCESS)
        rc = apply_fp16(c, g, why, whylen);
    if (rc == ACL_SUCCESS)
        rc = apply_aipp(c, g, norig, info, why, whylen);
    if (rc == ACL_SUCCESS)
        rc = apply_outputs(c, g, why, whylen);
    if (rc == ACL_SUCCESS && c->gear_kind) {
        int64_t k = c->gear_kind == HACL_GEARS_BATCH ? 1 : c->gear_kind == HACL_GEARS_HW ? 2 : (int64_t)c->gear_len;
        int gk = append_input(g, ACL_DYNAMIC_TENSOR_NAME, T_INT32, 1, &k);
        if (gk < 0)
            rc = ACL_ERROR_BAD_ALLOC;
        else
            info[gk].kind = HACL_IN_GEAR_DATA;
    }
    /* the rest of each input's description */
    for (size_t i = 0; rc == ACL_SUCCESS && i < g->ninputs; i++) {
        struct hacl_in_info *in = &info[i];
        const struct hacl_tensor *t = &g->tensors[g->inputs[i]];
        if (in->kind == HACL_IN_AIPP_STATIC || in->kind == HACL_IN_AIPP_DYNAMIC || in->kind == HACL_IN_AIPP_DATA)
            continue;
        if (!in->kind)
            in->attached = ACL_INVALID_NODE_INDEX;
        in->rank = in->rank_v2 = t->rank;
        memcpy(in->dims, t->dims, sizeof in->dims);
        memcpy(in->dims_v2, t->dims, sizeof in->dims_v2);
        if (i < norig)
            for (int d = 0; d < t->rank; d++)
                if (dyn[i][d])
                    in->dims[d] = in->dims_v2[d] = -1;
        in->format = in->kind == HACL_IN_GEAR_DATA              ? ACL_FORMAT_ND
                     : c->input_format != ACL_FORMAT_UNDEFINED ? c->input_format
                     : t->rank == 4                            ? ACL_FORMAT_NCHW
                                                               : ACL_FORMAT_ND;
    }
    for (size_t i = 0; i < g->ninputs; i++)
        if (info[i].kind != HACL_IN_AIPP_DYNAMIC)
            info[i].attached = ACL_INVALID_NODE_INDEX;
    hacl_free(dyn);
    if (rc == ACL_SUCCESS && out)
        *out = info;
    else
        hacl_free(info);
    return rc;
}
