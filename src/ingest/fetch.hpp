#pragma once
// Reading a source by URL: http://, https://, file:// or a plain path.
#include <string>

namespace ksauth::ingest {

// The bytes at `url`. Error(not_found) for HTTP 404 / a missing file, Error(io) for other failures
// (connection, other HTTP statuses, read errors), Error(invalid_input) for an unsupported scheme.
// Every message names the URL.
std::string fetch(const std::string& url);

// `ref` resolved against `base` the way a browser resolves a link on the page `base`
// (absolute URLs and absolute paths are kept; relative ones replace the last path segment).
std::string resolve_url(const std::string& base, const std::string& ref);

}  // namespace ksauth::ingest
