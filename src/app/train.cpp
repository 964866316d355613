#include "app/train.hpp"

#include <chrono>
#include <nlohmann/json.hpp>

#include "app/limits.hpp"
#include "core/error.hpp"
#include "core/timestamp.hpp"
#include "eval/split.hpp"
#include "models/model_file.hpp"

namespace ksauth::app {

void check_train_request(const store::Store& store, const TrainRequest& request) {
  check_model_name(request.name);
  models::make_classifier(request.model_type, request.params);
  eval::check_holdout_fraction(request.holdout);
  if (!request.replace && store.get_model(request.name))
    throw Error(ErrorKind::conflict, "model '" + request.name + "' already exists: choose another name, or replace it (--replace; \"replace\": true)");
}

TrainReport train(store::Store& store, const TrainRequest& request, const Progress& progress) {
  // Everything the user named is checked before the download and the training, not after.
  check_train_request(store, request);
  auto classifier = models::make_classifier(request.model_type, request.params);

  const LoadedData data = load_training_data(store, request.url, request.data, progress);
  const LabelledFeatures rows =
      labelled_features_of_users(data, request.url, "telling typists apart needs at least 2 (see ksauth analyze)");

  const eval::Split split = eval::stratified_holdout(rows.y, request.holdout, request.seed);
  if (split.holdout.empty())
    throw Error(ErrorKind::invalid_input, request.url + ": no attempt left for the holdout: each enrolled user needs "
                                                        "at least 2 valid attempts (try --min-attempts 2)");
  const Matrix x_train = rows.x.select_rows(split.train);
  const Matrix x_holdout = rows.x.select_rows(split.holdout);
  std::vector<int> y_train, y_holdout;
  for (std::size_t i : split.train) y_train.push_back(rows.y[i]);
  for (std::size_t i : split.holdout) y_holdout.push_back(rows.y[i]);

  const auto started = std::chrono::steady_clock::now();
  classifier->fit(x_train, y_train, static_cast<int>(rows.labels.size()),
                  {request.seed, progress, features::sequence_columns(data.layout)});
  const double fit_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  progress.report("evaluating", 0, 1);
  const Matrix proba = classifier->predict_proba(x_holdout);
  const eval::Metrics metrics = eval::compute_metrics(y_holdout, proba);

  TrainReport report;
  report.dataset = data.dataset;
  report.failure = data.failure;
  report.from_store = data.from_store;
  report.phrase = data.validation.phrase;
  report.n_train = split.train.size();
  report.n_holdout = split.holdout.size();
  report.labels = rows.labels;
  if (rows.labels.size() <= kMaxConfusionUsers)
    report.confusion =
        eval::confusion_matrix(y_holdout, eval::predictions(proba), static_cast<int>(rows.labels.size()));
  report.fit_seconds = fit_seconds;
  report.fit_summary = classifier->fit_summary();

  models::TrainedModel trained{data.layout.phrase, data.layout.names, rows.labels, std::move(classifier)};
  store::ModelRecord record;
  record.name = request.name;
  record.type = request.model_type;
  record.params_json = params_to_json(trained.classifier->params()).dump();
  record.dataset_id = data.dataset.id;
  record.holdout = request.holdout;
  record.seed = request.seed;
  record.metrics_json = eval::to_json(metrics).dump();
  record.created_at = utc_now_iso();
  record.blob = models::save_model(trained);
  store.save_model(record, request.replace);

  report.model = get_model_summary(store, request.name);
  report.comparison = models_on_dataset(store, data.dataset.id);
  return report;
}

}  // namespace ksauth::app
