#pragma once
// The two networks of the neural models, as libtorch modules (inside the plugin only).
#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>

#include "neural/fast_dropout.hpp"
#include "neural/fused_lstm.hpp"

#include "models/neural_abi.h"

namespace ksauth::neural {

// Input (batch, n_inputs) -> Linear -> ReLU -> Dropout -> Linear -> ReLU -> Dropout -> Linear -> logits.
class MlpNetImpl : public torch::nn::Module {
 public:
  explicit MlpNetImpl(const ksauth_net_spec& spec);
  torch::Tensor forward(const torch::Tensor& x);
  void seed_dropout(uint64_t seed) { dropout_.seed(seed); }

 private:
  torch::nn::Linear hidden1_{nullptr}, hidden2_{nullptr}, output_{nullptr};
  FastDropout dropout_;
};
TORCH_MODULE(MlpNet);

// Input (batch, steps, n_inputs); a learned embedding of each step's position is appended to its values
// (the phrase is fixed, so a position is a key); an LSTM runs over the steps and its last output, after
// dropout, goes through a Linear layer to the logits. The LSTM is neural/fused_lstm: torch's, faster.
class LstmNetImpl : public torch::nn::Module {
 public:
  explicit LstmNetImpl(const ksauth_net_spec& spec);
  torch::Tensor forward(const torch::Tensor& x);
  void seed_dropout(uint64_t seed) {
    dropout_.seed(seed);
    lstm_->seed_dropout(seed ^ 0x9e3779b97f4a7c15ULL);
  }

 private:
  int64_t steps_;
  torch::nn::Embedding position_{nullptr};
  FusedLstm lstm_{nullptr};
  FastDropout dropout_;
  torch::nn::Linear output_{nullptr};
};
TORCH_MODULE(LstmNet);

// Throws std::invalid_argument for a spec out of range.
void check_spec(const ksauth_net_spec& spec);
// Input shape of one row: {n_inputs} or {steps, n_inputs}.
std::vector<int64_t> row_shape(const ksauth_net_spec& spec);

}  // namespace ksauth::neural
