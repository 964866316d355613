#pragma once
// The Mahalanobis detectors of Killourhy & Maxion (DSN 2009), with S the covariance of the genuine
// attempts and S^+ its pseudo-inverse (verify/whitening.hpp: S is singular for the CMU features, where
// UD = DD - H exactly). Scores are the paper's anomaly scores negated (higher = more genuine):
//   mahalanobis                   - (x - m)^T S^+ (x - m)                  (m: the mean vector)
//   nearest_neighbor_mahalanobis  - min_i (x - y_i)^T S^+ (x - y_i)        (y_i: the genuine attempts)
// Both keep W = diag(1/sqrt(lambda)) V^T and work on projected vectors W x.
#include <vector>

#include "verify/detector.hpp"

namespace ksauth::verify {

class MahalanobisDetector final : public Detector {
 public:
  // nearest_neighbor: the distance to the closest genuine attempt instead of the mean.
  explicit MahalanobisDetector(bool nearest_neighbor) : nearest_(nearest_neighbor) {}

  std::string_view type() const override {
    return nearest_ ? "nearest_neighbor_mahalanobis" : "mahalanobis";
  }
  std::size_t n_features() const override { return n_features_; }
  void enroll(const Matrix& genuine) override;
  double score(std::span<const double> row) const override;
  void save(BinaryWriter& out) const override;
  void load(BinaryReader& in) override;

  std::size_t rank() const { return w_.rows(); }

 private:
  bool nearest_;
  std::size_t n_features_ = 0;
  Matrix w_;          // rank x n_features
  Matrix templates_;  // projected: the mean (1 row), or every genuine attempt (nearest neighbour)
};

}  // namespace ksauth::verify
