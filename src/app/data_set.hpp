#pragma once
// Loading a training source into the store and into what models learn from: the first use case step
// shared by analyze and train.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/matrix.hpp"
#include "core/progress.hpp"
#include "features/validation.hpp"
#include "features/vector.hpp"
#include "ingest/pages.hpp"
#include "store/store.hpp"

namespace ksauth::app {

struct DataOptions {
  std::optional<std::string> phrase;  // unset: the default phrase if typed, else inferred; "auto": inferred
  std::size_t min_attempts = 1;       // valid attempts a user needs to be enrolled
};

struct LoadedData {
  std::string source;
  ingest::ChainLoad load;
  features::Validation validation;
  features::FeatureLayout layout;
  store::DataSetRecord dataset;  // as stored (id set)
};

// Fetches the chain at `url`, validates it, chooses the feature layout and stores the data set
// (an identical earlier load of the same source is reused, not duplicated).
LoadedData load_training_data(store::Store& store, const std::string& url, const DataOptions& options,
                              const Progress& progress);

// Rows: the valid attempts of enrolled users; y: index into labels (enrolled users, in order met).
struct LabelledFeatures {
  Matrix x;
  std::vector<int> y;
  std::vector<std::string> labels;
  std::vector<std::size_t> attempt_index;  // row -> index of the attempt in the load
};

LabelledFeatures labelled_features(const LoadedData& data);

}  // namespace ksauth::app
