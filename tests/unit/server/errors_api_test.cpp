// Every error is JSON with its status, never a crash or an HTML page; static files cannot escape their
// folders.
#include <filesystem>

#include "unit/server/api_fixture.hpp"

namespace ksauth::server {
namespace {

using nlohmann::json;

TEST_F(ApiTest, UnknownRoutesAre404AndOtherMethods405) {
  EXPECT_NE(get("/api/v1/nothing", 404)["error"].get<std::string>().find("/api/v1/nothing"), std::string::npos);
  get("/api/v1/", 404);
  get("/", 404);  // no web pages in this test
  get("/index.html", 404);
  const auto r = client_->Put("/api/v1/models", "{}", "application/json");
  check(r, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "GET");
  check(client_->Delete("/api/v1/datasets"), 405);
  check(client_->Patch("/api/v1/jobs/1", "{}", "application/json"), 405);
  post("/api/v1/health", json::object(), 405);
  del("/api/v1/jobs/1", 405);
  // Methods httplib itself turns away, and a POST without a length (curl -X POST with no -d).
  httplib::Request trace;
  trace.method = "TRACE";
  trace.path = "/api/v1/models";
  const auto traced = client_->send(trace);
  EXPECT_EQ(check(traced, 405)["error"], "the method TRACE is not served (GET, POST, DELETE)");
  EXPECT_EQ(traced->get_header_value("Allow"), "GET, POST, DELETE");
}

TEST_F(ApiTest, BadBodiesAndParametersAre400NamingWhatIsWrong) {
  EXPECT_EQ(post_raw("/api/v1/datasets", "{\"url\": ", 400)["error"], "the request body is not valid JSON");
  post_raw("/api/v1/datasets", "[1, 2]", 400);
  post_raw("/api/v1/jobs", "not json", 400);
  EXPECT_EQ(post("/api/v1/datasets", {{"url", 42}}, 400)["error"], "field url: expected a string");
  post("/api/v1/datasets", {{"url", "x.json"}, {"first_n", -1}}, 400);
  post("/api/v1/datasets", {{"url", "x.json"}, {"first_n", 1001}}, 400);
  post("/api/v1/datasets", {{"url", "x.json"}, {"min_attempts", 0}}, 400);
  const std::string e = get("/api/v1/datasets/1/keystrokes?offset=-3", 400)["error"];
  EXPECT_NE(e.find("offset"), std::string::npos) << e;
  EXPECT_NE(get("/api/v1/datasets/1/features?limit=abc", 400)["error"].get<std::string>().find("limit"),
            std::string::npos);
  EXPECT_NE(get("/api/v1/datasets/1?first_n=1e3", 400)["error"].get<std::string>().find("first_n"), std::string::npos);
  get("/api/v1/datasets/abc", 400);
  get("/api/v1/datasets/-1", 400);
  get("/api/v1/datasets/99999999999999999999999", 400);
  post_raw("/api/v1/datasets/upload?name=a%0Ab", "{}", 400);  // a control character in the name
  // A source that does not exist / cannot be fetched.
  post("/api/v1/datasets", {{"url", "http://127.0.0.1:1/none.json"}}, 502);
}

TEST_F(ApiTest, ABodyOver64MiBIs413) {
  const std::string big((64u << 20) + 1, ' ');
  const json r = post_raw("/api/v1/datasets/upload?name=big.json", big, 413);
  EXPECT_TRUE(r["error"].is_string());
  get("/api/v1/health");  // still serving
}

// A body nested 100,000 levels deep (200 KB) crashed the server when /verify wrote the attempt out again
// (a recursion per level); every endpoint that reads a JSON body refuses deep nesting with a 400.
TEST_F(ApiTest, DeeplyNestedBodiesAre400) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string expected = "the request body is nested deeper than 64 levels";
  EXPECT_EQ(post_raw("/api/v1/verify", R"({"model": "x", "user_label": "u", "attempt": )" + deep + "}", 400)["error"],
            expected);
  EXPECT_EQ(post_raw("/api/v1/verify", R"({"model": "x", "user_label": "u", "attempt": [{"character": "a", "x": )" +
                                           deep + "}]}", 400)["error"],
            expected);
  for (const char* path : {"/api/v1/datasets", "/api/v1/jobs", "/api/v1/verifiers"})
    EXPECT_EQ(post_raw(path, R"({"url": "x.json", "extra": )" + deep + "}", 400)["error"], expected) << path;
  // A prediction's body is read by simdjson, whose limit is 1024 levels.
  EXPECT_EQ(post_raw("/api/v1/models/m/predict", R"({"url": "x.json", "extra": )" + deep + "}", 400)["error"],
            "the request body is nested deeper than 1024 levels");
  // 60 levels are read (here: an unknown field; the body then lacks its attempt).
  const std::string nested = std::string(60, '[') + std::string(60, ']');
  EXPECT_EQ(post_raw("/api/v1/verify", R"({"model": "x", "user_label": "u", "extra": )" + nested + "}", 400)["error"],
            "the body needs \"attempt\": an array of events");
  get("/api/v1/health");  // still serving
}

TEST_F(ApiTest, PathTraversalIsRefused) {
  for (const std::string path : {"/../../etc/passwd", "/vendor/bootstrap/../../../etc/passwd",
                                 "/vendor/chart.js/../../../../etc/passwd", "/vendor/bootstrap/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                                 "/vendor/bootstrap/css/../../../../../etc/passwd"}) {
    const auto r = client_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_GE(r->status, 400) << path;
    EXPECT_EQ(r->body.find("root:"), std::string::npos) << path;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << path;
  }
  // A NUL in the path (httplib decodes %00) would cut the file name opened from the one whose type is sent.
  for (const std::string path : {"/index.html%00.js", "/api/v1/models%00", "/vendor/bootstrap/%0a"})
    EXPECT_EQ(get(path, 400)["error"], "the path contains a control character") << path;
}

TEST_F(ApiTest, VendorFilesAreServed) {
  if (!std::filesystem::exists("/usr/share/javascript/bootstrap5/css/bootstrap.min.css") ||
      !std::filesystem::exists("/usr/share/javascript/chart.js/chart.min.js"))
    GTEST_SKIP() << "libjs-bootstrap5 / libjs-chart.js not installed";
  const auto css = client_->Get("/vendor/bootstrap/css/bootstrap.min.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->status, 200);
  EXPECT_EQ(css->get_header_value("Content-Type"), "text/css");
  EXPECT_NE(css->body.find("Bootstrap"), std::string::npos);
  const auto js = client_->Get("/vendor/chart.js/chart.min.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript");
  get("/vendor/bootstrap/css/none.css", 404);
}

// By default the API loads sources over http(s) only: whoever reaches it cannot make it read local files
// (403, before any job is queued).
TEST(LocalSourcesTest, RefusedUnlessAllowed) {
  testing::TempDir dir;
  ServerOptions options;
  options.db_path = dir.file("t.db");
  options.web_dir = dir.file("no-web");
  ApiServer server(options);
  const int port = server.bind("127.0.0.1", 0);
  std::thread thread([&] { server.listen(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  httplib::Client client("127.0.0.1", port);
  for (const char* url : {"/etc/passwd", "file:///etc/passwd", "../shared/data/x.json"}) {
    const std::string body = nlohmann::json{{"url", url}}.dump();
    for (const char* path : {"/api/v1/datasets", "/api/v1/jobs"}) {
      const auto res = client.Post(path, body, "application/json");
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, 403) << path << " " << url;
      EXPECT_NE(res->body.find(std::string(url) + ": files of this machine are not loaded here; give an http:// or "
                                                  "https:// URL"),
                std::string::npos)
          << res->body;
    }
  }
  server.stop();
  thread.join();
}

// A web folder is served at "/" (index.html for the folder), and only what is inside it.
TEST(WebFolderTest, PagesAreServedFromTheWebFolder) {
  testing::TempDir dir;
  dir.write("web/index.html", "<!doctype html><title>ksauth</title>");
  dir.write("secret.txt", "do not serve");
  ServerOptions options;
  options.db_path = dir.file("t.db");
  options.web_dir = dir.file("web");
  ApiServer server(options);
  ASSERT_TRUE(server.serves_web());
  const int port = server.bind("127.0.0.1", 0);
  std::thread thread([&] { server.listen(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  httplib::Client client("127.0.0.1", port);
  const auto index = client.Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->get_header_value("Content-Type"), "text/html");
  EXPECT_NE(index->body.find("<title>ksauth</title>"), std::string::npos);
  const auto escape = client.Get("/../secret.txt");
  ASSERT_TRUE(escape);
  EXPECT_EQ(escape->status, 404);
  EXPECT_EQ(escape->body.find("do not serve"), std::string::npos);
  const auto api = client.Get("/api/v1/health");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 200);
  server.stop();
  thread.join();
}

}  // namespace
}  // namespace ksauth::server
