#pragma once
#include <cstdint>

#include <torch/types.h>

namespace ksauth::neural {

// Dropout (inverted: kept values scaled by 1/(1-p)) with its mask drawn from a generator of its own
// (splitmix64, about a nanosecond a value) rather than torch's bernoulli_, which locks torch's generator
// and calls it once per value: that was a fifth of an mlp epoch. Seeded by the training seed.
class FastDropout {
 public:
  explicit FastDropout(double p = 0) : p_(p) {}
  void seed(uint64_t seed) { state_ = seed; }
  torch::Tensor operator()(const torch::Tensor& x, bool training);

 private:
  double p_;
  uint64_t state_ = 0;
};

}  // namespace ksauth::neural
