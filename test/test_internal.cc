// Internal pieces through their own interfaces: the allocation fault
// injector swept over constructors (every step fails cleanly, nothing leaks),
// the JSON reader, the error table, the handle registry, the execution width
// policy, large allocations in huge pages.
#include <gtest/gtest.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atomic>
#include <string>

#include "acl/acl.h"
#include "device/alloc.h"
#include "device/width.h"
#include "runtime/error.h"
#include "runtime/handle.h"
#include "runtime/json.h"

// A NO_BLOCK callback may run while a later host function runs: atomic.
static void Bump(void *p) { ++*static_cast<std::atomic<int> *>(p); }

// Streams, events, callbacks and host functions; the calling thread is its
// own report thread (it serves callbacks while it synchronizes). Everything
// created is released whatever fails.
static aclError StreamSession()
{
    aclError rc, rc2;
    aclrtStream s = nullptr;
    aclrtEvent e = nullptr;
    void *d = nullptr;
    std::atomic<int> hits{0};
    char host[64] = {0};
    uint64_t me = static_cast<uint64_t>(pthread_self());
    bool subscribed = false;
    if ((rc = aclrtCreateStream(&s)) != ACL_SUCCESS)
        goto out;
    if ((rc = aclrtCreateEvent(&e)) != ACL_SUCCESS)
        goto out;
    if ((rc = aclrtMalloc(&d, 64, ACL_MEM_MALLOC_HUGE_FIRST)) != ACL_SUCCESS)
        goto out;
    if ((rc = aclrtSubscribeReport(me, s)) != ACL_SUCCESS)
        goto out;
    subscribed = true;
    for (int i = 0; i < 20; i++) {
        if ((rc = aclrtMemcpyAsync(d, 64, host, 64, ACL_MEMCPY_HOST_TO_DEVICE, s)) != ACL_SUCCESS)
            goto out;
        if ((rc = aclrtLaunchCallback(Bump, &hits, i % 2 ? ACL_CALLBACK_BLOCK : ACL_CALLBACK_NO_BLOCK, s)) !=
            ACL_SUCCESS)
            goto out;
        if ((rc = aclrtLaunchHostFunc(s, Bump, &hits)) != ACL_SUCCESS)
            goto out;
        if ((rc = aclrtRecordEvent(e, s)) != ACL_SUCCESS)
            goto out;
        if ((rc = aclrtStreamWaitEvent(s, e)) != ACL_SUCCESS)
            goto out;
    }
    rc = aclrtSynchronizeStream(s);
out:
    if (subscribed && (rc2 = aclrtUnSubscribeReport(me, s)) != ACL_SUCCESS && rc == ACL_SUCCESS)
        rc = rc2;
    if (s && (rc2 = aclrtDestroyStream(s)) != ACL_SUCCESS && rc == ACL_SUCCESS)
        rc = rc2;
    if (e)
        aclrtDestroyEvent(e);
    if (d)
        aclrtFree(d);
    return rc;
}

// Runs a full session; returns the first failing code (or ACL_SUCCESS).
static aclError Session()
{
    aclError rc;
    aclrtContext ctx = nullptr;
    void *d = nullptr, *h = nullptr;
    if ((rc = aclInit(nullptr)) != ACL_SUCCESS)
        return rc;
    if ((rc = aclrtSetDevice(0)) != ACL_SUCCESS)
        goto out;
    if ((rc = aclrtCreateContext(&ctx, 0)) != ACL_SUCCESS)
        goto out;
    if ((rc = aclrtMalloc(&d, 1000, ACL_MEM_MALLOC_HUGE_FIRST)) != ACL_SUCCESS)
        goto out;
    if ((rc = aclrtMallocHost(&h, 1000)) != ACL_SUCCESS)
        goto out;
    if ((rc = aclrtFree(d)) != ACL_SUCCESS)
        goto out;
    if ((rc = aclrtFreeHost(h)) != ACL_SUCCESS)
        goto out;
    if ((rc = StreamSession()) != ACL_SUCCESS)
        goto out;
    if ((rc = aclrtDestroyContext(ctx)) != ACL_SUCCESS)
        goto out;
    rc = aclrtResetDevice(0);
out:
    aclFinalize();
    return rc;
}

TEST(FaultInjection, EveryAllocationFailureIsReportedCleanly)
{
    int failures_seen = 0;
    bool succeeded = false;
    for (long n = 0; n < 400; n++) {
        hacl_alloc_fail_after(n);
        aclError rc = Session();
        hacl_alloc_fail_after(-1);
        (void)aclGetRecentErrMsg();
        ASSERT_EQ(hacl_handle_count(), 0u) << "after failing allocation " << n;
        if (rc == ACL_SUCCESS) {
            EXPECT_GT(n, 3);
            succeeded = true;
            break;
        }
        failures_seen++;
        EXPECT_TRUE(rc == ACL_ERROR_BAD_ALLOC || rc == ACL_ERROR_RT_MEMORY_ALLOCATION ||
                    rc == ACL_ERROR_RT_RESOURCE_ALLOC_FAIL)
            << "n=" << n << " rc=" << rc;
    }
    EXPECT_GT(failures_seen, 3);
    EXPECT_TRUE(succeeded) << "the sweep never reached an allocation count at which the session succeeds";
    // And the runtime is fine afterwards.
    EXPECT_EQ(Session(), ACL_SUCCESS);
}

// The "THPeligible" line of /proc/self/smaps for the mapping holding p:
// 1 where the kernel may back it with huge pages, 0 where not, -1 unknown.
static int HugePageEligible(const void *p)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return -1;
    char line[512];
    int inside = 0, answer = -1;
    unsigned long lo, hi, a = reinterpret_cast<unsigned long>(p);
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
            inside = a >= lo && a < hi;
        else if (inside && sscanf(line, "THPeligible: %d", &answer) == 1)
            break;
    }
    fclose(f);
    return answer;
}

static bool HugePagesOnRequest()
{
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    char buf[128] = "";
    if (f) {
        if (!fgets(buf, sizeof buf, f))
            buf[0] = '\0';
        fclose(f);
    }
    return strstr(buf, "[madvise]") != nullptr;
}

// A model's weights and work buffer come from hacl_malloc_large: from 4 MB
// up in 2 MB-aligned memory the kernel is asked to back with huge pages.
TEST(LargeAllocations, AskForHugePagesFromFourMegabytes)
{
    if (!HugePagesOnRequest())
        GTEST_SKIP() << "transparent huge pages are not in \"madvise\" mode here";
    unsetenv("HOSTACL_HUGE_PAGES");
    const size_t mb = size_t(1) << 20;
    char *big = static_cast<char *>(hacl_malloc_large(9 * mb + 5));
    ASSERT_NE(big, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(big) % (2 * mb), 0u);
    memset(big, 1, 9 * mb + 5);
    EXPECT_EQ(HugePageEligible(big), 1);
    char *small = static_cast<char *>(hacl_malloc_large(mb));
    ASSERT_NE(small, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(small) % 64, 0u);
    setenv("HOSTACL_HUGE_PAGES", "0", 1);
    char *plain = static_cast<char *>(hacl_malloc_large(9 * mb));
    unsetenv("HOSTACL_HUGE_PAGES");
    ASSERT_NE(plain, nullptr);
    memset(plain, 1, 9 * mb);
    EXPECT_EQ(HugePageEligible(plain), 0);
    hacl_free(big);
    hacl_free(small);
    hacl_free(plain);
}

static int Parse(const std::string &s, hacl_json **out)
{
    char err[128];
    return hacl_json_parse(s.data(), s.size(), out, err, sizeof err);
}

TEST(Json, ParsesNestedDocuments)
{
    hacl_json *v = nullptr;
    ASSERT_EQ(Parse(R"( {"a": [1, -2.5e1, true, null], "b": {"c": "x\ny\u0041"}, "a": 7} )", &v), 0);
    ASSERT_EQ(v->type, HACL_JSON_OBJECT);
    const hacl_json *a = hacl_json_get(v, "a");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->type, HACL_JSON_NUMBER); // the last duplicate wins
    EXPECT_EQ(a->number, 7);
    const hacl_json *c = hacl_json_get(hacl_json_get(v, "b"), "c");
    ASSERT_NE(c, nullptr);
    EXPECT_STREQ(c->string, "x\nyA");
    EXPECT_EQ(hacl_json_get(v, "missing"), nullptr);
    hacl_json_free(v);
}

TEST(Json, RejectsMalformedInputWithoutOverrun)
{
    const char *bad[] = {"", "{", "}", "[1,]", "{\"a\":1,}", "tru", "-", "1.2.3", "\"\\u12\"", "\"a\x01\"", "{1:2}",
                         "[1 2]", "01x"};
    for (const char *b : bad) {
        hacl_json *v = nullptr;
        // Parse exactly strlen bytes from a heap copy, so ASan sees any overrun.
        std::string copy(b);
        char *heap = static_cast<char *>(malloc(copy.size() + 1));
        memcpy(heap, copy.data(), copy.size());
        char err[128];
        EXPECT_EQ(hacl_json_parse(heap, copy.size(), &v, err, sizeof err), -1) << b;
        free(heap);
    }
}

TEST(Json, SurvivesAllocationFailures)
{
    for (long n = 0; n < 50; n++) {
        hacl_alloc_fail_after(n);
        hacl_json *v = nullptr;
        int rc = Parse(R"({"a": [1, 2, {"b": "c"}], "d": "e"})", &v);
        hacl_alloc_fail_after(-1);
        if (rc == 0) {
            hacl_json_free(v);
            return;
        }
        EXPECT_EQ(rc, -2);
    }
    FAIL() << "never succeeded";
}

TEST(ErrorTable, EveryEntryHasANameAndText)
{
    for (unsigned i = 0; i < hacl_err_table_size(); i++) {
        aclError c = hacl_err_table_code(i);
        EXPECT_STRNE(hacl_err_name(c), "UNKNOWN") << c;
        EXPECT_NE(std::string(hacl_err_text(c)), "") << c;
        for (unsigned j = 0; j < i; j++)
            EXPECT_NE(hacl_err_table_code(j), c) << "duplicate entry " << c;
    }
    EXPECT_STREQ(hacl_err_name(ACL_ERROR_RT_REPORT_TIMEOUT), "ACL_ERROR_RT_REPORT_TIMEOUT");
    EXPECT_STREQ(hacl_err_name(123456789), "UNKNOWN");
}

TEST(Handles, StaleAndForeignPointersAreRefused)
{
    struct Obj {
        hacl_obj hdr;
        int payload;
    };
    static int released = 0;
    Obj *o = static_cast<Obj *>(malloc(sizeof(Obj)));
    hacl_obj_init(&o->hdr, HACL_KIND_STREAM, [](hacl_obj *p) {
        released++;
        free(p);
    });
    ASSERT_EQ(hacl_handle_register(&o->hdr), ACL_SUCCESS);
    EXPECT_EQ(hacl_handle_get(o, HACL_KIND_EVENT), nullptr); // wrong kind
    hacl_obj *got = hacl_handle_get(o, HACL_KIND_STREAM);
    ASSERT_EQ(got, &o->hdr);
    EXPECT_EQ(hacl_handle_get_serial(o, HACL_KIND_STREAM, o->hdr.serial + 1), nullptr);
    EXPECT_EQ(hacl_handle_unregister(&o->hdr), 1);
    EXPECT_EQ(hacl_handle_unregister(&o->hdr), 0);
    hacl_obj_put(&o->hdr); // registry's reference
    EXPECT_EQ(released, 0); // still held by `got`
    EXPECT_EQ(hacl_handle_get(o, HACL_KIND_STREAM), nullptr);
    hacl_obj_put(got);
    EXPECT_EQ(released, 1);
    int x;
    EXPECT_EQ(hacl_handle_get(&x, HACL_KIND_STREAM), nullptr);
    EXPECT_EQ(hacl_handle_get(nullptr, HACL_KIND_STREAM), nullptr);
}

TEST(Handles, RegistryGrowsAndShrinks)
{
    std::vector<hacl_obj *> objs;
    for (int i = 0; i < 5000; i++) {
        hacl_obj *o = static_cast<hacl_obj *>(malloc(sizeof(hacl_obj)));
        hacl_obj_init(o, HACL_KIND_EVENT, [](hacl_obj *p) { free(p); });
        ASSERT_EQ(hacl_handle_register(o), ACL_SUCCESS);
        objs.push_back(o);
    }
    EXPECT_EQ(hacl_handle_count(), 5000u);
    for (size_t i = 0; i < objs.size(); i += 2) {
        hacl_obj *g = hacl_handle_get(objs[i], HACL_KIND_EVENT);
        ASSERT_EQ(g, objs[i]);
        hacl_obj_put(g);
    }
    for (hacl_obj *o : objs) {
        ASSERT_EQ(hacl_handle_unregister(o), 1);
        hacl_obj_put(o);
    }
    EXPECT_EQ(hacl_handle_count(), 0u);
}

// ---- the execution width policy (device/width.h) ----

namespace {
// Drives a measured policy for `runs` executions: each run takes the time
// `cost` gives its width; returns how many ran on one thread.
template <class Cost> int Drive(hacl_width_policy *w, int runs, int busy, Cost cost)
{
    int one = 0;
    for (int i = 0; i < runs; i++) {
        int width = hacl_width_next(w);
        one += width == HACL_WIDTH_ONE;
        hacl_width_record(w, width, cost(width, i), busy);
    }
    return one;
}
const uint64_t kMs = 1000000;
} // namespace

TEST(WidthPolicy, QuietMachineNeverTriesOneThread)
{
    hacl_width_policy w;
    hacl_width_init(&w, HACL_WIDTH_MEASURED);
    // steady full-team times with ordinary jitter, nobody else busy
    EXPECT_EQ(Drive(&w, 5000, 0, [](int, int i) { return 10 * kMs + (uint64_t)(i % 7) * kMs / 10; }), 0);
}

TEST(WidthPolicy, BusyMachineMovesToOneThreadWhenFaster)
{
    hacl_width_policy w;
    hacl_width_init(&w, HACL_WIDTH_MEASURED);
    // another process holds a core: the team is slow, one thread is not
    auto busy = [](int width, int) { return width == HACL_WIDTH_ONE ? 11 * kMs : 25 * kMs; };
    int one = Drive(&w, 1000, 1, busy);
    EXPECT_GE(one, 970) << "full-team trials back off while one thread keeps winning";
    EXPECT_EQ(hacl_width_next(&w) == HACL_WIDTH_ONE || w.trial, true);
    // the first few runs decide
    hacl_width_init(&w, HACL_WIDTH_MEASURED);
    Drive(&w, 6, 1, busy);
    EXPECT_EQ(w.current, HACL_WIDTH_ONE);
}

TEST(WidthPolicy, RareSlowRunsCountAndTheTeamComesBackWhenQuiet)
{
    hacl_width_policy w;
    hacl_width_init(&w, HACL_WIDTH_MEASURED);
    // quiet first: the team at 6 ms
    EXPECT_EQ(Drive(&w, 50, 0, [](int width, int) { return width == HACL_WIDTH_ONE ? 10 * kMs : 6 * kMs; }), 0);
    // then the team's second thread loses its core now and then: most runs
    // near 10 ms, one in ten 150 ms (the signal the machine sampling may
    // miss; the times alone must tell)
    auto spiky = [](int width, int i) { return width == HACL_WIDTH_ONE ? 10 * kMs : i % 10 == 3 ? 150 * kMs : 10 * kMs; };
    int one = Drive(&w, 400, 0, spiky);
    EXPECT_GE(one, 300);
    EXPECT_EQ(w.current, HACL_WIDTH_ONE);
    // quiet again: back on the team within one trial interval (at most 128 runs)
    int back = -1;
    for (int i = 0; i < 300 && back < 0; i++) {
        int width = hacl_width_next(&w);
        hacl_width_record(&w, width, width == HACL_WIDTH_ONE ? 10 * kMs : 6 * kMs, 0);
        if (w.current == HACL_WIDTH_FULL)
            back = i;
    }
    EXPECT_GE(back, 0);
    EXPECT_LE(back, 130);
}

TEST(WidthPolicy, NoTeamTrialsWhileAnotherProcessHoldsACore)
{
    hacl_width_policy w;
    hacl_width_init(&w, HACL_WIDTH_MEASURED);
    // a small model with a core taken: a team run waits at its barriers
    // (90 ms) where one thread takes 6; after the first trial moved it to
    // one thread, no run goes back to the team while the machine is busy
    auto busy = [](int width, int) { return width == HACL_WIDTH_ONE ? 6 * kMs : 90 * kMs; };
    int one = Drive(&w, 1500, 1, busy);
    EXPECT_EQ(w.current, HACL_WIDTH_ONE);
    EXPECT_GE(one, 1500 - 4) << "the team only in the first run(s) and the first trial";
    // the machine quiet again: the team is tried at once and wins
    int back = -1;
    for (int i = 0; i < 20 && back < 0; i++) {
        int width = hacl_width_next(&w);
        hacl_width_record(&w, width, width == HACL_WIDTH_ONE ? 6 * kMs : 4 * kMs, 0);
        if (w.current == HACL_WIDTH_FULL)
            back = i;
    }
    EXPECT_GE(back, 0);
    EXPECT_LE(back, 4);
    // a busy signal that never clears still lets the team be tried now and
    // then (about every 2000 runs), and it wins when it is faster
    hacl_width_init(&w, HACL_WIDTH_MEASURED);
    Drive(&w, 50, 1, busy);
    EXPECT_EQ(w.current, HACL_WIDTH_ONE);
    Drive(&w, 2500, 1, [](int width, int) { return width == HACL_WIDTH_ONE ? 6 * kMs : 4 * kMs; });
    EXPECT_EQ(w.current, HACL_WIDTH_FULL);
}

TEST(WidthPolicy, BusyMachineKeepsTheTeamWhenItIsStillFaster)
{
    hacl_width_policy w;
    hacl_width_init(&w, HACL_WIDTH_MEASURED);
    // a large model: even on a busy machine two threads beat one
    int one = Drive(&w, 3000, 1, [](int width, int) { return width == HACL_WIDTH_ONE ? 40 * kMs : 30 * kMs; });
    EXPECT_EQ(w.current, HACL_WIDTH_FULL);
    EXPECT_LE(one, 2 * 9) << "failed trials back off (8, 16, ... 1024 runs)";
    EXPECT_GE(one, 2);
}

TEST(WidthPolicy, FixedAndForcedModesDoNotMeasure)
{
    hacl_width_policy w;
    hacl_width_init(&w, HACL_WIDTH_FIXED);
    EXPECT_EQ(Drive(&w, 100, 1, [](int, int) { return 50 * kMs; }), 0);
    hacl_width_init(&w, HACL_WIDTH_FORCED_ONE);
    EXPECT_EQ(Drive(&w, 100, 0, [](int width, int) { return width == HACL_WIDTH_ONE ? 50 * kMs : kMs; }), 100);
}
