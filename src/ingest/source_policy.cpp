#include "ingest/source_policy.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/error.hpp"
#include "core/text.hpp"
#include "ingest/url.hpp"

namespace ksauth::ingest {
namespace {

// A numeric address: 4 bytes (IPv4) or 16 (IPv6).
struct Address {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};
  int bits() const { return v6 ? 128 : 32; }
};

std::optional<Address> parse_address(const std::string& text) {
  Address a;
  if (::inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) return a;
  a.v6 = true;
  if (::inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) return a;
  return std::nullopt;
}

// Whether the first `prefix` bits of `a` are those of `base` (of the same family).
bool in_range(const Address& a, const Address& base, int prefix) {
  if (a.v6 != base.v6) return false;
  for (int i = 0; i < prefix; ++i) {
    const int byte = i / 8;
    const int mask = 0x80 >> (i % 8);
    if ((a.bytes[byte] & mask) != (base.bytes[byte] & mask)) return false;
  }
  return true;
}

bool in_range(const Address& a, const char* base, int prefix) {
  return in_range(a, *parse_address(base), prefix);
}

// The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d) or 6to4
// (2002:aabb:ccdd::) IPv6 address.
std::optional<Address> embedded_v4(const Address& a) {
  if (!a.v6) return std::nullopt;
  std::size_t at = 0;
  if (in_range(a, "::ffff:0:0", 96) || in_range(a, "64:ff9b::", 96))
    at = 12;
  else if (in_range(a, "2002::", 16))
    at = 2;
  else
    return std::nullopt;
  Address v4;
  for (std::size_t i = 0; i < 4; ++i) v4.bytes[i] = a.bytes[at + i];
  return v4;
}

// The kind of a non-public address, nullptr for a public one (RFC 6890 and the IANA special-purpose
// registries).
const char* special_kind(const Address& a) {
  struct Range {
    const char* base;
    int prefix;
    const char* kind;
  };
  static constexpr Range kV4[] = {
      {"0.0.0.0", 8, "unspecified"},
      {"10.0.0.0", 8, "private"},
      {"100.64.0.0", 10, "shared (carrier NAT)"},
      {"127.0.0.0", 8, "loopback"},
      {"169.254.0.0", 16, "link-local"},
      {"172.16.0.0", 12, "private"},
      {"192.0.0.0", 24, "reserved"},
      {"192.0.2.0", 24, "documentation"},
      {"192.168.0.0", 16, "private"},
      {"198.18.0.0", 15, "benchmarking"},
      {"198.51.100.0", 24, "documentation"},
      {"203.0.113.0", 24, "documentation"},
      {"224.0.0.0", 4, "multicast"},
      {"240.0.0.0", 4, "reserved"},
  };
  static constexpr Range kV6[] = {
      {"::1", 128, "loopback"},     {"::", 128, "unspecified"},          {"::", 8, "reserved"},
      {"100::", 64, "discard"},     {"2001:db8::", 32, "documentation"}, {"fc00::", 7, "unique-local"},
      {"fe80::", 10, "link-local"}, {"fec0::", 10, "site-local"},        {"ff00::", 8, "multicast"},
  };
  if (const auto v4 = embedded_v4(a)) return special_kind(*v4);
  for (const Range& r : a.v6 ? std::span<const Range>(kV6) : std::span<const Range>(kV4))
    if (in_range(a, r.base, r.prefix)) return r.kind;
  return nullptr;
}

// One allowed_hosts entry, parsed.
struct HostEntry {
  enum class Kind { name, subdomains, range } kind = Kind::name;
  std::string name;  // lower case; for subdomains without the "*."
  Address base;
  int prefix = 0;
  int port = 0;  // 0: any
};

[[noreturn]] void bad_entry(const std::string& entry, const std::string& why) {
  throw Error(ErrorKind::invalid_input, "allowed host \"" + entry + "\": " + why);
}

int parse_port(const std::string& entry, std::string_view text) {
  if (text.empty() || text.size() > 5) bad_entry(entry, "invalid port");
  int port = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') bad_entry(entry, "invalid port");
    port = port * 10 + (c - '0');
  }
  if (port < 1 || port > 65535) bad_entry(entry, "port out of range");
  return port;
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (const char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_')) return false;
  return true;
}

HostEntry parse_entry(const std::string& entry) {
  HostEntry e;
  std::string text = lower(entry);
  if (text.empty()) bad_entry(entry, "empty");
  if (const std::size_t slash = text.find('/'); slash != std::string::npos) {  // a CIDR range
    const auto base = parse_address(text.substr(0, slash));
    if (!base) bad_entry(entry, "expected an address before '/'");
    const std::string prefix = text.substr(slash + 1);
    if (prefix.empty() || prefix.size() > 3 || prefix.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(prefix) > base->bits())
      bad_entry(entry, "invalid prefix length");
    e.kind = HostEntry::Kind::range;
    e.base = *base;
    e.prefix = std::stoi(prefix);
    return e;
  }
  if (text.front() == '[') {  // [IPv6] or [IPv6]:port
    const std::size_t close = text.find(']');
    if (close == std::string::npos) bad_entry(entry, "unclosed '['");
    const auto base = parse_address(text.substr(1, close - 1));
    if (!base || !base->v6) bad_entry(entry, "expected an IPv6 address in brackets");
    const std::string rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') bad_entry(entry, "expected ':PORT' after ']'");
      e.port = parse_port(entry, std::string_view(rest).substr(1));
    }
    e.kind = HostEntry::Kind::range;
    e.base = *base;
    e.prefix = 128;
    return e;
  }
  if (const auto address = parse_address(text); address && address->v6) {  // a bare IPv6 address
    e.kind = HostEntry::Kind::range;
    e.base = *address;
    e.prefix = 128;
    return e;
  }
  if (const std::size_t colon = text.rfind(':'); colon != std::string::npos) {
    e.port = parse_port(entry, std::string_view(text).substr(colon + 1));
    text.erase(colon);
  }
  if (const auto address = parse_address(text)) {
    e.kind = HostEntry::Kind::range;
    e.base = *address;
    e.prefix = 32;
    return e;
  }
  if (text.starts_with("*.")) {
    e.kind = HostEntry::Kind::subdomains;
    text.erase(0, 2);
  }
  if (!valid_name(text)) bad_entry(entry, "expected a host name, *.domain, an address or a CIDR range");
  e.name = std::move(text);
  return e;
}

bool matches(const HostEntry& e, const std::string& host, int port, const Address& address) {
  if (e.port != 0 && e.port != port) return false;
  switch (e.kind) {
    case HostEntry::Kind::name: return host == e.name;
    case HostEntry::Kind::subdomains:
      return host == e.name || (host.size() > e.name.size() && host.ends_with(e.name) &&
                                host[host.size() - e.name.size() - 1] == '.');
    case HostEntry::Kind::range: {
      if (in_range(address, e.base, e.prefix)) return true;
      const auto v4 = embedded_v4(address);  // ::ffff:127.0.0.1 is 127.0.0.1
      return v4 && in_range(*v4, e.base, e.prefix);
    }
  }
  return false;
}

std::string with_hint(const SourcePolicy& policy, std::string reason) {
  if (!policy.host_hint.empty()) reason += " (" + policy.host_hint + ")";
  return reason;
}

}  // namespace

SourcePolicy untrusted_sources() {
  SourcePolicy policy;
  policy.allow_files = false;
  policy.allow_private_addresses = false;
  return policy;
}

void check_policy(const SourcePolicy& policy) {
  for (const std::string& entry : policy.allowed_hosts) parse_entry(entry);
  if (policy.max_page_bytes == 0)
    throw Error(ErrorKind::invalid_input, "the page size limit must be above 0");
  if (policy.max_pages == 0) throw Error(ErrorKind::invalid_input, "the page count limit must be above 0");
  if (policy.max_seconds.count() <= 0)
    throw Error(ErrorKind::invalid_input, "the time limit must be above 0");
  if (policy.max_redirects < 0) throw Error(ErrorKind::invalid_input, "the redirect limit must be 0 or more");
}

std::string over_size_limit(std::string_view what_is, std::size_t limit) {
  constexpr std::size_t kKiB = 1024, kMiB = kKiB * kKiB;
  const std::string size = limit % kMiB == 0   ? std::to_string(limit / kMiB) + " MiB"
                           : limit % kKiB == 0 ? std::to_string(limit / kKiB) + " KiB"
                                               : std::to_string(limit) + " bytes";
  return std::string(what_is) + " larger than the " + size + " limit";
}

std::string over_time_limit(const SourcePolicy& policy) {
  return "the load took longer than its " + std::to_string(policy.max_seconds.count()) + "-second limit";
}

bool is_public_address(const std::string& address, std::string* kind) {
  const auto a = parse_address(address);
  if (!a) throw Error(ErrorKind::invalid_input, "\"" + address + "\" is not a numeric address");
  const char* special = special_kind(*a);
  if (kind) *kind = special ? special : "public";
  return special == nullptr;
}

HostCheck check_host(const SourcePolicy& policy, const std::string& host, int port,
                     const std::string& address) {
  const auto a = parse_address(address);
  if (!a) return {false, "\"" + address + "\" is not a numeric address"};
  if (!policy.allowed_hosts.empty()) {
    for (const std::string& entry : policy.allowed_hosts)
      if (matches(parse_entry(entry), lower(host), port, *a)) return {true, {}};
    return {false,
            with_hint(policy, "the host " + host + " (" + address + ") at port " + std::to_string(port) +
                                  " is not one of the allowed hosts")};
  }
  if (policy.allow_private_addresses) return {true, {}};
  if (const char* kind = special_kind(*a))
    return {false, with_hint(policy, "the host " + host + " is at " + address + ", " + (std::string_view("aeiou").find(kind[0]) != std::string_view::npos ? "an " : "a ") + kind +
                                         " address; private and loopback addresses are not fetched")};
  return {true, {}};
}

}  // namespace ksauth::ingest
