// Data set endpoints over HTTP: load by URL and by upload, the store's answer on a second load, paging,
// and the rhythm of a user against a hand-checked tiny data set.
#include "core/timestamp.hpp"
#include "support/loopback_server.hpp"
#include "unit/server/api_fixture.hpp"

namespace ksauth::server {
namespace {

using nlohmann::json;

class DatasetsApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    testing::write_chain(data_, three_typists());
    files_ = std::make_unique<testing::LoopbackServer>(data_.path());
    url_ = files_->url("/page0.json");
  }

  testing::TempDir data_;
  std::unique_ptr<testing::LoopbackServer> files_;
  std::string url_;
};

TEST_F(DatasetsApiTest, HealthAndModelTypes) {
  const json health = get("/api/v1/health");
  EXPECT_EQ(health["status"], "ok");
  EXPECT_TRUE(health["version"].is_string());
  const json types = get("/api/v1/model-types");
  ASSERT_EQ(types.size(), 4u);
  EXPECT_EQ(types[0]["type"], "adaboost");
  EXPECT_EQ(types[0]["params"]["n_estimators"], 200);
  EXPECT_EQ(types[1]["type"], "manhattan");
  EXPECT_EQ(types[2]["type"], "mlp");
  EXPECT_EQ(types[2]["params"]["hidden1"], 256);
  EXPECT_EQ(types[3]["type"], "lstm");
  EXPECT_EQ(types[3]["params"]["epochs"], 200);
}

TEST_F(DatasetsApiTest, LoadByUrlThenFromTheStoreUnlessRefreshed) {
  const json first = post("/api/v1/datasets", {{"url", url_}, {"first_n", 3}});
  EXPECT_FALSE(first["from_store"].get<bool>());
  EXPECT_EQ(first["n_attempts"], 62);
  EXPECT_EQ(first["n_valid"], 60);
  EXPECT_EQ(first["n_invalid"], 2);
  EXPECT_EQ(first["phrase"]["text"], "hello");
  EXPECT_EQ(first["dataset"]["n_pages"], 3);
  ASSERT_EQ(first["users"].size(), 3u);
  EXPECT_EQ(first["users"][1]["user"], "bob");
  EXPECT_EQ(first["users"][1]["invalid"], 2);
  EXPECT_EQ(first["keystrokes"].size(), 3u);
  EXPECT_EQ(first["keystrokes"][0]["character"], "h");
  EXPECT_EQ(first["features"].size(), 3u);
  EXPECT_EQ(first["feature_names"].size(), 15u);

  const json second = post("/api/v1/datasets", {{"url", url_}});
  EXPECT_TRUE(second["from_store"].get<bool>());
  EXPECT_EQ(second["dataset"]["id"], first["dataset"]["id"]);
  EXPECT_EQ(second["keystrokes"].size(), 10u);  // first_n defaults to 10

  const json fresh = post("/api/v1/datasets", {{"url", url_}, {"refresh", true}});
  EXPECT_FALSE(fresh["from_store"].get<bool>());

  const json list = get("/api/v1/datasets");
  ASSERT_GE(list.size(), 1u);
  EXPECT_EQ(list[0]["source"], url_);
  EXPECT_EQ(list[0]["n_attempts"], 62);
}

TEST_F(DatasetsApiTest, UploadAPage) {
  const auto attempts = testing::synthetic_attempts("<b>eve</b>", 0, "hello", 4, false);
  const json r = post_raw("/api/v1/datasets/upload?name=mine.json&first_n=2",
                          testing::training_page_json("<b>eve</b>", attempts, nullptr), 200);
  EXPECT_EQ(r["dataset"]["source"], "upload:mine.json");
  EXPECT_FALSE(r["from_store"].get<bool>());
  EXPECT_EQ(r["n_attempts"], 4);
  EXPECT_EQ(r["keystrokes"].size(), 2u);
  EXPECT_EQ(r["users"][0]["user"], "<b>eve</b>");  // a plain JSON string, nothing interpreted
  const json bad = post_raw("/api/v1/datasets/upload?name=bad.json", "{\"user_data\": 3}", 400);
  EXPECT_NE(bad["error"].get<std::string>().find("upload:bad.json"), std::string::npos);
  post_raw("/api/v1/datasets/upload?name=x&first_n=1001", testing::training_page_json("a", attempts, nullptr), 400);
}

TEST_F(DatasetsApiTest, StoredAnalysisAndPaging) {
  const std::int64_t id = post("/api/v1/datasets", {{"url", url_}})["dataset"]["id"];
  const std::string base = "/api/v1/datasets/" + std::to_string(id);
  const json analysis = get(base + "?first_n=4&min_attempts=21");
  EXPECT_TRUE(analysis["from_store"].get<bool>());
  EXPECT_EQ(analysis["keystrokes"].size(), 4u);
  EXPECT_EQ(analysis["min_attempts"], 21);
  EXPECT_EQ(analysis["n_feature_rows"], 0);  // nobody has 21 valid attempts

  // 62 attempts: 60 of 5 keys and 2 of 4 keys = 308 keystrokes.
  const json k = get(base + "/keystrokes?offset=298&limit=50");
  EXPECT_EQ(k["total"], 308);
  EXPECT_EQ(k["offset"], 298);
  ASSERT_EQ(k["rows"].size(), 10u);
  EXPECT_EQ(k["rows"][0]["user"], "cat");
  EXPECT_EQ(k["rows"][0]["character"], "h");  // 298 = 40*5 + 2*4 + 18*5: the start of cat's 19th attempt
  const json k0 = get(base + "/keystrokes");
  EXPECT_EQ(k0["rows"].size(), 100u);
  EXPECT_EQ(k0["rows"][5]["character"], "h");
  EXPECT_EQ(get(base + "/keystrokes?offset=5000")["rows"].size(), 0u);
  get(base + "/keystrokes?limit=1001", 400);

  const json f = get(base + "/features?offset=55&limit=100");
  EXPECT_EQ(f["total"], 60);
  EXPECT_EQ(f["rows"].size(), 5u);
  EXPECT_EQ(f["feature_names"].size(), 15u);
  EXPECT_EQ(f["rows"][0]["user"], "cat");
  EXPECT_EQ(f["rows"][0]["values"].size(), 15u);
  EXPECT_EQ(get(base + "/features?limit=2")["rows"].size(), 2u);
  get("/api/v1/datasets/999", 404);
  get("/api/v1/datasets/999/keystrokes", 404);
}

// ann: a b c at 0, .1, .3 s and at 0, .3, .4 s; bob: 0, .2, .6 s and one attempt of "abd" (invalid).
TEST_F(DatasetsApiTest, RhythmOfAUserAgainstEveryone) {
  const auto attempt = testing::typed_at;
  testing::TempDir tiny;
  const std::string first = testing::write_chain(
      tiny, {{attempt("ann", "abc", {0, .1, .3}), attempt("ann", "abc", {0, .3, .4})},
             {attempt("bob", "abc", {0, .2, .6}), attempt("bob", "abd", {0, .5, .9})}});
  const std::int64_t id = post("/api/v1/datasets", {{"url", first}})["dataset"]["id"];
  const std::string base = "/api/v1/datasets/" + std::to_string(id) + "/rhythm";
  const json r = get(base + "?user=ann");
  EXPECT_EQ(r["positions"], json({"b", "c"}));
  EXPECT_EQ(r["user"], "ann");
  EXPECT_EQ(r["user_attempts"], 2);
  EXPECT_EQ(r["population_attempts"], 3);
  ASSERT_EQ(r["user_mean"].size(), 2u);
  EXPECT_NEAR(r["user_mean"][0].get<double>(), 0.2, 1e-9);
  EXPECT_NEAR(r["user_mean"][1].get<double>(), 0.15, 1e-9);
  EXPECT_NEAR(r["user_std"][0].get<double>(), 0.1, 1e-9);
  EXPECT_NEAR(r["user_std"][1].get<double>(), 0.05, 1e-9);
  EXPECT_NEAR(r["population_mean"][0].get<double>(), 0.2, 1e-9);
  EXPECT_NEAR(r["population_mean"][1].get<double>(), 0.7 / 3, 1e-9);
  EXPECT_NEAR(r["population_std"][0].get<double>(), std::sqrt(0.02 / 3), 1e-9);
  EXPECT_NEAR(r["population_std"][1].get<double>(), std::sqrt(0.07 / 3 / 3 * 2), 1e-9);
  const json everyone = get(base);
  EXPECT_TRUE(everyone["user"].is_null());
  EXPECT_TRUE(everyone["user_mean"].is_null());
  EXPECT_TRUE(everyone["user_attempts"].is_null());
  EXPECT_TRUE(everyone["user_std"].is_null());
  get(base + "?user=zed", 404);
  get(base + "?user=bob&phrase=xyz", 400);  // nobody typed xyz
}

}  // namespace
}  // namespace ksauth::server
