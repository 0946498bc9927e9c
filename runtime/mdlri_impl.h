/*
 * hostacl internal: a model runtime instance's insides, shared by mdlri.c
 * (recording, replay, lifetime) and mdlri_info.c (names, ids, printing).
 */
#ifndef HOSTACL_RUNTIME_MDLRI_IMPL_H
#define HOSTACL_RUNTIME_MDLRI_IMPL_H

#include <pthread.h>

#include "acl/acl_rt.h"
#include "device/scheduler.h"
#include "handle.h"

struct hacl_rtdev;

struct ri_slot {
    _Alignas(16) unsigned char b[HACL_TASK_SLOT];
};

struct ri_part { /* what one stream recorded */
    struct hacl_stream *s; /* referenced while bound or capturing; NULL once unbound */
    int32_t stream_id;
    uint32_t flag;
    int ended;
    size_t n, cap;
    struct ri_slot *tpl;
};

enum ri_state { RI_CAPTURING, RI_BUILDING, RI_READY };

struct hacl_mdlri {
    struct hacl_obj hdr;
    pthread_mutex_t lock;
    struct hacl_rtdev *dev;
    uint32_t id;
    enum ri_state state;
    aclmdlRICaptureMode mode;
    pthread_t owner; /* the thread that began a capture */
    aclError invalid;  /* the capture was invalidated (its stream destroyed) */
    int branches;      /* a label switch was recorded */
    char name[128];
    struct ri_part *parts;
    size_t nparts;
    struct hacl_qnode link; /* in the list of live instances */
};

/* The live instance h, referenced; NULL with the error recorded. */
struct hacl_mdlri *hacl_mdlri_get(const char *api, aclmdlRI h, aclError *rc);

#endif
