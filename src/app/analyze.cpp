#include "app/analyze.hpp"

#include "app/limits.hpp"

namespace ksauth::app {

AnalyzeReport analyze(store::Store& store, const AnalyzeRequest& request, const Progress& progress) {
  check_rows_shown(request.first_n);
  return analysis_of(load_training_data(store, request.url, request.data, progress), request.first_n);
}

AnalyzeReport analysis_of(const LoadedData& data, std::size_t first_n) {
  check_rows_shown(first_n);
  AnalyzeReport report;
  report.dataset = data.dataset;
  report.from_store = data.from_store;
  report.failure = data.failure;
  report.phrase = data.validation.phrase;
  report.min_attempts = data.validation.min_attempts;
  report.users = data.validation.users;
  report.n_attempts = data.attempts.size();
  report.n_valid = data.validation.n_valid();
  for (const Attempt& a : data.attempts) report.n_keystrokes += a.events.size();
  report.keystrokes = features::keystroke_rows(data.attempts, first_n);
  report.layout = data.layout;

  const LabelledFeatures rows = labelled_features(data);
  report.n_feature_rows = rows.x.rows();
  report.features = feature_rows(rows, 0, first_n);
  return report;
}

}  // namespace ksauth::app
