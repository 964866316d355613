#include "ingest/page_parser.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "core/error.hpp"
#include "core/text.hpp"
#include "core/timestamp.hpp"

namespace ksauth::ingest {
namespace {

using simdjson::error_code;
using simdjson::ondemand::json_type;
namespace ondemand = simdjson::ondemand;

constexpr std::size_t kMaxLabelBytes = 200;
constexpr std::size_t kMaxNextBytes = 8192;  // a URL; longer is not a link but a mistake (or an attack)
constexpr std::size_t kMaxKeyNameBytes = 64;  // "[backspace]" and friends
constexpr const char* kTimestampExample = "2019-01-16T15:06:21.140078";
constexpr std::size_t kMaxNesting = simdjson::DEFAULT_MAX_DEPTH;  // 1024 levels

[[noreturn]] void fail(const std::string& message) {
  throw Error(ErrorKind::invalid_input, message);
}

// On-Demand meets malformed JSON only where it reads, so any read may report it.
void json_ok(error_code err) {
  if (err != simdjson::SUCCESS) fail(std::string("invalid JSON: ") + simdjson::error_message(err));
}

// Places are 0-based, like the `attempt` column of predictions: "attempt 2, event 6".
std::string attempt_place(std::size_t a) {
  return "attempt " + std::to_string(a);
}
std::string event_place(std::size_t a, std::size_t e) {
  return attempt_place(a) + ", event " + std::to_string(e);
}

const char* type_name(json_type t) {
  switch (t) {
    case json_type::object: return "an object";
    case json_type::array: return "an array";
    case json_type::string: return "a string";
    case json_type::number: return "a number";
    case json_type::boolean: return "a boolean";
    case json_type::null: return "null";
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

// A scalar as read, for checks made once its object is read: whether it was there, its type and, for a
// string, its text (valid until the parser starts another page).
struct Seen {
  bool present = false;
  json_type type = json_type::null;
  std::string_view text;

  bool is_string() const { return type == json_type::string; }
};

// A value or a document (both have these reads). Strings, the common case, take one read. (Into `seen`
// rather than returned: a returned Seen costs a store-forwarding stall, per value read.)
template <typename Value>
void see(Value& value, Seen& seen) {
  seen.present = true;
  const error_code err = value.get_string().get(seen.text);
  if (err == simdjson::SUCCESS) {
    seen.type = json_type::string;
    return;
  }
  if (err != simdjson::INCORRECT_TYPE) json_ok(err);
  json_ok(value.type().get(seen.type));
  // The type is told by a value's first byte: the rest is checked too, so that "tru" or "1.2.3" is
  // invalid JSON rather than a value of the wrong type.
  switch (seen.type) {
    case json_type::null: {
      bool is_null = false;
      if (value.is_null().get(is_null) != simdjson::SUCCESS || !is_null) json_ok(simdjson::N_ATOM_ERROR);
      break;
    }
    case json_type::boolean: {
      bool flag = false;
      json_ok(value.get_bool().get(flag));
      break;
    }
    case json_type::number: {
      ondemand::number number;
      json_ok(value.get_number().get(number));
      break;
    }
    default:
      break;
  }
}

template <typename Value>
Seen see(Value& value) {
  Seen seen;
  see(value, seen);
  return seen;
}

std::string got(const Seen& seen) {
  if (seen.is_string()) return "got " + quoted(seen.text);
  return std::string("got ") + type_name(seen.type);
}

// The error of a read expecting one type: the wrong type is the caller's message, any other error bad JSON.
template <typename Value>
std::string wrong_type(error_code err, Value& value) {
  if (err != simdjson::INCORRECT_TYPE) json_ok(err);
  return got(see(value));
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
  if (k.size() == 1) return static_cast<unsigned char>(k[0]) >= 0x20 && k[0] != 0x7F;  // most keys: ASCII
  if (k.empty()) return false;
  if (k.size() >= 2 && k.front() == '[' && k.back() == ']') {
    const std::string_view name = k.substr(1, k.size() - 2);
    return !name.empty() && k.size() <= kMaxKeyNameBytes && !has_control(name) &&
           name.find_first_of("[]") == std::string_view::npos;
  }
  return utf8_length_from_lead(static_cast<unsigned char>(k[0])) == k.size() && !has_control(k);
}

void parse_time(const Seen& value, std::size_t a, std::size_t e, const char* key, Micros& out) {
  if (value.is_string() && parse_timestamp(value.text, out)) return;
  fail(event_place(a, e) + ": \"" + key + "\" is not a timestamp like " + kTimestampExample + " (" +
       got(value) + ")");
}

// A key's name and the quote that closes it, as 16 bytes and a mask of the ones that count: a key written
// without escapes is compared with it in two 8-byte words (the page is padded, so the 16 bytes are
// readable), which costs less than a call to memcmp.
struct KeyPattern {
  std::uint64_t word[2] = {0, 0};
  std::uint64_t mask[2] = {0, 0};

  explicit KeyPattern(std::string_view name) {
    char bytes[16] = {};
    char masks[16] = {};
    for (std::size_t i = 0; i < name.size(); ++i) bytes[i] = name[i];
    bytes[name.size()] = '"';
    for (std::size_t i = 0; i <= name.size(); ++i) masks[i] = static_cast<char>(0xFF);
    std::memcpy(word, bytes, 16);
    std::memcpy(mask, masks, 16);
  }
  bool matches(const char* raw) const {
    std::uint64_t w[2];
    std::memcpy(w, raw, 16);
    return (((w[0] ^ word[0]) & mask[0]) | ((w[1] ^ word[1]) & mask[1])) == 0;
  }
};

template <std::size_t N>
struct KeyNames {
  std::array<std::string_view, N> names;
  std::array<KeyPattern, N> patterns;
};

template <typename... Names>
KeyNames<sizeof...(Names)> key_names(Names... names) {
  static_assert(((sizeof(names) <= 16) && ...), "a key name and its quote fit in 16 bytes");
  return {{std::string_view(names)...}, {KeyPattern(std::string_view(names))...}};
}

// Which of `keys` a member's key is: its index, or N for none. The page's bytes are compared first, so
// that a key written without escapes (every key of real data) costs two word compares; only a key that
// matches none of the names that way is unescaped and compared again.
template <std::size_t N>
std::size_t key_index(ondemand::field& field, const KeyNames<N>& keys) {
  const char* const raw = field.key().raw();
  for (std::size_t i = 0; i < N; ++i) {
    if (keys.patterns[i].matches(raw)) return i;
  }
  if constexpr (N > 0) {
    std::string_view key;
    json_ok(field.unescaped_key().get(key));
    for (std::size_t i = 0; i < N; ++i) {
      if (key == keys.names[i]) return i;
    }
  }
  return N;
}

// The members of an object one at a time, each with key_index(names).
template <typename Object, std::size_t N, typename OnMember>
void for_each_member(Object& object, const KeyNames<N>& names, OnMember&& on_member) {
  for (auto member : object) {
    json_ok(member.error());
    ondemand::field& field = member.value_unsafe();  // in place: a copy costs a store-forwarding stall
    on_member(key_index(field, names), field.value());
  }
}

const KeyNames<0> kNoNames = key_names();
const KeyNames<3> kEventKeys = key_names("character", "typed_at", "released_at");
enum TopKey : std::size_t { kUserData, kUserLabel, kNext, kAttempts };
const KeyNames<4> kTopKeys = key_names("user_data", "user_label", "next", "attempts");

// A key of ours given twice in one object.
std::string repeated(std::string_view key) {
  return "the key \"" + std::string(key) + "\" appears twice in one object";
}

// Reads an ignored value through (unknown keys, repeats of a key), so that malformed JSON in it is still
// reported: On-Demand would otherwise skip it unread. Nesting deeper than simdjson's default limit is an
// error, as it is for a document tree (and the recursion stays far from the end of any thread's stack).
void read_through(ondemand::value& value, std::size_t depth = 1) {
  if (depth > kMaxNesting) json_ok(simdjson::DEPTH_ERROR);
  json_type type;
  json_ok(value.type().get(type));
  switch (type) {
    case json_type::array: {
      ondemand::array items;
      json_ok(value.get_array().get(items));
      for (auto element : items) {
        ondemand::value item;
        json_ok(element.get(item));
        read_through(item, depth + 1);
      }
      return;
    }
    case json_type::object: {
      ondemand::object members;
      json_ok(value.get_object().get(members));
      for_each_member(members, kNoNames,
                      [depth](std::size_t, ondemand::value& member) { read_through(member, depth + 1); });
      return;
    }
    default:  // a scalar: see() reads it whole
      see(value);
      return;
  }
}

void read_event(ondemand::value& item, std::size_t a, std::size_t e, KeyEvent& ev) {
  ondemand::object object;
  if (const error_code err = item.get_object().get(object))
    fail(event_place(a, e) + ": an event must be an object like {\"character\": \"B\", \"typed_at\": \"" +
         kTimestampExample + "\"} (" + wrong_type(err, item) + ")");

  // A key read twice is refused: readers that keep the first and readers that keep the last would see
  // different events.
  Seen seen[3];
  for_each_member(object, kEventKeys, [&](std::size_t key, ondemand::value& value) {
    if (key < 3) {
      if (seen[key].present) fail(event_place(a, e) + ": " + repeated(kEventKeys.names[key]));
      see(value, seen[key]);
    } else {
      read_through(value);
    }
  });
  const Seen& character = seen[0];
  const Seen& typed = seen[1];
  const Seen& released = seen[2];
  if (!character.present) fail(event_place(a, e) + ": missing key \"character\"");
  if (!character.is_string() || !valid_key(character.text))
    fail(event_place(a, e) + ": \"character\" must be one character or a bracketed key name like [shift] (" +
         got(character) + ")");
  if (ev.key != character.text) ev.key.assign(character.text);  // a reused event mostly holds it already

  if (!typed.present) fail(event_place(a, e) + ": missing key \"typed_at\"");
  parse_time(typed, a, e, "typed_at", ev.pressed_at);

  ev.released_at.reset();
  if (released.present && released.type != json_type::null) {
    parse_time(released, a, e, "released_at", ev.released_at.emplace());
    if (*ev.released_at < ev.pressed_at)
      fail(event_place(a, e) + ": released_at before typed_at (" + format_timestamp(*ev.released_at) + " < " +
           format_timestamp(ev.pressed_at) + ")");
  }
}

void read_attempts(ondemand::value& list, const char* key, const std::string& user, std::vector<Attempt>& out) {
  ondemand::array attempts;
  if (const error_code err = list.get_array().get(attempts))
    fail(std::string("\"") + key + "\" must be an array of attempts (" + wrong_type(err, list) + ")");
  std::size_t a = 0;
  for (auto attempt_element : attempts) {
    ondemand::value item;
    json_ok(attempt_element.get(item));
    ondemand::array events;
    if (const error_code err = item.get_array().get(events))
      fail(attempt_place(a) + " must be an array of events (" + wrong_type(err, item) + ")");
    if (a == out.size()) out.emplace_back();
    Attempt& attempt = out[a];
    if (attempt.user != user) attempt.user = user;
    attempt.session = attempt.repetition = 0;
    // The events already there are written over, not destroyed: their keys are mostly the ones read now.
    std::vector<KeyEvent>& read = attempt.events;
    std::size_t e = 0;
    for (auto event_element : events) {
      ondemand::value event;
      json_ok(event_element.get(event));
      if (e == read.size()) read.emplace_back();
      read_event(event, a, e, read[e]);
      // Events are in the order typed: a press before the one above it is a broken clock or a reordered
      // file, and would give negative latencies.
      if (e > 0 && read[e].pressed_at < read[e - 1].pressed_at)
        fail(event_place(a, e) + ": typed_at before the previous event's (" + format_timestamp(read[e].pressed_at) +
             " < " + format_timestamp(read[e - 1].pressed_at) + "); events must be in the order typed");
      ++e;
    }
    read.resize(e);
    if (read.empty()) fail(attempt_place(a) + " is empty");
    ++a;
  }
  out.resize(a);
}

ondemand::object root_object(ondemand::document& document, const char* expected) {
  ondemand::object root;
  if (const error_code err = document.get_object().get(root))
    fail(std::string("expected a JSON object with ") + expected + " (" + wrong_type(err, document) + ")");
  return root;
}

// After the root value: nothing may follow it (the document has no current location left).
void expect_end(ondemand::document& document) {
  const char* location = nullptr;
  if (document.current_location().get(location) == simdjson::SUCCESS) json_ok(simdjson::TRAILING_CONTENT);
}

}  // namespace

void PageParser::start(std::string_view json, bool padded) {
  // A UTF-8 byte order mark before the JSON is allowed (RFC 8259 lets a parser ignore it); it is not JSON.
  const std::size_t bom = json.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  json.remove_prefix(bom);
  simdjson::padded_string_view view;
  if (padded) {
    view = simdjson::padded_string_view(json.data(), json.size(), json.size() + kPagePadding);
  } else {
    copy_.reserve(json.size() + kPagePadding);
    copy_.assign(json);
    view = simdjson::padded_string_view(copy_.data(), copy_.size(), copy_.capacity());
  }
  const error_code err = parser_.iterate(view).get(document_);
  if (err == simdjson::UTF8_ERROR) {
    // simdjson says only that the bytes are not UTF-8: the offset tells where (the error path alone pays).
    const std::size_t at = invalid_utf8_offset(json);
    if (at != std::string_view::npos) {
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(json[at]));
      fail("invalid JSON: the input is not valid UTF-8 (byte " + std::to_string(at + bom) + " is " + byte + ")");
    }
  }
  json_ok(err);
}

PageHeader PageParser::start_training_page(std::string_view json, bool padded) {
  start(json, padded);
  ondemand::object root = root_object(document_, "\"user_data\", \"user_label\" and \"next\"");
  bool has_user_data = false, has_attempts = false;
  Seen label, next;
  for_each_member(root, kTopKeys, [&](std::size_t key, ondemand::value& value) {
    if (key == kUserData) {
      if (has_user_data) fail(repeated("user_data"));
      has_user_data = true;  // skipped here: read_attempts_into reads it
    } else if (key == kUserLabel) {
      if (label.present) fail(repeated("user_label"));
      see(value, label);
    } else if (key == kNext) {
      if (next.present) fail(repeated("next"));
      see(value, next);
    } else {
      has_attempts = has_attempts || key == kAttempts;
      read_through(value);
    }
  });
  expect_end(document_);

  if (!has_user_data)
    fail(std::string("missing key \"user_data\"") +
         (has_attempts ? " (this looks like a test file: {\"attempts\": ...})" : ""));
  if (!label.present) fail("missing key \"user_label\"");
  if (!label.is_string()) fail("\"user_label\" must be a string (" + got(label) + ")");
  if (label.text.empty()) fail("\"user_label\" must not be empty");
  if (label.text.size() > kMaxLabelBytes)
    fail("\"user_label\" is longer than " + std::to_string(kMaxLabelBytes) + " bytes (" + got(label) + ")");
  if (has_control(label.text)) fail("\"user_label\" contains a control character (" + got(label) + ")");

  if (!next.present) fail("missing key \"next\" (null on the last page)");
  PageHeader header;
  if (next.type != json_type::null) {
    if (!next.is_string()) fail("\"next\" must be a string or null (" + got(next) + ")");
    if (next.text.empty()) fail("\"next\" must be a URL or null, not an empty string");
    if (next.text.size() > kMaxNextBytes)
      fail("\"next\" is longer than " + std::to_string(kMaxNextBytes) + " bytes (" + got(next) + ")");
    if (has_control(next.text)) fail("\"next\" contains a control character (" + got(next) + ")");
    header.next = std::string(next.text);
  }
  header.label = std::string(label.text);
  return header;
}

void PageParser::read_attempts_into(const std::string& user, std::vector<Attempt>& out) {
  document_.rewind();
  ondemand::object root;
  json_ok(document_.get_object().get(root));
  bool read = false;
  // The other members were read by start_training_page.
  for_each_member(root, kTopKeys, [&](std::size_t key, ondemand::value& value) {
    if (key != kUserData) return;
    if (read) fail(repeated("user_data"));  // start_training_page refused it: only a misuse gets here
    read_attempts(value, "user_data", user, out);
    read = true;
  });
  if (!read) fail("missing key \"user_data\"");  // start_training_page saw it: only a misuse gets here
}

std::vector<Attempt> PageParser::parse_test_file(std::string_view json, bool padded) {
  start(json, padded);
  ondemand::object root = root_object(document_, "\"attempts\"");
  std::vector<Attempt> attempts;
  bool has_attempts = false, has_user_data = false;
  for_each_member(root, kTopKeys, [&](std::size_t key, ondemand::value& value) {
    if (key == kAttempts) {
      if (has_attempts) fail(repeated("attempts"));
      read_attempts(value, "attempts", std::string{}, attempts);
      has_attempts = true;
    } else {
      has_user_data = has_user_data || key == kUserData;
      read_through(value);
    }
  });
  expect_end(document_);
  if (!has_attempts)
    fail(std::string("missing key \"attempts\"") +
         (has_user_data ? " (this looks like a training page: {\"user_data\": ...})" : ""));
  return attempts;
}

}  // namespace ksauth::ingest
