/*
 * hostacl extension: pipelines. Full-speed streaming inference without
 * writing report threads, pools and interval callbacks by hand.
 *
 * A pipeline runs one model (optionally with a preprocessing model before it
 * and a postprocessing model after it, all in one chain) on hostacl's
 * streams, with its own preallocated frame slots (`depth` frames in flight
 * per stream) and its own report thread. It is used in exactly one of three
 * ways, fixed by the first call that uses it:
 *
 *  1. Callbacks. haclPipelineConnectInput + haclPipelineConnectOutput (one
 *     stream of frames), or haclPipelineConnectStreams (several, each with
 *     its stream id). The pipeline calls the input callback from a thread of
 *     its own (one per stream) whenever a slot of that stream is free, runs
 *     the chain asynchronously and calls the output callback from its report
 *     thread with each frame's outputs, in that stream's submission order.
 *     Each stream is bounded by its slots, so a slow stream never holds up
 *     another, and the input side only waits for the output side through
 *     that bound. haclPipelineWait returns when every input has ended and
 *     every frame has been delivered; haclPipelineStop ends early.
 *  2. Synchronous: haclPipelineSend / haclPipelineReceive (frames come out in
 *     the order they went in) and haclPipelineRun (a batch, pipelined).
 *  3. Requests: haclPipelineSubmit returns a request at once, or
 *     ACL_ERROR_RT_QUEUE_FULL when every slot is in flight;
 *     haclRequestReady polls without blocking and without consuming;
 *     haclRequestWait, haclRequestTakeOutputs, haclRequestRelease. One thread
 *     may both submit and poll.
 *
 * Buffers handed to callbacks, and those the calls copy from and to, are
 * host-addressable memory. Every frame that entered the pipeline is either
 * delivered exactly once or reported cancelled exactly once (the cancel
 * callback and haclPipelineStats). Codes: ACL_ERROR_RT_WAIT_TIMEOUT (107019)
 * when a timeout expires (nothing is lost: a frame sent is received later),
 * ACL_ERROR_RT_QUEUE_FULL (207014) when a submit finds no free slot,
 * ACL_ERROR_INVALID_PARAM for misuse (mixing ways, wrong sizes), and the code
 * a callback returned when it stopped the pipeline. Names carry the hacl
 * prefix: AscendCL has no such API.
 */
#ifndef HOSTACL_ACL_HACL_PIPELINE_H
#define HOSTACL_ACL_HACL_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "acl/acl.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct haclPipeline haclPipeline;
typedef struct haclRequest haclRequest;

typedef struct haclPipelineConfig {
    uint32_t depth;   /* frames in flight per stream (slots); 0: 4 */
    uint32_t streams; /* streams for the synchronous and request ways; 0: 1 */
} haclPipelineConfig;

/* What an input callback returns. Any other value stops the pipeline and is
 * returned by haclPipelineWait (values that are not aclError codes become
 * ACL_ERROR_FAILURE). */
#define HACL_PIPELINE_FRAME 0 /* the inputs are filled: run them */
#define HACL_PIPELINE_END 1   /* no more frames on this stream */

/* Fills `inputs[i]` (sizes[i] bytes each, count = the chain's inputs) with
 * the next frame of stream `streamId`. Called on the stream's input thread. */
typedef int (*haclPipelineInputFn)(void *user, uint32_t streamId, void *const *inputs, const size_t *sizes,
                                   size_t count);
/* Receives frame `frame` (numbered from 0 per stream) of stream `streamId`;
 * the buffers are valid during the call. Non-zero stops the pipeline (that
 * value is returned by haclPipelineWait). Called on the report thread. */
typedef int (*haclPipelineOutputFn)(void *user, uint32_t streamId, uint64_t frame, const void *const *outputs,
                                    const size_t *sizes, size_t count);
/* A frame that entered the pipeline but will not be delivered (stop, or an
 * error elsewhere). */
typedef void (*haclPipelineCancelFn)(void *user, uint32_t streamId, uint64_t frame);

typedef struct haclPipelineStats {
    uint64_t submitted; /* frames that entered the chain */
    uint64_t delivered; /* frames whose outputs were delivered */
    uint64_t cancelled; /* frames reported cancelled */
} haclPipelineStats;

/* A pipeline on a loaded model (the caller keeps it loaded until
 * haclPipelineDestroy) or on a model file (loaded and unloaded by the
 * pipeline). Needs a current context; cfg may be NULL. */
ACL_FUNC_VISIBILITY aclError haclPipelineCreate(uint32_t modelId, const haclPipelineConfig *cfg,
                                                haclPipeline **pipeline);
ACL_FUNC_VISIBILITY aclError haclPipelineCreateFromFile(const char *modelPath, const haclPipelineConfig *cfg,
                                                        haclPipeline **pipeline);

/* Optional models before and after the main one, from ONNX files, set before
 * the pipeline is first used: the preprocessing model's outputs feed the
 * main model's inputs and the main model's outputs feed the postprocessing
 * model's inputs (counts and sizes must match). */
ACL_FUNC_VISIBILITY aclError haclPipelineSetPreprocessingModel(haclPipeline *pipeline, const char *modelPath);
ACL_FUNC_VISIBILITY aclError haclPipelineSetPostprocessingModel(haclPipeline *pipeline, const char *modelPath);

/* The chain's ports: how many, their byte sizes, and which model tensor each
 * is (the first model's inputs, the last model's outputs). */
ACL_FUNC_VISIBILITY size_t haclPipelineGetNumInputs(const haclPipeline *pipeline);
ACL_FUNC_VISIBILITY size_t haclPipelineGetNumOutputs(const haclPipeline *pipeline);
ACL_FUNC_VISIBILITY size_t haclPipelineGetInputSize(const haclPipeline *pipeline, size_t port);
ACL_FUNC_VISIBILITY size_t haclPipelineGetOutputSize(const haclPipeline *pipeline, size_t port);
ACL_FUNC_VISIBILITY const char *haclPipelineInportAssignment(const haclPipeline *pipeline, size_t port);
ACL_FUNC_VISIBILITY const char *haclPipelineOutportAssignment(const haclPipeline *pipeline, size_t port);

/* ---- callbacks ---- */

/* One stream of frames (stream id 0); modelIndex must be 0 (the chain). The
 * pipeline starts once both are connected. */
ACL_FUNC_VISIBILITY aclError haclPipelineConnectInput(haclPipeline *pipeline, haclPipelineInputFn fn, void *user,
                                                      uint32_t modelIndex);
ACL_FUNC_VISIBILITY aclError haclPipelineConnectOutput(haclPipeline *pipeline, haclPipelineOutputFn fn, void *user,
                                                       uint32_t modelIndex);
/* streamCount streams (ids 0..streamCount-1, up to 64), each with its own
 * slots, input thread and device stream; starts at once. */
ACL_FUNC_VISIBILITY aclError haclPipelineConnectStreams(haclPipeline *pipeline, haclPipelineInputFn input,
                                                        haclPipelineOutputFn output, void *user, uint32_t streamCount);
/* Set before connecting; called on the thread that cancels. */
ACL_FUNC_VISIBILITY aclError haclPipelineSetCancelCallback(haclPipeline *pipeline, haclPipelineCancelFn fn,
                                                           void *user);
/* Waits (-1: forever) until every stream's input ended and every frame was
 * delivered or cancelled: ACL_SUCCESS, the stopping callback's code (message
 * in aclGetRecentErrMsg), or ACL_ERROR_RT_WAIT_TIMEOUT. */
ACL_FUNC_VISIBILITY aclError haclPipelineWait(haclPipeline *pipeline, int32_t timeoutMs);
/* Ends early: no more input callbacks; frames not yet delivered are
 * cancelled. Returns when nothing is in flight; stats may be NULL. Also
 * valid in the synchronous and request ways (frames not yet received or
 * taken are cancelled). */
ACL_FUNC_VISIBILITY aclError haclPipelineStop(haclPipeline *pipeline, haclPipelineStats *stats);
ACL_FUNC_VISIBILITY aclError haclPipelineGetStats(const haclPipeline *pipeline, haclPipelineStats *stats);

/* ---- synchronous ---- */

/* Copies one frame in (count = the chain's inputs, each exactly its size) and
 * starts it; waits up to timeoutMs for a free slot. */
ACL_FUNC_VISIBILITY aclError haclPipelineSend(haclPipeline *pipeline, const void *const *inputs, const size_t *sizes,
                                              size_t count, int32_t timeoutMs);
/* Copies the oldest frame not yet received out (each buffer at least the
 * output's size), waiting up to timeoutMs for it; frame may be NULL. */
ACL_FUNC_VISIBILITY aclError haclPipelineReceive(haclPipeline *pipeline, void *const *outputs, const size_t *sizes,
                                                 size_t count, int32_t timeoutMs, uint64_t *frame);
/* n frames: inputs[f * numInputs + i], outputs[f * numOutputs + k], sizes as
 * the ports' sizes; sends and receives overlapped. */
ACL_FUNC_VISIBILITY aclError haclPipelineRun(haclPipeline *pipeline, const void *const *inputs,
                                             void *const *outputs, size_t n);

/* ---- requests ---- */

ACL_FUNC_VISIBILITY aclError haclPipelineSubmit(haclPipeline *pipeline, const void *const *inputs,
                                                const size_t *sizes, size_t count, haclRequest **request);
/* 1 when the outputs are ready, 0 if not yet, -1 for a bad request; never
 * blocks and never consumes. */
ACL_FUNC_VISIBILITY int haclRequestReady(const haclRequest *request);
ACL_FUNC_VISIBILITY aclError haclRequestWait(haclRequest *request, int32_t timeoutMs);
/* Copies the outputs out (the request must be ready); may be repeated. */
ACL_FUNC_VISIBILITY aclError haclRequestTakeOutputs(haclRequest *request, void *const *outputs, const size_t *sizes,
                                                    size_t count);
/* Gives the slot back (waiting for the frame if it is still running). The
 * handle is dead from then on: every call with it fails (100000), also after
 * its slot has taken new requests. A request handle is an opaque value, not
 * an address. */
ACL_FUNC_VISIBILITY aclError haclRequestRelease(haclRequest *request);

/* Stops (as haclPipelineStop) and frees everything; requests still held are
 * released. */
ACL_FUNC_VISIBILITY aclError haclPipelineDestroy(haclPipeline *pipeline);

#ifdef __cplusplus
}
#endif

#endif
