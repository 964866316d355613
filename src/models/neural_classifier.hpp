#pragma once
// The neural models, on libtorch (through models/neural_backend):
// - mlp: the attempt's feature vector, scaled (models/input_scaling), through two hidden ReLU layers with
//   dropout to a softmax. Params hidden1 (default 256), hidden2 (128).
// - lstm: the attempt as a sequence over its keys (features::sequence_columns): per key its hold,
//   press-to-press and release-to-press latency, scaled the same way, plus a learned embedding of the key's
//   position; an LSTM over the keys, its last output through dropout to a softmax. Params hidden (128),
//   layers (1), embedding (8).
// Both train with Adam on shuffled mini-batches, holding out a stratified validation slice of the training
// rows for early stopping (the weights of the best validation epoch are kept: most rows right, ties broken by
// the lower validation loss). Shared params: epochs (at
// most, default 200), batch_size (64), learning_rate (0.001), dropout (0.2), validation_fraction (0.1;
// 0 trains every epoch on all rows), patience (20 epochs).
//
// The defaults were measured on the CMU chain (51 users, stratified 0.2 holdout): see docs/benchmarks.md.
#include <cstdint>
#include <optional>
#include <vector>

#include "features/vector.hpp"
#include "models/classifier.hpp"
#include "models/input_scaling.hpp"
#include "models/neural_backend.hpp"

namespace ksauth::models {

class NeuralClassifier final : public Classifier {
 public:
  enum class Kind { mlp, lstm };

  // Throws Error(invalid_input) naming an unknown parameter, or a value out of its range.
  NeuralClassifier(Kind kind, const Params& params = {});

  std::string_view type() const override { return kind_ == Kind::mlp ? "mlp" : "lstm"; }
  Params params() const override { return params_; }
  std::size_t n_features() const override { return n_features_; }
  int n_classes() const override { return n_classes_; }

  // lstm needs options.sequence. Reports each epoch (see neural_backend); a cancellation stops before the
  // next mini-batch, propagates as Error(cancelled) and leaves the model as it was.
  void fit(const Matrix& x, std::span<const int> y, int n_classes, const FitOptions& options) override;
  Matrix predict_proba(const Matrix& x) const override;

  void save(BinaryWriter& out) const override;
  void load(BinaryReader& in) override;

  // "stopped early after 62 of 200 epochs: kept epoch 42 (validation accuracy 0.9412)"
  std::string fit_summary() const override;
  const neural::TrainSummary& training() const { return training_; }
  std::vector<double> weights() const;  // every weight of the network, in a fixed order

 private:
  ksauth_net_spec network_spec(int n_classes) const;
  int param(const char* name) const { return static_cast<int>(params_.at(name)); }
  // The network's input rows for x (scaled; for lstm, gathered into steps).
  std::vector<float> network_input(const Matrix& x, std::span<const std::size_t> rows) const;

  Kind kind_;
  Params params_;
  std::size_t n_features_ = 0;
  int n_classes_ = 0;
  InputScaling scaling_;
  std::vector<features::StepColumns> steps_;  // lstm
  std::optional<neural::Network> network_;
  neural::TrainSummary training_;
};

}  // namespace ksauth::models
