// DVPP throughput: a 1920x1080 JPEG decoded and resized to 224x224 NV12,
// images per second, three ways on the same bytes, alternating rounds,
// medians:
//   hostacl     acldvppJpegDecodeAsync + acldvppVpcResizeAsync on a stream
//               (`streams` streams, one picture in flight on each)
//   turbojpeg   libjpeg-turbo to YUV planes + a plain C bilinear resize
//   opencv      cv::imdecode + cv::resize to 224x224 BGR (when built with it)
// Prints JSON with the CPU.
//
// usage: bench_dvpp [pictures_per_round] [rounds] [streams]
#define ENABLE_DVPP_INTERFACE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <turbojpeg.h>

#include <algorithm>
#include <string>
#include <vector>

#ifdef HACL_BENCH_OPENCV
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#endif

#include "acl/acl.h"
#include "acl/ops/acl_dvpp.h"

#define CHECK(call)                                                                                  \
    do {                                                                                             \
        aclError rc_ = (call);                                                                       \
        if (rc_ != ACL_SUCCESS) {                                                                    \
            fprintf(stderr, "%s failed: %d %s\n", #call, rc_, aclGetRecentErrMsg());                 \
            exit(1);                                                                                 \
        }                                                                                            \
    } while (0)

static double now()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const int W = 1920, H = 1080, OW = 224, OH = 224;

static std::string make_jpeg()
{
    std::vector<unsigned char> rgb((size_t)W * H * 3);
    unsigned seed = 1;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            seed = seed * 1103515245u + 12345u;
            unsigned char *p = &rgb[((size_t)y * W + x) * 3];
            int n = (int)(seed >> 28) - 8; /* a little noise, as photographs have */
            p[0] = (unsigned char)std::min(255, std::max(0, (int)(127 + 100 * sin(x / 50.0)) + n));
            p[1] = (unsigned char)std::min(255, std::max(0, (int)(127 + 100 * cos(y / 40.0)) + n));
            p[2] = (unsigned char)std::min(255, std::max(0, ((x / 64 + y / 64) % 2) * 150 + 50 + n));
        }
    tjhandle t = tjInitCompress();
    unsigned char *buf = nullptr;
    unsigned long len = 0;
    tjCompress2(t, rgb.data(), W, 0, H, TJPF_RGB, &buf, &len, TJSAMP_420, 90, 0);
    std::string s((const char *)buf, len);
    tjFree(buf);
    tjDestroy(t);
    return s;
}

/* ---- hostacl ---- */
struct Lane {
    aclrtStream stream;
    void *jpeg, *dec, *out;
    acldvppPicDesc *dd, *in, *od;
};

static double run_hostacl(acldvppChannelDesc *ch, acldvppResizeConfig *rc, std::vector<Lane> &lanes, uint32_t len,
                          int n)
{
    double t0 = now();
    for (int i = 0; i < n; i += (int)lanes.size()) {
        for (size_t l = 0; l < lanes.size() && i + (int)l < n; l++) {
            CHECK(acldvppJpegDecodeAsync(ch, lanes[l].jpeg, len, lanes[l].dd, lanes[l].stream));
            CHECK(acldvppVpcResizeAsync(ch, lanes[l].in, lanes[l].od, rc, lanes[l].stream));
        }
        for (auto &l : lanes)
            CHECK(aclrtSynchronizeStream(l.stream));
    }
    return n / (now() - t0);
}

/* ---- libjpeg-turbo + a plain bilinear resize ---- */
static void resize_plane(const unsigned char *s, int sw, int sh, int sstride, unsigned char *d, int dw, int dh, int ch)
{
    for (int y = 0; y < dh; y++) {
        double fy = std::max(0.0, (y + 0.5) * sh / dh - 0.5);
        int y0 = (int)fy, y1 = std::min(y0 + 1, sh - 1);
        double ay = fy - y0;
        for (int x = 0; x < dw; x++) {
            double fx = std::max(0.0, (x + 0.5) * sw / dw - 0.5);
            int x0 = (int)fx, x1 = std::min(x0 + 1, sw - 1);
            double ax = fx - x0;
            for (int c = 0; c < ch; c++) {
                double v = (1 - ay) * ((1 - ax) * s[y0 * sstride + x0 * ch + c] + ax * s[y0 * sstride + x1 * ch + c]) +
                           ay * ((1 - ax) * s[y1 * sstride + x0 * ch + c] + ax * s[y1 * sstride + x1 * ch + c]);
                d[(size_t)y * dw * ch + x * ch + c] = (unsigned char)(v + 0.5);
            }
        }
    }
}

static double run_turbo(const std::string &jpeg, int n)
{
    std::vector<unsigned char> y((size_t)W * H), u((size_t)W * H / 4), v((size_t)W * H / 4), uv(W * H / 2),
        out(OW * OH * 3 / 2);
    tjhandle t = tjInitDecompress();
    double t0 = now();
    for (int i = 0; i < n; i++) {
        unsigned char *planes[3] = {y.data(), u.data(), v.data()};
        int strides[3] = {W, W / 2, W / 2};
        tjDecompressToYUVPlanes(t, (const unsigned char *)jpeg.data(), jpeg.size(), planes, W, strides, H, 0);
        for (int k = 0; k < W * H / 4; k++)
            uv[2 * k] = u[k], uv[2 * k + 1] = v[k];
        resize_plane(y.data(), W, H, W, out.data(), OW, OH, 1);
        resize_plane(uv.data(), W / 2, H / 2, W, out.data() + OW * OH, OW / 2, OH / 2, 2);
    }
    double r = n / (now() - t0);
    tjDestroy(t);
    return r;
}

#ifdef HACL_BENCH_OPENCV
static double run_opencv(const std::string &jpeg, int n)
{
    std::vector<unsigned char> bytes(jpeg.begin(), jpeg.end());
    cv::setNumThreads(1);
    double t0 = now();
    for (int i = 0; i < n; i++) {
        cv::Mat img = cv::imdecode(bytes, cv::IMREAD_COLOR), small;
        cv::resize(img, small, cv::Size(OW, OH), 0, 0, cv::INTER_LINEAR);
    }
    return n / (now() - t0);
}
#endif

static double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20, rounds = argc > 2 ? atoi(argv[2]) : 5;
    size_t nstreams = argc > 3 ? (size_t)atoi(argv[3]) : 1;
    std::string jpeg = make_jpeg();
    CHECK(aclInit(nullptr));
    CHECK(aclrtSetDevice(0));
    acldvppChannelDesc *ch = acldvppCreateChannelDesc();
    CHECK(acldvppCreateChannel(ch));
    acldvppResizeConfig *rc = acldvppCreateResizeConfig();
    uint32_t dsize = 0;
    CHECK(acldvppJpegPredictDecSize(jpeg.data(), jpeg.size(), PIXEL_FORMAT_YUV_SEMIPLANAR_420, &dsize));
    std::vector<Lane> lanes(nstreams);
    for (auto &l : lanes) {
        CHECK(aclrtCreateStream(&l.stream));
        CHECK(acldvppMalloc(&l.jpeg, jpeg.size()));
        CHECK(aclrtMemcpy(l.jpeg, jpeg.size(), jpeg.data(), jpeg.size(), ACL_MEMCPY_HOST_TO_DEVICE));
        CHECK(acldvppMalloc(&l.dec, dsize));
        CHECK(acldvppMalloc(&l.out, OW * OH * 3 / 2));
        auto pic = [](void *d, uint32_t s, uint32_t w, uint32_t h, uint32_t ws, uint32_t hs) {
            acldvppPicDesc *p = acldvppCreatePicDesc();
            acldvppSetPicDescData(p, d);
            acldvppSetPicDescSize(p, s);
            acldvppSetPicDescFormat(p, PIXEL_FORMAT_YUV_SEMIPLANAR_420);
            acldvppSetPicDescWidth(p, w);
            acldvppSetPicDescHeight(p, h);
            acldvppSetPicDescWidthStride(p, ws);
            acldvppSetPicDescHeightStride(p, hs);
            return p;
        };
        l.dd = pic(l.dec, dsize, 0, 0, 0, 0);
        l.in = pic(l.dec, dsize, W, H, (W + 127) / 128 * 128, (H + 15) / 16 * 16);
        l.od = pic(l.out, OW * OH * 3 / 2, OW, OH, OW, OH);
    }
    run_hostacl(ch, rc, lanes, (uint32_t)jpeg.size(), 2); /* warm-up */
    std::vector<double> h, t, o;
    for (int r = 0; r < rounds; r++) {
        h.push_back(run_hostacl(ch, rc, lanes, (uint32_t)jpeg.size(), n));
        t.push_back(run_turbo(jpeg, n));
#ifdef HACL_BENCH_OPENCV
        o.push_back(run_opencv(jpeg, n));
#endif
    }
    char cpu[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "model name", 10)) {
            snprintf(cpu, sizeof cpu, "%s", strchr(line, ':') + 2);
            cpu[strcspn(cpu, "\n")] = 0;
            break;
        }
    if (f)
        fclose(f);
    printf("{\"bench\": \"dvpp\", \"cpu\": \"%s\", \"jpeg\": \"%dx%d 4:2:0 q90, %zu bytes\", \"output\": \"%dx%d NV12\",\n"
           " \"pictures_per_round\": %d, \"rounds\": %d, \"hostacl_streams\": %zu,\n"
           " \"hostacl_images_per_s\": %.1f, \"turbojpeg_plain_resize_images_per_s\": %.1f",
           cpu, W, H, jpeg.size(), OW, OH, n, rounds, nstreams, median(h), median(t));
    if (!o.empty())
        printf(", \"opencv_imdecode_resize_images_per_s\": %.1f, \"hostacl_vs_opencv\": %.2f", median(o),
               median(h) / median(o));
    printf(", \"hostacl_vs_turbojpeg\": %.2f}\n", median(h) / median(t));
    for (auto &l : lanes) {
        acldvppDestroyPicDesc(l.dd);
        acldvppDestroyPicDesc(l.in);
        acldvppDestroyPicDesc(l.od);
        acldvppFree(l.jpeg);
        acldvppFree(l.dec);
        acldvppFree(l.out);
        aclrtDestroyStream(l.stream);
    }
    acldvppDestroyResizeConfig(rc);
    acldvppDestroyChannel(ch);
    acldvppDestroyChannelDesc(ch);
    aclrtResetDevice(0);
    aclFinalize();
    return 0;
}
