// The deployed verifier: scores per family, its file round trip and the checks on damaged files.
#include "verify/verifier.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <vector>

#include "core/error.hpp"
#include "models/classifier.hpp"
#include "support/error_kind.hpp"
#include "support/fixtures.hpp"

namespace ksauth::verify {
namespace {

using ksauth::testing::matrix_of;

using ksauth::testing::error_kind;

// Two users, two features: ann types around (0.1, 0.2), bob around (0.3, 0.1).
Verifier detector_verifier() {
  Verifier v;
  v.family = Family::detector;
  v.type = "manhattan";
  v.phrase = "ab";
  v.feature_names = {"H.0", "DD.1"};
  v.users = {"ann", "bob"};
  v.thresholds = {-0.05, -0.02};
  for (const auto& rows : {std::vector<std::vector<double>>{{0.09, 0.2}, {0.11, 0.2}},
                           std::vector<std::vector<double>>{{0.3, 0.09}, {0.3, 0.11}}}) {
    auto d = make_detector("manhattan");
    d->enroll(matrix_of(rows));
    v.detectors.push_back(std::move(d));
  }
  return v;
}

TEST(Verifier, DetectorFamilyScoresWithTheClaimedUsersDetector) {
  const Verifier v = detector_verifier();
  const Matrix x = matrix_of({{0.1, 0.2}, {0.3, 0.1}});
  // Manhattan: minus the L1 distance to the user's mean.
  const auto ann = v.scores(v.user_index("ann"), x);
  EXPECT_NEAR(ann[0], 0.0, 1e-12);
  EXPECT_NEAR(ann[1], -0.3, 1e-12);
  const auto bob = v.scores(v.user_index("bob"), x);
  EXPECT_NEAR(bob[0], -0.3, 1e-12);
  EXPECT_NEAR(bob[1], 0.0, 1e-12);
  EXPECT_EQ(error_kind([&] { v.user_index("cat"); }), ErrorKind::not_found);
}

TEST(Verifier, RoundTripGivesTheSameScores) {
  const Verifier v = detector_verifier();
  const std::string bytes = save_verifier(v);
  const Verifier loaded = load_verifier(bytes);
  EXPECT_EQ(loaded.users, v.users);
  EXPECT_EQ(loaded.thresholds, v.thresholds);
  EXPECT_EQ(loaded.feature_names, v.feature_names);
  EXPECT_EQ(loaded.phrase, "ab");
  const Matrix x = matrix_of({{0.12, 0.19}, {0.25, 0.3}});
  EXPECT_EQ(loaded.scores(1, x), v.scores(1, x));
  EXPECT_EQ(save_verifier(loaded), bytes);
}

TEST(Verifier, ClassifierFamilyScoresWithTheProbabilityOfTheClaimedUser) {
  Verifier v;
  v.family = Family::classifier;
  v.type = "manhattan";
  v.phrase = "ab";
  v.feature_names = {"H.0", "DD.1"};
  v.users = {"bob"};  // ann was not enrolled (e.g. no holdout attempt), but the classifier knows her
  v.thresholds = {0.5};
  auto c = models::make_classifier("manhattan");
  const Matrix x = matrix_of({{0.09, 0.2}, {0.11, 0.2}, {0.3, 0.09}, {0.3, 0.11}});
  const std::vector<int> y = {0, 0, 1, 1};
  c->fit(x, y, 2, {});
  const Matrix proba = c->predict_proba(x);
  v.model = {"ab", v.feature_names, {"ann", "bob"}, std::move(c)};
  const auto scores = v.scores(0, x);
  for (std::size_t r = 0; r < x.rows(); ++r) EXPECT_DOUBLE_EQ(scores[r], proba.row(r)[1]);
  const Verifier loaded = load_verifier(save_verifier(v));
  EXPECT_EQ(loaded.scores(0, x), scores);
  EXPECT_EQ(loaded.model.labels, (std::vector<std::string>{"ann", "bob"}));
}

TEST(Verifier, InconsistentVerifiersAreNotSaved) {
  Verifier v = detector_verifier();
  v.thresholds.pop_back();
  EXPECT_EQ(error_kind([&] { save_verifier(v); }), ErrorKind::invalid_input);
  v = detector_verifier();
  v.thresholds[0] = std::numeric_limits<double>::infinity();
  EXPECT_EQ(error_kind([&] { save_verifier(v); }), ErrorKind::invalid_input);
  v = detector_verifier();
  v.users[1] = "ann";
  EXPECT_EQ(error_kind([&] { save_verifier(v); }), ErrorKind::invalid_input);
  v = detector_verifier();
  v.feature_names.push_back("UD.1");
  EXPECT_EQ(error_kind([&] { save_verifier(v); }), ErrorKind::invalid_input);
  v = detector_verifier();
  v.users[0] = "ann\x1b[2J";
  EXPECT_EQ(error_kind([&] { save_verifier(v); }), ErrorKind::invalid_input);
}

TEST(Verifier, DamagedFilesAreRefused) {
  const std::string bytes = save_verifier(detector_verifier());
  for (std::size_t cut : {std::size_t{0}, std::size_t{5}, std::size_t{20}, bytes.size() / 2, bytes.size() - 1})
    EXPECT_EQ(error_kind([&] { load_verifier(bytes.substr(0, cut)); }), ErrorKind::corrupt) << cut;
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x40;
  EXPECT_EQ(error_kind([&] { load_verifier(flipped); }), ErrorKind::corrupt);
  EXPECT_EQ(error_kind([&] { load_verifier(bytes + "x"); }), ErrorKind::corrupt);
  // A model file is not a verifier file.
  auto c = models::make_classifier("manhattan");
  c->fit(matrix_of({{0.1, 0.2}, {0.3, 0.1}}), std::vector<int>{0, 1}, 2, {});
  const std::string model = models::save_model({"ab", {"H.0", "DD.1"}, {"ann", "bob"}, std::move(c)});
  try {
    load_verifier(model);
    FAIL() << "a model file loaded as a verifier";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::corrupt);
    EXPECT_STREQ(e.what(), "not a ksauth verifier file");
  }
}

TEST(Verifier, FamilyOfATypeIsDetectorThenClassifier) {
  EXPECT_EQ(family_of("scaled_manhattan"), Family::detector);
  EXPECT_EQ(family_of("knn_scaled_manhattan"), Family::detector);
  EXPECT_EQ(family_of("adaboost"), Family::classifier);
  EXPECT_EQ(error_kind([] { family_of("svm"); }), ErrorKind::invalid_input);
  // manhattan is both K&M's detector and our classifier: the detector unless the classifier is asked for.
  EXPECT_EQ(family_of("manhattan"), Family::detector);
  EXPECT_EQ(family_of("manhattan", Family::classifier), Family::classifier);
  EXPECT_EQ(family_of("manhattan", Family::detector), Family::detector);
  EXPECT_EQ(error_kind([] { family_of("adaboost", Family::detector); }), ErrorKind::invalid_input);
  EXPECT_EQ(error_kind([] { family_of("euclidean", Family::classifier); }), ErrorKind::invalid_input);
  EXPECT_EQ(family_named("classifier"), Family::classifier);
  EXPECT_EQ(error_kind([] { family_named("model"); }), ErrorKind::invalid_input);
}

}  // namespace
}  // namespace ksauth::verify
