#pragma once
// The API over real HTTP on loopback: an ApiServer in-process on a free port with a temporary database,
// called with httplib::Client.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "server/api_server.hpp"
#include "support/fixtures.hpp"

namespace ksauth::server {

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.db_path = dir_.file("test.db");
    options.web_dir = dir_.file("no-web");  // no web pages: "/" is 404
    options.sources.allow_files = true;              // the fixtures are files
    options.sources.allow_private_addresses = true;  // and loopback servers
    server_ = std::make_unique<ApiServer>(options);
    port_ = server_->bind("127.0.0.1", 0);
    thread_ = std::thread([this] { server_->listen(); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server_->is_running() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(std::chrono::seconds(300));
    client_->set_write_timeout(std::chrono::seconds(60));
  }

  void TearDown() override {
    server_->stop();
    thread_.join();
    server_.reset();
  }

  // The answer's JSON after checking its status and content type.
  nlohmann::json check(const httplib::Result& r, int status) {
    if (!r) {
      ADD_FAILURE() << "no answer: " << httplib::to_string(r.error());
      return nullptr;
    }
    EXPECT_EQ(r->status, status) << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << r->body;
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r->body;
    return j;
  }
  nlohmann::json get(const std::string& path, int status = 200) { return check(client_->Get(path), status); }
  nlohmann::json post(const std::string& path, const nlohmann::json& body, int status = 200) {
    return check(client_->Post(path, body.dump(), "application/json"), status);
  }
  nlohmann::json post_raw(const std::string& path, const std::string& body, int status) {
    return check(client_->Post(path, body, "application/json"), status);
  }
  nlohmann::json del(const std::string& path, int status = 200) { return check(client_->Delete(path), status); }

  // Polls a job until it has ended (done, failed, cancelled).
  nlohmann::json wait_for_job(const std::string& id) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    for (;;) {
      nlohmann::json job = get("/api/v1/jobs/" + id);
      const std::string status = job.value("status", "");
      if (status != "queued" && status != "running") return job;
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "job " << id << " did not end: " << job.dump();
        return job;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  testing::TempDir dir_;
  std::unique_ptr<ApiServer> server_;
  int port_ = 0;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
};

// Three typists with 20 attempts of "hello" (release times included); bob also typed "helo" twice.
inline std::vector<std::vector<Attempt>> three_typists() {
  auto ann = testing::synthetic_attempts("ann", 0, "hello", 20, true);
  auto bob = testing::synthetic_attempts("bob", 1, "hello", 20, true);
  auto typo = testing::synthetic_attempts("bob", 1, "helo", 2, true);
  bob.insert(bob.end(), typo.begin(), typo.end());
  auto cat = testing::synthetic_attempts("cat", 2, "hello", 20, true);
  return {ann, bob, cat};
}

}  // namespace ksauth::server
