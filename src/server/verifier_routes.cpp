#include "app/limits.hpp"
#include "app/report_json.hpp"
#include "app/verifier_registry.hpp"
#include "app/verify.hpp"
#include "server/http_io.hpp"
#include "server/job_json.hpp"
#include "server/routes.hpp"

namespace ksauth::server {

using nlohmann::json;

void add_verifier_routes(Router& router, const Context& ctx) {
  const std::string base = std::string(kApi) + "/verifiers";
  const std::string db = ctx.db_path;
  const ingest::SourcePolicy sources = ctx.sources;
  app::JobManager* jobs = &ctx.jobs;

  router.get(base, [db](const httplib::Request&, httplib::Response& res) {
    const store::Store store(db);
    json out = json::array();
    for (const auto& v : app::list_verifiers(store)) out.push_back(app::to_json(v));
    send_json(res, out);
  });

  // Enrollment runs as a background job, like training (its progress and result under /jobs/{id}).
  router.post(base, [jobs, sources](const httplib::Request& req, httplib::Response& res) {
    send_json(res, to_json(jobs->submit(enroll_request(json_body(req), sources))), 202);
  });

  router.get(base + "/([^/]+)", [db](const httplib::Request& req, httplib::Response& res) {
    const std::string name = name_segment(req);
    const store::Store store(db);
    send_json(res, app::to_json(app::get_verifier_summary(store, name)));
  });

  router.del(base + "/([^/]+)", [db](const httplib::Request& req, httplib::Response& res) {
    const std::string name = name_segment(req);
    store::Store store(db);
    app::delete_verifier(store, name);
    send_json(res, {{"deleted", name}});
  });

  // Every attempt of a test file for one claimed user: {"user_label": ..., "attempts": [...]} or {"url": ...}.
  router.post(base + "/([^/]+)/verify", [db, sources](const httplib::Request& req, httplib::Response& res) {
    const std::string name = name_segment(req);
    const std::size_t first_n = size_param(req, "first_n", app::kMaxRowsShown);
    app::check_rows_shown(first_n);
    const json body = json_body(req);
    const std::string user = required_string(body, "user_label");
    const bool has_attempts = body.contains("attempts"), has_url = body.contains("url");
    if (has_attempts == has_url)
      throw Error(ErrorKind::invalid_input, "the body needs either \"attempts\" or \"url\" (not both)");
    const store::Store store(db);
    const app::VerifyReport report = has_url ? app::verify(store, source_url(body, sources), name, user, sources)
                                             : app::verify_test_json(store, req.body, name, user);
    send_json(res, app::to_json(report, first_n));
  }, Access::prediction);

  // One attempt, the deployed verifier's question: {"model": NAME, "user_label": ..., "attempt": [...]}
  // ("verifier" may stand for "model") -> {"accept", "score", "threshold"}.
  router.post(std::string(kApi) + "/verify", [db](const httplib::Request& req, httplib::Response& res) {
    const json body = json_body(req);
    const auto model = string_field(body, "model"), verifier = string_field(body, "verifier");
    if (model.has_value() == verifier.has_value())
      throw Error(ErrorKind::invalid_input, model ? "the body names the verifier twice: \"model\" or \"verifier\", not both"
                                                  : "the body needs the verifier's name as \"model\" (or \"verifier\")");
    const std::string name = model ? *model : *verifier;
    app::check_verifier_name(name);
    const std::string user = required_string(body, "user_label");
    if (body.contains("url") || body.contains("attempts"))
      throw Error(ErrorKind::invalid_input, "/verify scores one \"attempt\"; for a test file (\"attempts\" or \"url\") use "
                                            "POST /api/v1/verifiers/" + name + "/verify");
    const auto attempt = body.find("attempt");
    if (attempt == body.end() || !attempt->is_array())
      throw Error(ErrorKind::invalid_input, "the body needs \"attempt\": an array of events");
    const store::Store store(db);
    const app::VerifyReport report = app::verify_attempt_json(store, name, user, attempt->dump());
    const app::VerificationRow& row = report.rows.front();
    send_json(res, {{"accept", row.accept},
                    {"score", row.score},
                    {"threshold", report.threshold},
                    {"model", name},
                    {"type", report.type},
                    {"user_label", user}});
  }, Access::prediction);
}

}  // namespace ksauth::server
