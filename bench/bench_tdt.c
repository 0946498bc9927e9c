/*
 * TDT throughput between two threads: a producer sends N one-item
 * datasets (a float tensor of `bytes`) through a channel of capacity 64
 * while a consumer receives them; the same through a queue of depth 64 with
 * acltdtEnqueueData / acltdtDequeueData, and through a one-route pair of
 * queues (what enters the source is forwarded to the destination). Prints
 * JSON: messages per second and MB/s, median of `rounds`.
 *
 * usage: bench_tdt [messages] [bytes] [rounds]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "acl/acl_tdt.h"
#include "acl/acl_tdt_queue.h"
#include "bench_util.h"

static int n_msgs, n_bytes;
static acltdtChannelHandle *chan;
static uint32_t q_in, q_out;

static void *channel_producer(void *arg)
{
    (void)arg;
    float *data = calloc((size_t)n_bytes / 4 + 1, 4);
    int64_t dim = n_bytes / 4;
    acltdtDataItem *it = acltdtCreateDataItem(ACL_TENSOR_DATA_TENSOR, &dim, 1, ACL_FLOAT, data, (size_t)n_bytes);
    acltdtDataset *ds = acltdtCreateDataset();
    CHECK(acltdtAddDataItem(ds, it));
    for (int i = 0; i < n_msgs; i++) {
        data[0] = (float)i;
        CHECK(acltdtSendTensor(chan, ds, -1));
    }
    CHECK(acltdtDestroyDataset(ds));
    CHECK(acltdtDestroyDataItem(it));
    free(data);
    return NULL;
}

static void *queue_producer(void *arg)
{
    (void)arg;
    char *data = calloc((size_t)n_bytes, 1);
    for (int i = 0; i < n_msgs; i++)
        CHECK(acltdtEnqueueData(q_in, data, (size_t)n_bytes, &i, sizeof i, -1, 0));
    free(data);
    return NULL;
}

static double run_channel(void)
{
    pthread_t t;
    acltdtDataset *r = acltdtCreateDataset();
    double t0 = now_s();
    pthread_create(&t, NULL, channel_producer, NULL);
    for (int i = 0; i < n_msgs; i++) {
        CHECK(acltdtReceiveTensor(chan, r, -1));
        const float *v = acltdtGetDataAddrFromItem(acltdtGetDataItem(r, 0));
        if ((int)v[0] != i) {
            fprintf(stderr, "out of order: %d at %d\n", (int)v[0], i);
            exit(1);
        }
    }
    double dt = now_s() - t0;
    pthread_join(t, NULL);
    CHECK(acltdtDestroyDataset(r));
    return n_msgs / dt;
}

static double run_queue(uint32_t take_from)
{
    pthread_t t;
    char *buf = malloc((size_t)n_bytes);
    double t0 = now_s();
    pthread_create(&t, NULL, queue_producer, NULL);
    for (int i = 0; i < n_msgs; i++) {
        size_t got;
        int tag = -1;
        CHECK(acltdtDequeueData(take_from, buf, (size_t)n_bytes, &got, &tag, sizeof tag, -1));
        if (tag != i) {
            fprintf(stderr, "out of order: %d at %d\n", tag, i);
            exit(1);
        }
    }
    double dt = now_s() - t0;
    pthread_join(t, NULL);
    free(buf);
    return n_msgs / dt;
}

static double median3(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

static uint32_t make_queue(uint32_t depth)
{
    acltdtQueueAttr *a = acltdtCreateQueueAttr();
    CHECK(acltdtSetQueueAttr(a, ACL_TDT_QUEUE_DEPTH_UINT32, sizeof depth, &depth));
    uint32_t id;
    CHECK(acltdtCreateQueue(a, &id));
    CHECK(acltdtDestroyQueueAttr(a));
    return id;
}

int main(int argc, char **argv)
{
    n_msgs = argc > 1 ? atoi(argv[1]) : 200000;
    n_bytes = argc > 2 ? atoi(argv[2]) : 1024;
    int rounds = argc > 3 ? atoi(argv[3]) : 3;
    if (n_msgs < 1 || n_bytes < 4 || n_bytes % 4 || rounds < 1 || rounds > 50) {
        fprintf(stderr, "usage: bench_tdt [messages] [bytes, a multiple of 4] [rounds]\n");
        return 2;
    }
    CHECK(aclInit(NULL));
    CHECK(aclrtSetDevice(0));
    chan = acltdtCreateChannelWithCapacity(0, "bench", 64);
    if (!chan)
        return 1;
    double c[50], q[50], r[50];
    for (int k = 0; k < rounds; k++) {
        c[k] = run_channel();
        q_in = make_queue(64);
        q[k] = run_queue(q_in);
        q_out = make_queue(64);
        acltdtQueueRouteList *l = acltdtCreateQueueRouteList();
        acltdtQueueRoute *rt = acltdtCreateQueueRoute(q_in, q_out);
        CHECK(acltdtAddQueueRoute(l, rt));
        CHECK(acltdtBindQueueRoutes(l));
        r[k] = run_queue(q_out);
        CHECK(acltdtDestroyQueueRoute(rt));
        CHECK(acltdtDestroyQueueRouteList(l));
        CHECK(acltdtDestroyQueue(q_in));
        CHECK(acltdtDestroyQueue(q_out));
    }
    double cm = median3(c, rounds), qm = median3(q, rounds), rm = median3(r, rounds);
    printf("{\"bench\": \"tdt\", \"messages\": %d, \"bytes\": %d, \"rounds\": %d,\n"
           " \"channel\": {\"msgs_per_s\": %.0f, \"MB_per_s\": %.1f},\n"
           " \"queue_data\": {\"msgs_per_s\": %.0f, \"MB_per_s\": %.1f},\n"
           " \"queue_routed\": {\"msgs_per_s\": %.0f, \"MB_per_s\": %.1f}}\n",
           n_msgs, n_bytes, rounds, cm, cm * n_bytes / 1e6, qm, qm * n_bytes / 1e6, rm, rm * n_bytes / 1e6);
    CHECK(acltdtDestroyChannel(chan));
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    return 0;
}
