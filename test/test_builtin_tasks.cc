// aclrtReduceAsync against references for every type and kind, its
// ordering on the stream, and its error codes.
#include <math.h>
#include <string.h>

#include <vector>

#include "test_util.h"

class Reduce : public StreamTest {
protected:
    // Runs kind over host arrays a (dst) and b (src) of `bytes`; returns dst.
    std::vector<unsigned char> Run(const void *a, const void *b, size_t bytes, aclrtReduceKind kind, aclDataType type)
    {
        void *d, *s;
        EXPECT_EQ(aclrtMalloc(&d, bytes, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
        EXPECT_EQ(aclrtMalloc(&s, bytes, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
        EXPECT_EQ(aclrtMemcpy(d, bytes, a, bytes, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
        EXPECT_EQ(aclrtMemcpy(s, bytes, b, bytes, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
        EXPECT_EQ(aclrtReduceAsync(d, s, bytes, kind, type, stream_, nullptr), ACL_SUCCESS) << TakeErrMsg();
        EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
        std::vector<unsigned char> out(bytes);
        EXPECT_EQ(aclrtMemcpy(out.data(), bytes, d, bytes, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
        aclrtFree(d);
        aclrtFree(s);
        return out;
    }
};

TEST_F(Reduce, Float32EveryKind)
{
    float a[5] = {1, -2, 3.5f, 0, 1e30f}, b[5] = {1, 5, -3.5f, -0.25f, 1e30f};
    auto sum = Run(a, b, sizeof a, ACL_RT_MEMCPY_SDMA_AUTOMATIC_SUM, ACL_FLOAT);
    auto mx = Run(a, b, sizeof a, ACL_RT_MEMCPY_SDMA_AUTOMATIC_MAX, ACL_FLOAT);
    auto mn = Run(a, b, sizeof a, ACL_RT_MEMCPY_SDMA_AUTOMATIC_MIN, ACL_FLOAT);
    auto eq = Run(a, b, sizeof a, ACL_RT_MEMCPY_SDMA_AUTOMATIC_EQUAL, ACL_FLOAT);
    for (int i = 0; i < 5; i++) {
        float s, x, n, e;
        memcpy(&s, &sum[4 * i], 4), memcpy(&x, &mx[4 * i], 4), memcpy(&n, &mn[4 * i], 4), memcpy(&e, &eq[4 * i], 4);
        EXPECT_EQ(s, a[i] + b[i]) << i;
        EXPECT_EQ(x, fmaxf(a[i], b[i])) << i;
        EXPECT_EQ(n, fminf(a[i], b[i])) << i;
        EXPECT_EQ(e, b[i]) << i;
    }
}

TEST_F(Reduce, IntegersWrapAndCompareSigned)
{
    int8_t a[4] = {127, -128, -1, 5}, b[4] = {1, -1, 1, -7};
    auto sum = Run(a, b, sizeof a, ACL_RT_MEMCPY_SDMA_AUTOMATIC_SUM, ACL_INT8);
    EXPECT_EQ((int8_t)sum[0], -128); // wraps
    EXPECT_EQ((int8_t)sum[1], 127);
    EXPECT_EQ((int8_t)sum[2], 0);
    EXPECT_EQ((int8_t)sum[3], -2);
    auto mn = Run(a, b, sizeof a, ACL_RT_MEMCPY_SDMA_AUTOMATIC_MIN, ACL_INT8);
    EXPECT_EQ((int8_t)mn[3], -7);
    uint32_t ua[2] = {0xffffffffu, 3}, ub[2] = {2, 1};
    auto umax = Run(ua, ub, sizeof ua, ACL_RT_MEMCPY_SDMA_AUTOMATIC_MAX, ACL_UINT32);
    uint32_t u0;
    memcpy(&u0, umax.data(), 4);
    EXPECT_EQ(u0, 0xffffffffu); // unsigned comparison
    int32_t ia[2] = {-5, 2000000000}, ib[2] = {3, 2000000000};
    auto isum = Run(ia, ib, sizeof ia, ACL_RT_MEMCPY_SDMA_AUTOMATIC_SUM, ACL_INT32);
    int32_t i0, i1;
    memcpy(&i0, isum.data(), 4), memcpy(&i1, isum.data() + 4, 4);
    EXPECT_EQ(i0, -2);
    EXPECT_EQ(i1, (int32_t)(uint32_t)4000000000u);
    int16_t sa[2] = {-3, 300}, sb[2] = {2, -301};
    auto smax = Run(sa, sb, sizeof sa, ACL_RT_MEMCPY_SDMA_AUTOMATIC_MAX, ACL_INT16);
    int16_t s0, s1;
    memcpy(&s0, smax.data(), 2), memcpy(&s1, smax.data() + 2, 2);
    EXPECT_EQ(s0, 2);
    EXPECT_EQ(s1, 300);
}

TEST_F(Reduce, HalfPrecisionRoundsToNearest)
{
    // float16: 1.0 = 0x3c00, 2.0 = 0x4000, 0.5 = 0x3800, 65504 = 0x7bff, -1 = 0xbc00
    uint16_t a[4] = {0x3c00, 0x3800, 0x7bff, 0xbc00}, b[4] = {0x4000, 0x3800, 0x7bff, 0x3c00};
    auto sum = Run(a, b, sizeof a, ACL_RT_MEMCPY_SDMA_AUTOMATIC_SUM, ACL_FLOAT16);
    uint16_t h[4];
    memcpy(h, sum.data(), sizeof h);
    EXPECT_EQ(h[0], 0x4200); // 3.0
    EXPECT_EQ(h[1], 0x3c00); // 1.0
    EXPECT_EQ(h[2], 0x7c00); // overflow to +inf
    EXPECT_EQ(h[3], 0x0000); // 0
    EXPECT_EQ(aclFloat16ToFloat(h[0]), 3.0f);
    // bfloat16: 1.0 = 0x3f80, 2.0 = 0x4000, 1 + 2^-8 rounds to even
    uint16_t ba[3] = {0x3f80, 0x3f80, 0x4000}, bb[3] = {0x4000, 0x3b80, 0x3f80};
    auto bsum = Run(ba, bb, sizeof ba, ACL_RT_MEMCPY_SDMA_AUTOMATIC_SUM, ACL_BF16);
    uint16_t bh[3];
    memcpy(bh, bsum.data(), sizeof bh);
    EXPECT_EQ(bh[0], 0x4040); // 3.0
    EXPECT_EQ(bh[1], 0x3f80); // 1 + 1/256: a tie, to even (1.0)
    EXPECT_EQ(bh[2], 0x4040);
}

TEST_F(Reduce, RunsInStreamOrderAndRefusesBadArguments)
{
    float one[64], zero[64] = {0};
    for (float &v : one)
        v = 1;
    void *d, *s;
    ASSERT_EQ(aclrtMalloc(&d, sizeof one, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&s, sizeof one, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpyAsync(d, sizeof zero, zero, sizeof zero, ACL_MEMCPY_HOST_TO_DEVICE, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpyAsync(s, sizeof one, one, sizeof one, ACL_MEMCPY_HOST_TO_DEVICE, stream_), ACL_SUCCESS);
    for (int k = 0; k < 10; k++) // ordered with the copies and each other
        ASSERT_EQ(aclrtReduceAsync(d, s, sizeof one, ACL_RT_MEMCPY_SDMA_AUTOMATIC_SUM, ACL_FLOAT, stream_, nullptr),
                  ACL_SUCCESS);
    float back[64];
    ASSERT_EQ(aclrtMemcpyAsync(back, sizeof back, d, sizeof back, ACL_MEMCPY_DEVICE_TO_HOST, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    for (float v : back)
        EXPECT_EQ(v, 10.0f);
    float host[4];
    int dummy;
    EXPECT_EQ(aclrtReduceAsync(d, s, 16, ACL_RT_MEMCPY_SDMA_AUTOMATIC_SUM, ACL_FLOAT, stream_, &dummy),
              ACL_ERROR_INVALID_PARAM); // reserve
    EXPECT_EQ(aclrtReduceAsync(d, s, 16, (aclrtReduceKind)3, ACL_FLOAT, stream_, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtReduceAsync(d, s, 16, ACL_RT_MEMCPY_SDMA_AUTOMATIC_SUM, ACL_DOUBLE, stream_, nullptr),
              ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtReduceAsync(d, s, 6, ACL_RT_MEMCPY_SDMA_AUTOMATIC_SUM, ACL_FLOAT, stream_, nullptr),
              ACL_ERROR_INVALID_PARAM); // not whole elements
    EXPECT_EQ(aclrtReduceAsync(d, s, 0, ACL_RT_MEMCPY_SDMA_AUTOMATIC_SUM, ACL_FLOAT, stream_, nullptr),
              ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtReduceAsync(host, s, 16, ACL_RT_MEMCPY_SDMA_AUTOMATIC_SUM, ACL_FLOAT, stream_, nullptr),
              ACL_ERROR_RT_PARAM_INVALID); // host memory
    EXPECT_EQ(aclrtReduceAsync(d, s, 4096, ACL_RT_MEMCPY_SDMA_AUTOMATIC_SUM, ACL_FLOAT, stream_, nullptr),
              ACL_ERROR_RT_PARAM_INVALID); // past the allocation
    EXPECT_EQ(aclrtReduceAsync(nullptr, s, 16, ACL_RT_MEMCPY_SDMA_AUTOMATIC_SUM, ACL_FLOAT, stream_, nullptr),
              ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
    aclrtFree(d);
    aclrtFree(s);
}
