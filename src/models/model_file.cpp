#include "models/model_file.hpp"

#include <algorithm>
#include <cstring>
#include <set>

#include "core/error.hpp"
#include "core/sealed_file.hpp"
#include "core/text.hpp"
#include "models/checks.hpp"

namespace ksauth::models {
namespace {


[[noreturn]] void corrupt(const std::string& what) { throw Error(ErrorKind::corrupt, what); }

// The rules a model file's content follows, checked when saving (invalid_input) and loading (corrupt).
// Returns an empty string when they hold, else what is wrong.
std::string content_problem(const std::vector<std::string>& feature_names,
                            const std::vector<std::string>& labels, const Classifier& classifier) {
  if (classifier.n_features() == 0 || classifier.n_classes() <= 0) return "the classifier is not fitted";
  if (feature_names.size() != classifier.n_features())
    return std::to_string(feature_names.size()) + " feature names for a classifier fitted on " +
           std::to_string(classifier.n_features()) + " features";
  if (labels.size() != static_cast<std::size_t>(classifier.n_classes()))
    return std::to_string(labels.size()) + " labels for a classifier of " +
           std::to_string(classifier.n_classes()) + " classes";
  if (std::set<std::string>(feature_names.begin(), feature_names.end()).size() != feature_names.size())
    return "duplicate feature names";
  if (std::set<std::string>(labels.begin(), labels.end()).size() != labels.size()) return "duplicate labels";
  // Labels and names are shown to people: text only, nothing that could drive a terminal.
  for (const auto* strings : {&labels, &feature_names})
    for (const std::string& s : *strings)
      if (!is_valid_utf8(s) || has_control(s)) return "a label or feature name is not plain text: " + printable(s, 64);
  return {};
}

}  // namespace

std::string save_model(const TrainedModel& model) {
  if (!model.classifier) throw Error(ErrorKind::invalid_input, "model file: no classifier to save");
  const Classifier& classifier = *model.classifier;
  if (const std::string problem = content_problem(model.feature_names, model.labels, classifier);
      !problem.empty())
    throw Error(ErrorKind::invalid_input, "model file: " + problem);

  BinaryWriter payload;
  payload.str(classifier.type());
  const Params params = classifier.params();
  payload.u64(params.size());
  for (const auto& [name, value] : params) {
    payload.str(name);
    payload.f64(value);
  }
  payload.str(model.phrase);
  payload.strs(model.feature_names);
  payload.strs(model.labels);
  classifier.save(payload);

  return seal(kModelFile, payload.bytes());
}

TrainedModel load_model(std::string_view bytes) {
  const std::string_view payload = unseal(kModelFile, bytes).payload;

  // The payload. Every error in it is Error(corrupt), whatever raised it.
  TrainedModel model;
  try {
    BinaryReader in(payload);
    const std::string type = in.str();
    Params params;
    const std::size_t n_params = in.count(8 + 8);
    for (std::size_t i = 0; i < n_params; ++i) {
      std::string name = in.str();
      const double value = in.f64();
      if (!params.emplace(std::move(name), value).second) corrupt("model file: a parameter appears twice");
    }
    if (std::find(classifier_types().begin(), classifier_types().end(), type) == classifier_types().end())
      corrupt("model file: unknown model type '" + printable(type, 64) + "'");
    try {
      model.classifier = make_classifier(type, params);
    } catch (const Error& e) {
      corrupt(std::string("model file: bad parameters: ") + e.what());
    }
    model.phrase = in.str();
    model.feature_names = in.strs();
    model.labels = in.strs();
    model.classifier->load(in);
    if (!in.at_end())
      corrupt("model file: " + std::to_string(in.remaining()) + " unexpected bytes after the model");
    if (model.classifier->params() != params)
      corrupt("model file: the parameters differ from the classifier's");
    if (const std::string problem = content_problem(model.feature_names, model.labels, *model.classifier);
        !problem.empty())
      corrupt("model file: " + problem);
  } catch (const Error& e) {
    if (passes_through_loading(e.kind())) throw;
    corrupt(std::string("model file: ") + e.what());
  }
  return model;
}

}  // namespace ksauth::models
