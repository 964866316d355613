#include "features/vector.hpp"

#include <algorithm>

namespace ksauth::features {
namespace {

double seconds(Micros t) { return static_cast<double>(t) / 1e6; }

}  // namespace

FeatureLayout make_layout(const std::string& phrase, bool with_release) {
  FeatureLayout layout{phrase, with_release, {}};
  const std::size_t n = code_points(phrase);
  for (std::size_t i = 0; i < n; ++i) {
    if (with_release) layout.names.push_back("H." + std::to_string(i));
    if (i > 0) {
      layout.names.push_back("DD." + std::to_string(i));
      if (with_release) layout.names.push_back("UD." + std::to_string(i));
    }
  }
  layout.names.push_back("backspaces");
  layout.names.push_back("duration");
  return layout;
}

std::optional<FeatureLayout> layout_from_names(const std::string& phrase, const std::vector<std::string>& names) {
  for (bool with_release : {true, false}) {
    FeatureLayout layout = make_layout(phrase, with_release);
    if (layout.names == names) return layout;
  }
  return std::nullopt;
}

std::vector<StepColumns> sequence_columns(const FeatureLayout& layout) {
  // Follows make_layout's order: per position H.i, then DD.i and UD.i from the second position on.
  std::vector<StepColumns> steps(code_points(layout.phrase));
  int column = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (layout.with_release) steps[i].hold = column++;
    if (i > 0) {
      steps[i].press_latency = column++;
      if (layout.with_release) steps[i].release_latency = column++;
    }
  }
  return steps;
}

bool has_release_times(const Attempt& attempt, const Replay& replay) {
  return std::all_of(replay.kept.begin(), replay.kept.end(),
                     [&](std::size_t i) { return attempt.events[i].released_at.has_value(); });
}

void append_values(const Attempt& attempt, const Replay& replay, bool with_release, std::vector<double>& out) {
  const std::size_t keys = replay.kept.size();
  // Room made once, growing geometrically: H and UD per key and DD from the second on (or DD alone), then
  // backspaces and duration.
  const std::size_t needed = out.size() + (keys == 0 ? 0 : with_release ? 3 * keys - 2 : keys - 1) + 2;
  if (out.capacity() < needed) out.reserve(std::max(needed, 2 * out.capacity()));
  for (std::size_t i = 0; i < keys; ++i) {
    const KeyEvent& key = attempt.events[replay.kept[i]];
    if (with_release) out.push_back(seconds(*key.released_at - key.pressed_at));
    if (i > 0) {
      const KeyEvent& prev = attempt.events[replay.kept[i - 1]];
      out.push_back(seconds(key.pressed_at - prev.pressed_at));
      if (with_release) out.push_back(seconds(key.pressed_at - *prev.released_at));
    }
  }
  out.push_back(static_cast<double>(replay.backspaces));
  const auto [first, last] = std::minmax_element(attempt.events.begin(), attempt.events.end(),
                                                 [](const KeyEvent& a, const KeyEvent& b) { return a.pressed_at < b.pressed_at; });
  out.push_back(seconds(last->pressed_at - first->pressed_at));
}

std::optional<std::vector<double>> extract(const Attempt& attempt, const Replay& replay, const FeatureLayout& layout) {
  if (replay.text != layout.phrase || replay.kept.empty()) return std::nullopt;
  if (layout.with_release && !has_release_times(attempt, replay)) return std::nullopt;
  std::vector<double> out;
  out.reserve(layout.names.size());
  append_values(attempt, replay, layout.with_release, out);
  return out;
}

}  // namespace ksauth::features
