#include "server/access.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>

#include "core/text.hpp"

namespace ksauth::server {

std::string AccessRule::refusal(const httplib::Request& req, Access access) const {
  if (token_.empty() || access == Access::read || (access == Access::prediction && !token_for_predictions_))
    return {};
  constexpr std::string_view kBearer = "Bearer ";
  const std::string& header = req.get_header_value("Authorization");
  if (header.empty())
    return "this server asks for its API token on this endpoint: send the header Authorization: Bearer TOKEN";
  // The scheme's name is case-insensitive (RFC 7235); the token is not.
  if (header.size() < kBearer.size() || lower(std::string_view(header).substr(0, kBearer.size())) != lower(kBearer))
    return "the Authorization header must be \"Bearer TOKEN\"";
  if (!same_token(std::string_view(header).substr(kBearer.size()), token_))
    return "the API token sent is not this server's";
  return {};
}

bool same_token(std::string_view given, std::string_view expected) {
  unsigned difference = given.size() == expected.size() ? 0u : 1u;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    difference |= g ^ static_cast<unsigned char>(expected[i]);
  }
  return difference == 0;
}

namespace {

// The host of a Host header value ("127.0.0.1:8000", "[::1]:8000", "localhost").
std::string host_of(const std::string& value) {
  if (!value.empty() && value.front() == '[') return value.substr(0, value.find(']') + 1);
  return value.substr(0, value.find(':'));
}

}  // namespace

std::string browser_refusal(const httplib::Request& req, bool listening_on_loopback) {
  const std::string host = lower(req.get_header_value("Host"));
  if (listening_on_loopback && !host.empty() && !is_loopback_host(host_of(host)))
    return "this server answers requests for its loopback address only (Host: " + printable(host, 100) + ")";
  const bool changes = req.method != "GET" && req.method != "HEAD" && req.method != "OPTIONS";
  if (changes && req.has_header("Origin")) {
    const std::string origin = lower(req.get_header_value("Origin"));
    const std::size_t scheme_end = origin.find("://");
    if (scheme_end == std::string::npos || origin.substr(scheme_end + 3) != host)
      return "requests from another site's pages are refused (Origin: " + printable(origin, 100) + ")";
  }
  return {};
}

bool is_loopback_host(const std::string& host) {
  if (host == "localhost") return true;
  std::array<unsigned char, 16> bytes{};
  if (::inet_pton(AF_INET, host.c_str(), bytes.data()) == 1) return bytes[0] == 127;
  const std::string bare =
      host.size() > 2 && host.front() == '[' && host.back() == ']' ? host.substr(1, host.size() - 2) : host;
  if (::inet_pton(AF_INET6, bare.c_str(), bytes.data()) == 1) {
    static constexpr std::array<unsigned char, 16> kLoopback{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static constexpr std::array<unsigned char, 12> kMappedV4{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    const bool mapped = std::equal(kMappedV4.begin(), kMappedV4.end(), bytes.begin());
    return bytes == kLoopback || (mapped && bytes[12] == 127);
  }
  return false;
}

}  // namespace ksauth::server
