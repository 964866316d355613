#include "support/loopback_server.hpp"

#include <httplib.h>

#include <chrono>
#include <stdexcept>

namespace ksauth::testing {

LoopbackServer::LoopbackServer(const std::string& root) : server_(std::make_unique<httplib::Server>()) {
  if (!server_->set_mount_point("/", root)) throw std::runtime_error("cannot serve " + root);
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("cannot bind a loopback port");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  for (int waited = 0; !server_->is_running(); ++waited) {
    if (waited == 5000) throw std::runtime_error("the loopback server did not start");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

LoopbackServer::~LoopbackServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string LoopbackServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/" + path;
}

}  // namespace ksauth::testing
