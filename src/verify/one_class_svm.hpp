#pragma once
// The one-class SVM of Killourhy & Maxion (DSN 2009), as their R script ran it through e1071::svm:
// type one-classification (Schoelkopf's nu-formulation), nu = 0.5, Gaussian kernel
// K(u, v) = exp(-gamma |u - v|^2) with gamma = 1 / n_features, trained by libsvm. e1071 standardises every
// feature by default (scale = TRUE: the enrollment's mean and standard deviation, n - 1), and so do we;
// a feature constant over the enrollment is only centred, as e1071 does.
// Score: libsvm's decision value, sum_i alpha_i K(z, sv_i) - rho with z the standardised attempt; it is
// > 0 inside the learnt support, < 0 outside; higher = more genuine.
// Only training uses libsvm; the support vectors, their coefficients, rho, gamma, nu and the scaling are
// kept (and saved) as plain numbers, and scoring evaluates the sum above itself.
#include <vector>

#include "verify/detector.hpp"

namespace ksauth::verify {

class OneClassSvmDetector final : public Detector {
 public:
  static constexpr double kNu = 0.5;
  static constexpr double kTolerance = 1e-3;  // e1071's and libsvm's default stopping tolerance

  std::string_view type() const override { return "one_class_svm"; }
  std::size_t n_features() const override { return center_.size(); }
  void enroll(const Matrix& genuine) override;
  double score(std::span<const double> row) const override;
  void save(BinaryWriter& out) const override;
  void load(BinaryReader& in) override;

  double gamma() const { return gamma_; }
  double rho() const { return rho_; }
  const Matrix& support_vectors() const { return sv_; }  // standardised
  const std::vector<double>& coefficients() const { return coef_; }

 private:
  std::vector<double> center_, scale_;  // per feature: z = (x - center) / scale
  double gamma_ = 0, nu_ = kNu, rho_ = 0;
  Matrix sv_;
  std::vector<double> coef_;
};

}  // namespace ksauth::verify
