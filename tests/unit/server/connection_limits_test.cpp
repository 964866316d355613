// The limits a connection is held to (server/guarded_http_server.hpp), over raw sockets on loopback: headers
// that trickle in, a body that stalls, a chunked body past the size limit, and too many connections from one
// client. Each gets its answer (or is closed) without holding the server, which keeps answering others.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "server/api_server.hpp"
#include "support/fixtures.hpp"

namespace ksauth::server {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A TCP connection to 127.0.0.1:port that sends what it is told and reads what comes back.
class RawClient {
 public:
  explicit RawClient(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() { ::close(fd_); }
  bool connected() const { return connected_; }

  bool send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }
  // Everything the server sends until it closes the connection or `timeout` passes.
  std::string read_until_closed(std::chrono::milliseconds timeout) {
    std::string out;
    const auto until = Clock::now() + timeout;
    while (Clock::now() < until) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }
  bool closed() const { return closed_; }

 private:
  int fd_;
  bool connected_ = false;
  bool closed_ = false;
};

class ConnectionLimitsTest : public ::testing::Test {
 protected:
  void start(ConnectionLimits limits) {
    ServerOptions options;
    options.db_path = dir_.file("test.db");
    options.web_dir = dir_.file("no-web");
    options.connections = limits;
    server_ = std::make_unique<ApiServer>(options);
    port_ = server_->bind("127.0.0.1", 0);
    thread_ = std::thread([this] { server_->listen(); });
    const auto deadline = Clock::now() + 10s;
    while (!server_->is_running() && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
  }
  void TearDown() override {
    if (!server_) return;
    server_->stop();
    thread_.join();
  }
  // The server answers an ordinary request meanwhile.
  void expect_healthy() {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(5s);
    const auto r = client.Get("/api/v1/health");
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200);
  }
  static std::string status_line(const std::string& answer) { return answer.substr(0, answer.find("\r\n")); }
  static nlohmann::json body_of(const std::string& answer) {
    const auto at = answer.find("\r\n\r\n");
    return at == std::string::npos ? nlohmann::json() : nlohmann::json::parse(answer.substr(at + 4), nullptr, false);
  }

  testing::TempDir dir_;
  std::unique_ptr<ApiServer> server_;
  std::thread thread_;
  int port_ = 0;
};

// Slowloris: one header line every 200 ms keeps httplib reading forever; here the headers must be in within
// 1 s of the first byte, and the answer is a 408 that says so, after which the connection is closed.
TEST_F(ConnectionLimitsTest, HeadersThatTrickleInAreCutOffAt408) {
  ConnectionLimits limits;
  limits.headers_time = 1000ms;
  start(limits);
  RawClient slow(port_);
  ASSERT_TRUE(slow.connected());
  const auto started = Clock::now();
  ASSERT_TRUE(slow.send("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  std::thread trickle([&] {
    for (int i = 0; i < 40 && slow.send("X-Slow: " + std::to_string(i) + "\r\n"); ++i) std::this_thread::sleep_for(200ms);
  });
  expect_healthy();
  const std::string answer = slow.read_until_closed(6s);
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  trickle.join();
  EXPECT_EQ(status_line(answer), "HTTP/1.1 408 Request Timeout");
  EXPECT_EQ(body_of(answer)["error"], "the request's headers took longer than 1 s");
  EXPECT_TRUE(slow.closed());
  EXPECT_LT(seconds, 4.0);  // without the limit the headers would go on for 8 s
}

// A body that stops coming after its first bytes: 408 once the grace period and the pace run out.
TEST_F(ConnectionLimitsTest, ABodyThatStallsIsCutOffAt408) {
  ConnectionLimits limits;
  limits.body_grace = 500ms;
  limits.body_bytes_per_second = 1 << 20;
  start(limits);
  RawClient slow(port_);
  ASSERT_TRUE(slow.send("POST /api/v1/datasets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        "Content-Length: 1000\r\n\r\n{\"url\": "));
  const auto started = Clock::now();
  const std::string answer = slow.read_until_closed(5s);
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  EXPECT_EQ(status_line(answer), "HTTP/1.1 408 Request Timeout");
  EXPECT_EQ(body_of(answer)["error"], "the request body arrived too slowly (at least 1024 KiB/s after 0.5 s)");
  EXPECT_TRUE(slow.closed());
  EXPECT_LT(seconds, 3.0);
  expect_healthy();
}

// httplib checks its body limit only against a Content-Length: a chunked body was read whole, however large.
// Here the request is cut at max_request_bytes: 413, and the server did not keep reading.
TEST_F(ConnectionLimitsTest, AChunkedBodyPastTheLimitIs413) {
  ConnectionLimits limits;
  limits.max_request_bytes = 1 << 20;
  start(limits);
  RawClient big(port_);
  ASSERT_TRUE(big.send("POST /api/v1/datasets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n"));
  const std::string chunk(64 << 10, ' ');
  std::size_t sent = 0;
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  while (sent < (8u << 20) && big.send(size_line + chunk + "\r\n")) sent += chunk.size();
  const std::string answer = big.read_until_closed(5s);
  EXPECT_EQ(status_line(answer), "HTTP/1.1 413 Payload Too Large");
  EXPECT_EQ(body_of(answer)["error"], "the request is larger than 1 MiB (a chunked body included)");
  EXPECT_TRUE(big.closed());
  expect_healthy();
}

// A client may hold max_connections_per_client connections at once (loopback counted here, as a remote address
// would be); the next is answered 503 and closed, and is served again once one ends.
TEST_F(ConnectionLimitsTest, OneClientMayHoldOnlySoManyConnections) {
  ConnectionLimits limits;
  limits.max_connections_per_client = 3;
  limits.count_loopback_clients = true;
  start(limits);
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawClient>(port_));
    ASSERT_TRUE(held.back()->send("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"));  // headers not ended
  }
  std::this_thread::sleep_for(300ms);  // each is being served
  RawClient fourth(port_);
  const std::string refused = fourth.read_until_closed(3s);
  EXPECT_EQ(status_line(refused), "HTTP/1.1 503 Service Unavailable");
  EXPECT_EQ(body_of(refused)["error"], "too many connections from this address at once");
  held.clear();
  std::this_thread::sleep_for(300ms);
  expect_healthy();
}

// Headers are capped before httplib keeps them (each 5-byte line cost it ~24 times that): 431, closed.
TEST_F(ConnectionLimitsTest, HeadersPastTheirLimitAre431) {
  start({});
  RawClient client(port_);
  std::string request = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  while (request.size() < (100u << 10)) request += "a:b\r\n";
  client.send(request + "\r\n");
  const std::string answer = client.read_until_closed(5s);
  EXPECT_EQ(status_line(answer), "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_EQ(body_of(answer)["error"], "the request's line and headers are larger than 64 KiB");
  EXPECT_TRUE(client.closed());
}

// A request line that never ends gets its 408 too (httplib writes no answer then: the stream does).
TEST_F(ConnectionLimitsTest, ARequestLineThatTricklesInIs408) {
  ConnectionLimits limits;
  limits.headers_time = 1000ms;
  start(limits);
  RawClient slow(port_);
  std::thread trickle([&] {
    for (const char c : std::string("GET /api/v1/health-and-more-and-more HTTP/1.1"))
      if (!slow.send(std::string(1, c))) break;
      else std::this_thread::sleep_for(150ms);
  });
  const std::string answer = slow.read_until_closed(6s);
  trickle.join();
  EXPECT_EQ(status_line(answer), "HTTP/1.1 408 Request Timeout");
  EXPECT_EQ(body_of(answer)["error"], "the request's headers took longer than 1 s");
}

// After an answer that says the request was malformed or cut off, the connection is closed: the bytes after it
// (here a request hidden in a body declared too large) are never served as a request.
TEST_F(ConnectionLimitsTest, NothingIsServedAfterAMalformedRequest) {
  ConnectionLimits limits;
  limits.max_request_bytes = 1 << 20;
  limits.body_grace = 500ms;
  start(limits);
  for (const std::string first : {
           "POST /api/v1/datasets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000000\r\n\r\n",
           "POST /api/v1/datasets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}",
           "GET /api/v1/health HTTP/9.9 extra\r\n\r\n"}) {
    RawClient client(port_);
    client.send(first + "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const std::string answer = client.read_until_closed(5s);
    EXPECT_TRUE(client.closed()) << first;
    EXPECT_EQ(answer.find("HTTP/1.1 2"), std::string::npos) << first << " -> " << answer;
    EXPECT_EQ(answer.find("HTTP/1.1", 1), std::string::npos) << "more than one answer: " << answer;
  }
}

// Ranges are not served (httplib built every range asked for in memory): the whole answer, 200.
TEST_F(ConnectionLimitsTest, RangesAreIgnored) {
  start({});
  httplib::Client client("127.0.0.1", port_);
  std::string many = "bytes=0-5";
  for (int i = 0; i < 2000; ++i) many += ",0-";
  for (const std::string& range : {std::string("bytes=0-5"), many}) {
    const auto r = client.Get("/api/v1/health", {{"Range", range}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(nlohmann::json::parse(r->body, nullptr, false)["status"], "ok") << r->body.substr(0, 80);
  }
}

// Stopping the server does not wait for a body that arrives slowly but within the allowed pace.
TEST_F(ConnectionLimitsTest, StoppingDoesNotWaitForASlowBody) {
  ConnectionLimits limits;
  limits.body_bytes_per_second = 1024;
  start(limits);
  RawClient slow(port_);
  ASSERT_TRUE(slow.send("POST /api/v1/datasets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        "Content-Length: 1000000\r\n\r\n{"));
  std::atomic<bool> sending{true};
  std::thread pace([&] {
    while (sending && slow.send(std::string(2048, ' '))) std::this_thread::sleep_for(200ms);
  });
  std::this_thread::sleep_for(500ms);
  const auto stopping = Clock::now();
  server_->stop();
  thread_.join();
  server_.reset();
  const double seconds = std::chrono::duration<double>(Clock::now() - stopping).count();
  sending = false;
  pace.join();
  EXPECT_LT(seconds, 4.0);  // the body alone would take 100 s
}

// curl -X POST without -d sends no Content-Length: httplib answers 400; the answer says what is missing.
TEST_F(ConnectionLimitsTest, APostWithoutALengthIsTold411) {
  start({});
  RawClient client(port_);
  ASSERT_TRUE(client.send("POST /api/v1/jobs/1/cancel HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
  const std::string answer = client.read_until_closed(5s);
  EXPECT_EQ(status_line(answer), "HTTP/1.1 411 Length Required");
  EXPECT_EQ(body_of(answer)["error"], "a POST must say its body's length (Content-Length), even for an empty body: curl -d ''");
}

}  // namespace
}  // namespace ksauth::server
