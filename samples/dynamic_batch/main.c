/*
 * dynamic_batch: a detection-style program on a model converted with
 * dynamic batch gears (atc --input_shape="NAME:-1,..." --dynamic_batch_size=
 * "1,2,4,8"). It lists the gears, then for each gear fills that many
 * pictures, chooses the gear with aclmdlSetDynamicBatchSize, executes
 * asynchronously on a stream and reads the results in a callback on its
 * report thread. aclmdlGetCurOutputDims, read right after choosing the
 * gear (it answers for the gear chosen last on the model), gives the valid
 * part of the (largest-gear sized) outputs. Every picture's result is checked against
 * the same picture run alone in the smallest gear.
 *
 *   dynamic_batch MODEL.om [rounds]
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"

#define CHECK(call)                                                                                  \
    do {                                                                                             \
        aclError rc_ = (call);                                                                       \
        if (rc_ != ACL_SUCCESS) {                                                                    \
            fprintf(stderr, "dynamic_batch: %s failed: %d\n%s\n", #call, rc_, aclGetRecentErrMsg()); \
            exit(1);                                                                                 \
        }                                                                                            \
    } while (0)

static uint32_t g_model;
static aclmdlDesc *g_desc;
static aclrtContext g_ctx;
static atomic_int g_stop, g_bad;
static size_t g_img_floats, g_out_floats; /* one picture's input, one picture's output */

/* One request: its datasets and memory, freed by the callback. */
struct request {
    uint64_t batch;
    aclmdlDataset *in, *out;
    void *mem[3];
    aclDataBuffer *buf[3];
    const float *expect; /* batch x g_out_floats: each picture alone */
    aclmdlIODims cur;    /* the valid part of the output for this gear */
};

static void *report_thread(void *arg)
{
    (void)arg;
    aclrtSetCurrentContext(g_ctx);
    while (!atomic_load(&g_stop))
        aclrtProcessReport(100);
    return NULL;
}

/* Picture k: a deterministic pattern. */
static void fill_picture(float *p, int k)
{
    for (size_t i = 0; i < g_img_floats; i++)
        p[i] = sinf(0.01f * (float)i + (float)k) * 2;
}

static void on_done(void *arg)
{
    struct request *r = arg;
    const aclmdlIODims cur = r->cur;
    const float *out = r->mem[2];
    double worst = 0;
    for (size_t i = 0; i < r->batch * g_out_floats; i++) {
        double d = fabs(out[i] - r->expect[i]) / (1 + fabs(r->expect[i]));
        worst = d > worst ? d : worst;
    }
    printf("gear %-3llu output dims [", (unsigned long long)r->batch);
    for (size_t i = 0; i < cur.dimCount; i++)
        printf("%s%lld", i ? "," : "", (long long)cur.dims[i]);
    size_t best = 0;
    for (size_t i = 1; i < g_out_floats; i++)
        best = out[i] > out[best] ? i : best;
    printf("]  first picture's best class %zu  largest difference from single runs %.1e\n", best, worst);
    if (worst > 1e-4 || (uint64_t)cur.dims[0] != r->batch)
        atomic_store(&g_bad, 1);
    aclmdlDestroyDataset(r->in);
    aclmdlDestroyDataset(r->out);
    for (int i = 0; i < 3; i++) {
        aclDestroyDataBuffer(r->buf[i]);
        aclrtFree(r->mem[i]);
    }
    free(r);
}

/* A request for `batch` pictures starting at picture `first`. */
static struct request *request(uint64_t batch, int first, size_t shape_index)
{
    struct request *r = calloc(1, sizeof *r);
    r->batch = batch;
    size_t sizes[3] = {batch * g_img_floats * sizeof(float), aclmdlGetInputSizeByIndex(g_desc, shape_index),
                       aclmdlGetOutputSizeByIndex(g_desc, 0)};
    r->in = aclmdlCreateDataset();
    r->out = aclmdlCreateDataset();
    for (int i = 0; i < 3; i++) {
        CHECK(aclrtMalloc(&r->mem[i], sizes[i], ACL_MEM_MALLOC_HUGE_FIRST));
        r->buf[i] = aclCreateDataBuffer(r->mem[i], sizes[i]);
        CHECK(aclmdlAddDatasetBuffer(i == 2 ? r->out : r->in, r->buf[i]));
    }
    float *host = malloc(sizes[0]);
    for (uint64_t b = 0; b < batch; b++)
        fill_picture(host + b * g_img_floats, first + (int)b);
    CHECK(aclrtMemcpy(r->mem[0], sizes[0], host, sizes[0], ACL_MEMCPY_HOST_TO_DEVICE));
    free(host);
    CHECK(aclmdlSetDynamicBatchSize(g_model, r->in, shape_index, batch));
    /* the output dims of the gear set last on the model: read now, before
     * the next request sets another */
    CHECK(aclmdlGetCurOutputDims(g_desc, 0, &r->cur));
    return r;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: dynamic_batch MODEL.om [rounds]\n");
        return 2;
    }
    int rounds = argc > 2 ? atoi(argv[2]) : 2;
    CHECK(aclInit(NULL));
    CHECK(aclrtSetDevice(0));
    CHECK(aclrtGetCurrentContext(&g_ctx));
    CHECK(aclmdlLoadFromFile(argv[1], &g_model));
    g_desc = aclmdlCreateDesc();
    CHECK(aclmdlGetDesc(g_desc, g_model));
    aclmdlBatch gears;
    CHECK(aclmdlGetDynamicBatch(g_desc, &gears));
    size_t shape_index;
    if (gears.batchCount == 0 ||
        aclmdlGetInputIndexByName(g_desc, ACL_DYNAMIC_TENSOR_NAME, &shape_index) != ACL_SUCCESS) {
        fprintf(stderr, "dynamic_batch: %s has no dynamic batch gears\n", argv[1]);
        return 1;
    }
    uint64_t smallest = gears.batch[0], largest = gears.batch[0];
    printf("gears:");
    for (size_t i = 0; i < gears.batchCount; i++) {
        printf(" %llu", (unsigned long long)gears.batch[i]);
        smallest = gears.batch[i] < smallest ? gears.batch[i] : smallest;
        largest = gears.batch[i] > largest ? gears.batch[i] : largest;
    }
    printf("\n");
    aclmdlIODims od;
    CHECK(aclmdlGetOutputDims(g_desc, 0, &od)); /* the largest gear's */
    g_img_floats = aclmdlGetInputSizeByIndex(g_desc, 0) / sizeof(float) / largest;
    g_out_floats = aclmdlGetOutputSizeByIndex(g_desc, 0) / sizeof(float) / largest;

    /* every picture alone, synchronously, in the smallest gear */
    int pictures = (int)largest;
    float *single = malloc(sizeof(float) * g_out_floats * pictures);
    for (int k = 0; k < pictures; k++) {
        struct request *r = request(smallest, k, shape_index);
        CHECK(aclmdlExecute(g_model, r->in, r->out));
        CHECK(aclrtMemcpy(single + k * g_out_floats, g_out_floats * sizeof(float), r->mem[2],
                          g_out_floats * sizeof(float), ACL_MEMCPY_DEVICE_TO_HOST));
        r->expect = single + k * g_out_floats;
        r->batch = 0; /* nothing to compare: just release */
        aclmdlDestroyDataset(r->in);
        aclmdlDestroyDataset(r->out);
        for (int i = 0; i < 3; i++) {
            aclDestroyDataBuffer(r->buf[i]);
            aclrtFree(r->mem[i]);
        }
        free(r);
    }

    /* the gears in turn, asynchronously, results in callbacks */
    aclrtStream stream;
    pthread_t reporter;
    CHECK(aclrtCreateStream(&stream));
    pthread_create(&reporter, NULL, report_thread, NULL);
    CHECK(aclrtSubscribeReport((uint64_t)reporter, stream));
    for (int round = 0; round < rounds; round++)
        for (size_t g = 0; g < gears.batchCount; g++) {
            struct request *r = request(gears.batch[g], 0, shape_index);
            r->expect = single;
            CHECK(aclmdlExecuteAsync(g_model, r->in, r->out, stream));
            CHECK(aclrtLaunchCallback(on_done, r, ACL_CALLBACK_BLOCK, stream));
        }
    CHECK(aclrtSynchronizeStream(stream));
    CHECK(aclrtUnSubscribeReport((uint64_t)reporter, stream));
    atomic_store(&g_stop, 1);
    pthread_join(reporter, NULL);
    CHECK(aclrtDestroyStream(stream));
    free(single);
    aclmdlDestroyDesc(g_desc);
    CHECK(aclmdlUnload(g_model));
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    printf("%s\n", atomic_load(&g_bad) ? "MISMATCH" : "every gear agrees with single-picture runs");
    return atomic_load(&g_bad) ? 1 : 0;
}
