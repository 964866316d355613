#include "neural/fast_dropout.hpp"

namespace ksauth::neural {

torch::Tensor FastDropout::operator()(const torch::Tensor& x, bool training) {
  if (!training || p_ <= 0) return x;
  // Kept when the top 24 bits of a draw reach p * 2^24: the same resolution as a float in [0,1).
  const auto threshold = static_cast<uint64_t>(p_ * 16777216.0 + 0.5);
  const float keep = static_cast<float>(1.0 / (1.0 - p_));
  torch::Tensor mask = torch::empty(x.sizes(), x.options().requires_grad(false));
  float* m = mask.data_ptr<float>();
  for (int64_t i = 0, n = mask.numel(); i < n; ++i) {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    m[i] = (z >> 40) >= threshold ? keep : 0.0f;
  }
  return x * mask;
}

}  // namespace ksauth::neural
