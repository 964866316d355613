// The verification detectors against hand-computed scores, the pseudo-inverse on collinear features,
// and their saved bytes.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/error.hpp"
#include "support/fixtures.hpp"
#include "verify/detector.hpp"
#include "verify/knn_scaled_manhattan.hpp"
#include "verify/mahalanobis.hpp"
#include "verify/one_class_svm.hpp"
#include "verify/whitening.hpp"

namespace ksauth::verify {
namespace {

Matrix rows(const std::vector<std::vector<double>>& values) { return ksauth::testing::matrix_of(values); }

// (0,0), (2,0), (0,4), (2,4): mean (1,2); mean absolute deviations (1,2); standard deviations (n - 1)
// sqrt(4/3) and sqrt(16/3); covariance diag(4/3, 16/3) (the features are uncorrelated).
const Matrix kGenuine = rows({{0, 0}, {2, 0}, {0, 4}, {2, 4}});
const std::vector<double> kProbe = {4, 3};  // x - mean = (3, 1)

double score_of(const std::string& type, const Matrix& genuine, const std::vector<double>& x) {
  auto d = make_detector(type);
  d->enroll(genuine);
  return d->score(x);
}

TEST(Detectors, HandComputedScores) {
  EXPECT_DOUBLE_EQ(score_of("euclidean", kGenuine, kProbe), -(9.0 + 1.0));
  EXPECT_DOUBLE_EQ(score_of("manhattan", kGenuine, kProbe), -(3.0 + 1.0));
  EXPECT_DOUBLE_EQ(score_of("scaled_manhattan", kGenuine, kProbe), -(3.0 / 1 + 1.0 / 2));
  // z = 3 / 1.155 = 2.60 > 1.96 (an outlier); 1 / 2.309 = 0.43 (not).
  EXPECT_DOUBLE_EQ(score_of("outlier_count", kGenuine, kProbe), -1);
  // 3^2 / (4/3) + 1^2 / (16/3) = 27/4 + 3/16 = 111/16.
  EXPECT_NEAR(score_of("mahalanobis", kGenuine, kProbe), -111.0 / 16, 1e-12);
  // Nearest genuine attempt (2,4): d = (2,-1): 4 (3/4) + 1 (3/16) = 51/16; (2,0) gives 75/16.
  EXPECT_NEAR(score_of("nearest_neighbor_mahalanobis", kGenuine, kProbe), -51.0 / 16, 1e-12);
  // The mean itself is as genuine as can be for the template detectors.
  for (const std::string type : {"euclidean", "manhattan", "scaled_manhattan", "outlier_count", "mahalanobis"})
    EXPECT_NEAR(score_of(type, kGenuine, {1, 2}), 0, 1e-12) << type;
}

TEST(Detectors, PseudoInverseOnCollinearFeatures) {
  // A third feature that is the sum of the others (like UD = DD - H): the covariance is singular. With the
  // pseudo-inverse, a vector in the span scores as it does without the redundant feature.
  const Matrix genuine = rows({{0, 0, 0}, {2, 0, 2}, {0, 4, 4}, {2, 4, 6}});
  const std::vector<double> probe = {4, 3, 7};
  EXPECT_NEAR(score_of("mahalanobis", genuine, probe), -111.0 / 16, 1e-9);
  EXPECT_NEAR(score_of("nearest_neighbor_mahalanobis", genuine, probe), -51.0 / 16, 1e-9);
  MahalanobisDetector d(false);
  d.enroll(genuine);
  EXPECT_EQ(d.rank(), 2u);
}

TEST(Detectors, SymmetricEigen) {
  const SymmetricEigen e = symmetric_eigen(rows({{2, 1}, {1, 2}}));
  ASSERT_EQ(e.values.size(), 2u);
  EXPECT_NEAR(e.values[0], 3, 1e-12);
  EXPECT_NEAR(e.values[1], 1, 1e-12);
  EXPECT_NEAR(std::abs(e.vectors(0, 0)), std::sqrt(0.5), 1e-12);
  EXPECT_NEAR(e.vectors(0, 0), e.vectors(1, 0), 1e-12);   // (1,1)/sqrt 2
  EXPECT_NEAR(e.vectors(0, 1), -e.vectors(1, 1), 1e-12);  // (1,-1)/sqrt 2
  const Matrix cov = covariance(kGenuine);
  EXPECT_NEAR(cov(0, 0), 4.0 / 3, 1e-12);
  EXPECT_NEAR(cov(1, 1), 16.0 / 3, 1e-12);
  EXPECT_NEAR(cov(0, 1), 0, 1e-12);
}

TEST(Detectors, ConstantFeatureDoesNotDivideByZero) {
  const Matrix genuine = rows({{1, 5}, {3, 5}});
  EXPECT_DOUBLE_EQ(score_of("scaled_manhattan", genuine, {2, 5}), 0);
  EXPECT_TRUE(std::isfinite(score_of("scaled_manhattan", genuine, {2, 6})));
  EXPECT_DOUBLE_EQ(score_of("outlier_count", genuine, {2, 6}), -1);
  EXPECT_NEAR(score_of("mahalanobis", genuine, {2, 6}), 0, 1e-12);  // the constant direction is dropped
}

TEST(Detectors, OneClassSvmTwoPoints) {
  // Enrolled on 0 and 1: standardised to -1/sqrt 2 and +1/sqrt 2 (mean 0.5, sd 1/sqrt 2), gamma = 1/1, so
  // K between them = exp(-2). nu = 0.5 over 2 points: alphas sum to 1, by symmetry 0.5 each, both free, so
  // rho = 0.5 (1 + exp(-2)) and the decision value is 0 at each enrolled point.
  OneClassSvmDetector d;
  d.enroll(rows({{0}, {1}}));
  EXPECT_DOUBLE_EQ(d.gamma(), 1.0);
  ASSERT_EQ(d.coefficients().size(), 2u);
  EXPECT_NEAR(d.coefficients()[0], 0.5, 1e-9);
  EXPECT_NEAR(d.coefficients()[1], 0.5, 1e-9);
  const double rho = 0.5 * (1 + std::exp(-2.0));
  EXPECT_NEAR(d.rho(), rho, 1e-9);
  EXPECT_NEAR(d.score(std::vector<double>{0}), 0, 1e-9);
  EXPECT_NEAR(d.score(std::vector<double>{1}), 0, 1e-9);
  // Halfway (z = 0, at 1/2 from both in squared distance): exp(-1/2) - rho = +0.0389 (inside).
  EXPECT_NEAR(d.score(std::vector<double>{0.5}), std::exp(-0.5) - rho, 1e-9);
  EXPECT_GT(d.score(std::vector<double>{0.5}), 0);
  // Far away the kernel vanishes: -rho (outside).
  EXPECT_NEAR(d.score(std::vector<double>{50}), -rho, 1e-9);
}

TEST(Detectors, OneClassSvmOrdersNearAboveFar) {
  // The corners of kGenuine's rectangle: its centre is inside the support, points get less genuine with
  // the distance, and a far point is outside.
  auto d = make_detector("one_class_svm");
  d->enroll(kGenuine);
  const double centre = d->score(std::vector<double>{1, 2}), corner = d->score(std::vector<double>{2, 4});
  const double near = d->score(kProbe), far = d->score(std::vector<double>{10, 20});
  EXPECT_GT(centre, 0);
  EXPECT_GT(centre, corner);
  EXPECT_GT(corner, near);
  EXPECT_GT(near, far);
  EXPECT_LT(far, 0);
}

TEST(Detectors, KnnScaledManhattanOnLogTimings) {
  // Columns H, DD, UD = DD - H with H = e^a, DD = e^b: UD is dropped, H and DD (positive) become a and b.
  // a = 0 0 0 2 2 2 (mean 1, mean absolute deviation 1); b = 0 1 2 0 1 2 (mean 1, deviation 2/3).
  Matrix genuine;
  const double a[] = {0, 0, 0, 2, 2, 2}, b[] = {0, 1, 2, 0, 1, 2};
  for (int i = 0; i < 6; ++i)
    genuine.append_row(std::vector<double>{std::exp(a[i]), std::exp(b[i]), std::exp(b[i]) - std::exp(a[i])});
  KnnScaledManhattanDetector d;
  d.enroll(genuine);
  using Column = KnnScaledManhattanDetector::Column;
  EXPECT_EQ(d.columns(), (std::vector<Column>{Column::log, Column::log, Column::dropped}));
  ASSERT_EQ(d.spread().size(), 2u);
  EXPECT_NEAR(d.spread()[0], 1, 1e-12);
  EXPECT_NEAR(d.spread()[1], 2.0 / 3, 1e-12);
  // Probe (a, b) = (1, 1): distances |1 - a| / 1 + |1 - b| / (2/3) = 2.5, 1, 2.5, 2.5, 1, 2.5; the 5 nearest
  // average (1 + 1 + 2.5 + 2.5 + 2.5) / 5 = 1.9. Its UD is ignored, whatever it is.
  const double e = std::exp(1.0);
  EXPECT_NEAR(d.score(std::vector<double>{e, e, 0}), -1.9, 1e-12);
  EXPECT_NEAR(d.score(std::vector<double>{e, e, 123}), -1.9, 1e-12);
  // The enrolled attempt (0, 1): distances 1.5, 0, 1.5, 3.5, 2, 3.5, the 5 nearest average 8.5 / 5 = 1.7;
  // a slower attempt is further.
  EXPECT_NEAR(d.score(std::vector<double>{1, e, e - 1}), -1.7, 1e-12);
  EXPECT_LT(d.score(std::vector<double>{e * e * e, e * e * e, 0}), -1.9);
  // A hold time of 0 or less is raised to the floor instead of taking the log of it.
  EXPECT_TRUE(std::isfinite(d.score(std::vector<double>{-1, e, 0})));
}

TEST(Detectors, KnnScaledManhattanKeepsNonPositiveColumnsLinear) {
  // kGenuine has zeros: both columns stay linear, nothing is redundant; with 4 attempts k is 4.
  // Probe (4, 3), spreads (1, 2): distances to the corners 5.5, 3.5, 4.5, 2.5, mean 4.
  KnnScaledManhattanDetector d;
  d.enroll(kGenuine);
  using Column = KnnScaledManhattanDetector::Column;
  EXPECT_EQ(d.columns(), (std::vector<Column>{Column::linear, Column::linear}));
  EXPECT_NEAR(d.score(kProbe), -4, 1e-12);
}

TEST(Detectors, SaveLoadRoundTrip) {
  for (const auto& type : detector_types()) {
    auto d = make_detector(type);
    EXPECT_EQ(d->type(), type);
    d->enroll(kGenuine);
    BinaryWriter out;
    d->save(out);
    auto loaded = make_detector(type);
    BinaryReader in(out.bytes());
    loaded->load(in);
    EXPECT_TRUE(in.at_end()) << type;
    EXPECT_EQ(loaded->n_features(), 2u);
    for (const auto& x : std::vector<std::vector<double>>{kProbe, {1, 2}, {-3, 10}})
      EXPECT_EQ(loaded->score(x), d->score(x)) << type;
    // Every truncation is refused as corrupt.
    for (std::size_t n = 0; n < out.bytes().size(); ++n) {
      BinaryReader cut(std::string_view(out.bytes()).substr(0, n));
      EXPECT_THROW(make_detector(type)->load(cut), Error) << type << " cut at " << n;
    }
  }
}

// Counts that a file cannot hold (a million features, a million-rank whitening) are refused as corrupt
// before anything of their size is allocated: the Mahalanobis detectors made a 2^20 x 2^20 matrix first
// (found by the verifier_file fuzzer), which here would be 8 TB and std::bad_alloc.
TEST(Detectors, HugeCountsInAFileAreCorruptNotAnAllocation) {
  BinaryWriter out;
  for (int i = 0; i < 6; ++i) out.u32(1u << 20);
  for (const auto& type : detector_types()) {
    BinaryReader in(out.bytes());
    try {
      make_detector(type)->load(in);
      ADD_FAILURE() << type << " loaded";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::corrupt) << type << ": " << e.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << type << ": " << e.what();
    }
  }
}

TEST(Detectors, BadInputIsRefused) {
  const auto kind = [](auto&& f) {
    try {
      f();
    } catch (const Error& e) {
      return e.kind();
    }
    return ErrorKind::io;  // not thrown: no kind expected by the tests
  };
  for (const auto& type : detector_types()) {
    auto d = make_detector(type);
    EXPECT_EQ(kind([&] { d->score(kProbe); }), ErrorKind::invalid_input) << type;  // not enrolled
    EXPECT_EQ(kind([&] { d->enroll(rows({{1, 2}})); }), ErrorKind::invalid_input) << type;
    EXPECT_EQ(kind([&] { d->enroll(rows({{1, 2}, {std::numeric_limits<double>::quiet_NaN(), 1}})); }),
              ErrorKind::invalid_input);
    d->enroll(kGenuine);
    EXPECT_EQ(kind([&] { d->score(std::vector<double>{1, 2, 3}); }), ErrorKind::invalid_input) << type;
  }
  EXPECT_EQ(kind([] { make_detector("svm"); }), ErrorKind::invalid_input);
}

}  // namespace
}  // namespace ksauth::verify
