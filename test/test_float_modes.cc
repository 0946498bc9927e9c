// User allocators on streams (acl_rt_allocator.h) and the float overflow
// modes: descriptions and their error codes, model executions taking their
// work memory from the stream's allocator (callbacks counted), saturation
// of results and the overflow status word.
#include <math.h>
#include <string.h>

#include <atomic>
#include <string>
#include <vector>

#include "onnx_builder.h"
#include "test_util.h"

namespace {

// A counting, caching allocator over aclrtMalloc, as frameworks write them:
// a freed block goes back on a free list for later work on the stream (the
// stream orders its reuse) and is released only when the allocator is.
struct Block {
    void *mem;
    size_t size;
};
struct Counting {
    std::atomic<int> allocs{0}, frees{0}, live{0}, advised{0};
    size_t last_size = 0;
    bool fail = false, misalign = false, host = false;
    std::vector<Block *> cache;
    ~Counting()
    {
        for (Block *b : cache) {
            aclrtFree(b->mem);
            delete b;
        }
    }
};

void *CountingAlloc(aclrtAllocator a, size_t size)
{
    auto *c = static_cast<Counting *>(a);
    if (c->fail)
        return nullptr;
    c->allocs++, c->live++;
    c->last_size = size;
    for (size_t i = 0; i < c->cache.size(); i++)
        if (c->cache[i]->size >= size) {
            Block *b = c->cache[i];
            c->cache.erase(c->cache.begin() + (long)i);
            return b;
        }
    auto *b = new Block{nullptr, size};
    EXPECT_EQ(aclrtMalloc(&b->mem, size + 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS) << TakeErrMsg();
    return b;
}

void CountingFree(aclrtAllocator a, aclrtAllocatorBlock block)
{
    auto *c = static_cast<Counting *>(a);
    c->cache.push_back(static_cast<Block *>(block));
    c->frees++, c->live--;
}

void *CountingAdvise(aclrtAllocator a, size_t size, aclrtAllocatorAddr)
{
    static_cast<Counting *>(a)->advised++;
    return CountingAlloc(a, size);
}

Counting *g_current = nullptr; // the allocator of the block being resolved (one test at a time)

void *BlockAddr(aclrtAllocatorBlock block)
{
    auto *b = static_cast<Block *>(block);
    alignas(64) static char host_bytes[1 << 16];
    if (g_current && g_current->host)
        return host_bytes; // not device memory
    return static_cast<char *>(b->mem) + (g_current && g_current->misalign ? 4 : 0);
}

aclrtAllocatorDesc FullDesc(Counting *c)
{
    aclrtAllocatorDesc d = aclrtAllocatorCreateDesc();
    EXPECT_NE(d, nullptr);
    EXPECT_EQ(aclrtAllocatorSetObjToDesc(d, c), ACL_SUCCESS);
    EXPECT_EQ(aclrtAllocatorSetAllocFuncToDesc(d, CountingAlloc), ACL_SUCCESS);
    EXPECT_EQ(aclrtAllocatorSetFreeFuncToDesc(d, CountingFree), ACL_SUCCESS);
    EXPECT_EQ(aclrtAllocatorSetAllocAdviseFuncToDesc(d, CountingAdvise), ACL_SUCCESS);
    EXPECT_EQ(aclrtAllocatorSetGetAddrFromBlockFuncToDesc(d, BlockAddr), ACL_SUCCESS);
    return d;
}

// y = Relu(x W) W: the Relu's result lives in work memory.
std::string TwoLayerModel()
{
    std::vector<float> w(64);
    for (int i = 0; i < 64; i++)
        w[i] = (i % 9 == 0) ? 1.0f : 0.0f; // identity
    onnxb::Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 8}}};
    m.outputs = {{"y", onnxb::FLOAT, {1, 8}}};
    m.inits = {{"w", onnxb::FLOAT, {8, 8}, onnxb::Floats(w)}};
    m.nodes = {{"MatMul", {"x", "w"}, {"t"}, "mm1"},
               {"Relu", {"t"}, {"u"}, "relu"},
               {"Sigmoid", {"u"}, {"v"}, "sig"},
               {"MatMul", {"v", "w"}, {"y"}, "mm2"}};
    return onnxb::Serialize(m);
}

// y = x * 1e30: overflows for |x| > ~3.4e8.
std::string ScaleModel()
{
    onnxb::Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 8}}};
    m.outputs = {{"y", onnxb::FLOAT, {1, 8}}};
    m.inits = {{"k", onnxb::FLOAT, {}, onnxb::Floats({1e30f})}};
    m.nodes = {{"Mul", {"x", "k"}, {"y"}, "mul"}};
    return onnxb::Serialize(m);
}

class Loaded {
public:
    explicit Loaded(const std::string &bytes)
    {
        EXPECT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &id), ACL_SUCCESS) << TakeErrMsg();
        desc = aclmdlCreateDesc();
        EXPECT_EQ(aclmdlGetDesc(desc, id), ACL_SUCCESS);
        io = new Io(desc);
    }
    ~Loaded()
    {
        delete io;
        aclmdlDestroyDesc(desc);
        EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    }
    std::vector<float> RunAsync(aclrtStream s, const std::vector<float> &x, aclError want_sync = ACL_SUCCESS)
    {
        io->SetInput(0, x.data(), x.size() * sizeof(float));
        EXPECT_EQ(aclmdlExecuteAsync(id, io->in, io->out, s), ACL_SUCCESS) << TakeErrMsg();
        EXPECT_EQ(aclrtSynchronizeStream(s), want_sync);
        return io->Output(0);
    }
    uint32_t id = 0;
    aclmdlDesc *desc = nullptr;
    Io *io = nullptr;
};

class Allocator : public StreamTest {};

TEST_F(Allocator, DescriptionErrors)
{
    Counting c;
    EXPECT_EQ(aclrtAllocatorDestroyDesc(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtAllocatorSetObjToDesc(nullptr, &c), ACL_ERROR_INVALID_PARAM);
    int not_a_desc = 0;
    EXPECT_EQ(aclrtAllocatorSetAllocFuncToDesc(&not_a_desc, CountingAlloc), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_NE(TakeErrMsg().find("allocator description"), std::string::npos);
    aclrtAllocatorDesc d = aclrtAllocatorCreateDesc();
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(aclrtAllocatorSetObjToDesc(d, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtAllocatorSetAllocFuncToDesc(d, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtAllocatorSetFreeFuncToDesc(d, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtAllocatorSetAllocAdviseFuncToDesc(d, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtAllocatorSetGetAddrFromBlockFuncToDesc(d, nullptr), ACL_ERROR_INVALID_PARAM);
    // incomplete descriptions are refused, naming what is missing
    EXPECT_EQ(aclrtAllocatorRegister(stream_, d), ACL_ERROR_INVALID_PARAM);
    EXPECT_NE(TakeErrMsg().find("allocator object"), std::string::npos);
    EXPECT_EQ(aclrtAllocatorSetObjToDesc(d, &c), ACL_SUCCESS);
    EXPECT_EQ(aclrtAllocatorSetAllocFuncToDesc(d, CountingAlloc), ACL_SUCCESS);
    EXPECT_EQ(aclrtAllocatorSetFreeFuncToDesc(d, CountingFree), ACL_SUCCESS);
    EXPECT_EQ(aclrtAllocatorRegister(stream_, d), ACL_ERROR_INVALID_PARAM);
    EXPECT_NE(TakeErrMsg().find("get-address"), std::string::npos);
    EXPECT_EQ(aclrtAllocatorSetGetAddrFromBlockFuncToDesc(d, BlockAddr), ACL_SUCCESS);
    // the advise function is optional
    EXPECT_EQ(aclrtAllocatorRegister(stream_, d), ACL_SUCCESS) << TakeErrMsg();
    // a NULL stream is refused (AscendCL: the stream must not be NULL)
    EXPECT_EQ(aclrtAllocatorRegister(nullptr, d), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtAllocatorRegister(stream_, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtAllocatorDestroyDesc(d), ACL_SUCCESS);
    EXPECT_EQ(aclrtAllocatorDestroyDesc(d), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(aclrtAllocatorRegister(stream_, d), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(aclrtAllocatorUnregister(stream_), ACL_SUCCESS);
}

TEST_F(Allocator, GetByStreamReturnsTheLastRegistration)
{
    Counting c1, c2;
    aclrtAllocatorDesc d1 = FullDesc(&c1), d2 = FullDesc(&c2);
    aclrtAllocatorDesc gd = nullptr;
    aclrtAllocator ga = nullptr;
    aclrtAllocatorAllocFunc af = nullptr;
    aclrtAllocatorFreeFunc ff = nullptr;
    aclrtAllocatorAllocAdviseFunc adv = nullptr;
    aclrtAllocatorGetAddrFromBlockFunc gf = nullptr;
    // nothing registered: an error (AscendCL: "the stream is not registered
    // with any allocator")
    EXPECT_EQ(aclrtAllocatorGetByStream(stream_, &gd, &ga, &af, &ff, &adv, &gf), ACL_ERROR_INVALID_PARAM);
    EXPECT_NE(TakeErrMsg().find("no allocator"), std::string::npos);
    ASSERT_EQ(aclrtAllocatorRegister(stream_, d1), ACL_SUCCESS);
    ASSERT_EQ(aclrtAllocatorRegister(stream_, d2), ACL_SUCCESS); // the last one wins
    ASSERT_EQ(aclrtAllocatorGetByStream(stream_, &gd, &ga, &af, &ff, &adv, &gf), ACL_SUCCESS);
    EXPECT_EQ(gd, d2);
    EXPECT_EQ(ga, &c2);
    EXPECT_EQ(af, &CountingAlloc);
    EXPECT_EQ(ff, &CountingFree);
    EXPECT_EQ(adv, &CountingAdvise);
    EXPECT_EQ(gf, &BlockAddr);
    // outputs may be NULL; the registration outlives its description
    EXPECT_EQ(aclrtAllocatorDestroyDesc(d2), ACL_SUCCESS);
    ga = nullptr;
    EXPECT_EQ(aclrtAllocatorGetByStream(stream_, nullptr, &ga, nullptr, nullptr, nullptr, nullptr), ACL_SUCCESS);
    EXPECT_EQ(ga, &c2);
    // another stream has none
    aclrtStream other;
    ASSERT_EQ(aclrtCreateStream(&other), ACL_SUCCESS);
    EXPECT_EQ(aclrtAllocatorGetByStream(other, &gd, &ga, &af, &ff, &adv, &gf), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtDestroyStream(other), ACL_SUCCESS);
    // unregistering twice, or from a destroyed stream, succeeds (AscendCL)
    EXPECT_EQ(aclrtAllocatorUnregister(stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtAllocatorUnregister(stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtAllocatorUnregister(other), ACL_SUCCESS);
    EXPECT_EQ(aclrtAllocatorGetByStream(stream_, &gd, &ga, &af, &ff, &adv, &gf), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtGetLastError(ACL_RT_THREAD_LEVEL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtAllocatorDestroyDesc(d1), ACL_SUCCESS);
}

TEST_F(Allocator, ExecutionsTakeTheirWorkMemoryFromTheStreamsAllocator)
{
    std::string bytes = TwoLayerModel();
    size_t work = 0, weight = 0;
    ASSERT_EQ(aclmdlQuerySizeFromMem(bytes.data(), bytes.size(), &work, &weight), ACL_SUCCESS);
    ASSERT_GT(work, 0u) << "the model must need work memory for this test to mean anything";
    Loaded m(bytes);
    Counting c;
    g_current = &c;
    aclrtAllocatorDesc d = FullDesc(&c);
    std::vector<float> x = {-1, 0, 1, 2, -3, 4, 5, -6};
    auto ref = m.RunAsync(stream_, x); // runtime work memory
    ASSERT_EQ(aclrtAllocatorRegister(stream_, d), ACL_SUCCESS);
    for (int i = 0; i < 5; i++) {
        auto y = m.RunAsync(stream_, x);
        EXPECT_EQ(y, ref) << i;
    }
    EXPECT_EQ(c.allocs.load(), 5);
    EXPECT_EQ(c.frees.load(), 5);
    EXPECT_EQ(c.live.load(), 0);
    EXPECT_GE(c.last_size, work);
    EXPECT_GE(c.advised.load(), 4); // asked for the address of the last block
    EXPECT_EQ(c.cache.size(), 1u);  // the stream-ordered reuse kept one block
    // a synchronous execution is on no stream: no allocator
    ASSERT_EQ(aclmdlExecute(m.id, m.io->in, m.io->out), ACL_SUCCESS);
    EXPECT_EQ(c.allocs.load(), 5);
    // after unregistering, the runtime's work memory again
    ASSERT_EQ(aclrtAllocatorUnregister(stream_), ACL_SUCCESS);
    EXPECT_EQ(m.RunAsync(stream_, x), ref);
    EXPECT_EQ(c.allocs.load(), 5);
    EXPECT_EQ(aclrtAllocatorDestroyDesc(d), ACL_SUCCESS);
    g_current = nullptr;
}

TEST_F(Allocator, AnAllocatorThatFailsFailsTheExecutionCleanly)
{
    Loaded m(TwoLayerModel());
    Counting c;
    g_current = &c;
    aclrtAllocatorDesc d = FullDesc(&c);
    ASSERT_EQ(aclrtAllocatorRegister(stream_, d), ACL_SUCCESS);
    std::vector<float> x(8, 1.0f);
    m.io->SetInput(0, x.data(), x.size() * sizeof(float));
    c.fail = true; // refused at launch, on the launching thread
    EXPECT_EQ(aclmdlExecuteAsync(m.id, m.io->in, m.io->out, stream_), ACL_ERROR_RT_MEMORY_ALLOCATION);
    EXPECT_NE(TakeErrMsg().find("allocator gave no block"), std::string::npos);
    c.fail = false;
    c.misalign = true; // an address not 64-byte aligned: refused, the block given back
    EXPECT_EQ(aclmdlExecuteAsync(m.id, m.io->in, m.io->out, stream_), ACL_ERROR_MEMORY_ADDRESS_UNALIGNED);
    EXPECT_NE(TakeErrMsg().find("aligned"), std::string::npos);
    EXPECT_EQ(c.allocs.load(), 1);
    EXPECT_EQ(c.live.load(), 0);
    c.misalign = false;
    c.host = true; // work memory must be device memory
    EXPECT_EQ(aclmdlExecuteAsync(m.id, m.io->in, m.io->out, stream_), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_NE(TakeErrMsg().find("not device memory"), std::string::npos);
    EXPECT_EQ(c.live.load(), 0);
    c.host = false;
    EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS); // nothing was queued
    m.RunAsync(stream_, x); // and the stream goes on
    EXPECT_EQ(c.live.load(), 0);
    EXPECT_EQ(aclrtAllocatorDestroyDesc(d), ACL_SUCCESS);
    g_current = nullptr;
}

class FloatModes : public StreamTest {};

uint32_t StatusWord(aclrtStream s)
{
    void *dev = nullptr;
    EXPECT_EQ(aclrtMalloc(&dev, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemset(dev, 64, 0xAB, 64), ACL_SUCCESS);
    EXPECT_EQ(aclrtGetOverflowStatus(dev, 64, s), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(aclrtSynchronizeStream(s), ACL_SUCCESS);
    uint32_t host[16];
    EXPECT_EQ(aclrtMemcpy(host, 64, dev, 64, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    for (int i = 1; i < 16; i++)
        EXPECT_EQ(host[i], 0u) << "the rest of the status is zero";
    aclrtFree(dev);
    return host[0];
}

TEST_F(FloatModes, ModesAndSwitchesWithTheirErrors)
{
    aclrtFloatOverflowMode mode = ACL_RT_OVERFLOW_MODE_UNDEF;
    ASSERT_EQ(aclrtGetDeviceSatMode(&mode), ACL_SUCCESS);
    EXPECT_EQ(mode, ACL_RT_OVERFLOW_MODE_INFNAN); // the CPU's IEEE results
    EXPECT_EQ(aclrtGetDeviceSatMode(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSetDeviceSatMode(ACL_RT_OVERFLOW_MODE_UNDEF), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSetDeviceSatMode((aclrtFloatOverflowMode)7), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(aclrtSetDeviceSatMode(ACL_RT_OVERFLOW_MODE_SATURATION), ACL_SUCCESS);
    ASSERT_EQ(aclrtGetDeviceSatMode(&mode), ACL_SUCCESS);
    EXPECT_EQ(mode, ACL_RT_OVERFLOW_MODE_SATURATION);
    ASSERT_EQ(aclrtSetDeviceSatMode(ACL_RT_OVERFLOW_MODE_INFNAN), ACL_SUCCESS);

    uint32_t flag = 9;
    ASSERT_EQ(aclrtGetStreamOverflowSwitch(stream_, &flag), ACL_SUCCESS);
    EXPECT_EQ(flag, 0u);
    EXPECT_EQ(aclrtSetStreamOverflowSwitch(stream_, 2), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(aclrtSetStreamOverflowSwitch(stream_, 1), ACL_SUCCESS);
    ASSERT_EQ(aclrtGetStreamOverflowSwitch(stream_, &flag), ACL_SUCCESS);
    EXPECT_EQ(flag, 1u);
    EXPECT_EQ(aclrtGetStreamOverflowSwitch(stream_, nullptr), ACL_ERROR_INVALID_PARAM);
    int not_a_stream;
    EXPECT_EQ(aclrtSetStreamOverflowSwitch(&not_a_stream, 1), ACL_ERROR_INVALID_RESOURCE_HANDLE);

    void *dev = nullptr, *host = nullptr;
    ASSERT_EQ(aclrtMalloc(&dev, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMallocHost(&host, 64), ACL_SUCCESS);
    EXPECT_EQ(aclrtGetOverflowStatus(nullptr, 64, stream_), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtGetOverflowStatus(dev, 32, stream_), ACL_ERROR_INVALID_PARAM); // the status is 64 bytes
    EXPECT_EQ(aclrtGetOverflowStatus(host, 64, stream_), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtGetOverflowStatus(static_cast<char *>(dev) + 8, 64, stream_), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtResetOverflowStatus(&not_a_stream), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    aclrtFree(dev);
    aclrtFreeHost(host);
}

TEST_F(FloatModes, DetectionSeesOverflowedResultsUntilReset)
{
    Loaded m(ScaleModel());
    float big = 1e10f, nan = nanf("");
    std::vector<float> ok = {0, 1, -1, 2, 0, 0, 0, 0}, bad = {big, -big, nan, 1, 0, 0, 0, 0};
    ASSERT_EQ(aclrtResetOverflowStatus(stream_), ACL_SUCCESS);
    EXPECT_EQ(StatusWord(stream_), 0u);
    // switch off: overflow is not recorded
    auto y = m.RunAsync(stream_, bad);
    EXPECT_TRUE(isinf(y[0]) && y[0] > 0);
    EXPECT_TRUE(isinf(y[1]) && y[1] < 0);
    EXPECT_TRUE(isnan(y[2]));
    EXPECT_EQ(StatusWord(stream_), 0u);
    // switch on: finite results leave it clear, an overflow sets it
    ASSERT_EQ(aclrtSetStreamOverflowSwitch(stream_, 1), ACL_SUCCESS);
    m.RunAsync(stream_, ok);
    EXPECT_EQ(StatusWord(stream_), 0u);
    m.RunAsync(stream_, bad);
    EXPECT_EQ(StatusWord(stream_), 1u);
    m.RunAsync(stream_, ok); // it stays set
    EXPECT_EQ(StatusWord(stream_), 1u);
    // the status is the device's: another stream reads and resets it
    aclrtStream other;
    ASSERT_EQ(aclrtCreateStream(&other), ACL_SUCCESS);
    EXPECT_EQ(StatusWord(other), 1u);
    ASSERT_EQ(aclrtResetOverflowStatus(other), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(other), ACL_SUCCESS);
    EXPECT_EQ(StatusWord(stream_), 0u);
    EXPECT_EQ(aclrtDestroyStream(other), ACL_SUCCESS);
    // a reduce that overflows is detected too
    float a[2] = {3e38f, 1}, b[2] = {3e38f, 1};
    void *da, *db;
    ASSERT_EQ(aclrtMalloc(&da, 8, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&db, 8, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpy(da, 8, a, 8, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpy(db, 8, b, 8, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    ASSERT_EQ(aclrtReduceAsync(da, db, 8, ACL_RT_MEMCPY_SDMA_AUTOMATIC_SUM, ACL_FLOAT, stream_, nullptr),
              ACL_SUCCESS);
    EXPECT_EQ(StatusWord(stream_), 1u);
    ASSERT_EQ(aclrtResetOverflowStatus(stream_), ACL_SUCCESS);
    aclrtFree(da);
    aclrtFree(db);
}

TEST_F(FloatModes, SaturationClampsResultsOfStreamsCreatedAfterwards)
{
    Loaded m(ScaleModel());
    float big = 1e10f, nan = nanf("");
    std::vector<float> bad = {big, -big, nan, 1, 0, 0, 0, 0};
    ASSERT_EQ(aclrtSetDeviceSatMode(ACL_RT_OVERFLOW_MODE_SATURATION), ACL_SUCCESS);
    aclrtStream sat;
    ASSERT_EQ(aclrtCreateStream(&sat), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDeviceSatMode(ACL_RT_OVERFLOW_MODE_INFNAN), ACL_SUCCESS);
    // the stream keeps the mode it was created with (AscendCL: the mode
    // applies to streams created after the call)
    auto y = m.RunAsync(sat, bad);
    EXPECT_EQ(y[0], 3.40282347e+38f);
    EXPECT_EQ(y[1], -3.40282347e+38f);
    EXPECT_EQ(y[2], 0.0f);
    EXPECT_EQ(y[3], 1e30f);
    // the stream created before is not saturated
    y = m.RunAsync(stream_, bad);
    EXPECT_TRUE(isinf(y[0]));
    // saturated overflow is still detected
    ASSERT_EQ(aclrtResetOverflowStatus(sat), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetStreamOverflowSwitch(sat, 1), ACL_SUCCESS);
    y = m.RunAsync(sat, bad);
    EXPECT_EQ(y[0], 3.40282347e+38f);
    EXPECT_EQ(StatusWord(sat), 1u);
    ASSERT_EQ(aclrtResetOverflowStatus(sat), ACL_SUCCESS);
    // half types clamp to their own largest value: 60000 + 60000 in fp16
    // is 65504 (0x7bff) when saturated, +inf (0x7c00) otherwise
    uint16_t h[2] = {0x7b53, 0xfb53}; // 60000, -60000
    void *da, *db;
    ASSERT_EQ(aclrtMalloc(&da, 4, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&db, 4, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    for (aclrtStream s : {sat, stream_}) {
        ASSERT_EQ(aclrtMemcpy(da, 4, h, 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
        ASSERT_EQ(aclrtMemcpy(db, 4, h, 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
        ASSERT_EQ(aclrtReduceAsync(da, db, 4, ACL_RT_MEMCPY_SDMA_AUTOMATIC_SUM, ACL_FLOAT16, s, nullptr), ACL_SUCCESS);
        ASSERT_EQ(aclrtSynchronizeStream(s), ACL_SUCCESS);
        uint16_t r[2];
        ASSERT_EQ(aclrtMemcpy(r, 4, da, 4, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
        EXPECT_EQ(r[0], s == sat ? 0x7bff : 0x7c00);
        EXPECT_EQ(r[1], s == sat ? 0xfbff : 0xfc00);
    }
    aclrtFree(da);
    aclrtFree(db);
    ASSERT_EQ(aclrtResetOverflowStatus(sat), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStream(sat), ACL_SUCCESS);
}

} // namespace
