#include "app/model_registry.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/text.hpp"

namespace ksauth::app {
namespace {

ModelSummary summarize(const store::Store& store, store::ModelRecord record) {
  ModelSummary s;
  record.blob.clear();
  try {
    s.params = params_from_json(nlohmann::json::parse(record.params_json));
    s.metrics = eval::metrics_from_json(nlohmann::json::parse(record.metrics_json));
  } catch (...) {  // the database was changed behind our back
    rethrow_as_corrupt("model '" + record.name + "'", "its stored parameters or metrics are damaged");
  }
  if (auto ds = store.find_dataset(record.dataset_id)) s.dataset_source = ds->source;
  s.record = std::move(record);
  return s;
}

std::vector<ModelSummary> summarize_all(const store::Store& store, std::vector<store::ModelRecord> records) {
  std::vector<ModelSummary> out;
  out.reserve(records.size());
  for (auto& r : records) out.push_back(summarize(store, std::move(r)));
  return out;
}

Error no_such_model(const store::Store& store, const std::string& name) {
  return Error(ErrorKind::not_found,
               "no model named '" + printable(name, 64) + "' (" + stored_names(store.list_models(), "models") + ")");
}

}  // namespace

std::string stored_names(const std::vector<store::ModelRecord>& records, const std::string& what) {
  if (records.empty()) return "no " + what + " stored yet";
  constexpr std::size_t kShown = 10;
  std::string names;
  for (std::size_t i = 0; i < std::min(records.size(), kShown); ++i) names += (i ? ", " : "") + records[i].name;
  if (records.size() > kShown) names += ", ... (" + std::to_string(records.size()) + " in all)";
  return "stored " + what + ": " + names;
}

std::vector<ModelSummary> list_models(const store::Store& store) { return summarize_all(store, store.list_models()); }

std::vector<ModelSummary> models_on_dataset(const store::Store& store, std::int64_t dataset_id) {
  return summarize_all(store, store.models_for_dataset(dataset_id));
}

ModelSummary get_model_summary(const store::Store& store, const std::string& name) {
  auto record = store.get_model(name);
  if (!record) throw no_such_model(store, name);
  return summarize(store, std::move(*record));
}

void delete_model(store::Store& store, const std::string& name) {
  if (!store.delete_model(name)) throw no_such_model(store, name);
}

std::string model_file_bytes(const store::Store& store, const std::string& name) {
  auto record = store.get_model(name);
  if (!record) throw no_such_model(store, name);
  return std::move(record->blob);
}

models::TrainedModel open_model(const store::Store& store, const std::string& name) {
  auto record = store.get_model(name);
  if (!record) throw no_such_model(store, name);
  try {
    return models::load_model(record->blob);
  } catch (const Error& e) {
    throw Error(e.kind(), "model '" + name + "': " + e.what());
  }
}

}  // namespace ksauth::app
