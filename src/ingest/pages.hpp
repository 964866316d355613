#pragma once
// The two JSON input formats (see ../shared/DESIGN.md), parsed with simdjson On-Demand (ingest/page_parser.hpp):
//   training page: {"user_data": [[event, ...], ...], "user_label": "u1", "next": "page2.json" | null}
//   test file:     {"attempts": [[event, ...], ...]}
//   event:         {"character": "B", "typed_at": "2019-01-16T15:06:21.140078", "released_at": ... (optional)}
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/attempt.hpp"
#include "core/progress.hpp"
#include "ingest/source_policy.hpp"

namespace ksauth::ingest {

struct TrainingPage {
  std::string user_label;
  std::vector<Attempt> attempts;  // each labelled user_label
  std::optional<std::string> next;
};

// Error(invalid_input) with the place (attempt i, event j, key) and what was expected.
TrainingPage parse_training_page(std::string_view json);
std::vector<Attempt> parse_test_file(std::string_view json);

struct PageFailure {
  std::string page;    // URL of the page that could not be loaded
  std::string reason;  // what went wrong (HTTP status, JSON error, missing key, loop)
};

struct ChainLoad {
  std::vector<Attempt> attempts;   // from every page loaded, in chain order
  std::vector<std::string> pages;  // URLs of the pages loaded
  std::optional<PageFailure> failure;  // set when the chain stopped early on a bad page
};

struct ChainWalk {
  std::vector<std::string> pages;      // URLs of the pages loaded
  std::optional<PageFailure> failure;  // set when the chain stopped early on a bad page
};

// Follows the chain as load_training_chain does, handing each page to on_page in chain order as soon as it is
// parsed (only the few pages loaded ahead are held at a time, so a chain of any length streams); on_page is
// called on the caller's thread and may move the page's attempts away.
ChainWalk walk_training_chain(const std::string& url, const std::function<void(TrainingPage&)>& on_page,
                              const Progress& progress = {}, const SourcePolicy& policy = {});

// A CMU benchmark CSV (ingest/cmu_csv.hpp: a path ending in .csv or a body starting "subject,") is loaded
// whole as one page. Otherwise follows `next` from the first page. When the first page fails, throws Error (nothing was loaded);
// when a later page fails or `next` loops back, stops there and returns what was loaded with `failure`.
// Reports ("download", pages loaded, 0) per page. Every page is fetched under `policy` (ingest/source_policy.hpp):
// its limits on pages, bytes and time hold for the whole chain; a page it refuses ends the chain there like
// any failing page. The default policy is the command line's, which trusts its user.
ChainLoad load_training_chain(const std::string& url, const Progress& progress = {}, const SourcePolicy& policy = {});
std::vector<Attempt> load_test_attempts(const std::string& url, const SourcePolicy& policy = {});

}  // namespace ksauth::ingest
