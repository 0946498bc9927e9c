// Report-thread callbacks and host functions: subscription rules, delivery
// order and thread, BLOCK vs NO_BLOCK, runtime calls inside callbacks,
// unsubscribe/destroy with pending callbacks, exactly-once under stress.
#include <string.h>

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "test_util.h"

using namespace std::chrono_literals;

static uint64_t Self() { return static_cast<uint64_t>(pthread_self()); }

TEST_F(StreamTest, SubscribeRules)
{
    ReportThread a(ctx_), b(ctx_);
    EXPECT_EQ(aclrtSubscribeReport(a.id(), stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtSubscribeReport(a.id(), stream_), ACL_ERROR_RT_STREAM_SUBSCRIBE); // even the same thread
    EXPECT_EQ(aclrtSubscribeReport(b.id(), stream_), ACL_ERROR_RT_STREAM_SUBSCRIBE);
    EXPECT_NE(TakeErrMsg().find("already subscribed"), std::string::npos);
    // One thread may serve many streams.
    aclrtStream other;
    ASSERT_EQ(aclrtCreateStream(&other), ACL_SUCCESS);
    EXPECT_EQ(aclrtSubscribeReport(a.id(), other), ACL_SUCCESS);
    EXPECT_EQ(aclrtUnSubscribeReport(b.id(), stream_), ACL_ERROR_RT_THREAD_SUBSCRIBE);
    EXPECT_EQ(aclrtUnSubscribeReport(a.id(), stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtUnSubscribeReport(a.id(), stream_), ACL_ERROR_RT_STREAM_SUBSCRIBE);
    // Launch on an unsubscribed stream.
    EXPECT_EQ(aclrtLaunchCallback([](void *) {}, nullptr, ACL_CALLBACK_BLOCK, stream_), ACL_ERROR_RT_STREAM_NO_CB_REG);
    EXPECT_NE(TakeErrMsg().find("aclrtSubscribeReport"), std::string::npos);
    EXPECT_EQ(aclrtUnSubscribeReport(a.id(), other), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStream(other), ACL_SUCCESS);
}

TEST_F(StreamTest, LaunchCallbackChecksArguments)
{
    ReportThread rt(ctx_);
    ASSERT_EQ(aclrtSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtLaunchCallback(nullptr, nullptr, ACL_CALLBACK_BLOCK, stream_), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtLaunchCallback([](void *) {}, nullptr, static_cast<aclrtCallbackBlockType>(2), stream_),
              ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtLaunchHostFunc(stream_, nullptr, nullptr), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtUnSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
}

TEST_F(DeviceTest, ProcessReportErrors)
{
    EXPECT_EQ(aclrtProcessReport(0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtProcessReport(-2), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtProcessReport(100), ACL_ERROR_RT_THREAD_SUBSCRIBE); // at once: not subscribed
    EXPECT_NE(TakeErrMsg().find("not subscribed"), std::string::npos);
    aclrtStream s;
    ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
    ASSERT_EQ(aclrtSubscribeReport(Self(), s), ACL_SUCCESS);
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(aclrtProcessReport(30), ACL_ERROR_RT_REPORT_TIMEOUT);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 25ms);
    EXPECT_EQ(aclrtUnSubscribeReport(Self(), s), ACL_SUCCESS);
    EXPECT_EQ(aclrtProcessReport(100), ACL_ERROR_RT_THREAD_SUBSCRIBE);
    EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
}

TEST_F(StreamTest, CallbacksRunOnTheSubscribedThreadInOrder)
{
    ReportThread rt(ctx_);
    ASSERT_EQ(aclrtSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
    struct Rec {
        std::vector<int> order;
        std::vector<uint64_t> threads;
    } rec;
    struct Arg {
        Rec *rec;
        int i;
    };
    std::vector<Arg> args(1000);
    for (int i = 0; i < 1000; i++) {
        args[i] = {&rec, i};
        ASSERT_EQ(aclrtLaunchCallback(
                      [](void *p) {
                          Arg *a = static_cast<Arg *>(p);
                          a->rec->order.push_back(a->i);
                          a->rec->threads.push_back(Self());
                      },
                      &args[i], i % 2 ? ACL_CALLBACK_BLOCK : ACL_CALLBACK_NO_BLOCK, stream_),
                  ACL_SUCCESS);
    }
    // A BLOCK callback at the end: synchronize returns after it, and the
    // report thread ran everything before it.
    std::atomic<bool> last{false};
    ASSERT_EQ(aclrtLaunchCallback([](void *p) { *static_cast<std::atomic<bool> *>(p) = true; }, &last,
                                  ACL_CALLBACK_BLOCK, stream_),
              ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    EXPECT_TRUE(last.load());
    ASSERT_EQ(rec.order.size(), 1000u);
    for (int i = 0; i < 1000; i++) {
        EXPECT_EQ(rec.order[i], i);
        EXPECT_EQ(rec.threads[i], rt.id());
    }
    EXPECT_EQ(aclrtUnSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
}

TEST_F(StreamTest, BlockHoldsTheStreamNoBlockDoesNot)
{
    ReportThread rt(ctx_);
    ASSERT_EQ(aclrtSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    aclrtEvent after;
    ASSERT_EQ(aclrtCreateEvent(&after), ACL_SUCCESS);
    for (aclrtCallbackBlockType type : {ACL_CALLBACK_BLOCK, ACL_CALLBACK_NO_BLOCK}) {
        ASSERT_EQ(aclrtMemset(d, 64, 0, 64), ACL_SUCCESS);
        Gate gate;
        ASSERT_EQ(aclrtLaunchCallback(Gate::Wait, &gate, type, stream_), ACL_SUCCESS);
        ASSERT_EQ(aclrtMemsetAsync(d, 64, 0x77, 64, stream_), ACL_SUCCESS);
        ASSERT_EQ(aclrtRecordEvent(after, stream_), ACL_SUCCESS); // completes once the memset ran
        gate.WaitEntered();
        aclError waited = aclrtSynchronizeEventWithTimeout(after, 100);
        if (type == ACL_CALLBACK_BLOCK) {
            EXPECT_EQ(waited, ACL_ERROR_RT_EVENT_SYNC_TIMEOUT) << "the memset must wait for the BLOCK callback";
            EXPECT_EQ(aclrtSynchronizeStreamWithTimeout(stream_, 20), ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
        } else {
            EXPECT_EQ(waited, ACL_SUCCESS) << "the memset runs while the NO_BLOCK callback waits";
        }
        gate.open = true;
        ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
        unsigned char c;
        ASSERT_EQ(aclrtMemcpy(&c, 1, d, 1, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
        EXPECT_EQ(c, 0x77);
        // Let a NO_BLOCK callback finish before its gate goes out of scope.
        while (!gate.entered)
            std::this_thread::yield();
        ASSERT_EQ(aclrtUnSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
        ASSERT_EQ(aclrtSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
    }
    EXPECT_EQ(aclrtUnSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyEvent(after), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
    TakeErrMsg();
}

// What the upstream ResNet-50 sample does inside its callback.
TEST_F(StreamTest, RuntimeCallsWorkInsideCallbacks)
{
    ReportThread rt(ctx_);
    ASSERT_EQ(aclrtSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, 4000, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemsetAsync(d, 4000, 0x11, 4000, stream_), ACL_SUCCESS);
    struct Arg {
        void *dev;
        aclError rc[3];
        unsigned char first;
    } arg{d, {-1, -1, -1}, 0};
    ASSERT_EQ(aclrtLaunchCallback(
                  [](void *p) {
                      Arg *a = static_cast<Arg *>(p);
                      void *host = nullptr;
                      a->rc[0] = aclrtMallocHost(&host, 4000);
                      a->rc[1] = aclrtMemcpy(host, 4000, a->dev, 4000, ACL_MEMCPY_DEVICE_TO_HOST);
                      a->first = static_cast<unsigned char *>(host)[0];
                      a->rc[2] = aclrtFreeHost(host);
                  },
                  &arg, ACL_CALLBACK_BLOCK, stream_),
              ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    EXPECT_EQ(arg.rc[0], ACL_SUCCESS);
    EXPECT_EQ(arg.rc[1], ACL_SUCCESS);
    EXPECT_EQ(arg.rc[2], ACL_SUCCESS);
    EXPECT_EQ(arg.first, 0x11);
    EXPECT_EQ(aclrtUnSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
}

TEST_F(StreamTest, ForbiddenCallsInsideOwnCallbacksFailInsteadOfDeadlocking)
{
    ReportThread rt(ctx_);
    ASSERT_EQ(aclrtSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
    struct Arg {
        aclrtStream s;
        aclError sync_rc, destroy_rc;
    } arg{stream_, -1, -1};
    ASSERT_EQ(aclrtLaunchCallback(
                  [](void *p) {
                      Arg *a = static_cast<Arg *>(p);
                      a->sync_rc = aclrtSynchronizeStream(a->s);
                      a->destroy_rc = aclrtDestroyStream(a->s);
                  },
                  &arg, ACL_CALLBACK_BLOCK, stream_),
              ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    EXPECT_EQ(arg.sync_rc, ACL_ERROR_API_NOT_SUPPORT);
    EXPECT_EQ(arg.destroy_rc, ACL_ERROR_API_NOT_SUPPORT);
    // Same from a host function.
    arg = {stream_, -1, -1};
    ASSERT_EQ(aclrtLaunchHostFunc(
                  stream_,
                  [](void *p) {
                      Arg *a = static_cast<Arg *>(p);
                      a->sync_rc = aclrtSynchronizeStream(a->s);
                      a->destroy_rc = aclrtDestroyStream(a->s);
                  },
                  &arg),
              ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    EXPECT_EQ(arg.sync_rc, ACL_ERROR_API_NOT_SUPPORT);
    EXPECT_EQ(arg.destroy_rc, ACL_ERROR_API_NOT_SUPPORT);
    EXPECT_EQ(aclrtUnSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
}

TEST_F(StreamTest, NoBlockCallbackMaySynchronizeItsOwnStream)
{
    // Later callbacks of the stream are due to this very thread: it serves
    // them while it waits.
    ReportThread rt(ctx_);
    ASSERT_EQ(aclrtSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
    struct Arg {
        aclrtStream s;
        aclError rc;
        std::atomic<int> later{0};
    } arg{stream_, -1};
    ASSERT_EQ(aclrtLaunchCallback(
                  [](void *p) {
                      Arg *a = static_cast<Arg *>(p);
                      a->rc = aclrtSynchronizeStream(a->s);
                  },
                  &arg, ACL_CALLBACK_NO_BLOCK, stream_),
              ACL_SUCCESS);
    for (int i = 0; i < 10; i++)
        ASSERT_EQ(aclrtLaunchCallback([](void *p) { static_cast<Arg *>(p)->later++; }, &arg, ACL_CALLBACK_BLOCK,
                                      stream_),
                  ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtUnSubscribeReport(rt.id(), stream_), ACL_SUCCESS); // drains the NO_BLOCK one too
    EXPECT_EQ(arg.rc, ACL_SUCCESS);
    EXPECT_EQ(arg.later.load(), 10);
}

TEST_F(StreamTest, ReportThreadMaySynchronizeOutsideCallbacks)
{
    // The calling thread is itself the report thread: no separate thread runs
    // aclrtProcessReport, yet synchronize completes.
    ASSERT_EQ(aclrtSubscribeReport(Self(), stream_), ACL_SUCCESS);
    std::atomic<int> n{0};
    for (int i = 0; i < 100; i++)
        ASSERT_EQ(aclrtLaunchCallback([](void *p) { (*static_cast<std::atomic<int> *>(p))++; }, &n,
                                      ACL_CALLBACK_BLOCK, stream_),
                  ACL_SUCCESS);
    EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    EXPECT_EQ(n.load(), 100);
    EXPECT_EQ(aclrtUnSubscribeReport(Self(), stream_), ACL_SUCCESS);
}

TEST_F(StreamTest, UnsubscribeWaitsForLaunchedCallbacks)
{
    ReportThread rt(ctx_);
    ASSERT_EQ(aclrtSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
    std::atomic<int> n{0};
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Gate::Wait, &gate), ACL_SUCCESS);
    for (int i = 0; i < 50; i++)
        ASSERT_EQ(aclrtLaunchCallback([](void *p) { (*static_cast<std::atomic<int> *>(p))++; }, &n,
                                      ACL_CALLBACK_NO_BLOCK, stream_),
                  ACL_SUCCESS);
    std::thread opener([&] {
        std::this_thread::sleep_for(20ms);
        gate.open = true;
    });
    EXPECT_EQ(aclrtUnSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
    opener.join();
    EXPECT_EQ(n.load(), 50);
    EXPECT_EQ(aclrtLaunchCallback([](void *) {}, nullptr, ACL_CALLBACK_BLOCK, stream_), ACL_ERROR_RT_STREAM_NO_CB_REG);
}

TEST_F(StreamTest, CallbacksOfAReportThreadThatLeftStillRunExactlyOnce)
{
    // The report thread stops serving before the stream is destroyed: the
    // destroying thread runs the stranded callbacks (nothing lost, none twice).
    std::atomic<int> n{0};
    {
        ReportThread rt(ctx_);
        ASSERT_EQ(aclrtSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
        rt.Stop();
        for (int i = 0; i < 20; i++)
            ASSERT_EQ(aclrtLaunchCallback([](void *p) { (*static_cast<std::atomic<int> *>(p))++; }, &n,
                                          i % 2 ? ACL_CALLBACK_BLOCK : ACL_CALLBACK_NO_BLOCK, stream_),
                      ACL_SUCCESS);
    }
    EXPECT_EQ(aclrtDestroyStream(stream_), ACL_SUCCESS);
    stream_ = nullptr;
    EXPECT_EQ(n.load(), 20);
}

TEST_F(StreamTest, ForcedDestroyCancelsCallbacksNotYetDelivered)
{
    ReportThread rt(ctx_);
    ASSERT_EQ(aclrtSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
    std::atomic<int> n{0};
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Gate::Wait, &gate), ACL_SUCCESS);
    gate.WaitEntered();
    for (int i = 0; i < 20; i++)
        ASSERT_EQ(aclrtLaunchCallback([](void *p) { (*static_cast<std::atomic<int> *>(p))++; }, &n,
                                      ACL_CALLBACK_BLOCK, stream_),
                  ACL_SUCCESS);
    std::thread opener([&] {
        std::this_thread::sleep_for(20ms);
        gate.open = true;
    });
    EXPECT_EQ(aclrtDestroyStreamForce(stream_), ACL_SUCCESS);
    stream_ = nullptr;
    opener.join();
    EXPECT_EQ(n.load(), 0); // each was cancelled (and logged), none ran
}

TEST_F(StreamTest, ProcessReportReturnsWhenItsLastStreamIsUnsubscribed)
{
    aclError rc = -1;
    std::atomic<uint64_t> id{0};
    std::thread t([&] {
        aclrtSetCurrentContext(ctx_);
        id = Self();
        while (aclrtProcessReport(100) == ACL_ERROR_RT_THREAD_SUBSCRIBE)
            std::this_thread::sleep_for(1ms); // until subscribed
        TakeErrMsg();
        rc = aclrtProcessReport(-1);
    });
    while (!id)
        std::this_thread::yield();
    ASSERT_EQ(aclrtSubscribeReport(id, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtLaunchCallback([](void *) {}, nullptr, ACL_CALLBACK_BLOCK, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(aclrtUnSubscribeReport(id, stream_), ACL_SUCCESS);
    t.join();
    EXPECT_EQ(rc, ACL_ERROR_RT_THREAD_SUBSCRIBE);
}

TEST_F(StreamTest, HostFunctionsRunOnARuntimeThreadAndMixWithCallbacks)
{
    ReportThread rt(ctx_);
    ASSERT_EQ(aclrtSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
    struct Rec {
        std::mutex m;
        std::vector<std::pair<int, uint64_t>> v;
    } rec;
    struct Arg {
        Rec *rec;
        int i;
    };
    std::vector<Arg> args(200);
    auto fn = [](void *p) {
        Arg *a = static_cast<Arg *>(p);
        std::lock_guard<std::mutex> g(a->rec->m);
        a->rec->v.push_back({a->i, Self()});
    };
    for (int i = 0; i < 200; i++) {
        args[i] = {&rec, i};
        if (i % 2)
            ASSERT_EQ(aclrtLaunchHostFunc(stream_, fn, &args[i]), ACL_SUCCESS);
        else
            ASSERT_EQ(aclrtLaunchCallback(fn, &args[i], ACL_CALLBACK_BLOCK, stream_), ACL_SUCCESS);
    }
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    ASSERT_EQ(rec.v.size(), 200u);
    for (int i = 0; i < 200; i++) {
        EXPECT_EQ(rec.v[i].first, i);
        if (i % 2) {
            EXPECT_NE(rec.v[i].second, rt.id());
            EXPECT_NE(rec.v[i].second, Self());
        } else {
            EXPECT_EQ(rec.v[i].second, rt.id());
        }
    }
    EXPECT_EQ(aclrtUnSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
}

TEST(ReportDevices, AThreadServesOneDevice)
{
    ScopedEnv e("HOSTACL_DEVICE_COUNT", "2");
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    aclrtStream s0, s1;
    ASSERT_EQ(aclrtCreateStream(&s0), ACL_SUCCESS);
    ASSERT_EQ(aclrtSubscribeReport(12345, s0), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(1), ACL_SUCCESS);
    ASSERT_EQ(aclrtCreateStream(&s1), ACL_SUCCESS);
    EXPECT_EQ(aclrtSubscribeReport(12345, s1), ACL_ERROR_RT_THREAD_SUBSCRIBE);
    EXPECT_NE(TakeErrMsg().find("device 0"), std::string::npos);
    EXPECT_EQ(aclrtDestroyStream(s1), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    EXPECT_EQ(aclrtUnSubscribeReport(12345, s0), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStream(s0), ACL_SUCCESS);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

// 8 submitting threads x 64 streams x 5000 tasks, a callback every 5 tasks,
// 4 report threads: every callback runs exactly once, each stream's in order.
TEST(ReportStress, ExactlyOnceDeliveryUnderLoad)
{
    int tasks_per_stream = 5000;
    if (const char *s = getenv("HOSTACL_STRESS_TASKS"))
        tasks_per_stream = atoi(s);
    const int submitters = 8, streams_per = 64, reporters = 4, every = 5;
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    aclrtContext ctx;
    ASSERT_EQ(aclrtGetCurrentContext(&ctx), ACL_SUCCESS);
    std::vector<std::unique_ptr<ReportThread>> rts;
    for (int i = 0; i < reporters; i++)
        rts.emplace_back(new ReportThread(ctx));
    struct StreamRec {
        aclrtStream s;
        std::atomic<int> next{0};
        std::atomic<int> wrong{0};
        std::vector<int> ids;
    };
    const int nstreams = submitters * streams_per;
    std::vector<StreamRec> recs(nstreams);
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, 64 * nstreams, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    int cbs_per_stream = tasks_per_stream / every;
    for (int i = 0; i < nstreams; i++) {
        ASSERT_EQ(aclrtCreateStream(&recs[i].s), ACL_SUCCESS);
        ASSERT_EQ(aclrtSubscribeReport(rts[i % reporters]->id(), recs[i].s), ACL_SUCCESS);
        recs[i].ids.resize(cbs_per_stream);
    }
    struct Arg {
        StreamRec *rec;
        int k;
    };
    std::vector<std::vector<Arg>> args(nstreams, std::vector<Arg>(cbs_per_stream));
    std::atomic<int> launch_failures{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < submitters; t++)
        ts.emplace_back([&, t] {
            aclrtSetCurrentContext(ctx);
            for (int k = 0; k < tasks_per_stream; k++)
                for (int j = 0; j < streams_per; j++) {
                    int i = t * streams_per + j;
                    aclError rc;
                    if (k % every == every - 1) {
                        Arg *a = &args[i][k / every];
                        *a = {&recs[i], k / every};
                        rc = aclrtLaunchCallback(
                            [](void *p) {
                                Arg *a = static_cast<Arg *>(p);
                                int expect = a->rec->next.fetch_add(1);
                                if (expect != a->k)
                                    a->rec->wrong++;
                                a->rec->ids[a->k]++;
                            },
                            a, (k / every) % 2 ? ACL_CALLBACK_BLOCK : ACL_CALLBACK_NO_BLOCK, recs[i].s);
                    } else {
                        rc = aclrtMemsetAsync(static_cast<char *>(d) + 64 * i, 64, k & 0xFF, 64, recs[i].s);
                    }
                    if (rc != ACL_SUCCESS)
                        launch_failures++;
                }
        });
    for (auto &t : ts)
        t.join();
    EXPECT_EQ(launch_failures.load(), 0);
    for (auto &r : recs) {
        ASSERT_EQ(aclrtSynchronizeStream(r.s), ACL_SUCCESS);
        ASSERT_EQ(aclrtUnSubscribeReport(0, r.s), ACL_ERROR_RT_THREAD_SUBSCRIBE);
    }
    for (int i = 0; i < nstreams; i++) {
        ASSERT_EQ(aclrtUnSubscribeReport(rts[i % reporters]->id(), recs[i].s), ACL_SUCCESS); // drains NO_BLOCK ones
        EXPECT_EQ(recs[i].next.load(), cbs_per_stream) << "stream " << i;
        EXPECT_EQ(recs[i].wrong.load(), 0) << "stream " << i;
        for (int k = 0; k < cbs_per_stream; k++)
            ASSERT_EQ(recs[i].ids[k], 1) << "stream " << i << " callback " << k;
        ASSERT_EQ(aclrtDestroyStream(recs[i].s), ACL_SUCCESS);
    }
    for (auto &rt : rts)
        rt->Stop();
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
    TakeErrMsg();
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

// 10 000 tasks on one stream: copies, BLOCK and NO_BLOCK callbacks and host
// functions interleaved; every task observes the sequence number it expects.
TEST_F(StreamTest, TenThousandInterleavedTasksRunInStreamOrder)
{
    ReportThread rt(ctx_);
    ASSERT_EQ(aclrtSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
    const int n = 10000;
    struct Shared {
        std::atomic<int> next{0};
        std::atomic<int> wrong{0};
    } sh;
    struct Arg {
        Shared *sh;
        int seq;
    };
    std::vector<Arg> args(n);
    // A device counter the copies advance, checked by the callbacks.
    auto step = [](void *p) {
        Arg *a = static_cast<Arg *>(p);
        if (a->sh->next.fetch_add(1) != a->seq)
            a->sh->wrong++;
    };
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    for (int i = 0; i < n; i++) {
        args[i] = {&sh, i};
        switch (i % 4) {
        case 0: ASSERT_EQ(aclrtLaunchCallback(step, &args[i], ACL_CALLBACK_BLOCK, stream_), ACL_SUCCESS); break;
        case 1: ASSERT_EQ(aclrtLaunchHostFunc(stream_, step, &args[i]), ACL_SUCCESS); break;
        case 2: // a copy between two steps, then a blocking callback again
            ASSERT_EQ(aclrtMemsetAsync(d, 64, i & 0xFF, 64, stream_), ACL_SUCCESS);
            ASSERT_EQ(aclrtLaunchCallback(step, &args[i], ACL_CALLBACK_BLOCK, stream_), ACL_SUCCESS);
            break;
        default: ASSERT_EQ(aclrtLaunchHostFunc(stream_, step, &args[i]), ACL_SUCCESS); break;
        }
    }
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    EXPECT_EQ(sh.next.load(), n);
    EXPECT_EQ(sh.wrong.load(), 0);
    EXPECT_EQ(aclrtUnSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
}

// aclrtSubscribeHostFunc: the stream's host functions run on the subscribed
// thread (inside aclrtProcessHostFunc), callbacks still on theirs, in the
// stream's order; unsubscribed, host functions go back to the device's
// thread.
TEST_F(StreamTest, HostFunctionsRunOnTheirSubscribedThread)
{
    ReportThread callbacks(ctx_);
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> hf_tid{0};
    std::thread hf([&] {
        aclrtSetCurrentContext(ctx_);
        hf_tid = Self();
        while (!stop) {
            aclError rc = aclrtProcessHostFunc(50);
            if (rc != ACL_SUCCESS)
                (void)aclGetRecentErrMsg();
        }
    });
    while (!hf_tid)
        std::this_thread::yield();
    ASSERT_EQ(aclrtSubscribeReport(callbacks.id(), stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtSubscribeHostFunc(hf_tid, stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtSubscribeHostFunc(hf_tid, stream_), ACL_ERROR_RT_STREAM_SUBSCRIBE); // already
    struct Rec {
        std::mutex mu;
        std::vector<std::pair<char, uint64_t>> seen;
    } rec;
    for (int i = 0; i < 10; i++) {
        ASSERT_EQ(aclrtLaunchHostFunc(stream_, [](void *p) {
            Rec *r = static_cast<Rec *>(p);
            std::lock_guard<std::mutex> g(r->mu);
            r->seen.push_back({'h', Self()});
        }, &rec), ACL_SUCCESS);
        ASSERT_EQ(aclrtLaunchCallback([](void *p) {
            Rec *r = static_cast<Rec *>(p);
            std::lock_guard<std::mutex> g(r->mu);
            r->seen.push_back({'c', Self()});
        }, &rec, ACL_CALLBACK_BLOCK, stream_), ACL_SUCCESS);
    }
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    ASSERT_EQ(rec.seen.size(), 20u);
    for (size_t i = 0; i < 20; i++) {
        EXPECT_EQ(rec.seen[i].first, i % 2 ? 'c' : 'h') << i; // the stream's order
        EXPECT_EQ(rec.seen[i].second, i % 2 ? callbacks.id() : hf_tid.load()) << i;
    }
    EXPECT_EQ(aclrtUnSubscribeHostFunc(callbacks.id(), stream_), ACL_ERROR_RT_THREAD_SUBSCRIBE); // not its thread
    ASSERT_EQ(aclrtUnSubscribeHostFunc(hf_tid, stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtUnSubscribeHostFunc(hf_tid, stream_), ACL_ERROR_RT_STREAM_SUBSCRIBE);
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, [](void *p) {
        Rec *r = static_cast<Rec *>(p);
        std::lock_guard<std::mutex> g(r->mu);
        r->seen.push_back({'d', Self()});
    }, &rec), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    ASSERT_EQ(rec.seen.size(), 21u);
    EXPECT_NE(rec.seen[20].second, hf_tid.load()); // the device's own thread again
    EXPECT_NE(rec.seen[20].second, Self());
    stop = true;
    hf.join();
    EXPECT_EQ(aclrtUnSubscribeReport(callbacks.id(), stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtProcessHostFunc(0), ACL_ERROR_INVALID_PARAM);
}
