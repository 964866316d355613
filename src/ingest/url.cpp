// URLs: schemes and parts, dot segments, links resolved against their page, where an http(s) URL leads.
#include "ingest/url.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/text.hpp"

namespace ksauth::ingest {
namespace {

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

[[noreturn]] void fail_on(ErrorKind kind, const std::string& url, const std::string& reason) {
  throw Error(kind, url + ": " + reason);
}

// Length of the scheme when `s` starts with one ("http" in "http://..."), else 0. RFC 3986:
// ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":".
std::size_t scheme_length(std::string_view s) {
  if (s.empty() || !is_alpha(s[0])) return 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ':') return i;
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return 0;
  }
  return 0;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

namespace {

// Encodes what may not appear raw in a request target (spaces, controls, non-ASCII, a few
// delimiters); '%' is kept so that already encoded URLs pass through unchanged.
std::string encode_target(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unsafe = c <= 0x20 || c >= 0x7F || ch == '"' || ch == '<' || ch == '>' || ch == '\\' ||
                        ch == '^' || ch == '`' || ch == '{' || ch == '|' || ch == '}';
    if (unsafe) {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

// Removes "." and ".." segments (RFC 3986 5.2.4). An absolute path never climbs above its root; a
// relative (plain) path keeps the ".." it cannot resolve ("../data/a.json").
std::string remove_dot_segments(std::string_view path) {
  if (path.empty()) return {};
  const bool absolute = path.front() == '/';
  std::vector<std::string_view> out;
  bool trailing_slash = false;
  std::size_t pos = absolute ? 1 : 0;
  while (true) {
    const std::size_t slash = path.find('/', pos);
    const bool last = slash == std::string_view::npos;
    const std::string_view seg = path.substr(pos, last ? std::string_view::npos : slash - pos);
    if (seg == ".") {
      trailing_slash = true;  // "a/." is the directory "a/"
    } else if (seg == "..") {
      if (!out.empty() && out.back() != "..")
        out.pop_back();
      else if (!absolute)
        out.push_back(seg);
      trailing_slash = true;
    } else {
      out.push_back(seg);
      trailing_slash = false;
    }
    if (last) break;
    pos = slash + 1;
  }
  std::string result = absolute ? "/" : "";
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i > 0) result.push_back('/');
    result.append(out[i]);
  }
  if (trailing_slash && !out.empty()) result.push_back('/');
  if (result.empty()) result.push_back('.');  // a relative path that resolved to its own directory
  return result;
}

}  // namespace

UrlParts split_url(std::string_view url, std::size_t scheme_len) {
  UrlParts p;
  p.scheme = std::string(url.substr(0, scheme_len));
  std::string_view rest = url.substr(scheme_len + 1);
  if (rest.substr(0, 2) == "//") {
    p.has_authority = true;
    rest.remove_prefix(2);
    const std::size_t end = rest.find_first_of("/?#");
    p.authority = std::string(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  }
  const std::size_t q = rest.find_first_of("?#");
  p.path = std::string(rest.substr(0, q));
  if (q != std::string_view::npos) p.query_and_fragment = std::string(rest.substr(q));
  return p;
}

namespace {

std::string join_url(const UrlParts& p) {
  std::string out = p.scheme + ":";
  if (p.has_authority) out += "//" + p.authority;
  return out + p.path + p.query_and_fragment;
}

}  // namespace

// Hierarchical URLs get their dot segments removed; plain paths too; opaque URLs stay as they are.
std::string normalize(const std::string& url) {
  const std::size_t sl = scheme_length(url);
  if (sl == 0) return remove_dot_segments(url);
  UrlParts p = split_url(url, sl);
  if (!p.has_authority && (p.path.empty() || p.path.front() != '/')) return url;
  p.path = remove_dot_segments(p.path);
  return join_url(p);
}


// The path of a local URL (a plain path or file://), nullopt for http(s); Error for other schemes.
std::optional<std::string> local_path(const std::string& url) {
  if (url.empty()) throw Error(ErrorKind::invalid_input, "empty URL");
  const std::size_t sl = scheme_length(url);
  if (sl == 0) return url;
  const std::string scheme = lower(std::string_view(url).substr(0, sl));
  if (scheme == "http" || scheme == "https") return std::nullopt;
  if (scheme != "file")
    fail_on(ErrorKind::invalid_input, url,
         "unsupported URL scheme \"" + scheme +
             ":\" (use http://, https://, file:// or a file path; write ./name for a file whose name has a "
             "colon)");
  const UrlParts p = split_url(url, sl);
  if (p.has_authority && !p.authority.empty() && lower(p.authority) != "localhost")
    fail_on(ErrorKind::invalid_input, url,
         "file URLs on another host (\"" + p.authority + "\") are not supported");
  if (p.path.empty() || p.path.front() != '/')
    fail_on(ErrorKind::invalid_input, url, "a file URL needs an absolute path, like file:///data/page1.json");
  return percent_decode(p.path);
}


namespace {

bool valid_host(std::string_view host) {
  if (host.empty()) return false;
  for (const char c : host)
    if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.' && c != '_') return false;
  return true;
}

bool valid_ipv6(std::string_view host) {
  if (host.empty()) return false;
  for (const char c : host)
    if (hex_value(c) < 0 && c != ':' && c != '.') return false;
  return true;
}

}  // namespace

HttpTarget parse_http_url(const std::string& url) {
  const std::size_t scheme_len = scheme_length(url);
  HttpTarget t;
  t.scheme = lower(std::string_view(url).substr(0, scheme_len));
  const UrlParts p = split_url(url, scheme_len);
  if (!p.has_authority) fail_on(ErrorKind::invalid_input, url, "expected " + t.scheme + "://host/path");
  if (p.authority.find('@') != std::string::npos)
    fail_on(ErrorKind::invalid_input, url, "user names and passwords in URLs are not supported");

  std::string_view port_text;
  const std::string_view auth = p.authority;
  if (!auth.empty() && auth.front() == '[') {
    const std::size_t close = auth.find(']');
    if (close == std::string_view::npos) fail_on(ErrorKind::invalid_input, url, "unclosed '[' in the host");
    t.host = lower(auth.substr(1, close - 1));
    if (!valid_ipv6(t.host)) fail_on(ErrorKind::invalid_input, url, "invalid IPv6 address");
    const std::string_view after = auth.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') fail_on(ErrorKind::invalid_input, url, "invalid host");
      port_text = after.substr(1);
    }
  } else {
    const std::size_t colon = auth.find(':');
    t.host = lower(auth.substr(0, colon));
    if (colon != std::string_view::npos) port_text = auth.substr(colon + 1);
    if (!valid_host(t.host))
      fail_on(ErrorKind::invalid_input, url, t.host.empty() ? "missing host" : "invalid host name");
  }
  t.port = t.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    if (port_text.size() > 5) fail_on(ErrorKind::invalid_input, url, "invalid port");
    int value = 0;
    for (const char c : port_text) {
      if (!is_digit(c)) fail_on(ErrorKind::invalid_input, url, "invalid port");
      value = value * 10 + (c - '0');
    }
    if (value < 1 || value > 65535) fail_on(ErrorKind::invalid_input, url, "port out of range");
    t.port = value;
  }
  // The request target: path and query, without the fragment.
  t.target = p.path;
  const std::string& qf = p.query_and_fragment;
  if (!qf.empty() && qf.front() == '?') t.target += qf.substr(0, qf.find('#'));
  if (t.target.empty() || t.target.front() != '/') t.target.insert(t.target.begin(), '/');
  t.target = encode_target(t.target);
  return t;
}


bool is_remote(const std::string& url) {
  const std::size_t sl = scheme_length(url);
  const std::string scheme = lower(std::string_view(url).substr(0, sl));
  return scheme == "http" || scheme == "https";
}


std::string resolve_url(const std::string& base, const std::string& ref) {
  if (scheme_length(ref) > 0) return normalize(ref);  // absolute
  const std::size_t base_sl = scheme_length(base);
  if (base_sl == 0) {
    // A plain path: the reference is a path too, taken literally (no query or fragment).
    if (ref.empty()) return base;
    if (ref.front() == '/') return remove_dot_segments(ref);
    const std::size_t slash = base.rfind('/');
    const std::string dir = slash == std::string::npos ? std::string{} : base.substr(0, slash + 1);
    return remove_dot_segments(dir + ref);
  }
  UrlParts b = split_url(base, base_sl);
  if (!b.has_authority && (b.path.empty() || b.path.front() != '/')) return ref;  // opaque base (mailto:)
  if (ref.empty() || ref.front() == '#') {
    const std::size_t hash = b.query_and_fragment.find('#');
    if (hash != std::string::npos) b.query_and_fragment.erase(hash);
    b.query_and_fragment += ref;
    return join_url(b);
  }
  if (ref.front() == '?') {
    b.query_and_fragment = ref;
    return join_url(b);
  }
  if (ref.size() >= 2 && ref[0] == '/' && ref[1] == '/') return normalize(b.scheme + ":" + ref);

  const std::size_t q = ref.find_first_of("?#");
  const std::string ref_path = ref.substr(0, q);
  b.query_and_fragment = q == std::string::npos ? std::string{} : ref.substr(q);
  if (ref_path.front() == '/') {
    b.path = remove_dot_segments(ref_path);
  } else {
    std::string merged;
    if (b.has_authority && b.path.empty())
      merged = "/" + ref_path;
    else
      merged = b.path.substr(0, b.path.rfind('/') + 1) + ref_path;
    b.path = remove_dot_segments(merged);
  }
  return join_url(b);
}

}  // namespace ksauth::ingest
