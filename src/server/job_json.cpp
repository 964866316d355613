#include "server/job_json.hpp"

#include "app/report_json.hpp"
#include "server/http_io.hpp"

namespace ksauth::server {

using nlohmann::json;

json to_json(const app::JobSnapshot& job) {
  const app::TrainRequest& r = job.request;
  const json request = {{"url", r.url},
                        {"model", r.model_type},
                        {"name", r.name},
                        {"holdout", r.holdout},
                        {"seed", r.seed},
                        {"params", params_to_json(r.params)},
                        {"replace", r.replace},
                        {"phrase", r.data.phrase ? json(*r.data.phrase) : json(nullptr)},
                        {"min_attempts", r.data.min_attempts},
                        {"refresh", r.data.refresh}};
  return {{"id", job.id},
          {"status", app::to_string(job.state)},
          {"step", job.step},
          {"done", job.done},
          {"total", job.total},
          {"percent", job.percent},
          {"error", job.error ? json(*job.error) : json(nullptr)},
          {"request", request},
          {"created_at", job.created_at},
          {"result", job.result ? app::to_json(*job.result) : json(nullptr)}};
}

app::TrainRequest train_request(const json& body, bool allow_local_sources) {
  app::TrainRequest r;
  r.url = source_url(body, allow_local_sources);
  r.model_type = required_string(body, "model");
  r.name = required_string(body, "name");
  r.holdout = number_field(body, "holdout", r.holdout);
  r.seed = unsigned_field(body, "seed", r.seed);
  if (const auto it = body.find("params"); it != body.end() && !it->is_null()) r.params = params_from_json(*it);
  r.replace = bool_field(body, "replace", false);
  r.data = data_options(body);
  return r;
}

}  // namespace ksauth::server
