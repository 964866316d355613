// Enrollment and verification end to end over small generated data: per-user thresholds and rates, the
// stored verifier, verifying claimed users.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "app/enroll.hpp"
#include "app/report_json.hpp"
#include "app/verifier_registry.hpp"
#include "app/verify.hpp"
#include "core/error.hpp"
#include "support/error_kind.hpp"
#include "support/fixtures.hpp"

namespace ksauth::app {
namespace {

using testing::synthetic_attempts;

constexpr const char* kPhrase = "hello";

using ksauth::testing::error_kind;

// Three typists with 30 attempts of "hello" each, and a fourth with one.
class EnrollTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::write_chain(dir_, {synthetic_attempts("ann", 0, kPhrase, 30, true),
                                       synthetic_attempts("bob", 1, kPhrase, 30, true),
                                       synthetic_attempts("cat", 2, kPhrase, 30, true),
                                       synthetic_attempts("dan", 3, kPhrase, 1, true)});
  }

  EnrollRequest request(const std::string& type, const std::string& name) {
    EnrollRequest r;
    r.url = url_;
    r.type = type;
    r.name = name;
    r.holdout = 0.3;
    r.seed = 7;
    return r;
  }

  testing::TempDir dir_;
  std::string url_;
  store::Store store_{":memory:"};
};

TEST_F(EnrollTest, EachUserGetsRatesAndAThresholdFromTheHoldout) {
  const EnrollReport r = enroll(store_, request("scaled_manhattan", "v1"));
  const VerifierMetrics& m = r.verifier.metrics;
  ASSERT_EQ(m.users.size(), 3u);
  ASSERT_EQ(r.skipped.size(), 1u);  // dan: one attempt, none held out
  EXPECT_EQ(r.skipped[0].user, "dan");
  EXPECT_EQ(r.n_holdout, 27u);      // 9 of each 30
  EXPECT_EQ(r.verifier.family, "detector");
  EXPECT_FALSE(r.verifier.policy.target_fmr);
  double eer_sum = 0;
  for (const auto& u : m.users) {
    EXPECT_EQ(u.n_genuine, 9u);
    EXPECT_EQ(u.n_impostor, 18u);
    EXPECT_GE(u.eer, 0);
    EXPECT_LE(u.eer, 1);
    EXPECT_LE(u.zero_fmr, 1);
    eer_sum += u.eer;
  }
  EXPECT_DOUBLE_EQ(m.eer_mean, eer_sum / 3);
  EXPECT_LT(m.eer_mean, 0.2);  // the synthetic typists differ clearly
  ASSERT_EQ(m.det.size(), eval::det_fmr_grid().size());
  EXPECT_EQ(m.det.front().fmr, 0.0);
  EXPECT_DOUBLE_EQ(m.det.front().fnmr, m.zero_fmr_mean);  // at FMR 0 the DET is the ZeroFMR
  EXPECT_EQ(m.det.back().fnmr, 0.0);                       // at FMR 1 every genuine attempt is accepted

  // The stored verifier answers like the report: each held-out decision follows the user's threshold.
  const verify::Verifier v = open_verifier(store_, "v1");
  EXPECT_EQ(v.users, (std::vector<std::string>{"ann", "bob", "cat"}));
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(v.thresholds[i], m.users[i].threshold);
  const auto listed = list_verifiers(store_);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].record.name, "v1");
  EXPECT_DOUBLE_EQ(listed[0].metrics.eer_mean, m.eer_mean);
}

TEST_F(EnrollTest, ATargetFmrBoundsTheFalseMatchesOnTheHoldout) {
  EnrollRequest req = request("manhattan", "strict");
  req.policy.target_fmr = 0.0;
  const EnrollReport r = enroll(store_, req);
  for (const auto& u : r.verifier.metrics.users) {
    EXPECT_EQ(u.fmr, 0.0) << u.user;
    EXPECT_DOUBLE_EQ(u.fnmr, u.zero_fmr) << u.user;  // the most accepting threshold with FMR 0
  }
  EXPECT_EQ(r.verifier.policy.target_fmr, 0.0);
  const auto j = to_json(r);
  EXPECT_EQ(j["verifier"]["threshold_at"], "target_fmr");
  EXPECT_EQ(j["n_enrolled"], 3);
}

TEST_F(EnrollTest, VerifyAcceptsTheGenuineTypistAndRejectsAnother) {
  enroll(store_, request("scaled_manhattan", "v1"));
  std::vector<Attempt> test = synthetic_attempts("", 1, kPhrase, 5, true, 99);  // bob, new attempts
  const auto others = synthetic_attempts("", 0, kPhrase, 5, true, 99);         // ann
  test.insert(test.end(), others.begin(), others.end());
  test.push_back(synthetic_attempts("", 1, "help", 1, true, 99).front());
  dir_.write("test.json", testing::test_file_json(test));
  const VerifyReport r = verify(store_, dir_.file("test.json"), "v1", "bob", {});
  ASSERT_EQ(r.rows.size(), 11u);
  EXPECT_EQ(r.n_ok, 10u);
  EXPECT_FALSE(r.rows[10].ok);
  EXPECT_EQ(r.rows[10].reason, "does not spell the phrase");
  std::size_t bob_accepted = 0, ann_accepted = 0;
  for (std::size_t i = 0; i < 5; ++i) bob_accepted += r.rows[i].accept ? 1 : 0;
  for (std::size_t i = 5; i < 10; ++i) ann_accepted += r.rows[i].accept ? 1 : 0;
  EXPECT_GE(bob_accepted, 4u);
  EXPECT_LE(ann_accepted, 1u);
  for (const auto& row : r.rows) {
    if (row.ok) {
      EXPECT_EQ(row.accept, row.score >= r.threshold);
    }
  }

  // One attempt as the API gives it.
  const std::string one = nlohmann::json::parse(testing::test_file_json({test[0]}))["attempts"][0].dump();
  const VerifyReport single = verify_attempt_json(store_, "v1", "bob", one);
  ASSERT_EQ(single.rows.size(), 1u);
  EXPECT_EQ(single.rows[0].score, r.rows[0].score);
  EXPECT_EQ(error_kind([&] { verify_attempt_json(store_, "v1", "eve", one); }), ErrorKind::not_found);
  EXPECT_EQ(error_kind([&] { verify_attempt_json(store_, "nope", "bob", one); }), ErrorKind::not_found);
  EXPECT_EQ(error_kind([&] { verify_attempt_json(store_, "v1", "bob", "[]"); }), ErrorKind::invalid_input);
  EXPECT_EQ(error_kind([&] { verify_attempt_json(store_, "v1", "bob", "{\"a\": 1}"); }), ErrorKind::invalid_input);
  const std::string wrong = nlohmann::json::parse(testing::test_file_json({test[10]}))["attempts"][0].dump();
  EXPECT_EQ(error_kind([&] { verify_attempt_json(store_, "v1", "bob", wrong); }), ErrorKind::invalid_input);
}

TEST_F(EnrollTest, AClassifierVerifiesWithItsProbabilityOfTheClaimedUser) {
  const EnrollReport r = enroll(store_, request("manhattan", "by-model"));
  EXPECT_EQ(r.verifier.family, "detector");  // manhattan is a detector type first
  const EnrollReport c = enroll(store_, request("adaboost", "boost"));
  EXPECT_EQ(c.verifier.family, "classifier");
  EXPECT_EQ(c.verifier.metrics.users.size(), 3u);
  EXPECT_EQ(c.verifier.params.at("n_estimators"), 200);
  for (const auto& u : c.verifier.metrics.users) {
    EXPECT_GE(u.threshold, 0);
    EXPECT_LE(u.threshold, 1);
  }
  // The same seed gives the same verifier.
  enroll(store_, request("adaboost", "boost2"));
  EXPECT_EQ(store_.get_verifier("boost")->blob, store_.get_verifier("boost2")->blob);
}

TEST_F(EnrollTest, BadRequestsAreRefusedBeforeAnyWork) {
  auto req = request("scaled_manhattan", "v1");
  req.url = dir_.file("missing.json");  // never read: every check below fails first
  auto bad = req;
  bad.type = "svm";
  EXPECT_EQ(error_kind([&] { enroll(store_, bad); }), ErrorKind::invalid_input);
  bad = req;
  bad.name = "../x";
  EXPECT_EQ(error_kind([&] { enroll(store_, bad); }), ErrorKind::invalid_input);
  bad = req;
  bad.params = {{"k", 3}};
  EXPECT_EQ(error_kind([&] { enroll(store_, bad); }), ErrorKind::invalid_input);
  bad = req;
  bad.policy.target_fmr = 1.0;
  EXPECT_EQ(error_kind([&] { enroll(store_, bad); }), ErrorKind::invalid_input);
  bad = req;
  bad.holdout = 0;
  EXPECT_EQ(error_kind([&] { enroll(store_, bad); }), ErrorKind::invalid_input);
  enroll(store_, request("scaled_manhattan", "v1"));
  EXPECT_EQ(error_kind([&] { enroll(store_, request("euclidean", "v1")); }), ErrorKind::conflict);
  auto replace = request("euclidean", "v1");
  replace.replace = true;
  EXPECT_EQ(enroll(store_, replace).verifier.record.type, "euclidean");
  delete_verifier(store_, "v1");
  EXPECT_EQ(error_kind([&] { delete_verifier(store_, "v1"); }), ErrorKind::not_found);
}

}  // namespace
}  // namespace ksauth::app
