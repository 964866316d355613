#pragma once
// The use cases' answers as JSON: what `--json` prints and what the API returns, one shape for both.
#include <nlohmann/json.hpp>

#include "app/analyze.hpp"
#include "app/model_registry.hpp"
#include "app/predict.hpp"
#include "app/train.hpp"

namespace ksauth::app {

nlohmann::json to_json(const store::DataSetRecord& dataset);
nlohmann::json to_json(const ModelSummary& model);
nlohmann::json to_json(const AnalyzeReport& report);
nlohmann::json to_json(const TrainReport& report);
nlohmann::json to_json(const PredictReport& report, std::size_t first_n);

}  // namespace ksauth::app
