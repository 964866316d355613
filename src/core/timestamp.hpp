#pragma once
// The data's timestamp format: "2019-01-16T15:06:21.140078" (fraction optional, up to 6 digits).
#include <optional>
#include <string>
#include <string_view>

#include "core/attempt.hpp"

namespace ksauth {

struct CivilTime {
  int year, month, day, hour, minute, second, microsecond;
};

// Returns nullopt when the text is not a valid timestamp of that format.
std::optional<Micros> parse_timestamp(std::string_view text);
CivilTime to_civil(Micros t);
std::string format_timestamp(Micros t);  // always 6 fraction digits
std::string utc_now_iso();               // for "fetched at" / "created at"

}  // namespace ksauth
