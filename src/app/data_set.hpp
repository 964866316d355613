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
#include "features/collector.hpp"
#include "features/validation.hpp"
#include "features/vector.hpp"
#include "ingest/pages.hpp"
#include "store/store.hpp"

namespace ksauth::app {

struct DataOptions {
  std::optional<std::string> phrase;  // unset: the default phrase if typed, else inferred; "auto": inferred
  std::size_t min_attempts = 1;       // valid attempts a user needs to be enrolled
  bool refresh = false;               // download a source again even though the store has it
  ingest::SourcePolicy sources;       // what may be downloaded, and how much (default: the command line's trust)
};

struct LoadedData {
  std::vector<Attempt> attempts;
  std::optional<ingest::PageFailure> failure;  // where the chain stopped early
  bool from_store = false;                     // loaded before: read from the store, not downloaded
  features::Validation validation;
  features::FeatureLayout layout;
  store::DataSetRecord dataset;  // as stored (id set)
};

// The prototype's behaviour: a source loaded before is read from the store, not downloaded again, unless
// options.refresh. Otherwise the chain at `url` is fetched and stored (an identical earlier load of the same
// source is reused, not duplicated). Then validated, with the feature layout chosen.
LoadedData load_training_data(store::Store& store, const std::string& url, const DataOptions& options,
                              const Progress& progress);
// A data set already in the store, validated with `options` (options.refresh is ignored). Error(not_found).
LoadedData load_stored_data(const store::Store& store, std::int64_t dataset_id, const DataOptions& options);
// One uploaded training page (its `next` is not followed), stored under the source "upload:NAME".
LoadedData load_uploaded_data(store::Store& store, const std::string& name, std::string_view page_json,
                              const DataOptions& options);

// Rows: the valid attempts of enrolled users; y: index into labels (enrolled users, in order met);
// attempt_index: row -> index of the attempt in the load.
using LabelledFeatures = features::LabelledRows;

LabelledFeatures labelled_features(const LoadedData& data);
// The same, for learning that compares users: Error(invalid_input) naming the source, the phrase and `why`
// (what the use case needs 2 users for) when fewer than 2 users have valid attempts.
LabelledFeatures labelled_features_of_users(const LoadedData& data, const std::string& url, const std::string& why);

// A training source read straight into its feature rows, page by page, with no key events kept and nothing
// stored: what a chain of any size costs in memory is its feature matrix. The same phrase, validation and
// rows as load_training_data followed by labelled_features.
struct StreamedFeatures {
  std::vector<std::string> pages;
  std::optional<ingest::PageFailure> failure;
  std::size_t n_attempts = 0;
  features::PhraseChoice phrase;
  std::vector<features::UserSummary> users;
  features::FeatureLayout layout;
  LabelledFeatures features;
};
StreamedFeatures stream_training_features(const std::string& url, const DataOptions& options, const Progress& progress);

struct FeatureRow {
  std::size_t attempt = 0;  // index in the load
  std::string user;
  std::vector<double> values;
};
// Rows [offset, offset + limit) of the features, as a table.
std::vector<FeatureRow> feature_rows(const LabelledFeatures& features, std::size_t offset, std::size_t limit);

}  // namespace ksauth::app
