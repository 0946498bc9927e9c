// aclrtSetDevice / aclrtResetDevice(Force) / aclrtGetDevice / aclrtGetDeviceCount.
#include <thread>

#include "test_util.h"

class MultiDevice : public ::testing::Test {
protected:
    void SetUp() override
    {
        ScopedEnv e("HOSTACL_DEVICE_COUNT", "2");
        ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS) << TakeErrMsg();
    }
    void TearDown() override { EXPECT_EQ(aclFinalize(), ACL_SUCCESS); }
};

TEST_F(AclTest, SetDeviceMakesItCurrent)
{
    int32_t d = -1;
    EXPECT_EQ(aclrtGetDevice(&d), ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_NE(TakeErrMsg().find("aclrtSetDevice"), std::string::npos);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    EXPECT_EQ(aclrtGetDevice(&d), ACL_SUCCESS);
    EXPECT_EQ(d, 0);
    EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
}

TEST_F(AclTest, SetDeviceRejectsBadIds)
{
    EXPECT_EQ(aclrtSetDevice(-1), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_EQ(aclrtSetDevice(1), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_NE(TakeErrMsg().find("out of range"), std::string::npos);
    EXPECT_EQ(aclrtResetDevice(7), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_EQ(aclrtResetDeviceForce(-3), ACL_ERROR_RT_INVALID_DEVICEID);
}

TEST_F(AclTest, GetDeviceAndCountRejectNull)
{
    EXPECT_EQ(aclrtGetDevice(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtGetDeviceCount(nullptr), ACL_ERROR_INVALID_PARAM);
}

TEST_F(AclTest, ResetOfADeviceNeverSetIsAnError)
{
    EXPECT_EQ(aclrtResetDevice(0), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_NE(TakeErrMsg().find("not set"), std::string::npos);
}

TEST_F(AclTest, SetDeviceIsReferenceCounted)
{
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    aclrtContext dflt;
    ASSERT_EQ(aclrtGetCurrentContext(&dflt), ACL_SUCCESS);
    EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
    // One reference left: the default context is still there.
    aclrtContext again;
    EXPECT_EQ(aclrtGetCurrentContext(&again), ACL_SUCCESS);
    EXPECT_EQ(again, dflt);
    EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
    // Gone now: the thread has no current context.
    EXPECT_EQ(aclrtGetCurrentContext(&again), ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_NE(TakeErrMsg().find("destroyed"), std::string::npos);
    EXPECT_EQ(aclrtResetDevice(0), ACL_ERROR_RT_INVALID_DEVICEID);
}

TEST_F(AclTest, ResetDeviceForceDropsEveryReference)
{
    for (int i = 0; i < 3; i++)
        ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    EXPECT_EQ(aclrtResetDeviceForce(0), ACL_SUCCESS);
    int32_t d;
    EXPECT_EQ(aclrtGetDevice(&d), ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtResetDevice(0), ACL_ERROR_RT_INVALID_DEVICEID);
}

TEST_F(AclTest, DeviceCanBeSetAgainAfterReset)
{
    for (int i = 0; i < 20; i++) {
        ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
        void *p;
        ASSERT_EQ(aclrtMalloc(&p, 128, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
        ASSERT_EQ(aclrtFree(p), ACL_SUCCESS);
        ASSERT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
    }
}

TEST_F(AclTest, MemoryOutlivesDeviceReset)
{
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    void *p;
    ASSERT_EQ(aclrtMalloc(&p, 256, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
    char buf[256] = {1};
    EXPECT_EQ(aclrtMemcpy(p, 256, buf, 256, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(p), ACL_SUCCESS);
}

TEST_F(MultiDevice, EachThreadHasItsOwnCurrentDevice)
{
    uint32_t n = 0;
    ASSERT_EQ(aclrtGetDeviceCount(&n), ACL_SUCCESS);
    ASSERT_EQ(n, 2u);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    int32_t seen = -1;
    std::thread t([&] {
        int32_t d = -1;
        EXPECT_EQ(aclrtGetDevice(&d), ACL_ERROR_RT_CONTEXT_NULL); // not inherited
        ASSERT_EQ(aclrtSetDevice(1), ACL_SUCCESS);
        ASSERT_EQ(aclrtGetDevice(&seen), ACL_SUCCESS);
        EXPECT_EQ(aclrtResetDevice(1), ACL_SUCCESS);
    });
    t.join();
    EXPECT_EQ(seen, 1);
    int32_t d = -1;
    ASSERT_EQ(aclrtGetDevice(&d), ACL_SUCCESS);
    EXPECT_EQ(d, 0);
    EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
}

TEST_F(MultiDevice, SwitchingDevicesSwitchesMemory)
{
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    void *a;
    ASSERT_EQ(aclrtMalloc(&a, 1 << 20, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    size_t f0, t0;
    ASSERT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &f0, &t0), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(1), ACL_SUCCESS);
    size_t f1, t1;
    ASSERT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &f1, &t1), ACL_SUCCESS);
    EXPECT_EQ(f1, t1);          // device 1 untouched
    EXPECT_LT(f0, t0);          // device 0 holds the allocation
    void *b;
    ASSERT_EQ(aclrtMalloc(&b, 1 << 20, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    // Copies between the two devices' memory.
    EXPECT_EQ(aclrtMemcpy(b, 1 << 20, a, 1 << 20, ACL_MEMCPY_INTER_DEVICE_TO_DEVICE), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(b, 1 << 20, a, 1 << 20, ACL_MEMCPY_INNER_DEVICE_TO_DEVICE), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtFree(a), ACL_SUCCESS); // any thread/device may free any device's memory
    EXPECT_EQ(aclrtFree(b), ACL_SUCCESS);
    EXPECT_EQ(aclrtResetDevice(1), ACL_SUCCESS);
    EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
}

TEST_F(AclTest, ConcurrentSetAndResetFromManyThreads)
{
    std::vector<std::thread> ts;
    std::atomic<int> failures{0};
    for (int i = 0; i < 8; i++)
        ts.emplace_back([&] {
            for (int k = 0; k < 200; k++) {
                if (aclrtSetDevice(0) != ACL_SUCCESS)
                    failures++;
                int32_t d = -1;
                if (aclrtGetDevice(&d) != ACL_SUCCESS && d != 0)
                    failures++;
                if (aclrtResetDevice(0) != ACL_SUCCESS)
                    failures++;
            }
        });
    for (auto &t : ts)
        t.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(aclrtResetDevice(0), ACL_ERROR_RT_INVALID_DEVICEID);
}
