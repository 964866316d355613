#include "core/timestamp.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace ksauth {

TEST(Timestamp, ParsesTheDataFormatToMicroseconds) {
  // 2019-01-16 is day 17912 since 1970-01-01: 17912 * 86400 + 15*3600 + 6*60 + 21 = 1547651181 s.
  EXPECT_EQ(parse_timestamp("2019-01-16T15:06:21.140078"), 1547651181140078);
  EXPECT_EQ(parse_timestamp("1970-01-01T00:00:00"), 0);
  EXPECT_EQ(parse_timestamp("1970-01-01T00:00:00.5"), 500000);
  EXPECT_EQ(parse_timestamp("1970-01-01 00:00:01.000001"), 1000001);
}

TEST(Timestamp, RefusesWhatIsNotATimestamp) {
  for (const char* bad : {"", "yesterday", "2019-13-01T00:00:00", "2019-02-29T00:00:00", "2019-01-16T24:00:00",
                          "2019-01-16T15:06:21.", "2019-01-16T15:06:21.1234567", "2019-01-16T15:06:21Z",
                          "2019-1-16T15:06:21"})
    EXPECT_FALSE(parse_timestamp(bad).has_value()) << bad;
  EXPECT_TRUE(parse_timestamp("2020-02-29T00:00:00").has_value());
}

TEST(Timestamp, TheRememberedMinuteGivesTheSameAnswersAsAFreshParse) {
  // parse_timestamp remembers the last minute it read; what follows it must still be checked in full.
  EXPECT_EQ(parse_timestamp("2019-01-16T15:06:21.140078"), 1547651181140078);
  EXPECT_EQ(parse_timestamp("2019-01-16T15:06:59.999999"), 1547651219999999);
  for (const char* bad : {"2019-01-16T15:06:60", "2019-01-16T15:06:2x", "2019-01-16T15:06:21.", "2019-01-16T15:06-21",
                          "2019-01-16T15:06:21.1234567", "2019-01-16T15:06:21 "})
    EXPECT_FALSE(parse_timestamp(bad).has_value()) << bad;
  EXPECT_FALSE(parse_timestamp("2019-01-16T15:61:00").has_value());
  EXPECT_EQ(parse_timestamp("2019-01-16T15:07:00"), 1547651220000000);  // the next minute, read afresh
  EXPECT_EQ(parse_timestamp("1969-12-31T23:59:59.5"), -500000);       // before 1970: a negative minute
  EXPECT_EQ(parse_timestamp("1969-12-31T23:59:58"), -2000000);
  EXPECT_EQ(parse_timestamp("2019-01-16 15:07:01"), 1547651221000000);  // the other separator: another key
}

TEST(Timestamp, EverySixDigitFractionReadsAsItsNumberAndEveryOtherByteIsRefused) {
  // The six-digit fraction is read as one word: each position with each digit, and each other byte value
  // at each position, against a plain reading.
  const std::string base = "2019-01-16T15:06:21.";
  for (int position = 0; position < 6; ++position) {
    for (int byte = 0; byte < 256; ++byte) {
      std::string fraction = "314159";
      fraction[position] = static_cast<char>(byte);
      const auto got = parse_timestamp(base + fraction);
      if (byte >= '0' && byte <= '9') {
        ASSERT_TRUE(got.has_value()) << position << " " << byte;
        EXPECT_EQ(*got, 1547651181000000 + std::stoi(fraction)) << fraction;
      } else {
        EXPECT_FALSE(got.has_value()) << position << " " << byte;
      }
    }
  }
  EXPECT_EQ(parse_timestamp("2019-01-16T15:06:21.000000"), 1547651181000000);
  EXPECT_EQ(parse_timestamp("2019-01-16T15:06:21.999999"), 1547651181999999);
  EXPECT_EQ(parse_timestamp("2019-01-16T15:06:21.090807"), 1547651181090807);
}

TEST(Timestamp, NulBytesAreNotAMinuteOnAFreshThread) {
  // A JSON string can hold "\u0000"; sixteen of them must not pass for a remembered minute.
  std::optional<Micros> got = 0;
  std::thread([&] { got = parse_timestamp(std::string(16, '\0') + ":00.000000"); }).join();
  EXPECT_FALSE(got.has_value());
}

TEST(Timestamp, CivilAndFormatRoundTrip) {
  const Micros t = *parse_timestamp("2009-03-01T09:00:20.149100");
  const CivilTime c = to_civil(t);
  EXPECT_EQ(c.year, 2009);
  EXPECT_EQ(c.month, 3);
  EXPECT_EQ(c.day, 1);
  EXPECT_EQ(c.hour, 9);
  EXPECT_EQ(c.minute, 0);
  EXPECT_EQ(c.second, 20);
  EXPECT_EQ(c.microsecond, 149100);
  EXPECT_EQ(format_timestamp(t), "2009-03-01T09:00:20.149100");
}

}  // namespace ksauth
