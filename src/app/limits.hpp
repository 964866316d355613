#pragma once
// Limits and checks on what users name and ask for, shared by every front end.
#include <cstddef>
#include <string>
#include <string_view>

namespace ksauth::app {

inline constexpr std::size_t kMaxRowsShown = 1000;  // "display first N": the prototype's bound

// Error(invalid_input) when n > kMaxRowsShown.
// `more`, when given, says where every row can be had (the caller's: "--csv writes every row").
void check_rows_shown(std::size_t n, std::string_view more = {});
// A model name: 1-64 of letters, digits, '.', '_', '-', starting with a letter or digit. Error(invalid_input)
// quoting the name.
void check_model_name(const std::string& name);
// The same rule for a verifier's name (its message says "verifier name").
void check_verifier_name(const std::string& name);

}  // namespace ksauth::app
