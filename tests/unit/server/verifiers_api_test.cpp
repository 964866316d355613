// Verifiers over HTTP: enrolment as a job, the stored verifier with its rates, verifying one attempt
// (POST /api/v1/verify) and a test file for a claimed user.
#include "unit/server/api_fixture.hpp"

namespace ksauth::server {
namespace {

using nlohmann::json;

class VerifiersApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    url_ = testing::write_chain(data_, three_typists());
  }

  json enroll(const json& body) {
    const json job = post("/api/v1/verifiers", body, 202);
    EXPECT_EQ(job["kind"], "enroll") << job.dump();
    EXPECT_EQ(job["request"]["name"], body["name"]);
    return wait_for_job(job["id"].get<std::string>());
  }

  // One attempt of a typist as the API takes it: an array of events.
  static json attempt_of(const std::string& user, int typist, const std::string& text, unsigned seed) {
    const auto attempts = testing::synthetic_attempts(user, typist, text, 1, true, seed);
    return json::parse(testing::test_file_json(attempts))["attempts"][0];
  }

  testing::TempDir data_;
  std::string url_;
};

TEST_F(VerifiersApiTest, TypesListDetectorsThenModels) {
  const json types = get("/api/v1/verifier-types");
  ASSERT_GT(types.size(), 8u);
  EXPECT_EQ(types[0]["type"], "scaled_manhattan");
  EXPECT_EQ(types[0]["family"], "detector");
  EXPECT_TRUE(types[0]["params"].empty());
  bool adaboost = false;
  for (const auto& t : types)
    if (t["type"] == "adaboost") {
      adaboost = true;
      EXPECT_EQ(t["family"], "classifier");
      EXPECT_EQ(t["params"]["n_estimators"], 200);
    }
  EXPECT_TRUE(adaboost);
}

TEST_F(VerifiersApiTest, EnrolThenVerifyOneAttemptAndATestFile) {
  const json done = enroll({{"url", url_}, {"type", "scaled_manhattan"}, {"name", "sm1"}, {"holdout", 0.3},
                            {"seed", 7}});
  ASSERT_EQ(done["status"], "done") << done.dump();
  EXPECT_EQ(done["percent"], 100.0);
  const json& result = done["result"];
  EXPECT_EQ(result["n_enrolled"], 3);
  EXPECT_EQ(result["verifier"]["name"], "sm1");
  EXPECT_EQ(result["verifier"]["threshold_at"], "eer");

  const json v = get("/api/v1/verifiers/sm1");
  EXPECT_EQ(v["family"], "detector");
  ASSERT_EQ(v["metrics"]["users"].size(), 3u);
  EXPECT_LE(v["metrics"]["eer_mean"].get<double>(), 0.2);  // the synthetic typists differ clearly
  EXPECT_FALSE(v["metrics"]["det"].empty());
  EXPECT_EQ(get("/api/v1/verifiers").size(), 1u);

  // The deployed question, for bob: his own new attempt, and ann's.
  const double threshold = v["metrics"]["users"][1]["threshold"];
  ASSERT_EQ(v["metrics"]["users"][1]["user"], "bob");
  const json own = post("/api/v1/verify", {{"model", "sm1"}, {"user_label", "bob"}, {"attempt", attempt_of("bob", 1, "hello", 501)}});
  EXPECT_EQ(own["threshold"], threshold);
  EXPECT_EQ(own["accept"], own["score"].get<double>() >= threshold);
  EXPECT_EQ(own["user_label"], "bob");
  const json other = post("/api/v1/verify", {{"verifier", "sm1"}, {"user_label", "bob"}, {"attempt", attempt_of("ann", 0, "hello", 502)}});
  EXPECT_LT(other["score"].get<double>(), own["score"].get<double>());

  // Mistakes say what is wrong.
  post("/api/v1/verify", {{"model", "sm1"}, {"user_label", "eve"}, {"attempt", attempt_of("bob", 1, "hello", 1)}}, 404);
  post("/api/v1/verify", {{"model", "nope"}, {"user_label", "bob"}, {"attempt", attempt_of("bob", 1, "hello", 1)}}, 404);
  const json typo = post("/api/v1/verify", {{"model", "sm1"}, {"user_label", "bob"}, {"attempt", attempt_of("bob", 1, "help", 1)}}, 400);
  EXPECT_NE(typo["error"].get<std::string>().find("does not spell the phrase"), std::string::npos) << typo.dump();
  post("/api/v1/verify", {{"model", "sm1"}, {"user_label", "bob"}}, 400);
  post("/api/v1/verify", {{"model", "sm1"}, {"user_label", "bob"}, {"attempt", "x"}}, 400);
  post("/api/v1/verify", {{"model", "sm1"}, {"verifier", "sm1"}, {"user_label", "bob"}, {"attempt", json::array()}}, 400);
  post("/api/v1/verify", {{"user_label", "bob"}, {"attempt", json::array()}}, 400);
  post("/api/v1/verify", {{"model", "<script>"}, {"user_label", "bob"}, {"attempt", json::array()}}, 400);
  post("/api/v1/verify", {{"model", "sm1"}, {"user_label", "bob"}, {"attempt", {{{"character", "h"}}}}}, 400);
  const json one_by_url = post("/api/v1/verify", {{"model", "sm1"}, {"user_label", "bob"}, {"url", "http://example.org/t.json"}}, 400);
  EXPECT_EQ(one_by_url["error"], "/verify scores one \"attempt\"; for a test file (\"attempts\" or \"url\") use POST "
                             "/api/v1/verifiers/sm1/verify");

  // A test file for one claimed user, inline and by URL.
  std::vector<Attempt> test = testing::synthetic_attempts("", 1, "hello", 4, true, 600);
  const auto ann = testing::synthetic_attempts("", 0, "hello", 4, true, 700);
  test.insert(test.end(), ann.begin(), ann.end());
  test.push_back(testing::synthetic_attempts("", 1, "help", 1, true, 800).front());
  const std::string test_json = testing::test_file_json(test);
  json inline_body = json::parse(test_json);
  inline_body["user_label"] = "bob";
  const json inline_report = post("/api/v1/verifiers/sm1/verify?first_n=5", inline_body);
  EXPECT_EQ(inline_report["n_attempts"], 9);
  EXPECT_EQ(inline_report["n_ok"], 8);
  EXPECT_EQ(inline_report["rows"].size(), 5u);
  EXPECT_EQ(inline_report["threshold"], threshold);
  data_.write("test.json", test_json);
  const json by_url = post("/api/v1/verifiers/sm1/verify", {{"user_label", "bob"}, {"url", data_.file("test.json")}});
  ASSERT_EQ(by_url["rows"].size(), 9u);
  EXPECT_EQ(by_url["rows"][8]["status"], "invalid");
  EXPECT_TRUE(by_url["rows"][8]["accept"].is_null());
  EXPECT_EQ(by_url["rows"][0]["score"], inline_report["rows"][0]["score"]);
  EXPECT_EQ(by_url["n_accepted"], inline_report["n_accepted"]);
  post("/api/v1/verifiers/sm1/verify", {{"user_label", "bob"}}, 400);
  post("/api/v1/verifiers/sm1/verify", {{"url", data_.file("test.json")}}, 400);
  post("/api/v1/verifiers/sm1/verify?first_n=5000", inline_body, 400);
  post("/api/v1/verifiers/sm1/verify", {{"user_label", "eve"}, {"url", data_.file("test.json")}}, 404);

  // Delete.
  EXPECT_EQ(del("/api/v1/verifiers/sm1")["deleted"], "sm1");
  del("/api/v1/verifiers/sm1", 404);
  get("/api/v1/verifiers/sm1", 404);
}

TEST_F(VerifiersApiTest, EnrolmentIsCheckedBeforeQueueingAndAtATargetFmr) {
  post("/api/v1/verifiers", {{"url", url_}, {"type", "forest"}, {"name", "f"}}, 400);
  post("/api/v1/verifiers", {{"url", url_}, {"type", "euclidean"}, {"name", "e"}, {"params", {{"k", 3}}}}, 400);
  post("/api/v1/verifiers", {{"url", url_}, {"type", "euclidean"}, {"name", "e"}, {"target_fmr", 1.0}}, 400);
  post("/api/v1/verifiers", {{"url", url_}, {"type", "euclidean"}, {"name", "e"}, {"target_fmr", "low"}}, 400);
  post("/api/v1/verifiers", {{"url", url_}, {"type", "euclidean"}, {"name", "e"}, {"holdout", 0}}, 400);
  post("/api/v1/verifiers", {{"url", url_}, {"type", "euclidean"}, {"name", "../x"}}, 400);
  post("/api/v1/verifiers", {{"type", "euclidean"}, {"name", "e"}}, 400);
  EXPECT_TRUE(get("/api/v1/jobs").empty());

  const json done = enroll({{"url", url_}, {"type", "manhattan"}, {"name", "mf"}, {"target_fmr", 0.0}, {"seed", 3}});
  ASSERT_EQ(done["status"], "done") << done.dump();
  const json v = get("/api/v1/verifiers/mf");
  EXPECT_EQ(v["threshold_at"], "target_fmr");
  EXPECT_EQ(v["target_fmr"], 0.0);
  for (const auto& u : v["metrics"]["users"]) EXPECT_EQ(u["fmr"], 0.0) << u.dump();  // no impostor accepted
  post("/api/v1/verifiers", {{"url", url_}, {"type", "manhattan"}, {"name", "mf"}}, 409);
  // A classifier as a verifier, with its parameters.
  const json ada = enroll({{"url", url_}, {"type", "adaboost"}, {"name", "ab"},
                           {"params", {{"n_estimators", 10}, {"max_depth", 3}}}});
  ASSERT_EQ(ada["status"], "done") << ada.dump();
  EXPECT_EQ(get("/api/v1/verifiers/ab")["params"]["n_estimators"], 10);
  EXPECT_EQ(get("/api/v1/verifiers/ab")["family"], "classifier");
  // manhattan names a detector and a classifier: "family" picks the classifier.
  post("/api/v1/verifiers", {{"url", url_}, {"type", "euclidean"}, {"family", "classifier"}, {"name", "q"}}, 400);
  post("/api/v1/verifiers", {{"url", url_}, {"type", "manhattan"}, {"family", "model"}, {"name", "q"}}, 400);
  const json mc = enroll({{"url", url_}, {"type", "manhattan"}, {"family", "classifier"}, {"name", "mc"}});
  ASSERT_EQ(mc["status"], "done") << mc.dump();
  EXPECT_EQ(mc["request"]["family"], "classifier");
  EXPECT_EQ(get("/api/v1/verifiers/mc")["family"], "classifier");
  EXPECT_EQ(get("/api/v1/verifiers/mf")["family"], "detector");
  // A source that cannot be loaded fails the job with the reason.
  const json failed = enroll({{"url", data_.file("missing.json")}, {"type", "manhattan"}, {"name", "x"}});
  EXPECT_EQ(failed["status"], "failed");
  EXPECT_NE(failed["error"].get<std::string>().find("missing.json"), std::string::npos);
}

}  // namespace
}  // namespace ksauth::server
