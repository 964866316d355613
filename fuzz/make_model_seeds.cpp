// Writes the seeds of the model_file and verifier_file fuzzers: small models of every type that needs no
// plugin, and verifiers of every detector type and of the classifier family, fitted on made-up rows, each
// as the fuzzers read them (see model_file_fuzzer.cpp): the first byte odd and the whole file, or even and
// the payload alone.
//
//   make_model_seeds MODEL_DIR VERIFIER_DIR
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "core/matrix.hpp"
#include "core/sealed_file.hpp"
#include "models/classifier.hpp"
#include "models/model_file.hpp"
#include "verify/detector.hpp"
#include "verify/verifier.hpp"

using namespace ksauth;

namespace {

void write_seeds(const std::string& dir, const std::string& name, const FileKind& kind, const std::string& file) {
  const std::string payload(unseal(kind, file).payload);
  std::ofstream(dir + "/" + name + "-file", std::ios::binary) << '\x01' << file;
  std::ofstream(dir + "/" + name + "-payload", std::ios::binary) << '\x00' << payload;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: make_model_seeds MODEL_DIR VERIFIER_DIR\n";
    return 2;
  }
  const std::string model_dir = argv[1];
  const std::string verifier_dir = argv[2];
  // Three users with six rows each, in the layout of the phrase "ab" with release times.
  const std::vector<std::string> names{"H.0", "H.1", "DD.1", "UD.1", "backspaces", "duration"};
  const std::vector<std::string> users{"alice", "bob", "carol"};
  constexpr std::size_t kRowsPerUser = 6;
  Matrix x(users.size() * kRowsPerUser, names.size());
  std::vector<int> y;
  for (std::size_t r = 0; r < x.rows(); ++r) {
    const int user = static_cast<int>(r / kRowsPerUser);
    for (std::size_t c = 0; c < names.size(); ++c)
      x(r, c) = 0.1 * (user + 1) + 0.01 * static_cast<double>((r * 7 + c * 3) % 5);
    y.push_back(user);
  }

  for (const std::string type : {"adaboost", "manhattan"}) {
    models::TrainedModel model;
    model.phrase = "ab";
    model.feature_names = names;
    model.labels = users;
    model.classifier = models::make_classifier(type, type == "adaboost" ? Params{{"n_estimators", 5.0}} : Params{});
    model.classifier->fit(x, y, static_cast<int>(users.size()), {});
    write_seeds(model_dir, type, models::kModelFile, models::save_model(model));

    verify::Verifier verifier;
    verifier.family = verify::Family::classifier;
    verifier.type = type;
    verifier.phrase = model.phrase;
    verifier.feature_names = names;
    verifier.users = users;
    verifier.thresholds = {0.5, 0.4, 0.3};
    verifier.model = std::move(model);
    write_seeds(verifier_dir, "classifier-" + type, verify::kVerifierFile, verify::save_verifier(verifier));
  }

  for (const std::string& type : verify::detector_types()) {
    verify::Verifier verifier;
    verifier.type = type;
    verifier.phrase = "ab";
    verifier.feature_names = names;
    verifier.users = users;
    for (std::size_t u = 0; u < users.size(); ++u) {
      Matrix genuine(kRowsPerUser, names.size());
      for (std::size_t r = 0; r < kRowsPerUser; ++r)
        for (std::size_t c = 0; c < names.size(); ++c) genuine(r, c) = x(u * kRowsPerUser + r, c);
      auto detector = verify::make_detector(type);
      detector->enroll(genuine);
      verifier.detectors.push_back(std::move(detector));
      verifier.thresholds.push_back(-1.0 - static_cast<double>(u));
    }
    write_seeds(verifier_dir, "detector-" + type, verify::kVerifierFile, verify::save_verifier(verifier));
  }
  return 0;
}
