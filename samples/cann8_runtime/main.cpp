// A tour of the CANN 8 runtime surface on hostacl, built the way CANN 8
// applications are (against ASCEND_INSTALL_PATH, linking libacl_rt):
// versions and capabilities, a stream created from a configuration handle
// with a priority, a producer stream signalling a consumer stream through
// aclrtValueWrite / aclrtValueWait, a reduce, seeded random numbers, a user
// allocator registered on a stream, and the overflow status. Prints what it
// finds and exits 0 when every step behaved as documented.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "acl/acl.h"

// kernels.cpp (an Ascend C kernel library)
void LaunchAddOne(uint32_t blocks, void *stream, uint32_t *x);
void LaunchFault(void *stream);

#define CHECK(call)                                                                                 \
    do {                                                                                            \
        aclError rc_ = (call);                                                                      \
        if (rc_ != ACL_SUCCESS) {                                                                   \
            std::fprintf(stderr, "%s:%d %s failed: %d (%s)\n", __FILE__, __LINE__, #call, (int)rc_, \
                         aclGetRecentErrMsg());                                                     \
            return 1;                                                                               \
        }                                                                                           \
    } while (0)
#define EXPECT(cond)                                                                  \
    do {                                                                              \
        if (!(cond)) {                                                                \
            std::fprintf(stderr, "%s:%d expected %s\n", __FILE__, __LINE__, #cond); \
            return 1;                                                                 \
        }                                                                             \
    } while (0)

namespace {

struct Pool { // a one-block caching allocator
    void *mem = nullptr;
    size_t size = 0;
    int allocs = 0;
};
void *PoolAlloc(aclrtAllocator a, size_t size)
{
    auto *p = static_cast<Pool *>(a);
    if (p->size < size) {
        if (p->mem)
            aclrtFree(p->mem);
        p->mem = nullptr;
        if (aclrtMalloc(&p->mem, size, ACL_MEM_MALLOC_HUGE_FIRST) != ACL_SUCCESS)
            return nullptr;
        p->size = size;
    }
    p->allocs++;
    return p;
}
void PoolFree(aclrtAllocator, aclrtAllocatorBlock) {}
void *PoolAddr(aclrtAllocatorBlock b) { return static_cast<Pool *>(b)->mem; }

int Versions()
{
    char ver[ACL_PKG_VERSION_MAX_SIZE] = {0};
    int32_t num = 0;
    CHECK(aclsysGetVersionStr(const_cast<char *>("runtime"), ver));
    CHECK(aclsysGetVersionNum(const_cast<char *>("runtime"), &num));
    const char *soc = aclrtGetSocName();
    int32_t compatible = 0;
    CHECK(aclrtCheckArchCompatibility(soc, &compatible));
    std::printf("runtime %s (%d) on %s, compatible %d\n", ver, num, soc, compatible);
    EXPECT(compatible == 1);
    return 0;
}

int ProducerConsumer(aclrtStream consumer)
{
    aclrtStreamConfigHandle *cfg = aclrtCreateStreamConfigHandle();
    EXPECT(cfg != nullptr);
    uint32_t prio = 0; // the highest
    CHECK(aclrtSetStreamConfigOpt(cfg, ACL_RT_STREAM_PRIORITY, &prio, sizeof prio));
    aclrtStream producer = nullptr;
    CHECK(aclrtCreateStreamV2(&producer, cfg));
    CHECK(aclrtDestroyStreamConfigHandle(cfg));
    uint32_t got = 9;
    CHECK(aclrtStreamGetPriority(producer, &got));
    EXPECT(got == 0);

    void *flag = nullptr, *data = nullptr;
    CHECK(aclrtMalloc(&flag, 8, ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK(aclrtMalloc(&data, 64, ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK(aclrtMemset(flag, 8, 0, 8));
    // the consumer waits for the flag, then copies the data out
    std::vector<float> out(16, -1.0f), in(16);
    for (int i = 0; i < 16; i++)
        in[i] = (float)i;
    CHECK(aclrtValueWait(flag, 1, ACL_STREAM_WAIT_VALUE_EQ, consumer));
    CHECK(aclrtMemcpyAsync(out.data(), 64, data, 64, ACL_MEMCPY_DEVICE_TO_HOST, consumer));
    // the producer fills the data, then raises the flag
    CHECK(aclrtMemcpyAsync(data, 64, in.data(), 64, ACL_MEMCPY_HOST_TO_DEVICE, producer));
    CHECK(aclrtValueWrite(flag, 1, 0, producer));
    CHECK(aclrtSynchronizeStream(consumer));
    EXPECT(out == in);
    std::printf("value wait/write: the consumer saw the producer's data\n");
    CHECK(aclrtSynchronizeStream(producer));
    CHECK(aclrtDestroyStream(producer));
    CHECK(aclrtFree(flag));
    CHECK(aclrtFree(data));
    return 0;
}

int ReduceAndRandom(aclrtStream s)
{
    float a[4] = {1, 2, 3, 4}, b[4] = {10, 20, 30, 40};
    void *da = nullptr, *db = nullptr;
    CHECK(aclrtMalloc(&da, sizeof a, ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK(aclrtMalloc(&db, sizeof b, ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK(aclrtMemcpy(da, sizeof a, a, sizeof a, ACL_MEMCPY_HOST_TO_DEVICE));
    CHECK(aclrtMemcpy(db, sizeof b, b, sizeof b, ACL_MEMCPY_HOST_TO_DEVICE));
    CHECK(aclrtReduceAsync(da, db, sizeof a, ACL_RT_MEMCPY_SDMA_AUTOMATIC_SUM, ACL_FLOAT, s, nullptr));
    CHECK(aclrtSynchronizeStream(s));
    CHECK(aclrtMemcpy(a, sizeof a, da, sizeof a, ACL_MEMCPY_DEVICE_TO_HOST));
    EXPECT(a[0] == 11 && a[3] == 44);
    std::printf("reduce sum: %g %g %g %g\n", a[0], a[1], a[2], a[3]);

    const uint64_t n = 1024;
    void *r = nullptr;
    CHECK(aclrtMalloc(&r, n * sizeof(float), ACL_MEM_MALLOC_HUGE_FIRST));
    aclrtRandomNumTaskInfo info;
    std::memset(&info, 0, sizeof info);
    info.dataType = ACL_FLOAT;
    info.randomResultAddr = r;
    // parameters travel by value: `size` bytes in valueOrAddr
    auto put = [](aclrtRandomParaInfo &p, const void *v, uint8_t size) {
        std::memcpy(p.valueOrAddr, v, size);
        p.size = size;
    };
    uint64_t seed = 2026;
    float lo = 0.0f, hi = 1.0f;
    put(info.randomSeed, &seed, sizeof seed);
    put(info.randomNum, &n, sizeof n);
    info.randomNumFuncParaInfo.funcType = ACL_RT_RANDOM_NUM_FUNC_TYPE_UNIFORM_DIS;
    put(info.randomNumFuncParaInfo.paramInfo.uniformDisInfo.min, &lo, sizeof lo);
    put(info.randomNumFuncParaInfo.paramInfo.uniformDisInfo.max, &hi, sizeof hi);
    CHECK(aclrtRandomNumAsync(&info, s, nullptr));
    CHECK(aclrtSynchronizeStream(s));
    std::vector<float> v(n);
    CHECK(aclrtMemcpy(v.data(), n * sizeof(float), r, n * sizeof(float), ACL_MEMCPY_DEVICE_TO_HOST));
    double mean = 0;
    for (float x : v) {
        EXPECT(x >= 0.0f && x < 1.0f);
        mean += x / n;
    }
    EXPECT(std::fabs(mean - 0.5) < 0.05);
    std::printf("random uniform: mean of %llu draws %.3f\n", (unsigned long long)n, mean);
    CHECK(aclrtFree(r));
    CHECK(aclrtFree(da));
    CHECK(aclrtFree(db));
    return 0;
}

int AllocatorAndOverflow(aclrtStream s)
{
    Pool pool;
    aclrtAllocatorDesc desc = aclrtAllocatorCreateDesc();
    EXPECT(desc != nullptr);
    CHECK(aclrtAllocatorSetObjToDesc(desc, &pool));
    CHECK(aclrtAllocatorSetAllocFuncToDesc(desc, PoolAlloc));
    CHECK(aclrtAllocatorSetFreeFuncToDesc(desc, PoolFree));
    CHECK(aclrtAllocatorSetGetAddrFromBlockFuncToDesc(desc, PoolAddr));
    CHECK(aclrtAllocatorRegister(s, desc));
    CHECK(aclrtAllocatorDestroyDesc(desc)); // the stream keeps its copy
    aclrtAllocator obj = nullptr;
    CHECK(aclrtAllocatorGetByStream(s, nullptr, &obj, nullptr, nullptr, nullptr, nullptr));
    EXPECT(obj == &pool);
    CHECK(aclrtAllocatorUnregister(s));
    std::printf("allocator: registered, found, unregistered\n");

    CHECK(aclrtSetStreamOverflowSwitch(s, 1));
    void *status = nullptr, *x = nullptr;
    CHECK(aclrtMalloc(&status, 64, ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK(aclrtMalloc(&x, 4, ACL_MEM_MALLOC_HUGE_FIRST));
    float big = 3e38f;
    CHECK(aclrtMemcpy(x, 4, &big, 4, ACL_MEMCPY_HOST_TO_DEVICE));
    CHECK(aclrtResetOverflowStatus(s));
    CHECK(aclrtReduceAsync(x, x, 4, ACL_RT_MEMCPY_SDMA_AUTOMATIC_SUM, ACL_FLOAT, s, nullptr)); // 6e38: inf
    CHECK(aclrtGetOverflowStatus(status, 64, s));
    CHECK(aclrtSynchronizeStream(s));
    uint32_t word[16];
    CHECK(aclrtMemcpy(word, 64, status, 64, ACL_MEMCPY_DEVICE_TO_HOST));
    EXPECT(word[0] == 1);
    CHECK(aclrtResetOverflowStatus(s));
    CHECK(aclrtSynchronizeStream(s));
    std::printf("overflow: detected and reset\n");
    CHECK(aclrtFree(status));
    CHECK(aclrtFree(x));
    if (pool.mem)
        CHECK(aclrtFree(pool.mem));
    return 0;
}

// Kernels in stream order; a trapping one fails the stream and, in
// stop-on-failure mode, the work after it is skipped.
int Kernels()
{
    aclrtStream ks = nullptr;
    CHECK(aclrtCreateStream(&ks));
    uint32_t *x = nullptr, host[4] = {0, 0, 0, 0};
    CHECK(aclrtMalloc(reinterpret_cast<void **>(&x), sizeof host, ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK(aclrtMemcpy(x, sizeof host, host, sizeof host, ACL_MEMCPY_HOST_TO_DEVICE));
    LaunchAddOne(4, ks, x);
    LaunchAddOne(2, ks, x);
    CHECK(aclrtSynchronizeStream(ks));
    CHECK(aclrtMemcpy(host, sizeof host, x, sizeof host, ACL_MEMCPY_DEVICE_TO_HOST));
    EXPECT(host[0] == 2 && host[1] == 2 && host[2] == 1 && host[3] == 1);
    CHECK(aclrtSetStreamFailureMode(ks, ACL_STOP_ON_FAILURE));
    LaunchFault(ks);
    LaunchAddOne(4, ks, x); // skipped
    aclError rc = aclrtSynchronizeStream(ks);
    EXPECT(rc == ACL_ERROR_RT_AICORE_TRAP_EXCEPTION);
    EXPECT(aclrtGetLastError(ACL_RT_THREAD_LEVEL) == ACL_ERROR_RT_AICORE_TRAP_EXCEPTION); // taken: clear again
    (void)aclGetRecentErrMsg();
    CHECK(aclrtMemcpy(host, sizeof host, x, sizeof host, ACL_MEMCPY_DEVICE_TO_HOST));
    EXPECT(host[0] == 2 && host[3] == 1);
    std::printf("kernels: ran in order, trap failed the stream (%d)\n", rc);
    CHECK(aclrtFree(x));
    CHECK(aclrtDestroyStream(ks));
    return 0;
}

} // namespace

int main()
{
    CHECK(aclInit(nullptr));
    CHECK(aclrtSetDevice(0));
    aclrtStream s = nullptr;
    CHECK(aclrtCreateStream(&s));
    int bad = Versions() || ProducerConsumer(s) || ReduceAndRandom(s) || AllocatorAndOverflow(s) || Kernels();
    EXPECT(aclrtGetLastError(ACL_RT_THREAD_LEVEL) == ACL_SUCCESS || bad);
    CHECK(aclrtDestroyStream(s));
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    std::printf(bad ? "FAILED\n" : "cann8_runtime: all steps passed\n");
    return bad;
}
