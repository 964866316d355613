#pragma once
// URLs as ksauth reads them: schemes, the parts of a URL, links resolved against their page, where an
// http(s) URL leads and the path of a local one. Parsing only: nothing is fetched here (ingest/fetch.hpp).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace ksauth::ingest {

// Throws Error(kind, "URL: reason"): every message about a source starts with its URL.
[[noreturn]] void fail_on(ErrorKind kind, const std::string& url, const std::string& reason);

// `ref` resolved against `base` the way a browser resolves a link on the page `base`
// (absolute URLs and absolute paths are kept; relative ones replace the last path segment).
std::string resolve_url(const std::string& base, const std::string& ref);

// Whether the URL is fetched over the network (http:// or https://).
bool is_remote(const std::string& url);

// A URL split into its parts: scheme ":" [ "//" authority ] path [ "?" query ] [ "#" fragment ].
struct UrlParts {
  std::string scheme;  // as written
  bool has_authority = false;
  std::string authority;
  std::string path;
  std::string query_and_fragment;  // with its leading '?' or '#'
};

// Where an http(s) URL leads: the host as written, the port and the request target.
struct HttpTarget {
  std::string scheme;  // "http" or "https"
  std::string host;    // lower case; an IPv6 address without its brackets
  int port = 0;
  std::string target;  // path and query, encoded
};

// Length of the scheme when `s` starts with one ("http" in "http://..."), else 0 (a plain path).
std::size_t scheme_length(std::string_view s);
UrlParts split_url(std::string_view url, std::size_t scheme_len);
// Dot segments removed from hierarchical URLs and plain paths; opaque URLs as they are.
std::string normalize(const std::string& url);
std::string percent_decode(std::string_view s);

// An http(s) URL's host, port and request target. Error(invalid_input) naming the URL when it is malformed
// (no host, a bad port, user names and passwords).
HttpTarget parse_http_url(const std::string& url);

// The path of a local URL (a plain path or file://), nullopt for http(s); Error(invalid_input) for other schemes.
std::optional<std::string> local_path(const std::string& url);

}  // namespace ksauth::ingest
