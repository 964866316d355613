#pragma once
// httplib's server with the limits its connection loop lacks (cpp-httplib 0.11, Debian 12). httplib serves
// each connection on one pool thread and reads a request for as long as a byte arrives every read timeout,
// and a chunked body without limit. So a few dozen clients sending one header line every 2 s held every
// thread (the server answered nobody), and one chunked upload grew it by gigabytes. Here each connection is
// read through a stream that enforces, per request:
//   - a deadline for the request line and headers (from the request's first byte),
//   - a pace for the body after them (a grace period, then at least a minimum rate),
//   - a size for the whole request, chunk framing included (the body limit httplib checks only for a
//     Content-Length),
// and a client address (other than loopback) may hold only so many connections at once. A request over a limit
// gets 408 or 413 (see refusal()) and its connection is closed.
#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace ksauth::server {

struct ConnectionLimits {
  std::chrono::milliseconds headers_time{10'000};  // first byte to the end of the headers
  std::chrono::milliseconds body_grace{10'000};    // after the headers, before the pace counts
  std::size_t body_bytes_per_second = 64 << 10;    // the least pace of a body after the grace period
  std::size_t max_request_bytes = (64u << 20) + (64u << 10);  // headers, body (64 MiB) and chunk framing
  std::size_t max_connections_per_client = 32;     // open at once from one address
  bool count_loopback_clients = false;             // loopback clients (this machine, a reverse proxy) are not
};

// Why the stream stopped reading the request being served on this thread, if it did: the status and message
// the error handler answers with.
struct StreamRefusal {
  int status = 0;
  std::string message;
};

class GuardedHttpServer : public httplib::Server {
 public:
  explicit GuardedHttpServer(ConnectionLimits limits = {});

  // The refusal of the request being served on the calling thread (for the error handler).
  static std::optional<StreamRefusal> refusal();

 private:
  // httplib calls this on a pool thread for each accepted connection; it is private there, and so here.
  bool process_and_close_socket(socket_t sock) override;

  ConnectionLimits limits_;
  std::mutex clients_mutex_;
  std::map<std::string, std::size_t> connections_of_;  // open connections per client address
};

}  // namespace ksauth::server
