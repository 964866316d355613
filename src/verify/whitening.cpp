#include "verify/whitening.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace ksauth::verify {

SymmetricEigen symmetric_eigen(const Matrix& input) {
  const std::size_t n = input.rows();
  Matrix a = input;
  Matrix v(n, n, 0.0);
  for (std::size_t i = 0; i < n; ++i) v(i, i) = 1.0;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0, total = 0;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) (i == j ? total : off) += a(i, j) * a(i, j);
    if (off <= std::numeric_limits<double>::epsilon() * std::numeric_limits<double>::epsilon() * (total + off))
      break;
    for (std::size_t p = 0; p + 1 < n; ++p) {
      for (std::size_t q = p + 1; q < n; ++q) {
        if (a(p, q) == 0) continue;
        // The rotation that zeroes a(p,q) (Golub & Van Loan, symmetric Schur decomposition).
        const double theta = (a(q, q) - a(p, p)) / (2 * a(p, q));
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1);
        const double s = t * c;
        for (std::size_t k = 0; k < n; ++k) {  // columns p and q
          const double akp = a(k, p), akq = a(k, q);
          a(k, p) = c * akp - s * akq;
          a(k, q) = s * akp + c * akq;
        }
        for (std::size_t k = 0; k < n; ++k) {  // rows p and q
          const double apk = a(p, k), aqk = a(q, k);
          a(p, k) = c * apk - s * aqk;
          a(q, k) = s * apk + c * aqk;
        }
        for (std::size_t k = 0; k < n; ++k) {
          const double vkp = v(k, p), vkq = v(k, q);
          v(k, p) = c * vkp - s * vkq;
          v(k, q) = s * vkp + c * vkq;
        }
      }
    }
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return a(x, x) > a(y, y); });
  SymmetricEigen out{std::vector<double>(n), Matrix(n, n)};
  for (std::size_t j = 0; j < n; ++j) {
    out.values[j] = a(order[j], order[j]);
    for (std::size_t i = 0; i < n; ++i) out.vectors(i, j) = v(i, order[j]);
  }
  return out;
}

Matrix covariance(const Matrix& rows) {
  const std::size_t n = rows.rows(), d = rows.cols();
  std::vector<double> mean(d, 0.0);
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t j = 0; j < d; ++j) mean[j] += rows(r, j);
  for (double& m : mean) m /= static_cast<double>(n);
  Matrix cov(d, d, 0.0);
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t i = 0; i < d; ++i) {
      const double di = rows(r, i) - mean[i];
      for (std::size_t j = i; j < d; ++j) cov(i, j) += di * (rows(r, j) - mean[j]);
    }
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = i; j < d; ++j) cov(j, i) = cov(i, j) /= static_cast<double>(n - 1);
  return cov;
}

Matrix whitening(const Matrix& cov) {
  const SymmetricEigen eigen = symmetric_eigen(cov);
  const double tolerance = std::sqrt(std::numeric_limits<double>::epsilon());
  const double largest = eigen.values.empty() ? 0.0 : eigen.values.front();
  Matrix w;
  for (std::size_t j = 0; j < eigen.values.size(); ++j) {
    const double lambda = eigen.values[j];
    if (!(largest > 0) || lambda <= tolerance * largest) break;  // descending: the rest are smaller
    std::vector<double> row(cov.cols());
    for (std::size_t i = 0; i < row.size(); ++i) row[i] = eigen.vectors(i, j) / std::sqrt(lambda);
    w.append_row(row);
  }
  return w;
}

std::vector<double> project(const Matrix& w, std::span<const double> x) {
  std::vector<double> out(w.rows(), 0.0);
  for (std::size_t k = 0; k < w.rows(); ++k) {
    const auto row = w.row(k);
    double sum = 0;
    for (std::size_t j = 0; j < x.size(); ++j) sum += row[j] * x[j];
    out[k] = sum;
  }
  return out;
}

}  // namespace ksauth::verify
