// CANN 8 queries on a CPU: the last error record, device error detail,
// package versions, CANN attributes, capabilities, arch compatibility.
#include <string.h>

#include "test_util.h"

TEST_F(DeviceTest, LastErrorIsPerThreadAndGetClearsItButNotTheMessages)
{
    EXPECT_EQ(aclrtGetLastError(ACL_RT_THREAD_LEVEL), ACL_SUCCESS);
    EXPECT_EQ(aclrtGetRunMode(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtPeekAtLastError(ACL_RT_THREAD_LEVEL), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtPeekAtLastError(ACL_RT_THREAD_LEVEL), ACL_ERROR_INVALID_PARAM); // peek keeps it
    // another thread has its own record
    aclError other = ACL_ERROR_FAILURE;
    std::thread([&] { other = aclrtPeekAtLastError(ACL_RT_THREAD_LEVEL); }).join();
    EXPECT_EQ(other, ACL_SUCCESS);
    // a later error replaces it; success does not clear it
    EXPECT_EQ(aclrtFree(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtSetDevice(77), ACL_ERROR_RT_INVALID_DEVICEID);
    aclrtRunMode m;
    EXPECT_EQ(aclrtGetRunMode(&m), ACL_SUCCESS);
    EXPECT_EQ(aclrtGetLastError(ACL_RT_THREAD_LEVEL), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_EQ(aclrtGetLastError(ACL_RT_THREAD_LEVEL), ACL_SUCCESS); // cleared
    EXPECT_NE(TakeErrMsg().find("77"), std::string::npos);          // the messages were not
    // an unknown level is refused without touching the record
    EXPECT_EQ(aclrtSetDevice(78), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_EQ(aclrtGetLastError((aclrtLastErrLevel)5), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtGetLastError(ACL_RT_THREAD_LEVEL), ACL_ERROR_RT_INVALID_DEVICEID);
    TakeErrMsg();
}

TEST_F(DeviceTest, ErrorDetailOfACpuDevice)
{
    aclrtErrorInfo info;
    memset(&info, 0xff, sizeof info);
    EXPECT_EQ(aclrtGetErrorVerbose(0, &info), ACL_SUCCESS);
    EXPECT_EQ(info.errorType, ACL_RT_NO_ERROR);
    EXPECT_EQ(info.tryRepair, 0);
    EXPECT_EQ(info.hasDetail, 0);
    EXPECT_EQ(aclrtGetErrorVerbose(0, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtGetErrorVerbose(9, &info), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_EQ(aclrtRepairError(0, &info), ACL_SUCCESS);
    info.errorType = ACL_RT_ERROR_MEMORY;
    EXPECT_EQ(aclrtRepairError(0, &info), ACL_ERROR_FEATURE_UNSUPPORTED);
    EXPECT_EQ(aclrtRepairError(0, nullptr), ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
}

TEST_F(AclTest, VersionsAndAttributes)
{
    char name[] = "runtime", cann[] = "cann", driver[] = "driver";
    char v[ACL_PKG_VERSION_MAX_SIZE] = {0};
    int32_t n = -1;
    EXPECT_EQ(aclsysGetVersionStr(name, v), ACL_SUCCESS);
    EXPECT_STREQ(v, "0.1.0");
    EXPECT_EQ(aclsysGetVersionNum(name, &n), ACL_SUCCESS);
    EXPECT_EQ(n, 1000);
    EXPECT_EQ(aclsysGetVersionNum(cann, &n), ACL_SUCCESS);
    EXPECT_EQ(aclsysGetVersionStr(driver, v), ACL_ERROR_INVALID_FILE);
    EXPECT_NE(TakeErrMsg().find("driver"), std::string::npos);
    EXPECT_EQ(aclsysGetVersionStr(nullptr, v), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclsysGetVersionNum(name, nullptr), ACL_ERROR_INVALID_PARAM);

    const aclCannAttr *list = nullptr;
    size_t count = 0;
    ASSERT_EQ(aclGetCannAttributeList(&list, &count), ACL_SUCCESS);
    ASSERT_EQ(count, 3u);
    int32_t val = -1;
    for (size_t i = 0; i < count; i++) {
        EXPECT_EQ(aclGetCannAttribute(list[i], &val), ACL_SUCCESS);
        EXPECT_TRUE(val == 0 || val == 1);
    }
    EXPECT_EQ(aclGetCannAttribute(ACL_CANN_ATTR_INF_NAN, &val), ACL_SUCCESS);
    EXPECT_EQ(val, 1);
    EXPECT_EQ(aclGetCannAttribute(ACL_CANN_ATTR_JIT_COMPILE, &val), ACL_SUCCESS);
    EXPECT_EQ(val, 0);
    EXPECT_EQ(aclGetCannAttribute(ACL_CANN_ATTR_BF16, &val), ACL_SUCCESS);
    EXPECT_EQ(val, __builtin_cpu_supports("avx512bf16") ? 1 : 0);
    EXPECT_EQ(aclGetCannAttribute(ACL_CANN_ATTR_UNDEFINED, &val), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclGetCannAttributeList(nullptr, &count), ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
}

TEST_F(DeviceTest, CapabilitiesAndCompatibility)
{
    int32_t v = -1;
    EXPECT_EQ(aclrtGetDeviceCapability(0, ACL_FEATURE_TSCPU_TASK_UPDATE_SUPPORT_AIC_AIV, &v), ACL_SUCCESS);
    EXPECT_EQ(v, 0);
    EXPECT_EQ(aclrtGetDeviceCapability(0, ACL_FEATURE_SYSTEM_MEMQ_EVENT_CROSS_DEV, &v), ACL_SUCCESS);
    EXPECT_EQ(v, 0);
    EXPECT_EQ(aclrtGetDeviceCapability(0, (aclrtDevFeatureType)2, &v), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtGetDeviceCapability(5, ACL_FEATURE_SYSTEM_MEMQ_EVENT_CROSS_DEV, &v), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_EQ(aclrtGetDeviceCapability(0, ACL_FEATURE_SYSTEM_MEMQ_EVENT_CROSS_DEV, nullptr), ACL_ERROR_INVALID_PARAM);
    int32_t ok = -1;
    EXPECT_EQ(aclrtCheckArchCompatibility(aclrtGetSocName(), &ok), ACL_SUCCESS);
    EXPECT_EQ(ok, 1);
    EXPECT_EQ(aclrtCheckArchCompatibility("Ascend910B1", &ok), ACL_SUCCESS);
    EXPECT_EQ(ok, 0);
    EXPECT_EQ(aclrtCheckArchCompatibility(nullptr, &ok), ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
}

// Peer access between two simulated devices: a device-to-device copy across
// them needs it (enabled from either side); INTER_DEVICE_TO_DEVICE does not.
TEST(PeerAccess, CrossDeviceCopiesNeedIt)
{
    TempFile cfg(R"({"hostacl": {"device_count": 2}})");
    ASSERT_EQ(aclInit(cfg.path()), ACL_SUCCESS);
    int32_t can = -1;
    EXPECT_EQ(aclrtDeviceCanAccessPeer(&can, 0, 1), ACL_SUCCESS);
    EXPECT_EQ(can, 1);
    EXPECT_EQ(aclrtDeviceCanAccessPeer(&can, 1, 1), ACL_SUCCESS);
    EXPECT_EQ(can, 0);
    EXPECT_EQ(aclrtDeviceCanAccessPeer(&can, 0, 5), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_EQ(aclrtDeviceCanAccessPeer(nullptr, 0, 1), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    void *d0, *d1;
    ASSERT_EQ(aclrtMalloc(&d0, 64, ACL_MEM_MALLOC_HUGE_FIRST_P2P), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemset(d0, 64, 7, 64), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(1), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&d1, 64, ACL_MEM_MALLOC_HUGE_FIRST_P2P), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(d1, 64, d0, 64, ACL_MEMCPY_DEVICE_TO_DEVICE), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_NE(TakeErrMsg().find("aclrtDeviceEnablePeerAccess"), std::string::npos);
    EXPECT_EQ(aclrtMemcpy(d1, 64, d0, 64, ACL_MEMCPY_INTER_DEVICE_TO_DEVICE), ACL_SUCCESS);
    EXPECT_EQ(aclrtDeviceEnablePeerAccess(1, 0), ACL_ERROR_INVALID_PARAM); // itself
    EXPECT_EQ(aclrtDeviceEnablePeerAccess(0, 3), ACL_ERROR_INVALID_PARAM); // flags
    EXPECT_EQ(aclrtDeviceDisablePeerAccess(0), ACL_ERROR_INVALID_PARAM);   // not enabled
    ASSERT_EQ(aclrtDeviceEnablePeerAccess(0, 0), ACL_SUCCESS);
    EXPECT_EQ(aclrtDeviceEnablePeerAccess(0, 0), ACL_SUCCESS); // harmless twice
    ASSERT_EQ(aclrtMemset(d1, 64, 0, 64), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(d1, 64, d0, 64, ACL_MEMCPY_DEVICE_TO_DEVICE), ACL_SUCCESS);
    unsigned char back[64];
    ASSERT_EQ(aclrtMemcpy(back, 64, d1, 64, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(back[63], 7);
    EXPECT_EQ(aclrtMemcpy(d0, 64, d1, 64, ACL_MEMCPY_DEVICE_TO_DEVICE), ACL_SUCCESS); // either direction
    EXPECT_EQ(aclrtDeviceDisablePeerAccess(0), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(d1, 64, d0, 64, ACL_MEMCPY_DEVICE_TO_DEVICE), ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclrtFree(d1), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(d0), ACL_SUCCESS);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
    TakeErrMsg();
}
