#pragma once
// Replaying an attempt: what text it leaves on screen, and which key events survive into that text.
#include <cstddef>
#include <string>
#include <vector>

#include "core/attempt.hpp"

namespace ksauth::features {

struct Replay {
  std::string text;                // the text left after [backspace]s are applied
  std::vector<std::size_t> kept;   // per character of `text` (code point), the index of the event that typed it
  std::size_t backspaces = 0;      // [backspace] events, including those on an empty text
};

// "[backspace]" deletes the previous character; other named keys ("[shift]") are timed but type nothing.
Replay replay(const Attempt& attempt);
// The same into `out`, reusing its memory (for replaying many attempts one after another).
void replay_into(const Attempt& attempt, Replay& out);

// The number of Unicode code points in UTF-8 text (the phrase positions), and the text cut into them.
std::size_t code_points(const std::string& utf8);
std::vector<std::string> characters(const std::string& utf8);

}  // namespace ksauth::features
