#include "verify/mahalanobis.hpp"

#include <algorithm>
#include <limits>

#include "core/error.hpp"
#include "verify/checks.hpp"
#include "verify/whitening.hpp"

namespace ksauth::verify {

void MahalanobisDetector::enroll(const Matrix& genuine) {
  detail::check_enroll_input(type(), genuine);
  Matrix w = whitening(covariance(genuine));
  Matrix templates;
  if (nearest_) {
    for (std::size_t r = 0; r < genuine.rows(); ++r) templates.append_row(project(w, genuine.row(r)));
  } else {
    templates.append_row(project(w, detail::column_means(genuine)));
  }
  n_features_ = genuine.cols();
  w_ = std::move(w);
  templates_ = std::move(templates);
}

double MahalanobisDetector::score(std::span<const double> row) const {
  detail::check_score_input(type(), row, n_features_);
  const std::vector<double> z = project(w_, row);
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t t = 0; t < templates_.rows(); ++t) {
    const auto y = templates_.row(t);
    double d = 0;
    for (std::size_t k = 0; k < z.size(); ++k) d += (z[k] - y[k]) * (z[k] - y[k]);
    best = std::min(best, d);
  }
  return -best;
}

// Layout: u32 n_features | u32 rank | W (rank x n_features) | u32 templates | templates (x rank).
void MahalanobisDetector::save(BinaryWriter& out) const {
  out.u32(static_cast<std::uint32_t>(n_features_));
  out.u32(static_cast<std::uint32_t>(w_.rows()));
  for (const double v : w_.data()) out.f64(v);
  out.u32(static_cast<std::uint32_t>(templates_.rows()));
  for (const double v : templates_.data()) out.f64(v);
}

void MahalanobisDetector::load(BinaryReader& in) {
  const std::size_t n = detail::read_feature_count(in, type());
  const std::uint32_t rank = in.u32();
  if (rank > n) throw Error(ErrorKind::corrupt, std::string(type()) + ": rank " + std::to_string(rank) + " > features");
  // The values first: read_values refuses a count the file cannot hold before anything of that size is made
  // (a damaged n of a million made this allocate 3.7 GB; found by the verifier_file fuzzer).
  const auto wv = detail::read_values(in, static_cast<std::size_t>(rank) * n, type());
  Matrix w(rank, n);
  std::copy(wv.begin(), wv.end(), w.row(0).data());
  const std::uint32_t count = in.u32();
  if (count == 0 || (!nearest_ && count != 1))
    throw Error(ErrorKind::corrupt, std::string(type()) + ": bad template count " + std::to_string(count));
  const auto tv = detail::read_values(in, static_cast<std::size_t>(count) * rank, type());
  Matrix templates(count, rank);
  std::copy(tv.begin(), tv.end(), templates.row(0).data());
  n_features_ = n;
  w_ = std::move(w);
  templates_ = std::move(templates);
}

}  // namespace ksauth::verify
