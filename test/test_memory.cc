// aclrtMalloc / aclrtFree / aclrtMallocHost / aclrtFreeHost / aclrtMemcpy(2d) /
// aclrtMemset / aclrtMemFlush / aclrtMemInvalidate / aclrtGetMemInfo.
#include <stdint.h>
#include <string.h>

#include <thread>
#include <vector>

#include <sys/mman.h>

#include "test_util.h"

static size_t RealSize(size_t n) { return ((n + 31) / 32) * 32 + 32; }

class Memory : public DeviceTest {
protected:
    size_t Free()
    {
        size_t f = 0, t = 0;
        EXPECT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &f, &t), ACL_SUCCESS);
        return f;
    }
};

class SmallDevice : public ::testing::Test {
protected:
    void SetUp() override
    {
        ScopedEnv e("HOSTACL_DEVICE_MEMORY", "1M");
        ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS) << TakeErrMsg();
        ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    }
    void TearDown() override { EXPECT_EQ(aclFinalize(), ACL_SUCCESS); }
};

TEST_F(Memory, MallocIsAlignedAndAccountedWithPadding)
{
    size_t before = Free();
    for (size_t n : {1, 31, 32, 33, 100, 4096, 1000001}) {
        void *p = nullptr;
        ASSERT_EQ(aclrtMalloc(&p, n, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
        EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u) << n;
        EXPECT_EQ(before - Free(), RealSize(n)) << n;
        memset(p, 0xAB, n); // the whole requested size is usable
        ASSERT_EQ(aclrtFree(p), ACL_SUCCESS);
        EXPECT_EQ(Free(), before);
    }
}

TEST_F(Memory, EveryPolicyIsAccepted)
{
    const unsigned policies[] = {ACL_MEM_MALLOC_HUGE_FIRST, ACL_MEM_MALLOC_HUGE_ONLY, ACL_MEM_MALLOC_NORMAL_ONLY,
                                 ACL_MEM_MALLOC_HUGE_FIRST_P2P, ACL_MEM_MALLOC_HUGE_ONLY_P2P,
                                 ACL_MEM_MALLOC_NORMAL_ONLY_P2P, ACL_MEM_MALLOC_HUGE1G_ONLY,
                                 ACL_MEM_MALLOC_HUGE1G_ONLY_P2P,
                                 ACL_MEM_MALLOC_HUGE_FIRST | ACL_MEM_TYPE_HIGH_BAND_WIDTH,
                                 ACL_MEM_MALLOC_NORMAL_ONLY | ACL_MEM_TYPE_LOW_BAND_WIDTH,
                                 ACL_MEM_MALLOC_HUGE_ONLY | ACL_MEM_ACCESS_USER_SPACE_READONLY};
    for (unsigned pol : policies) {
        void *p = nullptr;
        ASSERT_EQ(aclrtMalloc(&p, 128, static_cast<aclrtMemMallocPolicy>(pol)), ACL_SUCCESS) << pol;
        ASSERT_EQ(aclrtFree(p), ACL_SUCCESS);
        ASSERT_EQ(aclrtMallocCached(&p, 128, static_cast<aclrtMemMallocPolicy>(pol)), ACL_SUCCESS) << pol;
        ASSERT_EQ(aclrtFree(p), ACL_SUCCESS);
    }
}

TEST_F(Memory, MallocRejectsBadArguments)
{
    void *p = nullptr;
    EXPECT_EQ(aclrtMalloc(nullptr, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMalloc(&p, 0, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_INVALID_PARAM);
    EXPECT_NE(TakeErrMsg().find("size must be greater than 0"), std::string::npos);
    EXPECT_EQ(aclrtMalloc(&p, 64, static_cast<aclrtMemMallocPolicy>(8)), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMalloc(&p, 64, static_cast<aclrtMemMallocPolicy>(0x42)), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMalloc(&p, SIZE_MAX, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_RT_MEMORY_ALLOCATION);
    EXPECT_EQ(aclrtMalloc(&p, SIZE_MAX - 10, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_RT_MEMORY_ALLOCATION);
    EXPECT_EQ(aclrtMallocHost(nullptr, 64), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMallocHost(&p, 0), ACL_ERROR_INVALID_PARAM);
}

TEST_F(AclTest, MallocNeedsACurrentContext)
{
    void *p;
    EXPECT_EQ(aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_RT_CONTEXT_NULL);
    size_t f, t;
    EXPECT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &f, &t), ACL_ERROR_RT_CONTEXT_NULL);
    // Host memory needs none.
    EXPECT_EQ(aclrtMallocHost(&p, 64), ACL_SUCCESS);
    EXPECT_EQ(aclrtFreeHost(p), ACL_SUCCESS);
}

TEST_F(SmallDevice, BudgetExhaustionIsReportedAndRecovers)
{
    size_t f, t;
    ASSERT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &f, &t), ACL_SUCCESS);
    ASSERT_EQ(t, size_t(1) << 20);
    std::vector<void *> held;
    size_t chunk = 64 * 1024 - 64; // reserves exactly 64 KiB - 32
    for (;;) {
        void *p = nullptr;
        aclError rc = aclrtMalloc(&p, chunk, ACL_MEM_MALLOC_HUGE_FIRST);
        if (rc != ACL_SUCCESS) {
            EXPECT_EQ(rc, ACL_ERROR_RT_MEMORY_ALLOCATION);
            EXPECT_NE(TakeErrMsg().find("cannot allocate"), std::string::npos);
            break;
        }
        held.push_back(p);
        ASSERT_LT(held.size(), 100u);
    }
    EXPECT_EQ(held.size(), 16u);
    ASSERT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &f, &t), ACL_SUCCESS);
    EXPECT_EQ(f, t - held.size() * RealSize(chunk));
    // What is left can still be used exactly.
    void *last = nullptr;
    ASSERT_GE(f, 64u);
    EXPECT_EQ(aclrtMalloc(&last, f - 32, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &f, &t), ACL_SUCCESS);
    EXPECT_EQ(f, 0u);
    EXPECT_EQ(aclrtFree(last), ACL_SUCCESS);
    for (void *p : held)
        ASSERT_EQ(aclrtFree(p), ACL_SUCCESS);
    ASSERT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &f, &t), ACL_SUCCESS);
    EXPECT_EQ(f, t);
    void *big;
    // The largest request that fits: rounded up to 32 plus 32 is exactly 1 MiB.
    EXPECT_EQ(aclrtMalloc(&big, (1 << 20) - 32, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(big), ACL_SUCCESS);
    EXPECT_EQ(aclrtMalloc(&big, (1 << 20) - 31, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_RT_MEMORY_ALLOCATION);
}

TEST_F(Memory, FreeErrors)
{
    void *d, *h;
    ASSERT_EQ(aclrtMalloc(&d, 256, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMallocHost(&h, 256), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtFreeHost(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtFree(h), ACL_ERROR_RT_MEMORY_FREE);
    EXPECT_NE(TakeErrMsg().find("aclrtFreeHost"), std::string::npos);
    EXPECT_EQ(aclrtFreeHost(d), ACL_ERROR_RT_MEMORY_FREE);
    EXPECT_NE(TakeErrMsg().find("aclrtFree"), std::string::npos);
    EXPECT_EQ(aclrtFree(static_cast<char *>(d) + 64), ACL_ERROR_RT_MEMORY_FREE);
    EXPECT_NE(TakeErrMsg().find("inside"), std::string::npos);
    int stack_var;
    EXPECT_EQ(aclrtFree(&stack_var), ACL_ERROR_RT_MEMORY_FREE);
    EXPECT_EQ(aclrtFreeHost(&stack_var), ACL_ERROR_RT_MEMORY_FREE);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(d), ACL_ERROR_RT_MEMORY_FREE); // double free
    EXPECT_NE(TakeErrMsg().find("already freed"), std::string::npos);
    EXPECT_EQ(aclrtFreeHost(h), ACL_SUCCESS);
    EXPECT_EQ(aclrtFreeHost(h), ACL_ERROR_RT_MEMORY_FREE); // double free
}

TEST_F(Memory, MallocHostIsAlignedAndUsable)
{
    void *h;
    ASSERT_EQ(aclrtMallocHost(&h, 1000), ACL_SUCCESS);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(h) % 64, 0u);
    memset(h, 1, 1000);
    EXPECT_EQ(aclrtFreeHost(h), ACL_SUCCESS);
}

TEST_F(Memory, CopyRoundTripEveryKind)
{
    const size_t n = 4096;
    std::vector<unsigned char> src(n), back(n);
    for (size_t i = 0; i < n; i++)
        src[i] = static_cast<unsigned char>(i * 7);
    void *d1, *d2, *h;
    ASSERT_EQ(aclrtMalloc(&d1, n, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&d2, n, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMallocHost(&h, n), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(h, n, src.data(), n, ACL_MEMCPY_HOST_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(d1, n, h, n, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(d2, n, d1, n, ACL_MEMCPY_DEVICE_TO_DEVICE), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(d1, n, d2, n, ACL_MEMCPY_INNER_DEVICE_TO_DEVICE), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(d2, n, d1, n, ACL_MEMCPY_INTER_DEVICE_TO_DEVICE), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(d1, n, src.data(), n, ACL_MEMCPY_HOST_TO_BUF_TO_DEVICE), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(d2, n, d1, n, ACL_MEMCPY_DEFAULT), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(back.data(), n, d2, n, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(back, src);
    std::fill(back.begin(), back.end(), 0);
    EXPECT_EQ(aclrtMemcpy(back.data(), n, h, n, ACL_MEMCPY_DEFAULT), ACL_SUCCESS);
    EXPECT_EQ(back, src);
    EXPECT_EQ(aclrtFree(d1), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(d2), ACL_SUCCESS);
    EXPECT_EQ(aclrtFreeHost(h), ACL_SUCCESS);
}

// The four plain kinds are corrected from where the pointers are (CANN's
// runtime does the same when it can tell where they are), except that
// memory the runtime does not know is never taken for device memory (a
// freed or foreign pointer); the kinds with a meaning of their own are
// still checked.
TEST_F(Memory, PlainCopyKindsAreCorrectedFromThePointers)
{
    const size_t n = 256;
    std::vector<char> host(n, 'a'), back(n, 0);
    void *d, *d2, *h;
    ASSERT_EQ(aclrtMalloc(&d, n, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&d2, n, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMallocHost(&h, n), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(d, n, host.data(), n, ACL_MEMCPY_HOST_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(h, n, d, n, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(back.data(), n, h, n, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(back, host);
    std::fill(host.begin(), host.end(), 'b');
    std::fill(back.begin(), back.end(), 0);
    EXPECT_EQ(aclrtMemcpy(d2, n, host.data(), n, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(d, n, d2, n, ACL_MEMCPY_HOST_TO_HOST), ACL_SUCCESS);
    // AclLite's output copy on the host: device memory into new'd memory
    EXPECT_EQ(aclrtMemcpy(back.data(), n, d, n, ACL_MEMCPY_HOST_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(back, host);
    // unknown memory named device memory: refused, nothing copied
    EXPECT_EQ(aclrtMemcpy(back.data(), n, d, n, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_NE(TakeErrMsg().find("does not match"), std::string::npos);
    EXPECT_EQ(aclrtMemcpy(d, n, host.data(), n, ACL_MEMCPY_DEVICE_TO_DEVICE), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtMemcpy(h, n, host.data(), n, ACL_MEMCPY_DEVICE_TO_HOST), ACL_ERROR_RT_PARAM_INVALID);
    // kinds with a meaning of their own must fit
    EXPECT_EQ(aclrtMemcpy(d, n, h, n, ACL_MEMCPY_INNER_DEVICE_TO_DEVICE), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtMemcpy(h, n, d, n, ACL_MEMCPY_HOST_TO_BUF_TO_DEVICE), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtMemcpy(d, n, host.data(), n, static_cast<aclrtMemcpyKind>(8)), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpy(d, n, host.data(), n, static_cast<aclrtMemcpyKind>(-1)), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(d2), ACL_SUCCESS);
    EXPECT_EQ(aclrtFreeHost(h), ACL_SUCCESS);
}

TEST_F(Memory, CopyRangeChecks)
{
    const size_t n = 100; // really reserves 160 bytes, but only 100 are the caller's
    std::vector<char> host(1024, 'x');
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, n, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    char *dc = static_cast<char *>(d);
    EXPECT_EQ(aclrtMemcpy(d, n, host.data(), n, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(dc + 50, 50, host.data(), 50, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(dc + 99, 1, host.data(), 1, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    // One byte too far, as destination and as source.
    EXPECT_EQ(aclrtMemcpy(d, 1024, host.data(), n + 1, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_NE(TakeErrMsg().find("runs past"), std::string::npos);
    EXPECT_EQ(aclrtMemcpy(dc + 51, 50, host.data(), 50, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtMemcpy(host.data(), 1024, d, n + 1, ACL_MEMCPY_DEVICE_TO_HOST), ACL_ERROR_RT_PARAM_INVALID);
    // Unaligned interior pointers are fine.
    EXPECT_EQ(aclrtMemcpy(host.data(), 1024, dc + 3, 97, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    // Into the padding: still device memory, but not the caller's.
    EXPECT_EQ(aclrtMemcpy(dc + 120, 8, host.data(), 8, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
}

TEST_F(Memory, CopyArgumentChecks)
{
    void *d;
    char host[64];
    ASSERT_EQ(aclrtMalloc(&d, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(nullptr, 64, host, 64, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpy(d, 64, nullptr, 64, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpy(d, 32, host, 64, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM);
    EXPECT_NE(TakeErrMsg().find("larger than destMax"), std::string::npos);
    // Zero bytes copy nothing and succeed.
    EXPECT_EQ(aclrtMemcpy(d, 64, host, 0, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(d, 0, host, 0, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
    // A freed buffer is host memory as far as the runtime knows.
    EXPECT_EQ(aclrtMemcpy(d, 64, host, 64, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_RT_PARAM_INVALID);
}

TEST_F(Memory, Memcpy2dCopiesRowsAndChecksExtent)
{
    const size_t w = 10, h = 4, sp = 16, dp = 12;
    std::vector<unsigned char> src(sp * h), back(dp * h, 0);
    for (size_t i = 0; i < src.size(); i++)
        src[i] = static_cast<unsigned char>(i);
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, dp * (h - 1) + w, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpy2d(d, dp, src.data(), sp, w, h, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpy2d(back.data(), dp, d, dp, w, h, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    for (size_t r = 0; r < h; r++)
        for (size_t c = 0; c < w; c++)
            EXPECT_EQ(back[r * dp + c], src[r * sp + c]);
    EXPECT_EQ(aclrtMemcpy2d(d, dp, src.data(), sp, w, h + 1, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtMemcpy2d(d, 8, src.data(), sp, w, h, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpy2d(d, dp, src.data(), 8, w, h, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpy2d(d, dp, src.data(), sp, 0, h, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpy2d(d, dp, src.data(), sp, w, 0, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpy2d(nullptr, dp, src.data(), sp, w, h, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpy2d(d, SIZE_MAX / 2, src.data(), sp, w, 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpy2d(d, dp, src.data(), sp, w, h, ACL_MEMCPY_DEVICE_TO_HOST), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
}

TEST_F(Memory, MemsetUsesTheLowByteAndChecksRange)
{
    void *d, *h;
    ASSERT_EQ(aclrtMalloc(&d, 100, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMallocHost(&h, 100), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemset(d, 100, 0x1234, 100), ACL_SUCCESS);
    unsigned char back[100];
    ASSERT_EQ(aclrtMemcpy(back, 100, d, 100, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    for (unsigned char c : back)
        ASSERT_EQ(c, 0x34);
    EXPECT_EQ(aclrtMemset(h, 100, 7, 100), ACL_SUCCESS);
    EXPECT_EQ(static_cast<unsigned char *>(h)[99], 7);
    EXPECT_EQ(aclrtMemset(d, 100, 0, 0), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemset(d, 50, 0, 100), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemset(d, 200, 0, 101), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtMemset(static_cast<char *>(d) + 90, 20, 0, 11), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtMemset(nullptr, 10, 0, 10), ACL_ERROR_INVALID_PARAM);
    // Host memory the runtime did not allocate (Ascend's samples clear
    // stack structs this way): written when writable, refused otherwise.
    char stack[16];
    memset(stack, 1, sizeof stack);
    EXPECT_EQ(aclrtMemset(stack, 16, 9, 16), ACL_SUCCESS);
    EXPECT_EQ(stack[15], 9);
    void *ro = mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(ro, MAP_FAILED);
    EXPECT_EQ(aclrtMemset(ro, 16, 9, 16), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(static_cast<char *>(ro)[0], 0);
    munmap(ro, 4096);
    EXPECT_EQ(aclrtMemset(ro, 16, 9, 16), ACL_ERROR_RT_PARAM_INVALID); // unmapped
    TakeErrMsg();
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
    EXPECT_EQ(aclrtFreeHost(h), ACL_SUCCESS);
}

TEST_F(Memory, FlushAndInvalidateCheckTheirRange)
{
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, 128, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemFlush(d, 128), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemInvalidate(d, 64), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemFlush(d, 129), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtMemInvalidate(nullptr, 64), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemFlush(d, 0), ACL_ERROR_INVALID_PARAM);
    char stack[8];
    EXPECT_EQ(aclrtMemFlush(stack, 8), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
}

TEST_F(Memory, GetMemInfoChecksArguments)
{
    size_t f, t;
    for (int a = ACL_DDR_MEM; a <= ACL_HBM_MEM_P2P_HUGE1G; a++)
        EXPECT_EQ(aclrtGetMemInfo(static_cast<aclrtMemAttr>(a), &f, &t), ACL_SUCCESS);
    EXPECT_EQ(aclrtGetMemInfo(static_cast<aclrtMemAttr>(12), &f, &t), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, nullptr, &t), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &f, nullptr), ACL_ERROR_INVALID_PARAM);
}

TEST_F(Memory, ConcurrentAllocationsKeepExactAccounts)
{
    size_t before = Free();
    aclrtContext ctx;
    ASSERT_EQ(aclrtGetCurrentContext(&ctx), ACL_SUCCESS);
    std::vector<std::thread> ts;
    std::atomic<int> failures{0};
    for (int i = 0; i < 8; i++)
        ts.emplace_back([&, i] {
            if (aclrtSetCurrentContext(ctx) != ACL_SUCCESS)
                failures++;
            std::vector<void *> mine;
            for (int k = 0; k < 300; k++) {
                void *p;
                if (aclrtMalloc(&p, 64 + (size_t)(k * 37 + i) % 5000, ACL_MEM_MALLOC_HUGE_FIRST) != ACL_SUCCESS)
                    failures++;
                else
                    mine.push_back(p);
                if (k % 3 == 0 && !mine.empty()) {
                    if (aclrtFree(mine.back()) != ACL_SUCCESS)
                        failures++;
                    mine.pop_back();
                }
            }
            for (void *p : mine)
                if (aclrtFree(p) != ACL_SUCCESS)
                    failures++;
        });
    for (auto &t : ts)
        t.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(Free(), before);
}

// A handle passed where memory belongs (an int mix-up in a binding) is
// refused: the object behind it is never read or overwritten.
TEST_F(Memory, HandlesAreNotMemory)
{
    aclrtStream s;
    ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, 4096, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    char host[64] = {0};
    EXPECT_EQ(aclrtMemcpy(s, 4096, d, 4096, ACL_MEMCPY_DEVICE_TO_HOST), ACL_ERROR_INVALID_PARAM);
    EXPECT_NE(TakeErrMsg().find("handle"), std::string::npos);
    EXPECT_EQ(aclrtMemcpy(d, 4096, s, 4096, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpyAsync(s, 64, d, 64, ACL_MEMCPY_DEVICE_TO_HOST, s), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpy(host, 64, s, 64, ACL_MEMCPY_HOST_TO_HOST), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemset(s, 64, 0, 64), ACL_ERROR_RT_PARAM_INVALID);
    TakeErrMsg();
    EXPECT_EQ(aclrtSynchronizeStream(s), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
}
