/*
 * Static AIPP throughput. Three models over the same graph (a global
 * average pool over a [1,3,H,W] float input, cheap next to AIPP): plain,
 * with NV12 AIPP (JPEG colour conversion and normalisation) and with RGB
 * AIPP (normalisation). An execution of an AIPP model less one of the plain
 * model (alternating, medians) is the AIPP step; its input bytes (W*H*3/2
 * for NV12, W*H*3 for RGB) over that time is the rate. AIPP runs on one
 * thread. Prints JSON with the CPU.
 *
 * usage: bench_aipp [W H] [executions]
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>

#include "bench_util.h"

/* ---- a minimal protobuf writer for the ONNX model ---- */
struct pb {
    unsigned char b[512];
    size_t n;
};

static void varint(struct pb *p, uint64_t v)
{
    do {
        p->b[p->n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
}

static void field_varint(struct pb *p, int f, uint64_t v)
{
    varint(p, (uint64_t)f << 3);
    varint(p, v);
}

static void field_bytes(struct pb *p, int f, const void *d, size_t n)
{
    varint(p, (uint64_t)f << 3 | 2);
    varint(p, n);
    memcpy(p->b + p->n, d, n);
    p->n += n;
}

static void field_msg(struct pb *p, int f, const struct pb *m)
{
    field_bytes(p, f, m->b, m->n);
}

/* ValueInfoProto: float tensor `name` of dims d[0..4). */
static struct pb value_info(const char *name, const int64_t *d)
{
    struct pb shape = {{0}, 0}, tt = {{0}, 0}, type = {{0}, 0}, vi = {{0}, 0};
    for (int i = 0; i < 4; i++) {
        struct pb dim = {{0}, 0};
        field_varint(&dim, 1, (uint64_t)d[i]);
        field_msg(&shape, 1, &dim);
    }
    field_varint(&tt, 1, 1); /* FLOAT */
    field_msg(&tt, 2, &shape);
    field_msg(&type, 1, &tt);
    field_bytes(&vi, 1, name, strlen(name));
    field_msg(&vi, 2, &type);
    return vi;
}

static struct pb pool_model(int64_t w, int64_t h)
{
    struct pb node = {{0}, 0}, graph = {{0}, 0}, opset = {{0}, 0}, model = {{0}, 0};
    field_bytes(&node, 1, "x", 1);
    field_bytes(&node, 2, "y", 1);
    field_bytes(&node, 4, "GlobalAveragePool", 17);
    int64_t in[4] = {1, 3, h, w}, out[4] = {1, 3, 1, 1};
    struct pb vin = value_info("x", in), vout = value_info("y", out);
    field_msg(&graph, 1, &node);
    field_bytes(&graph, 2, "g", 1);
    field_msg(&graph, 11, &vin);
    field_msg(&graph, 12, &vout);
    field_varint(&opset, 2, 13);
    field_varint(&model, 1, 8);
    field_msg(&model, 8, &opset);
    field_msg(&model, 7, &graph);
    return model;
}

/* hostacl's container (docs/semantics.md): ONNX plus an AIPP section. */
static size_t container(const struct pb *onnx, const char *aipp, unsigned char *out)
{
    size_t n = 0;
    memcpy(out, "HACLOM\r\n", 8);
    n = 8;
    uint32_t hdr[2] = {1, aipp ? 2u : 1u};
    memcpy(out + n, hdr, 8);
    n += 8;
    const void *data[2] = {aipp, onnx->b};
    size_t len[2] = {aipp ? strlen(aipp) : 0, onnx->n};
    const char *tag[2] = {"AIPP", "ONNX"};
    for (int s = aipp ? 0 : 1; s < 2; s++) {
        uint64_t l = len[s];
        memcpy(out + n, tag[s], 4);
        memset(out + n + 4, 0, 4);
        memcpy(out + n + 8, &l, 8);
        memcpy(out + n + 16, data[s], len[s]);
        n += 16 + ((len[s] + 7) & ~(size_t)7); /* the padding: out starts zeroed */
    }
    return n;
}

struct run {
    uint32_t id;
    aclmdlDataset *in, *out;
};

static struct run prepare(const unsigned char *bytes, size_t n)
{
    struct run r;
    CHECK(aclmdlLoadFromMem(bytes, n, &r.id));
    aclmdlDesc *d = aclmdlCreateDesc();
    CHECK(aclmdlGetDesc(d, r.id));
    r.in = aclmdlCreateDataset();
    r.out = aclmdlCreateDataset();
    for (int side = 0; side < 2; side++) {
        size_t sz = side ? aclmdlGetOutputSizeByIndex(d, 0) : aclmdlGetInputSizeByIndex(d, 0);
        void *p;
        CHECK(aclrtMalloc(&p, sz, ACL_MEM_MALLOC_HUGE_FIRST));
        CHECK(aclrtMemset(p, sz, 77, sz));
        CHECK(aclmdlAddDatasetBuffer(side ? r.out : r.in, aclCreateDataBuffer(p, sz)));
    }
    aclmdlDestroyDesc(d);
    return r;
}

static double time_one(const struct run *r)
{
    double t0 = now_s();
    CHECK(aclmdlExecute(r->id, r->in, r->out));
    return now_s() - t0;
}

int main(int argc, char **argv)
{
    int64_t w = argc > 2 ? atol(argv[1]) : 1920, h = argc > 2 ? atol(argv[2]) : 1080;
    int reps = argc > 3 ? atoi(argv[3]) : argc == 2 ? atoi(argv[1]) : 40;
    CHECK(aclInit(NULL));
    CHECK(aclrtSetDevice(0));
    struct pb onnx = pool_model(w, h);
    static unsigned char buf[3][4096];
    const char *nv12 = "aipp_op { aipp_mode: static input_format: YUV420SP_U8 csc_switch: true "
                       "matrix_r0c0: 256 matrix_r0c1: 0 matrix_r0c2: 359 matrix_r1c0: 256 matrix_r1c1: -88 "
                       "matrix_r1c2: -183 matrix_r2c0: 256 matrix_r2c1: 454 matrix_r2c2: 0 input_bias_0: 0 "
                       "input_bias_1: 128 input_bias_2: 128 mean_chn_0: 124 mean_chn_1: 117 mean_chn_2: 104 "
                       "var_reci_chn_0: 0.0171 var_reci_chn_1: 0.0175 var_reci_chn_2: 0.0174 }";
    const char *rgb = "aipp_op { aipp_mode: static input_format: RGB888_U8 mean_chn_0: 124 mean_chn_1: 117 "
                      "mean_chn_2: 104 var_reci_chn_0: 0.0171 var_reci_chn_1: 0.0175 var_reci_chn_2: 0.0174 }";
    size_t n0 = container(&onnx, NULL, buf[0]), n1 = container(&onnx, nv12, buf[1]),
           n2 = container(&onnx, rgb, buf[2]);
    struct run plain = prepare(buf[0], n0), yuv = prepare(buf[1], n1), packed = prepare(buf[2], n2);
    for (int i = 0; i < 3; i++) { /* warm-up */
        time_one(&plain);
        time_one(&yuv);
        time_one(&packed);
    }
    double *t[3];
    for (int k = 0; k < 3; k++)
        t[k] = malloc(sizeof(double) * (size_t)reps);
    for (int i = 0; i < reps; i++) {
        t[0][i] = time_one(&plain);
        t[1][i] = time_one(&yuv);
        t[2][i] = time_one(&packed);
    }
    for (int k = 0; k < 3; k++)
        qsort(t[k], (size_t)reps, sizeof(double), cmp_double);
    double m0 = t[0][reps / 2], m1 = t[1][reps / 2], m2 = t[2][reps / 2];
    double a1 = m1 - m0 > 1e-9 ? m1 - m0 : 1e-9, a2 = m2 - m0 > 1e-9 ? m2 - m0 : 1e-9;
    double px = (double)w * (double)h;
    char cpu[300];
    printf("{\"bench\": \"aipp\", \"cpu\": \"%s\", \"width\": %lld, \"height\": %lld, \"executions\": %d,\n"
           " \"plain_ms\": %.3f, \"nv12_model_ms\": %.3f, \"rgb_model_ms\": %.3f,\n"
           " \"nv12_aipp_ms\": %.3f, \"nv12_input_gb_per_s\": %.2f, \"nv12_megapixels_per_s\": %.0f,\n"
           " \"rgb_aipp_ms\": %.3f, \"rgb_input_gb_per_s\": %.2f, \"rgb_megapixels_per_s\": %.0f}\n",
           cpu_name(cpu, sizeof cpu), (long long)w, (long long)h, reps, m0 * 1e3, m1 * 1e3, m2 * 1e3, a1 * 1e3,
           px * 1.5 / a1 / 1e9, px / a1 / 1e6, a2 * 1e3, px * 3 / a2 / 1e9, px / a2 / 1e6);
    for (int k = 0; k < 3; k++)
        free(t[k]);
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    return 0;
}
