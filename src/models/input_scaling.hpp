#pragma once
// How the neural models see a feature: the log of a feature that is positive in every training row
// (timings are right-skewed, their logs close to normal), then its z-score over the training rows.
// Learned on the training rows only and saved with the model.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/binary_io.hpp"
#include "core/matrix.hpp"

namespace ksauth::models {

class InputScaling {
 public:
  void fit(const Matrix& x);
  std::size_t size() const { return mean_.size(); }
  // Feature `column`'s value as the network sees it. A value below the smallest training value of a
  // logged feature (a key pressed at the same time as the one before it) is taken as that smallest value.
  double apply(std::size_t column, double value) const;

  void save(BinaryWriter& out) const;
  void load(BinaryReader& in, std::size_t n_features);  // Error(corrupt) on anything inconsistent

 private:
  std::vector<std::uint8_t> log_;
  std::vector<double> floor_;  // the smallest training value, for logged features
  std::vector<double> mean_;
  std::vector<double> scale_;  // standard deviation (1 for a constant feature)
};

}  // namespace ksauth::models
