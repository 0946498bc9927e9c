/*
 * poll_requests: the non-blocking request loop of a delegation thread
 * (acl/hacl_pipeline.h, requests).
 *
 *   poll_requests --model FILE [--frames N] [--inflight K]
 *
 * One thread does everything: frames "arrive" (generated), each is
 * submitted at once if a slot is free (haclPipelineSubmit fails fast with
 * ACL_ERROR_RT_QUEUE_FULL when K frames are in flight; the frame then waits
 * in a small backlog, it is never dropped), and on every turn the thread
 * polls its requests with haclRequestReady, which never blocks, taking the
 * outputs of those that are ready. Prints how many frames went through, how
 * often the pipeline was busy and the most requests in flight.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"
#include "acl/hacl_pipeline.h"

int main(int argc, char **argv)
{
    const char *model = NULL;
    long frames = 50, inflight = 3;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--model") == 0)
            model = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--frames") == 0)
            frames = atol(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--inflight") == 0)
            inflight = atol(argv[++i]);
        else
            model = NULL, i = argc;
    }
    if (!model || frames < 1 || inflight < 1 || inflight > 1024) {
        fprintf(stderr, "usage: poll_requests --model FILE [--frames N] [--inflight K]\n");
        return 2;
    }
    aclrtContext ctx;
    if (aclInit(NULL) != ACL_SUCCESS || aclrtSetDevice(0) != ACL_SUCCESS || aclrtCreateContext(&ctx, 0) != ACL_SUCCESS)
        return 1;
    haclPipelineConfig cfg = {(uint32_t)inflight, 1};
    haclPipeline *p = NULL;
    if (haclPipelineCreateFromFile(model, &cfg, &p) != ACL_SUCCESS) {
        fprintf(stderr, "poll_requests: %s\n", aclGetRecentErrMsg());
        return 1;
    }
    size_t in_size = haclPipelineGetInputSize(p, 0), out_size = haclPipelineGetOutputSize(p, 0);
    unsigned char *frame = malloc(in_size);
    float *out = malloc(out_size);
    haclRequest **live = calloc((size_t)inflight, sizeof *live);
    long *live_id = calloc((size_t)inflight, sizeof *live_id);
    long arrived = 0, submitted = 0, finished = 0, busy = 0, polls = 0, max_live = 0, nlive = 0;
    int backlog = 0; /* one frame waiting for a slot */
    unsigned long long checksum = 0;
    while (finished < frames) {
        /* A new frame arrives when the previous one has gone in. */
        if (!backlog && arrived < frames) {
            for (size_t i = 0; i < in_size; i++)
                frame[i] = (unsigned char)((i * 7 + (size_t)arrived) % 60);
            arrived++;
            backlog = 1;
        }
        if (backlog) {
            const void *in[1] = {frame};
            size_t sz[1] = {in_size};
            haclRequest *r = NULL;
            aclError rc = haclPipelineSubmit(p, in, sz, 1, &r);
            if (rc == ACL_SUCCESS) {
                for (long k = 0; k < inflight; k++)
                    if (!live[k]) {
                        live[k] = r;
                        live_id[k] = submitted++;
                        break;
                    }
                nlive++;
                max_live = nlive > max_live ? nlive : max_live;
                backlog = 0;
            } else if (rc == ACL_ERROR_RT_QUEUE_FULL) {
                (void)aclGetRecentErrMsg();
                busy++;
            } else {
                fprintf(stderr, "poll_requests: submit failed: %s\n", aclGetRecentErrMsg());
                return 1;
            }
        }
        /* Poll: never blocks, never consumes. */
        for (long k = 0; k < inflight; k++) {
            if (!live[k])
                continue;
            polls++;
            if (haclRequestReady(live[k]) != 1)
                continue;
            void *o[1] = {out};
            size_t sz[1] = {out_size};
            if (haclRequestTakeOutputs(live[k], o, sz, 1) != ACL_SUCCESS || haclRequestRelease(live[k]) != ACL_SUCCESS) {
                fprintf(stderr, "poll_requests: %s\n", aclGetRecentErrMsg());
                return 1;
            }
            checksum += (unsigned long long)(out[0] * 1000.0f) & 0xffff;
            live[k] = NULL;
            nlive--;
            finished++;
        }
    }
    printf("poll_requests: %ld frames submitted and finished, %ld submits found the pipeline busy, %ld polls, at most "
           "%ld in flight (limit %ld), checksum %llu\n",
           finished, busy, polls, max_live, inflight, checksum);
    haclPipelineDestroy(p);
    free(frame);
    free(out);
    free(live);
    free(live_id);
    aclrtDestroyContext(ctx);
    aclrtResetDevice(0);
    aclFinalize();
    return finished == frames && max_live <= inflight ? 0 : 1;
}
