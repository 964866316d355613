#include "ingest/http_get.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string_view>

#include "core/error.hpp"
#include "core/text.hpp"
#include "ingest/url.hpp"

namespace ksauth::ingest {
namespace {

constexpr long kConnectTimeoutMs = 10'000;
constexpr long kStallSeconds = 30;                              // no byte for this long: the server is gone
constexpr std::size_t kMaxHeaderBytes = std::size_t{64} << 10;  // every header line of one answer together

const char* status_reason(long status) {
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

bool header_is(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  return lower(line.substr(0, name.size())) == name;
}

std::string_view header_value(std::string_view line) {
  std::string_view v = line.substr(line.find(':') + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ' || v.back() == '\t'))
    v.remove_suffix(1);
  return v;
}

// One exchange: what the callbacks saw, and why they stopped it.
struct Exchange {
  const SourcePolicy* policy = nullptr;
  const Progress* progress = nullptr;  // asked whether to give up, when not null
  std::string host;  // as in the URL, for the policy's names
  int port = 0;
  std::chrono::steady_clock::time_point deadline;

  long status = 0;  // of the answer whose headers came last
  std::size_t header_bytes = 0;
  std::optional<std::string> location;
  std::string body;

  std::optional<std::string> refusal;  // an address the policy refused
  bool connected_allowed = false;      // some address was allowed (a failure after it is the network's)
  std::optional<std::string> stop;     // why a callback stopped the transfer (an Error(io) reason)
  bool error_status = false;           // a non-2xx answer: its body is not read
};

// Every socket libcurl opens for the exchange: only to an address the policy allows.
curl_socket_t open_checked_socket(void* clientp, curlsocktype purpose, curl_sockaddr* address) {
  auto& x = *static_cast<Exchange*>(clientp);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  char text[INET6_ADDRSTRLEN] = {};
  const void* raw = nullptr;
  if (address->family == AF_INET)
    raw = &reinterpret_cast<const sockaddr_in*>(&address->addr)->sin_addr;
  else if (address->family == AF_INET6)
    raw = &reinterpret_cast<const sockaddr_in6*>(&address->addr)->sin6_addr;
  if (raw == nullptr || ::inet_ntop(address->family, raw, text, sizeof text) == nullptr)
    return CURL_SOCKET_BAD;
  const HostCheck check = check_host(*x.policy, x.host, x.port, text);
  if (!check.allowed) {
    if (!x.refusal) x.refusal = check.reason;
    return CURL_SOCKET_BAD;
  }
  x.connected_allowed = true;
  return ::socket(address->family, address->socktype, address->protocol);
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* userdata) {
  auto& x = *static_cast<Exchange*>(userdata);
  const std::size_t n = size * count;
  const std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {  // a new answer (after a 100 Continue, say): its own headers
    x.header_bytes = 0;
    x.location.reset();
    const std::size_t space = line.find(' ');
    x.status = space == std::string_view::npos
                   ? 0
                   : std::strtol(std::string(line.substr(space + 1, 3)).c_str(), nullptr, 10);
  }
  x.header_bytes += n;
  if (x.header_bytes > kMaxHeaderBytes) {
    x.stop = over_size_limit("the response headers are", kMaxHeaderBytes);
    return 0;
  }
  if (header_is(line, "location")) x.location = std::string(header_value(line));
  if (header_is(line, "content-length") && x.status >= 200 && x.status < 300) {
    const std::string_view value = header_value(line);
    if (value.size() > 18 ||
        std::strtoull(std::string(value).c_str(), nullptr, 10) > x.policy->max_page_bytes) {
      x.stop = over_size_limit("the response is", x.policy->max_page_bytes);
      return 0;
    }
  }
  return n;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* userdata) {
  auto& x = *static_cast<Exchange*>(userdata);
  const std::size_t n = size * count;
  if (x.status < 200 || x.status >= 300) {  // an error's or a redirect's body: not wanted
    x.error_status = true;
    return 0;
  }
  if (x.body.size() + n > x.policy->max_page_bytes) {
    x.stop = over_size_limit("the response is", x.policy->max_page_bytes);
    return 0;
  }
  x.body.append(data, n);
  return n;
}

// libcurl asks often while bytes flow and about once a second when none do: non-zero gives up the exchange.
int on_transfer_info(void* clientp, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto& x = *static_cast<const Exchange*>(clientp);
  return x.progress != nullptr && x.progress->cancelled() ? 1 : 0;
}

std::string describe(CURLcode code, const char* detail) {
  const char* what = "request failed";
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST: what = "could not resolve the host"; break;
    case CURLE_COULDNT_CONNECT: what = "could not connect"; break;
    case CURLE_OPERATION_TIMEDOUT: what = "timed out"; break;
    case CURLE_SEND_ERROR: what = "could not send the request"; break;
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING: what = "could not read the response (closed or cut short)"; break;
    case CURLE_SSL_CONNECT_ERROR: what = "TLS connection failed"; break;
    case CURLE_PEER_FAILED_VERIFICATION: what = "server certificate verification failed"; break;
    case CURLE_SSL_CACERT_BADFILE: what = "could not load CA certificates"; break;
    case CURLE_BAD_CONTENT_ENCODING: what = "could not decompress the response"; break;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM: what = "the answer is not valid HTTP"; break;
    default: break;
  }
  const std::string text = detail && *detail ? detail : curl_easy_strerror(code);
  return std::string(what) + " (" + text + ")";
}

// libcurl's process-wide set-up, once, before the first handle (thread-safe: a function-local static).
void init_curl() {
  static const bool ready = [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw Error(ErrorKind::io, "could not initialize libcurl");
    return true;
  }();
  (void)ready;
}

// One GET of `url` (no redirect followed): the exchange as the callbacks left it, and libcurl's result.
CURLcode get_once(const HttpTarget& t, Exchange& x, char (&detail)[CURL_ERROR_SIZE]) {
  init_curl();
  const std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle(curl_easy_init(), &curl_easy_cleanup);
  if (!handle) throw Error(ErrorKind::io, "could not start an HTTP request (libcurl)");
  CURL* h = handle.get();
  // The URL as parsed here (host lower-cased, target encoded), so that libcurl goes where the policy looked.
  const bool v6 = t.host.find(':') != std::string::npos;
  const std::string url =
      t.scheme + "://" + (v6 ? "[" + t.host + "]" : t.host) + ":" + std::to_string(t.port) + t.target;
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(x.deadline - std::chrono::steady_clock::now());
  const long left_ms = std::max<long>(1, static_cast<long>(left.count()));
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_PROXY, "");  // never a proxy from the environment: the policy names the hosts
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // followed by http_get, each target checked
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING,
                   "");  // every encoding libcurl decodes; the limit counts decoded bytes
  curl_easy_setopt(h, CURLOPT_USERAGENT, "ksauth");
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, std::min(kConnectTimeoutMs, left_ms));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, left_ms);  // the whole exchange, headers included
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, kStallSeconds);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, &open_checked_socket);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &x);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
  if (x.progress != nullptr) {
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &on_transfer_info);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &x);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  }
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, detail);
  detail[0] = '\0';
  return curl_easy_perform(h);
}

}  // namespace

std::string http_get(const std::string& first_url, const SourcePolicy& policy,
                     std::chrono::steady_clock::time_point deadline, const Progress* progress) {
  std::string url = first_url;
  // Failures after a redirect name both URLs.
  const auto where = [&] { return url == first_url ? url : first_url + ": redirected to " + url; };
  for (int redirects = 0;; ++redirects) {
    if (progress != nullptr) progress->throw_if_cancelled();
    if (std::chrono::steady_clock::now() >= deadline)
      fail_on(ErrorKind::io, where(), over_time_limit(policy));
    const HttpTarget t = parse_http_url(url);
    Exchange x;
    x.policy = &policy;
    x.progress = progress;
    x.host = t.host;
    x.port = t.port;
    x.deadline = deadline;
    char detail[CURL_ERROR_SIZE];
    const CURLcode code = get_once(t, x, detail);
    if (code == CURLE_ABORTED_BY_CALLBACK && progress != nullptr) progress->throw_if_cancelled();

    if (x.stop) fail_on(ErrorKind::io, where(), *x.stop);
    if (x.refusal && !x.connected_allowed) fail_on(ErrorKind::forbidden, where(), *x.refusal);
    const bool finished_answer = code == CURLE_OK || (code == CURLE_WRITE_ERROR && x.error_status);
    if (!finished_answer) {
      const bool past_deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(50) >= deadline;
      if (code == CURLE_OPERATION_TIMEDOUT && past_deadline)
        fail_on(ErrorKind::io, where(), over_time_limit(policy));
      fail_on(ErrorKind::io, where(), describe(code, detail));
    }
    if (x.status >= 300 && x.status < 400 && x.status != 304 && x.location) {
      if (redirects >= policy.max_redirects)
        fail_on(ErrorKind::io, first_url, "more than " + std::to_string(policy.max_redirects) + " redirects");
      const std::string next = resolve_url(url, *x.location);
      if (!is_remote(next))
        fail_on(ErrorKind::forbidden, where(), "redirected to " + next + ", which is not an http(s) URL");
      try {
        parse_http_url(next);
      } catch (const Error& e) {  // the server's Location is at fault, not the user's URL
        fail_on(ErrorKind::io, where(), std::string("redirected to a malformed URL: ") + e.what());
      }
      url = next;
      continue;
    }
    if (x.status < 200 || x.status >= 300) {
      const std::string reason = status_reason(x.status);
      const std::string message = "HTTP " + std::to_string(x.status) + (reason.empty() ? "" : " " + reason);
      fail_on(x.status == 404 || x.status == 410 ? ErrorKind::not_found : ErrorKind::io, where(), message);
    }
    return std::move(x.body);
  }
}

}  // namespace ksauth::ingest
