#include "models/checks.hpp"

#include <cmath>
#include <cstdio>

#include "core/error.hpp"
#include "core/text.hpp"

namespace ksauth::models::detail {
namespace {

[[noreturn]] void bad(std::string_view model, const std::string& what) {
  throw Error(ErrorKind::invalid_input, std::string(model) + ": " + what);
}

void check_finite(std::string_view model, const Matrix& x) {
  for (std::size_t r = 0; r < x.rows(); ++r)
    for (std::size_t c = 0; c < x.cols(); ++c)
      if (!std::isfinite(x(r, c)))
        bad(model, "row " + std::to_string(r) + ", feature " + std::to_string(c) + ": value is not finite");
}

}  // namespace

void check_fit_input(std::string_view model, const Matrix& x, std::span<const int> y, int n_classes) {
  if (x.rows() == 0) bad(model, "no training rows");
  if (x.cols() == 0) bad(model, "no features");
  if (y.size() != x.rows())
    bad(model, std::to_string(y.size()) + " labels for " + std::to_string(x.rows()) + " rows");
  if (n_classes < 1) bad(model, "the number of classes must be at least 1");
  for (std::size_t i = 0; i < y.size(); ++i)
    if (y[i] < 0 || y[i] >= n_classes)
      bad(model, "row " + std::to_string(i) + ": class " + std::to_string(y[i]) + " is not in [0, " +
                     std::to_string(n_classes) + ")");
  check_finite(model, x);
}

void check_predict_input(std::string_view model, const Matrix& x, std::size_t n_features) {
  if (n_features == 0) bad(model, "the model is not fitted");
  if (x.cols() != n_features && x.rows() > 0)
    bad(model,
        "expected " + std::to_string(n_features) + " features per row, got " + std::to_string(x.cols()));
  check_finite(model, x);
}

namespace {

std::string describe(const ParamRange& r) {
  if (r.integer)
    return "an integer in [" + format_number(r.low) + ", " + format_number(r.high) + "]";
  if (std::isinf(r.high))
    return std::string("a finite number ") + (r.low_exclusive ? "> " : ">= ") + format_number(r.low);
  return std::string("a number in ") + (r.low_exclusive ? "(" : "[") + format_number(r.low) + ", " +
         format_number(r.high) + "]";
}

bool allowed(const ParamRange& r, double v) {
  if (!std::isfinite(v)) return false;
  if (r.low_exclusive ? !(v > r.low) : !(v >= r.low)) return false;
  if (!(v <= r.high)) return false;
  return !r.integer || v == std::floor(v);
}

}  // namespace

Params resolve_params(std::string_view model, const std::vector<ParamRange>& ranges, const Params& given) {
  Params out;
  for (const ParamRange& r : ranges) out[r.name] = r.default_value;
  for (const auto& [name, value] : given) {
    const ParamRange* range = nullptr;
    for (const ParamRange& r : ranges)
      if (r.name == name) range = &r;
    if (!range) {
      std::string accepted;
      for (const auto& [known, unused] : out) accepted += (accepted.empty() ? "" : ", ") + known;
      bad(model, "unknown parameter '" + printable(name, 64) + "' (accepted: " + accepted + ")");
    }
    if (!allowed(*range, value))
      bad(model, "parameter '" + name + "' must be " + describe(*range) +
                     (std::isfinite(value) ? " (got " + format_number(value) + ")" : ""));
    out[name] = value;
  }
  return out;
}

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}


}  // namespace ksauth::models::detail
