#include "eval/split.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <random>
#include <string>

#include "core/error.hpp"

namespace ksauth::eval {

namespace {

std::string format_double(double x) {
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, result.ptr);
}

// An unbiased draw in [0, bound) (bound >= 1): rejection of the low (2^64 mod bound) values, so every
// residue is equally likely. Only mt19937_64's raw output is used, which the standard fixes exactly.
std::uint64_t bounded(std::mt19937_64& rng, std::uint64_t bound) {
  const std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
  for (;;) {
    const std::uint64_t x = rng();
    if (x >= threshold) return x % bound;
  }
}

// Fisher-Yates, from the last position down.
void shuffle(std::vector<std::size_t>& v, std::mt19937_64& rng) {
  for (std::size_t i = v.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(bounded(rng, i));
    std::swap(v[i - 1], v[j]);
  }
}

}  // namespace

void check_holdout_fraction(double fraction) {
  if (!(fraction > 0.0 && fraction < 1.0))
    throw Error(ErrorKind::invalid_input, "holdout must be in (0,1), got " + format_double(fraction));
}

Split stratified_holdout(std::span<const int> labels, double fraction, std::uint64_t seed) {
  check_holdout_fraction(fraction);

  // Rows of each class, in class order (ascending label), each list ascending.
  std::map<int, std::vector<std::size_t>> by_class;
  for (std::size_t i = 0; i < labels.size(); ++i) by_class[labels[i]].push_back(i);

  std::mt19937_64 rng(seed);
  Split split;
  split.train.reserve(labels.size());
  for (auto& [label, rows] : by_class) {
    const std::size_t count = rows.size();
    std::size_t take = 0;
    if (count >= 2) {
      const double wanted = std::round(fraction * static_cast<double>(count));  // halves round up
      take = std::clamp(static_cast<std::size_t>(wanted), std::size_t{1}, count - 1);
    }
    shuffle(rows, rng);
    split.holdout.insert(split.holdout.end(), rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(take));
    split.train.insert(split.train.end(), rows.begin() + static_cast<std::ptrdiff_t>(take), rows.end());
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.holdout.begin(), split.holdout.end());
  return split;
}

}  // namespace ksauth::eval
