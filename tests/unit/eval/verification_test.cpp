// Verification error rates against hand-computed cases.
#include "eval/verification.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "core/error.hpp"

namespace ksauth::eval {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(Verification, RatesAtAThreshold) {
  const std::vector<double> genuine = {1, 2, 2, 3};
  const std::vector<double> impostor = {0, 2, 2};
  EXPECT_DOUBLE_EQ(false_match_rate(impostor, 2), 2.0 / 3);  // score >= threshold is accepted
  EXPECT_DOUBLE_EQ(false_match_rate(impostor, 2.5), 0);
  EXPECT_DOUBLE_EQ(false_non_match_rate(genuine, 2), 1.0 / 4);  // score < threshold is rejected
  EXPECT_DOUBLE_EQ(false_non_match_rate(genuine, 3.5), 1);
}

TEST(Verification, TiesGiveOnePointPerDistinctScore) {
  // Genuine {1,2,2,3}, impostor {0,2,2}. Thresholds 0,1,2,3,+inf:
  //   t=0: FMR 3/3, FNMR 0     d = FMR - FNMR = 1
  //   t=1: FMR 2/3, FNMR 0     d = 2/3
  //   t=2: FMR 2/3, FNMR 1/4   d = 5/12   <- last d >= 0
  //   t=3: FMR 0,   FNMR 3/4   d = -3/4
  //   inf: FMR 0,   FNMR 1
  // a = (5/12) / (5/12 + 3/4) = 5/14; EER = 2/3 + 5/14 (0 - 2/3) = 3/7 (= 1/4 + 5/14 (3/4 - 1/4));
  // threshold 2 + 5/14 (3 - 2). FMR <= 1% and FMR = 0 first at t=3: FNMR 3/4.
  const std::vector<double> genuine = {2, 3, 1, 2};
  const std::vector<double> impostor = {2, 0, 2};
  const auto curve = error_curve(genuine, impostor);
  const std::vector<ErrorPoint> expected = {
      {0, 1, 0}, {1, 2.0 / 3, 0}, {2, 2.0 / 3, 0.25}, {3, 0, 0.75}, {kInf, 0, 1}};
  EXPECT_EQ(curve, expected);
  const auto r = verification_rates(genuine, impostor);
  EXPECT_NEAR(r.eer, 3.0 / 7, 1e-12);
  EXPECT_NEAR(r.eer_threshold, 2 + 5.0 / 14, 1e-12);
  EXPECT_DOUBLE_EQ(r.fmr100, 0.75);
  EXPECT_DOUBLE_EQ(r.zero_fmr, 0.75);
  EXPECT_EQ(r.n_genuine, 4u);
  EXPECT_EQ(r.n_impostor, 3u);
}

TEST(Verification, PerfectSeparation) {
  // t=3 accepts both genuine and no impostor: FMR = FNMR = 0 there, so a = 0.
  const auto r = verification_rates(std::vector<double>{3, 4}, std::vector<double>{1, 2});
  EXPECT_DOUBLE_EQ(r.eer, 0);
  EXPECT_DOUBLE_EQ(r.eer_threshold, 3);
  EXPECT_DOUBLE_EQ(r.fmr100, 0);
  EXPECT_DOUBLE_EQ(r.zero_fmr, 0);
}

TEST(Verification, CompleteOverlap) {
  // Every score 1: t=1 (FMR 1, FNMR 0, d = 1), then inf (FMR 0, FNMR 1, d = -1): a = 1/2, EER 1/2.
  const auto r = verification_rates(std::vector<double>{1, 1, 1}, std::vector<double>{1, 1});
  EXPECT_DOUBLE_EQ(r.eer, 0.5);
  EXPECT_DOUBLE_EQ(r.eer_threshold, 1);  // the second point is +inf: the first threshold
  EXPECT_DOUBLE_EQ(r.fmr100, 1);
  EXPECT_DOUBLE_EQ(r.zero_fmr, 1);
  // Impostors all above the genuine: worse than chance, EER 1.
  EXPECT_DOUBLE_EQ(verification_rates(std::vector<double>{0}, std::vector<double>{1}).eer, 1);
}

TEST(Verification, AsymmetricCase) {
  // Genuine {0.9, 0.8, 0.7, 0.4} (4), impostor {0.6, 0.5, 0.3, 0.2, 0.1} (5).
  //   t=0.4: FMR 2/5, FNMR 0     d = 0.4
  //   t=0.5: FMR 2/5, FNMR 1/4   d = 0.15  <- last d >= 0
  //   t=0.6: FMR 1/5, FNMR 1/4   d = -0.05
  //   t=0.7: FMR 0,   FNMR 1/4
  // a = 0.15 / 0.2 = 3/4: EER = 0.4 + 3/4 (0.2 - 0.4) = 0.25, threshold 0.5 + 3/4 (0.1) = 0.575.
  // FMR <= 1% and FMR = 0 first at t=0.7: FNMR 1/4.
  const std::vector<double> genuine = {0.9, 0.8, 0.7, 0.4};
  const std::vector<double> impostor = {0.6, 0.5, 0.3, 0.2, 0.1};
  const auto r = verification_rates(genuine, impostor);
  EXPECT_NEAR(r.eer, 0.25, 1e-12);
  EXPECT_NEAR(r.eer_threshold, 0.575, 1e-12);
  EXPECT_DOUBLE_EQ(r.fmr100, 0.25);
  EXPECT_DOUBLE_EQ(r.zero_fmr, 0.25);
  EXPECT_EQ(error_curve(genuine, impostor).size(), 10u);  // 9 distinct scores + inf
}

TEST(Verification, Fmr100AndZeroFmrDiffer) {
  // Genuine 1..10; 200 impostors: 198 at 0, one at 5, one at 8.
  // t=1: FMR 2/200 = 1% (allowed), FNMR 0. FMR = 0 first at t=9: FNMR 8/10.
  std::vector<double> genuine;
  for (int i = 1; i <= 10; ++i) genuine.push_back(i);
  std::vector<double> impostor(198, 0.0);
  impostor.push_back(5);
  impostor.push_back(8);
  const auto r = verification_rates(genuine, impostor);
  EXPECT_DOUBLE_EQ(r.fmr100, 0);
  EXPECT_DOUBLE_EQ(r.zero_fmr, 0.8);
  // t=1 has FMR 0.01, FNMR 0 (d > 0); t=2 FMR 0.01, FNMR 0.1 (d < 0): a = 0.01 / 0.1, EER 0.01.
  EXPECT_NEAR(r.eer, 0.01, 1e-12);
  EXPECT_NEAR(r.eer_threshold, 1.1, 1e-12);
}

TEST(Verification, EmptySidesAndNanAreRefused) {
  const std::vector<double> some = {1};
  const std::vector<double> none;
  EXPECT_THROW(verification_rates(none, some), Error);
  EXPECT_THROW(verification_rates(some, none), Error);
  EXPECT_THROW(error_curve(some, std::vector<double>{std::numeric_limits<double>::quiet_NaN()}), Error);
  // -inf is a score like any other (a detector that overflowed): it is rejected at every finite threshold.
  const auto r = verification_rates(std::vector<double>{1, 2}, std::vector<double>{-kInf, -kInf});
  EXPECT_DOUBLE_EQ(r.eer, 0);
}

TEST(Verification, PointAtATargetFmrIsTheMostAcceptingThatKeepsToIt) {
  // The curve of TiesGiveOnePointPerDistinctScore: (0: 1, 0) (1: 2/3, 0) (2: 2/3, 1/4) (3: 0, 3/4) (inf: 0, 1).
  const auto curve = error_curve(std::vector<double>{2, 3, 1, 2}, std::vector<double>{2, 0, 2});
  EXPECT_EQ(point_at_fmr(curve, 1.0), (ErrorPoint{0, 1, 0}));         // accept everything
  EXPECT_EQ(point_at_fmr(curve, 0.7), (ErrorPoint{1, 2.0 / 3, 0}));   // the first with FMR <= 0.7
  EXPECT_EQ(point_at_fmr(curve, 0.5), (ErrorPoint{3, 0, 0.75}));
  EXPECT_EQ(point_at_fmr(curve, 0.0), (ErrorPoint{3, 0, 0.75}));
  // The highest score is an impostor's: only +infinity keeps FMR at 0.
  const auto worst = error_curve(std::vector<double>{1, 2}, std::vector<double>{0, 5});
  EXPECT_EQ(point_at_fmr(worst, 0.0), (ErrorPoint{kInf, 0, 1}));
  EXPECT_THROW(point_at_fmr(curve, -0.1), Error);
  EXPECT_THROW(point_at_fmr(curve, 1.5), Error);
  EXPECT_THROW(point_at_fmr({}, 0.1), Error);
}

TEST(Verification, MeanDetAveragesTheLowestFnmrAtEachFmr) {
  // Perfect separation: FNMR 0 from FMR 0 on. Complete overlap of one score: (1: 1, 0) (inf: 0, 1).
  const auto perfect = error_curve(std::vector<double>{2, 3}, std::vector<double>{0, 1});
  const auto overlap = error_curve(std::vector<double>{1, 1}, std::vector<double>{1, 1});
  const std::vector<double> grid = {0, 0.5, 1};
  const auto det = mean_det({perfect, overlap}, grid);
  const std::vector<DetPoint> expected = {{0, 0.5}, {0.5, 0.5}, {1, 0}};
  EXPECT_EQ(det, expected);
  EXPECT_THROW(mean_det({}, grid), Error);
}

TEST(Verification, TheDetGridRunsFromZeroToOneOnALogScale) {
  const auto grid = det_fmr_grid();
  ASSERT_EQ(grid.size(), 32u);
  EXPECT_EQ(grid.front(), 0.0);
  EXPECT_DOUBLE_EQ(grid[1], 0.001);
  EXPECT_DOUBLE_EQ(grid[11], 0.01);
  EXPECT_EQ(grid.back(), 1.0);
  for (std::size_t i = 1; i < grid.size(); ++i) EXPECT_LT(grid[i - 1], grid[i]);
}

}  // namespace
}  // namespace ksauth::eval
