// Model runtime instances: capture and build record instead of running,
// replays run the recorded work on any stream of the device, events and
// callbacks act at replay time, labels branch, capture modes restrict
// synchronous copies, and every misuse gets its code.
#include <atomic>
#include <thread>
#include <vector>

#include "onnx_builder.h"
#include "test_util.h"

namespace {

class ModelRI : public StreamTest {
protected:
    void *Dev(size_t bytes)
    {
        void *p = nullptr;
        EXPECT_EQ(aclrtMalloc(&p, bytes, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
        bufs_.push_back(p);
        return p;
    }
    void Put(void *dev, const std::vector<int32_t> &v)
    {
        ASSERT_EQ(aclrtMemcpy(dev, v.size() * 4, v.data(), v.size() * 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS)
            << TakeErrMsg();
    }
    std::vector<int32_t> Get(const void *dev, size_t n)
    {
        std::vector<int32_t> v(n);
        EXPECT_EQ(aclrtMemcpy(v.data(), n * 4, dev, n * 4, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS) << TakeErrMsg();
        return v;
    }
    aclrtStream NewStream()
    {
        aclrtStream s = nullptr;
        EXPECT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
        streams_.push_back(s);
        return s;
    }
    void TearDown() override
    {
        for (void *p : bufs_)
            aclrtFree(p);
        for (aclrtStream s : streams_)
            aclrtDestroyStream(s);
        StreamTest::TearDown();
    }
    std::vector<void *> bufs_;
    std::vector<aclrtStream> streams_;
};

// y = relu(x) over [1, 4] floats, loaded: the model the execution tests record.
aclError LoadRelu(uint32_t *id)
{
    onnxb::Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 4}}};
    m.outputs = {{"y", onnxb::FLOAT, {1, 4}}};
    m.nodes = {{"Relu", {"x"}, {"y"}, "relu"}};
    std::string bytes = onnxb::Serialize(m);
    return aclmdlLoadFromMem(bytes.data(), bytes.size(), id);
}

TEST_F(ModelRI, CaptureRecordsInsteadOfRunningAndReplaysEachTime)
{
    const size_t n = 8;
    int32_t *src = (int32_t *)Dev(n * 4), *dst = (int32_t *)Dev(n * 4);
    Put(src, {1, 2, 3, 4, 5, 6, 7, 8});
    Put(dst, std::vector<int32_t>(n, -1));
    ASSERT_EQ(aclmdlRICaptureBegin(stream_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED), ACL_SUCCESS) << TakeErrMsg();
    aclmdlRICaptureStatus st;
    aclmdlRI seen = nullptr;
    ASSERT_EQ(aclmdlRICaptureGetInfo(stream_, &st, &seen), ACL_SUCCESS);
    EXPECT_EQ(st, ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE);
    EXPECT_NE(seen, nullptr);
    ASSERT_EQ(aclrtMemsetAsync(dst, n * 4, 0, n * 4, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpyAsync(dst, 16, src + 4, 16, ACL_MEMCPY_DEVICE_TO_DEVICE, stream_), ACL_SUCCESS);
    aclmdlRI ri = nullptr;
    ASSERT_EQ(aclmdlRICaptureEnd(stream_, &ri), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(ri, seen);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    EXPECT_EQ(Get(dst, n), std::vector<int32_t>(n, -1)); // nothing ran while capturing
    ASSERT_EQ(aclmdlRICaptureGetInfo(stream_, &st, nullptr), ACL_SUCCESS);
    EXPECT_EQ(st, ACL_MODEL_RI_CAPTURE_STATUS_NONE);

    aclrtStream other = NewStream();
    for (int round = 0; round < 3; round++) {
        Put(src, {0, 0, 0, 0, 10 * round, 11 * round, 12 * round, 13 * round});
        Put(dst, std::vector<int32_t>(n, -1));
        ASSERT_EQ(aclmdlRIExecuteAsync(ri, round % 2 ? other : stream_), ACL_SUCCESS) << TakeErrMsg();
        ASSERT_EQ(aclrtSynchronizeStream(round % 2 ? other : stream_), ACL_SUCCESS);
        EXPECT_EQ(Get(dst, n), (std::vector<int32_t>{10 * round, 11 * round, 12 * round, 13 * round, 0, 0, 0, 0}));
    }
    ASSERT_EQ(aclrtMemsetAsync(dst, 4, 7, 1, stream_), ACL_SUCCESS); // the stream runs live work again
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    EXPECT_EQ(Get(dst, 1)[0] & 0xff, 7);
    ASSERT_EQ(aclmdlRIExecute(ri, 5000), ACL_SUCCESS) << TakeErrMsg();
    uint32_t id = 0;
    EXPECT_EQ(aclmdlRIGetId(ri, &id), ACL_SUCCESS);
    EXPECT_GT(id, 0u);
    EXPECT_EQ(aclmdlRISetName(ri, "copies"), ACL_SUCCESS);
    char name[16];
    EXPECT_EQ(aclmdlRIGetName(ri, sizeof name, name), ACL_SUCCESS);
    EXPECT_STREQ(name, "copies");
    EXPECT_EQ(aclmdlRIGetName(ri, 3, name), ACL_ERROR_INVALID_PARAM);
    TempFile json("", ".json");
    EXPECT_EQ(aclmdlRIDebugJsonPrint(ri, json.path(), 0), ACL_SUCCESS);
    std::string text;
    if (FILE *f = fopen(json.path(), "r")) {
        char buf[4096];
        size_t k;
        while ((k = fread(buf, 1, sizeof buf, f)) > 0)
            text.append(buf, k);
        fclose(f);
    }
    EXPECT_NE(text.find("\"memset\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"memcpy\""), std::string::npos) << text;
    EXPECT_EQ(aclmdlRIDestroy(ri), ACL_SUCCESS);
    EXPECT_EQ(aclmdlRIExecuteAsync(ri, stream_), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(aclmdlRIDestroy(ri), ACL_ERROR_INVALID_RESOURCE_HANDLE);
}

TEST_F(ModelRI, CaptureMisuseGetsItsCode)
{
    aclmdlRI ri = nullptr;
    EXPECT_EQ(aclmdlRICaptureBegin(nullptr, ACL_MODEL_RI_CAPTURE_MODE_RELAXED), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlRICaptureBegin(stream_, (aclmdlRICaptureMode)7), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlRICaptureEnd(stream_, &ri), ACL_ERROR_RT_STREAM_NOT_CAPTURED);
    EXPECT_EQ(aclmdlRICaptureEnd(stream_, nullptr), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(aclmdlRICaptureBegin(stream_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED), ACL_SUCCESS);
    EXPECT_EQ(aclmdlRICaptureBegin(stream_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED), ACL_ERROR_RT_STREAM_CAPTURED);
    aclmdlRICaptureStatus st;
    aclmdlRI live = nullptr;
    ASSERT_EQ(aclmdlRICaptureGetInfo(stream_, &st, &live), ACL_SUCCESS);
    aclrtStream other = NewStream();
    EXPECT_EQ(aclmdlRIExecuteAsync(live, other), ACL_ERROR_RT_MODEL_CAPTURED); // still capturing
    EXPECT_EQ(aclmdlRIExecuteAsync(live, stream_), ACL_ERROR_RT_STREAM_CAPTURED); // into itself
    ASSERT_EQ(aclmdlRICaptureEnd(stream_, &ri), ACL_SUCCESS);
    EXPECT_EQ(aclmdlRIExecuteAsync(nullptr, stream_), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlRIExecuteAsync(stream_, stream_), ACL_ERROR_INVALID_RESOURCE_HANDLE); // a stream, not an RI
    EXPECT_EQ(aclmdlRIExecuteAsync(ri, stream_), ACL_SUCCESS); // empty: nothing to do
    EXPECT_EQ(aclmdlRIExecute(ri, -2), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlRIDestroy(ri), ACL_SUCCESS);
    aclmdlRICaptureMode m = (aclmdlRICaptureMode)9;
    EXPECT_EQ(aclmdlRICaptureThreadExchangeMode(&m), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlRICaptureThreadExchangeMode(nullptr), ACL_ERROR_INVALID_PARAM);
}

TEST_F(ModelRI, DestroyingTheCapturingStreamInvalidatesTheCapture)
{
    aclrtStream s = nullptr;
    ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRICaptureBegin(s, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL), ACL_SUCCESS);
    aclmdlRICaptureStatus st;
    aclmdlRI ri = nullptr;
    ASSERT_EQ(aclmdlRICaptureGetInfo(s, &st, &ri), ACL_SUCCESS);
    ASSERT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
    EXPECT_EQ(aclmdlRIExecuteAsync(ri, stream_), ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED);
    int32_t x = 0, *d = (int32_t *)Dev(4);
    EXPECT_EQ(aclrtMemcpy(d, 4, &x, 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS); // GLOBAL no longer restricts
    EXPECT_EQ(aclmdlRIDestroy(ri), ACL_SUCCESS);
}

TEST_F(ModelRI, CaptureModesRestrictSynchronousCopies)
{
    int32_t x = 5, *d = (int32_t *)Dev(4);
    aclrtContext ctx;
    ASSERT_EQ(aclrtGetCurrentContext(&ctx), ACL_SUCCESS);
    auto other_thread_copy = [&](aclmdlRICaptureMode mode) {
        aclError rc = ACL_SUCCESS;
        std::thread t([&] {
            aclrtSetCurrentContext(ctx);
            aclmdlRICaptureMode m = mode;
            aclmdlRICaptureThreadExchangeMode(&m);
            rc = aclrtMemcpy(d, 4, &x, 4, ACL_MEMCPY_HOST_TO_DEVICE);
            (void)aclGetRecentErrMsg();
        });
        t.join();
        return rc;
    };
    // GLOBAL: every thread is refused unless it relaxed its own mode.
    ASSERT_EQ(aclmdlRICaptureBegin(stream_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(d, 4, &x, 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_RT_CAPTURE_MODE_NOT_SUPPORT);
    EXPECT_NE(TakeErrMsg().find("GLOBAL"), std::string::npos);
    EXPECT_EQ(aclrtMemset(d, 4, 0, 4), ACL_ERROR_RT_CAPTURE_MODE_NOT_SUPPORT);
    EXPECT_EQ(other_thread_copy(ACL_MODEL_RI_CAPTURE_MODE_GLOBAL), ACL_ERROR_RT_CAPTURE_MODE_NOT_SUPPORT);
    EXPECT_EQ(other_thread_copy(ACL_MODEL_RI_CAPTURE_MODE_THREAD_LOCAL), ACL_SUCCESS);
    aclmdlRICaptureMode m = ACL_MODEL_RI_CAPTURE_MODE_RELAXED;
    ASSERT_EQ(aclmdlRICaptureThreadExchangeMode(&m), ACL_SUCCESS);
    EXPECT_EQ(m, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL); // the default
    EXPECT_EQ(aclrtMemcpy(d, 4, &x, 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRICaptureThreadExchangeMode(&m), ACL_SUCCESS); // back to GLOBAL
    aclmdlRI ri = nullptr;
    // A GLOBAL capture must end on the thread that began it.
    aclError wrong = ACL_SUCCESS;
    std::thread([&] {
        aclrtSetCurrentContext(ctx);
        wrong = aclmdlRICaptureEnd(stream_, &ri);
    }).join();
    EXPECT_EQ(wrong, ACL_ERROR_RT_STREAM_CAPTURE_WRONG_THREAD);
    ASSERT_EQ(aclmdlRICaptureEnd(stream_, &ri), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(d, 4, &x, 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    EXPECT_EQ(aclmdlRIDestroy(ri), ACL_SUCCESS);
    // THREAD_LOCAL: only the capturing thread is refused.
    ASSERT_EQ(aclmdlRICaptureBegin(stream_, ACL_MODEL_RI_CAPTURE_MODE_THREAD_LOCAL), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(d, 4, &x, 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_RT_CAPTURE_MODE_NOT_SUPPORT);
    EXPECT_EQ(other_thread_copy(ACL_MODEL_RI_CAPTURE_MODE_GLOBAL), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRICaptureEnd(stream_, &ri), ACL_SUCCESS);
    EXPECT_EQ(aclmdlRIDestroy(ri), ACL_SUCCESS);
    // RELAXED: nobody is, and any thread may end it.
    ASSERT_EQ(aclmdlRICaptureBegin(stream_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(d, 4, &x, 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    std::thread([&] {
        aclrtSetCurrentContext(ctx);
        wrong = aclmdlRICaptureEnd(stream_, &ri);
    }).join();
    EXPECT_EQ(wrong, ACL_SUCCESS);
    EXPECT_EQ(aclmdlRIDestroy(ri), ACL_SUCCESS);
}

// The three ways an instance meets outside work through an event.
TEST_F(ModelRI, ExternalEventsActAtReplayTime)
{
    const size_t n = 8;
    std::vector<int32_t> v = {1, 2, 3, 4, 5, 6, 7, 8};
    int32_t *src = (int32_t *)Dev(n * 4), *mid = (int32_t *)Dev(n * 4), *dst = (int32_t *)Dev(n * 4);
    aclrtStream ext = NewStream(), g2 = NewStream();
    aclrtEvent ev;
    ASSERT_EQ(aclrtCreateEventExWithFlag(&ev, ACL_EVENT_SYNC), ACL_SUCCESS);
    EXPECT_EQ(aclrtStreamWaitEventWithFlag(stream_, ev, 0, 5), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtStreamWaitEventWithFlag(stream_, ev, 10, ACL_EVENT_WAIT_EXTERNAL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtRecordEventWithFlag(ev, stream_, 9), ACL_ERROR_INVALID_PARAM);

    // 1. recorded outside, waited inside: the replay waits for the record
    // made before it, held back by a host function on the outside stream.
    aclmdlRI ri1 = nullptr, ri2 = nullptr, ri3 = nullptr;
    ASSERT_EQ(aclmdlRICaptureBegin(stream_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED), ACL_SUCCESS);
    ASSERT_EQ(aclrtStreamWaitEventWithFlag(stream_, ev, 0, ACL_EVENT_WAIT_EXTERNAL), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpyAsync(dst, n * 4, src, n * 4, ACL_MEMCPY_DEVICE_TO_DEVICE, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRICaptureEnd(stream_, &ri1), ACL_SUCCESS);
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(ext, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpyAsync(src, n * 4, v.data(), n * 4, ACL_MEMCPY_HOST_TO_DEVICE, ext), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(ev, ext), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRIExecuteAsync(ri1, stream_), ACL_SUCCESS);
    gate.WaitEntered();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    aclrtStreamStatus ss;
    ASSERT_EQ(aclrtStreamQuery(stream_, &ss), ACL_SUCCESS);
    EXPECT_EQ(ss, ACL_STREAM_STATUS_NOT_READY); // held by the outside record
    gate.open = true;
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    EXPECT_EQ(Get(dst, n), v);

    // 2. recorded inside, waited outside: the wait made after the replay
    // is submitted waits for the replay's record.
    Put(dst, std::vector<int32_t>(n, 0));
    ASSERT_EQ(aclmdlRICaptureBegin(stream_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED), ACL_SUCCESS);
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpyAsync(dst, n * 4, src, n * 4, ACL_MEMCPY_DEVICE_TO_DEVICE, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEventWithFlag(ev, stream_, ACL_EVENT_RECORD_EXTERNAL), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRICaptureEnd(stream_, &ri2), ACL_SUCCESS);
    gate.open = false;
    gate.entered = false;
    ASSERT_EQ(aclmdlRIExecuteAsync(ri2, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtStreamWaitEvent(ext, ev), ACL_SUCCESS);
    std::vector<int32_t> host(n, -1);
    ASSERT_EQ(aclrtMemcpyAsync(host.data(), n * 4, dst, n * 4, ACL_MEMCPY_DEVICE_TO_HOST, ext), ACL_SUCCESS);
    gate.WaitEntered();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(host, std::vector<int32_t>(n, -1)); // the outside copy still waits
    gate.open = true;
    ASSERT_EQ(aclrtSynchronizeStream(ext), ACL_SUCCESS);
    EXPECT_EQ(host, v);

    // 3. one instance records, another waits.
    Put(dst, std::vector<int32_t>(n, 0));
    ASSERT_EQ(aclmdlRICaptureBegin(ext, ACL_MODEL_RI_CAPTURE_MODE_RELAXED), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpyAsync(mid, n * 4, src, n * 4, ACL_MEMCPY_DEVICE_TO_DEVICE, ext), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEventWithFlag(ev, ext, ACL_EVENT_RECORD_EXTERNAL), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRICaptureEnd(ext, &ri3), ACL_SUCCESS);
    aclmdlRI ri4 = nullptr;
    ASSERT_EQ(aclmdlRICaptureBegin(g2, ACL_MODEL_RI_CAPTURE_MODE_RELAXED), ACL_SUCCESS);
    ASSERT_EQ(aclrtStreamWaitEventWithFlag(g2, ev, 0, ACL_EVENT_WAIT_EXTERNAL), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpyAsync(dst, n * 4, mid, n * 4, ACL_MEMCPY_DEVICE_TO_DEVICE, g2), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRICaptureEnd(g2, &ri4), ACL_SUCCESS);
    for (int i = 0; i < 20; i++) {
        Put(mid, std::vector<int32_t>(n, 0));
        Put(dst, std::vector<int32_t>(n, 0));
        ASSERT_EQ(aclmdlRIExecuteAsync(ri3, ext), ACL_SUCCESS);
        ASSERT_EQ(aclmdlRIExecuteAsync(ri4, g2), ACL_SUCCESS);
        ASSERT_EQ(aclrtSynchronizeStream(g2), ACL_SUCCESS);
        ASSERT_EQ(Get(dst, n), v) << "round " << i;
    }
    for (aclmdlRI r : {ri1, ri2, ri3, ri4})
        EXPECT_EQ(aclmdlRIDestroy(r), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyEvent(ev), ACL_SUCCESS);
}

std::atomic<int> g_calls{0};
std::atomic<uint64_t> g_thread{0};
void Count(void *p)
{
    g_calls += (int)(intptr_t)p;
    g_thread = (uint64_t)pthread_self();
}

TEST_F(ModelRI, CallbacksRunOnTheReportThreadOfTheReplayStream)
{
    ReportThread capture_reporter, replay_reporter;
    aclrtStream other = NewStream(), lonely = NewStream();
    ASSERT_EQ(aclrtSubscribeReport(capture_reporter.id(), stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtSubscribeReport(replay_reporter.id(), other), ACL_SUCCESS);
    g_calls = 0;
    ASSERT_EQ(aclmdlRICaptureBegin(stream_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED), ACL_SUCCESS);
    ASSERT_EQ(aclrtLaunchCallback(Count, (void *)1, ACL_CALLBACK_BLOCK, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtLaunchCallback(Count, (void *)100, ACL_CALLBACK_NO_BLOCK, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Count, (void *)10000), ACL_SUCCESS);
    aclmdlRI ri = nullptr;
    ASSERT_EQ(aclmdlRICaptureEnd(stream_, &ri), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    EXPECT_EQ(g_calls.load(), 0);
    // The capturing stream owes no callbacks: unsubscribing does not wait.
    ASSERT_EQ(aclrtUnSubscribeReport(capture_reporter.id(), stream_), ACL_SUCCESS);
    for (int i = 0; i < 5; i++)
        ASSERT_EQ(aclmdlRIExecuteAsync(ri, other), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(aclrtSynchronizeStream(other), ACL_SUCCESS);
    ASSERT_EQ(aclrtUnSubscribeReport(replay_reporter.id(), other), ACL_SUCCESS); // drains the NO_BLOCK ones
    EXPECT_EQ(g_calls.load(), 5 * 10101);
    // No report thread on the replay stream: refused, nothing queued.
    EXPECT_EQ(aclmdlRIExecuteAsync(ri, lonely), ACL_ERROR_RT_STREAM_NO_CB_REG);
    EXPECT_FALSE(TakeErrMsg().empty());
    ASSERT_EQ(aclrtSynchronizeStream(lonely), ACL_SUCCESS);
    EXPECT_EQ(g_calls.load(), 5 * 10101);
    EXPECT_EQ(aclmdlRIDestroy(ri), ACL_SUCCESS);
}

class Labels : public ModelRI {
protected:
    // A persistent stream bound to a new instance, and two labels.
    void SetUp() override
    {
        ModelRI::SetUp();
        ASSERT_EQ(aclrtCreateStreamWithConfig(&bound_, 0, ACL_STREAM_PERSISTENT), ACL_SUCCESS);
        ASSERT_EQ(aclmdlRIBuildBegin(&ri_, 0), ACL_SUCCESS);
        ASSERT_EQ(aclmdlRIBindStream(ri_, bound_, ACL_MODEL_STREAM_FLAG_HEAD), ACL_SUCCESS) << TakeErrMsg();
        for (auto &l : labels_)
            ASSERT_EQ(aclrtCreateLabel(&l), ACL_SUCCESS);
        ASSERT_EQ(aclrtCreateLabelList(labels_, 2, &list_), ACL_SUCCESS);
    }
    void TearDown() override
    {
        if (ri_) {
            EXPECT_EQ(aclmdlRIUnbindStream(ri_, bound_), ACL_SUCCESS);
            EXPECT_EQ(aclmdlRIDestroy(ri_), ACL_SUCCESS);
        }
        EXPECT_EQ(aclrtDestroyLabelList(list_), ACL_SUCCESS);
        for (auto l : labels_)
            EXPECT_EQ(aclrtDestroyLabel(l), ACL_SUCCESS);
        EXPECT_EQ(aclrtDestroyStream(bound_), ACL_SUCCESS);
        ModelRI::TearDown();
    }
    aclrtStream bound_ = nullptr;
    aclmdlRI ri_ = nullptr;
    aclrtLabel labels_[2] = {};
    aclrtLabelList list_ = nullptr;
};

// switch(index); L0: a = 1; L1: b = 2 -- index 0 runs both, 1 only b.
TEST_F(Labels, SwitchSkipsToTheChosenLabel)
{
    int32_t *index = (int32_t *)Dev(4), *ab = (int32_t *)Dev(8);
    int32_t one = 1, two = 2;
    void *k1 = Dev(4), *k2 = Dev(4);
    Put(k1, {one});
    Put(k2, {two});
    ASSERT_EQ(aclrtSwitchLabelByIndex(index, 2, list_, bound_), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(aclrtSetLabel(labels_[0], bound_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpyAsync(ab, 4, k1, 4, ACL_MEMCPY_DEVICE_TO_DEVICE, bound_), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetLabel(labels_[1], bound_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpyAsync(ab + 1, 4, k2, 4, ACL_MEMCPY_DEVICE_TO_DEVICE, bound_), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRIEndTask(ri_, bound_), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemsetAsync(ab, 8, 0, 8, bound_), ACL_ERROR_RT_STREAM_MODEL); // its part is closed
    ASSERT_EQ(aclmdlRIBuildEnd(ri_, nullptr), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(aclmdlRIBuildEnd(ri_, nullptr), ACL_ERROR_RT_MODEL_CAPTURED);
    uint32_t ns = 0;
    aclrtStream got[2];
    ns = 2;
    EXPECT_EQ(aclmdlRIGetStreams(ri_, got, &ns), ACL_SUCCESS);
    EXPECT_EQ(ns, 1u);
    EXPECT_EQ(got[0], bound_);

    struct Case {
        int32_t index;
        std::vector<int32_t> want;
        aclError sync;
    } cases[] = {{0, {1, 2}, ACL_SUCCESS}, {1, {0, 2}, ACL_SUCCESS}, {2, {1, 2}, ACL_ERROR_RT_PARAM_INVALID}};
    for (const Case &c : cases) {
        Put(index, {c.index});
        Put(ab, {0, 0});
        ASSERT_EQ(aclmdlRIExecuteAsync(ri_, stream_), ACL_SUCCESS) << TakeErrMsg();
        ASSERT_EQ(aclrtMemsetAsync(ab, 8, 0xff, 1, stream_), ACL_SUCCESS); // after the replay: never skipped
        EXPECT_EQ(aclrtSynchronizeStream(stream_), c.sync) << c.index;
        TakeErrMsg();
        std::vector<int32_t> got_ab = Get(ab, 2);
        EXPECT_EQ(got_ab[0] & 0xff, 0xff) << c.index;
        got_ab[0] &= ~0xff;
        EXPECT_EQ(got_ab, (std::vector<int32_t>{c.want[0] & ~0xff, c.want[1]})) << c.index;
    }
}

TEST_F(Labels, MisuseGetsItsCode)
{
    int32_t *index = (int32_t *)Dev(4);
    int32_t host = 0;
    EXPECT_EQ(aclrtSetLabel(labels_[0], stream_), ACL_ERROR_RT_STREAM_MODEL); // a live stream
    EXPECT_EQ(aclrtSwitchLabelByIndex(index, 2, list_, stream_), ACL_ERROR_RT_STREAM_MODEL);
    EXPECT_EQ(aclrtSwitchLabelByIndex(&host, 2, list_, bound_), ACL_ERROR_INVALID_PARAM); // host memory
    EXPECT_EQ(aclrtSwitchLabelByIndex(index, 3, list_, bound_), ACL_ERROR_INVALID_PARAM); // more than the list
    EXPECT_EQ(aclrtSwitchLabelByIndex(index, 0, list_, bound_), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSwitchLabelByIndex(index, 2, labels_[0], bound_), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(aclrtSetLabel(list_, bound_), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    aclrtLabelList l2;
    aclrtLabel bad[2] = {labels_[0], index};
    EXPECT_EQ(aclrtCreateLabelList(bad, 2, &l2), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(aclrtCreateLabelList(labels_, 0, &l2), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlRIExecuteAsync(ri_, stream_), ACL_ERROR_RT_MODEL_CAPTURED); // still being built
    // A label set before the branch that may choose it: a backward branch.
    ASSERT_EQ(aclrtSetLabel(labels_[0], bound_), ACL_SUCCESS);
    ASSERT_EQ(aclrtSwitchLabelByIndex(index, 1, list_, bound_), ACL_SUCCESS);
    EXPECT_EQ(aclmdlRIBuildEnd(ri_, nullptr), ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
    EXPECT_NE(TakeErrMsg().find("forward"), std::string::npos);
    EXPECT_EQ(aclmdlRIBindStream(ri_, bound_, 5), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlRIBindStream(ri_, bound_, ACL_MODEL_STREAM_FLAG_HEAD), ACL_ERROR_RT_STREAM_CAPTURED);
    EXPECT_EQ(aclmdlRICaptureBegin(bound_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED), ACL_ERROR_RT_STREAM_CAPTURED);
    EXPECT_EQ(aclmdlRIEndTask(ri_, stream_), ACL_ERROR_RT_STREAM_MODEL);
    EXPECT_EQ(aclmdlRIBuildBegin(nullptr, 0), ACL_ERROR_INVALID_PARAM);
    aclmdlRI r2;
    EXPECT_EQ(aclmdlRIBuildBegin(&r2, 1), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlRIBuildEnd(ri_, index), ACL_ERROR_INVALID_PARAM);
}

// y = relu(x), recorded once and replayed with new inputs.
TEST_F(ModelRI, RecordedExecutionsReadTheirBuffersAtReplayTime)
{
    uint32_t id;
    ASSERT_EQ(LoadRelu(&id), ACL_SUCCESS) << TakeErrMsg();
    float *x = (float *)Dev(16), *y = (float *)Dev(16);
    aclmdlDataset *in = aclmdlCreateDataset(), *out = aclmdlCreateDataset();
    aclDataBuffer *bx = aclCreateDataBuffer(x, 16), *by = aclCreateDataBuffer(y, 16);
    aclmdlAddDatasetBuffer(in, bx);
    aclmdlAddDatasetBuffer(out, by);
    ReportThread rep;
    ASSERT_EQ(aclrtSubscribeReport(rep.id(), stream_), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRICaptureBegin(stream_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED), ACL_SUCCESS);
    ASSERT_EQ(aclmdlExecuteAsync(id, in, out, stream_), ACL_SUCCESS) << TakeErrMsg();
    g_calls = 0;
    ASSERT_EQ(aclrtLaunchCallback(Count, (void *)1, ACL_CALLBACK_BLOCK, stream_), ACL_SUCCESS);
    aclmdlRI ri = nullptr;
    ASSERT_EQ(aclmdlRICaptureEnd(stream_, &ri), ACL_SUCCESS);
    ASSERT_EQ(aclmdlUnload(id), ACL_SUCCESS); // the instance keeps what it recorded
    for (int r = 0; r < 4; r++) {
        float hx[4] = {-1.0f * r, 2.0f * r, -3.0f, 4.0f + r}, hy[4];
        ASSERT_EQ(aclrtMemcpy(x, 16, hx, 16, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
        ASSERT_EQ(aclmdlRIExecuteAsync(ri, stream_), ACL_SUCCESS) << TakeErrMsg();
        ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS) << TakeErrMsg();
        ASSERT_EQ(aclrtMemcpy(hy, 16, y, 16, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
        for (int i = 0; i < 4; i++)
            EXPECT_EQ(hy[i], hx[i] > 0 ? hx[i] : 0.0f) << r << "," << i;
    }
    EXPECT_EQ(g_calls.load(), 4);
    EXPECT_EQ(aclmdlRIDestroy(ri), ACL_SUCCESS);
    ASSERT_EQ(aclrtUnSubscribeReport(rep.id(), stream_), ACL_SUCCESS);
    aclDestroyDataBuffer(bx);
    aclDestroyDataBuffer(by);
    aclmdlDestroyDataset(in);
    aclmdlDestroyDataset(out);
}

// Recorded work outlives everything it names: the instance is destroyed
// while a replay still runs, then finalize cleans up one never destroyed.
TEST_F(ModelRI, DestroyWhileReplaysRunAndFinalizeCleansUp)
{
    int32_t *d = (int32_t *)Dev(4096);
    Gate gate;
    ASSERT_EQ(aclmdlRICaptureBegin(stream_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED), ACL_SUCCESS);
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Gate::Wait, &gate), ACL_SUCCESS);
    for (int i = 0; i < 1000; i++)
        ASSERT_EQ(aclrtMemsetAsync(d + i, 4, i & 0xff, 1, stream_), ACL_SUCCESS);
    aclmdlRI ri = nullptr, leaked = nullptr;
    ASSERT_EQ(aclmdlRICaptureEnd(stream_, &ri), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRIExecuteAsync(ri, stream_), ACL_SUCCESS);
    gate.WaitEntered();
    EXPECT_EQ(aclmdlRIDestroy(ri), ACL_SUCCESS);
    gate.open = true;
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    std::vector<int32_t> got = Get(d, 1000);
    for (int i = 0; i < 1000; i++)
        ASSERT_EQ(got[i] & 0xff, i & 0xff) << i;
    ASSERT_EQ(aclmdlRICaptureBegin(stream_, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemsetAsync(d, 4, 1, 4, stream_), ACL_SUCCESS);
    (void)leaked; // left capturing: aclFinalize (TearDown) must release it
}

} // namespace

namespace {
// Device pointers from virtual memory mappings work as model buffers, and
// their access flags hold for the execution's writes.
TEST_F(ModelRI, MappedVirtualMemoryFeedsModels)
{
    uint32_t id;
    ASSERT_EQ(LoadRelu(&id), ACL_SUCCESS) << TakeErrMsg();
    aclrtPhysicalMemProp prop = {ACL_MEM_HANDLE_TYPE_NONE, ACL_MEM_ALLOCATION_TYPE_PINNED, ACL_HBM_MEM_NORMAL,
                                 {0, ACL_MEM_LOCATION_TYPE_DEVICE}, 0};
    const size_t g = 2 << 20;
    aclrtDrvMemHandle h;
    void *va;
    ASSERT_EQ(aclrtMallocPhysical(&h, g, &prop, 0), ACL_SUCCESS);
    ASSERT_EQ(aclrtReserveMemAddress(&va, g, 0, nullptr, 0), ACL_SUCCESS);
    ASSERT_EQ(aclrtMapMem(va, g, 0, h, 0), ACL_SUCCESS);
    float *x = (float *)va, *y = x + 1024;
    float hx[4] = {-1, 2, -3, 4}, hy[4] = {};
    ASSERT_EQ(aclrtMemcpy(x, 16, hx, 16, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    aclmdlDataset *in = aclmdlCreateDataset(), *out = aclmdlCreateDataset();
    aclDataBuffer *bx = aclCreateDataBuffer(x, 16), *by = aclCreateDataBuffer(y, 16);
    aclmdlAddDatasetBuffer(in, bx);
    aclmdlAddDatasetBuffer(out, by);
    ASSERT_EQ(aclmdlExecuteAsync(id, in, out, stream_), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(aclrtMemcpy(hy, 16, y, 16, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(hy[0], 0.0f);
    EXPECT_EQ(hy[1], 2.0f);
    EXPECT_EQ(hy[3], 4.0f);
    aclDestroyDataBuffer(bx);
    aclDestroyDataBuffer(by);
    aclmdlDestroyDataset(in);
    aclmdlDestroyDataset(out);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    EXPECT_EQ(aclrtUnmapMem(va), ACL_SUCCESS);
    EXPECT_EQ(aclrtReleaseMemAddress(va), ACL_SUCCESS);
    EXPECT_EQ(aclrtFreePhysical(h), ACL_SUCCESS);
}
} // namespace

namespace {
TEST_F(ModelRI, PrintingRefusesBadArguments)
{
    aclmdlRI ri = nullptr;
    ASSERT_EQ(aclmdlRICaptureBegin(stream_, ACL_MODEL_RI_CAPTURE_MODE_RELAXED), ACL_SUCCESS);
    ASSERT_EQ(aclmdlRICaptureEnd(stream_, &ri), ACL_SUCCESS);
    EXPECT_EQ(aclmdlRIDebugPrint(ri), ACL_SUCCESS);
    EXPECT_EQ(aclmdlRIDebugJsonPrint(ri, nullptr, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlRIDebugJsonPrint(ri, "/nonexistent-dir/ri.json", 0), ACL_ERROR_RT_FILE_OPEN);
    EXPECT_EQ(aclmdlRISetName(ri, std::string(200, 'n').c_str()), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlRISetName(ri, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlRIGetId(ri, nullptr), ACL_ERROR_INVALID_PARAM);
    uint32_t n = 0;
    EXPECT_EQ(aclmdlRIGetStreams(ri, nullptr, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlRIGetStreams(ri, nullptr, &n), ACL_SUCCESS); // counts only
    EXPECT_EQ(n, 1u); // the stream it was captured from
    aclrtStream only = nullptr;
    n = 1;
    EXPECT_EQ(aclmdlRIGetStreams(ri, &only, &n), ACL_SUCCESS);
    EXPECT_EQ(only, stream_);
    n = 0;
    EXPECT_EQ(aclmdlRIGetStreams(ri, &only, &n), ACL_ERROR_INVALID_PARAM); // no room
    EXPECT_EQ(n, 1u);
    ASSERT_EQ(aclmdlRIDestroy(ri), ACL_SUCCESS);
    EXPECT_EQ(aclmdlRIDebugPrint(ri), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(aclmdlRIDebugPrint(nullptr), ACL_ERROR_INVALID_PARAM);
    uint32_t id;
    EXPECT_EQ(aclmdlRIGetId(ri, &id), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    TakeErrMsg();
}
} // namespace
