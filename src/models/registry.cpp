#include <string>

#include "core/error.hpp"
#include "core/text.hpp"
#include "models/adaboost.hpp"
#include "models/checks.hpp"
#include "models/classifier.hpp"
#include "models/manhattan.hpp"
#include "models/neural_classifier.hpp"

namespace ksauth::models {

const std::vector<std::string>& classifier_types() {
  static const std::vector<std::string> types{"adaboost", "manhattan", "mlp", "lstm"};
  return types;
}

std::unique_ptr<Classifier> make_classifier(std::string_view type, const Params& params) {
  if (type == "adaboost") return std::make_unique<AdaBoost>(params);
  if (type == "manhattan") return std::make_unique<Manhattan>(params);
  if (type == "mlp") return std::make_unique<NeuralClassifier>(NeuralClassifier::Kind::mlp, params);
  if (type == "lstm") return std::make_unique<NeuralClassifier>(NeuralClassifier::Kind::lstm, params);
  std::string known;
  for (const std::string& t : classifier_types()) known += (known.empty() ? "" : ", ") + t;
  throw Error(ErrorKind::invalid_input,
              "unknown model type '" + printable(type, 64) + "' (known types: " + known + ")");
}

}  // namespace ksauth::models
