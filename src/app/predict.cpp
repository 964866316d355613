#include "app/predict.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "app/attempt_rows.hpp"
#include "app/csv.hpp"
#include "app/model_registry.hpp"
#include "core/error.hpp"
#include "ingest/pages.hpp"

namespace ksauth::app {

PredictReport predict_attempts(const models::TrainedModel& model, std::span<const Attempt> attempts) {
  const AttemptRows rows = attempt_rows(model.phrase, model.feature_names, attempts);
  PredictReport report;
  report.phrase = model.phrase;
  report.rows.resize(attempts.size());
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    report.rows[i].attempt = i;
    report.rows[i].reason = rows.reason[i];
  }
  const Matrix& x = rows.x;
  const std::vector<std::size_t>& scored = rows.attempt;
  if (!scored.empty()) {
    const Matrix proba = model.classifier->predict_proba(x);
    std::vector<std::size_t> order(proba.cols());
    for (std::size_t r = 0; r < scored.size(); ++r) {
      const auto p = proba.row(r);
      std::iota(order.begin(), order.end(), 0);
      const std::size_t k = std::min<std::size_t>(3, order.size());
      std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                        [&](std::size_t a, std::size_t b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
      PredictionRow& row = report.rows[scored[r]];
      row.ok = true;
      for (std::size_t j = 0; j < k; ++j) row.top.push_back({model.labels[order[j]], p[order[j]]});
      row.predicted_user = row.top.front().user;
      row.confidence = row.top.front().confidence;
    }
  }
  report.n_ok = scored.size();
  report.n_invalid = attempts.size() - scored.size();
  return report;
}

PredictReport predict(const store::Store& store, const std::string& url, const std::string& model_name,
                      const ingest::SourcePolicy& sources, const Progress& progress) {
  const models::TrainedModel model = open_model(store, model_name);  // a bad name fails before the download
  progress.report("download", 0, 1);
  const std::vector<Attempt> attempts = ingest::load_test_attempts(url, sources);
  progress.report("predicting", 0, 1);
  PredictReport report = predict_attempts(model, attempts);
  report.model = model_name;
  return report;
}

PredictReport predict_test_json(const store::Store& store, std::string_view test_json, const std::string& model_name) {
  return predict_test_json(open_model(store, model_name), test_json, model_name);
}

PredictReport predict_test_json(const models::TrainedModel& model, std::string_view test_json, const std::string& model_name) {
  std::vector<Attempt> attempts;
  try {
    attempts = ingest::parse_test_file(test_json);
  } catch (const Error& e) {
    throw Error(e.kind(), std::string("body: ") + e.what());
  }
  PredictReport report = predict_attempts(model, attempts);
  report.model = model_name;
  return report;
}

std::string predictions_csv(const PredictReport& report) {
  std::string out = "attempt,status,predicted_user,confidence\n";
  for (const PredictionRow& row : report.rows) {
    char confidence[32] = "";
    if (row.ok) std::snprintf(confidence, sizeof confidence, "%.6f", row.confidence);
    out += std::to_string(row.attempt) + ',' + (row.ok ? "ok" : "invalid") + ',' + csv_field(row.predicted_user) +
           ',' + confidence + '\n';
  }
  return out;
}

}  // namespace ksauth::app
