#pragma once
// Draws progress of long steps on stderr, one self-overwriting line, only when stderr is a terminal.
#include <chrono>
#include <string>

#include "core/progress.hpp"

namespace ksauth::cli {

class TerminalProgress {
 public:
  TerminalProgress();
  ~TerminalProgress() { clear(); }
  Progress progress();
  void clear();  // erases the progress line, before results are printed

 private:
  void draw(std::string_view step, std::size_t done, std::size_t total);
  bool enabled_;
  bool drawn_ = false;
  std::string last_step_;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace ksauth::cli
