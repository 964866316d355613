#include "verify/one_class_svm.hpp"

#include <libsvm/svm.h>

#include <cmath>
#include <memory>
#include <mutex>
#include <string>

#include "core/error.hpp"
#include "verify/checks.hpp"

namespace ksauth::verify {
namespace {

void quiet(const char*) {}

struct ModelDeleter {
  void operator()(svm_model* m) const { svm_free_and_destroy_model(&m); }
};

[[noreturn]] void corrupt(const std::string& what) {
  throw Error(ErrorKind::corrupt, "one_class_svm: " + what);
}

}  // namespace

void OneClassSvmDetector::enroll(const Matrix& genuine) {
  detail::check_enroll_input(type(), genuine);
  static std::once_flag silenced;  // libsvm prints its progress to stdout unless told otherwise
  std::call_once(silenced, [] { svm_set_print_string_function(&quiet); });

  const std::size_t n = genuine.rows(), p = genuine.cols();
  std::vector<double> center = detail::column_means(genuine), scale(p, 0.0);
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t j = 0; j < p; ++j) scale[j] += (genuine(r, j) - center[j]) * (genuine(r, j) - center[j]);
  for (double& s : scale) {
    s = std::sqrt(s / static_cast<double>(n - 1));
    if (!(s > 0) || !std::isfinite(s)) s = 1;  // a constant feature: centred only (e1071 does the same)
  }

  // libsvm's sparse rows: every feature listed (index from 1), then the -1 terminator.
  std::vector<svm_node> nodes(n * (p + 1));
  std::vector<svm_node*> x(n);
  std::vector<double> y(n, 1.0);
  for (std::size_t r = 0; r < n; ++r) {
    x[r] = &nodes[r * (p + 1)];
    for (std::size_t j = 0; j < p; ++j)
      x[r][j] = {static_cast<int>(j + 1), (genuine(r, j) - center[j]) / scale[j]};
    x[r][p] = {-1, 0};
  }
  svm_problem problem{static_cast<int>(n), y.data(), x.data()};
  svm_parameter param{};
  param.svm_type = ONE_CLASS;
  param.kernel_type = RBF;
  param.gamma = 1.0 / static_cast<double>(p);
  param.nu = kNu;
  param.cache_size = 40;  // MB, e1071's default
  param.eps = kTolerance;
  param.shrinking = 1;
  param.C = 1;
  if (const char* bad = svm_check_parameter(&problem, &param))
    throw Error(ErrorKind::invalid_input, std::string("one_class_svm: ") + bad);
  const std::unique_ptr<svm_model, ModelDeleter> model(svm_train(&problem, &param));
  if (!model || model->l <= 0 || !model->sv_coef || !model->rho)
    throw Error(ErrorKind::invalid_input, "one_class_svm: libsvm found no support vectors");

  Matrix sv(static_cast<std::size_t>(model->l), p, 0.0);
  std::vector<double> coef(static_cast<std::size_t>(model->l));
  for (int i = 0; i < model->l; ++i) {
    for (const svm_node* node = model->SV[i]; node->index != -1; ++node)
      if (node->index >= 1 && static_cast<std::size_t>(node->index) <= p)
        sv(static_cast<std::size_t>(i), static_cast<std::size_t>(node->index - 1)) = node->value;
    coef[static_cast<std::size_t>(i)] = model->sv_coef[0][i];
  }
  center_ = std::move(center);
  scale_ = std::move(scale);
  gamma_ = param.gamma;
  nu_ = param.nu;
  rho_ = model->rho[0];
  sv_ = std::move(sv);
  coef_ = std::move(coef);
}

double OneClassSvmDetector::score(std::span<const double> row) const {
  detail::check_score_input(type(), row, center_.size());
  std::vector<double> z(row.size());
  for (std::size_t j = 0; j < z.size(); ++j) z[j] = (row[j] - center_[j]) / scale_[j];
  double sum = 0;
  for (std::size_t i = 0; i < sv_.rows(); ++i) {
    const auto s = sv_.row(i);
    double d2 = 0;
    for (std::size_t j = 0; j < z.size(); ++j) d2 += (z[j] - s[j]) * (z[j] - s[j]);
    sum += coef_[i] * std::exp(-gamma_ * d2);
  }
  return sum - rho_;
}

// Layout: u32 n_features | centers | scales | gamma | nu | rho | u32 n_sv | support vectors (n_sv x
// n_features) | coefficients (n_sv).
void OneClassSvmDetector::save(BinaryWriter& out) const {
  out.u32(static_cast<std::uint32_t>(center_.size()));
  for (const double v : center_) out.f64(v);
  for (const double v : scale_) out.f64(v);
  out.f64(gamma_);
  out.f64(nu_);
  out.f64(rho_);
  out.u32(static_cast<std::uint32_t>(sv_.rows()));
  for (const double v : sv_.data()) out.f64(v);
  for (const double v : coef_) out.f64(v);
}

void OneClassSvmDetector::load(BinaryReader& in) {
  const std::size_t p = detail::read_feature_count(in, type());
  std::vector<double> center = detail::read_values(in, p, type());
  std::vector<double> scale = detail::read_values(in, p, type(), true);
  const auto head = detail::read_values(in, 3, type());
  const double gamma = head[0], nu = head[1], rho = head[2];
  if (!(gamma > 0)) corrupt("gamma must be positive");
  if (!(nu > 0 && nu <= 1)) corrupt("nu must be in (0, 1]");
  const std::uint32_t count = in.u32();
  if (count == 0 || count > in.remaining() / 8 / (p + 1))
    corrupt("bad support vector count " + std::to_string(count));
  const auto values = detail::read_values(in, static_cast<std::size_t>(count) * p, type());
  std::vector<double> coef = detail::read_values(in, count, type());
  for (const double c : coef)
    if (c < 0) corrupt("a negative coefficient");  // one-class alphas lie in [0, 1]
  Matrix sv(count, p);
  std::copy(values.begin(), values.end(), sv.row(0).data());
  center_ = std::move(center);
  scale_ = std::move(scale);
  gamma_ = gamma;
  nu_ = nu;
  rho_ = rho;
  sv_ = std::move(sv);
  coef_ = std::move(coef);
}

}  // namespace ksauth::verify
