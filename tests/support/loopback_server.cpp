#include "support/loopback_server.hpp"

#include <chrono>
#include <stdexcept>

namespace ksauth::testing {

LoopbackServer::LoopbackServer(const std::function<void(httplib::Server&)>& setup) {
  setup(server_);
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("cannot bind a loopback port");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_.is_running()) {
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("the loopback server did not start");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

LoopbackServer::LoopbackServer(const std::string& root)
    : LoopbackServer([&root](httplib::Server& s) {
        if (!s.set_mount_point("/", root)) throw std::runtime_error("cannot serve " + root);
      }) {}

LoopbackServer::~LoopbackServer() {
  server_.stop();
  thread_.join();
}

std::string LoopbackServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + (path.starts_with('/') ? "" : "/") + path;
}

}  // namespace ksauth::testing
