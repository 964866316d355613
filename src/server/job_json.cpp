#include "server/job_json.hpp"

#include "app/report_json.hpp"
#include "server/http_io.hpp"

namespace ksauth::server {

using nlohmann::json;

namespace {

json data_json(const app::DataOptions& data) {
  return {{"phrase", data.phrase ? json(*data.phrase) : json(nullptr)},
          {"min_attempts", data.min_attempts},
          {"refresh", data.refresh}};
}

json request_json(const app::TrainRequest& r) {
  json out = {{"url", r.url},         {"model", r.model_type}, {"name", r.name},
              {"holdout", r.holdout}, {"seed", r.seed},        {"params", params_to_json(r.params)},
              {"replace", r.replace}};
  out.update(data_json(r.data));
  return out;
}

json request_json(const app::EnrollRequest& r) {
  json out = {{"url", r.url},
              {"type", r.type},
              {"family", r.family ? json(verify::family_name(*r.family)) : json(nullptr)},
              {"name", r.name},
              {"holdout", r.holdout},
              {"seed", r.seed},
              {"params", params_to_json(r.params)},
              {"target_fmr", r.policy.target_fmr ? json(*r.policy.target_fmr) : json(nullptr)},
              {"replace", r.replace}};
  out.update(data_json(r.data));
  return out;
}

}  // namespace

json to_json(const app::JobSnapshot& job) {
  const json request = std::visit([](const auto& r) { return request_json(r); }, job.request);
  const json result =
      job.result ? std::visit([](const auto& r) { return app::to_json(r); }, *job.result) : json(nullptr);
  return {{"id", job.id},
          {"kind", app::job_kind(job.request)},
          {"status", app::to_string(job.state)},
          {"step", job.step},
          {"done", job.done},
          {"total", job.total},
          {"percent", job.percent},
          {"error", job.error ? json(*job.error) : json(nullptr)},
          {"request", request},
          {"created_at", job.created_at},
          {"result", result}};
}

app::TrainRequest train_request(const json& body, const ingest::SourcePolicy& sources) {
  app::TrainRequest r;
  r.url = source_url(body, sources);
  r.model_type = required_string(body, "model");
  r.name = required_string(body, "name");
  r.holdout = number_field(body, "holdout", r.holdout);
  r.seed = unsigned_field(body, "seed", r.seed);
  if (const auto it = body.find("params"); it != body.end() && !it->is_null()) r.params = params_from_json(*it);
  r.replace = bool_field(body, "replace", false);
  r.data = data_options(body, sources);
  return r;
}

app::EnrollRequest enroll_request(const json& body, const ingest::SourcePolicy& sources) {
  app::EnrollRequest r;
  r.url = source_url(body, sources);
  r.type = required_string(body, "type");
  if (const auto family = string_field(body, "family")) r.family = verify::family_named(*family);
  r.name = required_string(body, "name");
  r.holdout = number_field(body, "holdout", r.holdout);
  r.seed = unsigned_field(body, "seed", r.seed);
  if (const auto it = body.find("params"); it != body.end() && !it->is_null()) r.params = params_from_json(*it);
  if (const auto it = body.find("target_fmr"); it != body.end() && !it->is_null())
    r.policy.target_fmr = number_field(body, "target_fmr", 0);
  r.replace = bool_field(body, "replace", false);
  r.data = data_options(body, sources);
  return r;
}

}  // namespace ksauth::server
