#include "app/verifier_registry.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "app/model_registry.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

namespace ksauth::app {
namespace {

Error no_such_verifier(const store::Store& store, const std::string& name) {
  return Error(ErrorKind::not_found, "no verifier named '" + printable(name, 64) + "' (" +
                                         stored_names(store.list_verifiers(), "verifiers") + ")");
}

// Rates are in [0,1] and thresholds finite; anything else in the database was changed behind our back.
double number_at(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number()) throw std::runtime_error(std::string("\"") + key + "\" is missing or not a number");
  const double x = it->get<double>();
  if (!std::isfinite(x)) throw std::runtime_error(std::string("\"") + key + "\" is not finite");
  return x;
}

std::size_t count_at(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned()) throw std::runtime_error(std::string("\"") + key + "\" is not a count");
  return it->get<std::size_t>();
}

VerifierSummary summarize(const store::Store& store, store::ModelRecord record) {
  VerifierSummary s;
  record.blob.clear();
  try {
    const auto params = nlohmann::json::parse(record.params_json);
    s.family = params.at("family").get<std::string>();
    if (s.family != "detector" && s.family != "classifier") throw std::runtime_error("unknown family");
    if (!params.at("target_fmr").is_null()) s.policy.target_fmr = params.at("target_fmr").get<double>();
    s.params = params_from_json(params.at("params"));
    s.metrics = verifier_metrics_from_json(nlohmann::json::parse(record.metrics_json));
  } catch (...) {  // the database was changed behind our back
    rethrow_as_corrupt("verifier '" + record.name + "'", "its stored settings or rates are damaged");
  }
  if (auto ds = store.find_dataset(record.dataset_id)) s.dataset_source = ds->source;
  s.record = std::move(record);
  return s;
}

}  // namespace

nlohmann::json to_json(const VerifierMetrics& m) {
  nlohmann::json users = nlohmann::json::array();
  for (const UserVerification& u : m.users)
    users.push_back({{"user", u.user},
                     {"eer", u.eer},
                     {"zero_fmr", u.zero_fmr},
                     {"fmr100", u.fmr100},
                     {"threshold", u.threshold},
                     {"fmr", u.fmr},
                     {"fnmr", u.fnmr},
                     {"n_genuine", u.n_genuine},
                     {"n_impostor", u.n_impostor}});
  nlohmann::json det = nlohmann::json::array();
  for (const eval::DetPoint& p : m.det) det.push_back({{"fmr", p.fmr}, {"fnmr", p.fnmr}});
  return {{"eer_mean", m.eer_mean},     {"eer_std", m.eer_std},       {"zero_fmr_mean", m.zero_fmr_mean},
          {"fmr100_mean", m.fmr100_mean}, {"fmr_mean", m.fmr_mean},   {"fnmr_mean", m.fnmr_mean},
          {"users", users},             {"det", det}};
}

VerifierMetrics verifier_metrics_from_json(const nlohmann::json& j) {
  try {
    if (!j.is_object()) throw std::runtime_error("expected a JSON object");
    VerifierMetrics m;
    m.eer_mean = number_at(j, "eer_mean");
    m.eer_std = number_at(j, "eer_std");
    m.zero_fmr_mean = number_at(j, "zero_fmr_mean");
    m.fmr100_mean = number_at(j, "fmr100_mean");
    m.fmr_mean = number_at(j, "fmr_mean");
    m.fnmr_mean = number_at(j, "fnmr_mean");
    for (const auto& u : j.at("users")) {
      UserVerification v;
      v.user = u.at("user").get<std::string>();
      v.eer = number_at(u, "eer");
      v.zero_fmr = number_at(u, "zero_fmr");
      v.fmr100 = number_at(u, "fmr100");
      v.threshold = number_at(u, "threshold");
      v.fmr = number_at(u, "fmr");
      v.fnmr = number_at(u, "fnmr");
      v.n_genuine = count_at(u, "n_genuine");
      v.n_impostor = count_at(u, "n_impostor");
      m.users.push_back(std::move(v));
    }
    for (const auto& p : j.at("det")) m.det.push_back({number_at(p, "fmr"), number_at(p, "fnmr")});
    return m;
  } catch (const std::exception& e) {
    throw Error(ErrorKind::corrupt, std::string("verification rates: ") + e.what());
  }
}

std::string verifier_params_json(verify::Family family, const ThresholdPolicy& policy, const Params& params) {
  return nlohmann::json{{"family", verify::family_name(family)},
                        {"target_fmr", policy.target_fmr ? nlohmann::json(*policy.target_fmr) : nlohmann::json()},
                        {"params", params_to_json(params)}}
      .dump();
}

std::vector<VerifierSummary> list_verifiers(const store::Store& store) {
  std::vector<VerifierSummary> out;
  for (auto& r : store.list_verifiers()) out.push_back(summarize(store, std::move(r)));
  return out;
}

VerifierSummary get_verifier_summary(const store::Store& store, const std::string& name) {
  auto record = store.get_verifier(name);
  if (!record) throw no_such_verifier(store, name);
  return summarize(store, std::move(*record));
}

void delete_verifier(store::Store& store, const std::string& name) {
  if (!store.delete_verifier(name)) throw no_such_verifier(store, name);
}

verify::Verifier open_verifier(const store::Store& store, const std::string& name) {
  auto record = store.get_verifier(name);
  if (!record) throw no_such_verifier(store, name);
  try {
    return verify::load_verifier(record->blob);
  } catch (const Error& e) {
    throw Error(e.kind(), "verifier '" + name + "': " + e.what());
  }
}

}  // namespace ksauth::app
