#include "models/neural_classifier.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <string>
#include <thread>

#include "core/error.hpp"
#include "eval/split.hpp"
#include "models/checks.hpp"

namespace ksauth::models {
namespace {

using detail::ParamRange;

const std::vector<ParamRange>& ranges(NeuralClassifier::Kind kind) {
  static const std::vector<ParamRange> common{
      {"epochs", 200, 1, 10000, true},         {"batch_size", 64, 1, 65536, true},
      {"learning_rate", 0.001, 0, 1, false, true}, {"dropout", 0.2, 0, 0.9},
      {"validation_fraction", 0.1, 0, 0.5},   {"patience", 20, 1, 10000, true}};
  static const std::vector<ParamRange> mlp = [] {
    auto r = common;
    r.push_back({"hidden1", 256, 1, 4096, true});
    r.push_back({"hidden2", 128, 1, 4096, true});
    return r;
  }();
  static const std::vector<ParamRange> lstm = [] {
    auto r = common;
    r.push_back({"hidden", 128, 1, 1024, true});
    r.push_back({"layers", 1, 1, 4, true});
    r.push_back({"embedding", 8, 0, 256, true});
    return r;
  }();
  return kind == NeuralClassifier::Kind::mlp ? mlp : lstm;
}

// Which of a step's values the layout has: each kind present at any step is one input of every step.
struct StepInputs {
  bool hold = false, press_latency = false, release_latency = false;
  int count() const { return hold + press_latency + release_latency; }
};

StepInputs step_inputs(const std::vector<features::StepColumns>& steps) {
  StepInputs in;
  for (const auto& s : steps) {
    in.hold |= s.hold >= 0;
    in.press_latency |= s.press_latency >= 0;
    in.release_latency |= s.release_latency >= 0;
  }
  return in;
}

// The threads libtorch computes with: $KSAUTH_TORCH_THREADS when set to a number, else every core.
int training_threads() {
  if (const char* env = std::getenv("KSAUTH_TORCH_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1 && n <= 1024) return n;
  }
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace

NeuralClassifier::NeuralClassifier(Kind kind, const Params& params)
    : kind_(kind), params_(detail::resolve_params(kind == Kind::mlp ? "mlp" : "lstm", ranges(kind), params)) {}

ksauth_net_spec NeuralClassifier::network_spec(int n_classes) const {
  ksauth_net_spec spec{};
  spec.n_classes = n_classes;
  spec.dropout = params_.at("dropout");
  if (kind_ == Kind::mlp) {
    spec.kind = KSAUTH_NET_MLP;
    spec.n_inputs = static_cast<std::int32_t>(n_features_);
    spec.hidden[0] = param("hidden1");
    spec.hidden[1] = param("hidden2");
  } else {
    spec.kind = KSAUTH_NET_LSTM;
    spec.n_inputs = step_inputs(steps_).count();
    spec.n_steps = static_cast<std::int32_t>(steps_.size());
    spec.hidden[0] = param("hidden");
    spec.hidden[1] = param("layers");
    spec.embedding = param("embedding");
  }
  return spec;
}

std::vector<float> NeuralClassifier::network_input(const Matrix& x, std::span<const std::size_t> rows) const {
  std::vector<float> out;
  if (kind_ == Kind::mlp) {
    out.reserve(rows.size() * n_features_);
    for (std::size_t r : rows)
      for (std::size_t j = 0; j < n_features_; ++j) out.push_back(static_cast<float>(scaling_.apply(j, x(r, j))));
    return out;
  }
  const StepInputs in = step_inputs(steps_);
  out.reserve(rows.size() * steps_.size() * static_cast<std::size_t>(in.count()));
  // A value the step does not have (the first key's latencies) is 0: the feature's mean after scaling.
  auto value = [&](std::size_t r, int column) {
    return column < 0 ? 0.0f : static_cast<float>(scaling_.apply(static_cast<std::size_t>(column), x(r, column)));
  };
  for (std::size_t r : rows)
    for (const features::StepColumns& s : steps_) {
      if (in.hold) out.push_back(value(r, s.hold));
      if (in.press_latency) out.push_back(value(r, s.press_latency));
      if (in.release_latency) out.push_back(value(r, s.release_latency));
    }
  return out;
}

void NeuralClassifier::fit(const Matrix& x, std::span<const int> y, int n_classes, const FitOptions& options) {
  const std::string name(type());
  detail::check_fit_input(name, x, y, n_classes);
  std::vector<features::StepColumns> steps;
  if (kind_ == Kind::lstm) {
    steps = options.sequence;
    if (steps.empty())
      throw Error(ErrorKind::invalid_input, "lstm: no keystroke sequence was given for the features");
    for (const auto& s : steps)
      for (int c : {s.hold, s.press_latency, s.release_latency})
        if (c >= static_cast<int>(x.cols()))
          throw Error(ErrorKind::invalid_input, "lstm: the keystroke sequence names feature " + std::to_string(c) +
                                                    " of " + std::to_string(x.cols()));
    if (step_inputs(steps).count() == 0)
      throw Error(ErrorKind::invalid_input, "lstm: the phrase has no timings to read as a sequence (it needs "
                                            "two keys, or release times)");
  }

  // The validation slice for early stopping comes out of the training rows, stratified like the holdout.
  eval::Split split;
  const double fraction = params_.at("validation_fraction");
  if (fraction > 0) {
    split = eval::stratified_holdout(y, fraction, options.seed);
  } else {
    split.train.resize(x.rows());
    std::iota(split.train.begin(), split.train.end(), std::size_t{0});
  }

  NeuralClassifier fitted(kind_, params_);
  fitted.n_features_ = x.cols();
  fitted.n_classes_ = n_classes;
  fitted.steps_ = std::move(steps);
  fitted.scaling_.fit(x.select_rows(split.train));
  neural::TrainData train, validation;
  train.x = fitted.network_input(x, split.train);
  for (std::size_t r : split.train) train.y.push_back(y[r]);
  validation.x = fitted.network_input(x, split.holdout);
  for (std::size_t r : split.holdout) validation.y.push_back(y[r]);

  neural::Network network(fitted.network_spec(n_classes), options.seed);
  ksauth_train_spec settings{};
  settings.epochs = param("epochs");
  settings.batch_size = param("batch_size");
  settings.patience = param("patience");
  settings.threads = training_threads();
  settings.learning_rate = params_.at("learning_rate");
  settings.seed = options.seed;
  fitted.training_ = network.train(train, validation, settings, options.progress);
  options.progress.report("training", static_cast<std::size_t>(settings.epochs), static_cast<std::size_t>(settings.epochs));

  n_features_ = fitted.n_features_;
  n_classes_ = fitted.n_classes_;
  steps_ = std::move(fitted.steps_);
  scaling_ = std::move(fitted.scaling_);
  training_ = fitted.training_;
  network_ = std::move(network);
}

Matrix NeuralClassifier::predict_proba(const Matrix& x) const {
  detail::check_predict_input(type(), x, n_features_);
  std::vector<std::size_t> rows(x.rows());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  return network_->predict(network_input(x, rows), x.rows());
}

std::string NeuralClassifier::fit_summary() const {
  if (training_.epochs_run == 0) return {};
  const int epochs = param("epochs");
  std::string out = training_.epochs_run < epochs
                        ? "stopped early after " + std::to_string(training_.epochs_run) + " of " + std::to_string(epochs) + " epochs"
                        : std::to_string(training_.epochs_run) + " epochs";
  if (training_.best_validation_accuracy >= 0) {
    char accuracy[32];
    std::snprintf(accuracy, sizeof accuracy, "%.4f", training_.best_validation_accuracy);
    out += ": kept epoch " + std::to_string(training_.best_epoch) + " (validation accuracy " + accuracy + ")";
  }
  return out;
}

std::vector<double> NeuralClassifier::weights() const {
  return network_ ? network_->parameters() : std::vector<double>{};
}

// Layout: u32 n_features | u32 n_classes | u32 parameter count, then per parameter (by name) str name,
// f64 value | i32 epochs run, i32 best epoch, f64 best validation accuracy, f64 final loss | the input
// scaling | lstm: u32 steps, per step i32 hold, press latency, release latency columns | str the network's
// weights as libtorch's archive.
void NeuralClassifier::save(BinaryWriter& out) const {
  if (!network_) throw Error(ErrorKind::invalid_input, std::string(type()) + ": the model is not fitted");
  out.u32(static_cast<std::uint32_t>(n_features_));
  out.u32(static_cast<std::uint32_t>(n_classes_));
  out.u32(static_cast<std::uint32_t>(params_.size()));
  for (const auto& [name, value] : params_) {
    out.str(name);
    out.f64(value);
  }
  out.u32(static_cast<std::uint32_t>(training_.epochs_run));
  out.u32(static_cast<std::uint32_t>(training_.best_epoch));
  out.f64(training_.best_validation_accuracy);
  out.f64(training_.final_loss);
  scaling_.save(out);
  if (kind_ == Kind::lstm) {
    out.u32(static_cast<std::uint32_t>(steps_.size()));
    for (const auto& s : steps_)
      for (int c : {s.hold, s.press_latency, s.release_latency}) out.u32(static_cast<std::uint32_t>(c));
  }
  out.str(network_->save());
}

void NeuralClassifier::load(BinaryReader& in) {
  const std::string name(type());
  auto corrupt = [&](const std::string& what) { throw Error(ErrorKind::corrupt, name + ": " + what); };
  NeuralClassifier loaded(kind_);
  const std::uint32_t nf = in.u32();
  const std::uint32_t k = in.u32();
  if (nf == 0 || nf > (1u << 20)) corrupt("bad feature count " + std::to_string(nf));
  if (k == 0 || k > (1u << 20)) corrupt("bad class count " + std::to_string(k));
  loaded.n_features_ = nf;
  loaded.n_classes_ = static_cast<int>(k);
  const std::uint32_t n_params = in.u32();
  if (n_params != ranges(kind_).size()) corrupt("bad parameter count " + std::to_string(n_params));
  Params params;
  for (std::uint32_t i = 0; i < n_params; ++i) {
    std::string key = in.str();
    params[key] = in.f64();
  }
  try {
    loaded.params_ = detail::resolve_params(name, ranges(kind_), params);
  } catch (const Error& e) {
    corrupt(std::string("bad parameters: ") + e.what());
  }
  loaded.training_.epochs_run = static_cast<int>(in.u32());
  loaded.training_.best_epoch = static_cast<int>(in.u32());
  loaded.training_.best_validation_accuracy = in.f64();
  loaded.training_.final_loss = in.f64();
  loaded.scaling_.load(in, nf);
  if (kind_ == Kind::lstm) {
    const std::uint32_t n_steps = in.u32();
    if (n_steps == 0 || n_steps > 4096 || n_steps * 12ull > in.remaining())
      corrupt("bad step count " + std::to_string(n_steps));
    for (std::uint32_t i = 0; i < n_steps; ++i) {
      int c[3];
      for (int& v : c) {
        v = static_cast<std::int32_t>(in.u32());
        if (v < -1 || v >= static_cast<int>(nf)) corrupt("step " + std::to_string(i) + " names a feature it cannot have");
      }
      loaded.steps_.push_back({c[0], c[1], c[2]});
    }
    if (step_inputs(loaded.steps_).count() == 0) corrupt("the steps have no inputs");
  }
  const std::string weights = in.str();
  loaded.network_.emplace(loaded.network_spec(loaded.n_classes_), weights);
  *this = std::move(loaded);
}

}  // namespace ksauth::models
