#pragma once
// A job (training a model, enrolling a verifier) as the API shows it, and the request bodies that start one.
#include <nlohmann/json.hpp>

#include "app/jobs.hpp"

namespace ksauth::server {

// {"id", "kind", "status", "step", "done", "total", "percent", "error", "request", "created_at", "result"}
nlohmann::json to_json(const app::JobSnapshot& job);
// The body of POST /api/v1/jobs as a training request (Error(invalid_input) naming a bad field).
app::TrainRequest train_request(const nlohmann::json& body, const ingest::SourcePolicy& sources);
// The body of POST /api/v1/verifiers as an enrollment request (Error(invalid_input) naming a bad field).
app::EnrollRequest enroll_request(const nlohmann::json& body, const ingest::SourcePolicy& sources);

}  // namespace ksauth::server
