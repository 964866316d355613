#include "verify/checks.hpp"

#include <cmath>
#include <string>

#include "core/error.hpp"

namespace ksauth::verify::detail {

void check_enroll_input(std::string_view detector, const Matrix& genuine) {
  const std::string name(detector);
  if (genuine.rows() < 2)
    throw Error(ErrorKind::invalid_input, name + ": enrollment needs at least 2 genuine attempts, got " +
                                              std::to_string(genuine.rows()));
  if (genuine.cols() == 0) throw Error(ErrorKind::invalid_input, name + ": the attempts have no features");
  for (std::size_t r = 0; r < genuine.rows(); ++r)
    for (std::size_t j = 0; j < genuine.cols(); ++j)
      if (!std::isfinite(genuine(r, j)))
        throw Error(ErrorKind::invalid_input, name + ": genuine attempt " + std::to_string(r) + ", feature " +
                                                  std::to_string(j) + " is not a finite number");
}

void check_score_input(std::string_view detector, std::span<const double> row, std::size_t n_features) {
  const std::string name(detector);
  if (n_features == 0) throw Error(ErrorKind::invalid_input, name + ": not enrolled yet");
  if (row.size() != n_features)
    throw Error(ErrorKind::invalid_input, name + ": an attempt of " + std::to_string(row.size()) +
                                              " features, enrolled on " + std::to_string(n_features));
}

std::vector<double> column_means(const Matrix& rows) {
  std::vector<double> mean(rows.cols(), 0.0);
  for (std::size_t r = 0; r < rows.rows(); ++r)
    for (std::size_t j = 0; j < rows.cols(); ++j) mean[j] += rows(r, j);
  for (double& m : mean) m /= static_cast<double>(rows.rows());
  return mean;
}

std::vector<double> read_values(BinaryReader& in, std::size_t n, std::string_view detector, bool positive) {
  if (n > in.remaining() / 8) throw Error(ErrorKind::corrupt, std::string(detector) + ": truncated");
  std::vector<double> out(n);
  for (double& v : out) {
    v = in.f64();
    if (!std::isfinite(v) || (positive && v <= 0))
      throw Error(ErrorKind::corrupt, std::string(detector) + ": a stored value is not a finite" +
                                          (positive ? " positive" : "") + " number");
  }
  return out;
}

std::size_t read_feature_count(BinaryReader& in, std::string_view detector) {
  const std::uint32_t n = in.u32();
  if (n == 0 || n > (1u << 20))
    throw Error(ErrorKind::corrupt, std::string(detector) + ": bad feature count " + std::to_string(n));
  return n;
}

}  // namespace ksauth::verify::detail
