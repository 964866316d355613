#pragma once
// The prototype's per-keystroke view of a data set, for analyze: one row per key event.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "core/attempt.hpp"
#include "core/timestamp.hpp"

namespace ksauth::features {

struct KeystrokeRow {
  std::string typed_at;  // as in the data format
  std::string character;
  std::string user;
  CivilTime time;
  long character_code;  // Unicode code point of the character; -1 for a named key like [shift]
};

// The first `limit` key events of the attempts, in order.
std::vector<KeystrokeRow> keystroke_rows(std::span<const Attempt> attempts, std::size_t limit);

// The code point of a one-character UTF-8 string, or -1.
long code_point(const std::string& utf8);

}  // namespace ksauth::features
