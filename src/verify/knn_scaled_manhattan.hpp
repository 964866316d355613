#pragma once
// Ours, beyond Killourhy & Maxion (DSN 2009): scaled Manhattan to the k nearest genuine attempts, on
// log timings with the redundant columns dropped. Three changes to the paper's best detector, each fixed
// once for every user (no choice looks at impostor or test data):
//   1. Redundant columns are dropped: a column j >= 2 with x_j = x_(j-1) - x_(j-2) on every enrollment
//      attempt (within kRedundantTolerance): for the timing layout H, DD, UD, H, ... that is UD = DD - H,
//      which otherwise counts the same deviations twice.
//   2. A column positive on every enrollment attempt (hold and press-to-press times) is replaced by its
//      logarithm (values below kLogFloor are raised to it first): typing latencies are skewed to the right,
//      close to log-normal, and a slow key costs less than the same delay on a fast one.
//   3. The anomaly score is the mean, over the k = kNeighbors nearest enrollment attempts, of the scaled
//      Manhattan distance sum_j |z_j - y_ij| / a_j (a_j: the mean absolute deviation of transformed column
//      j, at least kMinSpread), instead of the distance to the mean: a typist has more than one rhythm.
// Score: that mean, negated (higher = more genuine).
#include <cstdint>
#include <vector>

#include "verify/detector.hpp"

namespace ksauth::verify {

class KnnScaledManhattanDetector final : public Detector {
 public:
  enum class Column : std::uint8_t { dropped = 0, linear = 1, log = 2 };
  static constexpr std::size_t kNeighbors = 5;
  static constexpr double kRedundantTolerance = 1e-6;  // seconds
  static constexpr double kLogFloor = 1e-4;            // seconds: the CMU data's resolution
  static constexpr double kMinSpread = 1e-6;

  std::string_view type() const override { return "knn_scaled_manhattan"; }
  std::size_t n_features() const override { return columns_.size(); }
  void enroll(const Matrix& genuine) override;
  double score(std::span<const double> row) const override;
  void save(BinaryWriter& out) const override;
  void load(BinaryReader& in) override;

  const std::vector<Column>& columns() const { return columns_; }
  const std::vector<double>& spread() const { return spread_; }  // per kept column
  const Matrix& templates() const { return templates_; }         // transformed enrollment attempts

 private:
  std::vector<double> transform(std::span<const double> row) const;

  std::vector<Column> columns_;
  std::vector<double> spread_;
  Matrix templates_;
};

}  // namespace ksauth::verify
