#include "models/adaboost.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <numeric>

#include "core/error.hpp"
#include "unit/models/toy_data.hpp"

namespace ksauth::models {
namespace {

using testing::blobs;
using testing::error_kind;
using testing::column;
using testing::matrix;

std::vector<int> argmax_rows(const Matrix& p) {
  std::vector<int> out;
  for (std::size_t r = 0; r < p.rows(); ++r) {
    const auto row = p.row(r);
    out.push_back(static_cast<int>(std::max_element(row.begin(), row.end()) - row.begin()));
  }
  return out;
}

TEST(AdaBoost, DefaultsAndParams) {
  const AdaBoost model;
  EXPECT_EQ(model.type(), "adaboost");
  EXPECT_EQ(model.params(), (Params{{"learning_rate", AdaBoost::kDefaultLearningRate},
                                    {"max_depth", AdaBoost::kDefaultMaxDepth},
                                    {"n_estimators", AdaBoost::kDefaultEstimators}}));
  EXPECT_EQ(model.n_classes(), 0);
  EXPECT_EQ(model.n_features(), 0u);
  const AdaBoost custom({{"n_estimators", 5}, {"learning_rate", 0.5}});
  EXPECT_EQ(custom.params(),
            (Params{{"learning_rate", 0.5}, {"max_depth", AdaBoost::kDefaultMaxDepth}, {"n_estimators", 5}}));
}

TEST(AdaBoost, RefusesBadParams) {
  struct Case {
    Params params;
    std::string expected;
  };
  const std::vector<Case> cases{
      {{{"n_estimators", 0}}, "'n_estimators' must be an integer in [1, 5000] (got 0)"},
      {{{"n_estimators", 5001}}, "'n_estimators' must be an integer in [1, 5000] (got 5001)"},
      {{{"n_estimators", 2.5}}, "'n_estimators' must be an integer in [1, 5000] (got 2.5)"},
      {{{"max_depth", 0}}, "'max_depth' must be an integer in [1, 32] (got 0)"},
      {{{"max_depth", 33}}, "'max_depth' must be an integer in [1, 32] (got 33)"},
      {{{"learning_rate", 0}}, "'learning_rate' must be a number in (0, 1000] (got 0)"},
      {{{"learning_rate", -1}}, "'learning_rate' must be a number in (0, 1000] (got -1)"},
      {{{"learning_rate", INFINITY}}, "'learning_rate' must be a number in (0, 1000]"},
      // A rate this large made the vote weights overflow to NaN in the middle of the fit.
      {{{"learning_rate", 1e308}}, "'learning_rate' must be a number in (0, 1000] (got 1e+308)"},
      {{{"n_estimator", 10}},
       "unknown parameter 'n_estimator' (accepted: learning_rate, max_depth, n_estimators)"},
  };
  for (const Case& c : cases) {
    std::string message;
    EXPECT_EQ(error_kind([&] { AdaBoost model(c.params); }, &message), ErrorKind::invalid_input);
    EXPECT_NE(message.find(c.expected), std::string::npos) << message;
  }
  EXPECT_NO_THROW(AdaBoost({{"n_estimators", 1}, {"max_depth", 32}, {"learning_rate", 1e-9}}));
  EXPECT_NO_THROW(AdaBoost({{"n_estimators", 5000}, {"max_depth", 1}}));
}

TEST(AdaBoost, SeparableDataIsLearnedPerfectly) {
  // Five well-separated classes in four features: no depth-2 tree separates five classes alone (it has at
  // most four leaves), so boosting must combine trees to get every training row right.
  const auto data = blobs(250, 4, 5, 0.15, 3);
  AdaBoost model({{"n_estimators", 50}, {"max_depth", 2}});
  model.fit(data.x, data.y, 5, {});
  EXPECT_GT(model.trees().size(), 1u);
  EXPECT_EQ(argmax_rows(model.predict_proba(data.x)), data.y);
}

TEST(AdaBoost, FirstRoundsWeightsByHand) {
  // x = 1..6, y = 0 0 1 1 2 2, stumps. Round 1: thresholds 2.5 and 4.5 tie; 2.5 wins (lowest). Its right leaf
  // {1: 1/2, 2: 1/2} predicts class 1, so the two class-2 rows are wrong: err = 1/3 and
  // alpha = log((2/3)/(1/3)) + log(3 - 1) = log 4. Those rows' weights are multiplied by 4: weights 1 1 1 1 4
  // 4
  // (/12). Round 2: threshold 4.5 is best (score 2/12 + 8/12, against 0.733 for 2.5), its left leaf
  // {0: 1/2, 1: 1/2} predicts 0, so the class-1 rows are wrong: err = 2/12 and alpha = log(5) + log(2) =
  // log 10.
  const Matrix x = column({1, 2, 3, 4, 5, 6});
  const std::vector<int> y{0, 0, 1, 1, 2, 2};
  AdaBoost model({{"n_estimators", 2}, {"max_depth", 1}, {"learning_rate", 1}});
  model.fit(x, y, 3, {});
  ASSERT_EQ(model.trees().size(), 2u);
  EXPECT_DOUBLE_EQ(model.trees()[0].nodes()[0].threshold, 2.5);
  EXPECT_DOUBLE_EQ(model.errors()[0], 1.0 / 3);
  EXPECT_DOUBLE_EQ(model.alphas()[0], std::log(4.0));
  EXPECT_DOUBLE_EQ(model.trees()[1].nodes()[0].threshold, 4.5);
  EXPECT_DOUBLE_EQ(model.errors()[1], 1.0 / 6);
  EXPECT_NEAR(model.alphas()[1], std::log(10.0), 1e-12);

  // Vote shares: x = 1 gets both votes for class 0; x = 3 gets log 10 for 0 and log 4 for 1; x = 6 gets
  // log 4 for 1 and log 10 for 2.
  const Matrix p = model.predict_proba(column({1, 3, 6}));
  const double total = std::log(4.0) + std::log(10.0);
  EXPECT_DOUBLE_EQ(p(0, 0), 1.0);
  EXPECT_DOUBLE_EQ(p(0, 1), 0.0);
  EXPECT_NEAR(p(1, 0), std::log(10.0) / total, 1e-12);
  EXPECT_NEAR(p(1, 1), std::log(4.0) / total, 1e-12);
  EXPECT_NEAR(p(2, 1), std::log(4.0) / total, 1e-12);
  EXPECT_NEAR(p(2, 2), std::log(10.0) / total, 1e-12);

  // The learning rate scales every alpha.
  AdaBoost slow({{"n_estimators", 1}, {"max_depth", 1}, {"learning_rate", 0.5}});
  slow.fit(x, y, 3, {});
  EXPECT_DOUBLE_EQ(slow.alphas()[0], 0.5 * std::log(4.0));
}

TEST(AdaBoost, PerfectFirstTreeStopsWithWeightOne) {
  const Matrix x = column({1, 2, 3, 4});
  AdaBoost model({{"n_estimators", 50}, {"max_depth", 2}});
  model.fit(x, std::vector<int>{0, 0, 1, 1}, 2, {});
  ASSERT_EQ(model.trees().size(), 1u);
  EXPECT_EQ(model.alphas()[0], 1.0);
  EXPECT_EQ(model.errors()[0], 0.0);
}

TEST(AdaBoost, NoBetterThanChanceIsRefused) {
  // All rows alike, two balanced classes: the first tree is a single leaf with error 1/2 = 1 - 1/K.
  AdaBoost model({{"n_estimators", 10}});
  std::string message;
  EXPECT_EQ(error_kind(
                [&] {
                  model.fit(column({1, 1, 1, 1}), std::vector<int>{0, 1, 0, 1}, 2, {});
                },
                &message),
            ErrorKind::invalid_input);
  EXPECT_NE(message.find("no better than chance"), std::string::npos) << message;
  EXPECT_EQ(model.n_classes(), 0);
}

TEST(AdaBoost, VoteSharesAreProbabilities) {
  const auto train = blobs(300, 4, 5, 0.6, 1);
  const auto test = blobs(100, 4, 5, 0.6, 2);
  AdaBoost model({{"n_estimators", 30}, {"max_depth", 3}});
  model.fit(train.x, train.y, 5, {});
  const Matrix p = model.predict_proba(test.x);
  ASSERT_EQ(p.rows(), 100u);
  ASSERT_EQ(p.cols(), 5u);
  for (std::size_t r = 0; r < p.rows(); ++r) {
    double sum = 0;
    for (double v : p.row(r)) {
      EXPECT_GE(v, 0.0);
      EXPECT_LE(v, 1.0);
      sum += v;
    }
    EXPECT_NEAR(sum, 1.0, 1e-12);
  }
  // Well-separated blobs: the boosted trees should get nearly all of a fresh sample right.
  const auto predicted = argmax_rows(p);
  int right = 0;
  for (std::size_t i = 0; i < predicted.size(); ++i) right += predicted[i] == test.y[i];
  EXPECT_GE(right, 90);
}

TEST(AdaBoost, ReportsProgressOncePerRound) {
  const auto data = blobs(200, 3, 4, 2.5, 5);  // overlapping classes: no round is perfect
  std::vector<std::size_t> done;
  FitOptions options;
  options.progress = Progress([&](std::string_view step, std::size_t d, std::size_t total) {
    EXPECT_EQ(step, "training");
    EXPECT_EQ(total, 7u);
    done.push_back(d);
  });
  AdaBoost model({{"n_estimators", 7}, {"max_depth", 2}});
  model.fit(data.x, data.y, 4, options);
  EXPECT_EQ(model.trees().size(), 7u);
  EXPECT_EQ(done, (std::vector<std::size_t>{1, 2, 3, 4, 5, 6, 7}));
}

TEST(AdaBoost, CancellationThrowsAndKeepsThePreviousModel) {
  const auto data = blobs(200, 3, 4, 2.5, 5);
  std::atomic<bool> cancel{true};
  FitOptions options;
  options.progress = Progress(nullptr, &cancel);
  AdaBoost model({{"n_estimators", 5}, {"max_depth", 2}});
  EXPECT_EQ(error_kind([&] { model.fit(data.x, data.y, 4, options); }), ErrorKind::cancelled);
  EXPECT_EQ(model.n_classes(), 0);

  // Fitted once, then cancelled during round 3 of a second fit: the first model stays whole.
  cancel = false;
  model.fit(data.x, data.y, 4, {});
  const Matrix before = model.predict_proba(data.x);
  options.progress = Progress(
      [&](std::string_view, std::size_t d, std::size_t) {
        if (d == 2) cancel = true;
      },
      &cancel);
  const auto other = blobs(100, 3, 2, 3.0, 9);  // noisy: no perfect tree ends the fit early
  EXPECT_EQ(error_kind([&] { model.fit(other.x, other.y, 2, options); }), ErrorKind::cancelled);
  EXPECT_EQ(model.n_classes(), 4);
  EXPECT_EQ(model.predict_proba(data.x).data(), before.data());
}

TEST(AdaBoost, RefusesBadInput) {
  AdaBoost model({{"n_estimators", 3}});
  EXPECT_EQ(error_kind([&] { model.predict_proba(column({1})); }), ErrorKind::invalid_input);  // not fitted
  EXPECT_EQ(error_kind([&] { model.fit(Matrix(), {}, 2, {}); }), ErrorKind::invalid_input);
  EXPECT_EQ(error_kind([&] {
              model.fit(column({1, 2}), std::vector<int>{0}, 2, {});
            }),
            ErrorKind::invalid_input);
  EXPECT_EQ(error_kind([&] {
              model.fit(column({1, 2}), std::vector<int>{0, 2}, 2, {});
            }),
            ErrorKind::invalid_input);
  EXPECT_EQ(error_kind([&] {
              model.fit(column({1, INFINITY}), std::vector<int>{0, 1}, 2, {});
            }),
            ErrorKind::invalid_input);
  model.fit(column({1, 2, 3, 4}), std::vector<int>{0, 0, 1, 1}, 2, {});
  EXPECT_EQ(error_kind([&] { model.predict_proba(matrix({{1, 2}})); }), ErrorKind::invalid_input);
  EXPECT_EQ(error_kind([&] { model.predict_proba(column({NAN})); }), ErrorKind::invalid_input);
  EXPECT_EQ(model.predict_proba(Matrix(0, 1)).rows(), 0u);
}

TEST(AdaBoost, SaveLoadRoundTrip) {
  const auto data = blobs(300, 4, 5, 1.5, 4);
  AdaBoost model({{"n_estimators", 12}, {"max_depth", 4}, {"learning_rate", 0.5}});
  model.fit(data.x, data.y, 5, {});
  BinaryWriter out;
  model.save(out);
  AdaBoost loaded;
  BinaryReader in(out.bytes());
  loaded.load(in);
  EXPECT_TRUE(in.at_end());
  EXPECT_EQ(loaded.params(), model.params());
  EXPECT_EQ(loaded.n_classes(), 5);
  EXPECT_EQ(loaded.n_features(), 4u);
  EXPECT_EQ(loaded.alphas(), model.alphas());
  EXPECT_EQ(loaded.predict_proba(data.x).data(), model.predict_proba(data.x).data());
}

}  // namespace
}  // namespace ksauth::models
