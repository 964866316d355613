#include "models/manhattan.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/error.hpp"
#include "core/text.hpp"
#include "models/checks.hpp"

namespace ksauth::models {
namespace {

constexpr const char* kName = "manhattan";

[[noreturn]] void corrupt(const std::string& what) {
  throw Error(ErrorKind::corrupt, std::string(kName) + ": " + what);
}

}  // namespace

Manhattan::Manhattan(const Params& params) {
  if (!params.empty())
    throw Error(ErrorKind::invalid_input, std::string(kName) + ": unknown parameter '" +
                                              printable(params.begin()->first, 64) +
                                              "' (this model takes no parameters)");
}

std::span<const double> Manhattan::class_means(int cls) const {
  const std::int32_t r = row_of_.at(static_cast<std::size_t>(cls));
  return r < 0 ? std::span<const double>() : means_.row(static_cast<std::size_t>(r));
}

std::span<const double> Manhattan::class_mads(int cls) const {
  const std::int32_t r = row_of_.at(static_cast<std::size_t>(cls));
  return r < 0 ? std::span<const double>() : mads_.row(static_cast<std::size_t>(r));
}

void Manhattan::fit(const Matrix& x, std::span<const int> y, int n_classes, const FitOptions& options) {
  detail::check_fit_input(kName, x, y, n_classes);
  const std::size_t n = x.rows();
  const std::size_t nf = x.cols();
  const auto k = static_cast<std::size_t>(n_classes);

  std::vector<std::uint64_t> counts(k, 0);
  for (std::size_t i = 0; i < n; ++i) ++counts[static_cast<std::size_t>(y[i])];
  std::vector<std::int32_t> row_of(k, -1);
  std::size_t present = 0;
  for (std::size_t c = 0; c < k; ++c)
    if (counts[c] > 0) row_of[c] = static_cast<std::int32_t>(present++);

  Matrix means(present, nf, 0.0);
  Matrix mads(present, nf, 0.0);
  std::vector<double> overall_mean(nf, 0.0), overall_mad(nf, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto r = static_cast<std::size_t>(row_of[static_cast<std::size_t>(y[i])]);
    for (std::size_t j = 0; j < nf; ++j) {
      means(r, j) += x(i, j);
      overall_mean[j] += x(i, j);
    }
  }
  for (std::size_t c = 0; c < k; ++c)
    if (row_of[c] >= 0)
      for (double& m : means.row(static_cast<std::size_t>(row_of[c]))) m /= static_cast<double>(counts[c]);
  for (double& m : overall_mean) m /= static_cast<double>(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto r = static_cast<std::size_t>(row_of[static_cast<std::size_t>(y[i])]);
    for (std::size_t j = 0; j < nf; ++j) {
      mads(r, j) += std::abs(x(i, j) - means(r, j));
      overall_mad[j] += std::abs(x(i, j) - overall_mean[j]);
    }
  }
  // The zero-MAD guard. A feature constant within a class (or nearly so: a class with one row, a timing
  // quantized by the recorder) would divide by zero, or let a single feature dominate every score. Such a
  // MAD is raised to kMadFloorShare (1%) of the feature's MAD over all training rows: small enough to leave
  // real class spreads alone (a user's spread of a timing feature is a sizeable share of the population's),
  // large enough to keep any one feature's scaled deviation bounded. A feature constant over all training
  // rows (e.g. a backspace count that is always 0) gets kMadFloorAbsolute: it then adds the same deviation
  // to every class, and so changes no prediction.
  for (std::size_t j = 0; j < nf; ++j) {
    overall_mad[j] /= static_cast<double>(n);
    const double share = overall_mad[j] * kMadFloorShare;
    const double floor = share > 0 ? share : kMadFloorAbsolute;
    for (std::size_t c = 0; c < k; ++c) {
      if (row_of[c] < 0) continue;
      double& mad = mads(static_cast<std::size_t>(row_of[c]), j);
      mad = std::max(mad / static_cast<double>(counts[c]), floor);
    }
  }
  options.progress.report("training", 1, 1);

  n_features_ = nf;
  n_classes_ = n_classes;
  counts_ = std::move(counts);
  row_of_ = std::move(row_of);
  means_ = std::move(means);
  mads_ = std::move(mads);
}

Matrix Manhattan::scores(const Matrix& x) const {
  detail::check_predict_input(kName, x, n_features_);
  const auto k = static_cast<std::size_t>(n_classes_);
  Matrix out(x.rows(), k, -std::numeric_limits<double>::infinity());
  for (std::size_t r = 0; r < x.rows(); ++r) {
    const auto row = x.row(r);
    for (std::size_t c = 0; c < k; ++c) {
      if (row_of_[c] < 0) continue;
      const auto mean = means_.row(static_cast<std::size_t>(row_of_[c]));
      const auto mad = mads_.row(static_cast<std::size_t>(row_of_[c]));
      double sum = 0;
      for (std::size_t j = 0; j < n_features_; ++j) sum += std::abs(row[j] - mean[j]) / mad[j];
      out(r, c) = -sum;
    }
  }
  return out;
}

Matrix Manhattan::predict_proba(const Matrix& x) const {
  Matrix out = scores(x);
  const double lowest = std::numeric_limits<double>::lowest();
  const double nf = static_cast<double>(n_features_);
  for (std::size_t r = 0; r < out.rows(); ++r) {
    auto p = out.row(r);
    // Softmax of score / n_features over the classes with training rows. A score that overflowed to
    // -infinity (a row absurdly far from every template) is clamped to the lowest finite value first, so
    // that the largest term is always exp(0) = 1 and nothing becomes NaN.
    double top = lowest;
    for (std::size_t c = 0; c < p.size(); ++c) {
      if (row_of_[c] < 0) continue;
      p[c] = std::max(p[c], lowest) / nf;
      top = std::max(top, p[c]);
    }
    double sum = 0;
    for (std::size_t c = 0; c < p.size(); ++c) {
      p[c] = row_of_[c] < 0 ? 0.0 : std::exp(p[c] - top);
      sum += p[c];
    }
    for (double& v : p) v /= sum;
  }
  return out;
}

// Layout: u32 n_features | u32 n_classes | per class: u64 training rows, then when > 0 the n_features means
// and the n_features MADs in force.
void Manhattan::save(BinaryWriter& out) const {
  out.u32(static_cast<std::uint32_t>(n_features_));
  out.u32(static_cast<std::uint32_t>(n_classes_));
  for (std::size_t c = 0; c < counts_.size(); ++c) {
    out.u64(counts_[c]);
    if (row_of_[c] < 0) continue;
    for (double v : means_.row(static_cast<std::size_t>(row_of_[c]))) out.f64(v);
    for (double v : mads_.row(static_cast<std::size_t>(row_of_[c]))) out.f64(v);
  }
}

void Manhattan::load(BinaryReader& in) {
  const std::uint32_t nf = in.u32();
  const std::uint32_t k = in.u32();
  if (nf == 0 || nf > (1u << 20)) corrupt("bad feature count " + std::to_string(nf));
  if (k == 0 || k > (1u << 20)) corrupt("bad class count " + std::to_string(k));
  if (static_cast<std::uint64_t>(k) * 8 > in.remaining()) corrupt("truncated class table");
  std::vector<std::uint64_t> counts(k, 0);
  std::vector<std::int32_t> row_of(k, -1);
  std::vector<double> means, mads;  // grow only as the file provides the bytes
  std::int32_t present = 0;
  for (std::size_t c = 0; c < k; ++c) {
    counts[c] = in.u64();
    if (counts[c] == 0) continue;
    if (static_cast<std::uint64_t>(nf) * 16 > in.remaining()) corrupt("truncated class " + std::to_string(c));
    row_of[c] = present++;
    for (std::size_t j = 0; j < nf; ++j) {
      means.push_back(in.f64());
      if (!std::isfinite(means.back())) corrupt("class " + std::to_string(c) + ": a mean is not finite");
    }
    for (std::size_t j = 0; j < nf; ++j) {
      mads.push_back(in.f64());
      if (!std::isfinite(mads.back()) || mads.back() <= 0)
        corrupt("class " + std::to_string(c) + ": a deviation is not a finite positive number");
    }
  }
  if (present == 0) corrupt("no class has training rows");
  Matrix mean_matrix(static_cast<std::size_t>(present), nf),
      mad_matrix(static_cast<std::size_t>(present), nf);
  std::copy(means.begin(), means.end(), mean_matrix.row(0).data());
  std::copy(mads.begin(), mads.end(), mad_matrix.row(0).data());
  n_features_ = nf;
  n_classes_ = static_cast<int>(k);
  counts_ = std::move(counts);
  row_of_ = std::move(row_of);
  means_ = std::move(mean_matrix);
  mads_ = std::move(mad_matrix);
}

}  // namespace ksauth::models
