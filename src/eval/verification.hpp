#pragma once
// Verification error rates in ISO/IEC 19795-1 terms. A verifier gives each attempt a score, higher = more
// genuine, and accepts it when score >= threshold:
//   FMR(t)  (false match rate)     = share of impostor attempts accepted:  score >= t
//   FNMR(t) (false non-match rate) = share of genuine attempts rejected:   score <  t
// The curve has one point per distinct score used as the threshold, ascending, then one at +infinity
// (accept nothing: FMR 0, FNMR 1). ROC points are (FMR, 1 - FNMR), DET points (FMR, FNMR).
// Every function throws Error(invalid_input) when either side is empty or a score is NaN.
#include <cstddef>
#include <span>
#include <vector>

namespace ksauth::eval {

double false_match_rate(std::span<const double> impostor, double threshold);
double false_non_match_rate(std::span<const double> genuine, double threshold);

struct ErrorPoint {
  double threshold = 0;
  double fmr = 0;
  double fnmr = 0;

  bool operator==(const ErrorPoint&) const = default;
};

// FMR falls and FNMR rises along the curve, strictly at each step (each threshold passes some score).
std::vector<ErrorPoint> error_curve(std::span<const double> genuine, std::span<const double> impostor);

struct VerificationRates {
  double eer = 0;            // equal error rate (see equal_error_rate in the .cpp for the rule)
  double eer_threshold = 0;  // the threshold at the EER
  double fmr100 = 0;         // lowest FNMR with FMR <= 1%
  double zero_fmr = 0;       // lowest FNMR with FMR = 0
  std::size_t n_genuine = 0;
  std::size_t n_impostor = 0;
};

VerificationRates verification_rates(std::span<const double> genuine, std::span<const double> impostor);

// The same from a curve made by error_curve (to avoid sorting the scores twice).
VerificationRates rates_from_curve(const std::vector<ErrorPoint>& curve);

// The operating point for a target FMR in [0,1]: the lowest threshold of the curve whose FMR <= target (the
// most accepting one that keeps to the target, so the lowest FNMR). Its threshold is +infinity only when
// no score of the curve keeps to it (target 0 and the highest score is an impostor's).
ErrorPoint point_at_fmr(const std::vector<ErrorPoint>& curve, double target_fmr);

// One point of a DET curve averaged over several users' curves.
struct DetPoint {
  double fmr = 0;
  double fnmr = 0;
  bool operator==(const DetPoint&) const = default;
};
// Vertical averaging: at each FMR of the grid, the mean over the curves of the lowest FNMR with FMR <= it.
std::vector<DetPoint> mean_det(const std::vector<std::vector<ErrorPoint>>& curves, std::span<const double> fmr_grid);
// The FMR grid ksauth reports DET curves on: 0, then 1e-3 to 1 evenly on a log scale (10 points a decade).
std::vector<double> det_fmr_grid();

}  // namespace ksauth::eval
