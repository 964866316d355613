#include "models/manhattan.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.hpp"
#include "unit/models/toy_data.hpp"

namespace ksauth::models {
namespace {

using testing::matrix;

void expect_probabilities(const Matrix& p) {
  for (std::size_t r = 0; r < p.rows(); ++r) {
    double sum = 0;
    for (double v : p.row(r)) {
      EXPECT_TRUE(std::isfinite(v));
      EXPECT_GE(v, 0.0);
      EXPECT_LE(v, 1.0);
      sum += v;
    }
    EXPECT_NEAR(sum, 1.0, 1e-12);
  }
}

TEST(Manhattan, MeansDeviationsAndScoreByHand) {
  // Class 0: (1,10) (3,10) (2,13): means (2, 11), MADs ((1+1+0)/3, (1+1+2)/3) = (2/3, 4/3).
  // Class 1: (5,0) (7,4): means (6, 2), MADs (1, 2).
  const Matrix x = matrix({{1, 10}, {3, 10}, {2, 13}, {5, 0}, {7, 4}});
  const std::vector<int> y{0, 0, 0, 1, 1};
  Manhattan model;
  model.fit(x, y, 2, {});
  EXPECT_EQ(model.n_classes(), 2);
  EXPECT_EQ(model.n_features(), 2u);
  EXPECT_EQ(model.class_counts(), (std::vector<std::uint64_t>{3, 2}));
  EXPECT_DOUBLE_EQ(model.class_means(0)[0], 2.0);
  EXPECT_DOUBLE_EQ(model.class_means(0)[1], 11.0);
  EXPECT_DOUBLE_EQ(model.class_mads(0)[0], 2.0 / 3);
  EXPECT_DOUBLE_EQ(model.class_mads(0)[1], 4.0 / 3);
  EXPECT_DOUBLE_EQ(model.class_means(1)[0], 6.0);
  EXPECT_DOUBLE_EQ(model.class_means(1)[1], 2.0);
  EXPECT_DOUBLE_EQ(model.class_mads(1)[0], 1.0);
  EXPECT_DOUBLE_EQ(model.class_mads(1)[1], 2.0);

  // (4, 12): class 0 scores -(2/(2/3) + 1/(4/3)) = -3.75, class 1 -(2/1 + 10/2) = -7.
  const Matrix point = matrix({{4, 12}});
  const Matrix s = model.scores(point);
  EXPECT_DOUBLE_EQ(s(0, 0), -3.75);
  EXPECT_DOUBLE_EQ(s(0, 1), -7.0);
  // Softmax of the scores per feature: (-1.875, -3.5).
  const Matrix p = model.predict_proba(point);
  EXPECT_NEAR(p(0, 0), 1 / (1 + std::exp(-1.625)), 1e-15);
  EXPECT_NEAR(p(0, 1), 1 / (1 + std::exp(1.625)), 1e-15);
  expect_probabilities(p);
}

TEST(Manhattan, ZeroDeviationIsFloored) {
  // Feature 1 is constant (5) within class 0. Over all rows it takes 5 5 1 3: mean 3.5, MAD 1.5, so class 0's
  // MAD becomes 1% of it, 0.015. Feature 2 is 0 everywhere: its MAD becomes 1e-6 in every class.
  const Matrix x = matrix({{1, 5, 0}, {3, 5, 0}, {10, 1, 0}, {12, 3, 0}});
  Manhattan model;
  model.fit(x, std::vector<int>{0, 0, 1, 1}, 2, {});
  EXPECT_DOUBLE_EQ(model.class_mads(0)[1], 0.015);
  EXPECT_DOUBLE_EQ(model.class_mads(1)[1], 1.0);
  EXPECT_DOUBLE_EQ(model.class_mads(0)[2], Manhattan::kMadFloorAbsolute);
  EXPECT_DOUBLE_EQ(model.class_mads(1)[2], Manhattan::kMadFloorAbsolute);

  // (2, 6, 0): class 0 scores -(0 + 1/0.015 + 0), class 1 -(9 + 4 + 0) = -13.
  const Matrix s = model.scores(matrix({{2, 6, 0}}));
  EXPECT_NEAR(s(0, 0), -1 / 0.015, 1e-9);
  EXPECT_DOUBLE_EQ(s(0, 1), -13.0);

  // Off-template values on the floored features, and absurd ones, still give probabilities.
  const Matrix p = model.predict_proba(matrix({{2, 6, 0}, {2, 5, 1}, {1e300, -1e300, 1e300}, {2, 5, 0}}));
  expect_probabilities(p);
  EXPECT_GT(p(0, 1), 0.99);
  EXPECT_NEAR(p(3, 0), 1 / (1 + std::exp(-4.0)), 1e-12);  // scores 0 and -(9 + 3 + 0): per feature 0 and -4
  // A constant feature off its value adds the same deviation to every class: the ranking stays.
  EXPECT_GT(p(1, 0), p(1, 1));
}

TEST(Manhattan, ClassWithoutRowsGetsProbabilityZero) {
  const Matrix x = matrix({{1, 1}, {2, 2}, {8, 8}, {9, 9}});
  Manhattan model;
  model.fit(x, std::vector<int>{0, 0, 2, 2}, 3, {});
  EXPECT_EQ(model.class_counts()[1], 0u);
  EXPECT_TRUE(model.class_means(1).empty());
  const Matrix s = model.scores(matrix({{1.5, 1.5}}));
  EXPECT_EQ(s(0, 1), -INFINITY);
  const Matrix p = model.predict_proba(matrix({{1.5, 1.5}, {8.5, 8.5}}));
  expect_probabilities(p);
  EXPECT_EQ(p(0, 1), 0.0);
  EXPECT_EQ(p(1, 1), 0.0);
  EXPECT_GT(p(0, 0), 0.99);
  EXPECT_GT(p(1, 2), 0.99);
}

TEST(Manhattan, RefusesParamsAndBadInput) {
  try {
    Manhattan model({{"k", 3}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
    EXPECT_NE(std::string(e.what()).find("unknown parameter 'k'"), std::string::npos) << e.what();
  }
  Manhattan model;
  EXPECT_TRUE(model.params().empty());
  EXPECT_THROW(model.predict_proba(matrix({{1}})), Error);  // not fitted
  EXPECT_THROW(model.fit(matrix({{1}, {2}}), std::vector<int>{0, 3}, 2, {}), Error);
  model.fit(matrix({{1}, {2}}), std::vector<int>{0, 1}, 2, {});
  EXPECT_THROW(model.predict_proba(matrix({{1, 2}})), Error);
  EXPECT_THROW(model.predict_proba(matrix({{NAN}})), Error);
}

TEST(Manhattan, CancellationIsHonoured) {
  std::atomic<bool> cancel{true};
  FitOptions options;
  options.progress = Progress(nullptr, &cancel);
  Manhattan model;
  try {
    model.fit(matrix({{1}, {2}}), std::vector<int>{0, 1}, 2, options);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::cancelled);
  }
  EXPECT_EQ(model.n_classes(), 0);
}

TEST(Manhattan, SaveLoadRoundTripAndChecks) {
  const Matrix x = matrix({{1, 10}, {3, 10}, {2, 13}, {5, 0}, {7, 4}});
  Manhattan model;
  model.fit(x, std::vector<int>{0, 0, 0, 2, 2}, 3, {});
  BinaryWriter out;
  model.save(out);
  Manhattan loaded;
  BinaryReader in(out.bytes());
  loaded.load(in);
  EXPECT_TRUE(in.at_end());
  EXPECT_EQ(loaded.predict_proba(x).data(), model.predict_proba(x).data());
  EXPECT_EQ(loaded.class_counts(), model.class_counts());

  // A hand-built model with a zero deviation, and one announcing 2^20 classes with no bytes behind them.
  BinaryWriter zero;
  zero.u32(1), zero.u32(1), zero.u64(3), zero.f64(1.0), zero.f64(0.0);
  BinaryReader zero_in(zero.bytes());
  EXPECT_THROW(loaded.load(zero_in), Error);
  BinaryWriter huge;
  huge.u32(1u << 20), huge.u32(1u << 20), huge.u64(1);
  BinaryReader huge_in(huge.bytes());
  EXPECT_THROW(loaded.load(huge_in), Error);
  EXPECT_EQ(loaded.n_classes(), 3);  // a failed load leaves the model as it was
}

}  // namespace
}  // namespace ksauth::models
