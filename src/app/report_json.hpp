#pragma once
// The use cases' answers as JSON: what `--json` prints and what the API returns, one shape for both.
#include <nlohmann/json.hpp>

#include "app/analyze.hpp"
#include "app/enroll.hpp"
#include "app/model_registry.hpp"
#include "app/predict.hpp"
#include "app/train.hpp"
#include "app/verifier_registry.hpp"
#include "app/verify.hpp"

namespace ksauth::app {

// JSON text for output; text that is not UTF-8 (data can hold anything) is replaced, never a failure.
std::string dump_json(const nlohmann::json& j, int indent = -1);

nlohmann::json to_json(const store::DataSetRecord& dataset);
nlohmann::json to_json(const ModelSummary& model);
nlohmann::json to_json(const AnalyzeReport& report);
nlohmann::json to_json(const TrainReport& report);
nlohmann::json to_json(const PredictReport& report, std::size_t first_n);
nlohmann::json to_json(const VerifierSummary& verifier);
nlohmann::json to_json(const EnrollReport& report);
nlohmann::json to_json(const VerifyReport& report, std::size_t first_n);

}  // namespace ksauth::app
