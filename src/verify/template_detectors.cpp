#include "verify/template_detectors.hpp"

#include <algorithm>
#include <cmath>

#include "verify/checks.hpp"

namespace ksauth::verify {

std::string_view TemplateDetector::type() const {
  switch (kind_) {
    case Kind::euclidean: return "euclidean";
    case Kind::manhattan: return "manhattan";
    case Kind::scaled_manhattan: return "scaled_manhattan";
    case Kind::outlier_count: return "outlier_count";
  }
  return "template";
}

void TemplateDetector::enroll(const Matrix& genuine) {
  detail::check_enroll_input(type(), genuine);
  std::vector<double> mean = detail::column_means(genuine);
  std::vector<double> spread;
  if (has_spread()) {
    spread.assign(mean.size(), 0.0);
    for (std::size_t r = 0; r < genuine.rows(); ++r)
      for (std::size_t j = 0; j < mean.size(); ++j) {
        const double d = genuine(r, j) - mean[j];
        spread[j] += kind_ == Kind::scaled_manhattan ? std::abs(d) : d * d;
      }
    const double n = static_cast<double>(genuine.rows());
    for (double& s : spread) {
      s = kind_ == Kind::scaled_manhattan ? s / n : std::sqrt(s / (n - 1));
      s = std::max(s, kMinSpread);
    }
  }
  mean_ = std::move(mean);
  spread_ = std::move(spread);
}

double TemplateDetector::score(std::span<const double> row) const {
  detail::check_score_input(type(), row, mean_.size());
  double anomaly = 0;
  for (std::size_t j = 0; j < mean_.size(); ++j) {
    const double d = row[j] - mean_[j];
    switch (kind_) {
      case Kind::euclidean: anomaly += d * d; break;
      case Kind::manhattan: anomaly += std::abs(d); break;
      case Kind::scaled_manhattan: anomaly += std::abs(d) / spread_[j]; break;
      case Kind::outlier_count: anomaly += std::abs(d) / spread_[j] > kOutlierZ ? 1 : 0; break;
    }
  }
  return -anomaly;
}

// Layout: u32 n_features | the means | the spreads (scaled_manhattan and outlier_count only).
void TemplateDetector::save(BinaryWriter& out) const {
  out.u32(static_cast<std::uint32_t>(mean_.size()));
  for (const double v : mean_) out.f64(v);
  for (const double v : spread_) out.f64(v);
}

void TemplateDetector::load(BinaryReader& in) {
  const std::size_t n = detail::read_feature_count(in, type());
  std::vector<double> mean = detail::read_values(in, n, type());
  std::vector<double> spread;
  if (has_spread()) spread = detail::read_values(in, n, type(), true);
  mean_ = std::move(mean);
  spread_ = std::move(spread);
}

}  // namespace ksauth::verify
