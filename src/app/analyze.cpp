#include "app/analyze.hpp"

#include "app/limits.hpp"

namespace ksauth::app {

AnalyzeReport analyze(store::Store& store, const AnalyzeRequest& request, const Progress& progress) {
  check_rows_shown(request.first_n);
  const LoadedData data = load_training_data(store, request.url, request.data, progress);
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
  report.keystrokes = features::keystroke_rows(data.attempts, request.first_n);
  report.layout = data.layout;

  const LabelledFeatures rows = labelled_features(data);
  report.n_feature_rows = rows.x.rows();
  for (std::size_t r = 0; r < rows.x.rows() && r < request.first_n; ++r) {
    const auto values = rows.x.row(r);
    report.features.push_back({rows.attempt_index[r], rows.labels[static_cast<std::size_t>(rows.y[r])],
                               {values.begin(), values.end()}});
  }
  return report;
}

}  // namespace ksauth::app
