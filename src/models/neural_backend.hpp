#pragma once
// A libtorch network seen from ksauth: loads the plugin (models/neural_abi.h) on first use and turns its
// error codes into Error. The plugin is found at $KSAUTH_TORCH_PLUGIN, else where the build put it.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/matrix.hpp"
#include "core/progress.hpp"
#include "models/neural_abi.h"

namespace ksauth::models::neural {

struct TrainData {
  std::vector<float> x;  // rows x row width, row-major
  std::vector<std::int32_t> y;
  std::size_t rows() const { return y.size(); }
};

struct TrainSummary {
  int epochs_run = 0;
  int best_epoch = 0;
  double best_validation_accuracy = -1;  // -1: trained without validation rows
  double final_loss = 0;
};

class Network {
 public:
  // Fresh weights drawn from `seed`.
  Network(const ksauth_net_spec& spec, std::uint64_t seed);
  // Weights from save()'s bytes; Error(corrupt) when they do not fit `spec`.
  Network(const ksauth_net_spec& spec, std::string_view saved);
  Network(Network&& other) noexcept;
  Network& operator=(Network&& other) noexcept;
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;
  ~Network();

  const ksauth_net_spec& spec() const { return spec_; }
  // Reports ("epoch N: loss L, validation accuracy A", epoch, epochs) after each epoch; a cancellation
  // stops it before the next mini-batch and propagates as Error(cancelled).
  TrainSummary train(const TrainData& train, const TrainData& validation, const ksauth_train_spec& settings,
                     const Progress& progress);
  // One row of class probabilities per input row.
  Matrix predict(std::span<const float> x, std::size_t rows) const;
  std::string save() const;
  std::vector<double> parameters() const;

 private:
  ksauth_net_spec spec_{};
  ksauth_net* net_ = nullptr;
};

// Whether the plugin can be loaded; otherwise why not, in `why`.
bool available(std::string* why = nullptr);

}  // namespace ksauth::models::neural
