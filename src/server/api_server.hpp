#pragma once
// The ksauth web server: the JSON API under /api/v1/ (docs/api.md), the web pages at "/", and Debian's
// Bootstrap 5 and Chart.js under /vendor/. Owns the training job manager.
#include <httplib.h>

#include <string>

#include "app/jobs.hpp"
#include "app/model_cache.hpp"
#include "ingest/source_policy.hpp"
#include "server/guarded_http_server.hpp"

namespace ksauth::server {

struct ServerOptions {
  std::string db_path = "ksauth.db";
  std::string web_dir;  // empty: the web/ folder of the source tree
  std::string bootstrap_dir = "/usr/share/javascript/bootstrap5";
  std::string chart_js_dir = "/usr/share/javascript/chart.js";
  // What API clients may name as sources (ingest/source_policy.hpp). By default neither files of this machine
  // nor private or loopback addresses: whoever reaches the API must not make the server read its files or
  // reach into its network.
  ingest::SourcePolicy sources = ingest::untrusted_sources();
  // Asked of every request that changes something, as "Authorization: Bearer TOKEN" (and of predictions and
  // verifications when token_for_predictions). Empty: none asked, which bind() allows on loopback only.
  std::string api_token;
  bool token_for_predictions = false;
  // What one request and one client may take of the server (server/guarded_http_server.hpp).
  ConnectionLimits connections;
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

  // Binds host:port (port 0: any free port) and returns the port; Error(io) when it cannot, Error(invalid_input)
  // for an address beyond loopback without an API token.
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
  GuardedHttpServer http_;  // httplib with limits per request and per client
  bool serves_web_ = false;
  int listening_socket_ = -1;  // seen by the socket options callback, for the listen backlog
  bool on_loopback_ = true;    // set by bind(), for the browser rule (server/access.hpp)
};

}  // namespace ksauth::server
