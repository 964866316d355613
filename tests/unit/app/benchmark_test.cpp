// The benchmark's timing features and what it refuses; the real run is in tests/e2e.
#include "app/benchmark.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "support/fixtures.hpp"

namespace ksauth::app {
namespace {

TEST(Benchmark, TimingFeaturesInTheCsvOrder) {
  // Presses at 0, 0.3, 0.5 s; holds 0.1, 0.15, 0.05 s.
  const Attempt a{"u", {{"a", 0, 100'000}, {"b", 300'000, 450'000}, {"[return]", 500'000, 550'000}}, 1, 1};
  const std::vector<double> expected = {0.1, 0.3, 0.2, 0.15, 0.2, 0.05, 0.05};  // H, DD, UD, H, DD, UD, H
  const auto got = timing_features(a);
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-12) << i;
  EXPECT_THROW(timing_features(Attempt{"u", {{"a", 0, std::nullopt}}}), Error);
}

TEST(Benchmark, RefusesDataWithoutSessions) {
  testing::TempDir dir;
  const std::string chain = testing::write_chain(
      dir, {testing::synthetic_attempts("u1", 0, "abc", 3, true), testing::synthetic_attempts("u2", 1, "abc", 3, true)});
  try {
    benchmark_cmu(chain, {});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
    EXPECT_NE(std::string(e.what()).find("session and repetition"), std::string::npos) << e.what();
  }
}

TEST(Benchmark, RefusesSubjectsWithTooFewAttempts) {
  testing::TempDir dir;
  std::string csv = "subject,sessionIndex,rep,H.a,DD.a.b,UD.a.b,H.b\r\n";
  for (int rep = 1; rep <= 10; ++rep) csv += "s1,1," + std::to_string(rep) + ",0.1,0.3,0.2,0.1\r\n";
  try {
    benchmark_cmu(dir.write("small.csv", csv), {});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "subject 's1' has 10 attempts; the protocol needs 400");
  }
}

}  // namespace
}  // namespace ksauth::app
