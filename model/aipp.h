/*
 * hostacl internal: AIPP, the image preprocessing an offline model does
 * before its first layer (colour-space conversion, crop, padding, channel
 * swaps, mean/min/variance normalisation), static (configured at
 * conversion) or dynamic (configured per execution through an extra input
 * that aclmdlSetInputAIPP fills). docs/semantics.md, "AIPP", gives the
 * arithmetic.
 *
 * Thread: any (no shared state).
 */
#ifndef HOSTACL_MODEL_AIPP_H
#define HOSTACL_MODEL_AIPP_H

#include <stddef.h>
#include <stdint.h>

#include "acl/acl_mdl.h"
#include "onnx.h"

/* The per-image part (a dynamic AIPP object has one per batch index). */
struct hacl_aipp_img {
    int8_t crop, scf, pad;
    int32_t crop_x, crop_y, crop_w, crop_h;
    int32_t scf_in_w, scf_in_h, scf_out_w, scf_out_h;
    int32_t pad_t, pad_b, pad_l, pad_r;
    int16_t mean[4];
    float min[4], var[4]; /* rounded to binary16, as the hardware holds them */
};

/* One aipp_op block of a configuration file (or a dynamic AIPP object's
 * shared part). */
struct hacl_aipp {
    int mode;       /* 1 static, 2 dynamic */
    uint32_t input; /* related_input_rank */
    int format;     /* aclAippInputFormat */
    int32_t src_w, src_h;
    int8_t csc, rbuv_swap, ax_swap;
    int32_t matrix[9];
    int32_t out_bias[3], in_bias[3];
    float pad_value;
    uint32_t max_src_size;
    struct hacl_aipp_img img;
};

/* Parses the text of an --insert_op_conf file (protobuf text format of
 * aipp_op blocks): *out (hacl_free) with *n blocks, defaults filled in as
 * ATC does, or an error naming the line. */
aclError hacl_aipp_conf_parse(const char *text, size_t len, struct hacl_aipp **out, size_t *n, char *why,
                              size_t whylen);

/* Bytes of one image of that format and size (0: format not handled). */
size_t hacl_aipp_image_bytes(int format, int64_t w, int64_t h);
/* 1 for the YUV family (CSC subtracts input biases), 0 for RGB family. */
int hacl_aipp_is_yuv(int format);
/* Source channels a format carries (1, 3 or 4); 0: not handled. */
int hacl_aipp_channels(int format);
/* The output size of an image: crop (or source) plus padding. */
void hacl_aipp_out_size(const struct hacl_aipp *a, const struct hacl_aipp_img *im, int64_t *w, int64_t *h);

/* Checks one image's parameters against the source and the model input
 * (n images of c x h x w): 0, or an aclError with why. */
aclError hacl_aipp_check(const struct hacl_aipp *a, const struct hacl_aipp_img *im, int64_t h, int64_t w,
                         char *why, size_t whylen);

/* ---- the packed dynamic-AIPP parameter block (64 + 96 per image) ---- */
#define HACL_AIPP_HEAD 64
#define HACL_AIPP_PER_IMAGE 96
void hacl_aipp_pack(const struct hacl_aipp *a, const struct hacl_aipp_img *imgs, uint64_t n, uint8_t *out);
/* Reads a block back into a and up to max images: how many it read (the
 * first max of a larger block), 0 when malformed. */
uint64_t hacl_aipp_unpack(const uint8_t *in, size_t len, struct hacl_aipp *a, struct hacl_aipp_img *imgs,
                          uint64_t max);

/* The node that runs AIPP (op "HaclAipp"): inputs image (uint8) and, for
 * dynamic AIPP, the parameter block; output the model input (float32 or
 * float16, NCHW or NHWC). */
struct hacl_aipp_node {
    struct hacl_aipp a;
    int64_t n, c, h, w; /* the model input it produces */
    int nhwc;
};

#endif
