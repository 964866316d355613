#pragma once
// Progress of long work (downloads, training rounds) and a way to cancel it. The library reports steps;
// cli/ draws them on a terminal, server/ hands them to a job's status.
#include <atomic>
#include <cstddef>
#include <functional>
#include <string_view>

namespace ksauth {

class Progress {
 public:
  using Callback = std::function<void(std::string_view step, std::size_t done, std::size_t total)>;

  Progress() = default;
  explicit Progress(Callback callback, const std::atomic<bool>* cancel = nullptr)
      : callback_(std::move(callback)), cancel_(cancel) {}

  // `total` may be 0 when unknown. Throws Error(cancelled) when cancellation was asked for.
  void report(std::string_view step, std::size_t done, std::size_t total) const;
  bool cancelled() const { return cancel_ && cancel_->load(std::memory_order_relaxed); }
  void throw_if_cancelled() const;

 private:
  Callback callback_;
  const std::atomic<bool>* cancel_ = nullptr;
};

}  // namespace ksauth
