// Our half of the ingest pair in bench/run: a training chain from files to the validated feature matrix,
// by app::stream_training_features: the chain walk, page parser and feature collector that `ksauth train`
// loads with too, without the store and without keeping the key events.
//
//   bench_ingest FIRST_PAGE
//
// Prints one JSON object like bench/ingest/ingest_reference.py: seconds, bytes, MB/s, pages, attempts,
// rows, columns, peak memory (max RSS, MiB) and the sum of the matrix (the two sides must agree).
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/data_set.hpp"
#include "core/error.hpp"

using namespace ksauth;

int main(int argc, char** argv) try {
  if (argc != 2) {
    std::cerr << "usage: bench_ingest FIRST_PAGE\n";
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  const app::StreamedFeatures data = app::stream_training_features(argv[1], {}, {});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::uintmax_t bytes = 0;
  for (const std::string& page : data.pages) bytes += std::filesystem::file_size(page);
  double checksum = 0;
  for (double v : data.features.x.data()) checksum += v;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  nlohmann::json out = {{"seconds", seconds},
                        {"bytes", bytes},
                        {"mb_per_s", static_cast<double>(bytes) / 1e6 / seconds},
                        {"pages", data.pages.size()},
                        {"attempts", data.n_attempts},
                        {"rows", data.features.x.rows()},
                        {"columns", data.features.x.cols()},
                        {"peak_mib", static_cast<double>(usage.ru_maxrss) / 1024},
                        {"checksum", checksum}};
  std::cout << out.dump() << "\n";
} catch (const Error& e) {
  std::cerr << "bench_ingest: " << e.what() << "\n";
  return 1;
}
