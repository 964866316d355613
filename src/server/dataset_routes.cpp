#include "app/analyze.hpp"
#include "app/dataset_views.hpp"
#include "app/limits.hpp"
#include "app/report_json.hpp"
#include "core/text.hpp"
#include "server/http_io.hpp"
#include "server/routes.hpp"

namespace ksauth::server {
namespace {

using nlohmann::json;

// The keystroke and feature row shapes are report_json's (the analysis form): taken from there so that
// there is one definition of each.
json keystroke_rows_json(std::vector<features::KeystrokeRow> rows) {
  app::AnalyzeReport shape;
  shape.keystrokes = std::move(rows);
  return app::to_json(shape)["keystrokes"];
}

json feature_rows_json(std::vector<app::FeatureRow> rows) {
  app::AnalyzeReport shape;
  shape.features = std::move(rows);
  return app::to_json(shape)["features"];
}

json vector_json(const std::vector<double>& values, bool present) {
  return present ? json(values) : json(nullptr);
}

// ?name= of an upload: a label shown back to people, so one line of printable text.
std::string upload_name(const httplib::Request& req) {
  const std::string name = text_param(req, "name").value_or("upload.json");
  if (name.empty() || name.size() > 255 || has_control(name))
    throw Error(ErrorKind::invalid_input, "query parameter name: expected 1-255 printable characters");
  return name;
}

}  // namespace

void add_dataset_routes(Router& router, const Context& ctx) {
  const std::string base = std::string(kApi) + "/datasets";
  const std::string db = ctx.db_path;
  const ingest::SourcePolicy sources = ctx.sources;

  router.get(base, [db](const httplib::Request&, httplib::Response& res) {
    const store::Store store(db);
    json out = json::array();
    for (const auto& d : store.list_datasets()) out.push_back(app::to_json(d));
    send_json(res, out);
  });

  router.post(base, [db, sources](const httplib::Request& req, httplib::Response& res) {
    const json body = json_body(req);
    app::AnalyzeRequest request;
    request.url = source_url(body, sources);
    request.data = data_options(body, sources);
    request.first_n = static_cast<std::size_t>(unsigned_field(body, "first_n", 10));
    app::check_rows_shown(request.first_n);
    store::Store store(db);
    send_json(res, app::to_json(app::analyze(store, request)));
  });

  router.post(base + "/upload", [db](const httplib::Request& req, httplib::Response& res) {
    const std::string name = upload_name(req);
    const std::size_t first_n = size_param(req, "first_n", 10);
    const app::DataOptions options = data_options(req);
    store::Store store(db);
    send_json(res, app::to_json(app::analyze_upload(store, name, req.body, options, first_n)));
  });

  router.get(base + "/([^/]+)", [db](const httplib::Request& req, httplib::Response& res) {
    const std::int64_t id = dataset_id(req.matches[1]);
    const std::size_t first_n = size_param(req, "first_n", 10);
    const app::DataOptions options = data_options(req);
    const store::Store store(db);
    send_json(res, app::to_json(app::analyze_stored(store, id, options, first_n)));
  });

  router.get(base + "/([^/]+)/keystrokes", [db](const httplib::Request& req, httplib::Response& res) {
    const std::int64_t id = dataset_id(req.matches[1]);
    const std::size_t offset = size_param(req, "offset", 0);
    const std::size_t limit = size_param(req, "limit", 100);
    const store::Store store(db);
    app::KeystrokePage page = app::keystroke_page(store, id, offset, limit);
    send_json(res, {{"total", page.total}, {"offset", page.offset}, {"rows", keystroke_rows_json(std::move(page.rows))}});
  });

  router.get(base + "/([^/]+)/features", [db](const httplib::Request& req, httplib::Response& res) {
    const std::int64_t id = dataset_id(req.matches[1]);
    const std::size_t offset = size_param(req, "offset", 0);
    const std::size_t limit = size_param(req, "limit", 100);
    const app::DataOptions options = data_options(req);
    const store::Store store(db);
    app::FeaturePage page = app::feature_page(store, id, options, offset, limit);
    send_json(res, {{"total", page.total},
                    {"offset", page.offset},
                    {"feature_names", page.feature_names},
                    {"rows", feature_rows_json(std::move(page.rows))}});
  });

  router.get(base + "/([^/]+)/rhythm", [db](const httplib::Request& req, httplib::Response& res) {
    const std::int64_t id = dataset_id(req.matches[1]);
    std::optional<std::string> user = text_param(req, "user");
    if (user && user->empty()) user.reset();
    const app::DataOptions options = data_options(req);
    const store::Store store(db);
    const app::Rhythm r = app::rhythm(store, id, user, options);
    send_json(res, {{"positions", r.positions},
                    {"user", r.user ? json(*r.user) : json(nullptr)},
                    {"user_attempts", r.user ? json(r.user_attempts) : json(nullptr)},
                    {"population_attempts", r.population_attempts},
                    {"user_mean", vector_json(r.user_mean, r.user.has_value())},
                    {"user_std", vector_json(r.user_std, r.user.has_value())},
                    {"population_mean", r.population_mean},
                    {"population_std", r.population_std}});
  });
}

}  // namespace ksauth::server
