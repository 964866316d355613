#include "core/params.hpp"

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
  std::size_t used = 0;
  double number = 0;
  try {
    number = std::stod(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != value.size() || !std::isfinite(number))
    throw Error(ErrorKind::invalid_input, "parameter '" + name + "': '" + value + "' is not a number");
  return {std::move(name), number};
}

nlohmann::json params_to_json(const Params& params) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, value] : params) j[name] = value;
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
