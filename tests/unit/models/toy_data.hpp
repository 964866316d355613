#pragma once
// Small data sets shared by the model tests.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/matrix.hpp"
#include "support/error_kind.hpp"
#include "support/fixtures.hpp"

namespace ksauth::models::testing {

using ksauth::testing::error_kind;

inline Matrix matrix(const std::vector<std::vector<double>>& rows) { return ksauth::testing::matrix_of(rows); }

inline Matrix column(const std::vector<double>& values) {
  Matrix m;
  for (double v : values) m.append_row(std::vector<double>{v});
  return m;
}

// n rows of `features` values drawn around a per-class centre (classes 0..k-1 in turn), rounded to 2
// decimals so that equal values occur, as in real timings.
struct Blobs {
  Matrix x;
  std::vector<int> y;
};

inline Blobs blobs(std::size_t n, std::size_t features, int k, double spread, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, spread);
  Blobs out;
  for (std::size_t i = 0; i < n; ++i) {
    const int cls = static_cast<int>(i % static_cast<std::size_t>(k));
    std::vector<double> row(features);
    for (std::size_t j = 0; j < features; ++j) {
      const double centre = static_cast<double>((cls * 7 + static_cast<int>(j) * 3) % 5);
      row[j] = std::round((centre + noise(rng)) * 100) / 100;
    }
    out.x.append_row(row);
    out.y.push_back(cls);
  }
  return out;
}

}  // namespace ksauth::models::testing
