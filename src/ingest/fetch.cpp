#include "ingest/fetch.hpp"

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
#include "core/text.hpp"
#include "ingest/http_get.hpp"
#include "ingest/url.hpp"

namespace ksauth::ingest {
namespace {

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
  if (static_cast<std::uint64_t>(st.st_size) > limit) fail_on(ErrorKind::io, url, over_size_limit("the file is", limit));

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
      if (size > limit) fail_on(ErrorKind::io, url, over_size_limit("the file is", limit));
      data.resize(std::min(limit + 1, 2 * data.size()));
    }
    const ssize_t n = ::read(file.fd(), data.data() + size, data.size() - size);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_on(ErrorKind::io, url, "read error: " + std::generic_category().message(errno));
    }
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
    if (size > limit) fail_on(ErrorKind::io, url, over_size_limit("the file is", limit));
  }
  data.resize(size);
}

// Error(forbidden) when the policy allows none of the host's addresses; nothing when the host cannot be
// resolved (the fetch, if any, says so).
void check_host_addresses(const SourcePolicy& policy, const HttpTarget& t, const std::string& url) {
  if (policy.allowed_hosts.empty() && policy.allow_private_addresses) return;  // every address is allowed
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(t.host.c_str(), nullptr, &hints, &found) != 0) return;
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
    if (check.allowed) return;
    if (refusal.empty()) refusal = check.reason;
  }
  if (!refusal.empty()) fail_on(ErrorKind::forbidden, url, refusal);
}

}  // namespace

Fetcher::Fetcher(SourcePolicy policy, const Progress* progress)
    : policy_(std::move(policy)), progress_(progress), deadline_(std::chrono::steady_clock::now() + policy_.max_seconds) {
  check_policy(policy_);
}

std::string Fetcher::fetch(const std::string& url) const {
  std::string out;
  fetch_into(url, out);
  return out;
}

void Fetcher::fetch_into(const std::string& url, std::string& out) const {
  if (std::chrono::steady_clock::now() > deadline_)
    fail_on(ErrorKind::io, url, "not fetched: " + over_time_limit(policy_));
  check_source_url(policy_, url);
  if (const auto path = local_path(url)) {
    const auto file = open_local_file(*path, url, policy_.max_page_bytes);
    return read_open_file(*file, url, policy_.max_page_bytes, out);
  }
  out = fetch_http(url);
}

std::string Fetcher::fetch_http(const std::string& url) const { return http_get(url, policy_, deadline_, progress_); }

void check_source_url(const SourcePolicy& policy, const std::string& url) {
  // A control character (a NUL, a newline) has no place in a URL, and would cut or split the messages naming it.
  if (has_control(url)) fail_on(ErrorKind::invalid_input, printable(url, 200), "the URL contains a control character");
  if (local_path(url) && !policy.allow_files)
    fail_on(ErrorKind::forbidden, url,
         "files of this machine are not loaded here; give an http:// or https:// URL" +
             (policy.file_hint.empty() ? std::string() : " (" + policy.file_hint + ")"));
  if (is_remote(url)) parse_http_url(url);
}

void check_source(const SourcePolicy& policy, const std::string& url) {
  check_source_url(policy, url);
  if (is_remote(url)) check_host_addresses(policy, parse_http_url(url), url);
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
