// libc_sec (securec.h): every function refuses what does not fit, with the
// error numbers and destination clearing CANN programs expect.
#include <gtest/gtest.h>
#include <string.h>

#include "securec.h"

TEST(Securec, MemoryFunctions)
{
    char buf[8];
    EXPECT_EQ(memset_s(buf, sizeof buf, 'a', 8), EOK);
    EXPECT_EQ(memcmp(buf, "aaaaaaaa", 8), 0);
    EXPECT_EQ(memset_s(buf, sizeof buf, 'b', 9), ERANGE_AND_RESET) << "count past destMax fills destMax only";
    EXPECT_EQ(memcmp(buf, "bbbbbbbb", 8), 0);
    EXPECT_EQ(memset_s(nullptr, 8, 0, 1), 22);
    EXPECT_EQ(memset_s(buf, 0, 0, 0), 34);
    EXPECT_EQ(memcpy_s(buf, sizeof buf, "0123456", 8), EOK);
    EXPECT_STREQ(buf, "0123456");
    EXPECT_EQ(memcpy_s(buf, sizeof buf, "012345678", 9), ERANGE_AND_RESET);
    EXPECT_EQ(buf[0], 0) << "cleared";
    EXPECT_EQ(memcpy_s(buf, sizeof buf, nullptr, 1), EINVAL_AND_RESET);
    memcpy(buf, "abcdefg", 8);
    EXPECT_EQ(memcpy_s(buf + 1, 7, buf, 4), EOVERLAP_AND_RESET);
    memcpy(buf, "abcdefg", 8);
    EXPECT_EQ(memmove_s(buf + 1, 7, buf, 4), EOK) << "memmove_s allows overlap";
    EXPECT_EQ(memcmp(buf, "aabcdfg", 7), 0);
}

TEST(Securec, StringFunctions)
{
    char buf[6];
    EXPECT_EQ(strcpy_s(buf, sizeof buf, "hello"), EOK);
    EXPECT_STREQ(buf, "hello");
    EXPECT_EQ(strcpy_s(buf, sizeof buf, "hello!"), ERANGE_AND_RESET) << "no room for the terminator";
    EXPECT_STREQ(buf, "");
    EXPECT_EQ(strcpy_s(buf, sizeof buf, nullptr), EINVAL_AND_RESET);
    EXPECT_EQ(strncpy_s(buf, sizeof buf, "hello world", 3), EOK);
    EXPECT_STREQ(buf, "hel");
    EXPECT_EQ(strcat_s(buf, sizeof buf, "lo"), EOK);
    EXPECT_STREQ(buf, "hello");
    EXPECT_EQ(strcat_s(buf, sizeof buf, "!"), ERANGE_AND_RESET);
    EXPECT_EQ(strncpy_s(buf, sizeof buf, "ab", 2), EOK);
    EXPECT_EQ(strncat_s(buf, sizeof buf, "cdefgh", 2), EOK);
    EXPECT_STREQ(buf, "abcd");
    EXPECT_EQ(sprintf_s(buf, sizeof buf, "%d", 12345), 5);
    EXPECT_STREQ(buf, "12345");
    EXPECT_EQ(sprintf_s(buf, sizeof buf, "%d", 123456), -1);
    EXPECT_STREQ(buf, "");
    EXPECT_EQ(snprintf_s(buf, sizeof buf, 3, "%s", "abcdef"), -1) << "cut at count";
    EXPECT_STREQ(buf, "abc");
    EXPECT_EQ(snprintf_s(buf, sizeof buf, 5, "%s", "ab"), 2);
}
