#pragma once
// An LSTM layer stack with PyTorch's exact arithmetic, parameters and names (weight_ih_l0 [4H, D],
// weight_hh_l0 [4H, H], bias_ih_l0, bias_hh_l0; gates in the order input, forget, cell, output; initial
// state zero), batch first, with a hand-written backward pass. torch::nn::LSTM records some fifteen
// autograd operations per key and layer, each with its own dispatch and allocation: on attempts of a dozen
// keys that overhead, not the arithmetic, was most of an epoch. Here each step is one matrix product and
// one fused loop, forward and backward, and the products over all steps are batched where they can be.
#include <vector>

#include <torch/nn/module.h>

#include "neural/fast_dropout.hpp"

namespace ksauth::neural {

class FusedLstmImpl : public torch::nn::Module {
 public:
  // dropout: applied to the outputs of every layer but the last (as torch::nn::LSTM), when training.
  FusedLstmImpl(int64_t input_size, int64_t hidden_size, int64_t layers, double dropout);
  // x: (batch, steps, input_size), float32 -> (batch, steps, hidden_size): the last layer's h at each step.
  torch::Tensor forward(const torch::Tensor& x);
  void seed_dropout(uint64_t seed) { dropout_.seed(seed); }

 private:
  int64_t hidden_;
  FastDropout dropout_;
  std::vector<torch::Tensor> weight_ih_, weight_hh_, bias_ih_, bias_hh_;
};
TORCH_MODULE(FusedLstm);

// One layer through the fused forward/backward (exposed for the tests, which compare it with torch's).
torch::Tensor fused_lstm_layer(const torch::Tensor& x, const torch::Tensor& weight_ih, const torch::Tensor& weight_hh,
                               const torch::Tensor& bias_ih, const torch::Tensor& bias_hh);

}  // namespace ksauth::neural
