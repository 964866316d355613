#include "server/http_io.hpp"
#include "server/job_json.hpp"
#include "server/routes.hpp"

namespace ksauth::server {

void add_job_routes(Router& router, const Context& ctx) {
  const std::string base = std::string(kApi) + "/jobs";
  app::JobManager* jobs = &ctx.jobs;
  const ingest::SourcePolicy sources = ctx.sources;

  router.post(base, [jobs, sources](const httplib::Request& req, httplib::Response& res) {
    send_json(res, to_json(jobs->submit(train_request(json_body(req), sources))), 202);
  });

  router.get(base, [jobs](const httplib::Request&, httplib::Response& res) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& job : jobs->list()) out.push_back(to_json(job));
    send_json(res, out);
  });

  router.get(base + "/([^/]+)", [jobs](const httplib::Request& req, httplib::Response& res) {
    send_json(res, to_json(jobs->get(req.matches[1])));
  });

  router.post(base + "/([^/]+)/cancel", [jobs](const httplib::Request& req, httplib::Response& res) {
    send_json(res, to_json(jobs->cancel(req.matches[1])));
  });
}

}  // namespace ksauth::server
