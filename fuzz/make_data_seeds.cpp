// Writes seeds for the parser fuzzers cut from the real data (KSAUTH_DATA_DIR, read only): the first
// attempts of training pages and test files, re-serialized whole, and the first rows of the CMU CSV, so
// that the fuzzers start from the shapes real sources have. Nothing of the data is kept in the project:
// fuzz/run writes these into build-fuzz/seeds/<fuzzer>/ on each run.
//
//   make_data_seeds DATA_DIR OUT_DIR
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kAttemptsKept = 4;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// The file's JSON with its array under `key` cut to its first attempts (pretty or compact, as given).
bool write_cut_json(const fs::path& from, const std::string& key, const fs::path& to, int indent) {
  if (!fs::is_regular_file(from)) return false;
  nlohmann::json page = nlohmann::json::parse(read_file(from));
  nlohmann::json& attempts = page.at(key);
  if (attempts.size() > kAttemptsKept) attempts.erase(attempts.begin() + kAttemptsKept, attempts.end());
  write_file(to, page.dump(indent) + "\n");
  return true;
}

// The CSV's header and the first rows of its first and last subjects.
bool write_cut_csv(const fs::path& from, const fs::path& to) {
  if (!fs::is_regular_file(from)) return false;
  std::ifstream in(from, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  if (lines.size() < 2) return false;
  std::string cut;
  for (std::size_t i = 0; i < std::min<std::size_t>(lines.size(), 1 + kAttemptsKept); ++i) cut += lines[i] + "\n";
  for (std::size_t i = std::max<std::size_t>(1, lines.size() - kAttemptsKept); i < lines.size(); ++i)
    cut += lines[i] + "\n";
  write_file(to, cut);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: make_data_seeds DATA_DIR OUT_DIR\n";
    return 2;
  }
  const fs::path data(argv[1]);
  const fs::path out(argv[2]);
  for (const char* fuzzer : {"training_page", "test_file", "cmu_csv"}) fs::create_directories(out / fuzzer);
  const fs::path cmu = data / "cmu-dsl2009";
  const fs::path unifyid = data / "unifyid-mle";
  int written = 0;
  try {
    written += write_cut_json(cmu / "chain/train/user_s002.json", "user_data", out / "training_page/cmu-s002.json", 1);
    written += write_cut_json(cmu / "chain/train/user_s057.json", "user_data", out / "training_page/cmu-s057.json", -1);
    written += write_cut_json(unifyid / "user_4a438fdede4e11e9b986acde48001122.json", "user_data",
                              out / "training_page/unifyid-user.json", 4);
    written += write_cut_json(cmu / "chain/test_attempts.json", "attempts", out / "test_file/cmu-test.json", -1);
    written += write_cut_json(unifyid / "sample_test.json", "attempts", out / "test_file/unifyid-test.json", 4);
    written += write_cut_csv(cmu / "DSL-StrongPasswordData.csv", out / "cmu_csv/cmu-rows.csv");
  } catch (const std::exception& e) {
    std::cerr << "make_data_seeds: " << data.string() << ": " << e.what() << "\n";
    return 1;
  }
  std::cout << "make_data_seeds: " << written << " seeds from " << data.string() << "\n";
  return written > 0 ? 0 : 1;
}
