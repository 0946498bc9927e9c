// TDT queues, shared buffers and routes (acl/acl_tdt_queue.h): attributes,
// copying and buffer forms of enqueue/dequeue with AscendCL's timeouts,
// buffers leaving the application while queued, one-to-many routes sharing
// one buffer, cycles refused, queries, grant/attach, finalize.
#include <string.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "acl/acl_tdt_queue.h"
#include "test_util.h"

namespace {

class TdtQueue : public DeviceTest {
protected:
    uint32_t Make(uint32_t depth, const char *name = "q")
    {
        acltdtQueueAttr *a = acltdtCreateQueueAttr();
        EXPECT_NE(a, nullptr);
        EXPECT_EQ(acltdtSetQueueAttr(a, ACL_TDT_QUEUE_DEPTH_UINT32, sizeof depth, &depth), ACL_SUCCESS);
        EXPECT_EQ(acltdtSetQueueAttr(a, ACL_TDT_QUEUE_NAME_PTR, sizeof name, &name), ACL_SUCCESS);
        uint32_t qid = 0;
        EXPECT_EQ(acltdtCreateQueue(a, &qid), ACL_SUCCESS) << TakeErrMsg();
        EXPECT_EQ(acltdtDestroyQueueAttr(a), ACL_SUCCESS);
        return qid;
    }
};

TEST_F(TdtQueue, AttributesAndTheirErrors)
{
    acltdtQueueAttr *a = acltdtCreateQueueAttr();
    ASSERT_NE(a, nullptr);
    uint32_t depth = 0;
    size_t got = 0;
    ASSERT_EQ(acltdtGetQueueAttr(a, ACL_TDT_QUEUE_DEPTH_UINT32, sizeof depth, &got, &depth), ACL_SUCCESS);
    EXPECT_EQ(depth, 8u); // the default
    EXPECT_EQ(got, sizeof depth);
    uint32_t bad = 1;
    EXPECT_EQ(acltdtSetQueueAttr(a, ACL_TDT_QUEUE_DEPTH_UINT32, sizeof bad, &bad), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acltdtSetQueueAttr(a, ACL_TDT_QUEUE_DEPTH_UINT32, 2, &bad), ACL_ERROR_INVALID_PARAM);
    const char *name = "frames";
    ASSERT_EQ(acltdtSetQueueAttr(a, ACL_TDT_QUEUE_NAME_PTR, sizeof name, &name), ACL_SUCCESS);
    const char *back = nullptr;
    ASSERT_EQ(acltdtGetQueueAttr(a, ACL_TDT_QUEUE_NAME_PTR, sizeof back, &got, &back), ACL_SUCCESS);
    EXPECT_STREQ(back, "frames");
    EXPECT_NE(back, name); // the attribute keeps its own copy
    EXPECT_EQ(acltdtSetQueueAttr(a, (acltdtQueueAttrType)5, 4, &bad), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acltdtSetQueueAttr(nullptr, ACL_TDT_QUEUE_DEPTH_UINT32, 4, &bad), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acltdtDestroyQueueAttr(a), ACL_SUCCESS);
    EXPECT_EQ(acltdtDestroyQueueAttr(a), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    uint32_t qid;
    EXPECT_EQ(acltdtCreateQueue(a, &qid), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(acltdtDestroyQueue(12345), ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
}

TEST_F(TdtQueue, DataFormsCopyAndTimeOut)
{
    uint32_t q = Make(2);
    int payload[4] = {1, 2, 3, 4};
    char user[96] = "frame-1";
    EXPECT_EQ(acltdtEnqueueData(q, payload, sizeof payload, user, sizeof user, 0, 1), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acltdtEnqueueData(q, payload, sizeof payload, user, 97, 0, 0), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(acltdtEnqueueData(q, payload, sizeof payload, user, sizeof user, 0, 0), ACL_SUCCESS);
    payload[0] = 9; // copied when enqueued
    ASSERT_EQ(acltdtEnqueueData(q, payload, sizeof payload, nullptr, 0, 0, 0), ACL_SUCCESS);
    EXPECT_EQ(acltdtEnqueueData(q, payload, sizeof payload, nullptr, 0, 0, 0), ACL_ERROR_RT_QUEUE_FULL);
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(acltdtEnqueueData(q, payload, sizeof payload, nullptr, 0, 30, 0), ACL_ERROR_RT_QUEUE_FULL);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(29));
    int out[4] = {0};
    char ub[96] = {0};
    size_t n = 0;
    // too small a buffer: refused, the item stays queued
    EXPECT_EQ(acltdtDequeueData(q, out, 8, &n, ub, sizeof ub, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(n, sizeof payload);
    ASSERT_EQ(acltdtDequeueData(q, out, sizeof out, &n, ub, sizeof ub, 0), ACL_SUCCESS);
    EXPECT_EQ(n, sizeof payload);
    EXPECT_EQ(out[0], 1);
    EXPECT_STREQ(ub, "frame-1");
    ASSERT_EQ(acltdtDequeueData(q, out, sizeof out, &n, nullptr, 0, -1), ACL_SUCCESS);
    EXPECT_EQ(out[0], 9);
    EXPECT_EQ(acltdtDequeueData(q, out, sizeof out, &n, nullptr, 0, 0), ACL_ERROR_RT_QUEUE_EMPTY);
    EXPECT_EQ(acltdtDequeueData(q, out, sizeof out, &n, nullptr, 0, -5), ACL_ERROR_INVALID_PARAM);
    // a waiting consumer is woken by a producer on another thread
    std::thread tx([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        int v = 42;
        EXPECT_EQ(acltdtEnqueueData(q, &v, sizeof v, nullptr, 0, -1, 0), ACL_SUCCESS);
    });
    ASSERT_EQ(acltdtDequeueData(q, out, sizeof out, &n, nullptr, 0, -1), ACL_SUCCESS);
    EXPECT_EQ(out[0], 42);
    EXPECT_EQ(n, sizeof(int));
    tx.join();
    EXPECT_EQ(acltdtDestroyQueue(q), ACL_SUCCESS);
    EXPECT_EQ(acltdtEnqueueData(q, payload, 4, nullptr, 0, 0, 0), ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
}

TEST_F(TdtQueue, BuffersLeaveTheApplicationWhileQueued)
{
    uint32_t q = Make(4);
    acltdtBuf b = nullptr;
    ASSERT_EQ(acltdtAllocBuf(64, ACL_TDT_NORMAL_MEM, &b), ACL_SUCCESS);
    void *data;
    size_t size, len;
    ASSERT_EQ(acltdtGetBufData(b, &data, &size), ACL_SUCCESS);
    EXPECT_EQ(size, 64u);
    memcpy(data, "hello", 6);
    ASSERT_EQ(acltdtSetBufDataLen(b, 6), ACL_SUCCESS);
    EXPECT_EQ(acltdtSetBufDataLen(b, 65), ACL_ERROR_INVALID_PARAM);
    uint32_t tag = 7;
    ASSERT_EQ(acltdtSetBufUserData(b, &tag, 4, 92), ACL_SUCCESS);
    EXPECT_EQ(acltdtSetBufUserData(b, &tag, 4, 93), ACL_ERROR_INVALID_PARAM);
    acltdtBuf part = nullptr;
    ASSERT_EQ(acltdtAllocBuf(8, ACL_TDT_NORMAL_MEM, &part), ACL_SUCCESS);
    ASSERT_EQ(acltdtAppendBufChain(b, part), ACL_SUCCESS);
    EXPECT_EQ(acltdtFreeBuf(part), ACL_ERROR_INVALID_PARAM); // the head owns it
    uint32_t num = 0;
    ASSERT_EQ(acltdtGetBufChainNum(b, &num), ACL_SUCCESS);
    EXPECT_EQ(num, 2u);
    ASSERT_EQ(acltdtEnqueue(q, b, 0), ACL_SUCCESS);
    // queued: neither the head nor its chain is the application's
    EXPECT_EQ(acltdtGetBufDataLen(b, &len), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(acltdtGetBufDataLen(part, &len), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(acltdtFreeBuf(b), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    acltdtBuf got = nullptr;
    ASSERT_EQ(acltdtDequeue(q, &got, 0), ACL_SUCCESS);
    EXPECT_EQ(got, b);
    ASSERT_EQ(acltdtGetBufDataLen(got, &len), ACL_SUCCESS);
    EXPECT_EQ(len, 6u);
    uint32_t tag_back = 0;
    ASSERT_EQ(acltdtGetBufUserData(got, &tag_back, 4, 92), ACL_SUCCESS);
    EXPECT_EQ(tag_back, 7u);
    acltdtBuf second = nullptr;
    ASSERT_EQ(acltdtGetBufFromChain(got, 1, &second), ACL_SUCCESS);
    EXPECT_EQ(second, part);
    EXPECT_EQ(acltdtGetBufDataLen(second, &len), ACL_SUCCESS);
    EXPECT_EQ(acltdtGetBufFromChain(got, 2, &second), ACL_ERROR_INVALID_PARAM);
    // a second reference shares the data; each is freed on its own
    acltdtBuf ref = nullptr;
    ASSERT_EQ(acltdtCopyBufRef(got, &ref), ACL_SUCCESS);
    void *rd;
    ASSERT_EQ(acltdtGetBufData(ref, &rd, &size), ACL_SUCCESS);
    EXPECT_EQ(rd, data);
    EXPECT_EQ(acltdtFreeBuf(got), ACL_SUCCESS);
    EXPECT_EQ(acltdtFreeBuf(got), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(memcmp(rd, "hello", 6), 0);
    EXPECT_EQ(acltdtFreeBuf(ref), ACL_SUCCESS);
    EXPECT_EQ(acltdtAllocBuf(8, 5, &ref), ACL_ERROR_INVALID_PARAM);
    // a buffer refused by a full queue stays the application's
    uint32_t small = Make(2, "small");
    for (int i = 0; i < 2; i++)
        ASSERT_EQ(acltdtEnqueueData(small, "x", 1, nullptr, 0, 0, 0), ACL_SUCCESS);
    acltdtBuf keep = nullptr;
    ASSERT_EQ(acltdtAllocBuf(4, ACL_TDT_NORMAL_MEM, &keep), ACL_SUCCESS);
    EXPECT_EQ(acltdtEnqueue(small, keep, 0), ACL_ERROR_RT_QUEUE_FULL);
    EXPECT_EQ(acltdtFreeBuf(keep), ACL_SUCCESS);
    EXPECT_EQ(acltdtDestroyQueue(small), ACL_SUCCESS); // its queued items go with it
    EXPECT_EQ(acltdtDestroyQueue(q), ACL_SUCCESS);
    TakeErrMsg();
}

TEST_F(TdtQueue, RoutesForwardOneBufferToEveryDestinationAndRefuseCycles)
{
    uint32_t src = Make(4, "src"), d1 = Make(4, "d1"), d2 = Make(2, "d2");
    acltdtQueueRouteList *list = acltdtCreateQueueRouteList();
    acltdtQueueRoute *r1 = acltdtCreateQueueRoute(src, d1), *r2 = acltdtCreateQueueRoute(src, d2);
    ASSERT_EQ(acltdtAddQueueRoute(list, r1), ACL_SUCCESS);
    ASSERT_EQ(acltdtAddQueueRoute(list, r2), ACL_SUCCESS);
    EXPECT_EQ(acltdtGetQueueRouteNum(list), 2u);
    ASSERT_EQ(acltdtBindQueueRoutes(list), ACL_SUCCESS) << TakeErrMsg();
    acltdtQueueRoute *view = acltdtCreateQueueRoute(0, 0);
    int32_t status = -1;
    size_t n = 0;
    ASSERT_EQ(acltdtGetQueueRoute(list, 1, view), ACL_SUCCESS);
    ASSERT_EQ(acltdtGetQueueRouteParam(view, ACL_TDT_QUEUE_ROUTE_STATUS_INT32, 4, &n, &status), ACL_SUCCESS);
    EXPECT_EQ(status, ACL_TDT_QUEUE_ROUTE_BIND);
    // what enters src reaches both destinations, sharing one buffer
    ASSERT_EQ(acltdtEnqueueData(src, "abc", 4, nullptr, 0, 0, 0), ACL_SUCCESS);
    acltdtBuf a = nullptr, b = nullptr;
    ASSERT_EQ(acltdtDequeue(d1, &a, 0), ACL_SUCCESS);
    ASSERT_EQ(acltdtDequeue(d2, &b, 0), ACL_SUCCESS);
    void *pa, *pb;
    size_t sa, sb;
    ASSERT_EQ(acltdtGetBufData(a, &pa, &sa), ACL_SUCCESS);
    ASSERT_EQ(acltdtGetBufData(b, &pb, &sb), ACL_SUCCESS);
    EXPECT_EQ(pa, pb);
    EXPECT_STREQ(static_cast<char *>(pa), "abc");
    EXPECT_EQ(acltdtFreeBuf(a), ACL_SUCCESS);
    EXPECT_EQ(acltdtFreeBuf(b), ACL_SUCCESS);
    // a full destination holds the buffer in src until it drains
    for (int i = 0; i < 3; i++)
        ASSERT_EQ(acltdtEnqueueData(src, &i, sizeof i, nullptr, 0, 0, 0), ACL_SUCCESS);
    int v = -1;
    ASSERT_EQ(acltdtDequeueData(d2, &v, sizeof v, &n, nullptr, 0, 0), ACL_SUCCESS);
    EXPECT_EQ(v, 0);
    ASSERT_EQ(acltdtDequeueData(d2, &v, sizeof v, &n, nullptr, 0, 0), ACL_SUCCESS);
    EXPECT_EQ(v, 1);
    ASSERT_EQ(acltdtDequeueData(d2, &v, sizeof v, &n, nullptr, 0, 0), ACL_SUCCESS);
    EXPECT_EQ(v, 2); // moved on once d2 had room
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ(acltdtDequeueData(d1, &v, sizeof v, &n, nullptr, 0, 0), ACL_SUCCESS);
        EXPECT_EQ(v, i);
    }
    // a cycle (d1 -> src) and a repeated route are refused with their status
    acltdtQueueRouteList *bad = acltdtCreateQueueRouteList();
    acltdtQueueRoute *back = acltdtCreateQueueRoute(d1, src);
    ASSERT_EQ(acltdtAddQueueRoute(bad, back), ACL_SUCCESS);
    ASSERT_EQ(acltdtAddQueueRoute(bad, r1), ACL_SUCCESS);
    EXPECT_EQ(acltdtBindQueueRoutes(bad), ACL_ERROR_INVALID_PARAM);
    for (size_t i = 0; i < 2; i++) {
        ASSERT_EQ(acltdtGetQueueRoute(bad, i, view), ACL_SUCCESS);
        ASSERT_EQ(acltdtGetQueueRouteParam(view, ACL_TDT_QUEUE_ROUTE_STATUS_INT32, 4, &n, &status), ACL_SUCCESS);
        EXPECT_EQ(status, ACL_TDT_QUEUE_ROUTE_BIND_ABNORMAL) << i;
    }
    // queries
    acltdtQueueRouteQueryInfo *qi = acltdtCreateQueueRouteQueryInfo();
    acltdtQueueRouteList *ans = acltdtCreateQueueRouteList();
    EXPECT_EQ(acltdtQueryQueueRoutes(qi, ans), ACL_ERROR_INVALID_PARAM); // no mode
    acltdtQueueRouteQueryMode mode = ACL_TDT_QUEUE_ROUTE_QUERY_SRC;
    ASSERT_EQ(acltdtSetQueueRouteQueryInfo(qi, ACL_TDT_QUEUE_ROUTE_QUERY_MODE_ENUM, sizeof mode, &mode), ACL_SUCCESS);
    ASSERT_EQ(acltdtSetQueueRouteQueryInfo(qi, ACL_TDT_QUEUE_ROUTE_QUERY_SRC_ID_UINT32, 4, &src), ACL_SUCCESS);
    ASSERT_EQ(acltdtQueryQueueRoutes(qi, ans), ACL_SUCCESS);
    EXPECT_EQ(acltdtGetQueueRouteNum(ans), 2u);
    mode = ACL_TDT_QUEUE_ROUTE_QUERY_DST;
    ASSERT_EQ(acltdtSetQueueRouteQueryInfo(qi, ACL_TDT_QUEUE_ROUTE_QUERY_MODE_ENUM, sizeof mode, &mode), ACL_SUCCESS);
    ASSERT_EQ(acltdtSetQueueRouteQueryInfo(qi, ACL_TDT_QUEUE_ROUTE_QUERY_DST_ID_UINT32, 4, &d2), ACL_SUCCESS);
    ASSERT_EQ(acltdtQueryQueueRoutes(qi, ans), ACL_SUCCESS);
    ASSERT_EQ(acltdtGetQueueRouteNum(ans), 1u);
    uint32_t s = 0;
    ASSERT_EQ(acltdtGetQueueRoute(ans, 0, view), ACL_SUCCESS);
    ASSERT_EQ(acltdtGetQueueRouteParam(view, ACL_TDT_QUEUE_ROUTE_SRC_UINT32, 4, &n, &s), ACL_SUCCESS);
    EXPECT_EQ(s, src);
    // unbinding stops the forwarding; unbinding again fails
    ASSERT_EQ(acltdtUnbindQueueRoutes(list), ACL_SUCCESS);
    EXPECT_EQ(acltdtUnbindQueueRoutes(list), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(acltdtEnqueueData(src, "z", 2, nullptr, 0, 0, 0), ACL_SUCCESS);
    char z[2];
    EXPECT_EQ(acltdtDequeueData(d1, z, 2, &n, nullptr, 0, 0), ACL_ERROR_RT_QUEUE_EMPTY);
    EXPECT_EQ(acltdtDequeueData(src, z, 2, &n, nullptr, 0, 0), ACL_SUCCESS);
    // grant and attach: this process only
    uint32_t perm = 0;
    EXPECT_EQ(acltdtGrantQueue(src, getpid(), ACL_TDT_QUEUE_PERMISSION_ENQUEUE, 0), ACL_SUCCESS);
    EXPECT_EQ(acltdtGrantQueue(src, getpid() + 1, ACL_TDT_QUEUE_PERMISSION_ENQUEUE, 0),
              ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
    EXPECT_EQ(acltdtGrantQueue(src, getpid(), 8, 0), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(acltdtAttachQueue(src, 0, &perm), ACL_SUCCESS);
    EXPECT_EQ(perm, 7u);
    for (void *h : {(void *)r1, (void *)r2, (void *)back, (void *)view})
        EXPECT_EQ(acltdtDestroyQueueRoute(static_cast<acltdtQueueRoute *>(h)), ACL_SUCCESS);
    EXPECT_EQ(acltdtDestroyQueueRouteList(list), ACL_SUCCESS);
    EXPECT_EQ(acltdtDestroyQueueRouteList(bad), ACL_SUCCESS);
    EXPECT_EQ(acltdtDestroyQueueRouteList(ans), ACL_SUCCESS);
    EXPECT_EQ(acltdtDestroyQueueRouteQueryInfo(qi), ACL_SUCCESS);
    // destroying a queue removes its routes
    for (uint32_t q : {src, d1, d2})
        EXPECT_EQ(acltdtDestroyQueue(q), ACL_SUCCESS);
    TakeErrMsg();
}

TEST_F(TdtQueue, EveryCallRefusesNullAndStaleArguments)
{
    const aclError P = ACL_ERROR_INVALID_PARAM, H = ACL_ERROR_INVALID_RESOURCE_HANDLE;
    acltdtBuf b = nullptr, gone = nullptr;
    ASSERT_EQ(acltdtAllocBuf(8, ACL_TDT_NORMAL_MEM, &b), ACL_SUCCESS);
    ASSERT_EQ(acltdtAllocBuf(8, ACL_TDT_NORMAL_MEM, &gone), ACL_SUCCESS);
    ASSERT_EQ(acltdtFreeBuf(gone), ACL_SUCCESS);
    void *data;
    size_t size;
    uint32_t num;
    acltdtBuf out;
    char user[8];
    EXPECT_EQ(acltdtAllocBuf(8, ACL_TDT_NORMAL_MEM, nullptr), P);
    EXPECT_EQ(acltdtFreeBuf(nullptr), P);
    EXPECT_EQ(acltdtGetBufData(b, nullptr, &size), P);
    EXPECT_EQ(acltdtGetBufData(gone, &data, &size), H);
    EXPECT_EQ(acltdtSetBufDataLen(gone, 1), H);
    EXPECT_EQ(acltdtGetBufDataLen(b, nullptr), P);
    EXPECT_EQ(acltdtGetBufChainNum(b, nullptr), P);
    EXPECT_EQ(acltdtGetBufChainNum(gone, &num), H);
    EXPECT_EQ(acltdtGetBufFromChain(b, 0, nullptr), P);
    EXPECT_EQ(acltdtAppendBufChain(b, b), P);
    EXPECT_EQ(acltdtAppendBufChain(b, gone), H);
    EXPECT_EQ(acltdtGetBufUserData(b, nullptr, 4, 0), P);
    EXPECT_EQ(acltdtSetBufUserData(gone, user, 4, 0), H);
    EXPECT_EQ(acltdtCopyBufRef(b, nullptr), P);
    EXPECT_EQ(acltdtCopyBufRef(gone, &out), H);
    EXPECT_EQ(acltdtEnqueue(1u << 30, b, 0), P); // no such queue: the buffer stays ours
    EXPECT_EQ(acltdtGetBufDataLen(b, &size), ACL_SUCCESS);
    EXPECT_EQ(acltdtEnqueue(1u << 30, gone, 0), H);
    EXPECT_EQ(acltdtDequeue(1u << 30, nullptr, 0), P);
    EXPECT_EQ(acltdtDequeue(1u << 30, &out, 0), P);
    EXPECT_EQ(acltdtFreeBuf(b), ACL_SUCCESS);

    uint32_t qid = Make(2), perm;
    EXPECT_EQ(acltdtCreateQueue(nullptr, &qid), P);
    EXPECT_EQ(acltdtAttachQueue(qid, 0, nullptr), P);
    EXPECT_EQ(acltdtAttachQueue(1u << 30, 0, &perm), P);
    EXPECT_EQ(acltdtGrantQueue(1u << 30, 0, ACL_TDT_QUEUE_PERMISSION_DEQUEUE, 0), P);
    acltdtQueueRoute *r = acltdtCreateQueueRoute(qid, qid);
    ASSERT_NE(r, nullptr);
    uint32_t v;
    EXPECT_EQ(acltdtGetQueueRouteParam(r, ACL_TDT_QUEUE_ROUTE_SRC_UINT32, 2, &size, &v), P);
    EXPECT_EQ(acltdtGetQueueRouteParam(r, (acltdtQueueRouteParamType)9, 4, &size, &v), P);
    EXPECT_EQ(acltdtGetQueueRouteParam(r, ACL_TDT_QUEUE_ROUTE_SRC_UINT32, 4, nullptr, &v), P);
    acltdtQueueRouteList *l = acltdtCreateQueueRouteList();
    ASSERT_EQ(acltdtAddQueueRoute(l, r), ACL_SUCCESS);
    EXPECT_EQ(acltdtBindQueueRoutes(l), P); // a queue routed to itself
    EXPECT_EQ(acltdtGetQueueRoute(l, 1, r), P);
    EXPECT_EQ(acltdtAddQueueRoute(l, nullptr), P);
    EXPECT_EQ(acltdtBindQueueRoutes(nullptr), P);
    acltdtQueueRouteQueryInfo *qi = acltdtCreateQueueRouteQueryInfo();
    EXPECT_EQ(acltdtSetQueueRouteQueryInfo(qi, (acltdtQueueRouteQueryInfoParamType)7, 4, &v), P);
    v = 50; // not a query mode
    EXPECT_EQ(acltdtSetQueueRouteQueryInfo(qi, ACL_TDT_QUEUE_ROUTE_QUERY_MODE_ENUM, 4, &v), P);
    EXPECT_EQ(acltdtSetQueueRouteQueryInfo(qi, ACL_TDT_QUEUE_ROUTE_QUERY_SRC_ID_UINT32, 2, &v), P);
    acltdtQueueRouteQueryMode mode = ACL_TDT_QUEUE_ROUTE_QUERY_SRC_AND_DST;
    ASSERT_EQ(acltdtSetQueueRouteQueryInfo(qi, ACL_TDT_QUEUE_ROUTE_QUERY_MODE_ENUM, 4, &mode), ACL_SUCCESS);
    EXPECT_EQ(acltdtQueryQueueRoutes(qi, l), P); // the mode needs both ids
    EXPECT_EQ(acltdtQueryQueueRoutes(nullptr, l), P);
    EXPECT_EQ(acltdtDestroyQueueRouteQueryInfo(qi), ACL_SUCCESS);
    EXPECT_EQ(acltdtDestroyQueueRouteQueryInfo(qi), H);
    EXPECT_EQ(acltdtQueryQueueRoutes(qi, l), H);
    EXPECT_EQ(acltdtDestroyQueueRouteList(l), ACL_SUCCESS);
    EXPECT_EQ(acltdtGetQueueRouteNum(l), 0u);
    EXPECT_EQ(acltdtDestroyQueueRoute(r), ACL_SUCCESS);
    EXPECT_EQ(acltdtDestroyQueueRoute(r), H);
    EXPECT_EQ(acltdtDestroyQueue(qid), ACL_SUCCESS);
    TakeErrMsg();
}

TEST(TdtQueueFinalize, QueuesLeftOpenAreDestroyed)
{
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    acltdtQueueAttr *a = acltdtCreateQueueAttr();
    uint32_t q = 0;
    ASSERT_EQ(acltdtCreateQueue(a, &q), ACL_SUCCESS);
    ASSERT_EQ(acltdtEnqueueData(q, "left", 5, nullptr, 0, 0, 0), ACL_SUCCESS);
    acltdtDestroyQueueAttr(a);
    ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
    EXPECT_EQ(acltdtDestroyQueue(q), ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
}

} // namespace
