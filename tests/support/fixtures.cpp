#include "support/fixtures.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>

#include "core/timestamp.hpp"

namespace ksauth::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "ksauth-test-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

std::string TempDir::write(const std::string& name, const std::string& content) const {
  const std::filesystem::path p = file(name);
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + p.string());
  return p.string();
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::vector<Attempt> synthetic_attempts(const std::string& user, int typist, const std::string& text,
                                        std::size_t count, bool with_release, unsigned seed) {
  std::mt19937 rng(seed * 7919u + static_cast<unsigned>(typist));
  std::uniform_real_distribution<double> jitter(-0.01, 0.01);
  std::vector<Attempt> out;
  Micros start = *parse_timestamp("2020-01-01T10:00:00") + static_cast<Micros>(typist) * 3'600'000'000;
  for (std::size_t a = 0; a < count; ++a) {
    Attempt attempt{user, {}};
    Micros t = start + static_cast<Micros>(a) * 20'000'000;
    for (std::size_t i = 0; i < text.size(); ++i) {
      // Each typist has its own latency and hold per position.
      const double latency = 0.10 + 0.04 * typist + 0.01 * static_cast<double>((i * (typist + 2)) % 5) + jitter(rng);
      const double hold = 0.06 + 0.02 * typist + jitter(rng) / 2;
      if (i > 0) t += static_cast<Micros>(latency * 1e6);
      KeyEvent e{std::string(1, text[i]), t, std::nullopt};
      if (with_release) e.released_at = t + static_cast<Micros>(hold * 1e6);
      attempt.events.push_back(e);
    }
    out.push_back(std::move(attempt));
  }
  return out;
}

Matrix matrix_of(const std::vector<std::vector<double>>& rows) {
  Matrix m;
  for (const auto& r : rows) m.append_row(r);
  return m;
}

Attempt typed_at(const std::string& user, const std::string& keys, const std::vector<double>& seconds) {
  const Micros t0 = *parse_timestamp("2021-03-04T05:06:07");
  Attempt a{user, {}};
  for (std::size_t i = 0; i < keys.size(); ++i)
    a.events.push_back({std::string(1, keys[i]), t0 + static_cast<Micros>(seconds[i] * 1e6), std::nullopt});
  return a;
}

namespace {

nlohmann::json attempts_json(const std::vector<Attempt>& attempts) {
  nlohmann::json out = nlohmann::json::array();
  for (const Attempt& a : attempts) {
    nlohmann::json events = nlohmann::json::array();
    for (const KeyEvent& e : a.events) {
      nlohmann::json event = {{"character", e.key}, {"typed_at", format_timestamp(e.pressed_at)}};
      if (e.released_at) event["released_at"] = format_timestamp(*e.released_at);
      events.push_back(event);
    }
    out.push_back(events);
  }
  return out;
}

}  // namespace

std::string training_page_json(const std::string& label, const std::vector<Attempt>& attempts,
                               const std::string* next) {
  return nlohmann::json{{"user_data", attempts_json(attempts)},
                        {"user_label", label},
                        {"next", next ? nlohmann::json(*next) : nlohmann::json(nullptr)}}
      .dump();
}

std::string test_file_json(const std::vector<Attempt>& attempts) {
  return nlohmann::json{{"attempts", attempts_json(attempts)}}.dump();
}

std::string write_chain(const TempDir& dir, const std::vector<std::vector<Attempt>>& users) {
  for (std::size_t u = 0; u < users.size(); ++u) {
    const std::string next = "page" + std::to_string(u + 1) + ".json";
    dir.write("page" + std::to_string(u) + ".json",
              training_page_json(users[u].front().user, users[u], u + 1 < users.size() ? &next : nullptr));
  }
  return dir.file("page0.json");
}

std::optional<std::string> data_dir() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("KSAUTH_DATA_DIR"); env && *env) candidates.emplace_back(env);
  candidates.emplace_back("../shared/data");
#ifdef KSAUTH_DEFAULT_DATA_DIR
  candidates.emplace_back(KSAUTH_DEFAULT_DATA_DIR);
#endif
  for (const auto& dir : candidates) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) return std::filesystem::absolute(dir).lexically_normal().string();
  }
  return std::nullopt;
}

}  // namespace ksauth::testing
