#include "core/params.hpp"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace ksauth {

std::pair<std::string, double> parse_param(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error(ErrorKind::invalid_input, "parameter '" + text + "': expected NAME=NUMBER");
  std::string name = text.substr(0, eq);
  const std::string value = text.substr(eq + 1);
  double number = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);  // decimal only
  if (ec == std::errc::result_out_of_range)
    throw Error(ErrorKind::invalid_input, "parameter '" + name + "': '" + value + "' is out of range");
  if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(number))
    throw Error(ErrorKind::invalid_input, "parameter '" + name + "': '" + value + "' is not a number");
  return {std::move(name), number};
}

Params parse_params(const std::vector<std::string>& texts) {
  Params params;
  for (const std::string& text : texts) {
    auto [name, value] = parse_param(text);
    if (!params.emplace(name, value).second)
      throw Error(ErrorKind::invalid_input, "parameter '" + name + "' is given twice");
  }
  return params;
}

nlohmann::json params_to_json(const Params& params) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, value] : params) {
    // Whole numbers read as such (200, not 200.0); the rest as doubles.
    if (value == std::trunc(value) && std::abs(value) < 9007199254740992.0)
      j[name] = static_cast<std::int64_t>(value);
    else
      j[name] = value;
  }
  return j;
}

Params params_from_json(const nlohmann::json& j) {
  Params params;
  if (!j.is_object()) throw Error(ErrorKind::invalid_input, "parameters: expected a JSON object");
  for (const auto& [name, value] : j.items()) {
    if (!value.is_number())
      throw Error(ErrorKind::invalid_input, "parameter '" + name + "': expected a number");
    params[name] = value.get<double>();
  }
  return params;
}

}  // namespace ksauth
