#pragma once
// Identification metrics over a holdout: truth = class index per row, proba = one row of class scores
// per attempt (the prediction is the arg-max, ties to the lowest index).
#include <cstddef>
#include <span>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/matrix.hpp"

namespace ksauth::eval {

struct Metrics {
  double accuracy = 0;
  double precision = 0;  // macro over the classes present in truth or predictions (scikit-learn's rule)
  double recall = 0;     // macro, same classes
  double f1 = 0;         // macro mean of the per-class F1, same classes
  double roc_auc = 0;    // one-vs-rest, macro over the classes with both positives and negatives in truth
  double top3_accuracy = 0;
  std::size_t n = 0;
};

std::vector<int> predictions(const Matrix& proba);
Metrics compute_metrics(std::span<const int> truth, const Matrix& proba);
// Area under the ROC curve of scores for a binary truth (ties count one half); NaN when one side is empty.
double roc_auc(std::span<const double> scores, std::span<const bool> positive);
// counts[t][p]: rows of true class t predicted as p.
std::vector<std::vector<std::size_t>> confusion_matrix(std::span<const int> truth, std::span<const int> predicted,
                                                       int n_classes);

nlohmann::json to_json(const Metrics& m);
Metrics metrics_from_json(const nlohmann::json& j);

}  // namespace ksauth::eval
