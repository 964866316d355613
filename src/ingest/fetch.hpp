#pragma once
// Reading a source by URL: http://, https://, file:// or a plain path.
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/progress.hpp"
#include "ingest/source_policy.hpp"
#include "ingest/url.hpp"

namespace ksauth::ingest {

// Bytes a JSON parser may read past the end of a page (simdjson's SIMDJSON_PADDING).
inline constexpr std::size_t kPagePadding = 64;

// Reads sources under a SourcePolicy (ingest/source_policy.hpp): every URL, redirect and resolved address is
// checked against it before anything is read, and its limits on bytes and time hold. The clock for the
// policy's max_seconds starts when the Fetcher is made: one Fetcher per load (a chain, a test file). Safe to
// use from several threads at once. With a `progress` (which must outlive the Fetcher), a download under way
// is given up within about a second of its cancellation, as Error(cancelled).
class Fetcher {
 public:
  explicit Fetcher(SourcePolicy policy = {}, const Progress* progress = nullptr);

  // The bytes at `url`. Error(not_found) for HTTP 404 / a missing file, Error(io) for other failures
  // (connection, other HTTP statuses, read errors, a page over the size limit, the time limit),
  // Error(invalid_input) for a malformed URL or an unsupported scheme, Error(forbidden) for a source the
  // policy refuses (files, a host or address, a redirect to one). Every message names the URL.
  std::string fetch(const std::string& url) const;
  // The same into `out`, reusing its memory where it can (files) and followed by kPagePadding bytes of spare
  // capacity for a file; on an error `out` is unspecified.
  void fetch_into(const std::string& url, std::string& out) const;

  const SourcePolicy& policy() const { return policy_; }

 private:
  std::string fetch_http(const std::string& url) const;

  SourcePolicy policy_;
  const Progress* progress_ = nullptr;
  std::chrono::steady_clock::time_point deadline_;
};

// What can be told of `url` without reading it: Error(invalid_input) for a malformed URL or an unsupported
// scheme, Error(forbidden) for a file when the policy allows none. Fetcher checks this and the rest.
void check_source_url(const SourcePolicy& policy, const std::string& url);

// check_source_url, and for an http(s) URL whether the policy allows one of its host's addresses (a host that
// cannot be resolved passes: only a fetch can tell more). For sources read from the store rather than
// fetched, which must be allowed all the same.
void check_source(const SourcePolicy& policy, const std::string& url);

// Fetcher().fetch(url): the command line's trust (every source allowed).
std::string fetch(const std::string& url);

// What makes two URLs the same page, for finding loops: a normalized http(s) URL, or the device and inode
// of a local file ("a/../b.json", "./b.json", "file:///abs/b.json" and a link to it are all one file).
std::string page_identity(const std::string& url);

}  // namespace ksauth::ingest
