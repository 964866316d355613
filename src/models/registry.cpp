#include <string>

#include "core/error.hpp"
#include "core/text.hpp"
#include "models/adaboost.hpp"
#include "models/checks.hpp"
#include "models/classifier.hpp"
#include "models/manhattan.hpp"

namespace ksauth::models {

const std::vector<std::string>& classifier_types() {
  static const std::vector<std::string> types{"adaboost", "manhattan"};
  return types;
}

std::unique_ptr<Classifier> make_classifier(std::string_view type, const Params& params) {
  if (type == "adaboost") return std::make_unique<AdaBoost>(params);
  if (type == "manhattan") return std::make_unique<Manhattan>(params);
  std::string known;
  for (const std::string& t : classifier_types()) known += (known.empty() ? "" : ", ") + t;
  throw Error(ErrorKind::invalid_input,
              "unknown model type '" + printable(type, 64) + "' (known types: " + known + ")");
}

}  // namespace ksauth::models
