/*
 * aipp_classify: classification with static AIPP. The same classifier,
 * converted three times with atc (run.sh): taking NV12 pictures
 * (aipp_nv12.cfg), taking packed RGB pictures (aipp_rgb.cfg), and plain
 * (float NCHW, normalised by the application). The sample feeds one
 * picture through each and checks that the AIPP models give what
 * converting in C first gives: the same top-1 class and class
 * probabilities within 1/255.
 *
 *   aipp_classify NV12_MODEL.om RGB_MODEL.om PLAIN_MODEL.om [PICTURE.ppm]
 *
 * Without a picture a synthetic one is drawn (the model's input size).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"

#define CHECK(call)                                                                                  \
    do {                                                                                             \
        aclError rc_ = (call);                                                                       \
        if (rc_ != ACL_SUCCESS) {                                                                    \
            fprintf(stderr, "aipp_classify: %s failed: %d\n%s\n", #call, rc_, aclGetRecentErrMsg()); \
            exit(1);                                                                                 \
        }                                                                                            \
    } while (0)

static const float kMean[3] = {124, 117, 104};
static const float kStd[3] = {58.395f, 57.12f, 57.375f};

struct model {
    uint32_t id;
    aclmdlDesc *desc;
};

static struct model load(const char *path)
{
    struct model m;
    CHECK(aclmdlLoadFromFile(path, &m.id));
    m.desc = aclmdlCreateDesc();
    CHECK(aclmdlGetDesc(m.desc, m.id));
    return m;
}

/* One execution: input bytes in, the first output's floats back (n of them). */
static float *infer(const struct model *m, const void *in, size_t in_size, size_t *n)
{
    size_t need = aclmdlGetInputSizeByIndex(m->desc, 0), out_size = aclmdlGetOutputSizeByIndex(m->desc, 0);
    if (need != in_size) {
        fprintf(stderr, "aipp_classify: the model takes %zu bytes, the picture has %zu\n", need, in_size);
        exit(1);
    }
    void *din, *dout;
    CHECK(aclrtMalloc(&din, in_size, ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK(aclrtMalloc(&dout, out_size, ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK(aclrtMemcpy(din, in_size, in, in_size, ACL_MEMCPY_HOST_TO_DEVICE));
    aclmdlDataset *i = aclmdlCreateDataset(), *o = aclmdlCreateDataset();
    aclDataBuffer *bi = aclCreateDataBuffer(din, in_size), *bo = aclCreateDataBuffer(dout, out_size);
    CHECK(aclmdlAddDatasetBuffer(i, bi));
    CHECK(aclmdlAddDatasetBuffer(o, bo));
    CHECK(aclmdlExecute(m->id, i, o));
    float *r = malloc(out_size);
    CHECK(aclrtMemcpy(r, out_size, dout, out_size, ACL_MEMCPY_DEVICE_TO_HOST));
    aclmdlDestroyDataset(i);
    aclmdlDestroyDataset(o);
    aclDestroyDataBuffer(bi);
    aclDestroyDataBuffer(bo);
    aclrtFree(din);
    aclrtFree(dout);
    *n = out_size / sizeof(float);
    return r;
}

static void softmax(float *v, size_t n)
{
    float mx = v[0], sum = 0;
    for (size_t i = 1; i < n; i++)
        mx = v[i] > mx ? v[i] : mx;
    for (size_t i = 0; i < n; i++)
        sum += v[i] = expf(v[i] - mx);
    for (size_t i = 0; i < n; i++)
        v[i] /= sum;
}

static size_t top1(const float *v, size_t n)
{
    size_t b = 0;
    for (size_t i = 1; i < n; i++)
        if (v[i] > v[b])
            b = i;
    return b;
}

static void print_top5(const char *what, const float *p, size_t n)
{
    int used[5] = {-1, -1, -1, -1, -1};
    printf("%-26s", what);
    for (int k = 0; k < 5 && k < (int)n; k++) {
        int best = -1;
        for (size_t i = 0; i < n; i++) {
            int taken = 0;
            for (int j = 0; j < k; j++)
                taken |= used[j] == (int)i;
            if (!taken && (best < 0 || p[i] > p[best]))
                best = (int)i;
        }
        used[k] = best;
        printf(" %4d:%.4f", best, p[best]);
    }
    printf("\n");
}

/* A picture: a PPM (P6) of w x h, or a synthetic one. */
static unsigned char *picture(const char *path, int w, int h)
{
    unsigned char *rgb = malloc((size_t)w * h * 3);
    if (path) {
        FILE *f = fopen(path, "rb");
        int pw, ph, mx;
        if (!f || fscanf(f, "P6 %d %d %d", &pw, &ph, &mx) != 3 || pw != w || ph != h || mx != 255 ||
            fgetc(f) == EOF || fread(rgb, 3, (size_t)w * h, f) != (size_t)w * h) {
            fprintf(stderr, "aipp_classify: %s is not a %d x %d binary PPM\n", path, w, h);
            exit(1);
        }
        fclose(f);
        return rgb;
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            unsigned char *p = rgb + ((size_t)y * w + x) * 3;
            p[0] = (unsigned char)(255 * x / (w - 1));
            p[1] = (unsigned char)(255 * y / (h - 1));
            p[2] = (unsigned char)(((x / 4 + y / 4) % 2) * 200 + 20);
        }
    return rgb;
}

static unsigned char clamp8(float v)
{
    return (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : lrintf(v));
}

/* RGB to NV12, JPEG (BT.601 full range), chroma averaged over 2x2 blocks. */
static unsigned char *to_nv12(const unsigned char *rgb, int w, int h)
{
    unsigned char *nv = malloc((size_t)w * h * 3 / 2), *uv = nv + (size_t)w * h;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const unsigned char *p = rgb + ((size_t)y * w + x) * 3;
            nv[(size_t)y * w + x] = clamp8(0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]);
        }
    for (int y = 0; y < h; y += 2)
        for (int x = 0; x < w; x += 2) {
            float u = 0, v = 0;
            for (int k = 0; k < 4; k++) {
                const unsigned char *p = rgb + ((size_t)(y + k / 2) * w + x + k % 2) * 3;
                u += -0.168736f * p[0] - 0.331264f * p[1] + 0.5f * p[2] + 128;
                v += 0.5f * p[0] - 0.418688f * p[1] - 0.081312f * p[2] + 128;
            }
            uv[(size_t)(y / 2) * w + x] = clamp8(u / 4);
            uv[(size_t)(y / 2) * w + x + 1] = clamp8(v / 4);
        }
    return nv;
}

/* What an application does without AIPP: colour conversion (from NV12
 * when nv12 is given) and normalisation in float, NCHW. */
static float *to_tensor(const unsigned char *rgb, const unsigned char *nv12, int w, int h)
{
    float *t = malloc(sizeof(float) * 3 * w * h);
    size_t plane = (size_t)w * h;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float c[3];
            if (nv12) {
                float Y = nv12[(size_t)y * w + x];
                const unsigned char *uv = nv12 + plane + (size_t)(y / 2) * w + (x & ~1);
                float U = uv[0] - 128.0f, V = uv[1] - 128.0f;
                c[0] = Y + 1.402f * V;
                c[1] = Y - 0.344136f * U - 0.714136f * V;
                c[2] = Y + 1.772f * U;
                for (int k = 0; k < 3; k++)
                    c[k] = c[k] < 0 ? 0 : c[k] > 255 ? 255 : c[k];
            } else {
                for (int k = 0; k < 3; k++)
                    c[k] = rgb[((size_t)y * w + x) * 3 + k];
            }
            for (int k = 0; k < 3; k++)
                t[k * plane + (size_t)y * w + x] = (c[k] - kMean[k]) / kStd[k];
        }
    return t;
}

/* Compares two probability vectors: 0 when they agree. */
static int compare(const char *what, const float *a, const float *b, size_t n)
{
    float worst = 0;
    for (size_t i = 0; i < n; i++)
        worst = fabsf(a[i] - b[i]) > worst ? fabsf(a[i] - b[i]) : worst;
    int ok = top1(a, n) == top1(b, n) && worst <= 1.0f / 255;
    printf("%s: top-1 %zu vs %zu, largest probability difference %.2g (limit %.2g): %s\n", what, top1(a, n),
           top1(b, n), worst, 1.0 / 255, ok ? "agree" : "DIFFER");
    return !ok;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: aipp_classify NV12_MODEL.om RGB_MODEL.om PLAIN_MODEL.om [PICTURE.ppm]\n");
        return 2;
    }
    CHECK(aclInit(NULL));
    CHECK(aclrtSetDevice(0));
    struct model nv = load(argv[1]), rgbm = load(argv[2]), plain = load(argv[3]);
    aclmdlInputAippType type;
    size_t attached;
    CHECK(aclmdlGetAippType(nv.id, 0, &type, &attached));
    if (type != ACL_DATA_WITH_STATIC_AIPP) {
        fprintf(stderr, "aipp_classify: %s has no static AIPP on its input\n", argv[1]);
        return 1;
    }
    aclmdlIODims dims; /* [1, H, W, 3] for an AIPP image */
    CHECK(aclmdlGetInputDims(nv.desc, 0, &dims));
    int h = (int)dims.dims[1], w = (int)dims.dims[2];
    printf("picture %d x %d; NV12 input %zu bytes, RGB input %zu bytes, float input %zu bytes\n", w, h,
           aclmdlGetInputSizeByIndex(nv.desc, 0), aclmdlGetInputSizeByIndex(rgbm.desc, 0),
           aclmdlGetInputSizeByIndex(plain.desc, 0));

    unsigned char *rgb = picture(argc > 4 ? argv[4] : NULL, w, h), *nv12 = to_nv12(rgb, w, h);
    float *t_nv = to_tensor(rgb, nv12, w, h), *t_rgb = to_tensor(rgb, NULL, w, h);
    size_t n, n2, n3, n4;
    float *p_aipp_nv = infer(&nv, nv12, (size_t)w * h * 3 / 2, &n);
    float *p_aipp_rgb = infer(&rgbm, rgb, (size_t)w * h * 3, &n2);
    float *p_c_nv = infer(&plain, t_nv, sizeof(float) * 3 * w * h, &n3);
    float *p_c_rgb = infer(&plain, t_rgb, sizeof(float) * 3 * w * h, &n4);
    softmax(p_aipp_nv, n);
    softmax(p_aipp_rgb, n2);
    softmax(p_c_nv, n3);
    softmax(p_c_rgb, n4);
    print_top5("NV12 through AIPP", p_aipp_nv, n);
    print_top5("NV12 converted in C", p_c_nv, n3);
    print_top5("RGB through AIPP", p_aipp_rgb, n2);
    print_top5("RGB converted in C", p_c_rgb, n4);
    int bad = compare("NV12", p_aipp_nv, p_c_nv, n) + compare("RGB", p_aipp_rgb, p_c_rgb, n2);

    free(p_aipp_nv);
    free(p_aipp_rgb);
    free(p_c_nv);
    free(p_c_rgb);
    free(t_nv);
    free(t_rgb);
    free(rgb);
    free(nv12);
    struct model *all[3] = {&nv, &rgbm, &plain};
    for (int i = 0; i < 3; i++) {
        aclmdlDestroyDesc(all[i]->desc);
        CHECK(aclmdlUnload(all[i]->id));
    }
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    return bad ? 1 : 0;
}
