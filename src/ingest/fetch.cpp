#include "ingest/fetch.hpp"

#include <httplib.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/error.hpp"
#include "ingest/url.hpp"

namespace ksauth::ingest {
namespace {

constexpr std::chrono::seconds kConnectTimeout{10};
constexpr std::chrono::seconds kReadTimeout{30};  // the longest wait for the next bytes of an answer

// "256 MiB", or the bytes when not a whole number of MiB.
std::string size_text(std::size_t bytes) {
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  if (bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MiB";
  return std::to_string(bytes) + " bytes";
}

std::string too_large(std::string_view what, std::size_t limit) {
  return std::string(what) + " is larger than the " + size_text(limit) + " limit";
}

std::string too_long(std::chrono::seconds limit) {
  return "the load took longer than its " + std::to_string(limit.count()) + "-second limit";
}

// ---- files ----

// A local file opened for reading, with its size; closed with the object.
class OpenFile {
 public:
  OpenFile(int fd, std::size_t size) : fd_(fd), size_(size) {}
  ~OpenFile() { ::close(fd_); }
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  int fd() const { return fd_; }
  std::size_t size() const { return size_; }

 private:
  int fd_;
  std::size_t size_;
};

// Only a regular file of at most `limit` bytes is data.
std::unique_ptr<OpenFile> open_local_file(const std::string& path, const std::string& url, std::size_t limit) {
  if (path.empty()) fail_on(ErrorKind::invalid_input, url, "empty file path");
  if (path.find('\0') != std::string::npos)
    fail_on(ErrorKind::invalid_input, url, "the path contains a NUL byte");
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) fail_on(ErrorKind::not_found, url, "no such file");
    fail_on(ErrorKind::io, url, std::generic_category().message(err));
  }
  if (S_ISDIR(st.st_mode)) fail_on(ErrorKind::io, url, "is a directory, not a file");
  // A device or a pipe could be endless or block forever: only regular files are data.
  if (!S_ISREG(st.st_mode)) fail_on(ErrorKind::io, url, "is not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > limit) fail_on(ErrorKind::io, url, too_large("the file", limit));

  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) fail_on(ErrorKind::not_found, url, "no such file");
    fail_on(ErrorKind::io, url, std::generic_category().message(err));
  }
  return std::make_unique<OpenFile>(fd, static_cast<std::size_t>(st.st_size));
}

// Into `data`, reusing its memory: a reader of page after page neither allocates nor zeroes a new buffer
// for each (fresh memory costs a page fault per 4 KiB). Read straight into the string, with room after it
// for the padding simdjson reads past the end of a document, so that the parser need not copy the page.
void read_open_file(const OpenFile& file, const std::string& url, std::size_t limit, std::string& data) {
  const std::size_t expected = file.size();
  if (data.capacity() < expected + kPagePadding) data.reserve(expected + kPagePadding);
  if (data.size() < expected + 1) data.resize(expected + 1);  // one byte more, to see the end of the file
  std::size_t size = 0;
  while (true) {
    if (size == data.size()) {  // the file grew since stat
      if (size > limit) fail_on(ErrorKind::io, url, too_large("the file", limit));
      data.resize(std::min(limit + 1, 2 * data.size()));
    }
    const ssize_t n = ::read(file.fd(), data.data() + size, data.size() - size);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_on(ErrorKind::io, url, "read error: " + std::generic_category().message(errno));
    }
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
    if (size > limit) fail_on(ErrorKind::io, url, too_large("the file", limit));
  }
  data.resize(size);
}

// ---- HTTP ----

const char* status_reason(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

std::string describe(httplib::Error err) {
  const char* what = "request failed";
  switch (err) {
    case httplib::Error::Connection: what = "could not connect"; break;
    case httplib::Error::ConnectionTimeout: what = "connection timed out"; break;
    case httplib::Error::BindIPAddress: what = "could not bind the local address"; break;
    case httplib::Error::Read: what = "could not read the response (closed or timed out)"; break;
    case httplib::Error::Write: what = "could not send the request"; break;
    case httplib::Error::ExceedRedirectCount: what = "too many redirects"; break;
    case httplib::Error::Canceled: what = "request cancelled"; break;
    case httplib::Error::SSLConnection: what = "TLS connection failed"; break;
    case httplib::Error::SSLLoadingCerts: what = "could not load CA certificates"; break;
    case httplib::Error::SSLServerVerification: what = "server certificate verification failed"; break;
    case httplib::Error::Compression: what = "could not decompress the response"; break;
    default: break;
  }
  return std::string(what) + " (" + httplib::to_string(err) + ")";
}

// The address to connect to: the host's first address the policy allows. Resolved here, and the connection
// made to exactly this address, so that a name cannot resolve to an allowed address for the check and to
// another one for the connection.
std::string checked_address(const SourcePolicy& policy, const HttpTarget& t, const std::string& url) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(t.host.c_str(), nullptr, &hints, &found);
  if (rc != 0) fail_on(ErrorKind::io, url, "could not resolve the host " + t.host + " (" + ::gai_strerror(rc) + ")");
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, &::freeaddrinfo);
  std::string refusal;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw = a->ai_family == AF_INET
                          ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(a->ai_addr)->sin_addr)
                          : static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(a->ai_addr)->sin6_addr);
    if ((a->ai_family != AF_INET && a->ai_family != AF_INET6) || !::inet_ntop(a->ai_family, raw, text, sizeof text))
      continue;
    const HostCheck check = check_host(policy, t.host, t.port, text);
    if (check.allowed) return text;
    if (refusal.empty()) refusal = check.reason;
  }
  if (refusal.empty()) fail_on(ErrorKind::io, url, "the host " + t.host + " has no IPv4 or IPv6 address");
  fail_on(ErrorKind::forbidden, url, refusal);
}

}  // namespace

Fetcher::Fetcher(SourcePolicy policy)
    : policy_(std::move(policy)), deadline_(std::chrono::steady_clock::now() + policy_.max_seconds) {
  check_policy(policy_);
}

std::string Fetcher::fetch(const std::string& url) const {
  std::string out;
  fetch_into(url, out);
  return out;
}

void Fetcher::fetch_into(const std::string& url, std::string& out) const {
  if (std::chrono::steady_clock::now() > deadline_)
    fail_on(ErrorKind::io, url, "not fetched: " + too_long(policy_.max_seconds));
  check_source_url(policy_, url);
  if (const auto path = local_path(url)) {
    const auto file = open_local_file(*path, url, policy_.max_page_bytes);
    return read_open_file(*file, url, policy_.max_page_bytes, out);
  }
  out = fetch_http(url);
}

std::string Fetcher::fetch_http(const std::string& first_url) const {
  std::string url = first_url;
  // Failures after a redirect name both URLs.
  const auto where = [&] { return url == first_url ? url : first_url + ": redirected to " + url; };
  for (int redirects = 0;; ++redirects) {
    const HttpTarget t = parse_http_url(url);
    const std::string address = checked_address(policy_, t, where());
    std::unique_ptr<httplib::ClientImpl> client;
    if (t.scheme == "https")
      client = std::make_unique<httplib::SSLClient>(t.host, t.port);
    else
      client = std::make_unique<httplib::ClientImpl>(t.host, t.port);
    client->set_hostname_addr_map({{t.host, address}});
    const auto now = std::chrono::steady_clock::now();
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(deadline_ - now) + std::chrono::seconds(1);
    client->set_connection_timeout(std::min(kConnectTimeout, left));
    client->set_read_timeout(std::min(kReadTimeout, left));
    client->set_write_timeout(std::min(kReadTimeout, left));
    client->set_follow_location(false);  // followed below, each target checked like the first
    client->set_url_encode(false);       // encoded by parse_http_url

    const std::size_t limit = policy_.max_page_bytes;
    std::string body;
    bool over_size = false;
    bool over_time = false;
    std::optional<std::string> location;
    int error_status = 0;  // a final response that is not 2xx: its body is not read
    std::string error_reason;
    auto on_response = [&](const httplib::Response& res) {
      if (res.status >= 300 && res.status < 400 && res.status != 304 && res.has_header("Location")) {
        location = res.get_header_value("Location");
        return false;
      }
      if (res.status < 200 || res.status >= 300) {
        error_status = res.status;
        error_reason = res.reason;
        return false;
      }
      if (res.has_header("Content-Length")) {
        const std::string& length = res.get_header_value("Content-Length");
        if (length.size() > 18 || std::strtoull(length.c_str(), nullptr, 10) > limit) {
          over_size = true;
          return false;
        }
      }
      return true;
    };
    auto on_content = [&](const char* data, std::size_t n) {
      if (body.size() + n > limit) {
        over_size = true;
        return false;
      }
      if (std::chrono::steady_clock::now() > deadline_) {
        over_time = true;
        return false;
      }
      body.append(data, n);
      return true;
    };
    const httplib::Result res = client->Get(t.target, httplib::Headers{}, on_response, on_content);
    if (over_size) fail_on(ErrorKind::io, where(), too_large("the response", limit));
    if (over_time) fail_on(ErrorKind::io, where(), too_long(policy_.max_seconds));
    if (location) {
      if (redirects >= policy_.max_redirects)
        fail_on(ErrorKind::io, first_url, "more than " + std::to_string(policy_.max_redirects) + " redirects");
      const std::string next = resolve_url(url, *location);
      if (!is_remote(next))
        fail_on(ErrorKind::forbidden, where(), "redirected to " + next + ", which is not an http(s) URL");
      url = next;
      continue;
    }
    if (error_status != 0) {
      const std::string reason = error_reason.empty() ? status_reason(error_status) : error_reason;
      const std::string message = "HTTP " + std::to_string(error_status) + (reason.empty() ? "" : " " + reason);
      fail_on(error_status == 404 || error_status == 410 ? ErrorKind::not_found : ErrorKind::io, where(), message);
    }
    if (!res) {
      // A read that stopped at the time limit (not at our callback) is the limit's doing too.
      if (std::chrono::steady_clock::now() > deadline_) fail_on(ErrorKind::io, where(), too_long(policy_.max_seconds));
      fail_on(ErrorKind::io, where(), describe(res.error()));
    }
    if (res->status < 200 || res->status >= 300)  // a redirect without a Location
      fail_on(ErrorKind::io, where(), "HTTP " + std::to_string(res->status) + " " + res->reason);
    return body;
  }
}

void check_source_url(const SourcePolicy& policy, const std::string& url) {
  if (local_path(url) && !policy.allow_files)
    fail_on(ErrorKind::forbidden, url,
         "files of this machine are not loaded here; give an http:// or https:// URL" +
             (policy.refusal_hint.empty() ? std::string() : " (" + policy.refusal_hint + ")"));
  if (is_remote(url)) parse_http_url(url);
}

std::string fetch(const std::string& url) { return Fetcher().fetch(url); }

std::string page_identity(const std::string& url) {
  if (is_remote(url)) return normalize(url);
  const std::size_t sl = scheme_length(url);
  std::string path = url;
  if (sl > 0) {
    if (lower(std::string_view(url).substr(0, sl)) != "file") return url;
    path = percent_decode(split_url(url, sl).path);
  }
  // A local file is its device and inode: every spelling of its path, symbolic and hard links included, is
  // the same page (one stat, where resolving the path would read every link on the way).
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0)
    return "inode:" + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  return normalize(url);  // not there: the fetch says so
}

}  // namespace ksauth::ingest
