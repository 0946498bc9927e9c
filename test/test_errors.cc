// aclGetRecentErrMsg, err_msg_mode, aclAppLog / ACL_APP_LOG and the log level filter,
// and the message of every not-yet-implemented entry point.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "test_util.h"

// Captures what is written to stderr while alive.
class StderrCapture {
public:
    StderrCapture()
    {
        fflush(stderr);
        saved_ = dup(STDERR_FILENO);
        char tmpl[] = "/tmp/hostacl-stderr-XXXXXX";
        fd_ = mkstemp(tmpl);
        path_ = tmpl;
        dup2(fd_, STDERR_FILENO);
    }
    std::string Finish()
    {
        fflush(stderr);
        dup2(saved_, STDERR_FILENO);
        close(saved_);
        std::string out;
        lseek(fd_, 0, SEEK_SET);
        char buf[4096];
        ssize_t n;
        while ((n = read(fd_, buf, sizeof buf)) > 0)
            out.append(buf, (size_t)n);
        close(fd_);
        unlink(path_.c_str());
        return out;
    }

private:
    int saved_ = -1, fd_ = -1;
    std::string path_;
};

TEST_F(AclTest, RecentErrMsgIsNullWithoutErrors)
{
    EXPECT_EQ(aclGetRecentErrMsg(), nullptr);
}

TEST_F(AclTest, RecentErrMsgNamesTheCallAndCodeThenClears)
{
    EXPECT_EQ(aclrtMalloc(nullptr, 1, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_INVALID_PARAM);
    const char *m = aclGetRecentErrMsg();
    ASSERT_NE(m, nullptr);
    std::string s(m);
    EXPECT_NE(s.find("aclrtMalloc"), std::string::npos) << s;
    EXPECT_NE(s.find("ACL_ERROR_INVALID_PARAM"), std::string::npos) << s;
    EXPECT_NE(s.find("100000"), std::string::npos) << s;
    EXPECT_EQ(aclGetRecentErrMsg(), nullptr); // obtained and cleared
}

TEST_F(AclTest, RecentErrMsgStacksNewestFirst)
{
    EXPECT_EQ(aclrtFree(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMallocHost(nullptr, 1), ACL_ERROR_INVALID_PARAM);
    std::string s = TakeErrMsg();
    size_t newer = s.find("aclrtMallocHost"), older = s.find("aclrtFree");
    ASSERT_NE(newer, std::string::npos);
    ASSERT_NE(older, std::string::npos);
    EXPECT_LT(newer, older);
}

TEST_F(AclTest, RecentErrMsgSurvivesManyErrorsKeepingTheNewest)
{
    for (int i = 0; i < 1000; i++)
        (void)aclrtFree(nullptr);
    EXPECT_EQ(aclrtMallocHost(nullptr, 1), ACL_ERROR_INVALID_PARAM);
    std::string s = TakeErrMsg();
    EXPECT_EQ(s.find("aclrtMallocHost"), 0u);
    EXPECT_LT(s.size(), 8192u);
}

TEST_F(AclTest, RecentErrMsgIsPerThreadByDefault)
{
    std::thread t([] { EXPECT_EQ(aclrtFree(nullptr), ACL_ERROR_INVALID_PARAM); });
    t.join();
    EXPECT_EQ(aclGetRecentErrMsg(), nullptr);
}

TEST(ErrMsgMode, ProcessModeSharesMessagesAcrossThreads)
{
    TempFile f(R"({"err_msg_mode": "1"})");
    ASSERT_EQ(aclInit(f.path()), ACL_SUCCESS) << TakeErrMsg();
    std::thread t([] { EXPECT_EQ(aclrtFree(nullptr), ACL_ERROR_INVALID_PARAM); });
    t.join();
    std::string s = TakeErrMsg();
    EXPECT_NE(s.find("aclrtFree"), std::string::npos);
    EXPECT_EQ(aclGetRecentErrMsg(), nullptr);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

TEST(AppLog, FilteredByAscendGlobalLogLevel)
{
    {
        ScopedEnv e("ASCEND_GLOBAL_LOG_LEVEL", "2"); // warning and above
        ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
        StderrCapture cap;
        ACL_APP_LOG(ACL_INFO, "hidden info %d", 1);
        ACL_APP_LOG(ACL_WARNING, "shown warning %d", 2);
        ACL_APP_LOG(ACL_ERROR, "shown error %s", "three");
        ACL_APP_LOG(ACL_DEBUG, "hidden debug");
        std::string out = cap.Finish();
        EXPECT_EQ(out.find("hidden"), std::string::npos) << out;
        EXPECT_NE(out.find("[WARNING] APP"), std::string::npos) << out;
        EXPECT_NE(out.find("shown warning 2"), std::string::npos) << out;
        EXPECT_NE(out.find("shown error three"), std::string::npos) << out;
        EXPECT_NE(out.find("test_errors.cc:"), std::string::npos) << out;
        EXPECT_NE(out.find("TestBody"), std::string::npos) << out; // the function name
        EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
    }
    {
        ScopedEnv e("ASCEND_GLOBAL_LOG_LEVEL", "0"); // everything
        ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
        StderrCapture cap;
        ACL_APP_LOG(ACL_DEBUG, "debug line");
        aclAppLog(ACL_INFO, "fn", "file.c", 7, "info line");
        std::string out = cap.Finish();
        EXPECT_NE(out.find("[DEBUG] APP"), std::string::npos) << out;
        EXPECT_NE(out.find("[file.c:7] fn: info line"), std::string::npos) << out;
        EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
    }
    {
        ScopedEnv e("ASCEND_GLOBAL_LOG_LEVEL", "4"); // off
        ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
        StderrCapture cap;
        ACL_APP_LOG(ACL_ERROR, "silenced");
        (void)aclrtFree(nullptr);
        EXPECT_EQ(cap.Finish(), "");
        TakeErrMsg();
        EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
    }
}

TEST(AppLog, RuntimeErrorsAreLoggedAtErrorLevel)
{
    ScopedEnv e("ASCEND_GLOBAL_LOG_LEVEL", "3");
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    StderrCapture cap;
    (void)aclrtFree(nullptr);
    std::string out = cap.Finish();
    EXPECT_NE(out.find("[ERROR] HOSTACL"), std::string::npos) << out;
    EXPECT_NE(out.find("aclrtFree"), std::string::npos) << out;
    TakeErrMsg();
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

// A NULL format writes nothing (and does not crash), at a level that would
// print: the line after it still appears, alone.
TEST(AppLog, NullFormatIsIgnored)
{
    ScopedEnv e("ASCEND_GLOBAL_LOG_LEVEL", "0");
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    StderrCapture cap;
    aclAppLog(ACL_ERROR, "f", "x.c", 1, nullptr);
    aclAppLog(ACL_ERROR, "g", "y.c", 2, "after");
    std::string out = cap.Finish();
    EXPECT_EQ(out.find("x.c"), std::string::npos) << out;
    EXPECT_NE(out.find("[y.c:2] g: after"), std::string::npos) << out;
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

