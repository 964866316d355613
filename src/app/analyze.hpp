#pragma once
// Use case: analyze a training source: which attempts are valid, who is enrolled, and the features a
// model will learn from.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "app/data_set.hpp"
#include "features/keystroke_table.hpp"

namespace ksauth::app {

struct AnalyzeRequest {
  std::string url;
  DataOptions data;
  std::size_t first_n = 10;  // rows of the keystroke and feature tables, at most kMaxRowsShown
};

struct AnalyzeReport {
  store::DataSetRecord dataset;
  bool from_store = false;  // read from the store: loaded before (DataOptions::refresh downloads again)
  std::optional<ingest::PageFailure> failure;
  features::PhraseChoice phrase;
  std::size_t min_attempts = 1;
  std::vector<features::UserSummary> users;
  std::size_t n_attempts = 0;
  std::size_t n_valid = 0;
  std::size_t n_keystrokes = 0;
  std::size_t n_feature_rows = 0;  // valid attempts of enrolled users: what a model trains on
  std::vector<features::KeystrokeRow> keystrokes;  // the first N
  features::FeatureLayout layout;
  std::vector<FeatureRow> features;  // the first N
};

AnalyzeReport analyze(store::Store& store, const AnalyzeRequest& request, const Progress& progress = {});
// The same report for data however it was loaded (a stored data set, an upload); first_n <= kMaxRowsShown.
AnalyzeReport analysis_of(const LoadedData& data, std::size_t first_n);

}  // namespace ksauth::app
