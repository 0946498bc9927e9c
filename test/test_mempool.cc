// The dataset pool: sizing from the model, acquire/release rules, timeouts,
// release from report-thread callbacks, destroy with pairs out, and a
// multi-threaded stress test (run under TSan too).
#include <mutex>
#include <set>

#include "acl/hacl_mempool.h"
#include "onnx_builder.h"
#include "test_util.h"

using namespace std::chrono_literals;
using onnxb::Model;

// x[2,3] -> Relu -> y ; and z = Relu(x) as a second output.
static uint32_t LoadTwoOutputModel()
{
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {2, 3}}};
    m.outputs = {{"y", onnxb::FLOAT, {2, 3}}, {"z", onnxb::FLOAT, {2, 3}}};
    m.nodes = {{"Relu", {"x"}, {"y"}, "a"}, {"Relu", {"x"}, {"z"}, "b"}};
    std::string bytes = onnxb::Serialize(m);
    uint32_t id = 0;
    EXPECT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &id), ACL_SUCCESS) << TakeErrMsg();
    return id;
}

class Pool : public DeviceTest {
protected:
    void SetUp() override
    {
        DeviceTest::SetUp();
        id_ = LoadTwoOutputModel();
    }
    void TearDown() override
    {
        EXPECT_EQ(aclmdlUnload(id_), ACL_SUCCESS);
        DeviceTest::TearDown();
    }
    uint32_t id_ = 0;
};

TEST_F(Pool, PairsAreSizedFromTheModelAndDistinct)
{
    haclMempool *p = nullptr;
    ASSERT_EQ(haclMempoolCreate(id_, 4, &p), ACL_SUCCESS) << TakeErrMsg();
    uint32_t count, avail;
    ASSERT_EQ(haclMempoolGetInfo(p, &count, &avail), ACL_SUCCESS);
    EXPECT_EQ(count, 4u);
    EXPECT_EQ(avail, 4u);
    std::vector<haclMempoolPair *> got;
    std::set<void *> addrs;
    std::set<uint32_t> indices;
    for (int i = 0; i < 4; i++) {
        haclMempoolPair *pair = nullptr;
        ASSERT_EQ(haclMempoolAcquire(p, 0, &pair), ACL_SUCCESS);
        EXPECT_EQ(aclmdlGetDatasetNumBuffers(pair->input), 1u);
        EXPECT_EQ(aclmdlGetDatasetNumBuffers(pair->output), 2u);
        aclDataBuffer *b = aclmdlGetDatasetBuffer(pair->output, 1);
        EXPECT_EQ(aclGetDataBufferSizeV2(b), 24u);
        addrs.insert(aclGetDataBufferAddr(aclmdlGetDatasetBuffer(pair->input, 0)));
        indices.insert(pair->index);
        got.push_back(pair);
    }
    EXPECT_EQ(addrs.size(), 4u);
    EXPECT_EQ(indices, std::set<uint32_t>({0, 1, 2, 3}));
    ASSERT_EQ(haclMempoolGetInfo(p, &count, &avail), ACL_SUCCESS);
    EXPECT_EQ(avail, 0u);
    haclMempoolPair *none = nullptr;
    EXPECT_EQ(haclMempoolAcquire(p, 0, &none), ACL_ERROR_RT_QUEUE_EMPTY);
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(haclMempoolAcquire(p, 30, &none), ACL_ERROR_RT_QUEUE_EMPTY);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 25ms);
    for (auto *pair : got)
        ASSERT_EQ(haclMempoolRelease(p, pair), ACL_SUCCESS);
    // The pairs run the model.
    haclMempoolPair *pair = nullptr;
    ASSERT_EQ(haclMempoolAcquire(p, -1, &pair), ACL_SUCCESS);
    float x[6] = {-1, 2, -3, 4, -5, 6}, y[6];
    void *din = aclGetDataBufferAddr(aclmdlGetDatasetBuffer(pair->input, 0));
    ASSERT_EQ(aclrtMemcpy(din, 24, x, 24, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    ASSERT_EQ(aclmdlExecute(id_, pair->input, pair->output), ACL_SUCCESS);
    void *dy = aclGetDataBufferAddr(aclmdlGetDatasetBuffer(pair->output, 0));
    ASSERT_EQ(aclrtMemcpy(y, 24, dy, 24, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(y[1], 2);
    EXPECT_EQ(y[0], 0);
    ASSERT_EQ(haclMempoolRelease(p, pair), ACL_SUCCESS);
    EXPECT_EQ(haclMempoolDestroy(p, 0), ACL_SUCCESS);
    TakeErrMsg();
}

TEST_F(Pool, MisuseIsRefused)
{
    haclMempool *p = nullptr, *q = nullptr;
    EXPECT_EQ(haclMempoolCreate(id_, 0, &p), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclMempoolCreate(id_, 2, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclMempoolCreate(id_ + 99, 2, &p), ACL_ERROR_INVALID_MODEL_ID);
    ASSERT_EQ(haclMempoolCreate(id_, 2, &p), ACL_SUCCESS);
    ASSERT_EQ(haclMempoolCreate(id_, 2, &q), ACL_SUCCESS);
    haclMempoolPair *a = nullptr;
    ASSERT_EQ(haclMempoolAcquire(p, 0, &a), ACL_SUCCESS);
    EXPECT_EQ(haclMempoolRelease(q, a), ACL_ERROR_INVALID_PARAM); // another pool's pair
    EXPECT_NE(TakeErrMsg().find("does not belong"), std::string::npos);
    haclMempoolPair fake{};
    EXPECT_EQ(haclMempoolRelease(p, &fake), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclMempoolRelease(p, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclMempoolAcquire(p, -2, &a), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclMempoolAcquire(p, 0, nullptr), ACL_ERROR_INVALID_PARAM);
    // Destroy refuses while a pair is out, and the pool stays usable.
    EXPECT_EQ(haclMempoolDestroy(p, 0), ACL_ERROR_RELATIVE_RESOURCE_NOT_CLEARED);
    EXPECT_EQ(haclMempoolDestroy(p, 20), ACL_ERROR_RELATIVE_RESOURCE_NOT_CLEARED);
    EXPECT_EQ(haclMempoolRelease(p, a), ACL_SUCCESS);
    EXPECT_EQ(haclMempoolRelease(p, a), ACL_ERROR_INVALID_PARAM); // twice
    EXPECT_NE(TakeErrMsg().find("released twice"), std::string::npos);
    EXPECT_EQ(haclMempoolDestroy(p, 0), ACL_SUCCESS);
    EXPECT_EQ(haclMempoolDestroy(p, 0), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(haclMempoolAcquire(p, 0, &a), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    uint32_t c, v;
    EXPECT_EQ(haclMempoolGetInfo(p, &c, &v), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(haclMempoolGetInfo(q, nullptr, &v), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclMempoolDestroy(q, -1), ACL_SUCCESS);
    TakeErrMsg();
}

TEST_F(Pool, DestroyWaitsForALateRelease)
{
    haclMempool *p = nullptr;
    ASSERT_EQ(haclMempoolCreate(id_, 1, &p), ACL_SUCCESS);
    haclMempoolPair *a = nullptr;
    ASSERT_EQ(haclMempoolAcquire(p, 0, &a), ACL_SUCCESS);
    std::thread t([&] {
        std::this_thread::sleep_for(30ms);
        EXPECT_EQ(haclMempoolRelease(p, a), ACL_SUCCESS);
    });
    EXPECT_EQ(haclMempoolDestroy(p, -1), ACL_SUCCESS);
    t.join();
}

// The sample's shape: acquire on the submitting thread, execute on a stream,
// release from a callback on the report thread; more executions than pairs,
// so the submitter waits for the pool (back-pressure).
TEST_F(Pool, ReleaseFromCallbacksGivesBackPressure)
{
    haclMempool *p = nullptr;
    ASSERT_EQ(haclMempoolCreate(id_, 3, &p), ACL_SUCCESS);
    aclrtContext ctx;
    ASSERT_EQ(aclrtGetCurrentContext(&ctx), ACL_SUCCESS);
    ReportThread rt(ctx);
    aclrtStream s;
    ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
    ASSERT_EQ(aclrtSubscribeReport(rt.id(), s), ACL_SUCCESS);
    struct Done {
        haclMempool *pool;
        haclMempoolPair *pair;
        std::atomic<int> *released;
    };
    std::atomic<int> released{0};
    const int n = 60;
    std::vector<Done> dones(n);
    for (int i = 0; i < n; i++) {
        haclMempoolPair *pair = nullptr;
        ASSERT_EQ(haclMempoolAcquire(p, 5000, &pair), ACL_SUCCESS) << i;
        ASSERT_EQ(aclmdlExecuteAsync(id_, pair->input, pair->output, s), ACL_SUCCESS);
        dones[i] = {p, pair, &released};
        ASSERT_EQ(aclrtLaunchCallback(
                      [](void *arg) {
                          Done *d = static_cast<Done *>(arg);
                          EXPECT_EQ(haclMempoolRelease(d->pool, d->pair), ACL_SUCCESS);
                          (*d->released)++;
                      },
                      &dones[i], ACL_CALLBACK_NO_BLOCK, s),
                  ACL_SUCCESS);
    }
    ASSERT_EQ(aclrtSynchronizeStream(s), ACL_SUCCESS);
    ASSERT_EQ(aclrtUnSubscribeReport(rt.id(), s), ACL_SUCCESS); // waits for the NO_BLOCK callbacks
    EXPECT_EQ(released.load(), n);
    EXPECT_EQ(haclMempoolDestroy(p, 1000), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
}

TEST_F(Pool, StressManyThreads)
{
    haclMempool *p = nullptr;
    ASSERT_EQ(haclMempoolCreate(id_, 4, &p), ACL_SUCCESS);
    std::vector<int> holder(4, -1);
    std::mutex m;
    std::atomic<int> errors{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < 8; t++)
        ts.emplace_back([&, t] {
            for (int k = 0; k < 2000; k++) {
                haclMempoolPair *pair = nullptr;
                if (haclMempoolAcquire(p, -1, &pair) != ACL_SUCCESS) {
                    errors++;
                    continue;
                }
                {
                    std::lock_guard<std::mutex> g(m);
                    if (holder[pair->index] != -1)
                        errors++; // two holders of one pair
                    holder[pair->index] = t;
                }
                std::this_thread::yield();
                {
                    std::lock_guard<std::mutex> g(m);
                    holder[pair->index] = -1;
                }
                if (haclMempoolRelease(p, pair) != ACL_SUCCESS)
                    errors++;
            }
        });
    for (auto &t : ts)
        t.join();
    EXPECT_EQ(errors.load(), 0);
    uint32_t c, v;
    ASSERT_EQ(haclMempoolGetInfo(p, &c, &v), ACL_SUCCESS);
    EXPECT_EQ(v, 4u);
    EXPECT_EQ(haclMempoolDestroy(p, 0), ACL_SUCCESS);
}
