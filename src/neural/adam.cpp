#include "neural/adam.hpp"

#include <cmath>
#include <stdexcept>

namespace ksauth::neural {
namespace {

constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEpsilon = 1e-8;

}  // namespace

FusedAdam::FusedAdam(std::vector<torch::Tensor> params, double learning_rate)
    : params_(std::move(params)), learning_rate_(learning_rate) {
  for (const torch::Tensor& p : params_) {
    if (p.scalar_type() != torch::kFloat32 || !p.is_contiguous())
      throw std::invalid_argument("FusedAdam takes contiguous float32 parameters");
    m_.emplace_back(static_cast<std::size_t>(p.numel()), 0.0f);
    v_.emplace_back(static_cast<std::size_t>(p.numel()), 0.0f);
  }
}

void FusedAdam::zero_grad() {
  for (torch::Tensor& p : params_) p.mutable_grad().reset();
}

void FusedAdam::step() {
  ++steps_;
  const auto t = static_cast<double>(steps_);
  const float step_size = static_cast<float>(learning_rate_ / (1 - std::pow(kBeta1, t)));
  const float root_correction = static_cast<float>(std::sqrt(1 - std::pow(kBeta2, t)));
  const float b1 = kBeta1, b2 = kBeta2, eps = kEpsilon;
  for (std::size_t k = 0; k < params_.size(); ++k) {
    const torch::Tensor& g_tensor = params_[k].grad();
    if (!g_tensor.defined()) continue;
    const torch::Tensor grad = g_tensor.contiguous();
    const float* g = grad.data_ptr<float>();
    float* w = params_[k].data_ptr<float>();
    float* m = m_[k].data();
    float* v = v_[k].data();
    const std::size_t n = m_[k].size();
    for (std::size_t i = 0; i < n; ++i) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      w[i] -= step_size * m[i] / (std::sqrt(v[i]) / root_correction + eps);
    }
  }
}

}  // namespace ksauth::neural
