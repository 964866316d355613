#pragma once
// The Mahalanobis geometry of a set of rows: (x - y)^T S^+ (x - y), with S the sample covariance (n - 1)
// and S^+ its Moore-Penrose pseudo-inverse. Keystroke features are often exactly collinear (UD = DD - H),
// so S is singular and has no inverse; like MASS::ginv, which Killourhy & Maxion's R scripts use, the
// pseudo-inverse keeps the eigen-directions whose eigenvalue exceeds sqrt(double epsilon) (1.5e-8) times
// the largest and drops the others. It is applied as a projection: W = diag(1/sqrt(lambda)) V^T over the
// kept eigenpairs, so that (x - y)^T S^+ (x - y) = |W x - W y|^2 and a distance costs rank, not n^2, steps.
#include <span>
#include <vector>

#include "core/matrix.hpp"

namespace ksauth::verify {

struct SymmetricEigen {
  std::vector<double> values;  // descending
  Matrix vectors;              // column j is the unit eigenvector of values[j]
};

// Cyclic Jacobi rotations; `a` must be square and symmetric.
SymmetricEigen symmetric_eigen(const Matrix& a);

// Sample covariance of the rows (divided by n - 1; needs 2 rows or more).
Matrix covariance(const Matrix& rows);

// W (rank rows x n_features) as above; no rows when the covariance is zero.
Matrix whitening(const Matrix& covariance);

// W x.
std::vector<double> project(const Matrix& w, std::span<const double> x);

}  // namespace ksauth::verify
