#include "ingest/pages.hpp"

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <thread>
#include <mutex>
#include <exception>
#include <condition_variable>
#include <unordered_set>
#include <utility>

#include "core/error.hpp"
#include "core/text.hpp"
#include "core/timestamp.hpp"
#include "ingest/cmu_csv.hpp"
#include "ingest/fetch.hpp"

namespace ksauth::ingest {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::size_t kMaxLabelBytes = 200;
constexpr std::size_t kMaxKeyNameBytes = 64;  // "[backspace]" and friends
constexpr std::size_t kMaxChainPages = 100'000;
constexpr const char* kTimestampExample = "2019-01-16T15:06:21.140078";

[[noreturn]] void fail(const std::string& message) {
  throw Error(ErrorKind::invalid_input, message);
}

// Places are 0-based, like the `attempt` column of predictions: "attempt 2, event 6".
std::string attempt_place(std::size_t a) {
  return "attempt " + std::to_string(a);
}
std::string event_place(std::size_t a, std::size_t e) {
  return attempt_place(a) + ", event " + std::to_string(e);
}

const char* type_name(element_type t) {
  switch (t) {
    case element_type::OBJECT: return "an object";
    case element_type::ARRAY: return "an array";
    case element_type::STRING: return "a string";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: return "a number";
    case element_type::BOOL: return "a boolean";
    case element_type::NULL_VALUE: return "null";
  }
  return "a value";
}

// A value quoted for a message: JSON-style escapes, cut after 60 bytes (on a UTF-8 boundary).
std::string quoted(std::string_view s) {
  constexpr std::size_t kMax = 60;
  std::string out = "\"";
  std::size_t i = 0;
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (i >= kMax && (c & 0xC0) != 0x80) break;
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c == 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  if (i < s.size()) out += "...";
  return out;
}

std::string got(element el) {
  std::string_view s;
  if (el.get(s) == simdjson::SUCCESS) return "got " + quoted(s);
  return std::string("got ") + type_name(el.type());
}

std::size_t utf8_length_from_lead(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) return 2;
  if ((c & 0xF0) == 0xE0) return 3;
  if ((c & 0xF8) == 0xF0) return 4;
  return 0;
}

// One character (one UTF-8 code point, not a control) or "[name]" (no brackets or controls inside).
bool valid_key(std::string_view k) {
  if (k.empty()) return false;
  if (k.size() >= 2 && k.front() == '[' && k.back() == ']') {
    const std::string_view name = k.substr(1, k.size() - 2);
    return !name.empty() && k.size() <= kMaxKeyNameBytes && !has_control(name) &&
           name.find_first_of("[]") == std::string_view::npos;
  }
  return utf8_length_from_lead(static_cast<unsigned char>(k[0])) == k.size() && !has_control(k);
}

Micros parse_time(element value, std::size_t a, std::size_t e, const char* key) {
  std::string_view text;
  if (value.get(text) == simdjson::SUCCESS) {
    if (const auto t = parse_timestamp(text)) return *t;
  }
  fail(event_place(a, e) + ": \"" + key + "\" is not a timestamp like " + kTimestampExample + " (" +
       got(value) + ")");
}

KeyEvent parse_event(element el, std::size_t a, std::size_t e) {
  simdjson::dom::object obj;
  if (el.get(obj) != simdjson::SUCCESS)
    fail(event_place(a, e) + ": an event must be an object like {\"character\": \"B\", \"typed_at\": \"" +
         kTimestampExample + "\"} (" + got(el) + ")");
  KeyEvent ev;

  // One pass over the members (a lookup per key would scan them three times); the first of a repeated key
  // counts, as it would for a lookup.
  element character, typed, released;
  bool has_character = false, has_typed = false, has_released = false;
  for (const auto field : obj) {
    if (!has_character && field.key == "character") {
      character = field.value;
      has_character = true;
    } else if (!has_typed && field.key == "typed_at") {
      typed = field.value;
      has_typed = true;
    } else if (!has_released && field.key == "released_at") {
      released = field.value;
      has_released = true;
    }
  }
  if (!has_character) fail(event_place(a, e) + ": missing key \"character\"");
  std::string_view key;
  if (character.get(key) != simdjson::SUCCESS || !valid_key(key))
    fail(event_place(a, e) + ": \"character\" must be one character or a bracketed key name like [shift] (" +
         got(character) + ")");
  ev.key = std::string(key);

  if (!has_typed) fail(event_place(a, e) + ": missing key \"typed_at\"");
  ev.pressed_at = parse_time(typed, a, e, "typed_at");

  if (has_released && !released.is_null()) {
    ev.released_at = parse_time(released, a, e, "released_at");
    if (*ev.released_at < ev.pressed_at)
      fail(event_place(a, e) + ": released_at before typed_at (" + format_timestamp(*ev.released_at) + " < " +
           format_timestamp(ev.pressed_at) + ")");
  }
  return ev;
}

// Into `out`, reusing the attempts already there and their events' memory (a reader of page after page
// allocates nothing once the first page is read); `out` holds exactly the list's attempts afterwards.
void parse_attempts_into(element list, const char* key, const std::string& user, std::vector<Attempt>& out) {
  simdjson::dom::array attempts;
  if (list.get(attempts) != simdjson::SUCCESS)
    fail(std::string("\"") + key + "\" must be an array of attempts (" + got(list) + ")");
  const std::size_t n = attempts.size();
  if (out.size() > n) out.resize(n);
  out.reserve(n);
  std::size_t a = 0;
  for (element item : attempts) {
    simdjson::dom::array events;
    if (item.get(events) != simdjson::SUCCESS)
      fail(attempt_place(a) + " must be an array of events (" + got(item) + ")");
    if (a == out.size()) out.emplace_back();
    Attempt& attempt = out[a];
    attempt.user = user;
    attempt.session = attempt.repetition = 0;
    attempt.events.clear();
    attempt.events.reserve(events.size());
    std::size_t e = 0;
    for (element ev : events) attempt.events.push_back(parse_event(ev, a, e++));
    if (attempt.events.empty()) fail(attempt_place(a) + " is empty");
    ++a;
  }
  out.resize(a);  // the array's size is its count of elements; this only guards it
}

std::vector<Attempt> parse_attempts(element list, const char* key, const std::string& user) {
  std::vector<Attempt> out;
  parse_attempts_into(list, key, user, out);
  return out;
}

// padded: json is followed by SIMDJSON_PADDING readable bytes (a fetched body), so the parser need not copy it.
simdjson::dom::object parse_root(simdjson::dom::parser& parser, std::string_view json, const char* expected,
                                 bool padded = false) {
  element root;
  if (const auto err = parser.parse(json.data(), json.size(), !padded).get(root); err != simdjson::SUCCESS)
    fail(std::string("invalid JSON: ") + simdjson::error_message(err));
  simdjson::dom::object obj;
  if (root.get(obj) != simdjson::SUCCESS)
    fail(std::string("expected a JSON object with ") + expected + " (" + got(root) + ")");
  return obj;
}

element required(simdjson::dom::object obj, const char* key, const char* hint = "") {
  element value;
  if (obj[key].get(value) != simdjson::SUCCESS) fail(std::string("missing key \"") + key + "\"" + hint);
  return value;
}

// A training page parsed as far as its top level: its attempts are read from user_data afterwards, while the
// parser that holds the document is left alone.
struct PageHeader {
  element user_data;
  std::string label;
  std::optional<std::string> next;
};

PageHeader parse_page_header(simdjson::dom::parser& parser, std::string_view json, bool padded) {
  const auto obj = parse_root(parser, json, "\"user_data\", \"user_label\" and \"next\"", padded);
  const bool test_file = obj["attempts"].error() == simdjson::SUCCESS;
  PageHeader header;
  header.user_data = required(obj, "user_data", test_file ? " (this looks like a test file: {\"attempts\": ...})" : "");

  const element label_value = required(obj, "user_label");
  std::string_view label;
  if (label_value.get(label) != simdjson::SUCCESS)
    fail("\"user_label\" must be a string (" + got(label_value) + ")");
  if (label.empty()) fail("\"user_label\" must not be empty");
  if (label.size() > kMaxLabelBytes)
    fail("\"user_label\" is longer than " + std::to_string(kMaxLabelBytes) + " bytes (" + got(label_value) +
         ")");
  if (has_control(label)) fail("\"user_label\" contains a control character (" + got(label_value) + ")");

  const element next_value = required(obj, "next", " (null on the last page)");
  if (!next_value.is_null()) {
    std::string_view next;
    if (next_value.get(next) != simdjson::SUCCESS)
      fail("\"next\" must be a string or null (" + got(next_value) + ")");
    if (next.empty()) fail("\"next\" must be a URL or null, not an empty string");
    if (has_control(next)) fail("\"next\" contains a control character (" + got(next_value) + ")");
    header.next = std::string(next);
  }
  header.label = std::string(label);
  return header;
}

// The page into `page`, reusing its attempts' memory.
void page_into(PageHeader& header, TrainingPage& page) {
  page.user_label = std::move(header.label);
  page.next = std::move(header.next);
  parse_attempts_into(header.user_data, "user_data", page.user_label, page.attempts);
}

TrainingPage page_of(PageHeader& header) {
  TrainingPage page;
  page_into(header, page);
  return page;
}

TrainingPage parse_training_page_with(simdjson::dom::parser& parser, std::string_view json, bool padded = false) {
  PageHeader header = parse_page_header(parser, json, padded);
  return page_of(header);
}

std::vector<Attempt> parse_test_file_with(simdjson::dom::parser& parser, std::string_view json) {
  const auto obj = parse_root(parser, json, "\"attempts\"");
  const bool training_page = obj["user_data"].error() == simdjson::SUCCESS;
  return parse_attempts(required(obj, "attempts", training_page ? " (this looks like a training page: {\"user_data\": ...})" : ""),
                        "attempts", std::string{});
}

// Parse errors name the page: "URL: reason".
template <typename Parse>
auto parse_named(const std::string& url, const std::string& body, Parse&& parse) {
  try {
    return parse(body);
  } catch (const Error& e) {
    throw Error(e.kind(), url + ": " + e.what());
  }
}

template <typename Parse>
auto load(const std::string& url, Parse&& parse) {
  return parse_named(url, fetch(url), parse);
}

// The reason alone: fetch errors start with "URL: ", which PageFailure holds apart.
std::string reason_of(const Error& e, const std::string& url) {
  const std::string_view message = e.what();
  const std::string prefix = url + ": ";
  if (message.substr(0, prefix.size()) == prefix) return std::string(message.substr(prefix.size()));
  return std::string(message);
}

bool is_padded(const std::string& body) { return body.capacity() - body.size() >= simdjson::SIMDJSON_PADDING; }

// The pages after the first, fetched and parsed one page ahead of their reader, on a thread of its own: the
// next page's download and JSON parse overlap the reading of this page's attempts, which are the two halves
// of the work. Walks the chain's `next` links with the checks of walk_training_chain (loops, http pages
// pointing to files, the page limit). Two parsers take turns: the reader's page stays intact in one while
// the next one is parsed into the other.
class PagePrefetcher {
 public:
  // One step of the chain: a page parsed up to its top level, or a failure that ends the chain, or the end
  // (neither set), or an unexpected exception.
  struct Item {
    std::string url;
    std::optional<PageHeader> header;  // its document lives in the slot's parser until the next call
    std::optional<PageFailure> failure;
    std::exception_ptr error;
  };

  PagePrefetcher(const std::string& first_url, const std::string& first_next) {
    thread_ = std::thread([this, first_url, first_next] { run(first_url, first_next); });
  }
  ~PagePrefetcher() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  PagePrefetcher(const PagePrefetcher&) = delete;
  PagePrefetcher& operator=(const PagePrefetcher&) = delete;

  // The next step; the one returned before is given back (its slot may be parsed into again).
  Item& next() {
    std::unique_lock lock(mutex_);
    if (taken_ > 0) released_ = taken_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return produced_ > taken_; });
    return slots_[taken_++ % 2].item;
  }

 private:
  struct Slot {
    simdjson::dom::parser parser;
    std::string body;
    Item item;
  };

  // Waits until slot n % 2 is free (item n - 2 given back); false when stopping.
  bool wait_for_slot(std::size_t n) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stopping_ || released_ + 2 > n; });
    return !stopping_;
  }
  void publish() {
    {
      std::lock_guard lock(mutex_);
      ++produced_;
    }
    changed_.notify_all();
  }
  bool stopping() {
    std::lock_guard lock(mutex_);
    return stopping_;
  }

  void run(std::string current, std::optional<std::string> next_ref) {
    std::size_t n = 0;
    try {
      std::unordered_set<std::string> visited{page_identity(current)};
      std::size_t pages = 1;
      for (;; ++n) {
        if (!wait_for_slot(n)) return;
        Slot& slot = slots_[n % 2];
        slot.item = Item{};
        const bool last = step(slot, current, next_ref, visited, pages);
        publish();
        if (last || stopping()) return;
      }
    } catch (...) {
      // Nothing may escape a thread. The reader gets the error in place of the step that failed (its slot is
      // free: the failure came before that step was published).
      slots_[n % 2].item = Item{};
      slots_[n % 2].item.error = std::current_exception();
      publish();
    }
  }

  // Fills the slot with the page after `current`; true when the chain ends with it.
  bool step(Slot& slot, std::string& current, std::optional<std::string>& next_ref,
            std::unordered_set<std::string>& visited, std::size_t& pages) {
    Item& item = slot.item;
    if (!next_ref) return true;  // the end
    std::string next = resolve_url(current, *next_ref);
    item.url = next;
    if (is_remote(current) && !is_remote(next)) {
      // A page from the network must not make us read this machine's files.
      item.failure = PageFailure{next, "a page served over HTTP may only point to another http(s) page"};
      return true;
    }
    if (!visited.insert(page_identity(next)).second) {
      item.failure = PageFailure{next, "next points back to page " + next + " already loaded (a loop)"};
      return true;
    }
    if (pages >= kMaxChainPages) {
      item.failure = PageFailure{next, "the chain is longer than " + std::to_string(kMaxChainPages) +
                                           " pages; stopped before this one"};
      return true;
    }
    try {
      fetch_into(next, slot.body);
      item.header = parse_named(next, slot.body, [&](const std::string& body) {
        return parse_page_header(slot.parser, body, is_padded(body));
      });
    } catch (const Error& e) {
      item.failure = PageFailure{next, reason_of(e, next)};
      return true;
    }
    ++pages;
    next_ref = item.header->next;
    current = std::move(next);
    return false;
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::size_t produced_ = 0;  // items published
  std::size_t taken_ = 0;     // items handed to the reader
  std::size_t released_ = 0;  // items given back
  Slot slots_[2];
  std::thread thread_;
};

}  // namespace

TrainingPage parse_training_page(std::string_view json) {
  simdjson::dom::parser parser;
  return parse_training_page_with(parser, json);
}

std::vector<Attempt> parse_test_file(std::string_view json) {
  simdjson::dom::parser parser;
  return parse_test_file_with(parser, json);
}

ChainWalk walk_training_chain(const std::string& url, const std::function<void(TrainingPage&)>& on_page,
                              const Progress& progress) {
  progress.throw_if_cancelled();
  ChainWalk out;
  const auto deliver = [&](const std::string& page_url, TrainingPage& page) {
    out.pages.push_back(page_url);
    on_page(page);
    progress.report("download", out.pages.size(), 0);  // throws Error(cancelled) when asked to stop
  };
  // The first page's errors propagate. A CMU benchmark CSV is a whole data set on one page.
  std::string body = fetch(url);
  if (is_cmu_csv(url, body)) {
    TrainingPage page;
    page.attempts = parse_named(url, body, [](std::string_view text) { return parse_cmu_csv(text); });
    body = {};
    deliver(url, page);
    return out;
  }
  simdjson::dom::parser parser;
  TrainingPage page = parse_named(url, body, [&](const std::string& text) {
    return parse_training_page_with(parser, text, is_padded(text));
  });
  body = {};
  deliver(url, page);
  if (!page.next) return out;

  PagePrefetcher ahead(url, *page.next);
  while (true) {
    PagePrefetcher::Item& item = ahead.next();
    if (item.error) std::rethrow_exception(item.error);
    if (item.failure) {
      out.failure = std::move(item.failure);
      break;
    }
    if (!item.header) break;  // the last page was read
    try {
      page_into(*item.header, page);  // on_page may have moved the attempts away, or left them to reuse
    } catch (const Error& e) {
      out.failure = PageFailure{item.url, e.what()};
      break;
    }
    deliver(item.url, page);
  }
  return out;
}

ChainLoad load_training_chain(const std::string& url, const Progress& progress) {
  ChainLoad out;
  ChainWalk walk = walk_training_chain(
      url,
      [&](TrainingPage& page) {
        if (out.attempts.empty()) {
          out.attempts = std::move(page.attempts);
        } else {
          out.attempts.insert(out.attempts.end(), std::make_move_iterator(page.attempts.begin()),
                              std::make_move_iterator(page.attempts.end()));
        }
      },
      progress);
  out.pages = std::move(walk.pages);
  out.failure = std::move(walk.failure);
  return out;
}

std::vector<Attempt> load_test_attempts(const std::string& url) {
  simdjson::dom::parser parser;
  return load(url, [&](std::string_view json) { return parse_test_file_with(parser, json); });
}

}  // namespace ksauth::ingest
