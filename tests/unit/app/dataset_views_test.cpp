// Views of a stored data set: its analysis, keystroke and feature pages, the rhythm of a user.
#include <gtest/gtest.h>

#include <cmath>

#include "app/dataset_views.hpp"
#include "core/error.hpp"
#include "core/timestamp.hpp"
#include "support/fixtures.hpp"

namespace ksauth::app {
namespace {

// ann: "abc" pressed at 0, .1, .3 s and at 0, .3, .4 s; bob: 0, .2, .6 s, and "abd" (invalid).
class DatasetViewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto attempt = testing::typed_at;
    std::vector<Attempt> attempts{attempt("ann", "abc", {0, .1, .3}), attempt("ann", "abc", {0, .3, .4}),
                                  attempt("bob", "abc", {0, .2, .6}), attempt("bob", "abd", {0, .5, .9})};
    store::DataSetRecord record;
    record.source = "tiny";
    record.fingerprint = "f";
    id_ = store_.save_dataset(record, attempts);
  }

  store::Store store_{":memory:"};
  std::int64_t id_ = 0;
};

TEST_F(DatasetViewsTest, AnalysisOfAStoredDataSet) {
  const AnalyzeReport r = analyze_stored(store_, id_, {}, 2);
  EXPECT_TRUE(r.from_store);
  EXPECT_EQ(r.phrase.phrase, "abc");
  EXPECT_EQ(r.n_attempts, 4u);
  EXPECT_EQ(r.n_valid, 3u);
  EXPECT_EQ(r.n_keystrokes, 12u);
  EXPECT_EQ(r.keystrokes.size(), 2u);
  EXPECT_EQ(r.n_feature_rows, 3u);
  ASSERT_EQ(r.features.size(), 2u);
  EXPECT_EQ(r.layout.names, (std::vector<std::string>{"DD.1", "DD.2", "backspaces", "duration"}));
  EXPECT_NEAR(r.features[1].values[0], 0.3, 1e-9);
  EXPECT_THROW(analyze_stored(store_, 99, {}, 2), Error);
  EXPECT_THROW(analyze_stored(store_, id_, {}, 1001), Error);
}

TEST_F(DatasetViewsTest, KeystrokePages) {
  const KeystrokePage p = keystroke_page(store_, id_, 4, 5);
  EXPECT_EQ(p.total, 12u);
  EXPECT_EQ(p.offset, 4u);
  ASSERT_EQ(p.rows.size(), 5u);
  EXPECT_EQ(p.rows[0].character, "b");  // ann's second attempt, second key
  EXPECT_EQ(p.rows[0].user, "ann");
  EXPECT_EQ(p.rows[2].user, "bob");
  EXPECT_EQ(keystroke_page(store_, id_, 10, 100).rows.size(), 2u);
  EXPECT_EQ(keystroke_page(store_, id_, 12, 100).rows.size(), 0u);
  EXPECT_EQ(keystroke_page(store_, id_, 0, 0).rows.size(), 0u);
  EXPECT_THROW(keystroke_page(store_, id_, 0, 1001), Error);
}

TEST_F(DatasetViewsTest, FeaturePages) {
  const FeaturePage p = feature_page(store_, id_, {}, 1, 10);
  EXPECT_EQ(p.total, 3u);
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[1].user, "bob");
  EXPECT_EQ(p.rows[1].attempt, 2u);
  EXPECT_NEAR(p.rows[1].values[1], 0.4, 1e-9);
  EXPECT_EQ(p.feature_names.size(), 4u);
}

TEST_F(DatasetViewsTest, RhythmAgainstHandComputedFigures) {
  const Rhythm r = rhythm(store_, id_, std::string("ann"), {});
  EXPECT_EQ(r.positions, (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(r.user_attempts, 2u);
  EXPECT_EQ(r.population_attempts, 3u);
  EXPECT_NEAR(r.user_mean[0], 0.2, 1e-9);
  EXPECT_NEAR(r.user_mean[1], 0.15, 1e-9);
  EXPECT_NEAR(r.user_std[0], 0.1, 1e-9);
  EXPECT_NEAR(r.user_std[1], 0.05, 1e-9);
  EXPECT_NEAR(r.population_mean[0], 0.2, 1e-9);
  EXPECT_NEAR(r.population_std[0], std::sqrt(0.02 / 3), 1e-9);
  EXPECT_NEAR(r.population_mean[1], 0.7 / 3, 1e-9);
  EXPECT_NEAR(r.population_std[1], std::sqrt(0.14 / 9), 1e-9);
  EXPECT_TRUE(rhythm(store_, id_, std::nullopt, {}).user_mean.empty());
  try {
    rhythm(store_, id_, std::string("zed"), {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::not_found);
  }
  DataOptions abd;
  abd.phrase = "abd";  // only bob typed it
  EXPECT_THROW(rhythm(store_, id_, std::string("ann"), abd), Error);
  EXPECT_EQ(rhythm(store_, id_, std::string("bob"), abd).user_attempts, 1u);
}

}  // namespace
}  // namespace ksauth::app
