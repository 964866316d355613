#pragma once
// The parser behind ingest/pages.hpp: simdjson On-Demand, which reads values straight from the page's
// structural index without building a document tree first. A training page is read in two steps, so that
// a chain can fetch the page after this one as soon as this one's `next` is known: start_training_page()
// reads the top level (label, next; the attempts are skipped) and read_attempts_into() then reads the
// attempts, from the same parser. Every error is Error(invalid_input) naming the place, as pages.hpp says.
#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/attempt.hpp"
#include "core/error.hpp"
#include "ingest/fetch.hpp"

namespace ksauth::ingest {

static_assert(kPagePadding >= simdjson::SIMDJSON_PADDING);

// A training page's top level, checked.
struct PageHeader {
  std::string label;
  std::optional<std::string> next;
};

class PageParser {
 public:
  // `json` must stay alive and unchanged until the page's attempts are read. padded: json.data() is
  // followed by kPagePadding readable bytes (else it is copied first).
  PageHeader start_training_page(std::string_view json, bool padded);
  // The attempts of the page started last into `out`, reusing the attempts already there and their events'
  // memory (a reader of page after page allocates nothing once the first page is read); `out` holds
  // exactly the page's attempts afterwards, each labelled `user`.
  void read_attempts_into(const std::string& user, std::vector<Attempt>& out);

  std::vector<Attempt> parse_test_file(std::string_view json, bool padded);

 private:
  void start(std::string_view json, bool padded);

  simdjson::ondemand::parser parser_;
  simdjson::ondemand::document document_;
  std::string copy_;  // an unpadded page, with padding
};

// What parse() returns, its errors prefixed with the page: "URL: reason".
template <typename Parse>
auto named_by_url(const std::string& url, Parse&& parse) {
  try {
    return parse();
  } catch (const Error& e) {
    throw Error(e.kind(), url + ": " + e.what());
  }
}

}  // namespace ksauth::ingest
