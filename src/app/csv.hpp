#pragma once
#include <string>

namespace ksauth::app {

// One CSV field (RFC 4180 quoting). A text a spreadsheet would run as a formula (=, +, -, @ first) is
// prefixed with ' so that a hostile user label cannot execute in the reader's spreadsheet.
std::string csv_field(const std::string& text);

}  // namespace ksauth::app
