// Who may call the API: the token rule (changes need the token, reads never, predictions when configured),
// listening beyond loopback only with a token, and the default source policy of a server (no files, no
// private or loopback addresses) over real HTTP.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "server/access.hpp"
#include "server/api_server.hpp"
#include "support/error_kind.hpp"
#include "support/fixtures.hpp"
#include "support/loopback_server.hpp"

namespace ksauth::server {
namespace {

using nlohmann::json;

constexpr const char* kToken = "s3cret-token-0123456789";

// An ApiServer on 127.0.0.1 and a free port, listening until destroyed.
class RunningServer {
 public:
  explicit RunningServer(ServerOptions options) : server_(std::move(options)) {
    port_ = server_.bind("127.0.0.1", 0);
    thread_ = std::thread([this] { server_.listen(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~RunningServer() {
    server_.stop();
    thread_.join();
  }
  httplib::Client client() const { return httplib::Client("127.0.0.1", port_); }
  int port() const { return port_; }

 private:
  ApiServer server_;
  int port_ = 0;
  std::thread thread_;
};

ServerOptions options_in(const testing::TempDir& dir) {
  ServerOptions options;
  options.db_path = dir.file("t.db");
  options.web_dir = dir.file("no-web");
  return options;
}

std::string upload_body() {
  return testing::training_page_json("ann", testing::synthetic_attempts("ann", 0, "hello", 3, true), nullptr);
}

std::string error_of(const httplib::Result& res) { return json::parse(res->body).value("error", ""); }

TEST(SameToken, ComparesWholeTokens) {
  EXPECT_TRUE(same_token("abc", "abc"));
  EXPECT_FALSE(same_token("abd", "abc"));
  EXPECT_FALSE(same_token("ab", "abc"));
  EXPECT_FALSE(same_token("abcd", "abc"));
  EXPECT_FALSE(same_token("", "abc"));
  EXPECT_FALSE(same_token(std::string("ab\0", 3), "abc"));
}

TEST(IsLoopbackHost, OnlyThisMachine) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"}) EXPECT_TRUE(is_loopback_host(host)) << host;
  for (const char* host : {"0.0.0.0", "::", "192.168.1.5", "10.0.0.1", "example.org", "", "128.0.0.1"})
    EXPECT_FALSE(is_loopback_host(host)) << host;
}

TEST(ApiToken, BeyondLoopbackOnlyWithAToken) {
  testing::TempDir dir;
  ApiServer open(options_in(dir));
  std::string message;
  EXPECT_EQ(testing::error_kind([&] { open.bind("0.0.0.0", 0); }, &message), ErrorKind::invalid_input);
  EXPECT_EQ(message,
            "serving on 0.0.0.0 (beyond this machine) needs an API token for the endpoints that change something "
            "(ksauth serve --token-file FILE, or $KSAUTH_API_TOKEN), or listen on 127.0.0.1");
  ServerOptions with_token = options_in(dir);
  with_token.api_token = kToken;
  ApiServer guarded(with_token);
  EXPECT_GT(guarded.bind("0.0.0.0", 0), 0);
}

TEST(ApiToken, ChangesNeedTheTokenReadsAndPredictionsDoNot) {
  testing::TempDir dir;
  ServerOptions options = options_in(dir);
  options.api_token = kToken;
  RunningServer server(options);
  httplib::Client client = server.client();
  const std::string upload = "/api/v1/datasets/upload?name=a.json";

  const auto none = client.Post(upload, upload_body(), "application/json");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer realm=\"ksauth\"");
  EXPECT_EQ(error_of(none),
            "this server asks for its API token on this endpoint: send the header Authorization: Bearer TOKEN");
  const auto wrong = client.Post(upload, {{"Authorization", "Bearer s3cret-token-0123456788"}}, upload_body(),
                                 "application/json");
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(error_of(wrong), "the API token sent is not this server's");
  const auto basic = client.Post(upload, {{"Authorization", "Basic YTpi"}}, upload_body(), "application/json");
  EXPECT_EQ(basic->status, 401);
  EXPECT_EQ(error_of(basic), "the Authorization header must be \"Bearer TOKEN\"");
  EXPECT_EQ(client.Get("/api/v1/datasets")->body, "[]");  // nothing was stored by the refused requests

  const httplib::Headers auth{{"Authorization", std::string("Bearer ") + kToken}};
  EXPECT_EQ(client.Post(upload, auth, upload_body(), "application/json")->status, 200);
  // The scheme's name is case-insensitive (RFC 7235); the token is not.
  const httplib::Headers lower_case{{"Authorization", std::string("bearer ") + kToken}};
  EXPECT_EQ(client.Post(upload, lower_case, upload_body(), "application/json")->status, 200);
  EXPECT_EQ(client.Get("/api/v1/datasets")->status, 200);  // reads are open

  // Every changing endpoint asks before doing anything (the same 401 whatever the body).
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/api/v1/datasets"}, {"POST", "/api/v1/jobs"}, {"POST", "/api/v1/jobs/1/cancel"},
           {"DELETE", "/api/v1/models/m1"}, {"POST", "/api/v1/verifiers"}, {"DELETE", "/api/v1/verifiers/v1"}}) {
    const auto res = method == "POST" ? client.Post(path, "{}", "application/json") : client.Delete(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << method << " " << path;
  }
  // Predictions and verifications are open unless the server says otherwise: here they reach their handler.
  for (const std::string path : {"/api/v1/models/m1/predict", "/api/v1/models/m1/predict.csv",
                                 "/api/v1/verifiers/v1/verify", "/api/v1/verify"}) {
    const auto res = client.Post(path, "{}", "application/json");
    ASSERT_TRUE(res);
    EXPECT_NE(res->status, 401) << path;
  }
}

TEST(ApiToken, PredictionsToo) {
  testing::TempDir dir;
  ServerOptions options = options_in(dir);
  options.api_token = kToken;
  options.token_for_predictions = true;
  RunningServer server(options);
  httplib::Client client = server.client();
  for (const std::string path : {"/api/v1/models/m1/predict", "/api/v1/models/m1/predict.csv",
                                 "/api/v1/verifiers/v1/verify", "/api/v1/verify"}) {
    EXPECT_EQ(client.Post(path, "{}", "application/json")->status, 401) << path;
    const auto with = client.Post(path, {{"Authorization", std::string("Bearer ") + kToken}}, "{}", "application/json");
    EXPECT_NE(with->status, 401) << path;
  }
  EXPECT_EQ(client.Get("/api/v1/models")->status, 200);
}

// A page on another site cannot use the browser to reach the server: no cross-site changes, and on
// loopback no requests for another name (DNS rebinding).
TEST(BrowserRule, CrossSiteChangesAndForeignHostsAreRefused) {
  testing::TempDir dir;
  RunningServer server(options_in(dir));
  httplib::Client client = server.client();
  const std::string upload = "/api/v1/datasets/upload?name=a.json";
  const auto cross = client.Post(upload, {{"Origin", "http://evil.example"}}, upload_body(), "text/plain");
  ASSERT_TRUE(cross);
  EXPECT_EQ(cross->status, 403);
  EXPECT_EQ(error_of(cross), "requests from another site's pages are refused (Origin: http://evil.example)");
  EXPECT_EQ(client.Post(upload, {{"Origin", "null"}}, upload_body(), "application/json")->status, 403);
  EXPECT_EQ(client.Get("/api/v1/datasets")->body, "[]");

  const auto rebound = client.Get("/api/v1/models", {{"Host", "evil.example:8000"}});
  EXPECT_EQ(rebound->status, 403);
  EXPECT_EQ(error_of(rebound), "this server answers requests for its loopback address only (Host: evil.example:8000)");
  EXPECT_EQ(client.Get("/", {{"Host", "evil.example"}})->status, 403);  // the pages too

  // Its own pages' requests carry its own origin: served. So do clients that send no Origin (curl).
  const std::string self = "http://127.0.0.1:" + std::to_string(server.port());
  EXPECT_EQ(client.Post(upload, {{"Origin", self}}, upload_body(), "application/json")->status, 200);
  EXPECT_EQ(client.Get("/api/v1/models", {{"Host", "localhost:8000"}})->status, 200);
}

// Error answers name no file of the server: its database is "the database".
TEST(ErrorAnswers, NameNoServerPath) {
  testing::TempDir dir;
  RunningServer server(options_in(dir));
  const std::string text = dir.write("not-a-db", "this is not a database\n");
  ASSERT_EQ(std::rename(text.c_str(), dir.file("t.db").c_str()), 0);  // requests open the store anew
  const auto res = server.client().Get("/api/v1/datasets");
  ASSERT_TRUE(res);
  EXPECT_GE(res->status, 500) << res->body;
  const std::string message = error_of(res);
  EXPECT_EQ(message.find(dir.path()), std::string::npos) << message;
  EXPECT_NE(message.find("the database"), std::string::npos) << message;
}

// A server's default policy: whoever reaches the API cannot make it fetch from this machine or its network.
TEST(ServerSources, LoopbackAndPrivateAddressesAreRefusedByDefault) {
  testing::TempDir data;
  testing::write_chain(data, {testing::synthetic_attempts("ann", 0, "hello", 3, true),
                              testing::synthetic_attempts("bob", 1, "hello", 3, true)});
  testing::LoopbackServer files(data.path());
  testing::TempDir dir;
  RunningServer server(options_in(dir));
  httplib::Client client = server.client();
  const std::string url = files.url("/page0.json");
  const auto analyze = client.Post("/api/v1/datasets", json{{"url", url}}.dump(), "application/json");
  EXPECT_EQ(analyze->status, 403);
  EXPECT_EQ(error_of(analyze), url + ": the host 127.0.0.1 is at 127.0.0.1, a loopback address; private and loopback "
                                     "addresses are not fetched");
  const auto metadata = client.Post("/api/v1/models/m1/predict", json{{"url", "http://169.254.169.254/latest"}}.dump(),
                                    "application/json");
  EXPECT_EQ(metadata->status, 403);  // refused before anything else
  EXPECT_NE(error_of(metadata).find("169.254.169.254, a link-local address"), std::string::npos) << metadata->body;

  ServerOptions allowed = options_in(dir);
  allowed.sources.allowed_hosts = {"127.0.0.1:" + std::to_string(files.port())};
  RunningServer listed(allowed);
  const auto ok = listed.client().Post("/api/v1/datasets", json{{"url", url}}.dump(), "application/json");
  EXPECT_EQ(ok->status, 200) << ok->body;
  // Now in the (shared) store: the default server still refuses to load it, for analysis or training.
  const auto stored = client.Post("/api/v1/datasets", json{{"url", url}}.dump(), "application/json");
  EXPECT_EQ(stored->status, 403) << stored->body;
  const auto job = client.Post("/api/v1/jobs", json{{"url", url}, {"model", "manhattan"}, {"name", "m1"}}.dump(),
                               "application/json");
  EXPECT_EQ(job->status, 403) << job->body;  // refused before it is queued
  EXPECT_NE(error_of(job).find("a loopback address"), std::string::npos) << job->body;
  EXPECT_EQ(client.Get("/api/v1/jobs")->body, "[]");
}

}  // namespace
}  // namespace ksauth::server
