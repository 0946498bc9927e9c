// TDT channels (acl/acl_tdt.h): items and datasets with their error codes,
// copy-on-send, FIFO order across threads, capacity and timeouts as
// AscendCL documents them (-1 waits, 0 fails at once with QUEUE_FULL /
// QUEUE_EMPTY, >0 waits that long), stop and destroy waking waiters.
#include <string.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "acl/acl_tdt.h"
#include "test_util.h"

namespace {

class Tdt : public DeviceTest {};

acltdtDataset *FloatDataset(std::vector<float> &v)
{
    int64_t dims[2] = {1, (int64_t)v.size()};
    acltdtDataItem *it = acltdtCreateDataItem(ACL_TENSOR_DATA_TENSOR, dims, 2, ACL_FLOAT, v.data(), v.size() * 4);
    EXPECT_NE(it, nullptr);
    acltdtDataset *ds = acltdtCreateDataset();
    EXPECT_EQ(acltdtAddDataItem(ds, it), ACL_SUCCESS);
    return ds;
}

void DestroyWithItems(acltdtDataset *ds)
{
    for (size_t i = 0; i < acltdtGetDatasetSize(ds); i++)
        EXPECT_EQ(acltdtDestroyDataItem(acltdtGetDataItem(ds, i)), ACL_SUCCESS);
    EXPECT_EQ(acltdtDestroyDataset(ds), ACL_SUCCESS);
}

TEST_F(Tdt, ItemsAndDatasets)
{
    float data[6] = {1, 2, 3, 4, 5, 6};
    int64_t dims[2] = {2, 3};
    acltdtDataItem *it = acltdtCreateDataItem(ACL_TENSOR_DATA_TENSOR, dims, 2, ACL_FLOAT, data, sizeof data);
    ASSERT_NE(it, nullptr);
    EXPECT_EQ(acltdtGetTensorTypeFromItem(it), ACL_TENSOR_DATA_TENSOR);
    EXPECT_EQ(acltdtGetDataTypeFromItem(it), ACL_FLOAT);
    EXPECT_EQ(acltdtGetDataAddrFromItem(it), data); // the application's bytes, not copied
    EXPECT_EQ(acltdtGetDataSizeFromItem(it), sizeof data);
    EXPECT_EQ(acltdtGetDimNumFromItem(it), 2u);
    int64_t out[4] = {0};
    EXPECT_EQ(acltdtGetDimsFromItem(it, out, 4), ACL_SUCCESS);
    EXPECT_EQ(out[0], 2);
    EXPECT_EQ(out[1], 3);
    EXPECT_EQ(acltdtGetDimsFromItem(it, out, 1), ACL_ERROR_INVALID_PARAM);
    size_t n = 9, id = 9;
    EXPECT_EQ(acltdtGetSliceInfoFromItem(it, nullptr, &id), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acltdtGetSliceInfoFromItem(nullptr, &n, &id), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acltdtGetDimsFromItem(nullptr, out, 4), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acltdtGetDataAddrFromItem(nullptr), nullptr);
    EXPECT_EQ(acltdtGetSliceInfoFromItem(it, &n, &id), ACL_SUCCESS);
    EXPECT_EQ(n, 0u);
    EXPECT_EQ(id, 0u);
    // bad items
    EXPECT_EQ(acltdtCreateDataItem((acltdtTensorType)9, dims, 2, ACL_FLOAT, data, 4), nullptr);
    EXPECT_EQ(acltdtCreateDataItem(ACL_TENSOR_DATA_TENSOR, nullptr, 2, ACL_FLOAT, data, 4), nullptr);
    EXPECT_EQ(acltdtCreateDataItem(ACL_TENSOR_DATA_TENSOR, dims, 2, ACL_FLOAT, nullptr, 4), nullptr);
    acltdtDataItem *eos = acltdtCreateDataItem(ACL_TENSOR_DATA_END_OF_SEQUENCE, nullptr, 0, ACL_DT_UNDEFINED,
                                               nullptr, 0);
    ASSERT_NE(eos, nullptr);
    TakeErrMsg();
    // datasets
    acltdtDataset *ds = acltdtCreateDataset();
    ASSERT_NE(ds, nullptr);
    EXPECT_EQ(acltdtGetDatasetSize(ds), 0u);
    EXPECT_STREQ(acltdtGetDatasetName(ds), "");
    EXPECT_EQ(acltdtAddDataItem(ds, it), ACL_SUCCESS);
    EXPECT_EQ(acltdtAddDataItem(ds, eos), ACL_SUCCESS);
    EXPECT_EQ(acltdtGetDatasetSize(ds), 2u);
    EXPECT_EQ(acltdtGetDataItem(ds, 1), eos);
    EXPECT_EQ(acltdtGetDataItem(ds, 2), nullptr);
    EXPECT_EQ(acltdtAddDataItem(ds, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acltdtAddDataItem(nullptr, it), ACL_ERROR_INVALID_PARAM);
    // destroying the dataset leaves the application's items alone
    EXPECT_EQ(acltdtDestroyDataset(ds), ACL_SUCCESS);
    EXPECT_EQ(acltdtDestroyDataset(ds), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(acltdtGetDataSizeFromItem(it), sizeof data);
    EXPECT_EQ(acltdtDestroyDataItem(it), ACL_SUCCESS);
    EXPECT_EQ(acltdtDestroyDataItem(it), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(acltdtGetDataSizeFromItem(it), 0u);
    EXPECT_EQ(acltdtGetTensorTypeFromItem(it), ACL_TENSOR_DATA_UNDEFINED);
    EXPECT_EQ(acltdtDestroyDataItem(eos), ACL_SUCCESS);
    TakeErrMsg();
}

TEST_F(Tdt, ChannelArgumentsAreChecked)
{
    EXPECT_EQ(acltdtCreateChannelWithCapacity(0, "c", 1), nullptr); // AscendCL: capacity 2..8192
    EXPECT_EQ(acltdtCreateChannelWithCapacity(0, "c", 8193), nullptr);
    EXPECT_EQ(acltdtCreateChannel(7, "c"), nullptr);
    EXPECT_EQ(aclrtGetLastError(ACL_RT_THREAD_LEVEL), ACL_ERROR_RT_INVALID_DEVICEID);
    EXPECT_EQ(acltdtCreateChannel(0, nullptr), nullptr);
    EXPECT_EQ(acltdtCreateChannel(0, ""), nullptr);
    acltdtChannelHandle *c = acltdtCreateChannelWithCapacity(0, "c", 2);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(acltdtCreateChannel(0, "c"), nullptr); // one channel per name on a device
    EXPECT_NE(TakeErrMsg().find("already has a channel"), std::string::npos);
    size_t size = 9;
    EXPECT_EQ(acltdtQueryChannelSize(c, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acltdtQueryChannelSize(nullptr, &size), ACL_ERROR_INVALID_PARAM);
    acltdtDataset *ds = acltdtCreateDataset();
    EXPECT_EQ(acltdtSendTensor(c, ds, -2), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acltdtSendTensor(c, nullptr, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acltdtReceiveTensor(nullptr, ds, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acltdtStopChannel(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acltdtCleanChannel(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acltdtDestroyChannel(c), ACL_SUCCESS);
    EXPECT_EQ(acltdtDestroyChannel(c), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(acltdtStopChannel(c), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(acltdtCleanChannel(c), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(acltdtQueryChannelSize(c, &size), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(acltdtSendTensor(c, ds, 0), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(acltdtDestroyDataset(ds), ACL_SUCCESS);
    TakeErrMsg();
}

TEST_F(Tdt, SendCopiesAndReceiveOwnsTheCopy)
{
    acltdtChannelHandle *c = acltdtCreateChannelWithCapacity(0, "copy", 4);
    ASSERT_NE(c, nullptr);
    std::vector<float> v = {1, 2, 3, 4};
    acltdtDataset *send = FloatDataset(v);
    ASSERT_EQ(acltdtSendTensor(c, send, 1000), ACL_SUCCESS);
    v[0] = 99; // the channel holds its own copy
    size_t size = 0;
    ASSERT_EQ(acltdtQueryChannelSize(c, &size), ACL_SUCCESS);
    EXPECT_EQ(size, 1u);
    acltdtDataset *recv = acltdtCreateDataset();
    ASSERT_EQ(acltdtReceiveTensor(c, recv, 1000), ACL_SUCCESS);
    ASSERT_EQ(acltdtQueryChannelSize(c, &size), ACL_SUCCESS);
    EXPECT_EQ(size, 0u);
    ASSERT_EQ(acltdtGetDatasetSize(recv), 1u);
    EXPECT_STREQ(acltdtGetDatasetName(recv), "copy");
    acltdtDataItem *it = acltdtGetDataItem(recv, 0);
    ASSERT_NE(it, nullptr);
    EXPECT_EQ(acltdtGetDataSizeFromItem(it), 16u);
    EXPECT_EQ(acltdtGetDataTypeFromItem(it), ACL_FLOAT);
    const float *got = static_cast<const float *>(acltdtGetDataAddrFromItem(it));
    ASSERT_NE(got, nullptr);
    EXPECT_NE(got, v.data());
    EXPECT_EQ(got[0], 1.0f);
    EXPECT_EQ(got[3], 4.0f);
    int64_t dims[2];
    EXPECT_EQ(acltdtGetDimsFromItem(it, dims, 2), ACL_SUCCESS);
    EXPECT_EQ(dims[1], 4);
    // a received item belongs to its dataset
    EXPECT_EQ(acltdtDestroyDataItem(it), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acltdtAddDataItem(send, it), ACL_ERROR_INVALID_PARAM);
    // receiving into a dataset holding the application's items is refused
    ASSERT_EQ(acltdtSendTensor(c, send, 0), ACL_SUCCESS);
    EXPECT_EQ(acltdtReceiveTensor(c, send, 0), ACL_ERROR_INVALID_PARAM);
    // receiving again replaces the earlier received items
    ASSERT_EQ(acltdtReceiveTensor(c, recv, 0), ACL_SUCCESS);
    EXPECT_EQ(acltdtGetDatasetSize(recv), 1u);
    EXPECT_EQ(acltdtGetDataSizeFromItem(it), 0u); // the old item is gone
    EXPECT_EQ(static_cast<const float *>(acltdtGetDataAddrFromItem(acltdtGetDataItem(recv, 0)))[0], 99.0f);
    EXPECT_EQ(acltdtDestroyDataset(recv), ACL_SUCCESS);
    DestroyWithItems(send);
    EXPECT_EQ(acltdtDestroyChannel(c), ACL_SUCCESS);
    TakeErrMsg();
}

TEST_F(Tdt, CapacityAndTimeouts)
{
    acltdtChannelHandle *c = acltdtCreateChannelWithCapacity(0, "cap", 2);
    ASSERT_NE(c, nullptr);
    std::vector<float> v = {5};
    acltdtDataset *send = FloatDataset(v), *recv = acltdtCreateDataset();
    EXPECT_EQ(acltdtReceiveTensor(c, recv, 0), ACL_ERROR_RT_QUEUE_EMPTY);
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(acltdtReceiveTensor(c, recv, 30), ACL_ERROR_RT_QUEUE_EMPTY);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(29));
    EXPECT_EQ(acltdtSendTensor(c, send, 0), ACL_SUCCESS);
    EXPECT_EQ(acltdtSendTensor(c, send, 0), ACL_SUCCESS);
    EXPECT_EQ(acltdtSendTensor(c, send, 0), ACL_ERROR_RT_QUEUE_FULL);
    t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(acltdtSendTensor(c, send, 30), ACL_ERROR_RT_QUEUE_FULL);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(29));
    // a waiting sender gets in when a receiver makes room
    std::thread rx([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        acltdtDataset *r = acltdtCreateDataset();
        EXPECT_EQ(acltdtReceiveTensor(c, r, -1), ACL_SUCCESS);
        acltdtDestroyDataset(r);
    });
    EXPECT_EQ(acltdtSendTensor(c, send, -1), ACL_SUCCESS);
    rx.join();
    size_t size = 0;
    EXPECT_EQ(acltdtQueryChannelSize(c, &size), ACL_SUCCESS);
    EXPECT_EQ(size, 2u);
    EXPECT_EQ(acltdtCleanChannel(c), ACL_SUCCESS);
    EXPECT_EQ(acltdtQueryChannelSize(c, &size), ACL_SUCCESS);
    EXPECT_EQ(size, 0u);
    EXPECT_EQ(acltdtDestroyDataset(recv), ACL_SUCCESS);
    DestroyWithItems(send);
    EXPECT_EQ(acltdtDestroyChannel(c), ACL_SUCCESS);
    TakeErrMsg();
}

TEST_F(Tdt, ThreadsKeepFifoOrder)
{
    acltdtChannelHandle *c = acltdtCreateChannelWithCapacity(0, "fifo", 8);
    ASSERT_NE(c, nullptr);
    const int n = 2000;
    std::thread tx([&] {
        for (int i = 0; i < n; i++) {
            std::vector<float> v = {(float)i};
            acltdtDataset *ds = FloatDataset(v);
            EXPECT_EQ(acltdtSendTensor(c, ds, -1), ACL_SUCCESS);
            DestroyWithItems(ds);
        }
    });
    acltdtDataset *r = acltdtCreateDataset();
    for (int i = 0; i < n; i++) {
        ASSERT_EQ(acltdtReceiveTensor(c, r, -1), ACL_SUCCESS);
        ASSERT_EQ(static_cast<const float *>(acltdtGetDataAddrFromItem(acltdtGetDataItem(r, 0)))[0], (float)i);
    }
    tx.join();
    EXPECT_EQ(acltdtDestroyDataset(r), ACL_SUCCESS);
    EXPECT_EQ(acltdtDestroyChannel(c), ACL_SUCCESS);
}

TEST_F(Tdt, ManyProducersAndConsumersLoseAndRepeatNothing)
{
    acltdtChannelHandle *c = acltdtCreateChannelWithCapacity(0, "many", 4);
    ASSERT_NE(c, nullptr);
    const int producers = 4, consumers = 4, each = 300;
    std::vector<std::vector<int>> seen(consumers);
    std::vector<std::thread> ts;
    for (int p = 0; p < producers; p++)
        ts.emplace_back([&, p] {
            for (int i = 0; i < each; i++) {
                std::vector<float> v = {(float)(p * each + i)};
                acltdtDataset *ds = FloatDataset(v);
                EXPECT_EQ(acltdtSendTensor(c, ds, -1), ACL_SUCCESS);
                DestroyWithItems(ds);
            }
        });
    for (int q = 0; q < consumers; q++)
        ts.emplace_back([&, q] {
            acltdtDataset *r = acltdtCreateDataset();
            for (int i = 0; i < producers * each / consumers; i++) {
                ASSERT_EQ(acltdtReceiveTensor(c, r, -1), ACL_SUCCESS);
                seen[q].push_back(
                    (int)static_cast<const float *>(acltdtGetDataAddrFromItem(acltdtGetDataItem(r, 0)))[0]);
            }
            acltdtDestroyDataset(r);
        });
    for (auto &t : ts)
        t.join();
    std::vector<int> all;
    for (auto &v : seen) {
        // each consumer sees each producer's values in the order sent
        std::vector<int> last(producers, -1);
        for (int x : v) {
            EXPECT_GT(x, last[x / each]);
            last[x / each] = x;
        }
        all.insert(all.end(), v.begin(), v.end());
    }
    std::sort(all.begin(), all.end());
    ASSERT_EQ(all.size(), (size_t)(producers * each));
    for (int i = 0; i < producers * each; i++)
        ASSERT_EQ(all[i], i);
    EXPECT_EQ(acltdtDestroyChannel(c), ACL_SUCCESS);
}

TEST_F(Tdt, StopAndDestroyWakeWaiters)
{
    acltdtChannelHandle *c = acltdtCreateChannel(0, "stop");
    ASSERT_NE(c, nullptr);
    aclError got = ACL_SUCCESS;
    std::thread rx([&] {
        acltdtDataset *r = acltdtCreateDataset();
        got = acltdtReceiveTensor(c, r, -1);
        acltdtDestroyDataset(r);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    EXPECT_EQ(acltdtStopChannel(c), ACL_SUCCESS); // from a third thread, as AscendCL asks
    rx.join();
    EXPECT_EQ(got, ACL_ERROR_FAILURE);
    EXPECT_EQ(acltdtDestroyChannel(c), ACL_SUCCESS);

    c = acltdtCreateChannel(0, "destroy"); // a destroy wakes a waiter as well
    ASSERT_NE(c, nullptr);
    std::thread rx2([&] {
        acltdtDataset *r = acltdtCreateDataset();
        got = acltdtReceiveTensor(c, r, -1);
        acltdtDestroyDataset(r);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    EXPECT_EQ(acltdtDestroyChannel(c), ACL_SUCCESS);
    rx2.join();
    EXPECT_EQ(got, ACL_ERROR_FAILURE);
    TakeErrMsg();
}

TEST(TdtFinalize, ChannelsLeftOpenAreClosedByFinalize)
{
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    acltdtChannelHandle *c = acltdtCreateChannel(0, "left");
    ASSERT_NE(c, nullptr);
    std::vector<float> v = {1, 2};
    acltdtDataset *ds = FloatDataset(v);
    ASSERT_EQ(acltdtSendTensor(c, ds, 0), ACL_SUCCESS);
    DestroyWithItems(ds);
    ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
    size_t size;
    EXPECT_EQ(acltdtQueryChannelSize(c, &size), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    c = acltdtCreateChannel(0, "left"); // the name is free again
    EXPECT_NE(c, nullptr);
    EXPECT_EQ(acltdtDestroyChannel(c), ACL_SUCCESS);
    ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
    TakeErrMsg();
}

} // namespace

// A dataset with no items is a message too: it arrives with none.
TEST_F(DeviceTest, EmptyDatasetsTravel)
{
    acltdtChannelHandle *ch = acltdtCreateChannelWithCapacity(0, "empty", 2);
    ASSERT_NE(ch, nullptr);
    acltdtDataset *out = acltdtCreateDataset(), *in = acltdtCreateDataset();
    ASSERT_EQ(acltdtSendTensor(ch, out, 0), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(acltdtReceiveTensor(ch, in, 0), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(acltdtGetDatasetSize(in), 0u);
    EXPECT_EQ(acltdtDestroyDataset(in), ACL_SUCCESS);
    EXPECT_EQ(acltdtDestroyDataset(out), ACL_SUCCESS);
    EXPECT_EQ(acltdtDestroyChannel(ch), ACL_SUCCESS);
}
