#pragma once
// `ksauth serve`: the web server in the foreground until SIGINT or SIGTERM.
#include <string>

namespace ksauth::server {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8000;
  std::string db_path = "ksauth.db";
  std::string web_dir;  // empty: the web/ folder of the source tree
  bool allow_local_sources = false;
};

// Prints "ksauth serving http://HOST:PORT/ (database PATH)" once listening; on SIGINT/SIGTERM cancels the
// running jobs and returns 0. Throws Error(io) when the address cannot be bound.
int serve(const ServeOptions& options);

}  // namespace ksauth::server
