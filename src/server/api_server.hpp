#pragma once
// The ksauth web server: the JSON API under /api/v1/ (docs/api.md), the web pages at "/", and Debian's
// Bootstrap 5 and Chart.js under /vendor/. Owns the training job manager.
#include <httplib.h>

#include <string>

#include "app/jobs.hpp"
#include "app/model_cache.hpp"

namespace ksauth::server {

struct ServerOptions {
  std::string db_path = "ksauth.db";
  std::string web_dir;  // empty: the web/ folder of the source tree
  std::string bootstrap_dir = "/usr/share/javascript/bootstrap5";
  std::string chart_js_dir = "/usr/share/javascript/chart.js";
  // Whether API clients may name files of this machine (paths, file://) as sources. Off: http(s) only, so
  // that whoever reaches the API cannot make the server read its files.
  bool allow_local_sources = false;
};

// The web/ folder of the source tree this ksauth was built from.
std::string default_web_dir();

class ApiServer {
 public:
  // Opens the database once, through the model cache (Error(io) / Error(corrupt) now rather than on the first
  // request).
  explicit ApiServer(ServerOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds host:port (port 0: any free port) and returns the port; Error(io) when it cannot.
  int bind(const std::string& host, int port);
  // Serves until stop(); call after bind.
  void listen();
  // Cancels the training jobs and stops listening; safe from any thread.
  void stop();
  bool is_running() const { return http_.is_running(); }
  // Whether the web pages folder was found and is served at "/".
  bool serves_web() const { return serves_web_; }

 private:
  ServerOptions options_;
  app::JobManager jobs_;
  app::ModelCache models_;  // models open for prediction, shared by the request threads
  httplib::Server http_;
  bool serves_web_ = false;
  int listening_socket_ = -1;  // seen by the socket options callback, for the listen backlog
};

}  // namespace ksauth::server
