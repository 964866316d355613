// One page at a time: the public parsers of ingest/pages.hpp. The chain is followed in chain.cpp.
#include "ingest/pages.hpp"

#include "ingest/fetch.hpp"
#include "ingest/page_parser.hpp"

namespace ksauth::ingest {

TrainingPage parse_training_page(std::string_view json) {
  PageParser parser;
  PageHeader header = parser.start_training_page(json, false);
  TrainingPage page;
  parser.read_attempts_into(header.label, page.attempts);
  page.user_label = std::move(header.label);
  page.next = std::move(header.next);
  return page;
}

std::vector<Attempt> parse_test_file(std::string_view json) {
  // A server reads a test file per prediction request: each thread keeps a parser (a fresh one would
  // allocate and free its buffers every time), but only for files up to 1 MiB, since a parser keeps
  // buffers the size of the largest file it read.
  constexpr std::size_t kKeptParserBytes = std::size_t{1} << 20;
  if (json.size() > kKeptParserBytes) return PageParser().parse_test_file(json, false);
  thread_local PageParser parser;
  return parser.parse_test_file(json, false);
}

std::vector<Attempt> load_test_attempts(const std::string& url, const SourcePolicy& policy) {
  const std::string body = Fetcher(policy).fetch(url);
  return named_by_url(url, [&] { return parse_test_file(body); });
}

}  // namespace ksauth::ingest
