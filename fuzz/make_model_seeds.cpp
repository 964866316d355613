// Writes the seeds of the model_file fuzzer into DIR: small models of every type that needs no plugin,
// fitted on made-up rows, each as the fuzzer reads it (see model_file_fuzzer.cpp): the first byte odd and
// the whole file, or even and the payload alone.
//
//   make_model_seeds DIR
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "core/matrix.hpp"
#include "core/sealed_file.hpp"
#include "models/classifier.hpp"
#include "models/model_file.hpp"

using namespace ksauth;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_model_seeds DIR\n";
    return 2;
  }
  // Three users with six rows each, in the layout of the phrase "ab" with release times.
  const std::vector<std::string> names{"H.0", "H.1", "DD.1", "UD.1", "backspaces", "duration"};
  Matrix x(18, names.size());
  std::vector<int> y;
  for (std::size_t r = 0; r < 18; ++r) {
    const int user = static_cast<int>(r / 6);
    for (std::size_t c = 0; c < names.size(); ++c)
      x(r, c) = 0.1 * (user + 1) + 0.01 * static_cast<double>((r * 7 + c * 3) % 5);
    y.push_back(user);
  }
  for (const std::string type : {"adaboost", "manhattan"}) {
    models::TrainedModel model;
    model.phrase = "ab";
    model.feature_names = names;
    model.labels = {"alice", "bob", "carol"};
    model.classifier = models::make_classifier(type, type == "adaboost" ? Params{{"n_estimators", 5.0}} : Params{});
    model.classifier->fit(x, y, 3, {});
    const std::string file = models::save_model(model);
    const std::string payload(unseal(models::kModelFile, file).payload);
    std::ofstream(std::string(argv[1]) + "/" + type + "-file", std::ios::binary) << '\x01' << file;
    std::ofstream(std::string(argv[1]) + "/" + type + "-payload", std::ios::binary) << '\x00' << payload;
  }
  return 0;
}
