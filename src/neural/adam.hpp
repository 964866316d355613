#pragma once
// Adam (Kingma & Ba 2015) with torch.optim.Adam's defaults and arithmetic (betas 0.9 and 0.999, eps 1e-8
// added to sqrt(v) / sqrt(1 - beta2^t), no weight decay), fused: one pass over each parameter's memory per
// step, where torch::optim::Adam runs seven tensor operations with their temporaries. On networks this
// small the step is dominated by that per-operation overhead.
#include <cstdint>
#include <vector>

#include <torch/types.h>

namespace ksauth::neural {

class FusedAdam {
 public:
  FusedAdam(std::vector<torch::Tensor> params, double learning_rate);
  // Drops the gradients, so that the next backward pass writes them instead of adding them to zeros.
  void zero_grad();
  void step();

 private:
  std::vector<torch::Tensor> params_;  // float32, contiguous
  std::vector<std::vector<float>> m_, v_;
  double learning_rate_;
  std::int64_t steps_ = 0;
};

}  // namespace ksauth::neural
