#include "models/input_scaling.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.hpp"

namespace ksauth::models {
namespace {

constexpr double kLimit = 1e4;

}  // namespace

void InputScaling::fit(const Matrix& x) {
  const std::size_t n = x.rows(), p = x.cols();
  log_.assign(p, 1);
  floor_.assign(p, INFINITY);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < p; ++j) {
      if (!(x(i, j) > 0)) log_[j] = 0;
      floor_[j] = std::min(floor_[j], x(i, j));
    }
  for (std::size_t j = 0; j < p; ++j)
    if (!log_[j]) floor_[j] = 0;
  mean_.assign(p, 0.0);
  scale_.assign(p, 0.0);
  auto value = [&](std::size_t i, std::size_t j) { return log_[j] ? std::log(x(i, j)) : x(i, j); };
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < p; ++j) mean_[j] += value(i, j);
  for (double& m : mean_) m /= static_cast<double>(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < p; ++j) scale_[j] += (value(i, j) - mean_[j]) * (value(i, j) - mean_[j]);
  for (double& s : scale_) {
    s = std::sqrt(s / static_cast<double>(n));
    if (!(s > 1e-12)) s = 1.0;  // a constant feature: centred, left unscaled
  }
}

double InputScaling::apply(std::size_t column, double value) const {
  if (log_[column]) value = std::log(std::max(value, floor_[column]));
  // Clamped far beyond any real z-score, so that an absurd value stays finite as a float.
  return std::clamp((value - mean_[column]) / scale_[column], -kLimit, kLimit);
}

// Layout: per feature u8 logged, f64 floor, f64 mean, f64 scale.
void InputScaling::save(BinaryWriter& out) const {
  for (std::size_t j = 0; j < mean_.size(); ++j) {
    out.u8(log_[j]);
    out.f64(floor_[j]);
    out.f64(mean_[j]);
    out.f64(scale_[j]);
  }
}

void InputScaling::load(BinaryReader& in, std::size_t n_features) {
  if (n_features > in.remaining() / 25) throw Error(ErrorKind::corrupt, "input scaling: truncated");
  std::vector<std::uint8_t> log(n_features);
  std::vector<double> floor(n_features), mean(n_features), scale(n_features);
  for (std::size_t j = 0; j < n_features; ++j) {
    log[j] = in.u8();
    floor[j] = in.f64();
    mean[j] = in.f64();
    scale[j] = in.f64();
    if (log[j] > 1 || !std::isfinite(floor[j]) || (log[j] && !(floor[j] > 0)) || !std::isfinite(mean[j]) ||
        !std::isfinite(scale[j]) || !(scale[j] > 0))
      throw Error(ErrorKind::corrupt, "input scaling: feature " + std::to_string(j) + " is damaged");
  }
  log_ = std::move(log);
  floor_ = std::move(floor);
  mean_ = std::move(mean);
  scale_ = std::move(scale);
}

}  // namespace ksauth::models
