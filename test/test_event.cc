// Events: create/destroy, record, query, synchronize (with timeout), reset,
// stream waits across streams, elapsed time.
#include <mutex>
#include <vector>

#include "test_util.h"

// aclrtQueryEvent is deprecated upstream and here, but still supported and tested.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

using namespace std::chrono_literals;

TEST_F(DeviceTest, CreateEventChecksArguments)
{
    aclrtEvent e;
    EXPECT_EQ(aclrtCreateEvent(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtCreateEventWithFlag(&e, 0x80), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(aclrtCreateEventWithFlag(&e, ACL_EVENT_SYNC | ACL_EVENT_TIME_LINE), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyEvent(e), ACL_SUCCESS);
    ASSERT_EQ(aclrtCreateEventExWithFlag(&e, ACL_EVENT_CAPTURE_STREAM_PROGRESS), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyEvent(e), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyEvent(e), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(aclrtDestroyEvent(nullptr), ACL_ERROR_INVALID_PARAM);
    aclrtEventRecordedStatus st;
    EXPECT_EQ(aclrtQueryEventStatus(e, &st), ACL_ERROR_INVALID_RESOURCE_HANDLE);
}

TEST_F(AclTest, CreateEventNeedsAContext)
{
    aclrtEvent e;
    EXPECT_EQ(aclrtCreateEvent(&e), ACL_ERROR_RT_CONTEXT_NULL);
}

TEST_F(StreamTest, RecordQuerySynchronize)
{
    aclrtEvent e;
    ASSERT_EQ(aclrtCreateEvent(&e), ACL_SUCCESS);
    aclrtEventRecordedStatus st;
    ASSERT_EQ(aclrtQueryEventStatus(e, &st), ACL_SUCCESS);
    EXPECT_EQ(st, ACL_EVENT_RECORDED_STATUS_NOT_READY); // never recorded
    EXPECT_EQ(aclrtSynchronizeEvent(e), ACL_SUCCESS);     // nothing to wait for
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(e, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtQueryEventStatus(e, &st), ACL_SUCCESS);
    EXPECT_EQ(st, ACL_EVENT_RECORDED_STATUS_NOT_READY);
    aclrtEventStatus old;
    ASSERT_EQ(aclrtQueryEvent(e, &old), ACL_SUCCESS);
    EXPECT_EQ(old, ACL_EVENT_STATUS_NOT_READY);
    aclrtEventWaitStatus ws;
    ASSERT_EQ(aclrtQueryEventWaitStatus(e, &ws), ACL_SUCCESS);
    EXPECT_EQ(ws, ACL_EVENT_WAIT_STATUS_NOT_READY);
    EXPECT_EQ(aclrtSynchronizeEventWithTimeout(e, 30), ACL_ERROR_RT_EVENT_SYNC_TIMEOUT);
    EXPECT_EQ(aclrtSynchronizeEventWithTimeout(e, 0), ACL_ERROR_RT_EVENT_SYNC_TIMEOUT);
    gate.open = true;
    EXPECT_EQ(aclrtSynchronizeEvent(e), ACL_SUCCESS);
    ASSERT_EQ(aclrtQueryEventStatus(e, &st), ACL_SUCCESS);
    EXPECT_EQ(st, ACL_EVENT_RECORDED_STATUS_COMPLETE);
    ASSERT_EQ(aclrtQueryEvent(e, &old), ACL_SUCCESS);
    EXPECT_EQ(old, ACL_EVENT_STATUS_COMPLETE);
    ASSERT_EQ(aclrtQueryEventWaitStatus(e, &ws), ACL_SUCCESS);
    EXPECT_EQ(ws, ACL_EVENT_WAIT_STATUS_COMPLETE);
    EXPECT_EQ(aclrtSynchronizeEventWithTimeout(e, -2), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtQueryEventStatus(e, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtDestroyEvent(e), ACL_SUCCESS);
}

TEST_F(StreamTest, ResetEventMakesItNotReadyAgain)
{
    aclrtEvent e;
    ASSERT_EQ(aclrtCreateEvent(&e), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(e, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    aclrtEventRecordedStatus st;
    ASSERT_EQ(aclrtQueryEventStatus(e, &st), ACL_SUCCESS);
    EXPECT_EQ(st, ACL_EVENT_RECORDED_STATUS_COMPLETE);
    ASSERT_EQ(aclrtResetEvent(e, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtQueryEventStatus(e, &st), ACL_SUCCESS);
    EXPECT_EQ(st, ACL_EVENT_RECORDED_STATUS_NOT_READY);
    ASSERT_EQ(aclrtRecordEvent(e, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeEvent(e), ACL_SUCCESS);
    ASSERT_EQ(aclrtQueryEventStatus(e, &st), ACL_SUCCESS);
    EXPECT_EQ(st, ACL_EVENT_RECORDED_STATUS_COMPLETE);
    EXPECT_EQ(aclrtDestroyEvent(e), ACL_SUCCESS);
}

// Host functions that append to a shared log, to observe order across streams.
struct Log {
    std::mutex m;
    std::vector<int> v;
};
struct LogEntry {
    Log *log;
    int value;
};
static void Append(void *p)
{
    LogEntry *e = static_cast<LogEntry *>(p);
    std::lock_guard<std::mutex> g(e->log->m);
    e->log->v.push_back(e->value);
}

TEST_F(StreamTest, StreamWaitEventOrdersAcrossStreams)
{
    aclrtStream other;
    ASSERT_EQ(aclrtCreateStream(&other), ACL_SUCCESS);
    aclrtEvent e;
    ASSERT_EQ(aclrtCreateEvent(&e), ACL_SUCCESS);
    Log log;
    LogEntry first{&log, 1}, second{&log, 2};
    Gate gate;
    // stream_: gate, then "1", then record. other: wait, then "2".
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Append, &first), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(e, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtStreamWaitEvent(other, e), ACL_SUCCESS);
    ASSERT_EQ(aclrtLaunchHostFunc(other, Append, &second), ACL_SUCCESS);
    std::this_thread::sleep_for(20ms);
    aclrtStreamStatus st;
    ASSERT_EQ(aclrtStreamQuery(other, &st), ACL_SUCCESS);
    EXPECT_EQ(st, ACL_STREAM_STATUS_NOT_READY); // parked on the event
    gate.open = true;
    ASSERT_EQ(aclrtSynchronizeStream(other), ACL_SUCCESS);
    ASSERT_EQ(log.v.size(), 2u);
    EXPECT_EQ(log.v[0], 1);
    EXPECT_EQ(log.v[1], 2);
    EXPECT_EQ(aclrtStreamWaitEvent(other, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtDestroyEvent(e), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStream(other), ACL_SUCCESS);
}

TEST_F(StreamTest, WaitOnAnEventNeverRecordedDoesNotBlock)
{
    aclrtEvent e;
    ASSERT_EQ(aclrtCreateEvent(&e), ACL_SUCCESS);
    ASSERT_EQ(aclrtStreamWaitEvent(stream_, e), ACL_SUCCESS);
    EXPECT_EQ(aclrtSynchronizeStreamWithTimeout(stream_, 1000), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyEvent(e), ACL_SUCCESS);
}

TEST_F(StreamTest, WaitCapturesTheRecordOfItsTime)
{
    // A record queued after the wait does not move the wait's goal.
    aclrtStream other;
    ASSERT_EQ(aclrtCreateStream(&other), ACL_SUCCESS);
    aclrtEvent e;
    ASSERT_EQ(aclrtCreateEvent(&e), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(e, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtStreamWaitEvent(other, e), ACL_SUCCESS);
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(e, stream_), ACL_SUCCESS); // pending behind the gate
    EXPECT_EQ(aclrtSynchronizeStreamWithTimeout(other, 1000), ACL_SUCCESS);
    gate.open = true;
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyEvent(e), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStream(other), ACL_SUCCESS);
}

TEST(EventWorkers, ParkedStreamsHoldNoWorker)
{
    // One worker: if a waiting stream held it, the recording stream could
    // never run and this would hang.
    ScopedEnv w("HOSTACL_WORKER_THREADS", "1");
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    const int waiters = 16;
    std::vector<aclrtStream> ws(waiters);
    aclrtStream producer;
    ASSERT_EQ(aclrtCreateStream(&producer), ACL_SUCCESS);
    aclrtEvent e;
    ASSERT_EQ(aclrtCreateEvent(&e), ACL_SUCCESS);
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, 64 * (waiters + 1), ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemset(d, 64 * (waiters + 1), 0, 64 * (waiters + 1)), ACL_SUCCESS);
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(producer, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(e, producer), ACL_SUCCESS);
    for (int i = 0; i < waiters; i++) {
        ASSERT_EQ(aclrtCreateStream(&ws[i]), ACL_SUCCESS);
        ASSERT_EQ(aclrtStreamWaitEvent(ws[i], e), ACL_SUCCESS);
        ASSERT_EQ(aclrtMemsetAsync(static_cast<char *>(d) + 64 * i, 64, 1, 64, ws[i]), ACL_SUCCESS);
    }
    // Work behind the record on the producer, needing the single worker.
    for (int k = 0; k < 100; k++)
        ASSERT_EQ(aclrtMemsetAsync(static_cast<char *>(d) + 64 * waiters, 64, k, 64, producer), ACL_SUCCESS);
    std::this_thread::sleep_for(10ms);
    gate.open = true;
    for (int i = 0; i < waiters; i++)
        ASSERT_EQ(aclrtSynchronizeStreamWithTimeout(ws[i], 10000), ACL_SUCCESS) << i;
    ASSERT_EQ(aclrtSynchronizeStream(producer), ACL_SUCCESS);
    unsigned char back[64 * (waiters + 1)];
    ASSERT_EQ(aclrtMemcpy(back, sizeof back, d, sizeof back, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    for (int i = 0; i < waiters; i++)
        EXPECT_EQ(back[64 * i], 1);
    EXPECT_EQ(back[64 * waiters], 99);
    for (auto s : ws)
        EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStream(producer), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyEvent(e), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

TEST_F(StreamTest, PingPongBetweenTwoStreams)
{
    aclrtStream b;
    ASSERT_EQ(aclrtCreateStream(&b), ACL_SUCCESS);
    aclrtEvent ea, eb;
    ASSERT_EQ(aclrtCreateEvent(&ea), ACL_SUCCESS);
    ASSERT_EQ(aclrtCreateEvent(&eb), ACL_SUCCESS);
    Log log;
    std::vector<LogEntry> entries(400);
    for (int i = 0; i < 200; i++) {
        entries[2 * i] = {&log, 2 * i};
        entries[2 * i + 1] = {&log, 2 * i + 1};
        ASSERT_EQ(aclrtLaunchHostFunc(stream_, Append, &entries[2 * i]), ACL_SUCCESS);
        ASSERT_EQ(aclrtRecordEvent(ea, stream_), ACL_SUCCESS);
        ASSERT_EQ(aclrtStreamWaitEvent(b, ea), ACL_SUCCESS);
        ASSERT_EQ(aclrtLaunchHostFunc(b, Append, &entries[2 * i + 1]), ACL_SUCCESS);
        ASSERT_EQ(aclrtRecordEvent(eb, b), ACL_SUCCESS);
        ASSERT_EQ(aclrtStreamWaitEvent(stream_, eb), ACL_SUCCESS);
    }
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(b), ACL_SUCCESS);
    ASSERT_EQ(log.v.size(), 400u);
    for (int i = 0; i < 400; i++)
        ASSERT_EQ(log.v[i], i);
    EXPECT_EQ(aclrtDestroyEvent(ea), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyEvent(eb), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStream(b), ACL_SUCCESS);
}

TEST_F(StreamTest, DestroyEventWithPendingWaitsDoesNotBlock)
{
    aclrtStream other;
    ASSERT_EQ(aclrtCreateStream(&other), ACL_SUCCESS);
    aclrtEvent e;
    ASSERT_EQ(aclrtCreateEvent(&e), ACL_SUCCESS);
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(e, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtStreamWaitEvent(other, e), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyEvent(e), ACL_SUCCESS); // returns at once
    gate.open = true;
    EXPECT_EQ(aclrtSynchronizeStream(other), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStream(other), ACL_SUCCESS);
}

// A forced destroy takes back a wait whose record cannot come (its stream is
// held by a host function): it returns without waiting for the record, and
// the work queued behind the wait never runs (docs/semantics.md).
TEST_F(StreamTest, ForcedDestroyTakesBackAWaitingEventWait)
{
    aclrtStream other;
    ASSERT_EQ(aclrtCreateStream(&other), ACL_SUCCESS);
    aclrtEvent e;
    ASSERT_EQ(aclrtCreateEvent(&e), ACL_SUCCESS);
    void *d;
    ASSERT_EQ(aclrtMalloc(&d, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemset(d, 64, 0, 64), ACL_SUCCESS);
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(e, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtStreamWaitEvent(other, e), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemsetAsync(d, 64, 9, 64, other), ACL_SUCCESS);
    gate.WaitEntered();
    std::this_thread::sleep_for(5ms); // let the wait start waiting
    std::thread opener([&] { // so a destroy that waits still ends
        std::this_thread::sleep_for(3s);
        gate.open = true;
    });
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(aclrtDestroyStreamForce(other), ACL_SUCCESS);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s) << "the destroy waited for the record";
    opener.join();
    EXPECT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    unsigned char back[64];
    ASSERT_EQ(aclrtMemcpy(back, 64, d, 64, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(back[0], 0) << "work queued behind the cancelled wait ran";
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyEvent(e), ACL_SUCCESS);
}

static void Sleep20ms(void *) { std::this_thread::sleep_for(20ms); }

TEST_F(StreamTest, ElapsedTimeBetweenRecords)
{
    aclrtEvent a, b;
    ASSERT_EQ(aclrtCreateEvent(&a), ACL_SUCCESS);
    ASSERT_EQ(aclrtCreateEvent(&b), ACL_SUCCESS);
    float ms = -1;
    EXPECT_EQ(aclrtEventElapsedTime(&ms, a, b), ACL_ERROR_RT_EVENT_TIMESTAMP_INVALID);
    ASSERT_EQ(aclrtRecordEvent(a, stream_), ACL_SUCCESS);
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Sleep20ms, nullptr), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(b, stream_), ACL_SUCCESS);
    EXPECT_EQ(aclrtEventElapsedTime(&ms, a, b), ACL_ERROR_RT_EVENT_NOT_COMPLETE);
    gate.open = true;
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtEventElapsedTime(&ms, a, b), ACL_SUCCESS);
    EXPECT_GE(ms, 19.0f);
    EXPECT_LT(ms, 5000.0f);
    EXPECT_EQ(aclrtEventElapsedTime(&ms, b, a), ACL_ERROR_RT_EVENT_TIMESTAMP_REVERSAL);
    EXPECT_EQ(aclrtEventElapsedTime(nullptr, a, b), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtEventElapsedTime(&ms, a, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtDestroyEvent(a), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyEvent(b), ACL_SUCCESS);
}

TEST_F(StreamTest, ManyStreamsWaitOnOneEvent)
{
    const int n = 100; // more than one wake-up round of 64
    std::vector<aclrtStream> ss(n);
    aclrtEvent e;
    ASSERT_EQ(aclrtCreateEvent(&e), ACL_SUCCESS);
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(e, stream_), ACL_SUCCESS);
    for (auto &s : ss) {
        ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
        ASSERT_EQ(aclrtStreamWaitEvent(s, e), ACL_SUCCESS);
    }
    std::this_thread::sleep_for(5ms);
    gate.open = true;
    for (auto s : ss) {
        EXPECT_EQ(aclrtSynchronizeStreamWithTimeout(s, 10000), ACL_SUCCESS);
        EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
    }
    EXPECT_EQ(aclrtDestroyEvent(e), ACL_SUCCESS);
}

TEST_F(StreamTest, TimestampIsWhenTheLatestRecordRan)
{
    aclrtEvent a, b;
    ASSERT_EQ(aclrtCreateEvent(&a), ACL_SUCCESS);
    ASSERT_EQ(aclrtCreateEvent(&b), ACL_SUCCESS);
    uint64_t ta = 0, tb = 0;
    EXPECT_EQ(aclrtEventGetTimestamp(a, &ta), ACL_ERROR_RT_EVENT_TIMESTAMP_INVALID); // never recorded
    EXPECT_EQ(aclrtEventGetTimestamp(a, nullptr), ACL_ERROR_INVALID_PARAM);
    Gate gate;
    ASSERT_EQ(aclrtRecordEvent(a, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(b, stream_), ACL_SUCCESS);
    gate.WaitEntered();
    EXPECT_EQ(aclrtEventGetTimestamp(b, &tb), ACL_ERROR_RT_EVENT_NOT_COMPLETE); // held behind the gate
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    gate.open = true;
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtEventGetTimestamp(a, &ta), ACL_SUCCESS);
    ASSERT_EQ(aclrtEventGetTimestamp(b, &tb), ACL_SUCCESS);
    EXPECT_GE(tb - ta, 5000000u); // the gate held b at least 5 ms
    float ms = 0;
    ASSERT_EQ(aclrtEventElapsedTime(&ms, a, b), ACL_SUCCESS);
    EXPECT_NEAR(ms, (double)(tb - ta) / 1e6, 0.01);
    EXPECT_EQ(aclrtDestroyEvent(a), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyEvent(b), ACL_SUCCESS);
}
