#pragma once
// Reading a source by URL: http://, https://, file:// or a plain path.
#include <cstddef>
#include <string>
#include <string_view>


namespace ksauth::ingest {

// Bytes a JSON parser may read past the end of a page (simdjson's SIMDJSON_PADDING).
inline constexpr std::size_t kPagePadding = 64;

// The bytes at `url`. Error(not_found) for HTTP 404 / a missing file, Error(io) for other failures
// (connection, other HTTP statuses, read errors), Error(invalid_input) for an unsupported scheme.
// Every message names the URL.
std::string fetch(const std::string& url);
// The same into `out`, reusing its memory where it can (files) and followed by kPagePadding bytes of spare
// capacity for a file; on an error `out` is unspecified.
void fetch_into(const std::string& url, std::string& out);

// `ref` resolved against `base` the way a browser resolves a link on the page `base`
// (absolute URLs and absolute paths are kept; relative ones replace the last path segment).
std::string resolve_url(const std::string& base, const std::string& ref);

// Whether the URL is fetched over the network (http:// or https://).
bool is_remote(const std::string& url);

// What makes two URLs the same page, for finding loops: a normalized http(s) URL, or the device and inode
// of a local file ("a/../b.json", "./b.json", "file:///abs/b.json" and a link to it are all one file).
std::string page_identity(const std::string& url);

}  // namespace ksauth::ingest
