#pragma once
// Scaled-Manhattan nearest template (Killourhy & Maxion, DSN 2009). Each class keeps the mean of every
// feature and its mean absolute deviation (MAD, the average |x - mean|) over the class's training rows;
// a row scores
//     score_k(x) = - sum_j |x_j - mean_kj| / mad_kj
// and predict_proba is the softmax over classes of score_k / n_features (the mean scaled deviation per
// feature, so that confidences do not depend on how many features there are). A class without training
// rows scores -infinity and gets probability 0. No parameters.
#include <vector>

#include "models/classifier.hpp"

namespace ksauth::models {

class Manhattan final : public Classifier {
 public:
  // A MAD below this share of the feature's MAD over all training rows is raised to it (see fit()).
  static constexpr double kMadFloorShare = 0.01;
  // The floor when the feature is constant over all training rows too.
  static constexpr double kMadFloorAbsolute = 1e-6;

  // Throws Error(invalid_input) for any parameter: the model has none.
  explicit Manhattan(const Params& params = {});

  std::string_view type() const override { return "manhattan"; }
  Params params() const override { return {}; }
  std::size_t n_features() const override { return n_features_; }
  int n_classes() const override { return n_classes_; }

  void fit(const Matrix& x, std::span<const int> y, int n_classes, const FitOptions& options) override;
  Matrix predict_proba(const Matrix& x) const override;
  // score_k(x) per row and class (-infinity for a class without training rows).
  Matrix scores(const Matrix& x) const;

  void save(BinaryWriter& out) const override;
  void load(BinaryReader& in) override;

  // The training rows of each class, and for a class with rows the mean and the MAD in force (after the
  // floor) of each feature.
  const std::vector<std::uint64_t>& class_counts() const { return counts_; }
  std::span<const double> class_means(int cls) const;
  std::span<const double> class_mads(int cls) const;

 private:
  std::size_t n_features_ = 0;
  int n_classes_ = 0;
  std::vector<std::uint64_t> counts_;  // per class
  std::vector<std::int32_t> row_of_;   // per class: its row in means_/mads_, -1 without training rows
  Matrix means_;                       // one row per class with training rows
  Matrix mads_;
};

}  // namespace ksauth::models
