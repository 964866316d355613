#pragma once
// What ingest produces: attempts made of timed key events.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ksauth {

// Microseconds since 1970-01-01T00:00:00 (timestamps carry no zone; they are compared, not localized).
using Micros = std::int64_t;

struct KeyEvent {
  std::string key;  // one character ("B", " ") or a bracketed key name ("[backspace]", "[shift]")
  Micros pressed_at = 0;
  std::optional<Micros> released_at;

  bool operator==(const KeyEvent&) const = default;
};

struct Attempt {
  std::string user;  // empty for unlabeled (test) attempts
  std::vector<KeyEvent> events;
  int session = 0;     // the recording session (from 1) when the source says, else 0 (unknown)
  int repetition = 0;  // the repetition within the session (from 1) when the source says, else 0

  bool operator==(const Attempt&) const = default;
};

inline constexpr const char* kBackspace = "[backspace]";

// A bracketed key name ("[shift]") is timed but types no text.
inline bool is_named_key(const std::string& key) {
  return key.size() > 2 && key.front() == '[' && key.back() == ']';
}

}  // namespace ksauth
