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

// False when the text is not a valid timestamp of that format (`out` is then unspecified). The hot path of
// ingest calls this form: returning an optional from a call costs a store-forwarding stall.
bool parse_timestamp(std::string_view text, Micros& out);

// nullopt when the text is not a valid timestamp of that format.
inline std::optional<Micros> parse_timestamp(std::string_view text) {
  Micros t;
  if (parse_timestamp(text, t)) return t;
  return std::nullopt;
}
CivilTime to_civil(Micros t);
std::string format_timestamp(Micros t);  // always 6 fraction digits
std::string utc_now_iso();               // for "fetched at" / "created at"

}  // namespace ksauth
