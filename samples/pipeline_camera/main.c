/*
 * pipeline_camera: several synthetic "cameras" streaming frames at a fixed
 * rate through one multi-stream pipeline (acl/hacl_pipeline.h).
 *
 *   pipeline_camera --model FILE [--cameras C] [--fps F] [--seconds S] [--depth D]
 *
 * Each camera's input callback waits for its next frame time (F frames per
 * second, default 30), renders a frame (a moving gradient) into the
 * pipeline's input buffer and returns it; after S seconds (default 3) it ends
 * its stream. The output callback checks each camera's frames arrive in
 * order and counts them. At the end: frames and FPS per camera, and the
 * end-to-end latency p50/p99 (frame time to output). The pipeline does all
 * the threading: no report thread, pool or stream in this file.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acl/acl.h"
#include "acl/hacl_pipeline.h"

#define MAX_CAMERAS 16
#define MAX_FRAMES 100000

struct camera {
    double start, next;
    long produced, received, out_of_order;
    double *stamp; /* frame time of each produced frame */
    double *latency;
};

static struct camera cams[MAX_CAMERAS];
static double fps = 30, seconds = 3;
static int fp16;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int input_cb(void *user, uint32_t id, void *const *inputs, const size_t *sizes, size_t count)
{
    (void)user;
    (void)count;
    struct camera *c = &cams[id];
    double t = now_s();
    if (c->start == 0)
        c->start = c->next = t;
    if (c->produced >= (long)(seconds * fps + 0.5) || c->produced >= MAX_FRAMES)
        return HACL_PIPELINE_END;
    if (c->next > t) {
        double d = c->next - t;
        struct timespec ts = {(time_t)d, (long)((d - (double)(time_t)d) * 1e9)};
        nanosleep(&ts, NULL);
    }
    size_t elems = sizes[0] / (fp16 ? 2 : 4);
    for (size_t i = 0; i < elems; i++) {
        float v = (float)((i + (size_t)c->produced * 3 + id * 101) % 255) / 128.0f - 1.0f;
        if (fp16)
            ((aclFloat16 *)inputs[0])[i] = aclFloatToFloat16(v);
        else
            ((float *)inputs[0])[i] = v;
    }
    c->stamp[c->produced++] = c->next;
    c->next += 1.0 / fps;
    return HACL_PIPELINE_FRAME;
}

static int output_cb(void *user, uint32_t id, uint64_t frame, const void *const *outputs, const size_t *sizes,
                     size_t count)
{
    (void)user;
    (void)outputs;
    (void)sizes;
    (void)count;
    struct camera *c = &cams[id];
    if ((long)frame != c->received)
        c->out_of_order++;
    c->latency[c->received++] = now_s() - c->stamp[frame];
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    const char *model = NULL;
    int ncam = 3, depth = 2;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--model") == 0)
            model = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--cameras") == 0)
            ncam = atoi(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--fps") == 0)
            fps = atof(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--seconds") == 0)
            seconds = atof(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--depth") == 0)
            depth = atoi(argv[++i]);
        else
            model = NULL, i = argc;
    }
    if (!model || ncam < 1 || ncam > MAX_CAMERAS || !(fps > 0) || !(seconds > 0) || depth < 1) {
        fprintf(stderr, "usage: pipeline_camera --model FILE [--cameras C] [--fps F] [--seconds S] [--depth D]\n");
        return 2;
    }
    aclrtContext ctx;
    if (aclInit(NULL) != ACL_SUCCESS || aclrtSetDevice(0) != ACL_SUCCESS || aclrtCreateContext(&ctx, 0) != ACL_SUCCESS)
        return 1;
    haclPipelineConfig cfg = {(uint32_t)depth, 0};
    haclPipeline *p = NULL;
    aclError rc = haclPipelineCreateFromFile(model, &cfg, &p);
    if (rc != ACL_SUCCESS) {
        fprintf(stderr, "pipeline_camera: %s\n", aclGetRecentErrMsg());
        return 1;
    }
    uint32_t mid;
    aclmdlDesc *d = aclmdlCreateDesc();
    /* The input type decides how frames are written. */
    if (aclmdlLoadFromFile(model, &mid) == ACL_SUCCESS && aclmdlGetDesc(d, mid) == ACL_SUCCESS) {
        fp16 = aclmdlGetInputDataType(d, 0) == ACL_FLOAT16;
        aclmdlUnload(mid);
    }
    aclmdlDestroyDesc(d);
    for (int i = 0; i < ncam; i++) {
        cams[i].stamp = calloc(MAX_FRAMES, sizeof(double));
        cams[i].latency = calloc(MAX_FRAMES, sizeof(double));
    }
    printf("pipeline_camera: %d cameras at %.1f fps for %.1f s through %s (inputs %s \"%s\")\n", ncam, fps, seconds,
           model, fp16 ? "float16" : "float32", haclPipelineInportAssignment(p, 0));
    double t0 = now_s();
    rc = haclPipelineConnectStreams(p, input_cb, output_cb, NULL, (uint32_t)ncam);
    if (rc == ACL_SUCCESS)
        rc = haclPipelineWait(p, -1);
    double secs = now_s() - t0;
    int ok = rc == ACL_SUCCESS;
    if (!ok)
        fprintf(stderr, "pipeline_camera: %s\n", aclGetRecentErrMsg());
    double *all = calloc((size_t)ncam * MAX_FRAMES, sizeof(double));
    size_t nall = 0;
    for (int i = 0; i < ncam; i++) {
        struct camera *c = &cams[i];
        printf("camera %d: %ld frames, %.1f fps delivered, %ld out of order\n", i, c->received,
               (double)c->received / secs, c->out_of_order);
        ok = ok && c->out_of_order == 0 && c->received == c->produced && c->received > 0;
        memcpy(all + nall, c->latency, (size_t)c->received * sizeof(double));
        nall += (size_t)c->received;
    }
    qsort(all, nall, sizeof *all, cmp_double);
    haclPipelineStats st;
    haclPipelineGetStats(p, &st);
    printf("pipeline_camera: %llu frames in %.2f s, latency p50 %.1f ms p99 %.1f ms, %llu cancelled: %s\n",
           (unsigned long long)st.delivered, secs, nall ? all[nall / 2] * 1e3 : 0.0,
           nall ? all[(size_t)(0.99 * (double)(nall - 1) + 0.5)] * 1e3 : 0.0, (unsigned long long)st.cancelled,
           ok ? "ok" : "FAILED");
    free(all);
    haclPipelineDestroy(p);
    for (int i = 0; i < ncam; i++) {
        free(cams[i].stamp);
        free(cams[i].latency);
    }
    aclrtDestroyContext(ctx);
    aclrtResetDevice(0);
    aclFinalize();
    return ok ? 0 : 1;
}
