#include "features/vector.hpp"

#include <gtest/gtest.h>

#include "features/keystroke_table.hpp"

namespace ksauth::features {

TEST(FeatureLayout, InterleavesHoldAndLatenciesPerPosition) {
  EXPECT_EQ(make_layout("abc", true).names,
            (std::vector<std::string>{"H.0", "H.1", "DD.1", "UD.1", "H.2", "DD.2", "UD.2", "backspaces", "duration"}));
  EXPECT_EQ(make_layout("abc", false).names, (std::vector<std::string>{"DD.1", "DD.2", "backspaces", "duration"}));
  EXPECT_EQ(make_layout("é!", false).names, (std::vector<std::string>{"DD.1", "backspaces", "duration"}));
}

TEST(FeatureVector, AlignsToTheKeysThatSurviveReplay) {
  // Typed: a(0.0-0.1) x(0.3-0.35) [backspace](0.5) b(0.7-0.75) [shift](0.8) c(0.9-1.2); kept keys a, b, c.
  const Attempt a{"u",
                  {{"a", 0, 100000},
                   {"x", 300000, 350000},
                   {"[backspace]", 500000, 550000},
                   {"b", 700000, 750000},
                   {"[shift]", 800000, 1000000},
                   {"c", 900000, 1200000}}};
  const Replay r = replay(a);
  const auto v = extract(a, r, make_layout("abc", true));
  ASSERT_TRUE(v.has_value());
  // H.0 = 0.1; H.1 = 0.05, DD.1 = 0.7 - 0.0, UD.1 = 0.7 - 0.1; H.2 = 0.3, DD.2 = 0.2, UD.2 = 0.9 - 0.75;
  // one backspace; duration = 0.9 - 0.0 (first to last press).
  const std::vector<double> expected = {0.1, 0.05, 0.7, 0.6, 0.3, 0.2, 0.15, 1.0, 0.9};
  ASSERT_EQ(v->size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR((*v)[i], expected[i], 1e-12) << i;

  const auto without_release = extract(a, r, make_layout("abc", false));
  ASSERT_TRUE(without_release.has_value());
  const std::vector<double> dd_only = {0.7, 0.2, 1.0, 0.9};
  for (std::size_t i = 0; i < dd_only.size(); ++i) EXPECT_NEAR((*without_release)[i], dd_only[i], 1e-12);
}

TEST(FeatureVector, NoVectorForAWrongTextOrMissingReleaseTimes) {
  const Attempt a{"u", {{"a", 0, std::nullopt}, {"b", 1000, std::nullopt}}};
  EXPECT_FALSE(extract(a, replay(a), make_layout("abc", false)).has_value());
  EXPECT_FALSE(extract(a, replay(a), make_layout("ab", true)).has_value());
  EXPECT_TRUE(extract(a, replay(a), make_layout("ab", false)).has_value());
  EXPECT_FALSE(has_release_times(a, replay(a)));
}

TEST(KeystrokeTable, ThePrototypesColumns) {
  const std::vector<Attempt> data = {{"u1", {{"B", 1547651181140078, std::nullopt}, {"[shift]", 1547651181200000, std::nullopt}}},
                                     {"u2", {{"é", 0, std::nullopt}}}};
  const auto rows = keystroke_rows(data, 2);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].typed_at, "2019-01-16T15:06:21.140078");
  EXPECT_EQ(rows[0].character, "B");
  EXPECT_EQ(rows[0].user, "u1");
  EXPECT_EQ(rows[0].time.year, 2019);
  EXPECT_EQ(rows[0].time.microsecond, 140078);
  EXPECT_EQ(rows[0].character_code, 66);
  EXPECT_EQ(rows[1].character_code, -1);
  EXPECT_EQ(keystroke_rows(data, 10).back().character_code, 0xE9);
}

}  // namespace ksauth::features
