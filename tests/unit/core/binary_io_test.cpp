#include "core/binary_io.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace ksauth {

TEST(BinaryIo, RoundTripsEveryType) {
  BinaryWriter w;
  w.u8(7);
  w.u32(0xDEADBEEF);
  w.i64(-5);
  w.f64(0.1);
  w.str(std::string("a\0b", 3));
  w.f64s({1.5, -2.5});
  w.i32s({-1, 3});
  BinaryReader r(w.bytes());
  EXPECT_EQ(r.u8(), 7);
  EXPECT_EQ(r.u32(), 0xDEADBEEFu);
  EXPECT_EQ(r.i64(), -5);
  EXPECT_EQ(r.f64(), 0.1);
  EXPECT_EQ(r.str(), std::string("a\0b", 3));
  EXPECT_EQ(r.f64s(), (std::vector<double>{1.5, -2.5}));
  EXPECT_EQ(r.i32s(), (std::vector<std::int32_t>{-1, 3}));
  EXPECT_TRUE(r.at_end());
}

TEST(BinaryIo, ATruncatedOrLyingCountIsCorruptNotACrash) {
  BinaryWriter w;
  w.u64(1'000'000'000'000);  // claims a huge string
  w.raw("abc");
  BinaryReader r(w.bytes());
  try {
    r.str();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::corrupt);
  }
  BinaryReader short_reader(std::string_view("\x01\x02", 2));
  EXPECT_THROW(short_reader.u32(), Error);
}

}  // namespace ksauth
