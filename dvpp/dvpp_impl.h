/*
 * hostacl internal: libacl_dvpp, the DVPP image calls (acl/ops/acl_dvpp.h).
 *
 * The library stands beside libascendcl.so as on CANN: it reaches the
 * runtime through the haclCompanion* entry points (runtime/companion.c) to
 * queue its work on streams, check device memory and record errors, and
 * otherwise uses the public API (acldvppMalloc is aclrtMalloc's memory).
 *
 * Objects handed to the application are checked against a registry of live
 * objects, so a destroyed or foreign descriptor gives an error, not a
 * crash. An *Async call checks its arguments, copies the descriptions and
 * configurations it reads, and queues a task; the task re-checks the
 * memory, runs on a device worker, and writes the output picture and, if
 * the output description is still alive, its fields.
 *
 * Thread: any.
 */
#ifndef HOSTACL_DVPP_DVPP_IMPL_H
#define HOSTACL_DVPP_DVPP_IMPL_H

#define ENABLE_DVPP_INTERFACE 1
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "acl/acl.h"
#include "acl/ops/acl_dvpp.h"

/* ---- the runtime's companion interface ---- */
aclError haclCompanionLaunch(const char *api, aclrtStream stream, aclError (*fn)(void *arg, char *why, size_t whylen),
                             void (*drop)(void *arg), void *arg);
int haclCompanionMemOk(const void *p, size_t n);
aclError haclCompanionError(aclError code, const char *api, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
aclError haclCompanionRequireContext(const char *api);

#define DVPP_ERR(code, ...) haclCompanionError((code), __func__, __VA_ARGS__)

/* ---- live objects ---- */
enum dvpp_kind {
    K_PIC = 1,
    K_BATCH,
    K_ROI,
    K_RESIZE,
    K_JPEGE,
    K_BORDER,
    K_LUT,
    K_HIST,
    K_CHANNEL,
    K_STREAM,
    K_VDEC_CHANNEL,
    K_VDEC_FRAME,
    K_VENC_CHANNEL,
    K_VENC_FRAME,
};
/* Registers / forgets a live object; dvpp_live: 1 when p is a live object
 * of that kind. */
int dvpp_register(const void *p, int kind);
void dvpp_forget(const void *p);
int dvpp_live(const void *p, int kind);
/* ACL_SUCCESS when c is a live channel description whose channel was
 * created; otherwise the error, recorded against api. */
aclError dvpp_check_channel(const char *api, const acldvppChannelDesc *c);
/* A decoder's arguments: a created channel, `size` > 0 bytes at data, and a
 * live output picture description with data. */
aclError dvpp_check_decode(const char *api, const acldvppChannelDesc *c, const void *data, uint32_t size,
                           const acldvppPicDesc *out);
/* The release function of jobs that are one malloc'd block. */
void dvpp_free_job(void *job);
/* Runs fn(p, arg) with p held live (not destroyed meanwhile): 1 if it ran. */
int dvpp_with_live(const void *p, int kind, void (*fn)(void *p, void *arg), void *arg);

struct acldvppPicDesc {
    void *data;
    uint32_t size;
    uint32_t format;
    uint32_t width, height, wstride, hstride;
    uint32_t ret;
    struct acldvppBatchPicDesc *owner; /* a batch's member: destroyed with it */
};

struct acldvppBatchPicDesc {
    uint32_t n;
    struct acldvppPicDesc pics[];
};

struct acldvppRoiConfig {
    uint32_t left, right, top, bottom;
};

struct acldvppResizeConfig {
    uint32_t interpolation;
};

struct acldvppJpegeConfig {
    uint32_t level;
};

struct acldvppChannelDesc {
    uint64_t id;
    uint32_t mode;
    uint32_t csc;
    uint32_t precision;
    int created;
};

/* ---- pictures (picture.c) ---- */
static inline uint32_t dvpp_align(uint32_t v, uint32_t a)
{
    return (v + a - 1) / a * a;
}
/* Bytes of a picture of that format with those strides (0: format not a
 * picture format hostacl handles). */
size_t dvpp_pic_bytes(uint32_t format, uint32_t wstride, uint32_t hstride);
/* A picture region as 4:2:0 semi-planar planes: straight into an NV12 or
 * NV21 picture, or converted into memory of its own (mem) from the other
 * formats. The region is w x h from (x, y), offsets and sizes made even.
 * 0, or -1 when out of memory or the format is not handled. */
struct dvpp_nv12 {
    const uint8_t *y, *uv;
    uint32_t w, h, ystride, uvstride;
    int vu; /* chroma pairs are V, U */
    uint8_t *mem;
};
int dvpp_region_nv12(const struct acldvppPicDesc *pic, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
                     struct dvpp_nv12 *out);
void dvpp_nv12_free(struct dvpp_nv12 *n);
/* Resamples src into the rectangle (dx, dy, dw, dh) of the NV12/NV21 picture
 * out (even offsets and sizes), with interpolation 0..4. */
void dvpp_resample_into(const struct dvpp_nv12 *src, const struct acldvppPicDesc *out, uint32_t dx, uint32_t dy,
                        uint32_t dw, uint32_t dh, uint32_t interpolation);
/* 1 for a format VPC reads. */
int dvpp_vpc_input_format(uint32_t format);

#endif
