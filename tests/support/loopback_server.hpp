#pragma once
// A static file server on 127.0.0.1 (a free port) for tests: serves a folder over real HTTP so that
// ingest follows `next` links the way it does in production. Stops when destroyed.
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace ksauth::testing {

class LoopbackServer {
 public:
  explicit LoopbackServer(const std::string& root);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  // "http://127.0.0.1:PORT/" + path (path relative to the root, no leading slash).
  std::string url(const std::string& path) const;

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace ksauth::testing
