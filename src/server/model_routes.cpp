#include "app/limits.hpp"
#include "app/model_registry.hpp"
#include "app/predict.hpp"
#include "app/report_json.hpp"
#include "server/http_io.hpp"
#include "server/routes.hpp"

namespace ksauth::server {
namespace {

using nlohmann::json;

// A body {"attempts": [...]} (the test file format itself) or {"url": "..."}.
app::PredictReport predictions(const std::string& db, const ingest::SourcePolicy& sources, app::ModelCache& models,
                               const httplib::Request& req, const std::string& name) {
  const std::vector<bool> members = body_members(req, {"attempts", "url"});
  const bool has_attempts = members[0], has_url = members[1];
  if (has_attempts == has_url)
    throw Error(ErrorKind::invalid_input, "the body needs either \"attempts\" or \"url\" (not both)");
  if (has_url) {
    const std::string url = source_url(json_body(req), sources);
    return app::predict(store::Store(db), url, name, sources);
  }
  return app::predict_test_json(*models.open(name), req.body, name);
}

}  // namespace

void add_model_routes(Router& router, const Context& ctx) {
  const std::string base = std::string(kApi) + "/models";
  const std::string db = ctx.db_path;
  const ingest::SourcePolicy sources = ctx.sources;
  app::ModelCache& models = ctx.models;

  router.get(base, [db](const httplib::Request&, httplib::Response& res) {
    const store::Store store(db);
    json out = json::array();
    for (const auto& m : app::list_models(store)) out.push_back(app::to_json(m));
    send_json(res, out);
  });

  router.get(base + "/([^/]+)", [db](const httplib::Request& req, httplib::Response& res) {
    const std::string name = name_segment(req);
    const store::Store store(db);
    send_json(res, app::to_json(app::get_model_summary(store, name)));
  });

  router.del(base + "/([^/]+)", [db, &models](const httplib::Request& req, httplib::Response& res) {
    const std::string name = name_segment(req);
    store::Store store(db);
    app::delete_model(store, name);
    models.forget(name);
    send_json(res, {{"deleted", name}});
  });

  router.get(base + "/([^/]+)/file", [db](const httplib::Request& req, httplib::Response& res) {
    const std::string name = name_segment(req);
    const store::Store store(db);
    std::string bytes = app::model_file_bytes(store, name);
    res.set_header("Content-Disposition", "attachment; filename=\"" + name + ".ksauth\"");
    res.set_content(std::move(bytes), "application/octet-stream");
  });

  router.post(base + "/([^/]+)/predict", [db, sources, &models](const httplib::Request& req, httplib::Response& res) {
    const std::string name = name_segment(req);
    const std::size_t first_n = size_param(req, "first_n", app::kMaxRowsShown);
    app::check_rows_shown(first_n, "predict.csv answers every row");
    send_json(res, app::to_json(predictions(db, sources, models, req, name), first_n));
  }, Access::prediction);

  router.post(base + "/([^/]+)/predict\\.csv", [db, sources, &models](const httplib::Request& req, httplib::Response& res) {
    const std::string name = name_segment(req);
    const std::string csv = app::predictions_csv(predictions(db, sources, models, req, name));
    res.set_header("Content-Disposition", "attachment; filename=\"output_predictions.csv\"");
    res.set_content(csv, "text/csv; charset=utf-8");
  }, Access::prediction);
}

}  // namespace ksauth::server
