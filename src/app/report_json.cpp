#include "app/report_json.hpp"

namespace ksauth::app {
namespace {

using nlohmann::json;

json failure_json(const std::optional<ingest::PageFailure>& failure) {
  if (!failure) return nullptr;
  return {{"page", failure->page}, {"reason", failure->reason}};
}

json phrase_json(const features::PhraseChoice& phrase) {
  return {{"text", phrase.phrase}, {"source", features::to_string(phrase.source)}};
}

}  // namespace

std::string dump_json(const json& j, int indent) { return j.dump(indent, ' ', false, json::error_handler_t::replace); }

json to_json(const store::DataSetRecord& d) {
  return {{"id", d.id},           {"source", d.source},         {"fingerprint", d.fingerprint},
          {"phrase", d.phrase},   {"n_users", d.n_users},       {"n_attempts", d.n_attempts},
          {"n_valid", d.n_valid}, {"fetched_at", d.fetched_at},
          {"n_pages", d.n_pages}, {"failure", d.failure_page.empty() ? json(nullptr) : json{{"page", d.failure_page}, {"reason", d.failure_reason}}}};
}

json to_json(const ModelSummary& m) {
  return {{"name", m.record.name},
          {"type", m.record.type},
          {"params", params_to_json(m.params)},
          {"dataset_id", m.record.dataset_id},
          {"dataset_source", m.dataset_source},
          {"holdout", m.record.holdout},
          {"seed", m.record.seed},
          {"metrics", eval::to_json(m.metrics)},
          {"created_at", m.record.created_at}};
}

json to_json(const AnalyzeReport& r) {
  json users = json::array();
  for (const auto& u : r.users)
    users.push_back({{"user", u.user}, {"valid", u.valid}, {"invalid", u.invalid}, {"enrolled", u.enrolled}});
  json keystrokes = json::array();
  for (const auto& k : r.keystrokes)
    keystrokes.push_back({{"typed_at", k.typed_at},
                          {"character", k.character},
                          {"user", k.user},
                          {"year", k.time.year},
                          {"month", k.time.month},
                          {"day", k.time.day},
                          {"hour", k.time.hour},
                          {"minute", k.time.minute},
                          {"second", k.time.second},
                          {"microsecond", k.time.microsecond},
                          {"character_code", k.character_code}});
  json features = json::array();
  for (const auto& f : r.features) features.push_back({{"attempt", f.attempt}, {"user", f.user}, {"values", f.values}});
  return {{"dataset", to_json(r.dataset)},
          {"from_store", r.from_store},
          {"failure", failure_json(r.failure)},
          {"phrase", phrase_json(r.phrase)},
          {"min_attempts", r.min_attempts},
          {"n_attempts", r.n_attempts},
          {"n_valid", r.n_valid},
          {"n_invalid", r.n_attempts - r.n_valid},
          {"n_keystrokes", r.n_keystrokes},
          {"n_feature_rows", r.n_feature_rows},
          {"users", users},
          {"keystrokes", keystrokes},
          {"feature_names", r.layout.names},
          {"features", features}};
}

json to_json(const TrainReport& r) {
  json comparison = json::array();
  for (const auto& m : r.comparison) comparison.push_back(to_json(m));
  const eval::Metrics& m = r.model.metrics;
  return {{"model", to_json(r.model)},
          {"accuracy", m.accuracy},
          {"precision", m.precision},
          {"recall", m.recall},
          {"f1", m.f1},
          {"roc_auc", m.roc_auc},
          {"top3_accuracy", m.top3_accuracy},
          {"n_train", r.n_train},
          {"n_holdout", r.n_holdout},
          {"n_users", r.labels.size()},
          {"fit_seconds", r.fit_seconds},
          {"fit_summary", r.fit_summary},
          {"dataset", to_json(r.dataset)},
          {"failure", failure_json(r.failure)},
          {"from_store", r.from_store},
          {"phrase", phrase_json(r.phrase)},
          {"labels", r.labels},
          {"confusion", r.confusion.empty() ? json(nullptr) : json(r.confusion)},
          {"comparison", comparison}};
}

json to_json(const PredictReport& r, std::size_t first_n) {
  json rows = json::array();
  for (std::size_t i = 0; i < r.rows.size() && i < first_n; ++i) {
    const PredictionRow& row = r.rows[i];
    json top = json::array();
    for (const auto& c : row.top) top.push_back({{"user", c.user}, {"confidence", c.confidence}});
    rows.push_back({{"attempt", row.attempt},
                    {"status", row.ok ? "ok" : "invalid"},
                    {"reason", row.ok ? json(nullptr) : json(row.reason)},
                    {"predicted_user", row.ok ? json(row.predicted_user) : json(nullptr)},
                    {"confidence", row.ok ? json(row.confidence) : json(nullptr)},
                    {"top", top}});
  }
  return {{"model", r.model},     {"phrase", r.phrase},       {"n_attempts", r.rows.size()},
          {"n_ok", r.n_ok},       {"n_invalid", r.n_invalid}, {"rows", rows}};
}

json to_json(const VerifierSummary& v) {
  return {{"name", v.record.name},
          {"type", v.record.type},
          {"family", v.family},
          {"params", params_to_json(v.params)},
          {"target_fmr", v.policy.target_fmr ? json(*v.policy.target_fmr) : json(nullptr)},
          {"threshold_at", v.policy.target_fmr ? "target_fmr" : "eer"},
          {"dataset_id", v.record.dataset_id},
          {"dataset_source", v.dataset_source},
          {"holdout", v.record.holdout},
          {"seed", v.record.seed},
          {"metrics", to_json(v.metrics)},
          {"created_at", v.record.created_at}};
}

json to_json(const EnrollReport& r) {
  json skipped = json::array();
  for (const auto& s : r.skipped) skipped.push_back({{"user", s.user}, {"reason", s.reason}});
  return {{"verifier", to_json(r.verifier)},
          {"n_train", r.n_train},
          {"n_holdout", r.n_holdout},
          {"n_enrolled", r.verifier.metrics.users.size()},
          {"skipped", skipped},
          {"seconds", r.seconds},
          {"fit_summary", r.fit_summary},
          {"dataset", to_json(r.dataset)},
          {"failure", failure_json(r.failure)},
          {"from_store", r.from_store},
          {"phrase", phrase_json(r.phrase)}};
}

json to_json(const VerifyReport& r, std::size_t first_n) {
  json rows = json::array();
  for (std::size_t i = 0; i < r.rows.size() && i < first_n; ++i) {
    const VerificationRow& row = r.rows[i];
    rows.push_back({{"attempt", row.attempt},
                    {"status", row.ok ? "ok" : "invalid"},
                    {"reason", row.ok ? json(nullptr) : json(row.reason)},
                    {"accept", row.ok ? json(row.accept) : json(nullptr)},
                    {"score", row.ok ? json(row.score) : json(nullptr)}});
  }
  return {{"verifier", r.verifier}, {"type", r.type},         {"user_label", r.user},
          {"threshold", r.threshold}, {"n_attempts", r.rows.size()}, {"n_ok", r.n_ok},
          {"n_accepted", r.n_accepted}, {"rows", rows}};
}

}  // namespace ksauth::app
