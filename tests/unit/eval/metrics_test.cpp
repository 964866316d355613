#include "eval/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/error.hpp"
#include "support/fixtures.hpp"

namespace ksauth::eval {
namespace {

Matrix matrix(const std::vector<std::vector<double>>& rows) { return ksauth::testing::matrix_of(rows); }

double auc(const std::vector<double>& scores, const std::vector<bool>& positive) {
  const auto flags = std::make_unique<bool[]>(positive.size());
  for (std::size_t i = 0; i < positive.size(); ++i) flags[i] = positive[i];
  return roc_auc(scores, std::span<const bool>(flags.get(), positive.size()));
}

template <class F>
void expect_error(ErrorKind kind, F&& f) {
  try {
    f();
    ADD_FAILURE() << "no error thrown";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
  }
}

TEST(Predictions, ArgMaxTiesToLowestIndex) {
  const Matrix p = matrix({{0.1, 0.7, 0.2}, {0.4, 0.4, 0.2}, {0.3, 0.3, 0.3}, {0.0, 0.1, 0.9}});
  EXPECT_EQ(predictions(p), (std::vector<int>{1, 0, 0, 2}));
  EXPECT_TRUE(predictions(Matrix{}).empty());
}

TEST(RocAuc, NoTies) {
  // Positives {0.35, 0.8}, negatives {0.1, 0.4}. Pairs won by the positive: 0.35>0.1, 0.8>0.1, 0.8>0.4;
  // lost: 0.35<0.4. AUC = 3/4.
  EXPECT_DOUBLE_EQ(auc({0.1, 0.4, 0.35, 0.8}, {false, false, true, true}), 0.75);
}

TEST(RocAuc, TiesCountOneHalf) {
  // Positives {0.5, 0.8}, negatives {0.5, 0.2}. Pairs: (0.5,0.5) tie = 1/2, (0.5,0.2) = 1, (0.8,0.5) = 1,
  // (0.8,0.2) = 1. AUC = 3.5 / 4 = 0.875.
  EXPECT_DOUBLE_EQ(auc({0.5, 0.5, 0.2, 0.8}, {true, false, false, true}), 0.875);
  // Three-way tie across both sides: positives {0.3, 0.3, 0.9}, negatives {0.3, 0.1}.
  // 0.3 vs {0.3, 0.1}: 0.5 + 1 (twice) = 3; 0.9 vs both: 2. Total 5 / 6.
  EXPECT_DOUBLE_EQ(auc({0.3, 0.3, 0.3, 0.1, 0.9}, {true, true, false, false, true}), 5.0 / 6.0);
  // All equal: every pair is a tie -> 1/2.
  EXPECT_DOUBLE_EQ(auc({1, 1, 1, 1}, {true, false, true, false}), 0.5);
  // Perfectly wrong ordering -> 0.
  EXPECT_DOUBLE_EQ(auc({0.9, 0.8, 0.1, 0.2}, {false, false, true, true}), 0.0);
}

TEST(RocAuc, OneSideEmptyIsNaN) {
  EXPECT_TRUE(std::isnan(auc({0.1, 0.2}, {true, true})));
  EXPECT_TRUE(std::isnan(auc({0.1, 0.2}, {false, false})));
  EXPECT_TRUE(std::isnan(auc({}, {})));
}

TEST(RocAuc, BadInputRefused) {
  expect_error(ErrorKind::invalid_input, [] { auc({0.1, 0.2}, {true}); });
  expect_error(ErrorKind::invalid_input, [] {
    auc({0.1, std::numeric_limits<double>::quiet_NaN()}, {true, false});
  });
}

TEST(ConfusionMatrix, CountsTruthByPrediction) {
  // truth 0 0 1 2 2 2, predicted 0 1 1 2 0 2 -> row 0: {1,1,0}; row 1: {0,1,0}; row 2: {1,0,2}.
  const std::vector<int> truth{0, 0, 1, 2, 2, 2};
  const std::vector<int> pred{0, 1, 1, 2, 0, 2};
  const auto cm = confusion_matrix(truth, pred, 4);
  const std::vector<std::vector<std::size_t>> expected{
      {1, 1, 0, 0}, {0, 1, 0, 0}, {1, 0, 2, 0}, {0, 0, 0, 0}};
  EXPECT_EQ(cm, expected);
  expect_error(ErrorKind::invalid_input, [&] { confusion_matrix(truth, pred, 2); });
  expect_error(ErrorKind::invalid_input, [&] { confusion_matrix(truth, std::vector<int>{0}, 3); });
}

// Four classes in the scores; class 2 is never predicted, class 3 is absent from the holdout and never
// predicted (so it is left out of every macro average).
//
//   row truth scores                   prediction
//   r0  0     0.7  0.2  0.1  0.0       0
//   r1  0     0.2  0.5  0.3  0.0       1
//   r2  1     0.1  0.6  0.3  0.0       1
//   r3  1     0.4  0.4  0.2  0.0       0 (tie with 1 -> lower index)
//   r4  2     0.3  0.5  0.2  0.0       1
//   r5  2     0.1  0.45 0.35 0.1       1
//
// accuracy = correct {r0, r2} = 2/6 = 1/3.
// class 0: predicted {r0, r3}, hit r0 -> P = 1/2; true {r0, r1} -> R = 1/2; F1 = 1/2.
// class 1: predicted {r1, r2, r4, r5}, hit r2 -> P = 1/4; true {r2, r3} -> R = 1/2;
//          F1 = 2 * (1/4)(1/2) / (3/4) = 1/3.
// class 2: never predicted -> P = 0 (zero_division = 0); true {r4, r5}, no hit -> R = 0; F1 = 0.
// macro P = (1/2 + 1/4 + 0) / 3 = 1/4; R = (1/2 + 1/2 + 0) / 3 = 1/3; F1 = (1/2 + 1/3 + 0) / 3 = 5/18.
// ROC AUC (classes 0, 1, 2; class 3 has no positives):
//   class 0: pos {0.7, 0.2}, neg {0.1, 0.4, 0.3, 0.1}: 0.7 wins 4; 0.2 wins 2 -> 6/8 = 0.75.
//   class 1: pos {0.6, 0.4}, neg {0.2, 0.5, 0.5, 0.45}: 0.6 wins 4; 0.4 wins 1 -> 5/8 = 0.625.
//   class 2: pos {0.2, 0.35}, neg {0.1, 0.3, 0.3, 0.2}: 0.2 wins 1 + tie 1/2; 0.35 wins 4 -> 5.5/8 = 0.6875.
//   macro = (0.75 + 0.625 + 0.6875) / 3 = 0.6875.
// top-3: r1's truth 0 (0.2) is behind 0.5 and 0.3 -> third, in; r3's truth 1 is behind class 0 (tie,
//   lower index) -> second; r4's truth 2 (0.2) behind 0.3 and 0.5 -> third; all others first or second.
//   top-3 = 6/6 = 1.
TEST(ComputeMetrics, HandWorkedExample) {
  const std::vector<int> truth{0, 0, 1, 1, 2, 2};
  const Matrix p = matrix({{0.7, 0.2, 0.1, 0.0},
                           {0.2, 0.5, 0.3, 0.0},
                           {0.1, 0.6, 0.3, 0.0},
                           {0.4, 0.4, 0.2, 0.0},
                           {0.3, 0.5, 0.2, 0.0},
                           {0.1, 0.45, 0.35, 0.1}});
  const Metrics m = compute_metrics(truth, p);
  EXPECT_EQ(m.n, 6u);
  EXPECT_DOUBLE_EQ(m.accuracy, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.precision, 0.25);
  EXPECT_DOUBLE_EQ(m.recall, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.f1, 5.0 / 18.0);
  EXPECT_DOUBLE_EQ(m.roc_auc, 0.6875);
  EXPECT_DOUBLE_EQ(m.top3_accuracy, 1.0);
}

// A class predicted but absent from the truth still counts in the macro averages (the union rule).
//   row truth scores           prediction
//   r0  0     0.6 0.1 0.3      0
//   r1  0     0.3 0.2 0.5      2
//   r2  1     0.1 0.8 0.1      1
// class 0: P = 1/1, R = 1/2, F1 = 2(1)(1/2)/(3/2) = 2/3.  class 1: P = R = F1 = 1.
// class 2: predicted once, never right -> P = 0; no true rows -> R = 0; F1 = 0.
// macro P = 2/3, R = 1/2, F1 = (2/3 + 1 + 0) / 3 = 5/9; accuracy 2/3.
// ROC AUC over classes 0 and 1 (class 2 has no positives):
//   class 0: pos {0.6, 0.3} vs neg {0.1} -> 1;  class 1: pos {0.8} vs neg {0.1, 0.2} -> 1.  macro 1.
TEST(ComputeMetrics, ClassPredictedButNotInTruth) {
  const std::vector<int> truth{0, 0, 1};
  const Matrix p = matrix({{0.6, 0.1, 0.3}, {0.3, 0.2, 0.5}, {0.1, 0.8, 0.1}});
  const Metrics m = compute_metrics(truth, p);
  EXPECT_DOUBLE_EQ(m.accuracy, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.recall, 0.5);
  EXPECT_DOUBLE_EQ(m.f1, 5.0 / 9.0);
  EXPECT_DOUBLE_EQ(m.roc_auc, 1.0);
  EXPECT_DOUBLE_EQ(m.top3_accuracy, 1.0);
}

// Five classes, so the top 3 leaves two out. Ties rank the lower class index first.
//   r0 truth 3, scores all 0.2: classes 0, 1, 2 rank ahead (lower index)   -> 4th, out.
//   r1 truth 2, scores all 0.2: classes 0, 1 ahead                          -> 3rd, in.
//   r2 truth 4, scores 0.1 0.3 0.3 0.1 0.2: 1 and 2 ahead                   -> 3rd, in.
//   r3 truth 0, same scores: 1, 2, 4 ahead (0.3, 0.3, 0.2 > 0.1)            -> 4th, out.
//   r4 truth 3, same scores: 1, 2, 4 ahead, and 0 (tie, lower index)       -> 5th, out.
// top-3 = 2/5. Predictions: 0, 0, 1, 1, 1 -> correct none -> accuracy 0.
TEST(ComputeMetrics, Top3WithTies) {
  const std::vector<int> truth{3, 2, 4, 0, 3};
  const std::vector<double> flat(5, 0.2);
  const std::vector<double> r{0.1, 0.3, 0.3, 0.1, 0.2};
  const Matrix p = matrix({flat, flat, r, r, r});
  const Metrics m = compute_metrics(truth, p);
  EXPECT_DOUBLE_EQ(m.top3_accuracy, 0.4);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.0);
}

TEST(ComputeMetrics, SingleClassHoldoutHasNoAuc) {
  // Only class 1 in the truth: no class has both positives and negatives -> NaN.
  // Predictions 1, 0: accuracy 1/2. Classes {0, 1}: class 0 P = 0 (predicted once, wrong), R = 0 (no
  // truth); class 1 P = 1, R = 1/2, F1 = 2/3. Macro P = 1/2, R = 1/4, F1 = 1/3.
  const std::vector<int> truth{1, 1};
  const Matrix p = matrix({{0.2, 0.8}, {0.9, 0.1}});
  const Metrics m = compute_metrics(truth, p);
  EXPECT_TRUE(std::isnan(m.roc_auc));
  EXPECT_DOUBLE_EQ(m.accuracy, 0.5);
  EXPECT_DOUBLE_EQ(m.precision, 0.5);
  EXPECT_DOUBLE_EQ(m.recall, 0.25);
  EXPECT_DOUBLE_EQ(m.f1, 1.0 / 3.0);
}

TEST(ComputeMetrics, BadInputRefused) {
  const Matrix p = matrix({{0.6, 0.4}, {0.3, 0.7}});
  expect_error(ErrorKind::invalid_input, [&] { compute_metrics(std::vector<int>{0}, p); });
  expect_error(ErrorKind::invalid_input, [&] { compute_metrics(std::vector<int>{0, 2}, p); });
  expect_error(ErrorKind::invalid_input, [&] { compute_metrics(std::vector<int>{-1, 0}, p); });
  expect_error(ErrorKind::invalid_input, [&] { compute_metrics(std::vector<int>{}, Matrix{}); });
  const Matrix nan = matrix({{0.6, std::numeric_limits<double>::quiet_NaN()}, {0.3, 0.7}});
  expect_error(ErrorKind::invalid_input, [&] { compute_metrics(std::vector<int>{0, 1}, nan); });
}

TEST(MetricsJson, RoundTripWithKeys) {
  Metrics m;
  m.accuracy = 0.5;
  m.precision = 0.25;
  m.recall = 1.0 / 3.0;
  m.f1 = 5.0 / 18.0;
  m.roc_auc = 0.6875;
  m.top3_accuracy = 1.0;
  m.n = 6;
  const nlohmann::json j = to_json(m);
  EXPECT_EQ(j.size(), 7u);
  EXPECT_EQ(j.at("accuracy").get<double>(), 0.5);
  EXPECT_EQ(j.at("precision").get<double>(), 0.25);
  EXPECT_EQ(j.at("recall").get<double>(), 1.0 / 3.0);
  EXPECT_EQ(j.at("f1").get<double>(), 5.0 / 18.0);
  EXPECT_EQ(j.at("roc_auc").get<double>(), 0.6875);
  EXPECT_EQ(j.at("top3_accuracy").get<double>(), 1.0);
  EXPECT_EQ(j.at("n").get<std::size_t>(), 6u);
  // Through text, as the store keeps it.
  const Metrics back = metrics_from_json(nlohmann::json::parse(j.dump()));
  EXPECT_EQ(back.accuracy, m.accuracy);
  EXPECT_EQ(back.precision, m.precision);
  EXPECT_EQ(back.recall, m.recall);
  EXPECT_EQ(back.f1, m.f1);
  EXPECT_EQ(back.roc_auc, m.roc_auc);
  EXPECT_EQ(back.top3_accuracy, m.top3_accuracy);
  EXPECT_EQ(back.n, m.n);
}

TEST(MetricsJson, NaNIsNullAndBack) {
  Metrics m;
  m.roc_auc = std::numeric_limits<double>::quiet_NaN();
  m.n = 2;
  const nlohmann::json j = to_json(m);
  EXPECT_TRUE(j.at("roc_auc").is_null());
  EXPECT_TRUE(std::isnan(metrics_from_json(nlohmann::json::parse(j.dump())).roc_auc));
}

TEST(MetricsJson, MalformedRefused) {
  const nlohmann::json good = to_json(Metrics{});
  expect_error(ErrorKind::corrupt, [] { metrics_from_json(nlohmann::json::array()); });
  auto missing = good;
  missing.erase("f1");
  expect_error(ErrorKind::corrupt, [&] { metrics_from_json(missing); });
  auto text = good;
  text["accuracy"] = "high";
  expect_error(ErrorKind::corrupt, [&] { metrics_from_json(text); });
  auto negative = good;
  negative["n"] = -3;
  expect_error(ErrorKind::corrupt, [&] { metrics_from_json(negative); });
}

}  // namespace
}  // namespace ksauth::eval
