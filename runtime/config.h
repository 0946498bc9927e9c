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
};

void hacl_config_defaults(struct hacl_config *cfg);
/* Fills cfg from defaults, the file at path (NULL: none) and the
 * environment. On error records a message (as aclInit) and returns its code. */
aclError hacl_config_load(const char *path, struct hacl_config *cfg);
/* Parses "123", "64K", "512M", "2G" (powers of 1024): 0, or -1. */
int hacl_parse_size(const char *s, size_t *out);

#endif
