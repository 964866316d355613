#pragma once
// The events column of the attempts table, in ksauth's binary encoding (core/binary_io):
// u64 count, then per event: key (u64 length + bytes), press micros (i64), u8 has-release, release micros (i64).
// Compact and fast for the hundreds of thousands of events of a data set, and checked on every read.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/attempt.hpp"

namespace ksauth::store::detail {

std::string encode_events(std::span<const KeyEvent> events);
// Error(corrupt) when the bytes are not such a list.
std::vector<KeyEvent> decode_events(std::string_view bytes);

}  // namespace ksauth::store::detail
