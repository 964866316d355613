#pragma once
// A training job as the API shows it.
#include <nlohmann/json.hpp>

#include "app/jobs.hpp"

namespace ksauth::server {

// {"id", "status", "step", "done", "total", "percent", "error", "request", "created_at", "result"}
nlohmann::json to_json(const app::JobSnapshot& job);
// The body of POST /api/v1/jobs as a training request (Error(invalid_input) naming a bad field).
app::TrainRequest train_request(const nlohmann::json& body, bool allow_local_sources);

}  // namespace ksauth::server
