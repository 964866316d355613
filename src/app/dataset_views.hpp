#pragma once
// Use cases over a data set already in the store (by id): its analysis, its keystrokes and features one
// page at a time, and the rhythm of one user against everyone's.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/analyze.hpp"
#include "app/data_set.hpp"

namespace ksauth::app {

// What `analyze` reports, for a stored data set (from_store is true). first_n <= kMaxRowsShown.
AnalyzeReport analyze_stored(const store::Store& store, std::int64_t dataset_id, const DataOptions& options,
                             std::size_t first_n);

// One uploaded training page stored as a data set ("upload:NAME"), analysed (from_store is false).
AnalyzeReport analyze_upload(store::Store& store, const std::string& name, std::string_view page_json,
                             const DataOptions& options, std::size_t first_n);

struct KeystrokePage {
  std::size_t total = 0;  // key events in the data set
  std::size_t offset = 0;
  std::vector<features::KeystrokeRow> rows;
};
// Rows [offset, offset + limit) of the per-keystroke table; limit <= kMaxRowsShown.
KeystrokePage keystroke_page(const store::Store& store, std::int64_t dataset_id, std::size_t offset,
                             std::size_t limit);

struct FeaturePage {
  std::size_t total = 0;  // feature rows: valid attempts of enrolled users
  std::size_t offset = 0;
  std::vector<std::string> feature_names;
  std::vector<FeatureRow> rows;
};
FeaturePage feature_page(const store::Store& store, std::int64_t dataset_id, const DataOptions& options,
                         std::size_t offset, std::size_t limit);

// Press-to-press latency (seconds) into each phrase position from the previous key, over valid attempts:
// mean and standard deviation (population: divided by n) per position, of one user and of everyone.
struct Rhythm {
  std::vector<std::string> positions;  // the phrase's characters from the second on
  std::optional<std::string> user;
  std::size_t user_attempts = 0;
  std::size_t population_attempts = 0;
  std::vector<double> user_mean, user_std, population_mean, population_std;
};
// user unset: the population only. Error(not_found) for a user not in the data set, Error(invalid_input)
// for a user without valid attempts.
Rhythm rhythm(const store::Store& store, std::int64_t dataset_id, const std::optional<std::string>& user,
              const DataOptions& options);

}  // namespace ksauth::app
