#pragma once
// httplib::Server on 127.0.0.1 and a free port, listening in its own thread until destroyed: tests
// fetch over real HTTP, the way ingest follows `next` links in production.
#include <httplib.h>

#include <functional>
#include <string>
#include <thread>

namespace ksauth::testing {

class LoopbackServer {
 public:
  // `setup` adds mount points and handlers before the server starts.
  explicit LoopbackServer(const std::function<void(httplib::Server&)>& setup);
  // Serves the files under `root` at "/".
  explicit LoopbackServer(const std::string& root);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:PORT" + path ("/" added in front when missing).
  std::string url(const std::string& path) const;

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace ksauth::testing
