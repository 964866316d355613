#pragma once
// Use cases over stored models: list, look up, delete, and open one for prediction.
#include <string>
#include <vector>

#include "core/params.hpp"
#include "eval/metrics.hpp"
#include "models/model_file.hpp"
#include "store/store.hpp"

namespace ksauth::app {

// What a "no such name" message adds: "stored models: a1, m1" (the first ten), or "no models stored yet".
std::string stored_names(const std::vector<store::ModelRecord>& records, const std::string& what);

struct ModelSummary {
  store::ModelRecord record;  // without the blob
  Params params;
  eval::Metrics metrics;      // on its own holdout
  std::string dataset_source;
};

std::vector<ModelSummary> list_models(const store::Store& store);
std::vector<ModelSummary> models_on_dataset(const store::Store& store, std::int64_t dataset_id);
ModelSummary get_model_summary(const store::Store& store, const std::string& name);  // Error(not_found)
void delete_model(store::Store& store, const std::string& name);                    // Error(not_found)
// The stored model file's bytes, as they are (Error(not_found)).
std::string model_file_bytes(const store::Store& store, const std::string& name);
// The stored model, loaded and checked (Error(not_found) / Error(corrupt)).
models::TrainedModel open_model(const store::Store& store, const std::string& name);

}  // namespace ksauth::app
