// Stream configuration handles, stream queries, the current default stream,
// the thread's compute resources, and priorities honoured by the scheduler.
#include <string.h>

#include "test_util.h"

TEST_F(DeviceTest, StreamConfigHandlesCreateStreamsWithTheirFlagsAndPriority)
{
    aclrtStreamConfigHandle *h = aclrtCreateStreamConfigHandle();
    ASSERT_NE(h, nullptr);
    uint32_t prio = 5, flag = ACL_STREAM_FAST_LAUNCH;
    size_t work = 4096;
    EXPECT_EQ(aclrtSetStreamConfigOpt(h, ACL_RT_STREAM_PRIORITY, &prio, sizeof prio), ACL_SUCCESS);
    EXPECT_EQ(aclrtSetStreamConfigOpt(h, ACL_RT_STREAM_FLAG, &flag, sizeof flag), ACL_SUCCESS);
    EXPECT_EQ(aclrtSetStreamConfigOpt(h, ACL_RT_STREAM_WORK_SIZE, &work, sizeof work), ACL_SUCCESS);
    EXPECT_EQ(h->priority, 5u); // the struct is the application's to read
    EXPECT_EQ(h->flag, (size_t)ACL_STREAM_FAST_LAUNCH);
    EXPECT_EQ(h->workSize, 4096u);
    uint32_t bad = 8;
    EXPECT_EQ(aclrtSetStreamConfigOpt(h, ACL_RT_STREAM_PRIORITY, &bad, sizeof bad), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSetStreamConfigOpt(h, (aclrtStreamConfigAttr)9, &prio, sizeof prio), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSetStreamConfigOpt(h, ACL_RT_STREAM_FLAG, &prio, 2), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSetStreamConfigOpt(h, ACL_RT_STREAM_FLAG, nullptr, 4), ACL_ERROR_INVALID_PARAM);
    aclrtStream s = nullptr, s2 = nullptr;
    ASSERT_EQ(aclrtCreateStreamV2(&s, h), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(aclrtCreateStreamV2(&s2, nullptr), ACL_SUCCESS); // defaults
    uint32_t v = 99;
    EXPECT_EQ(aclrtStreamGetPriority(s, &v), ACL_SUCCESS);
    EXPECT_EQ(v, 5u);
    EXPECT_EQ(aclrtStreamGetFlags(s, &v), ACL_SUCCESS);
    EXPECT_EQ(v, (uint32_t)ACL_STREAM_FAST_LAUNCH);
    EXPECT_EQ(aclrtStreamGetPriority(s2, &v), ACL_SUCCESS);
    EXPECT_EQ(v, 0u);
    int32_t id1 = 0, id2 = 0;
    EXPECT_EQ(aclrtStreamGetId(s, &id1), ACL_SUCCESS);
    EXPECT_EQ(aclrtStreamGetId(s2, &id2), ACL_SUCCESS);
    EXPECT_GT(id1, 0);
    EXPECT_NE(id1, id2);
    EXPECT_EQ(aclrtStreamGetId(s, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtDestroyStreamConfigHandle(h), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStreamConfigHandle(h), ACL_ERROR_INVALID_PARAM); // stale
    EXPECT_EQ(aclrtCreateStreamV2(&s2, h), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
    EXPECT_EQ(aclrtStreamGetFlags(s, &v), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    TakeErrMsg();
}

TEST_F(DeviceTest, CurrentDefaultStreamAndThreadResources)
{
    aclrtStream d = nullptr;
    ASSERT_EQ(aclrtCtxGetCurrentDefaultStream(&d), ACL_SUCCESS);
    ASSERT_NE(d, nullptr);
    aclrtStream again = nullptr;
    EXPECT_EQ(aclrtCtxGetCurrentDefaultStream(&again), ACL_SUCCESS);
    EXPECT_EQ(d, again);
    EXPECT_EQ(aclrtSynchronizeStream(d), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStream(d), ACL_ERROR_INVALID_PARAM); // it goes with its context
    EXPECT_EQ(aclrtCtxGetCurrentDefaultStream(nullptr), ACL_ERROR_INVALID_PARAM);
    uint32_t cube = 0, vec = 0;
    EXPECT_EQ(aclrtGetResInCurrentThread(ACL_RT_DEV_RES_CUBE_CORE, &cube), ACL_SUCCESS);
    EXPECT_EQ(aclrtGetResInCurrentThread(ACL_RT_DEV_RES_VECTOR_CORE, &vec), ACL_SUCCESS);
    EXPECT_GE(cube, 1u);
    EXPECT_EQ(cube, vec);
    EXPECT_EQ(aclrtGetResInCurrentThread((aclrtDevResLimitType)7, &cube), ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
}

TEST_F(DeviceTest, DeviceStatusPriorityRangeAndResourceLimits)
{
    aclrtDeviceStatus st = ACL_RT_DEVICE_STATUS_END;
    EXPECT_EQ(aclrtQueryDeviceStatus(0, &st), ACL_SUCCESS);
    EXPECT_EQ(st, ACL_RT_DEVICE_STATUS_NORMAL);
    EXPECT_EQ(aclrtQueryDeviceStatus(64, &st), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_EQ(aclrtQueryDeviceStatus(0, nullptr), ACL_ERROR_INVALID_PARAM);
    int32_t least = -1, greatest = -1;
    EXPECT_EQ(aclrtDeviceGetStreamPriorityRange(&least, &greatest), ACL_SUCCESS);
    EXPECT_EQ(least, 7);
    EXPECT_EQ(greatest, 0);
    EXPECT_EQ(aclrtDeviceGetStreamPriorityRange(&least, nullptr), ACL_ERROR_INVALID_PARAM);
    // the least priority is accepted, one past it is not
    aclrtStream s = nullptr;
    EXPECT_EQ(aclrtCreateStreamWithConfig(&s, (uint32_t)least, 0), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
    EXPECT_EQ(aclrtCreateStreamWithConfig(&s, (uint32_t)least + 1, 0), ACL_ERROR_INVALID_PARAM);

    uint32_t cores = 0, v = 0;
    ASSERT_EQ(aclrtGetDeviceResLimit(0, ACL_RT_DEV_RES_CUBE_CORE, &cores), ACL_SUCCESS);
    ASSERT_GE(cores, 1u);
    EXPECT_EQ(aclrtSetDeviceResLimit(0, ACL_RT_DEV_RES_VECTOR_CORE, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSetDeviceResLimit(0, ACL_RT_DEV_RES_VECTOR_CORE, cores + 1), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSetDeviceResLimit(0, (aclrtDevResLimitType)5, 1), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSetDeviceResLimit(9, ACL_RT_DEV_RES_VECTOR_CORE, 1), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_EQ(aclrtGetDeviceResLimit(0, ACL_RT_DEV_RES_CUBE_CORE, nullptr), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(aclrtSetDeviceResLimit(0, ACL_RT_DEV_RES_VECTOR_CORE, 1), ACL_SUCCESS);
    EXPECT_EQ(aclrtGetDeviceResLimit(0, ACL_RT_DEV_RES_VECTOR_CORE, &v), ACL_SUCCESS);
    EXPECT_EQ(v, 1u);
    EXPECT_EQ(aclrtGetResInCurrentThread(ACL_RT_DEV_RES_VECTOR_CORE, &v), ACL_SUCCESS);
    EXPECT_EQ(v, 1u);
    EXPECT_EQ(aclrtGetDeviceResLimit(0, ACL_RT_DEV_RES_CUBE_CORE, &v), ACL_SUCCESS);
    EXPECT_EQ(v, cores); // the other type is untouched
    ASSERT_EQ(aclrtResetDeviceResLimit(0), ACL_SUCCESS);
    EXPECT_EQ(aclrtGetDeviceResLimit(0, ACL_RT_DEV_RES_VECTOR_CORE, &v), ACL_SUCCESS);
    EXPECT_EQ(v, cores);
    EXPECT_EQ(aclrtResetDeviceResLimit(-1), ACL_ERROR_RT_INVALID_DEVICEID);
    TakeErrMsg();
}

// With one worker busy, a priority-0 stream that became ready after a
// priority-7 one still runs first.
TEST(StreamPriority, HigherPriorityReadyWorkRunsFirst)
{
    TempFile cfg(R"({"hostacl": {"worker_threads": 1}})");
    ASSERT_EQ(aclInit(cfg.path()), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    const size_t big = 64u << 20;
    void *a, *b, *small;
    ASSERT_EQ(aclrtMalloc(&a, big, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&b, big, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&small, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    int later_first = 0;
    for (int round = 0; round < 3; round++) {
        aclrtStream busy, low, high;
        ASSERT_EQ(aclrtCreateStream(&busy), ACL_SUCCESS);
        ASSERT_EQ(aclrtCreateStreamWithConfig(&low, 7, 0), ACL_SUCCESS);
        ASSERT_EQ(aclrtCreateStreamWithConfig(&high, 0, 0), ACL_SUCCESS);
        aclrtEvent el, eh;
        ASSERT_EQ(aclrtCreateEvent(&el), ACL_SUCCESS);
        ASSERT_EQ(aclrtCreateEvent(&eh), ACL_SUCCESS);
        for (int k = 0; k < 4; k++) // the one worker copies for a while
            ASSERT_EQ(aclrtMemcpyAsync(b, big, a, big, ACL_MEMCPY_DEVICE_TO_DEVICE, busy), ACL_SUCCESS);
        ASSERT_EQ(aclrtMemsetAsync(small, 64, 1, 64, low), ACL_SUCCESS); // ready first...
        ASSERT_EQ(aclrtRecordEvent(el, low), ACL_SUCCESS);
        ASSERT_EQ(aclrtMemsetAsync(small, 64, 2, 64, high), ACL_SUCCESS); // ...ready second
        ASSERT_EQ(aclrtRecordEvent(eh, high), ACL_SUCCESS);
        ASSERT_EQ(aclrtSynchronizeDevice(), ACL_SUCCESS);
        float ms = 0;
        ASSERT_EQ(aclrtEventElapsedTime(&ms, eh, el), ACL_SUCCESS) << "the high-priority record must come first";
        later_first += ms >= 0;
        for (aclrtEvent e : {el, eh})
            EXPECT_EQ(aclrtDestroyEvent(e), ACL_SUCCESS);
        for (aclrtStream s : {busy, low, high})
            EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
    }
    EXPECT_EQ(later_first, 3);
    EXPECT_EQ(aclrtFree(a), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(b), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(small), ACL_SUCCESS);
    EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
    TakeErrMsg();
}
