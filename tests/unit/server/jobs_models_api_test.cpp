// Training jobs, stored models and predictions over HTTP.
#include "support/loopback_server.hpp"
#include "unit/server/api_fixture.hpp"

namespace ksauth::server {
namespace {

using nlohmann::json;

class JobsModelsApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    url_ = testing::write_chain(data_, three_typists());
  }

  // Trains a model through a job and returns the finished job.
  json train(const std::string& type, const std::string& name, const json& params = json::object()) {
    const json job = post("/api/v1/jobs", {{"url", url_}, {"model", type}, {"name", name}, {"params", params},
                                           {"holdout", 0.25}, {"seed", 7}}, 202);
    EXPECT_TRUE(job["status"] == "queued" || job["status"] == "running") << job.dump();
    EXPECT_TRUE(job["result"].is_null());
    EXPECT_EQ(job["request"]["name"], name);
    return wait_for_job(job["id"].get<std::string>());
  }

  testing::TempDir data_;
  std::string url_;
};

TEST_F(JobsModelsApiTest, TrainingJobsRunToTheEndWithAResult) {
  const json m = train("manhattan", "m1");
  EXPECT_EQ(m["status"], "done") << m.dump();
  EXPECT_EQ(m["percent"], 100.0);
  EXPECT_TRUE(m["error"].is_null());
  EXPECT_GT(m["result"]["accuracy"].get<double>(), 0.8);
  EXPECT_EQ(m["result"]["model"]["name"], "m1");
  EXPECT_EQ(m["result"]["labels"], json({"ann", "bob", "cat"}));

  const json a = train("adaboost", "a1", {{"n_estimators", 20}, {"max_depth", 3}});
  EXPECT_EQ(a["status"], "done") << a.dump();
  EXPECT_EQ(a["percent"], 100.0);
  EXPECT_EQ(a["result"]["model"]["params"]["n_estimators"], 20);
  EXPECT_GT(a["result"]["accuracy"].get<double>(), 0.8);
  ASSERT_EQ(a["result"]["comparison"].size(), 2u);  // every model on the same data set
  EXPECT_EQ(a["result"]["comparison"][0]["name"], "m1");
  EXPECT_EQ(a["result"]["confusion"].size(), 3u);

  const json jobs = get("/api/v1/jobs");
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0]["id"], a["id"]);  // newest first
  EXPECT_TRUE(jobs[0]["result"].is_null());
  get("/api/v1/jobs/99", 404);
  get("/api/v1/jobs/abc", 404);
  post("/api/v1/jobs/" + a["id"].get<std::string>() + "/cancel", json::object(), 409);  // it has ended

  // The name is taken now: 409 before anything is queued; replace overwrites.
  post("/api/v1/jobs", {{"url", url_}, {"model", "manhattan"}, {"name", "m1"}}, 409);
  EXPECT_EQ(wait_for_job(post("/api/v1/jobs", {{"url", url_}, {"model", "manhattan"}, {"name", "m1"},
                                               {"replace", true}}, 202)["id"])["status"], "done");
  // Checked before queueing.
  post("/api/v1/jobs", {{"url", url_}, {"model", "forest"}, {"name", "f"}}, 400);
  post("/api/v1/jobs", {{"url", url_}, {"model", "adaboost"}, {"name", "b"}, {"params", {{"depth", 3}}}}, 400);
  post("/api/v1/jobs", {{"url", url_}, {"model", "adaboost"}, {"name", "b"}, {"holdout", 1.5}}, 400);
  post("/api/v1/jobs", {{"url", url_}, {"model", "adaboost"}, {"name", "<img src=x onerror=alert(1)>"}}, 400);
  post("/api/v1/jobs", {{"model", "adaboost"}, {"name", "b"}}, 400);
  // A source that cannot be loaded fails the job with the reason.
  const json failed = wait_for_job(post("/api/v1/jobs", {{"url", data_.file("missing.json")}, {"model", "manhattan"},
                                                         {"name", "x"}}, 202)["id"]);
  EXPECT_EQ(failed["status"], "failed");
  EXPECT_FALSE(failed["error"].get<std::string>().empty());
}

// ann and a copy of ann's attempts under another name cannot be told apart: AdaBoost never fits them
// perfectly, so it runs all its rounds unless cancelled.
TEST_F(JobsModelsApiTest, ALongJobIsCancelledAndStoresNothing) {
  const std::string phrase = "the quick brown fox jumps";
  auto ann = testing::synthetic_attempts("ann", 0, phrase, 150, true);
  auto twin = ann;
  for (Attempt& a : twin) a.user = "twin";
  auto bob = testing::synthetic_attempts("bob", 1, phrase, 150, true);
  testing::TempDir long_data;
  const std::string url = testing::write_chain(long_data, {ann, twin, bob});
  const json job = post("/api/v1/jobs", {{"url", url}, {"model", "adaboost"}, {"name", "long"},
                                         {"params", {{"n_estimators", 5000}}}}, 202);
  const std::string id = job["id"];
  json now;
  do {
    now = get("/api/v1/jobs/" + id);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  } while (now["status"] == "queued" || (now["status"] == "running" && now["step"] != "training"));
  ASSERT_EQ(now["status"], "running") << now.dump();
  EXPECT_GE(now["percent"].get<double>(), 5.0);
  EXPECT_LT(now["percent"].get<double>(), 95.0);
  EXPECT_EQ(now["total"], 5000);
  post("/api/v1/jobs/" + id + "/cancel", json::object());
  const json end = wait_for_job(id);
  EXPECT_EQ(end["status"], "cancelled") << end.dump();
  EXPECT_TRUE(end["result"].is_null());
  get("/api/v1/models/long", 404);
  EXPECT_TRUE(get("/api/v1/models").empty());
}

// A job whose source is still arriving (a byte every 50 ms: the page would take a minute) is cancelled within
// about a second, not when the download ends.
TEST_F(JobsModelsApiTest, AJobIsCancelledWhileItsPageDownloads) {
  testing::LoopbackServer slow([](httplib::Server& s) {
    s.Get("/slow.json", [](const httplib::Request&, httplib::Response& res) {
      res.set_content_provider(1200, "application/json", [](std::size_t offset, std::size_t, httplib::DataSink& sink) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return offset < 1200 && sink.write(offset == 0 ? "{" : " ", 1);
      });
    });
  });
  const json job = post("/api/v1/jobs", {{"url", slow.url("/slow.json")}, {"model", "manhattan"}, {"name", "s"}}, 202);
  const std::string id = job["id"];
  json now;
  do {
    now = get("/api/v1/jobs/" + id);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (now["status"] == "queued");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // well into the download
  ASSERT_EQ(get("/api/v1/jobs/" + id)["status"], "running");
  const auto cancelled_at = std::chrono::steady_clock::now();
  post("/api/v1/jobs/" + id + "/cancel", json::object());
  const json end = wait_for_job(id);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - cancelled_at).count();
  EXPECT_EQ(end["status"], "cancelled") << end.dump();
  EXPECT_LT(seconds, 10.0);  // the download alone would take 60 s
  get("/api/v1/models/s", 404);
}

TEST_F(JobsModelsApiTest, ModelsListGetFileDelete) {
  ASSERT_EQ(train("manhattan", "m1")["status"], "done");
  const json list = get("/api/v1/models");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], "m1");
  EXPECT_EQ(list[0]["type"], "manhattan");
  EXPECT_EQ(list[0]["dataset_source"], url_);
  const json one = get("/api/v1/models/m1");
  EXPECT_EQ(one["holdout"], 0.25);
  EXPECT_EQ(one["seed"], 7);
  EXPECT_GT(one["metrics"]["accuracy"].get<double>(), 0.8);

  const auto file = client_->Get("/api/v1/models/m1/file");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->status, 200);
  EXPECT_EQ(file->get_header_value("Content-Type"), "application/octet-stream");
  EXPECT_EQ(file->get_header_value("Content-Disposition"), "attachment; filename=\"m1.ksauth\"");
  EXPECT_EQ(file->body.substr(0, 11), "KSAUTHMODEL");

  EXPECT_EQ(del("/api/v1/models/m1")["deleted"], "m1");
  get("/api/v1/models/m1", 404);
  del("/api/v1/models/m1", 404);
  get("/api/v1/models/m1/file", 404);
  EXPECT_TRUE(get("/api/v1/models").empty());
  get("/api/v1/models/%3Cimg%20src=x%20onerror=alert(1)%3E", 400);
}

TEST_F(JobsModelsApiTest, PredictByAttemptsByUrlAndAsCsv) {
  ASSERT_EQ(train("manhattan", "m1")["status"], "done");
  auto attempts = testing::synthetic_attempts("", 0, "hello", 3, true, 99);
  const auto bob = testing::synthetic_attempts("", 1, "hello", 2, true, 99);
  attempts.insert(attempts.end(), bob.begin(), bob.end());
  attempts.push_back(testing::synthetic_attempts("", 1, "help", 1, true).front());
  const std::string test_file = testing::test_file_json(attempts);

  const json p = post_raw("/api/v1/models/m1/predict", test_file, 200);
  EXPECT_EQ(p["model"], "m1");
  EXPECT_EQ(p["n_attempts"], 6);
  EXPECT_EQ(p["n_ok"], 5);
  EXPECT_EQ(p["n_invalid"], 1);
  ASSERT_EQ(p["rows"].size(), 6u);
  EXPECT_EQ(p["rows"][0]["status"], "ok");
  EXPECT_EQ(p["rows"][0]["predicted_user"], "ann");
  EXPECT_EQ(p["rows"][3]["predicted_user"], "bob");
  EXPECT_EQ(p["rows"][0]["top"].size(), 3u);
  EXPECT_EQ(p["rows"][5]["status"], "invalid");
  EXPECT_EQ(p["rows"][5]["reason"], "does not spell the phrase");
  EXPECT_EQ(post_raw("/api/v1/models/m1/predict?first_n=2", test_file, 200)["rows"].size(), 2u);
  post_raw("/api/v1/models/m1/predict?first_n=1001", test_file, 400);
  post_raw("/api/v1/models/m1/predict?first_n=ten", test_file, 400);

  testing::LoopbackServer files(data_.path());
  data_.write("test.json", test_file);
  const json by_url = post("/api/v1/models/m1/predict", {{"url", files.url("/test.json")}});
  EXPECT_EQ(by_url["rows"], p["rows"]);
  post("/api/v1/models/m1/predict", {{"url", files.url("/missing.json")}}, 404);  // the source answers 404
  post("/api/v1/models/m1/predict", {{"url", "http://127.0.0.1:1/t.json"}}, 502);  // nobody answers
  post("/api/v1/models/nope/predict", {{"url", files.url("/test.json")}}, 404);
  post("/api/v1/models/m1/predict", json::object(), 400);
  post_raw("/api/v1/models/m1/predict", "{\"attempts\": 3}", 400);

  const auto csv = client_->Post("/api/v1/models/m1/predict.csv", test_file, "application/json");
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200);
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv->get_header_value("Content-Disposition"), "attachment; filename=\"output_predictions.csv\"");
  EXPECT_TRUE(csv->body.starts_with("attempt,status,predicted_user,confidence\n")) << csv->body;
  EXPECT_EQ(std::count(csv->body.begin(), csv->body.end(), '\n'), 7);
  EXPECT_NE(csv->body.find("\n5,invalid,,\n"), std::string::npos) << csv->body;
}

}  // namespace
}  // namespace ksauth::server
