#include "eval/split.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "core/error.hpp"

namespace ksauth::eval {
namespace {

std::vector<int> make_labels(const std::vector<std::pair<int, int>>& class_counts) {
  // Interleaved so that a class's rows are not contiguous.
  std::vector<int> labels;
  std::map<int, int> left(class_counts.begin(), class_counts.end());
  bool any = true;
  while (any) {
    any = false;
    for (auto& [label, count] : left)
      if (count > 0) {
        labels.push_back(label);
        --count;
        any = true;
      }
  }
  return labels;
}

std::map<int, std::size_t> holdout_per_class(const std::vector<int>& labels, const Split& s) {
  std::map<int, std::size_t> counts;
  for (const int l : labels) counts[l] += 0;
  for (const auto i : s.holdout) ++counts[labels[i]];
  return counts;
}

void expect_partition(const std::vector<int>& labels, const Split& s) {
  EXPECT_TRUE(std::is_sorted(s.train.begin(), s.train.end()));
  EXPECT_TRUE(std::is_sorted(s.holdout.begin(), s.holdout.end()));
  std::vector<std::size_t> all(s.train);
  all.insert(all.end(), s.holdout.begin(), s.holdout.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), labels.size());
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], i);  // no overlap, nothing lost
}

TEST(Split, SizesPerClassFollowRoundingAndLimits) {
  // fraction 0.3:  count 10 -> round(3.0) = 3;  count 5 -> round(1.5) = 2 (halves go up);
  //                count 2 -> round(0.6) = 1;   count 1 -> stays in train (0);
  //                count 3 -> round(0.9) = 1;   count 7 -> round(2.1) = 2.
  const auto labels = make_labels({{0, 10}, {1, 5}, {2, 2}, {3, 1}, {4, 3}, {5, 7}});
  const Split s = stratified_holdout(labels, 0.3, 7);
  expect_partition(labels, s);
  const std::map<int, std::size_t> expected{{0, 3}, {1, 2}, {2, 1}, {3, 0}, {4, 1}, {5, 2}};
  EXPECT_EQ(holdout_per_class(labels, s), expected);
}

TEST(Split, AtLeastOneAndAtMostCountMinusOne) {
  // fraction 0.1, count 3: round(0.3) = 0 -> raised to 1.  count 2: round(0.2) = 0 -> 1.
  const auto small = make_labels({{0, 3}, {1, 2}, {2, 1}});
  const Split a = stratified_holdout(small, 0.1, 1);
  expect_partition(small, a);
  EXPECT_EQ(holdout_per_class(small, a), (std::map<int, std::size_t>{{0, 1}, {1, 1}, {2, 0}}));
  // fraction 0.9, count 3: round(2.7) = 3 -> lowered to 2.  count 2: round(1.8) = 2 -> 1.  count 20: 18.
  const auto big = make_labels({{0, 3}, {1, 2}, {2, 1}, {3, 20}});
  const Split b = stratified_holdout(big, 0.9, 1);
  expect_partition(big, b);
  EXPECT_EQ(holdout_per_class(big, b), (std::map<int, std::size_t>{{0, 2}, {1, 1}, {2, 0}, {3, 18}}));
}

TEST(Split, SameSeedSameSplitOtherSeedOtherSplit) {
  const auto labels = make_labels({{0, 40}, {1, 40}, {2, 40}});
  const Split a = stratified_holdout(labels, 0.25, 123);
  const Split b = stratified_holdout(labels, 0.25, 123);
  const Split c = stratified_holdout(labels, 0.25, 124);
  EXPECT_EQ(a.train, b.train);
  EXPECT_EQ(a.holdout, b.holdout);
  EXPECT_NE(a.holdout, c.holdout);
  expect_partition(labels, c);
}

TEST(Split, PinnedOutputForSeed) {
  // The split is a function of (labels, fraction, seed) only: mt19937_64's output is fixed by the
  // standard and the shuffle is ours, so these indices must never change across platforms.
  std::mt19937_64 reference;
  reference.discard(9999);
  ASSERT_EQ(reference(), 9981545732273789042ULL);  // [rand.predef]: the 10000th output of mt19937_64

  const std::vector<int> labels{0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 2, 2, 2, 2};
  const Split s = stratified_holdout(labels, 0.4, 42);
  expect_partition(labels, s);
  EXPECT_EQ(holdout_per_class(labels, s), (std::map<int, std::size_t>{{0, 2}, {1, 2}, {2, 2}}));
  // Checked against an independent Python transcription of mt19937_64 and this Fisher-Yates
  // (draw j in [0, i) by rejecting x < 2^64 mod i, then x mod i; classes in ascending order).
  EXPECT_EQ(s.holdout, (std::vector<std::size_t>{4, 5, 6, 7, 10, 13}));
  EXPECT_EQ(s.train, (std::vector<std::size_t>{0, 1, 2, 3, 8, 9, 11, 12}));
}

TEST(Split, EveryRowAndSubsetEquallyLikely) {
  // Class of 4 rows, fraction 0.5: each of the C(4,2) = 6 holdout pairs should come up ~1/6 of the time
  // and each row ~1/2 of the time. Over 6000 seeds: 1000 per pair (sd ~29), 3000 per row (sd ~39).
  const std::vector<int> labels{0, 0, 0, 0};
  std::map<std::vector<std::size_t>, int> pairs;
  std::vector<int> rows(4, 0);
  for (std::uint64_t seed = 0; seed < 6000; ++seed) {
    const Split s = stratified_holdout(labels, 0.5, seed);
    ASSERT_EQ(s.holdout.size(), 2u);
    ++pairs[s.holdout];
    for (const auto i : s.holdout) ++rows[i];
  }
  EXPECT_EQ(pairs.size(), 6u);
  for (const auto& [pair, count] : pairs) EXPECT_NEAR(count, 1000, 150);
  for (const int count : rows) EXPECT_NEAR(count, 3000, 200);
}

TEST(Split, EmptyLabels) {
  const Split s = stratified_holdout(std::vector<int>{}, 0.2, 5);
  EXPECT_TRUE(s.train.empty());
  EXPECT_TRUE(s.holdout.empty());
}

TEST(Split, BadFractionRefused) {
  const std::vector<int> labels{0, 0, 1, 1};
  for (const double f : {0.0, 1.0, -0.2, 1.5, std::numeric_limits<double>::quiet_NaN(),
                         std::numeric_limits<double>::infinity()}) {
    try {
      (void)stratified_holdout(labels, f, 1);
      ADD_FAILURE() << "fraction " << f << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
      EXPECT_EQ(std::string(e.what()).rfind("holdout must be in (0,1), got ", 0), 0u) << e.what();
    }
  }
  try {
    (void)stratified_holdout(labels, 1.5, 1);
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "holdout must be in (0,1), got 1.5");
  }
}

}  // namespace
}  // namespace ksauth::eval
