#include <string>

#include "core/error.hpp"
#include "core/text.hpp"
#include "verify/detector.hpp"
#include "verify/knn_scaled_manhattan.hpp"
#include "verify/mahalanobis.hpp"
#include "verify/one_class_svm.hpp"
#include "verify/template_detectors.hpp"

namespace ksauth::verify {

const std::vector<std::string>& detector_types() {
  static const std::vector<std::string> types = {
      "scaled_manhattan", "nearest_neighbor_mahalanobis", "outlier_count", "one_class_svm", "mahalanobis",
      "manhattan",        "euclidean",                    "knn_scaled_manhattan"};
  return types;
}

std::unique_ptr<Detector> make_detector(std::string_view type) {
  using Kind = TemplateDetector::Kind;
  if (type == "scaled_manhattan") return std::make_unique<TemplateDetector>(Kind::scaled_manhattan);
  if (type == "nearest_neighbor_mahalanobis") return std::make_unique<MahalanobisDetector>(true);
  if (type == "outlier_count") return std::make_unique<TemplateDetector>(Kind::outlier_count);
  if (type == "knn_scaled_manhattan") return std::make_unique<KnnScaledManhattanDetector>();
  if (type == "one_class_svm") return std::make_unique<OneClassSvmDetector>();
  if (type == "mahalanobis") return std::make_unique<MahalanobisDetector>(false);
  if (type == "manhattan") return std::make_unique<TemplateDetector>(Kind::manhattan);
  if (type == "euclidean") return std::make_unique<TemplateDetector>(Kind::euclidean);
  std::string known;
  for (const auto& t : detector_types()) known += (known.empty() ? "" : ", ") + t;
  throw Error(ErrorKind::invalid_input, "unknown detector '" + printable(type, 64) + "' (known: " + known + ")");
}

}  // namespace ksauth::verify
