#include "server/guarded_http_server.hpp"

#include <malloc.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>

#include <nlohmann/json.hpp>

#include "server/access.hpp"

namespace ksauth::server {
namespace {

using Clock = std::chrono::steady_clock;

thread_local std::optional<StreamRefusal> current_refusal;

// After a request this large or this long, freed memory is handed back to the system (trim_when_asked): a few
// large bodies, or predictions over large test files, on many threads otherwise left the server holding
// gigabytes.
constexpr std::size_t kTrimAfterBytes = std::size_t{4} << 20;
constexpr auto kTrimAfterTime = std::chrono::milliseconds(100);

// Answers after which a connection is closed: its request was malformed or cut off, so what follows it on the
// connection cannot be trusted to be the next request.
bool ends_connection(int status) {
  return status == 400 || status == 408 || status == 411 || status == 413 || status == 414 || status == 431;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Bad Request";
  }
}

// An answer written straight to the socket, where httplib writes none (a refused connection, a request line
// that never ended).
void send_raw(socket_t sock, int status, const std::string& message) {
  const std::string body = nlohmann::json({{"error", message}}).dump();
  const std::string answer = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) +
                             "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                             "\r\nConnection: close\r\n\r\n" + body;
  (void)::send(sock, answer.data(), answer.size(), MSG_NOSIGNAL);
}

std::string address_of(socket_t sock, bool peer, int* port = nullptr) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  const int rc = peer ? ::getpeername(sock, reinterpret_cast<sockaddr*>(&addr), &len)
                      : ::getsockname(sock, reinterpret_cast<sockaddr*>(&addr), &len);
  if (rc != 0) return {};
  char host[NI_MAXHOST] = {};
  char service[NI_MAXSERV] = {};
  if (::getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof host, service, sizeof service,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
    return {};
  if (port) *port = std::atoi(service);
  return host;
}

// poll() for one event, retried on EINTR: > 0 ready, 0 timed out, < 0 error.
int wait_for(socket_t sock, short event, std::chrono::milliseconds timeout) {
  pollfd p{sock, event, 0};
  const auto until = Clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    const int rc = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, left.count())));
    if (rc < 0 && errno == EINTR) continue;
    return rc;
  }
}

// "10 s", "0.5 s".
std::string seconds_text(std::chrono::milliseconds ms) {
  const auto n = ms.count();
  return std::to_string(n / 1000) + (n % 1000 == 0 ? "" : "." + std::to_string(n % 1000 / 100)) + " s";
}

std::chrono::milliseconds to_ms(time_t sec, time_t usec) { return std::chrono::milliseconds(sec * 1000 + usec / 1000); }

// A connection's socket, read through a buffer and held to the ConnectionLimits request by request.
class GuardedStream : public httplib::Stream {
 public:
  GuardedStream(socket_t sock, const ConnectionLimits& limits, std::chrono::milliseconds read_timeout,
                std::chrono::milliseconds write_timeout, std::function<bool()> running)
      : sock_(sock),
        limits_(limits),
        read_timeout_(read_timeout),
        write_timeout_(write_timeout),
        running_(std::move(running)) {}

  // Waits for the next request of a kept-alive connection: false after `idle` without one, when the server
  // stops (`running` turns false), or when the connection ends.
  bool wait_for_request(std::chrono::milliseconds idle) {
    if (begin_ < end_) return true;
    const auto until = Clock::now() + idle;
    while (running_()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      if (left.count() <= 0) return false;
      const int rc = wait_for(sock_, POLLIN, std::min(left, std::chrono::milliseconds(100)));
      if (rc != 0) return rc > 0;
    }
    return false;
  }

  // The clock of a request starts at its first byte (here: when wait_for_request saw it).
  void begin_request() {
    started_ = Clock::now();
    request_bytes_ = 0;
    body_bytes_ = 0;
    headers_done_ = false;
    header_end_match_ = 0;
    status_ = 0;
    current_refusal.reset();
  }
  bool refused() const { return current_refusal.has_value(); }
  std::size_t request_bytes() const { return request_bytes_; }
  int status() const { return status_; }  // of the answer written to the request, 0 before one

  bool is_readable() const override { return begin_ < end_ || wait_for(sock_, POLLIN, read_timeout_) > 0; }
  bool is_writable() const override { return wait_for(sock_, POLLOUT, write_timeout_) > 0; }

  ssize_t read(char* ptr, size_t size) override {
    if (refused()) return -1;
    if (begin_ == end_ && !fill()) return -1;
    const std::size_t n = std::min(size, end_ - begin_);
    std::memcpy(ptr, buffer_ + begin_, n);
    begin_ += n;
    if (!account(ptr, n)) return -1;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    // httplib writes an answer's status line and headers in one piece: the first one of the request is read.
    const std::string_view bytes(ptr, size);
    if (status_ == 0 && bytes.starts_with("HTTP/1.1 ") && bytes.size() >= 12)
      status_ = std::atoi(std::string(bytes.substr(9, 3)).c_str());
    if (!is_writable()) return -1;
    for (;;) {
      const ssize_t n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      return n;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { ip = address_of(sock_, true, &port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { ip = address_of(sock_, false, &port); }
  socket_t socket() const override { return sock_; }

 private:
  void refuse(int status, std::string message) { current_refusal = StreamRefusal{status, std::move(message)}; }

  // When the bytes of this request must have arrived by: the headers within headers_time of the first byte;
  // then the body at body_bytes_per_second after a grace period.
  Clock::time_point deadline() const {
    if (!headers_done_) return started_ + limits_.headers_time;
    const auto paced = std::chrono::milliseconds(body_bytes_ * 1000 / std::max<std::size_t>(1, limits_.body_bytes_per_second));
    return body_started_ + limits_.body_grace + paced;
  }

  // Reads more into the buffer: false when the connection ends, httplib's read timeout passes (as httplib's
  // own stream would), or the request's deadline passes (a refusal).
  bool fill() {
    const auto until = deadline();
    const auto read_until = Clock::now() + read_timeout_;
    for (;;) {
      const auto now = Clock::now();
      if (now >= until) {
        refuse(408, headers_done_ ? "the request body arrived too slowly (at least " +
                                        std::to_string(limits_.body_bytes_per_second >> 10) + " KiB/s after " +
                                        seconds_text(limits_.body_grace) + ")"
                                  : "the request's headers took longer than " + seconds_text(limits_.headers_time));
        return false;
      }
      if (now >= read_until || !running_()) return false;  // httplib's read timeout; the server stopping
      const auto wait = std::chrono::ceil<std::chrono::milliseconds>(std::min(until, read_until) - now);
      const int rc = wait_for(sock_, POLLIN, std::min(wait, std::chrono::milliseconds(100)));
      if (rc < 0) return false;
      if (rc > 0) break;
    }
    for (;;) {
      const ssize_t n = ::recv(sock_, buffer_, sizeof buffer_, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      begin_ = 0;
      end_ = static_cast<std::size_t>(n);
      return true;
    }
  }

  // Counts the bytes httplib has taken, finds where the headers end ("\r\n\r\n") and holds the size limit.
  bool account(const char* data, std::size_t n) {
    request_bytes_ += n;
    if (request_bytes_ > limits_.max_request_bytes) {
      refuse(413, "the request is larger than " + std::to_string(limits_.max_request_bytes >> 20) +
                      " MiB (a chunked body included)");
      return false;
    }
    if (headers_done_) {
      body_bytes_ += n;
      return true;
    }
    if (request_bytes_ > limits_.max_header_bytes) {  // before httplib keeps them: each line costs it ~24x
      refuse(431, "the request's line and headers are larger than " + std::to_string(limits_.max_header_bytes >> 10) +
                      " KiB");
      return false;
    }
    for (std::size_t i = 0; i < n; ++i) {
      const char c = data[i];
      if (c == '\r') {
        header_end_match_ = header_end_match_ == 2 ? 3 : 1;
      } else if (c == '\n' && (header_end_match_ == 1 || header_end_match_ == 3)) {
        ++header_end_match_;
      } else {
        header_end_match_ = 0;
      }
      if (header_end_match_ == 4) {
        headers_done_ = true;
        body_started_ = Clock::now();
        body_bytes_ = n - i - 1;
        break;
      }
    }
    return true;
  }

  socket_t sock_;
  const ConnectionLimits& limits_;
  std::chrono::milliseconds read_timeout_, write_timeout_;
  std::function<bool()> running_;
  int status_ = 0;
  char buffer_[16 << 10];
  std::size_t begin_ = 0, end_ = 0;  // the unread bytes of buffer_

  Clock::time_point started_, body_started_;
  std::size_t request_bytes_ = 0, body_bytes_ = 0;
  bool headers_done_ = false;
  int header_end_match_ = 0;  // how much of "\r\n\r\n" the last bytes were
};

}  // namespace

GuardedHttpServer::GuardedHttpServer(ConnectionLimits limits)
    : limits_(limits), trimmer_([this] { trim_when_asked(); }) {}

GuardedHttpServer::~GuardedHttpServer() {
  {
    std::lock_guard lock(trim_mutex_);
    stopping_ = true;
  }
  trim_wake_.notify_all();
  trimmer_.join();
}

void GuardedHttpServer::trim_when_asked() {
  std::unique_lock lock(trim_mutex_);
  while (!stopping_) {
    trim_wake_.wait_for(lock, std::chrono::seconds(1));
    if (trim_wanted_.exchange(false)) ::malloc_trim(0);
  }
}

std::optional<StreamRefusal> GuardedHttpServer::refusal() { return current_refusal; }

bool GuardedHttpServer::process_and_close_socket(socket_t sock) {
  const std::string client = address_of(sock, true);
  const bool counted = limits_.count_loopback_clients || !is_loopback_host(client);
  bool admitted = true;
  if (counted) {
    std::lock_guard lock(clients_mutex_);
    std::size_t& open = connections_of_[client];
    if (open >= limits_.max_connections_per_client) {
      admitted = false;
    } else {
      ++open;
    }
  }
  bool ret = false;
  if (!admitted) {
    send_raw(sock, 503, "too many connections from this address at once");
  } else {
    const auto running = [this] { return svr_sock_ != INVALID_SOCKET; };
    GuardedStream stream(sock, limits_, to_ms(read_timeout_sec_, read_timeout_usec_),
                         to_ms(write_timeout_sec_, write_timeout_usec_), running);
    for (std::size_t count = keep_alive_max_count_; count > 0 && running(); --count) {
      if (!stream.wait_for_request(std::chrono::seconds(keep_alive_timeout_sec_))) break;
      stream.begin_request();
      const auto started = Clock::now();
      bool connection_closed = false;
      ret = process_request(stream, count == 1, connection_closed, nullptr);
      if (stream.request_bytes() > kTrimAfterBytes || Clock::now() - started > kTrimAfterTime) trim_wanted_ = true;
      // A request cut off before httplib could answer (its request line never ended): answered here.
      if (const auto refusal = GuardedHttpServer::refusal(); refusal && stream.status() == 0)
        send_raw(sock, refusal->status, refusal->message);
      if (!ret || connection_closed || stream.refused() || ends_connection(stream.status())) break;
    }
    current_refusal.reset();
  }
  if (counted && admitted) {
    std::lock_guard lock(clients_mutex_);
    if (--connections_of_[client] == 0) connections_of_.erase(client);
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ret;
}

}  // namespace ksauth::server
