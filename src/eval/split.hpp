#pragma once
// The holdout split: stratified per class, deterministic for a seed, never overlapping.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ksauth::eval {

struct Split {
  std::vector<std::size_t> train;    // row indices, ascending
  std::vector<std::size_t> holdout;  // row indices, ascending
};

// For each class, round(fraction * count) of its rows go to the holdout (at least 1 and at most
// count - 1 when the class has 2 or more rows; a class with one row stays in train).
// fraction must be in (0,1), else Error(invalid_input).
void check_holdout_fraction(double fraction);  // Error(invalid_input) unless in (0,1)
Split stratified_holdout(std::span<const int> labels, double fraction, std::uint64_t seed);

}  // namespace ksauth::eval
