#pragma once
// Text from outside (data files, servers, model files) as it may be shown to a person or checked.
#include <cstddef>
#include <string>
#include <string_view>

namespace ksauth {

bool is_valid_utf8(std::string_view text);
// The offset of the first byte that does not start a valid UTF-8 sequence, npos when the text is valid
// (for a message that says where a file stops being text).
std::size_t invalid_utf8_offset(std::string_view text);
// C0 controls, DEL and C1 controls (U+0080..U+009F). Expects valid UTF-8.
bool has_control(std::string_view text);
// Safe to print on a terminal or in a one-line message: controls, bidirectional overrides and bytes that
// are not UTF-8 are shown as \xNN or \u{NNNN}; longer than `max` characters ends in "...".
std::string printable(std::string_view text, std::size_t max = std::string_view::npos);
// ASCII letters in lower case, other bytes as they are (host names, schemes, header names).
std::string lower(std::string_view text);

}  // namespace ksauth
