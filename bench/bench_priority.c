/*
 * Stream priorities under load: while many priority-7 streams keep the
 * device's workers busy with copies, a probe stream launches one small copy
 * and synchronises. Its latency is measured with the probe at priority 0
 * (runs first) and at priority 7 (first come, first served), alternating
 * rounds in one process. Prints JSON: medians, 90th percentiles, the ratio.
 *
 * usage: bench_priority [rounds] [probes_per_round]
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"

#define BG_STREAMS 12
#define BG_COPIES 6           /* queued on each background stream per probe */
#define BG_BYTES (512u << 10) /* one background copy */

static void cpu_model(char *out, size_t n)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    snprintf(out, n, "unknown");
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "model name", 10)) {
            char *v = strchr(line, ':');
            if (v) {
                snprintf(out, n, "%s", v + 2);
                out[strcspn(out, "\n")] = 0;
            }
            break;
        }
    if (f)
        fclose(f);
}

/* One round: `probes` latencies (µs) of a probe stream at `prio`. */
static void round_of(uint32_t prio, int probes, aclrtStream *bg, void **bsrc, void **bdst, void *psrc, void *pdst,
                     double *lat)
{
    aclrtStream probe;
    CHECK(aclrtCreateStreamWithConfig(&probe, prio, 0));
    for (int i = 0; i < probes; i++) {
        for (int s = 0; s < BG_STREAMS; s++)
            for (int k = 0; k < BG_COPIES; k++)
                CHECK(aclrtMemcpyAsync(bdst[s], BG_BYTES, bsrc[s], BG_BYTES, ACL_MEMCPY_DEVICE_TO_DEVICE, bg[s]));
        usleep(50); /* the workers are busy with the backlog */
        double t0 = now_us();
        CHECK(aclrtMemcpyAsync(pdst, 64, psrc, 64, ACL_MEMCPY_DEVICE_TO_DEVICE, probe));
        CHECK(aclrtSynchronizeStream(probe));
        lat[i] = now_us() - t0;
        for (int s = 0; s < BG_STREAMS; s++)
            CHECK(aclrtSynchronizeStream(bg[s]));
    }
    CHECK(aclrtDestroyStream(probe));
}

static double pct(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[(int)(p * (n - 1))];
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 3, probes = argc > 2 ? atoi(argv[2]) : 200;
    if (rounds < 1 || probes < 1 || rounds > 100 || probes > 100000) {
        fprintf(stderr, "usage: bench_priority [rounds 1..100] [probes_per_round]\n");
        return 2;
    }
    /* two workers, so the backlog outnumbers them */
    char cfg[] = "/tmp/hacl_prio_XXXXXX";
    int fd = mkstemp(cfg);
    if (fd < 0)
        return 1;
    const char *json = "{\"hostacl\": {\"worker_threads\": 2}}";
    if (write(fd, json, strlen(json)) < 0)
        return 1;
    close(fd);
    CHECK(aclInit(cfg));
    unlink(cfg);
    CHECK(aclrtSetDevice(0));
    aclrtStream bg[BG_STREAMS];
    void *bsrc[BG_STREAMS], *bdst[BG_STREAMS], *psrc, *pdst;
    for (int s = 0; s < BG_STREAMS; s++) {
        CHECK(aclrtCreateStreamWithConfig(&bg[s], 7, 0));
        CHECK(aclrtMalloc(&bsrc[s], BG_BYTES, ACL_MEM_MALLOC_HUGE_FIRST));
        CHECK(aclrtMalloc(&bdst[s], BG_BYTES, ACL_MEM_MALLOC_HUGE_FIRST));
        CHECK(aclrtMemset(bsrc[s], BG_BYTES, 1, BG_BYTES));
    }
    CHECK(aclrtMalloc(&psrc, 64, ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK(aclrtMalloc(&pdst, 64, ACL_MEM_MALLOC_HUGE_FIRST));
    size_t n = (size_t)rounds * (size_t)probes;
    double *hi = calloc(n, sizeof *hi), *lo = calloc(n, sizeof *lo);
    if (!hi || !lo)
        return 1;
    for (int r = 0; r < rounds; r++) { /* alternate, so drift hits both */
        round_of(0, probes, bg, bsrc, bdst, psrc, pdst, hi + (size_t)r * probes);
        round_of(7, probes, bg, bsrc, bdst, psrc, pdst, lo + (size_t)r * probes);
    }
    char cpu[256];
    cpu_model(cpu, sizeof cpu);
    double hi50 = pct(hi, (int)n, 0.5), lo50 = pct(lo, (int)n, 0.5);
    printf("{\"bench\": \"priority\", \"cpu\": \"%s\", \"workers\": 2, \"background_streams\": %d, "
           "\"background_copies_per_probe\": %d, \"background_copy_bytes\": %u, \"probes\": %zu,\n"
           " \"probe_priority0_us\": {\"p50\": %.1f, \"p90\": %.1f},\n"
           " \"probe_priority7_us\": {\"p50\": %.1f, \"p90\": %.1f},\n"
           " \"p50_ratio_7_over_0\": %.2f}\n",
           cpu, BG_STREAMS, BG_STREAMS * BG_COPIES, BG_BYTES, n, hi50, pct(hi, (int)n, 0.9), lo50,
           pct(lo, (int)n, 0.9), lo50 / hi50);
    for (int s = 0; s < BG_STREAMS; s++) {
        CHECK(aclrtDestroyStream(bg[s]));
        CHECK(aclrtFree(bsrc[s]));
        CHECK(aclrtFree(bdst[s]));
    }
    CHECK(aclrtFree(psrc));
    CHECK(aclrtFree(pdst));
    free(hi);
    free(lo);
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    return 0;
}
