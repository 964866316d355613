#pragma once
// Which sources may be loaded, and how much of them: the rules every fetch of a page, test file or redirect
// is checked against. The command line trusts its user (files and every address allowed); a server must not
// become a reader of its own machine's files or a proxy into its own network, so it refuses files and
// private addresses unless told otherwise.
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ksauth::ingest {

struct SourcePolicy {
  bool allow_files = true;              // plain paths and file:// URLs
  bool allow_private_addresses = true;  // loopback, private, link-local, shared, multicast, reserved
  // Empty: every host (subject to allow_private_addresses). Otherwise only these, each one of
  //   a host name ("data.example.org"), a name and its subdomains ("*.example.org"), either with ":PORT";
  //   an IPv4 or IPv6 address or range in CIDR form ("10.1.0.0/16", "::1", "[fd00::]:8080" with a port).
  // A listed host may have a private address: listing it allows it.
  std::vector<std::string> allowed_hosts;
  std::size_t max_page_bytes = std::size_t{256} << 20;  // per page, test file or file
  std::size_t max_pages = 100'000;                      // pages in one chain
  std::chrono::seconds max_seconds{3600};               // for one load: a whole chain, or a test file
  int max_redirects = 5;                                // per page
  // Appended to a refusal: how the user can lift it, in the front end's words, for a file and for a host.
  std::string file_hint;
  std::string host_hint;
};

// The policy for sources named by callers who are not trusted with this machine (a server's API clients): no
// files, no private or loopback addresses; the limits as in SourcePolicy.
SourcePolicy untrusted_sources();

// Error(invalid_input) naming the entry when an allowed_hosts entry is malformed, or a limit is 0.
void check_policy(const SourcePolicy& policy);

// Whether the host of an http(s) URL, and its addresses once resolved, may be fetched. Host names and ports
// are as written in the URL (lower-cased); addresses are numeric strings ("127.0.0.1", "::1").
struct HostCheck {
  bool allowed = false;
  std::string reason;  // why not, when !allowed
};
HostCheck check_host(const SourcePolicy& policy, const std::string& host, int port,
                     const std::string& address);

// The reasons a load gives when it passes a limit: "the file is larger than the 256 MiB limit" (`what_is` is
// "the file is", "the response headers are", ...), "the load took longer than its 3600-second limit".
std::string over_size_limit(std::string_view what_is, std::size_t limit);
std::string over_time_limit(const SourcePolicy& policy);

// Whether a numeric address is public: false for loopback, private, link-local, carrier-grade NAT,
// unique-local, multicast, unspecified, documentation and reserved ranges (and IPv4 ones mapped into IPv6).
// Error(invalid_input) when `address` is not a numeric address. `kind` gets what it is ("loopback", ...).
bool is_public_address(const std::string& address, std::string* kind = nullptr);

}  // namespace ksauth::ingest
