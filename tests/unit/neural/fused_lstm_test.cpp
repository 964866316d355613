// The fused LSTM against torch::nn::LSTM with the same weights: the same outputs and the same gradients
// (weights, biases and input), for one and two layers, to float rounding.
#include "neural/fused_lstm.hpp"

#include <gtest/gtest.h>

#include <torch/nn/modules/rnn.h>
#include <torch/torch.h>

namespace ksauth::neural {
namespace {

// Equal to float rounding: the largest difference relative to the largest magnitude.
void expect_close(const torch::Tensor& a, const torch::Tensor& b, double tolerance, const std::string& what) {
  ASSERT_EQ(a.sizes(), b.sizes()) << what;
  const double scale = std::max(1.0, b.abs().max().item<double>());
  const double diff = (a - b).abs().max().item<double>() / scale;
  EXPECT_LT(diff, tolerance) << what << ": largest relative difference " << diff;
}

void compare(int64_t batch, int64_t steps, int64_t inputs, int64_t hidden, int64_t layers, double scale = 2) {
  torch::manual_seed(3);
  torch::nn::LSTM reference(torch::nn::LSTMOptions(inputs, hidden).num_layers(layers).batch_first(true));
  FusedLstm fused(inputs, hidden, layers, 0.0);
  {
    torch::NoGradGuard no_grad;
    auto ours = fused->named_parameters();
    for (const auto& p : reference->named_parameters()) ours[p.key()].copy_(p.value());
  }
  const torch::Tensor x = torch::randn({batch, steps, inputs}) * scale;
  const torch::Tensor x_ref = x.clone().requires_grad_(true);
  const torch::Tensor x_ours = x.clone().requires_grad_(true);
  const torch::Tensor out_ref = std::get<0>(reference->forward(x_ref));
  const torch::Tensor out_ours = fused->forward(x_ours);
  ASSERT_TRUE(torch::isfinite(out_ours).all().item<bool>());
  expect_close(out_ours, out_ref, 1e-5, "output");
  ASSERT_FALSE(torch::equal(out_ours, torch::zeros_like(out_ours)));

  // A loss that weighs every step and unit differently, so that every gradient path is exercised.
  const torch::Tensor weights = torch::randn(out_ref.sizes());
  (out_ref * weights).sum().backward();
  (out_ours * weights).sum().backward();
  expect_close(x_ours.grad(), x_ref.grad(), 1e-5, "input gradient");
  auto ours = fused->named_parameters();
  for (const auto& p : reference->named_parameters())
    expect_close(ours[p.key()].grad(), p.value().grad(), 1e-5, p.key() + " gradient");
}

TEST(FusedLstm, MatchesTorchOneLayer) { compare(5, 7, 3, 8, 1); }
TEST(FusedLstm, MatchesTorchTwoLayers) { compare(4, 11, 6, 16, 2); }
TEST(FusedLstm, MatchesTorchOneStepOneRow) { compare(1, 1, 2, 3, 1); }
TEST(FusedLstm, MatchesTorchWideAndSaturated) { compare(64, 11, 11, 128, 1, 50); }
TEST(FusedLstm, MatchesTorchFarBeyondSaturation) { compare(16, 5, 4, 8, 1, 1e4); }

TEST(FusedLstm, ParametersAreNamedAsPyTorchNamesThem) {
  FusedLstm fused(3, 4, 2, 0.0);
  std::vector<std::string> names;
  for (const auto& p : fused->named_parameters()) names.push_back(p.key());
  EXPECT_EQ(names, (std::vector<std::string>{"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                             "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"}));
  EXPECT_EQ(fused->named_parameters()["weight_ih_l0"].sizes(), (std::vector<int64_t>{16, 3}));
  EXPECT_EQ(fused->named_parameters()["weight_hh_l1"].sizes(), (std::vector<int64_t>{16, 4}));
}

}  // namespace
}  // namespace ksauth::neural
