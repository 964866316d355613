#include "cli/terminal_progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace ksauth::cli {

TerminalProgress::TerminalProgress() : enabled_(isatty(STDERR_FILENO) == 1) {}

void TerminalProgress::clear() {
  if (drawn_) std::fprintf(stderr, "\r\033[K");
  drawn_ = false;
}

Progress TerminalProgress::progress() {
  if (!enabled_) return {};
  return Progress([this](std::string_view step, std::size_t done, std::size_t total) { draw(step, done, total); });
}

void TerminalProgress::draw(std::string_view step, std::size_t done, std::size_t total) {
  // Redraw at most ~20 times a second, but always on a new step and at the end of one.
  const auto now = std::chrono::steady_clock::now();
  if (step == last_step_ && done != total && now - last_draw_ < std::chrono::milliseconds(50)) return;
  last_step_ = step;
  last_draw_ = now;
  drawn_ = true;
  if (total == 1) {  // a single step: its name says it all
    std::fprintf(stderr, "\r\033[K%.*s...", static_cast<int>(step.size()), step.data());
  } else if (total > 0) {
    const int width = 30;
    const int filled = static_cast<int>(static_cast<double>(done) / static_cast<double>(total) * width);
    std::fprintf(stderr, "\r\033[K%.*s [%.*s%*s] %zu/%zu", static_cast<int>(step.size()), step.data(), filled,
                 "##############################", width - filled, "", done, total);
  } else {
    std::fprintf(stderr, "\r\033[K%.*s %zu", static_cast<int>(step.size()), step.data(), done);
  }
  std::fflush(stderr);
}

}  // namespace ksauth::cli
