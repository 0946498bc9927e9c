// Streams: create/destroy, synchronize (with timeout), query, async copies
// and memsets, failure reporting and modes, forced destroy, the default
// stream, many streams on few workers.
#include <string.h>

#include <array>
#include <mutex>
#include <vector>

#include "test_util.h"

using namespace std::chrono_literals;

TEST_F(AclTest, CreateStreamNeedsAContext)
{
    aclrtStream s;
    EXPECT_EQ(aclrtCreateStream(&s), ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtSynchronizeStream(nullptr), ACL_ERROR_RT_CONTEXT_NULL);
}

TEST_F(DeviceTest, CreateStreamRejectsBadArguments)
{
    aclrtStream s;
    EXPECT_EQ(aclrtCreateStream(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtCreateStreamWithConfig(&s, 0, 0x100), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtCreateStreamWithConfig(&s, 8, 0), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(aclrtCreateStreamWithConfig(&s, 3, ACL_STREAM_FAST_LAUNCH | ACL_STREAM_FAST_SYNC), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
}

TEST_F(DeviceTest, DestroyRejectsNullAndStaleHandles)
{
    aclrtStream s;
    ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStream(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStream(s), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(aclrtSynchronizeStream(s), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    int junk;
    EXPECT_EQ(aclrtSynchronizeStream(&junk), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(aclrtDestroyStreamForce(&junk), ACL_ERROR_INVALID_RESOURCE_HANDLE);
}

TEST_F(DeviceTest, StreamOfAnotherContextIsRefused)
{
    aclrtStream s;
    ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
    aclrtContext dflt, other;
    ASSERT_EQ(aclrtGetCurrentContext(&dflt), ACL_SUCCESS);
    ASSERT_EQ(aclrtCreateContext(&other, 0), ACL_SUCCESS); // now current
    EXPECT_EQ(aclrtSynchronizeStream(s), ACL_ERROR_RT_STREAM_CONTEXT);
    EXPECT_NE(TakeErrMsg().find("another context"), std::string::npos);
    ASSERT_EQ(aclrtSetCurrentContext(dflt), ACL_SUCCESS);
    EXPECT_EQ(aclrtSynchronizeStream(s), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyContext(other), ACL_SUCCESS);
}

TEST_F(StreamTest, AsyncCopiesRunInOrder)
{
    const size_t n = 1 << 16;
    std::vector<unsigned char> src(n), back(n, 0);
    for (size_t i = 0; i < n; i++)
        src[i] = static_cast<unsigned char>(i * 13);
    void *a, *b;
    ASSERT_EQ(aclrtMalloc(&a, n, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&b, n, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    for (int round = 0; round < 20; round++) {
        ASSERT_EQ(aclrtMemsetAsync(a, n, round, n, stream_), ACL_SUCCESS);
        ASSERT_EQ(aclrtMemcpyAsync(a, n, src.data(), n, ACL_MEMCPY_HOST_TO_DEVICE, stream_), ACL_SUCCESS);
        ASSERT_EQ(aclrtMemsetAsync(b, n, 0xEE, n, stream_), ACL_SUCCESS);
        ASSERT_EQ(aclrtMemcpyAsync(b, n, a, n, ACL_MEMCPY_DEVICE_TO_DEVICE, stream_), ACL_SUCCESS);
        ASSERT_EQ(aclrtMemcpyAsync(back.data(), n, b, n, ACL_MEMCPY_DEVICE_TO_HOST, stream_), ACL_SUCCESS);
        ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS) << TakeErrMsg();
        ASSERT_EQ(back, src);
        std::fill(back.begin(), back.end(), 0);
    }
    EXPECT_EQ(aclrtFree(a), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(b), ACL_SUCCESS);
}

TEST_F(StreamTest, Memcpy2dAsyncCopiesRows)
{
    const size_t w = 8, h = 3, pitch = 16;
    unsigned char src[pitch * h], back[pitch * h];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = static_cast<unsigned char>(i);
    memset(back, 0, sizeof back);
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, pitch * h, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpy2dAsync(d, pitch, src, pitch, w, h, ACL_MEMCPY_HOST_TO_DEVICE, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpy2dAsync(back, pitch, d, pitch, w, h, ACL_MEMCPY_DEVICE_TO_HOST, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    for (size_t r = 0; r < h; r++)
        for (size_t c = 0; c < pitch; c++)
            EXPECT_EQ(back[r * pitch + c], c < w ? src[r * pitch + c] : 0);
    EXPECT_EQ(aclrtMemcpy2dAsync(d, pitch, src, pitch, 0, h, ACL_MEMCPY_HOST_TO_DEVICE, stream_),
              ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpy2dAsync(d, 4, src, pitch, w, h, ACL_MEMCPY_HOST_TO_DEVICE, stream_), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpy2dAsync(d, pitch, src, pitch, w, h + 1, ACL_MEMCPY_HOST_TO_DEVICE, stream_),
              ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
}

TEST_F(StreamTest, AsyncCallsValidateLikeTheirSyncForms)
{
    void *d;
    char host[128];
    ASSERT_EQ(aclrtMalloc(&d, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpyAsync(d, 64, host, 128, ACL_MEMCPY_HOST_TO_DEVICE, stream_), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpyAsync(d, 128, host, 128, ACL_MEMCPY_HOST_TO_DEVICE, stream_), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtMemcpyAsync(host, 64, d, 64, ACL_MEMCPY_HOST_TO_DEVICE, stream_), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtMemcpyAsync(nullptr, 64, d, 64, ACL_MEMCPY_DEVICE_TO_HOST, stream_), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpyAsync(host, 64, d, 64, static_cast<aclrtMemcpyKind>(9), stream_), ACL_ERROR_INVALID_PARAM);
    // Host-to-host copies cannot be queued (upstream says the same).
    char other[128];
    EXPECT_EQ(aclrtMemcpyAsync(other, 128, host, 128, ACL_MEMCPY_HOST_TO_HOST, stream_),
              ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
    EXPECT_EQ(aclrtMemsetAsync(d, 32, 0, 64, stream_), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemsetAsync(d, 128, 0, 65, stream_), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtMemsetAsync(host, 128, 0, 8, stream_), ACL_ERROR_RT_PARAM_INVALID);
    // Nothing was queued: the stream is clean.
    EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
}

TEST_F(StreamTest, DefaultStreamIsTheNullHandle)
{
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, 256, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemsetAsync(d, 256, 0x5A, 256, nullptr), ACL_SUCCESS);
    unsigned char back[256];
    ASSERT_EQ(aclrtMemcpyAsync(back, 256, d, 256, ACL_MEMCPY_DEVICE_TO_HOST, nullptr), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(nullptr), ACL_SUCCESS);
    for (unsigned char c : back)
        ASSERT_EQ(c, 0x5A);
    aclrtStreamStatus st;
    EXPECT_EQ(aclrtStreamQuery(nullptr, &st), ACL_SUCCESS);
    EXPECT_EQ(st, ACL_STREAM_STATUS_COMPLETE);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
}

TEST_F(StreamTest, QueryAndTimeoutWhileBlocked)
{
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Gate::Wait, &gate), ACL_SUCCESS);
    gate.WaitEntered();
    aclrtStreamStatus st;
    ASSERT_EQ(aclrtStreamQuery(stream_, &st), ACL_SUCCESS);
    EXPECT_EQ(st, ACL_STREAM_STATUS_NOT_READY);
    EXPECT_EQ(aclrtSynchronizeStreamWithTimeout(stream_, 0), ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(aclrtSynchronizeStreamWithTimeout(stream_, 50), ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 45ms);
    EXPECT_NE(TakeErrMsg().find("did not finish"), std::string::npos);
    gate.open = true;
    EXPECT_EQ(aclrtSynchronizeStreamWithTimeout(stream_, -1), ACL_SUCCESS);
    ASSERT_EQ(aclrtStreamQuery(stream_, &st), ACL_SUCCESS);
    EXPECT_EQ(st, ACL_STREAM_STATUS_COMPLETE);
    // The stream keeps working after a timeout.
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemsetAsync(d, 64, 1, 64, stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtSynchronizeStreamWithTimeout(stream_, 1000), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
    EXPECT_EQ(aclrtSynchronizeStreamWithTimeout(stream_, -2), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtStreamQuery(stream_, nullptr), ACL_ERROR_INVALID_PARAM);
}

TEST_F(DeviceTest, DestroyWithPendingTasksDrainsFirst)
{
    aclrtStream s;
    ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, 4096, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemset(d, 4096, 0, 4096), ACL_SUCCESS);
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(s, Gate::Wait, &gate), ACL_SUCCESS);
    for (int i = 1; i <= 100; i++)
        ASSERT_EQ(aclrtMemsetAsync(d, 4096, i, 4096, s), ACL_SUCCESS);
    std::thread opener([&] {
        std::this_thread::sleep_for(20ms);
        gate.open = true;
    });
    EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS); // returns after all 101 tasks
    opener.join();
    unsigned char back[4096];
    ASSERT_EQ(aclrtMemcpy(back, 4096, d, 4096, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(back[0], 100);
    EXPECT_EQ(back[4095], 100);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
}

TEST_F(DeviceTest, DestroyForceDiscardsTasksNotStarted)
{
    aclrtStream s;
    ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemset(d, 64, 0, 64), ACL_SUCCESS);
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(s, Gate::Wait, &gate), ACL_SUCCESS);
    gate.WaitEntered();
    for (int i = 0; i < 50; i++)
        ASSERT_EQ(aclrtMemsetAsync(d, 64, 7, 64, s), ACL_SUCCESS);
    std::thread opener([&] {
        std::this_thread::sleep_for(30ms);
        gate.open = true;
    });
    EXPECT_EQ(aclrtDestroyStreamForce(s), ACL_SUCCESS); // waits only for the started host function
    opener.join();
    unsigned char back[64];
    ASSERT_EQ(aclrtMemcpy(back, 64, d, 64, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(back[0], 0);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
}

TEST_F(StreamTest, FailingTaskIsReportedAtSynchronizeThenCleared)
{
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, 256, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    unsigned char host[256];
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpyAsync(host, 256, d, 256, ACL_MEMCPY_DEVICE_TO_HOST, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtFree(d), ACL_SUCCESS); // freed before the queued copy runs
    gate.open = true;
    EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_ERROR_RT_PARAM_INVALID);
    std::string m = TakeErrMsg();
    EXPECT_NE(m.find("task #2 (memcpy) failed"), std::string::npos) << m;
    // The stream is usable again, and the error is not reported twice.
    EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    void *e;
    ASSERT_EQ(aclrtMalloc(&e, 16, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemsetAsync(e, 16, 3, 16, stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(e), ACL_SUCCESS);
}

TEST_F(StreamTest, StopOnFailureSkipsLaterWorkUntilSynchronize)
{
    EXPECT_EQ(aclrtSetStreamFailureMode(stream_, 2), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(aclrtSetStreamFailureMode(stream_, ACL_STOP_ON_FAILURE), ACL_SUCCESS);
    void *bad, *good;
    ASSERT_EQ(aclrtMalloc(&bad, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&good, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemset(good, 64, 0, 64), ACL_SUCCESS);
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemsetAsync(bad, 64, 1, 64, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemsetAsync(good, 64, 9, 64, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtFree(bad), ACL_SUCCESS);
    gate.open = true;
    EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_ERROR_RT_PARAM_INVALID);
    unsigned char back[64];
    ASSERT_EQ(aclrtMemcpy(back, 64, good, 64, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(back[0], 0); // skipped
    ASSERT_EQ(aclrtMemsetAsync(good, 64, 9, 64, stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpy(back, 64, good, 64, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(back[0], 9); // runs again after the failure was reported
    EXPECT_EQ(aclrtFree(good), ACL_SUCCESS);
}

TEST_F(StreamTest, ContinueOnFailureRunsLaterWork)
{
    void *bad, *good;
    ASSERT_EQ(aclrtMalloc(&bad, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&good, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemsetAsync(bad, 64, 1, 64, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemsetAsync(good, 64, 9, 64, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtFree(bad), ACL_SUCCESS);
    gate.open = true;
    EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_ERROR_RT_PARAM_INVALID);
    unsigned char back[64];
    ASSERT_EQ(aclrtMemcpy(back, 64, good, 64, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(back[0], 9);
    EXPECT_EQ(aclrtFree(good), ACL_SUCCESS);
}

TEST_F(DeviceTest, SynchronizeDeviceWaitsForEveryStream)
{
    std::vector<aclrtStream> ss(8);
    std::vector<Gate> gates(8);
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, 8 * 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    for (int i = 0; i < 8; i++) {
        ASSERT_EQ(aclrtCreateStream(&ss[i]), ACL_SUCCESS);
        ASSERT_EQ(aclrtLaunchHostFunc(ss[i], Gate::Wait, &gates[i]), ACL_SUCCESS);
        ASSERT_EQ(aclrtMemsetAsync(static_cast<char *>(d) + i * 64, 64, i + 1, 64, ss[i]), ACL_SUCCESS);
    }
    std::thread opener([&] {
        std::this_thread::sleep_for(20ms);
        for (auto &g : gates)
            g.open = true;
    });
    EXPECT_EQ(aclrtSynchronizeDevice(), ACL_SUCCESS);
    opener.join();
    unsigned char back[8 * 64];
    ASSERT_EQ(aclrtMemcpy(back, sizeof back, d, sizeof back, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    for (int i = 0; i < 8; i++)
        EXPECT_EQ(back[i * 64], i + 1);
    for (auto s : ss)
        EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
}

TEST(ManyStreams, ThousandsOfStreamsOnTwoWorkers)
{
    ScopedEnv w("HOSTACL_WORKER_THREADS", "2");
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    const int n = 2000;
    std::vector<aclrtStream> ss(n);
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, n * 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    for (int i = 0; i < n; i++) {
        ASSERT_EQ(aclrtCreateStream(&ss[i]), ACL_SUCCESS);
        for (int k = 0; k < 5; k++)
            ASSERT_EQ(aclrtMemsetAsync(static_cast<char *>(d) + i * 64, 64, (i + k) & 0xFF, 64, ss[i]), ACL_SUCCESS);
    }
    EXPECT_EQ(aclrtSynchronizeDevice(), ACL_SUCCESS);
    std::vector<unsigned char> back(n * 64);
    ASSERT_EQ(aclrtMemcpy(back.data(), back.size(), d, back.size(), ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    for (int i = 0; i < n; i++)
        ASSERT_EQ(back[i * 64], (i + 4) & 0xFF) << i;
    for (auto s : ss)
        ASSERT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

TEST_F(AclTest, ResetDeviceDrainsTheDefaultContextsStreams)
{
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    aclrtStream s;
    ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(s, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemsetAsync(d, 64, 0x42, 64, s), ACL_SUCCESS);
    std::thread opener([&] {
        std::this_thread::sleep_for(20ms);
        gate.open = true;
    });
    EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
    opener.join();
    unsigned char back[64];
    ASSERT_EQ(aclrtMemcpy(back, 64, d, 64, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(back[0], 0x42);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
    // The stream went with its context.
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    EXPECT_EQ(aclrtSynchronizeStream(s), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
}

TEST_F(AclTest, FinalizeWithLiveStreamsAndWorkIsClean)
{
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, 4 * 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    for (int i = 0; i < 4; i++) {
        aclrtStream s;
        ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
        for (int k = 0; k < 100; k++)
            ASSERT_EQ(aclrtMemsetAsync(static_cast<char *>(d) + 64 * i, 64, k, 64, s), ACL_SUCCESS);
    }
    // TearDown's aclFinalize drains and releases all of it.
}

TEST_F(StreamTest, ConcurrentProducersOnOneStreamKeepPerThreadOrder)
{
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, 8 * 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    std::vector<std::thread> ts;
    for (int i = 0; i < 8; i++)
        ts.emplace_back([&, i] {
            aclrtSetCurrentContext(ctx_);
            for (int k = 0; k < 2000; k++)
                aclrtMemsetAsync(static_cast<char *>(d) + i * 64, 64, k & 0xFF, 64, stream_);
        });
    for (auto &t : ts)
        t.join();
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    unsigned char back[8 * 64];
    ASSERT_EQ(aclrtMemcpy(back, sizeof back, d, sizeof back, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    for (int i = 0; i < 8; i++)
        EXPECT_EQ(back[i * 64], 1999 & 0xFF);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
}

// aclrtStreamAbort: queued work that has not started is dropped, a waiting
// event wait is taken back, the next synchronisation says ABORT, and work
// queued afterwards runs.
TEST_F(StreamTest, AbortDropsQueuedWorkAndSaysSoOnce)
{
    void *d = nullptr;
    ASSERT_EQ(aclrtMalloc(&d, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemset(d, 64, 0, 64), ACL_SUCCESS);
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemsetAsync(d, 64, 7, 64, stream_), ACL_SUCCESS); // queued behind the gate
    gate.WaitEntered();
    ASSERT_EQ(aclrtStreamAbort(stream_), ACL_SUCCESS);
    gate.open = true;
    EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_ERROR_RT_STREAM_ABORT);
    EXPECT_NE(TakeErrMsg().find("aborted"), std::string::npos);
    unsigned char b = 1;
    ASSERT_EQ(aclrtMemcpy(&b, 1, d, 1, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(b, 0); // the memset never ran
    ASSERT_EQ(aclrtMemsetAsync(d, 64, 9, 64, stream_), ACL_SUCCESS); // after the abort: runs
    EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpy(&b, 1, d, 1, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(b, 9);
    // A stream held by an event wait that nothing will satisfy.
    aclrtEvent ev;
    ASSERT_EQ(aclrtCreateEvent(&ev), ACL_SUCCESS);
    aclrtStream other;
    ASSERT_EQ(aclrtCreateStream(&other), ACL_SUCCESS);
    gate.open = false; // before the launch: other's record waits behind it
    ASSERT_EQ(aclrtLaunchHostFunc(other, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(ev, other), ACL_SUCCESS);
    ASSERT_EQ(aclrtStreamWaitEvent(stream_, ev), ACL_SUCCESS);
    ASSERT_EQ(aclrtStreamAbort(stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_ERROR_RT_STREAM_ABORT);
    TakeErrMsg();
    gate.open = true;
    EXPECT_EQ(aclrtSynchronizeStream(other), ACL_SUCCESS);
    EXPECT_EQ(aclrtStreamAbort(stream_), ACL_SUCCESS); // nothing pending: no error
    EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtStreamAbort(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtStreamStop(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtStreamStop(stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStream(other), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyEvent(ev), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
}

TEST_F(DeviceTest, StreamStateCallbacksSeeCreationAndDestruction)
{
    struct Seen {
        std::vector<std::pair<aclrtStream, int>> v;
    } seen;
    auto cb = [](aclrtStream s, aclrtStreamState st, void *arg) {
        static_cast<Seen *>(arg)->v.push_back({s, (int)st});
    };
    ASSERT_EQ(aclrtRegStreamStateCallback("test", cb, &seen), ACL_SUCCESS);
    EXPECT_EQ(aclrtRegStreamStateCallback("test", cb, &seen), ACL_ERROR_INVALID_PARAM); // not twice
    aclrtStream s;
    ASSERT_EQ(aclrtCreateStreamWithConfig(&s, 0, ACL_STREAM_DEVICE_USE_ONLY), ACL_SUCCESS);
    ASSERT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
    ASSERT_EQ(aclrtRegStreamStateCallback("test", nullptr, nullptr), ACL_SUCCESS);
    EXPECT_EQ(aclrtRegStreamStateCallback("test", nullptr, nullptr), ACL_ERROR_INVALID_PARAM);
    aclrtStream t;
    ASSERT_EQ(aclrtCreateStream(&t), ACL_SUCCESS);
    ASSERT_EQ(aclrtDestroyStream(t), ACL_SUCCESS);
    ASSERT_EQ(seen.v.size(), 2u); // none after removal
    EXPECT_EQ(seen.v[0], std::make_pair(s, (int)ACL_RT_STREAM_STATE_CREATE_POST));
    EXPECT_EQ(seen.v[1], std::make_pair(s, (int)ACL_RT_STREAM_STATE_DESTROY_PRE));
}

// A task failing when it runs calls the exception callbacks with its id,
// its stream's id and the error; aclrtGetThreadLastTaskId names it.
static std::vector<std::array<uint32_t, 4>> g_exceptions;
static std::mutex g_exceptions_mu;
static void OnException(aclrtExceptionInfo *info)
{
    std::lock_guard<std::mutex> g(g_exceptions_mu);
    g_exceptions.push_back({aclrtGetTaskIdFromExceptionInfo(info), aclrtGetStreamIdFromExceptionInfo(info),
                            aclrtGetDeviceIdFromExceptionInfo(info), aclrtGetErrorCodeFromExceptionInfo(info)});
}

TEST_F(StreamTest, ExceptionCallbacksHearOfFailedTasks)
{
    g_exceptions.clear();
    ASSERT_EQ(aclrtSetExceptionInfoCallback(OnException), ACL_SUCCESS);
    void *a = nullptr, *b = nullptr;
    ASSERT_EQ(aclrtMalloc(&a, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&b, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemcpyAsync(a, 64, b, 64, ACL_MEMCPY_DEVICE_TO_DEVICE, stream_), ACL_SUCCESS);
    uint32_t task = 0;
    ASSERT_EQ(aclrtGetThreadLastTaskId(&task), ACL_SUCCESS);
    ASSERT_EQ(aclrtFree(b), ACL_SUCCESS); // freed before the copy runs: it fails then
    gate.open = true;
    EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_ERROR_RT_PARAM_INVALID);
    TakeErrMsg();
    int32_t sid = 0;
    ASSERT_EQ(aclrtStreamGetId(stream_, &sid), ACL_SUCCESS);
    ASSERT_EQ(g_exceptions.size(), 1u);
    EXPECT_EQ(g_exceptions[0][0], task);
    EXPECT_EQ(g_exceptions[0][1], (uint32_t)sid);
    EXPECT_EQ(g_exceptions[0][2], 0u);
    EXPECT_EQ(g_exceptions[0][3], (uint32_t)ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtGetTaskIdFromExceptionInfo(nullptr), UINT32_MAX);
    EXPECT_EQ(aclrtGetErrorCodeFromExceptionInfo(nullptr), UINT32_MAX);
    void *args = nullptr;
    uint32_t len = 0;
    aclrtFuncHandle fh = nullptr;
    EXPECT_EQ(aclrtGetArgsFromExceptionInfo(nullptr, &args, &len), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtGetFuncHandleFromExceptionInfo(nullptr, &fh), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtGetThreadLastTaskId(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtExceptionInfoCallbackRegister(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtExceptionInfoCallbackUnregister(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtExceptionInfoCallbackUnregister(OnException), ACL_SUCCESS); // never registered: nothing to do
    TakeErrMsg();
    ASSERT_EQ(aclrtSetExceptionInfoCallback(nullptr), ACL_SUCCESS);
    ASSERT_EQ(aclrtExceptionInfoCallbackRegister(OnException), ACL_SUCCESS);
    ASSERT_EQ(aclrtExceptionInfoCallbackRegister(OnException), ACL_SUCCESS); // once
    ASSERT_EQ(aclrtMemcpyAsync(a, 64, a, 128, ACL_MEMCPY_DEVICE_TO_DEVICE, stream_), ACL_ERROR_INVALID_PARAM); // refused at launch: no exception
    ASSERT_EQ(aclrtExceptionInfoCallbackUnregister(OnException), ACL_SUCCESS);
    EXPECT_EQ(g_exceptions.size(), 1u);
    EXPECT_EQ(aclrtFree(a), ACL_SUCCESS);
}

// A notify is a flag: records coalesce, each wait takes it once, and a
// wait's timeout (seconds) fails the stream's wait instead of hanging.
TEST_F(StreamTest, NotifyWaitsTakeTheFlagAndTimeOut)
{
    aclrtNotify n;
    ASSERT_EQ(aclrtCreateNotify(&n, ACL_NOTIFY_DEFAULT), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordNotify(n, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordNotify(n, stream_), ACL_SUCCESS); // set twice: still one flag
    ASSERT_EQ(aclrtWaitAndResetNotify(n, stream_, 0), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    auto t0 = std::chrono::steady_clock::now();
    ASSERT_EQ(aclrtWaitAndResetNotify(n, stream_, 1), ACL_SUCCESS); // nothing left to take
    EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_ERROR_RT_WAIT_TIMEOUT);
    EXPECT_NE(TakeErrMsg().find("timeout"), std::string::npos);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(900));
    ASSERT_EQ(aclrtRecordNotify(n, stream_), ACL_SUCCESS); // the flag for the next wait
    ASSERT_EQ(aclrtWaitAndResetNotify(n, stream_, 1), ACL_SUCCESS);
    EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyNotify(n), ACL_SUCCESS);
}
