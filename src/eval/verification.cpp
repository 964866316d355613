#include "eval/verification.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"

namespace ksauth::eval {
namespace {

void check_scores(std::span<const double> scores, const char* side) {
  if (scores.empty()) throw Error(ErrorKind::invalid_input, std::string("no ") + side + " scores");
  for (const double s : scores)
    if (std::isnan(s)) throw Error(ErrorKind::invalid_input, std::string("a ") + side + " score is NaN");
}

std::vector<double> sorted(std::span<const double> scores) {
  std::vector<double> out(scores.begin(), scores.end());
  std::sort(out.begin(), out.end());
  return out;
}

// The equal error rate, as Killourhy & Maxion's R evaluation script computes it: take the two neighbouring
// points of the curve between which FMR - FNMR changes sign (the last with FMR - FNMR >= 0 and the next,
// with FMR - FNMR < 0), and intersect the straight segment between them with the line FMR = FNMR:
//   d1 = FMR1 - FNMR1 >= 0,  d2 = FMR2 - FNMR2 < 0,  a = d1 / (d1 - d2),  EER = FMR1 + a (FMR2 - FMR1).
// When a point has FMR = FNMR exactly, a = 0 and the EER is that rate. Why this rule: the curve only has
// the points that real thresholds reach, and between them the rates jump, so "where FMR equals FNMR" is
// rarely a point of the curve; interpolating linearly is the paper's own choice, and reproducing its figures
// needs the same choice (the closest point, or the mean of FMR and FNMR there, give other figures). Both points always exist: the curve starts at FMR 1, FNMR 0 and
// ends at FMR 0, FNMR 1, and FMR - FNMR falls strictly along it, so they are unique and adjacent.
// The threshold at the EER is interpolated the same way between the two thresholds (a score between them
// is accepted when it is >= it); when the second is +infinity (accept nothing), the first (and when the
// first is -infinity, a score that overflowed, the second).
void equal_error_rate(const std::vector<ErrorPoint>& curve, VerificationRates& out) {
  std::size_t i = 0;
  while (i + 1 < curve.size() && curve[i + 1].fmr - curve[i + 1].fnmr >= 0) ++i;
  const ErrorPoint& p1 = curve[i];
  const ErrorPoint& p2 = curve[std::min(i + 1, curve.size() - 1)];
  const double d1 = p1.fmr - p1.fnmr;
  const double d2 = p2.fmr - p2.fnmr;
  const double a = d1 - d2 > 0 ? d1 / (d1 - d2) : 0.0;
  out.eer = p1.fmr + a * (p2.fmr - p1.fmr);
  if (std::isfinite(p1.threshold) && std::isfinite(p2.threshold))
    out.eer_threshold = p1.threshold + a * (p2.threshold - p1.threshold);
  else
    out.eer_threshold = std::isfinite(p2.threshold) ? p2.threshold : p1.threshold;
}

}  // namespace

double false_match_rate(std::span<const double> impostor, double threshold) {
  check_scores(impostor, "impostor");
  const auto accepted = std::count_if(impostor.begin(), impostor.end(), [&](double s) { return s >= threshold; });
  return static_cast<double>(accepted) / static_cast<double>(impostor.size());
}

double false_non_match_rate(std::span<const double> genuine, double threshold) {
  check_scores(genuine, "genuine");
  const auto rejected = std::count_if(genuine.begin(), genuine.end(), [&](double s) { return s < threshold; });
  return static_cast<double>(rejected) / static_cast<double>(genuine.size());
}

std::vector<ErrorPoint> error_curve(std::span<const double> genuine, std::span<const double> impostor) {
  check_scores(genuine, "genuine");
  check_scores(impostor, "impostor");
  const std::vector<double> g = sorted(genuine);
  const std::vector<double> m = sorted(impostor);
  const double ng = static_cast<double>(g.size());
  const double nm = static_cast<double>(m.size());
  std::vector<ErrorPoint> curve;
  curve.reserve(g.size() + m.size() + 1);
  // Sweep the distinct scores upwards; gi / mi: scores below the threshold on each side.
  std::size_t gi = 0, mi = 0;
  while (gi < g.size() || mi < m.size()) {
    const double t = gi == g.size() ? m[mi] : mi == m.size() ? g[gi] : std::min(g[gi], m[mi]);
    curve.push_back({t, (nm - static_cast<double>(mi)) / nm, static_cast<double>(gi) / ng});
    while (gi < g.size() && g[gi] == t) ++gi;
    while (mi < m.size() && m[mi] == t) ++mi;
  }
  curve.push_back({std::numeric_limits<double>::infinity(), 0.0, 1.0});
  return curve;
}

VerificationRates rates_from_curve(const std::vector<ErrorPoint>& curve) {
  if (curve.empty()) throw Error(ErrorKind::invalid_input, "an empty error curve");
  VerificationRates out;
  equal_error_rate(curve, out);
  out.fmr100 = 1.0;
  out.zero_fmr = 1.0;
  for (const ErrorPoint& p : curve) {  // FNMR rises along the curve: the first point that qualifies is lowest
    if (p.fmr <= 0.01) out.fmr100 = std::min(out.fmr100, p.fnmr);
    if (p.fmr == 0) out.zero_fmr = std::min(out.zero_fmr, p.fnmr);
  }
  return out;
}

VerificationRates verification_rates(std::span<const double> genuine, std::span<const double> impostor) {
  VerificationRates out = rates_from_curve(error_curve(genuine, impostor));
  out.n_genuine = genuine.size();
  out.n_impostor = impostor.size();
  return out;
}

ErrorPoint point_at_fmr(const std::vector<ErrorPoint>& curve, double target_fmr) {
  if (curve.empty()) throw Error(ErrorKind::invalid_input, "an empty error curve");
  if (!(target_fmr >= 0 && target_fmr <= 1))
    throw Error(ErrorKind::invalid_input, "a target FMR must be in [0, 1]");
  for (const ErrorPoint& p : curve)  // FMR falls along the curve: the first point that keeps to the target
    if (p.fmr <= target_fmr) return p;
  return curve.back();  // unreachable: the last point has FMR 0
}

std::vector<DetPoint> mean_det(const std::vector<std::vector<ErrorPoint>>& curves, std::span<const double> fmr_grid) {
  if (curves.empty()) throw Error(ErrorKind::invalid_input, "no curves to average");
  std::vector<DetPoint> out;
  out.reserve(fmr_grid.size());
  for (const double x : fmr_grid) {
    double sum = 0;
    for (const auto& curve : curves) {
      double lowest = 1.0;
      for (const ErrorPoint& p : curve)
        if (p.fmr <= x) {
          lowest = p.fnmr;  // FNMR rises along the curve: the first point that qualifies is lowest
          break;
        }
      sum += lowest;
    }
    out.push_back({x, sum / static_cast<double>(curves.size())});
  }
  return out;
}

std::vector<double> det_fmr_grid() {
  std::vector<double> grid{0.0};
  for (int i = 0; i <= 30; ++i) grid.push_back(std::pow(10.0, -3.0 + i / 10.0));
  grid.back() = 1.0;  // exactly
  return grid;
}

}  // namespace ksauth::eval
