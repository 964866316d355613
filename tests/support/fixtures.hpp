#pragma once
// Small generated data for tests: synthetic typists whose rhythms differ, written in the JSON formats.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/attempt.hpp"
#include "core/matrix.hpp"

namespace ksauth::testing {

// A fresh directory under the system temp dir, removed with everything in it at the end of the scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Writes `content` to `name` (sub-directories created) and returns the file's path.
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

// `count` attempts of `text` by synthetic typist number `typist` (distinct, stable rhythms; release
// times included when `with_release`). Deterministic for (typist, seed).
std::vector<Attempt> synthetic_attempts(const std::string& user, int typist, const std::string& text,
                                        std::size_t count, bool with_release, unsigned seed = 1);

// A matrix written row by row, for tests.
Matrix matrix_of(const std::vector<std::vector<double>>& rows);

// One attempt of `keys` (one character each) pressed at the given seconds after a fixed start, no releases.
Attempt typed_at(const std::string& user, const std::string& keys, const std::vector<double>& seconds);

std::string training_page_json(const std::string& label, const std::vector<Attempt>& attempts,
                               const std::string* next);
std::string test_file_json(const std::vector<Attempt>& attempts);

// Writes one page per user (page0.json -> page1.json -> ...) into dir; returns the first page's path.
std::string write_chain(const TempDir& dir, const std::vector<std::vector<Attempt>>& users);

// The shared data (read-only): $KSAUTH_DATA_DIR, else ../shared/data from the current directory, else
// ../shared/data beside the source tree. nullopt when none exists.
std::optional<std::string> data_dir();
// What a test on the shared data fails with when it is not there (the tests never pass without it).
inline constexpr const char* kNoData =
    "the shared data is not here: put it in ../shared/data beside the repository or set KSAUTH_DATA_DIR";

}  // namespace ksauth::testing
