#include "app/limits.hpp"

#include "core/error.hpp"
#include "core/text.hpp"

namespace ksauth::app {
namespace {

// `what` names the thing ("model name", "verifier name"); the message quotes the name given, made printable.
void check_name(const std::string& name, const char* what) {
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  bool ok = !name.empty() && name.size() <= 64 && alnum(name.front());
  for (char c : name) ok = ok && (alnum(c) || c == '.' || c == '_' || c == '-');
  if (!ok)
    throw Error(ErrorKind::invalid_input, std::string(what) +
                                              " must be 1-64 letters, digits, '.', '_' or '-', starting with a letter "
                                              "or digit (got \"" + printable(name, 60) + "\")");
}

}  // namespace

void check_rows_shown(std::size_t n, std::string_view more) {
  if (n > kMaxRowsShown)
    throw Error(ErrorKind::invalid_input, "at most " + std::to_string(kMaxRowsShown) + " rows can be shown (got " +
                                              std::to_string(n) + ")" + (more.empty() ? "" : "; " + std::string(more)));
}

void check_model_name(const std::string& name) { check_name(name, "model name"); }
void check_verifier_name(const std::string& name) { check_name(name, "verifier name"); }

}  // namespace ksauth::app
