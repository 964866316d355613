#include "verify/knn_scaled_manhattan.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.hpp"
#include "verify/checks.hpp"

namespace ksauth::verify {

std::vector<double> KnnScaledManhattanDetector::transform(std::span<const double> row) const {
  std::vector<double> out;
  out.reserve(spread_.size());
  for (std::size_t j = 0; j < row.size(); ++j) {
    if (columns_[j] == Column::linear) out.push_back(row[j]);
    if (columns_[j] == Column::log) out.push_back(std::log(std::max(row[j], kLogFloor)));
  }
  return out;
}

void KnnScaledManhattanDetector::enroll(const Matrix& genuine) {
  detail::check_enroll_input(type(), genuine);
  const std::size_t n = genuine.rows(), p = genuine.cols();
  std::vector<Column> columns(p, Column::log);
  for (std::size_t j = 0; j < p; ++j) {
    bool redundant = j >= 2, positive = true;
    for (std::size_t r = 0; r < n; ++r) {
      if (redundant &&
          std::abs(genuine(r, j) - (genuine(r, j - 1) - genuine(r, j - 2))) > kRedundantTolerance)
        redundant = false;
      if (genuine(r, j) <= 0) positive = false;
    }
    columns[j] = redundant ? Column::dropped : positive ? Column::log : Column::linear;
  }
  columns_ = std::move(columns);
  Matrix templates;
  for (std::size_t r = 0; r < n; ++r) templates.append_row(transform(genuine.row(r)));
  const std::size_t q = templates.cols();
  const std::vector<double> mean = detail::column_means(templates);
  std::vector<double> spread(q, 0.0);
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t k = 0; k < q; ++k) spread[k] += std::abs(templates(r, k) - mean[k]);
  for (double& s : spread) s = std::max(s / static_cast<double>(n), kMinSpread);
  spread_ = std::move(spread);
  templates_ = std::move(templates);
}

double KnnScaledManhattanDetector::score(std::span<const double> row) const {
  detail::check_score_input(type(), row, columns_.size());
  const std::vector<double> z = transform(row);
  std::vector<double> distance(templates_.rows());
  for (std::size_t i = 0; i < templates_.rows(); ++i) {
    const auto y = templates_.row(i);
    double d = 0;
    for (std::size_t k = 0; k < z.size(); ++k) d += std::abs(z[k] - y[k]) / spread_[k];
    distance[i] = d;
  }
  const std::size_t k = std::min(kNeighbors, distance.size());
  std::partial_sort(distance.begin(), distance.begin() + static_cast<std::ptrdiff_t>(k), distance.end());
  double sum = 0;
  for (std::size_t i = 0; i < k; ++i) sum += distance[i];
  return -sum / static_cast<double>(k);
}

// Layout: u32 n_features | one u8 per feature (0 dropped, 1 linear, 2 log) | the spreads of the kept
// columns | u32 n_templates | the templates (n_templates x kept columns).
void KnnScaledManhattanDetector::save(BinaryWriter& out) const {
  out.u32(static_cast<std::uint32_t>(columns_.size()));
  for (const Column c : columns_) out.u8(static_cast<std::uint8_t>(c));
  for (const double v : spread_) out.f64(v);
  out.u32(static_cast<std::uint32_t>(templates_.rows()));
  for (const double v : templates_.data()) out.f64(v);
}

void KnnScaledManhattanDetector::load(BinaryReader& in) {
  const std::string name(type());
  const std::size_t p = detail::read_feature_count(in, type());
  if (p > in.remaining()) throw Error(ErrorKind::corrupt, name + ": truncated");
  std::vector<Column> columns(p);
  std::size_t kept = 0;
  for (Column& c : columns) {
    const std::uint8_t v = in.u8();
    if (v > 2) throw Error(ErrorKind::corrupt, name + ": bad column kind " + std::to_string(v));
    c = static_cast<Column>(v);
    if (c != Column::dropped) ++kept;
  }
  if (kept == 0) throw Error(ErrorKind::corrupt, name + ": every column is dropped");
  std::vector<double> spread = detail::read_values(in, kept, type(), true);
  const std::uint32_t count = in.u32();
  if (count == 0 || count > in.remaining() / 8 / kept)
    throw Error(ErrorKind::corrupt, name + ": bad template count " + std::to_string(count));
  const auto values = detail::read_values(in, static_cast<std::size_t>(count) * kept, type());
  Matrix templates(count, kept);
  std::copy(values.begin(), values.end(), templates.row(0).data());
  columns_ = std::move(columns);
  spread_ = std::move(spread);
  templates_ = std::move(templates);
}

}  // namespace ksauth::verify
