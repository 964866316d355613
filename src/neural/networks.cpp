#include "neural/networks.hpp"

#include <stdexcept>
#include <string>

#include <torch/nn/functional/activation.h>

namespace ksauth::neural {

void check_spec(const ksauth_net_spec& spec) {
  auto in = [](int64_t v, int64_t low, int64_t high) { return v >= low && v <= high; };
  const bool common = in(spec.n_inputs, 1, 1 << 20) && in(spec.n_classes, 1, 1 << 20) &&
                      spec.dropout >= 0 && spec.dropout < 1;
  bool ok = false;
  if (spec.kind == KSAUTH_NET_MLP)
    ok = spec.n_steps == 0 && in(spec.hidden[0], 1, 1 << 16) && in(spec.hidden[1], 1, 1 << 16);
  else if (spec.kind == KSAUTH_NET_LSTM)
    ok = in(spec.n_steps, 1, 1 << 12) && in(spec.hidden[0], 1, 1 << 16) && in(spec.hidden[1], 1, 16) &&
         in(spec.embedding, 0, 1 << 12);
  if (!common || !ok) throw std::invalid_argument("network description out of range (kind " + std::to_string(spec.kind) + ")");
}

std::vector<int64_t> row_shape(const ksauth_net_spec& spec) {
  if (spec.kind == KSAUTH_NET_LSTM) return {spec.n_steps, spec.n_inputs};
  return {spec.n_inputs};
}

MlpNetImpl::MlpNetImpl(const ksauth_net_spec& spec) : dropout_(spec.dropout) {
  hidden1_ = register_module("hidden1", torch::nn::Linear(spec.n_inputs, spec.hidden[0]));
  hidden2_ = register_module("hidden2", torch::nn::Linear(spec.hidden[0], spec.hidden[1]));
  output_ = register_module("output", torch::nn::Linear(spec.hidden[1], spec.n_classes));
}

torch::Tensor MlpNetImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = dropout_(torch::relu(hidden1_(x)), is_training());
  h = dropout_(torch::relu(hidden2_(h)), is_training());
  return output_(h);
}

LstmNetImpl::LstmNetImpl(const ksauth_net_spec& spec) : steps_(spec.n_steps), dropout_(spec.dropout) {
  if (spec.embedding > 0)
    position_ = register_module("position", torch::nn::Embedding(spec.n_steps, spec.embedding));
  // Dropout between stacked layers only: with one layer there is none to apply it to.
  lstm_ = register_module("lstm", FusedLstm(spec.n_inputs + spec.embedding, spec.hidden[0], spec.hidden[1],
                                            spec.hidden[1] > 1 ? spec.dropout : 0.0));
  output_ = register_module("output", torch::nn::Linear(spec.hidden[0], spec.n_classes));
}

torch::Tensor LstmNetImpl::forward(const torch::Tensor& x) {
  torch::Tensor steps = x;
  if (position_) {
    const torch::Tensor positions = position_->weight.unsqueeze(0).expand({x.size(0), steps_, position_->weight.size(1)});
    steps = torch::cat({x, positions}, 2);
  }
  const torch::Tensor out = lstm_->forward(steps);
  return output_(dropout_(out.select(1, steps_ - 1), is_training()));
}

}  // namespace ksauth::neural
