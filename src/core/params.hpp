#pragma once
// Model parameters are plain data (scikit-learn's idea): a name -> number map that the CLI, the API and
// the store all speak. Each model validates the names and ranges it accepts.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ksauth {

using Params = std::map<std::string, double>;

// "n_estimators=200" -> {"n_estimators", 200}; throws Error(invalid_input) naming the text.
std::pair<std::string, double> parse_param(const std::string& text);
// Several NAME=NUMBER texts; a name given twice is an error.
Params parse_params(const std::vector<std::string>& texts);
nlohmann::json params_to_json(const Params& params);
Params params_from_json(const nlohmann::json& j);

}  // namespace ksauth
