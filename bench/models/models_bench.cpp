// Our half of the model pairs in bench/run: fit time, holdout accuracy and prediction throughput of a model
// on a training chain, with the split `ksauth train --holdout 0.2 --seed 42` makes. --rows writes the rows
// it trained and tested on, for bench/models/sklearn_reference.py to use the very same ones.
//
//   bench_models FIRST_PAGE --model TYPE [--rows FILE] [--predict-seconds S] [NAME=VALUE ...]
//
// Prediction throughput is predict_proba over the holdout rows in batches, repeated for at least S seconds
// (default 1), in attempts per second on one thread; and one attempt at a time (a batch of one), which is
// what the HTTP API does per request. Prints one JSON object.
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/data_set.hpp"
#include "common/rows_csv.hpp"
#include "core/error.hpp"
#include "core/params.hpp"
#include "eval/metrics.hpp"
#include "eval/split.hpp"
#include "models/classifier.hpp"

using namespace ksauth;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "bench_models: " << why
            << "\nusage: bench_models FIRST_PAGE --model TYPE [--rows FILE] [--predict-seconds S] [NAME=VALUE ...]\n";
  std::exit(2);
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Attempts per second of `predict` over `rows` rows, repeated for at least `budget` seconds.
template <typename Predict>
double throughput(std::size_t rows, double budget, Predict&& predict) {
  std::size_t done = 0;
  const auto start = Clock::now();
  do {
    predict();
    done += rows;
  } while (seconds_since(start) < budget);
  return static_cast<double>(done) / seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) try {
  std::string first_page, model, rows_path;
  double budget = 1.0;
  std::vector<std::string> param_texts;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--model") model = value();
    else if (a == "--rows") rows_path = value();
    else if (a == "--predict-seconds") budget = std::stod(value());
    else if (a.find('=') != std::string::npos) param_texts.push_back(a);
    else if (first_page.empty() && a.rfind("--", 0) != 0) first_page = a;
    else usage("unknown argument " + a);
  }
  if (first_page.empty() || model.empty()) usage("FIRST_PAGE and --model are required");
  auto classifier = models::make_classifier(model, parse_params(param_texts));

  const app::StreamedFeatures data = app::stream_training_features(first_page, {}, {});
  const app::LabelledFeatures& rows = data.features;
  const std::uint64_t seed = 42;
  const eval::Split split = eval::stratified_holdout(rows.y, 0.2, seed);
  std::vector<int> y_train, y_holdout;
  for (std::size_t i : split.train) y_train.push_back(rows.y[i]);
  for (std::size_t i : split.holdout) y_holdout.push_back(rows.y[i]);
  const Matrix x_train = rows.x.select_rows(split.train);
  const Matrix x_holdout = rows.x.select_rows(split.holdout);

  if (!rows_path.empty()) {
    const bench::RowsPart parts[] = {{"train", split.train}, {"holdout", split.holdout}};
    bench::write_rows_csv(rows_path, data.layout.names, rows, parts);
  }

  const auto fit_start = Clock::now();
  classifier->fit(x_train, y_train, static_cast<int>(rows.labels.size()),
                  {seed, {}, features::sequence_columns(data.layout)});
  const double fit_seconds = seconds_since(fit_start);
  const auto metrics = eval::compute_metrics(y_holdout, classifier->predict_proba(x_holdout));

  const double batch_rate = throughput(x_holdout.rows(), budget, [&] { (void)classifier->predict_proba(x_holdout); });
  const Matrix one = x_holdout.select_rows(std::vector<std::size_t>{0});
  const double single_rate = throughput(1, budget / 2, [&] { (void)classifier->predict_proba(one); });

  nlohmann::json report{{"implementation", "ksauth"},
                        {"model", model},
                        {"params", params_to_json(classifier->params())},
                        {"classes", rows.labels.size()},
                        {"features", rows.x.cols()},
                        {"train_rows", x_train.rows()},
                        {"holdout_rows", x_holdout.rows()},
                        {"fit_seconds", fit_seconds},
                        {"holdout_accuracy", metrics.accuracy},
                        {"predict_per_second", batch_rate},
                        {"predict_one_per_second", single_rate}};
  std::cout << report.dump() << std::endl;
  return 0;
} catch (const std::exception& e) {
  std::cerr << "bench_models: " << e.what() << "\n";
  return 1;
}
