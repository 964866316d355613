#include "features/replay.hpp"

#include <string_view>

namespace ksauth::features {

void replay_into(const Attempt& attempt, Replay& out) {
  static constexpr std::string_view backspace = kBackspace;  // compared by size first, without a strlen
  out.text.clear();
  out.kept.clear();
  out.backspaces = 0;
  for (std::size_t i = 0; i < attempt.events.size(); ++i) {
    const std::string& key = attempt.events[i].key;
    if (key.size() == 1) {  // most keys: one byte, typed
      out.text.push_back(key[0]);
      out.kept.push_back(i);
    } else if (key == backspace) {
      ++out.backspaces;
      if (!out.kept.empty()) {
        // Delete the last character whole: the bytes of the key that typed it.
        out.text.resize(out.text.size() - attempt.events[out.kept.back()].key.size());
        out.kept.pop_back();
      }
    } else if (!is_named_key(key)) {
      out.text += key;
      out.kept.push_back(i);
    }
  }
}

Replay replay(const Attempt& attempt) {
  Replay out;
  replay_into(attempt, out);
  return out;
}

std::size_t code_points(const std::string& utf8) {
  std::size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

std::vector<std::string> characters(const std::string& utf8) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < utf8.size();) {
    std::size_t n = 1;
    while (i + n < utf8.size() && (static_cast<unsigned char>(utf8[i + n]) & 0xC0) == 0x80) ++n;
    out.push_back(utf8.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace ksauth::features
