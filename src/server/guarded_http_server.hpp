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
// gets 408, 413 or 431 (see refusal()), and a connection is closed after any answer that says its request was
// malformed or cut off (400, 408, 411, 413, 414, 431): what follows on it cannot be trusted to be a request.
// Reading stops when the server stops, and freed memory is handed back to the system after heavy requests.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace ksauth::server {

inline constexpr std::size_t kMaxBodyBytes = 64u << 20;  // 64 MiB: httplib's limit for a Content-Length, and ours

struct ConnectionLimits {
  std::chrono::milliseconds headers_time{10'000};  // first byte to the end of the headers
  std::chrono::milliseconds body_grace{10'000};    // after the headers, before the pace counts
  std::size_t body_bytes_per_second = 64 << 10;    // the least pace of a body after the grace period
  std::size_t max_header_bytes = 64 << 10;         // the request line and headers (431 beyond)
  std::size_t max_request_bytes = kMaxBodyBytes + max_header_bytes;  // headers, body and chunk framing
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
  ~GuardedHttpServer() override;
  GuardedHttpServer(const GuardedHttpServer&) = delete;
  GuardedHttpServer& operator=(const GuardedHttpServer&) = delete;

  // The refusal of the request being served on the calling thread (for the error handler).
  static std::optional<StreamRefusal> refusal();

 private:
  // httplib calls this on a pool thread for each accepted connection; it is private there, and so here.
  bool process_and_close_socket(socket_t sock) override;

  // Hands freed memory back to the system (malloc_trim) at most once a second, when a heavy request asked:
  // each request thread allocates from one of glibc's arenas, which keep what they once held.
  void trim_when_asked();

  ConnectionLimits limits_;
  std::mutex clients_mutex_;
  std::map<std::string, std::size_t> connections_of_;  // open connections per client address
  std::atomic<bool> trim_wanted_{false};
  std::mutex trim_mutex_;
  std::condition_variable trim_wake_;
  bool stopping_ = false;
  std::thread trimmer_;
};

}  // namespace ksauth::server
