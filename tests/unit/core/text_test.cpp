#include "core/text.hpp"

#include <gtest/gtest.h>

namespace ksauth {

TEST(Text, Utf8Validity) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("é€😀"));
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("\xc3"));          // cut short
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));      // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));  // a surrogate
  EXPECT_EQ(invalid_utf8_offset("plain"), std::string_view::npos);
  EXPECT_EQ(invalid_utf8_offset("\xc3\xa9t\xc3("), 3u);  // "é", "t", then a lead byte without its continuation
  EXPECT_EQ(invalid_utf8_offset("ab\xff"), 2u);
}

TEST(Text, Controls) {
  EXPECT_FALSE(has_control("Be Typing."));
  EXPECT_TRUE(has_control("a\x1b[31m"));
  EXPECT_TRUE(has_control("a\x7f"));
  EXPECT_TRUE(has_control("a\xc2\x9b"));  // U+009B, the 8-bit CSI
  EXPECT_FALSE(has_control("é"));
}

TEST(Text, PrintableShowsWhatCouldDriveATerminal) {
  EXPECT_EQ(printable("s002"), "s002");
  EXPECT_EQ(printable("é ok"), "é ok");
  EXPECT_EQ(printable("\x1b]0;pwned\x07"), "\\x1B]0;pwned\\x07");
  EXPECT_EQ(printable("\xc2\x9b" "31m"), "\\x9B31m");
  EXPECT_EQ(printable("\x9b" "31m"), "\\x9B31m");  // a lone byte that is not UTF-8
  EXPECT_EQ(printable("abc\xe2\x80\xae" "fed"), "abc\\u{202E}fed");
  EXPECT_EQ(printable("abcdef", 3), "abc...");
  EXPECT_EQ(printable("abc", 3), "abc");
}

}  // namespace ksauth
