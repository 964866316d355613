#include "core/params.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace ksauth {

TEST(Params, ParsesNameEqualsDecimalNumber) {
  EXPECT_EQ(parse_param("n_estimators=200"), (std::pair<std::string, double>{"n_estimators", 200}));
  EXPECT_EQ(parse_param("learning_rate=0.25").second, 0.25);
  EXPECT_EQ(parse_param("x=-1e-3").second, -0.001);
}

TEST(Params, RefusesWhatIsNotADecimalNumber) {
  for (const char* bad : {"n", "=3", "n=", "n=abc", "n=0x10", "n=3x", "n=nan", "n=inf", "n=1e999", "n= 3"})
    EXPECT_THROW(parse_param(bad), Error) << bad;
}

TEST(Params, ANameGivenTwiceIsAnError) {
  EXPECT_EQ(parse_params({"a=1", "b=2"}).size(), 2u);
  EXPECT_THROW(parse_params({"a=1", "a=2"}), Error);
}

}  // namespace ksauth
