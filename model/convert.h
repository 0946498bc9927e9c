/*
 * hostacl internal: the conversion options an offline model carries (atc's
 * flags, recorded in the container) and their application to the parsed
 * ONNX graph at load: input shapes, gears (dynamic batch, image size or
 * dims), float16 inputs, chosen outputs and their types, AIPP.
 *
 * A model with gears is compiled once per gear (convert the graph with the
 * gear's values, infer, compile); hacl_conv_apply edits one parsed graph
 * for one gear.
 *
 * Thread: any (no shared state).
 */
#ifndef HOSTACL_MODEL_CONVERT_H
#define HOSTACL_MODEL_CONVERT_H

#include "aipp.h"
#include "om.h"
#include "onnx.h"

enum { HACL_GEARS_NONE, HACL_GEARS_BATCH, HACL_GEARS_HW, HACL_GEARS_DIMS };
#define HACL_MAX_GEARS 100
#define HACL_NAME_MAX 256

struct hacl_shape_opt {
    char name[HACL_NAME_MAX];
    int rank;
    int64_t dims[HACL_MAX_RANK];
};

struct hacl_out_sel {
    char name[HACL_NAME_MAX]; /* a node name with idx >= 0, or an output name */
    long idx;
    int type; /* ONNX type, 0: as computed */
};

struct hacl_conv {
    struct hacl_shape_opt *shapes;
    size_t nshapes;
    int input_format; /* aclFormat; ACL_FORMAT_UNDEFINED when not given */
    int gear_kind;
    size_t ngears, gear_len;
    int64_t *gears; /* ngears x gear_len values */
    size_t max_gear; /* the gear executions use when none is chosen */
    char (*fp16)[HACL_NAME_MAX];
    size_t nfp16;
    struct hacl_out_sel *outs;
    size_t nouts;
    int out_type; /* ONNX type of every output, 0: as computed */
    struct hacl_aipp *aipp;
    size_t naipp;
    int precision; /* an enum hacl_precision, or -1: the aclInit default */
};

/* How the application sees one model input after conversion. */
enum { HACL_IN_PLAIN, HACL_IN_AIPP_STATIC, HACL_IN_AIPP_DYNAMIC, HACL_IN_AIPP_DATA, HACL_IN_GEAR_DATA };
struct hacl_in_info {
    int kind;
    int rank, rank_v2;
    int64_t dims[HACL_MAX_RANK];    /* aclmdlGetInputDims: -1 where a gear decides */
    int64_t dims_v2[HACL_MAX_RANK]; /* aclmdlGetInputDimsV2 */
    int format;                     /* aclFormat */
    size_t attached;                /* dynamic AIPP: its parameter input */
    const struct hacl_aipp *aipp;   /* static / dynamic AIPP: its block */
    /* the input before conversion (aclmdlGetFirstAippInfo) */
    int src_type, src_rank;
    int64_t src_dims[HACL_MAX_RANK];
};

/* Parses the options of a container (NULL om: a plain ONNX model, no
 * options): 0, or an error with why naming the flag. */
aclError hacl_conv_parse(const struct hacl_om *om, struct hacl_conv *c, char *why, size_t whylen);
void hacl_conv_free(struct hacl_conv *c);
/* Applies the options to g for gear `gear` (ignored without gears); when
 * info is not NULL, *info gets one entry per model input of the converted
 * graph (hacl_free). */
aclError hacl_conv_apply(const struct hacl_conv *c, struct hacl_graph *g, size_t gear, struct hacl_in_info **info,
                         char *why, size_t whylen);

#endif
