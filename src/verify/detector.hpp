#pragma once
// The one small interface of verification detectors (Killourhy & Maxion, DSN 2009): a detector enrolls on
// one user's genuine attempts only (no impostor data) and scores an attempt, higher = more genuine (the
// paper's anomaly scores, negated). It saves itself to bytes like the models do.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/binary_io.hpp"
#include "core/matrix.hpp"

namespace ksauth::verify {

class Detector {
 public:
  virtual ~Detector() = default;

  virtual std::string_view type() const = 0;
  virtual std::size_t n_features() const = 0;  // 0 before enroll

  // One row per genuine attempt. Error(invalid_input) with fewer than 2 rows or a value that is not finite.
  virtual void enroll(const Matrix& genuine) = 0;
  // Error(invalid_input) before enroll or when the row's width differs.
  virtual double score(std::span<const double> row) const = 0;

  virtual void save(BinaryWriter& out) const = 0;
  virtual void load(BinaryReader& in) = 0;  // Error(corrupt) on anything inconsistent
};

// The detectors, in the order the paper's table lists them: scaled_manhattan, nearest_neighbor_mahalanobis,
// outlier_count, one_class_svm, mahalanobis, manhattan, euclidean; then ours: knn_scaled_manhattan.
const std::vector<std::string>& detector_types();
// Error(invalid_input) for an unknown type.
std::unique_ptr<Detector> make_detector(std::string_view type);

}  // namespace ksauth::verify
