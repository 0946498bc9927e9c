// Pipelines (acl/hacl_pipeline.h): the callback way (one and several
// streams), errors raised in callbacks, stop with frames in flight,
// back-pressure, the synchronous way with timeouts, requests, and chains
// with pre- and postprocessing models. Every frame must be delivered or
// reported cancelled exactly once.
#include <math.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "acl/hacl_pipeline.h"
#include "onnx_builder.h"
#include "test_util.h"

using onnxb::Model;

namespace {

const int N = 16; // floats per frame

// y = x * k (+ b), one [1, N] float input and output.
std::string Affine(float k, float b, const char *in = "x", const char *out = "y")
{
    Model m;
    m.inputs = {{in, onnxb::FLOAT, {1, N}}};
    m.outputs = {{out, onnxb::FLOAT, {1, N}}};
    m.inits = {{"k", onnxb::FLOAT, {}, onnxb::Floats({k})}, {"b", onnxb::FLOAT, {}, onnxb::Floats({b})}};
    m.nodes = {{"Mul", {in, "k"}, {"t"}, "mul"}, {"Add", {"t", "b"}, {out}, "add"}};
    return onnxb::Serialize(m);
}

std::string WriteModel(const std::string &bytes)
{
    return MakeTempFile(bytes, ".onnx");
}

class Pipeline : public DeviceTest {
protected:
    aclrtContext ctx = nullptr;
    std::vector<std::string> files;
    void SetUp() override
    {
        DeviceTest::SetUp();
        ASSERT_EQ(aclrtCreateContext(&ctx, 0), ACL_SUCCESS);
    }
    void TearDown() override
    {
        for (auto &f : files)
            unlink(f.c_str());
        EXPECT_EQ(aclrtDestroyContext(ctx), ACL_SUCCESS);
        DeviceTest::TearDown();
    }
    std::string ModelFile(float k, float b)
    {
        files.push_back(WriteModel(Affine(k, b)));
        return files.back();
    }
    haclPipeline *Make(float k, float b, uint32_t depth = 4, uint32_t streams = 1)
    {
        haclPipelineConfig cfg = {depth, streams};
        haclPipeline *p = nullptr;
        EXPECT_EQ(haclPipelineCreateFromFile(ModelFile(k, b).c_str(), &cfg, &p), ACL_SUCCESS) << TakeErrMsg();
        return p;
    }
};

// Shared state of the callback tests.
struct Feed {
    std::mutex mu;
    int frames = 10;                          // per stream
    std::map<uint32_t, int> sent;             // stream -> frames filled
    std::map<uint32_t, std::vector<float>> got; // stream -> first value of each output
    std::map<uint32_t, std::vector<uint64_t>> ids;
    std::set<std::pair<uint32_t, uint64_t>> cancelled;
    int fail_input_at = -1, fail_output_at = -1;
    int sleep_stream = -1;
    std::atomic<int> inflight{0}, max_inflight{0};
    std::atomic<bool> forever{false};
    std::atomic<bool> hold_slow{false}; // the slow stream waits here after its first frame
};

int Input(void *user, uint32_t stream, void *const *inputs, const size_t *sizes, size_t count)
{
    Feed *f = static_cast<Feed *>(user);
    if (count != 1 || sizes[0] != N * sizeof(float))
        return 99;
    int k;
    {
        std::lock_guard<std::mutex> g(f->mu);
        k = f->sent[stream];
        if (k == f->fail_input_at)
            return 777777; // an error code of the application's own
        if (!f->forever && k >= f->frames)
            return HACL_PIPELINE_END;
        f->sent[stream] = k + 1;
    }
    if ((int)stream == f->sleep_stream) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        for (int w = 0; k >= 1 && f->hold_slow && w < 10000; w++) // at most 10 s
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    float *x = static_cast<float *>(inputs[0]);
    for (int i = 0; i < N; i++)
        x[i] = (float)(stream * 1000 + k);
    int now = ++f->inflight;
    int prev = f->max_inflight.load();
    while (now > prev && !f->max_inflight.compare_exchange_weak(prev, now)) {
    }
    return HACL_PIPELINE_FRAME;
}

int Output(void *user, uint32_t stream, uint64_t frame, const void *const *outputs, const size_t *sizes, size_t count)
{
    Feed *f = static_cast<Feed *>(user);
    f->inflight--;
    if (count != 1 || sizes[0] != N * sizeof(float))
        return 98;
    const float *y = static_cast<const float *>(outputs[0]);
    std::lock_guard<std::mutex> g(f->mu);
    f->got[stream].push_back(y[0]);
    f->ids[stream].push_back(frame);
    if ((int)frame == f->fail_output_at)
        return 555555;
    return 0;
}

void Cancel(void *user, uint32_t stream, uint64_t frame)
{
    Feed *f = static_cast<Feed *>(user);
    f->inflight--;
    std::lock_guard<std::mutex> g(f->mu);
    EXPECT_TRUE(f->cancelled.insert({stream, frame}).second) << "frame cancelled twice";
}

TEST_F(Pipeline, CallbacksDeliverEveryFrameInOrderWithinTheDepth)
{
    haclPipeline *p = Make(2, 1, 3);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(haclPipelineGetNumInputs(p), 1u);
    EXPECT_EQ(haclPipelineGetOutputSize(p, 0), N * sizeof(float));
    EXPECT_STREQ(haclPipelineInportAssignment(p, 0), "x");
    EXPECT_STREQ(haclPipelineOutportAssignment(p, 0), "y");
    EXPECT_EQ(haclPipelineInportAssignment(p, 1), nullptr);
    Feed f;
    f.frames = 40;
    EXPECT_EQ(haclPipelineConnectInput(p, Input, &f, 1), ACL_ERROR_INVALID_PARAM); // one chain: index 0
    TakeErrMsg();
    ASSERT_EQ(haclPipelineConnectInput(p, Input, &f, 0), ACL_SUCCESS);
    ASSERT_EQ(haclPipelineConnectOutput(p, Output, &f, 0), ACL_SUCCESS); // starts
    ASSERT_EQ(haclPipelineWait(p, -1), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(f.got[0].size(), 40u);
    for (int k = 0; k < 40; k++) {
        EXPECT_EQ(f.ids[0][k], (uint64_t)k);
        EXPECT_EQ(f.got[0][k], 2.0f * k + 1);
    }
    EXPECT_LE(f.max_inflight.load(), 3); // the depth bounds frames in flight
    haclPipelineStats st;
    ASSERT_EQ(haclPipelineGetStats(p, &st), ACL_SUCCESS);
    EXPECT_EQ(st.submitted, 40u);
    EXPECT_EQ(st.delivered, 40u);
    EXPECT_EQ(st.cancelled, 0u);
    // Other ways are refused once the callbacks own the pipeline.
    float x[N] = {0};
    const void *in[1] = {x};
    size_t sz[1] = {sizeof x};
    EXPECT_EQ(haclPipelineSend(p, in, sz, 1, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_NE(TakeErrMsg().find("another way"), std::string::npos);
    EXPECT_EQ(haclPipelineDestroy(p), ACL_SUCCESS);
    EXPECT_EQ(haclPipelineDestroy(p), ACL_ERROR_INVALID_RESOURCE_HANDLE); // stale
    TakeErrMsg();
}

TEST_F(Pipeline, StreamsKeepTheirOrderAndASlowStreamStarvesNoOther)
{
    haclPipeline *p = Make(1, 0, 2);
    Feed f;
    f.frames = 12;
    f.sleep_stream = 0; // 20 ms per frame on stream 0, held after its first
    f.hold_slow = true; // frame until the fast streams are done (no race with load)
    auto t0 = std::chrono::steady_clock::now();
    ASSERT_EQ(haclPipelineConnectStreams(p, Input, Output, &f, 3), ACL_SUCCESS);
    // The fast streams finish while the slow one is still running.
    for (int i = 0; i < 5000; i++) {
        {
            std::lock_guard<std::mutex> g(f.mu);
            if (f.got[1].size() == 12 && f.got[2].size() == 12)
                break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    {
        std::lock_guard<std::mutex> g(f.mu);
        EXPECT_EQ(f.got[1].size(), 12u);
        EXPECT_EQ(f.got[2].size(), 12u);
        EXPECT_LT(f.got[0].size(), 12u) << "the slow stream should still be running";
    }
    f.hold_slow = false;
    ASSERT_EQ(haclPipelineWait(p, 10000), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(200));
    for (uint32_t s = 0; s < 3; s++) {
        ASSERT_EQ(f.got[s].size(), 12u) << s;
        for (int k = 0; k < 12; k++) {
            EXPECT_EQ(f.ids[s][k], (uint64_t)k);
            EXPECT_EQ(f.got[s][k], (float)(s * 1000 + k));
        }
    }
    EXPECT_EQ(haclPipelineDestroy(p), ACL_SUCCESS);
}

TEST_F(Pipeline, AnInputCallbackErrorStopsThePipelineAndNothingIsLost)
{
    haclPipeline *p = Make(1, 0, 4);
    Feed f;
    f.frames = 100;
    f.fail_input_at = 7;
    ASSERT_EQ(haclPipelineSetCancelCallback(p, Cancel, &f), ACL_SUCCESS);
    ASSERT_EQ(haclPipelineConnectStreams(p, Input, Output, &f, 2), ACL_SUCCESS);
    EXPECT_EQ(haclPipelineWait(p, 10000), (aclError)777777);
    EXPECT_NE(TakeErrMsg().find("input callback stopped the pipeline"), std::string::npos);
    haclPipelineStats st;
    ASSERT_EQ(haclPipelineGetStats(p, &st), ACL_SUCCESS);
    EXPECT_EQ(st.submitted, st.delivered + st.cancelled);
    EXPECT_EQ(st.cancelled, f.cancelled.size());
    size_t delivered = f.got[0].size() + f.got[1].size();
    EXPECT_EQ(st.delivered, delivered);
    EXPECT_LE(st.submitted, 14u); // frames 0..6 of each stream at most
    EXPECT_EQ(haclPipelineDestroy(p), ACL_SUCCESS);
}

TEST_F(Pipeline, AnOutputCallbackErrorStopsThePipeline)
{
    haclPipeline *p = Make(1, 0, 4);
    Feed f;
    f.frames = 50;
    f.fail_output_at = 3;
    ASSERT_EQ(haclPipelineSetCancelCallback(p, Cancel, &f), ACL_SUCCESS);
    ASSERT_EQ(haclPipelineConnectInput(p, Input, &f, 0), ACL_SUCCESS);
    ASSERT_EQ(haclPipelineConnectOutput(p, Output, &f, 0), ACL_SUCCESS);
    EXPECT_EQ(haclPipelineWait(p, 10000), (aclError)555555);
    EXPECT_NE(TakeErrMsg().find("output callback"), std::string::npos);
    haclPipelineStats st;
    ASSERT_EQ(haclPipelineStop(p, &st), ACL_SUCCESS);
    EXPECT_EQ(st.submitted, st.delivered + st.cancelled);
    EXPECT_EQ(st.delivered, 4u); // frames 0..3; the error came with frame 3
    EXPECT_EQ(haclPipelineDestroy(p), ACL_SUCCESS);
}

TEST_F(Pipeline, StopWithFramesInFlightDeliversOrCancelsEachExactlyOnce)
{
    haclPipeline *p = Make(1, 0, 6);
    Feed f;
    f.forever = true;
    ASSERT_EQ(haclPipelineSetCancelCallback(p, Cancel, &f), ACL_SUCCESS);
    ASSERT_EQ(haclPipelineConnectStreams(p, Input, Output, &f, 2), ACL_SUCCESS);
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    haclPipelineStats st;
    ASSERT_EQ(haclPipelineStop(p, &st), ACL_SUCCESS);
    EXPECT_GT(st.submitted, 0u);
    EXPECT_EQ(st.submitted, st.delivered + st.cancelled);
    std::lock_guard<std::mutex> g(f.mu);
    for (uint32_t s = 0; s < 2; s++) {
        std::set<uint64_t> seen(f.ids[s].begin(), f.ids[s].end());
        EXPECT_EQ(seen.size(), f.ids[s].size()) << "a frame delivered twice";
        for (auto &c : f.cancelled) {
            if (c.first == s) {
                EXPECT_EQ(seen.count(c.second), 0u) << "a frame delivered and cancelled";
            }
        }
        // Every frame that entered, numbered from 0, is accounted for.
        size_t accounted = seen.size();
        for (auto &c : f.cancelled)
            accounted += c.first == s;
        EXPECT_EQ(accounted, (size_t)f.sent[s]);
    }
    EXPECT_EQ(f.inflight.load(), 0);
    EXPECT_EQ(haclPipelineWait(p, 1000), ACL_SUCCESS); // stopped: nothing left to wait for
    EXPECT_EQ(haclPipelineDestroy(p), ACL_SUCCESS);
}

TEST_F(Pipeline, SendReceiveWithTimeoutsLosesNothing)
{
    haclPipeline *p = Make(3, 0, 2);
    float x[N], y[N];
    const void *in[1] = {x};
    void *out[1] = {y};
    size_t isz[1] = {sizeof x}, osz[1] = {sizeof y};
    uint64_t frame = 99;
    EXPECT_EQ(haclPipelineReceive(p, out, osz, 1, 0, &frame), ACL_ERROR_INVALID_PARAM); // nothing sent yet
    TakeErrMsg();
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < N; i++)
            x[i] = (float)k;
        ASSERT_EQ(haclPipelineSend(p, in, isz, 1, -1), ACL_SUCCESS) << TakeErrMsg();
    }
    // Both slots are in flight or waiting to be received: a third send
    // times out, with the distinct timeout code.
    EXPECT_EQ(haclPipelineSend(p, in, isz, 1, 20), ACL_ERROR_RT_WAIT_TIMEOUT);
    TakeErrMsg();
    size_t bad[1] = {sizeof x - 4};
    EXPECT_EQ(haclPipelineSend(p, in, bad, 1, 0), ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
    for (int k = 0; k < 2; k++) {
        ASSERT_EQ(haclPipelineReceive(p, out, osz, 1, 5000, &frame), ACL_SUCCESS) << TakeErrMsg();
        EXPECT_EQ(frame, (uint64_t)k);
        EXPECT_EQ(y[0], 3.0f * k);
    }
    EXPECT_EQ(haclPipelineReceive(p, out, osz, 1, 10, &frame), ACL_ERROR_RT_WAIT_TIMEOUT);
    TakeErrMsg();
    // A batch, pipelined through the two slots.
    const int B = 9;
    std::vector<std::vector<float>> xs(B, std::vector<float>(N)), ys(B, std::vector<float>(N, -1));
    std::vector<const void *> ins(B);
    std::vector<void *> outs(B);
    for (int f = 0; f < B; f++) {
        for (int i = 0; i < N; i++)
            xs[f][i] = (float)(f * 10 + i);
        ins[f] = xs[f].data();
        outs[f] = ys[f].data();
    }
    ASSERT_EQ(haclPipelineRun(p, ins.data(), outs.data(), B), ACL_SUCCESS) << TakeErrMsg();
    for (int f = 0; f < B; f++)
        for (int i = 0; i < N; i++)
            ASSERT_EQ(ys[f][i], 3.0f * (f * 10 + i));
    haclPipelineStats st;
    ASSERT_EQ(haclPipelineStop(p, &st), ACL_SUCCESS);
    EXPECT_EQ(st.delivered, 11u);
    EXPECT_EQ(st.cancelled, 0u);
    EXPECT_EQ(haclPipelineDestroy(p), ACL_SUCCESS);
}

TEST_F(Pipeline, FramesSentButNotReceivedAreCancelledAtStop)
{
    haclPipeline *p = Make(1, 0, 4, 2);
    float x[N] = {0};
    const void *in[1] = {x};
    size_t isz[1] = {sizeof x};
    for (int k = 0; k < 5; k++)
        ASSERT_EQ(haclPipelineSend(p, in, isz, 1, -1), ACL_SUCCESS);
    haclPipelineStats st;
    ASSERT_EQ(haclPipelineStop(p, &st), ACL_SUCCESS);
    EXPECT_EQ(st.submitted, 5u);
    EXPECT_EQ(st.cancelled, 5u);
    EXPECT_EQ(haclPipelineSend(p, in, isz, 1, 0), ACL_ERROR_INVALID_PARAM); // stopped
    TakeErrMsg();
    EXPECT_EQ(haclPipelineDestroy(p), ACL_SUCCESS);
}

// A handle kept after Release is refused even when its slot already serves
// the next request: releasing it again cannot release (and lose) that one.
TEST_F(Pipeline, ReleasedRequestHandlesStayStaleWhenTheirSlotIsReused)
{
    haclPipeline *p = Make(2, 0, 1); // one slot: every request reuses it
    float x[N], y[N];
    const void *in[1] = {x};
    void *out[1] = {y};
    size_t isz[1] = {sizeof x}, osz[1] = {sizeof y};
    std::vector<haclRequest *> old;
    for (int k = 0; k < 300; k++) { // past the 255 generations of a slot
        x[0] = (float)k;
        haclRequest *r = nullptr;
        ASSERT_EQ(haclPipelineSubmit(p, in, isz, 1, &r), ACL_SUCCESS) << TakeErrMsg();
        for (haclRequest *o : old) { // earlier handles name released requests
            ASSERT_NE(o, r);
            EXPECT_EQ(haclRequestReady(o), -1);
            EXPECT_EQ(haclRequestRelease(o), ACL_ERROR_INVALID_PARAM);
            TakeErrMsg();
        }
        old.push_back(r); // the last 200 (a slot's handles repeat after 255 uses)
        if (old.size() > 200)
            old.erase(old.begin());
        ASSERT_EQ(haclRequestWait(r, -1), ACL_SUCCESS);
        ASSERT_EQ(haclRequestTakeOutputs(r, out, osz, 1), ACL_SUCCESS);
        EXPECT_EQ(y[0], 2.0f * k);
        ASSERT_EQ(haclRequestRelease(r), ACL_SUCCESS);
        EXPECT_EQ(haclRequestWait(r, 0), ACL_ERROR_INVALID_PARAM);
        EXPECT_EQ(haclRequestTakeOutputs(r, out, osz, 1), ACL_ERROR_INVALID_PARAM);
        TakeErrMsg();
    }
    haclPipelineStats st;
    ASSERT_EQ(haclPipelineGetStats(p, &st), ACL_SUCCESS);
    EXPECT_EQ(st.submitted, 300u);
    EXPECT_EQ(st.delivered, 300u);
    EXPECT_EQ(haclPipelineDestroy(p), ACL_SUCCESS);
}

// The seed-003 loop: one thread submits frames as they come, keeps a bounded
// number in flight, and polls without blocking.
TEST_F(Pipeline, RequestsFailFastWhenBusyAndPollWithoutBlocking)
{
    haclPipeline *p = Make(2, 0, 3);
    float x[N], y[N];
    const void *in[1] = {x};
    void *out[1] = {y};
    size_t isz[1] = {sizeof x}, osz[1] = {sizeof y};
    std::vector<haclRequest *> pending;
    int submitted = 0, done = 0, busy = 0;
    std::vector<int> order;
    std::map<haclRequest *, int> which;
    while (done < 20) {
        /* submit until the slots run out (a slot is the application's until
         * it releases the request, so a burst always finds them gone, however
         * fast the frames complete) */
        while (submitted < 20) {
            for (int i = 0; i < N; i++)
                x[i] = (float)submitted;
            haclRequest *r = nullptr;
            aclError rc = haclPipelineSubmit(p, in, isz, 1, &r);
            if (rc == ACL_SUCCESS) {
                which[r] = submitted++;
                pending.push_back(r);
            } else {
                ASSERT_EQ(rc, ACL_ERROR_RT_QUEUE_FULL) << TakeErrMsg();
                TakeErrMsg();
                busy++;
                break;
            }
        }
        for (size_t k = 0; k < pending.size();) {
            int ready = haclRequestReady(pending[k]);
            ASSERT_GE(ready, 0);
            if (!ready) {
                k++;
                continue;
            }
            EXPECT_EQ(haclRequestReady(pending[k]), 1); // polling does not consume
            ASSERT_EQ(haclRequestTakeOutputs(pending[k], out, osz, 1), ACL_SUCCESS);
            EXPECT_EQ(y[0], 2.0f * which[pending[k]]);
            ASSERT_EQ(haclRequestRelease(pending[k]), ACL_SUCCESS);
            EXPECT_EQ(haclRequestRelease(pending[k]), ACL_ERROR_INVALID_PARAM); // released twice
            EXPECT_EQ(haclRequestReady(pending[k]), -1);
            TakeErrMsg();
            pending.erase(pending.begin() + (long)k);
            done++;
        }
    }
    EXPECT_GT(busy, 0) << "three slots for twenty frames: some submits must find none";
    // Wait and take on one more.
    haclRequest *r = nullptr;
    ASSERT_EQ(haclPipelineSubmit(p, in, isz, 1, &r), ACL_SUCCESS);
    ASSERT_EQ(haclRequestWait(r, 5000), ACL_SUCCESS);
    ASSERT_EQ(haclRequestTakeOutputs(r, out, osz, 1), ACL_SUCCESS);
    EXPECT_EQ(haclRequestReady(nullptr), -1);
    TakeErrMsg();
    // Destroy releases requests still held.
    EXPECT_EQ(haclPipelineDestroy(p), ACL_SUCCESS);
    EXPECT_EQ(haclRequestReady(r), -1);
    TakeErrMsg();
}

TEST_F(Pipeline, PreAndPostprocessingModelsRunInTheChain)
{
    // pre: x + 1, main: * 2, post: - 3  =>  y = (x + 1) * 2 - 3
    haclPipeline *p = Make(2, 0, 2);
    std::string pre = WriteModel(Affine(1, 1, "raw", "x")), post = WriteModel(Affine(1, -3, "x", "final"));
    files.push_back(pre);
    files.push_back(post);
    ASSERT_EQ(haclPipelineSetPreprocessingModel(p, pre.c_str()), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(haclPipelineSetPostprocessingModel(p, post.c_str()), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(haclPipelineSetPostprocessingModel(p, post.c_str()), ACL_ERROR_INVALID_PARAM); // once
    TakeErrMsg();
    EXPECT_STREQ(haclPipelineInportAssignment(p, 0), "raw");
    EXPECT_STREQ(haclPipelineOutportAssignment(p, 0), "final");
    float x[N], y[N];
    for (int i = 0; i < N; i++)
        x[i] = (float)i;
    const void *in[1] = {x};
    void *out[1] = {y};
    size_t isz[1] = {sizeof x}, osz[1] = {sizeof y};
    ASSERT_EQ(haclPipelineRun(p, in, out, 1), ACL_SUCCESS) << TakeErrMsg();
    for (int i = 0; i < N; i++)
        EXPECT_EQ(y[i], (i + 1.0f) * 2 - 3);
    EXPECT_EQ(haclPipelineDestroy(p), ACL_SUCCESS);
    // A preprocessing model whose outputs do not fit the main model.
    onnxb::Model bad;
    bad.inputs = {{"a", onnxb::FLOAT, {1, 3}}};
    bad.outputs = {{"b", onnxb::FLOAT, {1, 3}}};
    bad.nodes = {{"Relu", {"a"}, {"b"}, "r"}};
    std::string badf = WriteModel(onnxb::Serialize(bad));
    files.push_back(badf);
    p = Make(1, 0);
    ASSERT_EQ(haclPipelineSetPreprocessingModel(p, badf.c_str()), ACL_SUCCESS);
    EXPECT_EQ(haclPipelineSend(p, in, isz, 1, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_NE(TakeErrMsg().find("do not match"), std::string::npos);
    (void)osz;
    EXPECT_EQ(haclPipelineDestroy(p), ACL_SUCCESS);
}

TEST_F(Pipeline, BadArgumentsAreRefused)
{
    haclPipeline *p = nullptr;
    EXPECT_EQ(haclPipelineCreateFromFile("/nonexistent.onnx", nullptr, &p), ACL_ERROR_READ_MODEL_FAILURE);
    EXPECT_EQ(haclPipelineCreate(12345, nullptr, &p), ACL_ERROR_INVALID_MODEL_ID);
    EXPECT_EQ(haclPipelineCreate(1, nullptr, nullptr), ACL_ERROR_INVALID_PARAM);
    haclPipelineConfig big = {100000, 1};
    EXPECT_NE(haclPipelineCreateFromFile(ModelFile(1, 0).c_str(), &big, &p), ACL_SUCCESS);
    EXPECT_EQ(haclPipelineWait(nullptr, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclPipelineConnectStreams(reinterpret_cast<haclPipeline *>(&big), Input, Output, nullptr, 2),
              ACL_ERROR_INVALID_RESOURCE_HANDLE);
    p = Make(1, 0);
    EXPECT_EQ(haclPipelineConnectStreams(p, Input, Output, nullptr, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclPipelineConnectStreams(p, nullptr, Output, nullptr, 1), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclPipelineWait(p, 0), ACL_ERROR_INVALID_PARAM); // not the callback way
    EXPECT_EQ(haclPipelineDestroy(p), ACL_SUCCESS);
    TakeErrMsg();
}

// Error paths of every call: NULL arguments, stale handles, no context.
TEST_F(Pipeline, ErrorPathsGiveExactCodes)
{
    haclPipelineStats st;
    EXPECT_EQ(haclPipelineGetStats(nullptr, &st), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclPipelineStop(nullptr, &st), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclPipelineDestroy(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclPipelineSetPreprocessingModel(nullptr, "x.onnx"), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclRequestWait(nullptr, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclRequestTakeOutputs(nullptr, nullptr, nullptr, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclRequestRelease(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclPipelineGetNumInputs(nullptr), 0u);
    EXPECT_EQ(haclPipelineInportAssignment(nullptr, 0), nullptr);
    haclPipeline *p = Make(1, 0);
    EXPECT_EQ(haclPipelineGetStats(p, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclPipelineConnectOutput(p, nullptr, nullptr, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclPipelineConnectInput(p, nullptr, nullptr, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclPipelineRun(p, nullptr, nullptr, 1), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclPipelineSetPreprocessingModel(p, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclPipelineSetPostprocessingModel(p, "/nonexistent.onnx"), ACL_ERROR_READ_MODEL_FAILURE);
    haclRequest *r = nullptr;
    float x[N] = {0};
    const void *in[1] = {x};
    size_t isz[1] = {sizeof x};
    EXPECT_EQ(haclPipelineSubmit(p, in, isz, 1, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(haclPipelineSubmit(p, in, isz, 2, &r), ACL_ERROR_INVALID_PARAM); // wrong count
    ASSERT_EQ(haclPipelineSubmit(p, in, isz, 1, &r), ACL_SUCCESS);
    float y[N];
    void *out[1] = {y};
    size_t small[1] = {sizeof y - 4};
    ASSERT_EQ(haclRequestWait(r, -1), ACL_SUCCESS);
    EXPECT_EQ(haclRequestTakeOutputs(r, out, small, 1), ACL_ERROR_INVALID_PARAM); // too small
    EXPECT_EQ(haclPipelineDestroy(p), ACL_SUCCESS);
    // Stale after destroy.
    EXPECT_EQ(haclPipelineSend(p, in, isz, 1, 0), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(haclPipelineGetStats(p, &st), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(haclPipelineGetNumOutputs(p), 0u);
    EXPECT_EQ(haclRequestRelease(r), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    // A thread without a current context cannot create one.
    std::string path = ModelFile(1, 0);
    uint32_t id = 0;
    ASSERT_EQ(aclmdlLoadFromFile(path.c_str(), &id), ACL_SUCCESS);
    aclError rc = ACL_SUCCESS;
    std::thread t([&] {
        haclPipeline *q = nullptr;
        rc = haclPipelineCreate(id, nullptr, &q);
        TakeErrMsg();
    });
    t.join();
    EXPECT_EQ(rc, ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    TakeErrMsg();
}

} // namespace
