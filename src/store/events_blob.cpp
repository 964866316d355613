#include "store/events_blob.hpp"

#include "core/binary_io.hpp"
#include "core/error.hpp"

namespace ksauth::store::detail {

std::string encode_events(std::span<const KeyEvent> events) {
  BinaryWriter out;
  out.u64(events.size());
  for (const KeyEvent& e : events) {
    out.str(e.key);
    out.i64(e.pressed_at);
    out.u8(e.released_at.has_value());
    out.i64(e.released_at.value_or(0));
  }
  return out.take();
}

std::vector<KeyEvent> decode_events(std::string_view bytes) {
  BinaryReader in(bytes);
  constexpr std::size_t kMinEventBytes = 8 + 8 + 1 + 8;
  std::vector<KeyEvent> events(in.count(kMinEventBytes));
  for (KeyEvent& e : events) {
    e.key = in.str();
    e.pressed_at = in.i64();
    const bool has_release = in.u8() != 0;
    const Micros released = in.i64();
    if (has_release) e.released_at = released;
  }
  if (!in.at_end()) throw Error(ErrorKind::corrupt, "trailing bytes after the events");
  return events;
}

}  // namespace ksauth::store::detail
