#include "eval/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>

#include "core/error.hpp"

namespace ksauth::eval {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

[[noreturn]] void invalid(const std::string& message) {
  throw Error(ErrorKind::invalid_input, message);
}
[[noreturn]] void bad_json(const std::string& what) {
  throw Error(ErrorKind::corrupt, "metrics: " + what);
}

// Index of the highest score, ties to the lowest index.
int arg_max(std::span<const double> row) {
  std::size_t best = 0;
  for (std::size_t c = 1; c < row.size(); ++c)
    if (row[c] > row[best]) best = c;
  return static_cast<int>(best);
}

void check_scores(const Matrix& proba) {
  for (std::size_t r = 0; r < proba.rows(); ++r)
    for (std::size_t c = 0; c < proba.cols(); ++c)
      if (std::isnan(proba(r, c)))
        invalid("scores: row " + std::to_string(r) + ", class " + std::to_string(c) + " is NaN");
}

}  // namespace

std::vector<int> predictions(const Matrix& proba) {
  if (proba.rows() > 0 && proba.cols() == 0) invalid("scores: no classes");
  std::vector<int> out(proba.rows());
  for (std::size_t r = 0; r < proba.rows(); ++r) out[r] = arg_max(proba.row(r));
  return out;
}

double roc_auc(std::span<const double> scores, std::span<const bool> positive) {
  if (scores.size() != positive.size())
    invalid("roc_auc: " + std::to_string(scores.size()) + " scores but " + std::to_string(positive.size()) +
            " labels");
  const std::size_t n = scores.size();
  for (std::size_t i = 0; i < n; ++i)
    if (std::isnan(scores[i])) invalid("roc_auc: score " + std::to_string(i) + " is NaN");
  const auto n_pos = static_cast<std::uint64_t>(std::count(positive.begin(), positive.end(), true));
  const std::uint64_t n_neg = n - n_pos;
  if (n_pos == 0 || n_neg == 0) return kNaN;

  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });

  // Mann-Whitney U with average ranks: a tie group at sorted positions [i, j) has 1-based ranks i+1..j,
  // average (i+1+j)/2. Summing twice the rank keeps everything in exact integers.
  std::uint64_t twice_rank_sum = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i + 1;
    while (j < n && scores[order[j]] == scores[order[i]]) ++j;
    std::uint64_t pos_in_group = 0;
    for (std::size_t k = i; k < j; ++k) pos_in_group += positive[order[k]] ? 1 : 0;
    twice_rank_sum += pos_in_group * static_cast<std::uint64_t>(i + 1 + j);
    i = j;
  }
  const std::uint64_t twice_u = twice_rank_sum - n_pos * (n_pos + 1);
  return static_cast<double>(twice_u) / (2.0 * static_cast<double>(n_pos) * static_cast<double>(n_neg));
}

std::vector<std::vector<std::size_t>> confusion_matrix(std::span<const int> truth,
                                                       std::span<const int> predicted, int n_classes) {
  if (n_classes < 0) invalid("confusion matrix: negative number of classes");
  if (truth.size() != predicted.size())
    invalid("confusion matrix: " + std::to_string(truth.size()) + " labels but " +
            std::to_string(predicted.size()) + " predictions");
  const auto k = static_cast<std::size_t>(n_classes);
  std::vector<std::vector<std::size_t>> counts(k, std::vector<std::size_t>(k, 0));
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] < 0 || truth[i] >= n_classes)
      invalid("confusion matrix: row " + std::to_string(i) + ": label " + std::to_string(truth[i]) +
              " is not in [0, " + std::to_string(n_classes) + ")");
    if (predicted[i] < 0 || predicted[i] >= n_classes)
      invalid("confusion matrix: row " + std::to_string(i) + ": prediction " + std::to_string(predicted[i]) +
              " is not in [0, " + std::to_string(n_classes) + ")");
    ++counts[static_cast<std::size_t>(truth[i])][static_cast<std::size_t>(predicted[i])];
  }
  return counts;
}

Metrics compute_metrics(std::span<const int> truth, const Matrix& proba) {
  if (truth.size() != proba.rows())
    invalid("metrics: " + std::to_string(truth.size()) + " labels but " + std::to_string(proba.rows()) +
            " score rows");
  if (truth.empty()) invalid("metrics: no rows to evaluate");
  const std::size_t n = truth.size();
  const std::size_t k = proba.cols();
  for (std::size_t i = 0; i < n; ++i)
    if (truth[i] < 0 || static_cast<std::size_t>(truth[i]) >= k)
      invalid("metrics: row " + std::to_string(i) + ": label " + std::to_string(truth[i]) +
              " is not in [0, " + std::to_string(k) + ")");
  check_scores(proba);

  const std::vector<int> predicted = predictions(proba);
  std::vector<std::size_t> true_count(k, 0), pred_count(k, 0), hits(k, 0);
  std::size_t correct = 0, top3 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto t = static_cast<std::size_t>(truth[i]);
    const auto p = static_cast<std::size_t>(predicted[i]);
    ++true_count[t];
    ++pred_count[p];
    if (t == p) {
      ++hits[t];
      ++correct;
    }
    // Rank of the true class when ordered by score (descending), ties to the lower index.
    const auto row = proba.row(i);
    std::size_t ahead = 0;
    for (std::size_t c = 0; c < k && ahead < 3; ++c)
      if (row[c] > row[t] || (row[c] == row[t] && c < t)) ++ahead;
    if (ahead < 3) ++top3;
  }

  Metrics m;
  m.n = n;
  m.accuracy = static_cast<double>(correct) / static_cast<double>(n);
  m.top3_accuracy = static_cast<double>(top3) / static_cast<double>(n);

  // Macro averages over the classes present in truth or predictions; an undefined ratio counts 0.
  std::size_t n_labels = 0;
  for (std::size_t c = 0; c < k; ++c) {
    if (true_count[c] == 0 && pred_count[c] == 0) continue;
    ++n_labels;
    const double precision =
        pred_count[c] ? static_cast<double>(hits[c]) / static_cast<double>(pred_count[c]) : 0.0;
    const double recall =
        true_count[c] ? static_cast<double>(hits[c]) / static_cast<double>(true_count[c]) : 0.0;
    const double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
    m.precision += precision;
    m.recall += recall;
    m.f1 += f1;
  }
  m.precision /= static_cast<double>(n_labels);
  m.recall /= static_cast<double>(n_labels);
  m.f1 /= static_cast<double>(n_labels);

  // One-vs-rest ROC AUC, macro over the classes with both positives and negatives.
  std::vector<double> column(n);
  const auto positive = std::make_unique<bool[]>(n);  // std::vector<bool> has no span
  double auc_sum = 0;
  std::size_t n_auc = 0;
  for (std::size_t c = 0; c < k; ++c) {
    if (true_count[c] == 0 || true_count[c] == n) continue;
    for (std::size_t i = 0; i < n; ++i) {
      column[i] = proba(i, c);
      positive[i] = static_cast<std::size_t>(truth[i]) == c;
    }
    auc_sum += roc_auc(column, std::span<const bool>(positive.get(), n));
    ++n_auc;
  }
  m.roc_auc = n_auc ? auc_sum / static_cast<double>(n_auc) : kNaN;
  return m;
}

nlohmann::json to_json(const Metrics& m) {
  // NaN (no ROC AUC defined) is written as null.
  auto number = [](double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); };
  return nlohmann::json{{"accuracy", number(m.accuracy)},
                        {"precision", number(m.precision)},
                        {"recall", number(m.recall)},
                        {"f1", number(m.f1)},
                        {"roc_auc", number(m.roc_auc)},
                        {"top3_accuracy", number(m.top3_accuracy)},
                        {"n", m.n}};
}

Metrics metrics_from_json(const nlohmann::json& j) {
  if (!j.is_object()) bad_json("expected a JSON object");
  auto number = [&](const char* key) -> double {
    const auto it = j.find(key);
    if (it == j.end()) bad_json(std::string("missing \"") + key + "\"");
    if (it->is_null()) return kNaN;
    if (!it->is_number()) bad_json(std::string("\"") + key + "\" is not a number");
    return it->get<double>();
  };
  Metrics m;
  m.accuracy = number("accuracy");
  m.precision = number("precision");
  m.recall = number("recall");
  m.f1 = number("f1");
  m.roc_auc = number("roc_auc");
  m.top3_accuracy = number("top3_accuracy");
  const auto it = j.find("n");
  if (it == j.end()) bad_json("missing \"n\"");
  const bool count = it->is_number_unsigned() || (it->is_number_integer() && it->get<std::int64_t>() >= 0);
  if (!count) bad_json("\"n\" is not a non-negative integer");
  m.n = it->get<std::size_t>();
  return m;
}

}  // namespace ksauth::eval
