/*
 * hostacl internal: configuration read by aclInit.
 *
 * Sources, later ones winning: built-in defaults, the "hostacl" section of the
 * aclInit JSON file, then HOSTACL_* environment variables (docs/semantics.md
 * lists them). Keys hostacl does not know are ignored, as AscendCL ignores
 * options of other products.
 *
 * Thread: the aclInit caller, under hacl_rt.lock.
 */
#ifndef HOSTACL_RUNTIME_CONFIG_H
#define HOSTACL_RUNTIME_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "acl/acl_base.h"

#define HACL_MAX_DEVICES 64
#define HACL_MAX_THREADS 1024
#define HACL_MIN_DEVICE_MEMORY ((size_t)1 << 20)
#define HACL_MAX_CONFIG_FILE ((size_t)64 << 20)

struct hacl_config {
    uint32_t device_count;
    size_t device_memory;
    unsigned compute_threads;
    unsigned worker_threads;
    int err_msg_process; /* err_msg_mode "1": messages kept per process */
    unsigned spin_us;    /* idle workers and report threads spin this long before sleeping */
    int precision;       /* enum hacl_precision: models' default precision mode */
    /* the "profiler" section: a timeline from aclInit to aclFinalize */
    int prof_on;
    unsigned prof_what;  /* HACL_TRACE_* flags */
    uint64_t prof_limit; /* bytes of JSON at most; 0: the default */
    char prof_output[4097];
};

/* Precision modes (the "precision_mode" option), modelled on the platform's
 * model converter: float32 everywhere; convolutions and matrix products in
 * bfloat16 with float32 accumulation; or each tensor in its model type. */
enum hacl_precision { HACL_PREC_FORCE_FP32, HACL_PREC_ALLOW_BF16, HACL_PREC_KEEP_ORIGIN };
/* The mode named s ("force_fp32", "allow_bf16", "must_keep_origin_dtype"),
 * or -1. */
int hacl_precision_parse(const char *s);

void hacl_config_defaults(struct hacl_config *cfg);
/* Fills cfg from defaults, the file at path (NULL: none) and the
 * environment. On error records a message (as aclInit) and returns its code. */
aclError hacl_config_load(const char *path, struct hacl_config *cfg);
/* Parses "123", "64K", "512M", "2G" (powers of 1024): 0, or -1. */
int hacl_parse_size(const char *s, size_t *out);

#endif
