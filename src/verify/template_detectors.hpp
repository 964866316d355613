#pragma once
// The detectors of Killourhy & Maxion (DSN 2009) that keep a template of per-feature statistics of the
// genuine attempts: the mean vector m, and for two of them a spread per feature. Scores are the paper's
// anomaly scores negated (higher = more genuine):
//   euclidean          - sum_j (x_j - m_j)^2                    (squared Euclidean distance)
//   manhattan          - sum_j |x_j - m_j|
//   scaled_manhattan   - sum_j |x_j - m_j| / a_j                (a_j: mean absolute deviation from m_j)
//   outlier_count      - #{ j : |x_j - m_j| / s_j > 1.96 }      (s_j: standard deviation, n - 1)
// A spread of 0 (a feature constant over the enrollment) would divide by zero: it is raised to kMinSpread.
#include <vector>

#include "verify/detector.hpp"

namespace ksauth::verify {

class TemplateDetector final : public Detector {
 public:
  enum class Kind { euclidean, manhattan, scaled_manhattan, outlier_count };
  static constexpr double kMinSpread = 1e-6;  // a microsecond, for timings in seconds
  static constexpr double kOutlierZ = 1.96;   // the paper's z-score cut

  explicit TemplateDetector(Kind kind) : kind_(kind) {}

  std::string_view type() const override;
  std::size_t n_features() const override { return mean_.size(); }
  void enroll(const Matrix& genuine) override;
  double score(std::span<const double> row) const override;
  void save(BinaryWriter& out) const override;
  void load(BinaryReader& in) override;

  const std::vector<double>& mean() const { return mean_; }
  const std::vector<double>& spread() const { return spread_; }  // empty for euclidean and manhattan

 private:
  bool has_spread() const { return kind_ == Kind::scaled_manhattan || kind_ == Kind::outlier_count; }

  Kind kind_;
  std::vector<double> mean_;
  std::vector<double> spread_;
};

}  // namespace ksauth::verify
