#include "ingest/mapped_file.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>

namespace ksauth::ingest {
namespace {

// The mappings alive now, as the SIGBUS handler sees them: lock-free, since a handler may not take locks.
// A mapping that finds no free entry is not made (its file is read instead).
constexpr std::uintptr_t kFree = 0, kClaimed = 1;  // begin while an entry is free, and while it is filled in
struct Region {
  std::atomic<std::uintptr_t> begin{kFree};
  std::atomic<std::uintptr_t> end{0};
  std::atomic<bool> damaged{false};
};
constexpr int kRegions = 256;
Region g_regions[kRegions];
struct sigaction g_previous_sigbus {};
std::uintptr_t g_page_size = 4096;

void on_sigbus(int signal, siginfo_t* info, void* context) {
  const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
  for (Region& region : g_regions) {
    const std::uintptr_t begin = region.begin.load(std::memory_order_acquire);
    if (begin <= kClaimed || address < begin || address >= region.end.load(std::memory_order_acquire)) continue;
    // A page past the file's new end: zeros in its place, and the access that faulted is made again.
    void* page = reinterpret_cast<void*>(address & ~(g_page_size - 1));
    if (::mmap(page, g_page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
      region.damaged.store(true, std::memory_order_release);
      return;
    }
    break;
  }
  // Not one of ours: what would have happened without this handler.
  if (g_previous_sigbus.sa_flags & SA_SIGINFO) {
    g_previous_sigbus.sa_sigaction(signal, info, context);
  } else if (g_previous_sigbus.sa_handler != SIG_DFL && g_previous_sigbus.sa_handler != SIG_IGN) {
    g_previous_sigbus.sa_handler(signal);
  } else {
    // The default action: returning makes the access fault again, now without a handler.
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    ::sigaction(SIGBUS, &default_action, nullptr);
  }
}

void install_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_page_size = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    struct sigaction action {};
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGBUS, &action, &g_previous_sigbus);
  });
}

int claim_region(std::uintptr_t begin, std::uintptr_t end) {
  for (int i = 0; i < kRegions; ++i) {
    Region& region = g_regions[i];
    std::uintptr_t expected = kFree;
    if (!region.begin.compare_exchange_strong(expected, kClaimed, std::memory_order_acq_rel)) continue;
    region.end.store(end, std::memory_order_release);
    region.damaged.store(false, std::memory_order_release);
    region.begin.store(begin, std::memory_order_release);  // seen by the handler from now on
    return i;
  }
  return -1;
}

}  // namespace

bool MappedFile::map(int fd, std::size_t size, std::size_t padding) {
  reset();
  install_handler();
  const std::size_t page = g_page_size;
  const std::size_t length = (size + padding + page - 1) / page * page;
  const std::size_t slack = size % page == 0 ? 0 : page - size % page;  // zeros after the end, in its last page
  void* base = nullptr;
  if (size > 0 && slack >= padding) {
    // The file alone: its last page holds the padding (the kernel fills it past the end with zeros).
    base = ::mmap(nullptr, size + padding, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (base == MAP_FAILED) return false;
  } else {
    // Zeros reserved for the whole length first, then the file over its start: the padding is zero pages.
    base = ::mmap(nullptr, length, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return false;
    if (size > 0 &&
        ::mmap(base, size, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_POPULATE, fd, 0) == MAP_FAILED) {
      ::munmap(base, length);
      return false;
    }
  }
  const auto begin = reinterpret_cast<std::uintptr_t>(base);
  const int region = claim_region(begin, begin + length);
  if (region < 0) {
    ::munmap(base, length);
    return false;
  }
  base_ = static_cast<char*>(base);
  size_ = size;
  length_ = length;
  region_ = region;
  return true;
}

void MappedFile::reset() {
  if (base_ == nullptr) return;
  g_regions[region_].begin.store(kFree, std::memory_order_release);
  ::munmap(base_, length_);
  base_ = nullptr;
  size_ = length_ = 0;
  region_ = -1;
}

bool MappedFile::intact() const {
  return base_ == nullptr || !g_regions[region_].damaged.load(std::memory_order_acquire);
}

}  // namespace ksauth::ingest
