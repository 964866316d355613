#pragma once
// `ksauth serve`: the web server in the foreground until SIGINT or SIGTERM.
#include <string>

#include "ingest/source_policy.hpp"

namespace ksauth::server {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8000;
  std::string db_path = "ksauth.db";
  std::string web_dir;  // empty: the web/ folder of the source tree
  ingest::SourcePolicy sources = ingest::untrusted_sources();  // as ServerOptions
  std::string api_token;                                        // as ServerOptions
  bool token_for_predictions = false;
};

// Prints "ksauth serving http://HOST:PORT/ (database PATH)" once listening; on SIGINT/SIGTERM cancels the
// running jobs and returns 0. Throws Error(io) when the address cannot be bound.
int serve(const ServeOptions& options);

}  // namespace ksauth::server
