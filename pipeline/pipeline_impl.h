/*
 * hostacl internal: the pipeline's shared state and the functions its
 * files share (pipeline.c: creation, ports, stop, destruction; slots.c:
 * streams, slots and running frames; callbacks.c: the callback way;
 * sendrecv.c: send, receive and run; requests.c: requests).
 */
#ifndef HOSTACL_PIPELINE_PIPELINE_IMPL_H
#define HOSTACL_PIPELINE_PIPELINE_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "acl/hacl_pipeline.h"
#include "runtime/handle.h"

#define MAX_STAGES 3
#define MAX_STREAMS 64
#define MAX_PORTS 64

enum { MODE_NONE, MODE_CALLBACK, MODE_SYNC, MODE_REQUEST };
enum { SLOT_FREE, SLOT_FILLING, SLOT_INFLIGHT, SLOT_DONE };

struct stage {
    uint32_t model;
    int owned; /* loaded by the pipeline */
    aclmdlDesc *desc;
    size_t nin, nout;
};

struct slot;

struct haclRequest {
    struct hacl_obj hdr;
    struct slot *slot;
};

/* A request handle is its slot's request object with the submission's
 * number (1..255) in the top byte, which user-space addresses never use:
 * a handle kept after Release is refused even once its slot serves a new
 * request (until that slot has been reused 255 times). */
#define GEN_SHIFT 56
#define GEN_MASK ((uintptr_t)0xff << GEN_SHIFT)

static inline haclRequest *hacl_pl_request_handle(struct haclRequest *r, unsigned gen)
{
    return (haclRequest *)((uintptr_t)r | (uintptr_t)gen << GEN_SHIFT);
}

struct slot {
    struct pstream *ps;
    int state;
    int held;       /* request way: handed to the application */
    unsigned gen;   /* request way: this slot's submissions so far (mod 255) */
    uint64_t frame; /* per stream */
    aclmdlDataset *ds[MAX_STAGES + 1];
    void *in_ptr[MAX_PORTS];  /* the first stage's input buffers */
    void *out_ptr[MAX_PORTS]; /* the last stage's output buffers */
    struct haclRequest *req;
    struct slot *next_free;
};

struct pstream {
    struct haclPipeline *p;
    uint32_t id;
    aclrtStream stream;
    struct slot *slots;
    struct slot *free;
    uint64_t next_frame;
    pthread_t input_thread;
    int has_thread, ended;
};

struct haclPipeline {
    struct hacl_obj hdr;
    aclrtContext ctx;
    struct stage stages[MAX_STAGES];
    int nstages, main_stage;
    uint32_t depth, sync_streams;
    int mode, prepared;
    struct pstream *streams;
    uint32_t nstreams;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t report;
    int has_report;
    atomic_int report_stop;
    int stopping;
    aclError error;
    char error_msg[256];
    uint64_t inflight; /* submitted, not yet completed on the device */
    uint32_t ended_streams;
    haclPipelineStats stats;
    /* callback way */
    haclPipelineInputFn in_fn;
    haclPipelineOutputFn out_fn;
    haclPipelineCancelFn cancel_fn;
    void *in_user, *out_user, *cancel_user;
    /* synchronous and request ways: frames in submission order */
    struct slot **fifo;
    size_t fifo_head, fifo_len, fifo_cap;
    uint32_t rr;
    size_t in_sizes[MAX_PORTS], out_sizes[MAX_PORTS];
    size_t nin, nout;
};

/* ---- shared between the pipeline's files ---- */
void hacl_pl_set_error(struct haclPipeline *p, aclError code, const char *fmt, const char *detail);
aclError hacl_pl_submit_slot(struct haclPipeline *p, struct slot *sl);
void hacl_pl_slot_free(struct slot *sl);
aclError hacl_pl_prepare(const char *api, struct haclPipeline *p, int mode, uint32_t nstreams);
struct haclPipeline *hacl_pl_get(const char *api, const void *h);
void hacl_pl_cancel_frame(struct haclPipeline *p, struct slot *sl);
int hacl_pl_wait_until(struct haclPipeline *p, const struct timespec *deadline);
void hacl_pl_deadline_after(struct timespec *ts, int32_t ms);
aclError hacl_pl_send_frame(const char *api, struct haclPipeline *p, int mode, const void *const *inputs,
                           const size_t *sizes, size_t count, int32_t timeoutMs, struct slot **out);
aclError hacl_pl_check_ports(const char *api, const size_t *want, size_t nwant, const size_t *sizes, size_t count,
                            const void *const *bufs, int exact);
void hacl_pl_fifo_remove(struct haclPipeline *p, struct slot *sl);
void hacl_pl_free_streams(struct haclPipeline *p);

#endif
