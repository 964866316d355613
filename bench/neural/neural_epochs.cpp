// Times the epochs of ksauth's mlp or lstm on the CMU chain, and writes the exact rows it trained on so
// that bench/neural/torch_reference.py can train the same network on them in PyTorch (see bench/neural/run).
//
//   bench_neural_epochs --model mlp|lstm --epochs N --rows FILE [--data DIR] [--seed S] [NAME=VALUE ...]
//
// Every epoch runs (patience = epochs). Prints one JSON object: seconds per epoch (the mean over the
// epochs, each one pass over the training rows plus the validation accuracy), holdout accuracy.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
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
#include "store/store.hpp"

using namespace ksauth;

namespace {

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "bench_neural_epochs: " << why
            << "\nusage: bench_neural_epochs --model mlp|lstm --epochs N --rows FILE [--data DIR] [--seed S] "
               "[NAME=VALUE ...]\n";
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) try {
  std::string model, rows_path;
  const char* env_data = std::getenv("KSAUTH_DATA_DIR");
  std::string data_dir = env_data ? env_data : "../shared/data";
  int epochs = 0;
  std::uint64_t seed = 42;
  std::vector<std::string> param_texts;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--model") model = value();
    else if (a == "--epochs") epochs = std::stoi(value());
    else if (a == "--rows") rows_path = value();
    else if (a == "--data") data_dir = value();
    else if (a == "--seed") seed = std::stoull(value());
    else if (a.find('=') != std::string::npos) param_texts.push_back(a);
    else usage("unknown argument " + a);
  }
  if (model.empty() || epochs < 1 || rows_path.empty()) usage("--model, --epochs and --rows are required");
  Params params = parse_params(param_texts);
  params["epochs"] = epochs;
  params["patience"] = epochs;
  auto classifier = models::make_classifier(model, params);

  store::Store store(":memory:");
  const auto data = app::load_training_data(
      store, data_dir + "/cmu-dsl2009/chain/train/user_s002.json", {}, {});
  const auto rows = app::labelled_features(data);
  // The same splits as `ksauth train --holdout 0.2 --seed S`, and inside it the mlp/lstm validation slice.
  const eval::Split split = eval::stratified_holdout(rows.y, 0.2, seed);
  std::vector<int> y_train, y_holdout;
  for (std::size_t i : split.train) y_train.push_back(rows.y[i]);
  for (std::size_t i : split.holdout) y_holdout.push_back(rows.y[i]);
  const eval::Split validation = eval::stratified_holdout(y_train, classifier->params().at("validation_fraction"), seed);

  std::vector<std::size_t> train_rows, validation_rows;
  for (std::size_t i : validation.train) train_rows.push_back(split.train[i]);
  for (std::size_t i : validation.holdout) validation_rows.push_back(split.train[i]);
  const bench::RowsPart parts[] = {{"train", train_rows}, {"validation", validation_rows}, {"holdout", split.holdout}};
  bench::write_rows_csv(rows_path, data.layout.names, rows, parts);

  std::vector<double> epoch_seconds;
  auto last = std::chrono::steady_clock::now();
  const auto started = last;
  Progress progress([&](std::string_view step, std::size_t, std::size_t) {
    if (step.rfind("epoch", 0) != 0) return;
    const auto now = std::chrono::steady_clock::now();
    epoch_seconds.push_back(std::chrono::duration<double>(now - last).count());
    last = now;
    std::cerr << step << " (" << epoch_seconds.back() << " s)\n";
  });
  classifier->fit(rows.x.select_rows(split.train), y_train, static_cast<int>(rows.labels.size()),
                  {seed, progress, features::sequence_columns(data.layout)});
  const double fit_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto metrics = eval::compute_metrics(y_holdout, classifier->predict_proba(rows.x.select_rows(split.holdout)));

  double sum = 0;
  for (double s : epoch_seconds) sum += s;
  nlohmann::json report{{"implementation", "ksauth (libtorch C++)"},
                        {"model", model},
                        {"params", params_to_json(classifier->params())},
                        {"train_rows", validation.train.size()},
                        {"validation_rows", validation.holdout.size()},
                        {"holdout_rows", split.holdout.size()},
                        {"epochs", epoch_seconds.size()},
                        {"seconds_per_epoch", sum / static_cast<double>(epoch_seconds.size())},
                        {"fit_seconds", fit_seconds},
                        {"holdout_accuracy", metrics.accuracy}};
  std::cout << report.dump() << std::endl;
  return 0;
} catch (const std::exception& e) {
  std::cerr << "bench_neural_epochs: " << e.what() << "\n";
  return 1;
}
