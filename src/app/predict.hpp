#pragma once
// Use case: who typed each attempt of a test source, with a stored model.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "core/attempt.hpp"
#include "core/progress.hpp"
#include "ingest/source_policy.hpp"
#include "models/model_file.hpp"
#include "store/store.hpp"

namespace ksauth::app {

struct Candidate {
  std::string user;
  double confidence = 0;
};

struct PredictionRow {
  std::size_t attempt = 0;  // 0-based index in the test source
  bool ok = false;          // false: the attempt cannot be scored ("invalid")
  std::string reason;       // why not, when !ok
  std::string predicted_user;
  double confidence = 0;       // in [0,1]
  std::vector<Candidate> top;  // the 3 most likely users, best first
};

struct PredictReport {
  std::string model;
  std::string phrase;
  std::vector<PredictionRow> rows;
  std::size_t n_ok = 0;
  std::size_t n_invalid = 0;
};

PredictReport predict_attempts(const models::TrainedModel& model, std::span<const Attempt> attempts);
// The attempts of a test URL, downloaded under `sources`.
PredictReport predict(const store::Store& store, const std::string& url, const std::string& model_name,
                      const ingest::SourcePolicy& sources, const Progress& progress = {});
// The same for a test file's text ({"attempts": [...]}) given directly, e.g. in a request body.
PredictReport predict_test_json(const store::Store& store, std::string_view test_json, const std::string& model_name);
// The same with the model already open (app/model_cache.hpp).
PredictReport predict_test_json(const models::TrainedModel& model, std::string_view test_json, const std::string& model_name);

// attempt,status,predicted_user,confidence: every row, the same for the CLI and the API.
std::string predictions_csv(const PredictReport& report);

}  // namespace ksauth::app
