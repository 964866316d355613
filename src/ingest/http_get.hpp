#pragma once
// One HTTP(S) GET of a source with libcurl, held to a SourcePolicy: the body of a 2xx answer, or an Error.
#include <chrono>
#include <string>

#include "core/progress.hpp"
#include "ingest/source_policy.hpp"

namespace ksauth::ingest {

// `url` must be http(s). Every address libcurl is about to connect to is checked against the policy first
// (so what is checked is what is connected to), redirects are followed here (each target checked like the
// first URL, at most policy.max_redirects), and the answer is held to policy.max_page_bytes (its headers to
// 64 KiB) and to `deadline` for the whole exchange. Errors name `url` (and the redirect target):
// Error(forbidden) for an address or redirect the policy refuses, Error(not_found) for HTTP 404 and 410,
// Error(invalid_input) for a malformed URL, Error(io) for everything else. When `progress` is cancelled the
// exchange is given up within about a second (libcurl asks at least once a second), as Error(cancelled).
std::string http_get(const std::string& url, const SourcePolicy& policy,
                     std::chrono::steady_clock::time_point deadline, const Progress* progress = nullptr);

}  // namespace ksauth::ingest
