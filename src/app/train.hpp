#pragma once
// Use case: train a model on a training source with a stratified holdout, store it, and compare it with
// every stored model trained on the same data set.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/data_set.hpp"
#include "app/model_registry.hpp"
#include "core/params.hpp"
#include "eval/metrics.hpp"

namespace ksauth::app {

struct TrainRequest {
  std::string url;
  std::string model_type;
  std::string name;
  Params params;            // the model's own parameters; unset ones take the model's defaults
  double holdout = 0.2;     // fraction of each user's valid attempts held out, in (0,1)
  std::uint64_t seed = 42;  // the split and the model's random choices
  bool replace = false;     // overwrite a stored model of the same name
  DataOptions data;
};

inline constexpr std::size_t kMaxConfusionUsers = 500;

struct TrainReport {
  store::DataSetRecord dataset;
  std::optional<ingest::PageFailure> failure;  // the chain stopped early: trained on the pages before it
  bool from_store = false;                     // the source was read from the store, not downloaded
  features::PhraseChoice phrase;
  ModelSummary model;  // the new model, as stored
  std::size_t n_train = 0;
  std::size_t n_holdout = 0;
  std::vector<std::string> labels;
  // [true][predicted] on the holdout; empty beyond kMaxConfusionUsers users, where its users x users counts
  // (10,000 users: 100 million, 200 MB of JSON in each job report) would outweigh the rest of the report.
  std::vector<std::vector<std::size_t>> confusion;
  double fit_seconds = 0;
  std::string fit_summary;  // the model's own line on the fit ("" when it has none)
  std::vector<ModelSummary> comparison;  // every stored model on this data (any source of it), the new one included
};

TrainReport train(store::Store& store, const TrainRequest& request, const Progress& progress = {});
// What train() checks before any download: the name (and that it is free unless replace), the model type
// and its parameters, the holdout. Error(invalid_input) / Error(conflict).
void check_train_request(const store::Store& store, const TrainRequest& request);

}  // namespace ksauth::app
