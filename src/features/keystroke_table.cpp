#include "features/keystroke_table.hpp"

#include "core/attempt.hpp"

namespace ksauth::features {

long code_point(const std::string& s) {
  if (s.empty() || is_named_key(s)) return -1;
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(0);
  std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || len != s.size()) return -1;
  long cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t i = 1; i < len; ++i) cp = (cp << 6) | (b(i) & 0x3F);
  return cp;
}

std::vector<KeystrokeRow> keystroke_rows(std::span<const Attempt> attempts, std::size_t limit) {
  std::vector<KeystrokeRow> rows;
  for (const Attempt& a : attempts) {
    for (const KeyEvent& e : a.events) {
      if (rows.size() >= limit) return rows;
      rows.push_back({format_timestamp(e.pressed_at), e.key, a.user, to_civil(e.pressed_at), code_point(e.key)});
    }
  }
  return rows;
}

}  // namespace ksauth::features
