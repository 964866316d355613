#include "models/classifier.hpp"
#include "verify/detector.hpp"
#include "server/http_io.hpp"
#include "server/routes.hpp"

#ifndef KSAUTH_VERSION
#define KSAUTH_VERSION "unknown"
#endif

namespace ksauth::server {

void add_meta_routes(Router& router) {
  const std::string api = kApi;
  router.get(api + "/health", [](const httplib::Request&, httplib::Response& res) {
    send_json(res, {{"status", "ok"}, {"version", KSAUTH_VERSION}});
  });
  router.get(api + "/model-types", [](const httplib::Request&, httplib::Response& res) {
    nlohmann::json types = nlohmann::json::array();
    for (const std::string& type : models::classifier_types())
      types.push_back({{"type", type}, {"params", params_to_json(models::make_classifier(type)->params())}});
    send_json(res, types);
  });
  // What a verifier can be made of: the detectors (no parameters), then the model types.
  router.get(api + "/verifier-types", [](const httplib::Request&, httplib::Response& res) {
    nlohmann::json types = nlohmann::json::array();
    for (const std::string& type : verify::detector_types())
      types.push_back({{"type", type}, {"family", "detector"}, {"params", nlohmann::json::object()}});
    for (const std::string& type : models::classifier_types())
      types.push_back({{"type", type},
                       {"family", "classifier"},
                       {"params", params_to_json(models::make_classifier(type)->params())}});
    send_json(res, types);
  });
}

}  // namespace ksauth::server
