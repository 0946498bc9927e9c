// aclrtCreateContext / aclrtDestroyContext / aclrtSetCurrentContext / aclrtGetCurrentContext.
#include <thread>

#include "test_util.h"

TEST_F(AclTest, CreateContextMakesItCurrentAndOpensTheDevice)
{
    aclrtContext ctx = nullptr, cur = nullptr;
    ASSERT_EQ(aclrtCreateContext(&ctx, 0), ACL_SUCCESS);
    ASSERT_NE(ctx, nullptr);
    EXPECT_EQ(aclrtGetCurrentContext(&cur), ACL_SUCCESS);
    EXPECT_EQ(cur, ctx);
    int32_t d = -1;
    EXPECT_EQ(aclrtGetDevice(&d), ACL_SUCCESS);
    EXPECT_EQ(d, 0);
    void *p;
    EXPECT_EQ(aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(p), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyContext(ctx), ACL_SUCCESS);
    // The destroyed context was current: the thread has none now.
    EXPECT_EQ(aclrtGetCurrentContext(&cur), ACL_ERROR_RT_CONTEXT_NULL);
}

TEST_F(AclTest, CreateContextRejectsBadArguments)
{
    aclrtContext ctx;
    EXPECT_EQ(aclrtCreateContext(nullptr, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtCreateContext(&ctx, 5), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_EQ(aclrtCreateContext(&ctx, -1), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_EQ(aclrtGetCurrentContext(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSetCurrentContext(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtDestroyContext(nullptr), ACL_ERROR_INVALID_PARAM);
}

TEST_F(AclTest, DestroyedContextIsRefusedNotCrashed)
{
    aclrtContext ctx;
    ASSERT_EQ(aclrtCreateContext(&ctx, 0), ACL_SUCCESS);
    ASSERT_EQ(aclrtDestroyContext(ctx), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyContext(ctx), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_NE(TakeErrMsg().find("not a live context"), std::string::npos);
    EXPECT_EQ(aclrtSetCurrentContext(ctx), ACL_ERROR_INVALID_RESOURCE_HANDLE);
}

TEST_F(AclTest, GarbageHandlesAreRefused)
{
    int local = 0;
    char junk[64] = {0};
    EXPECT_EQ(aclrtSetCurrentContext(&local), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(aclrtDestroyContext(junk), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(aclrtDestroyContext(reinterpret_cast<void *>(0x10)), ACL_ERROR_INVALID_RESOURCE_HANDLE);
}

TEST_F(AclTest, DefaultContextCannotBeDestroyed)
{
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    aclrtContext dflt;
    ASSERT_EQ(aclrtGetCurrentContext(&dflt), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyContext(dflt), ACL_ERROR_INVALID_PARAM);
    EXPECT_NE(TakeErrMsg().find("default context"), std::string::npos);
    aclrtContext still;
    EXPECT_EQ(aclrtGetCurrentContext(&still), ACL_SUCCESS);
    EXPECT_EQ(still, dflt);
    EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
}

TEST_F(AclTest, SetDeviceSwitchesBackToDefaultContext)
{
    aclrtContext mine, cur;
    ASSERT_EQ(aclrtCreateContext(&mine, 0), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    ASSERT_EQ(aclrtGetCurrentContext(&cur), ACL_SUCCESS);
    EXPECT_NE(cur, mine);
    ASSERT_EQ(aclrtSetCurrentContext(mine), ACL_SUCCESS);
    ASSERT_EQ(aclrtGetCurrentContext(&cur), ACL_SUCCESS);
    EXPECT_EQ(cur, mine);
    // Resetting the device leaves explicit contexts alone.
    EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
    ASSERT_EQ(aclrtGetCurrentContext(&cur), ACL_SUCCESS);
    EXPECT_EQ(cur, mine);
    EXPECT_EQ(aclrtDestroyContext(mine), ACL_SUCCESS);
}

TEST_F(AclTest, CurrentContextIsPerThreadAndShareable)
{
    aclrtContext ctx;
    ASSERT_EQ(aclrtCreateContext(&ctx, 0), ACL_SUCCESS);
    std::thread t([&] {
        aclrtContext cur;
        EXPECT_EQ(aclrtGetCurrentContext(&cur), ACL_ERROR_RT_CONTEXT_NULL);
        ASSERT_EQ(aclrtSetCurrentContext(ctx), ACL_SUCCESS);
        ASSERT_EQ(aclrtGetCurrentContext(&cur), ACL_SUCCESS);
        EXPECT_EQ(cur, ctx);
        void *p;
        EXPECT_EQ(aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
        EXPECT_EQ(aclrtFree(p), ACL_SUCCESS);
    });
    t.join();
    EXPECT_EQ(aclrtDestroyContext(ctx), ACL_SUCCESS);
}

TEST_F(AclTest, ContextDestroyedOnAnotherThreadIsNoLongerCurrentHere)
{
    aclrtContext ctx;
    ASSERT_EQ(aclrtCreateContext(&ctx, 0), ACL_SUCCESS);
    std::thread t([&] { EXPECT_EQ(aclrtDestroyContext(ctx), ACL_SUCCESS); });
    t.join();
    aclrtContext cur;
    EXPECT_EQ(aclrtGetCurrentContext(&cur), ACL_ERROR_RT_CONTEXT_NULL);
    void *p;
    EXPECT_EQ(aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_RT_CONTEXT_NULL);
    // A new context at (possibly) the same address does not revive the old one.
    aclrtContext other;
    std::thread t2([&] { ASSERT_EQ(aclrtCreateContext(&other, 0), ACL_SUCCESS); });
    t2.join();
    EXPECT_EQ(aclrtGetCurrentContext(&cur), ACL_ERROR_RT_CONTEXT_NULL);
    EXPECT_EQ(aclrtDestroyContext(other), ACL_SUCCESS);
}

TEST_F(AclTest, ConcurrentDestroyOfOneContextSucceedsOnce)
{
    for (int round = 0; round < 50; round++) {
        aclrtContext ctx;
        ASSERT_EQ(aclrtCreateContext(&ctx, 0), ACL_SUCCESS);
        std::atomic<int> ok{0}, refused{0};
        std::vector<std::thread> ts;
        for (int i = 0; i < 4; i++)
            ts.emplace_back([&] {
                aclError rc = aclrtDestroyContext(ctx);
                if (rc == ACL_SUCCESS)
                    ok++;
                else if (rc == ACL_ERROR_INVALID_RESOURCE_HANDLE)
                    refused++;
            });
        for (auto &t : ts)
            t.join();
        ASSERT_EQ(ok.load(), 1);
        ASSERT_EQ(refused.load(), 3);
    }
}

TEST_F(AclTest, ManyContextsAcrossThreads)
{
    std::vector<std::thread> ts;
    std::atomic<int> failures{0};
    for (int i = 0; i < 8; i++)
        ts.emplace_back([&] {
            for (int k = 0; k < 100; k++) {
                aclrtContext c, cur;
                if (aclrtCreateContext(&c, 0) != ACL_SUCCESS)
                    failures++;
                if (aclrtGetCurrentContext(&cur) != ACL_SUCCESS || cur != c)
                    failures++;
                if (aclrtDestroyContext(c) != ACL_SUCCESS)
                    failures++;
            }
        });
    for (auto &t : ts)
        t.join();
    EXPECT_EQ(failures.load(), 0);
}
