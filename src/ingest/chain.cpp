// Following a training chain: walk_training_chain and load_training_chain of ingest/pages.hpp.
//
// A page's link to the next one is at its top level, which PageParser reads before the attempts. So the
// pages after the first are loaded ahead by the caller's thread and helper threads together: reading a
// page's top level makes the next page known, and another thread may fetch that one while this page's
// attempts are read. The caller gets the pages in chain order.
#include <algorithm>
#include <condition_variable>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "ingest/cmu_csv.hpp"
#include "ingest/fetch.hpp"
#include "ingest/page_parser.hpp"
#include "ingest/pages.hpp"

namespace ksauth::ingest {
namespace {

// A page read into a buffer with room for the parser's padding after it is parsed where it is.
bool is_padded(const std::string& body) { return body.capacity() - body.size() >= kPagePadding; }

// The reason alone: fetch errors start with "URL: ", which PageFailure holds apart.
std::string reason_of(const Error& e, const std::string& url) {
  const std::string_view message = e.what();
  const std::string prefix = url + ": ";
  if (message.substr(0, prefix.size()) == prefix) return std::string(message.substr(prefix.size()));
  return std::string(message);
}

// The page a local page's `next` names, guessed from its last bytes: pages end with "next": "..." written
// plainly. Only a guess, which lets the next page be read ahead while this one is parsed; the parse decides
// (a page read ahead for a wrong guess is never used).
std::optional<std::string_view> guess_next(std::string_view page) {
  std::size_t i = page.size();
  const auto skip_space = [&] {
    while (i > 0 && (page[i - 1] == ' ' || page[i - 1] == '\n' || page[i - 1] == '\r' || page[i - 1] == '\t')) --i;
  };
  const auto take = [&](char c) {
    skip_space();
    if (i == 0 || page[i - 1] != c) return false;
    --i;
    return true;
  };
  if (!take('}') || !take('"')) return std::nullopt;
  const std::size_t end = i;
  while (i > 0 && page[i - 1] != '"') {
    if (page[i - 1] == '\\' || end - i > 4096) return std::nullopt;
    --i;
  }
  if (i == 0 || i == end) return std::nullopt;
  const std::size_t begin = i--;
  constexpr std::string_view key = "\"next\"";
  if (!take(':')) return std::nullopt;
  skip_space();
  if (i < key.size() || page.substr(i - key.size(), key.size()) != key) return std::nullopt;
  return page.substr(begin, end - begin);
}

// Where each page's `next` leads, checked as the links are met in chain order: a page from the network
// must not make us read this machine's files, a link back to a page already met is a loop, and a chain
// has at most the policy's max_pages pages.
class ChainLinks {
 public:
  struct Link {
    std::string url;
    std::optional<std::string> refusal;  // why the page is not loaded
  };

  ChainLinks(const std::string& first_url, std::size_t max_pages)
      : visited_{page_identity(first_url)}, max_pages_(max_pages) {}

  Link follow(const std::string& current, const std::string& next) {
    Link link{resolve_url(current, next), std::nullopt};
    if (is_remote(current) && !is_remote(link.url)) {
      link.refusal = "a page served over HTTP may only point to another http(s) page";
    } else if (!visited_.insert(page_identity(link.url)).second) {
      link.refusal = "next points back to page " + link.url + " already loaded (a loop)";
    } else if (pages_ >= max_pages_) {
      link.refusal = "the chain is longer than the " + std::to_string(max_pages_) + "-page limit; stopped before this page";
    } else {
      ++pages_;
    }
    return link;
  }

 private:
  std::unordered_set<std::string> visited_;
  std::size_t max_pages_;
  std::size_t pages_ = 1;  // pages met so far, the first included
};

// Threads beside the caller's: one per other core (at least one, so that a download overlaps the parsing).
std::size_t helper_count() {
  return std::clamp<std::size_t>(std::thread::hardware_concurrency(), 2, 4) - 1;
}

// The pages after the first, loaded ahead of their reader (see the top of this file). A page is loaded in
// two tasks: its link step (fetch it and read its top level, which makes the next page's link known) and
// its attempts. The links form a chain that no two threads can walk at once, so a free thread takes the
// link step first whenever one is ready, then the attempts of the earliest page waiting for them. The
// caller's thread takes tasks too while its next page is not loaded: the helpers and the caller together
// use every core without a thread too many, which would slow the chain of link steps.
class PageWorkers {
 public:
  // One page: loaded, or the failure that ends the chain there, or an unexpected exception.
  struct Page {
    std::string url;
    TrainingPage page;
    std::optional<PageFailure> failure;
    std::exception_ptr error;
  };

  PageWorkers(const Fetcher& fetcher, ChainLinks links, ChainLinks::Link second, std::size_t helpers)
      : fetcher_(fetcher), links_(std::move(links)), slots_(helpers + 2) {
    known_.push_back(std::move(second));
    if (known_.back().refusal) chain_ends_ = true;
    threads_.reserve(helpers);
    for (std::size_t i = 0; i < helpers; ++i) threads_.emplace_back([this] { help(); });
  }
  ~PageWorkers() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    for (std::thread& t : threads_) t.join();  // a task under way (a download) is finished first
  }
  PageWorkers(const PageWorkers&) = delete;
  PageWorkers& operator=(const PageWorkers&) = delete;

  // The next page of the chain, nullptr after the last; the page returned before is given back (its slot
  // is loaded again). Runs tasks until the page is loaded.
  Page* next() {
    std::unique_lock lock(mutex_);
    if (released_ < taken_) {
      released_ = taken_;
      changed_.notify_all();
    }
    while (true) {
      Slot& slot = slots_[taken_ % slots_.size()];
      if (slot.page_number == taken_ && slot.state == State::loaded) {
        ++taken_;
        return &slot.page;
      }
      if (chain_ends_ && taken_ >= known_.size()) return nullptr;
      if (!run_a_task(lock)) changed_.wait(lock);
    }
  }

 private:
  enum class State { link_step, header_read, attempts_step, loaded };
  struct Slot {
    PageParser parser;
    std::string body;   // read into, not mapped: a file that changes under us must not change what we parse
    PageHeader header;  // between the two tasks
    Page page;
    std::size_t page_number = std::numeric_limits<std::size_t>::max();
    State state = State::loaded;
    // The next page may be read into `body` ahead of its link, from a guessed URL (see guess_next).
    enum class Ahead { none, reading, read } ahead = Ahead::none;
    std::string ahead_url;
  };
  struct ReadAhead {
    std::size_t page;
    std::string url;
  };

  void help() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      if (!run_a_task(lock)) changed_.wait(lock);
    }
  }

  // Takes the most urgent task and runs it (unlocked); false when there is none to take.
  bool run_a_task(std::unique_lock<std::mutex>& lock) {
    if (stopping_) return false;
    if (linked_ < known_.size() && linked_ < released_ + slots_.size() &&
        slots_[linked_ % slots_.size()].ahead != Slot::Ahead::reading) {
      const std::size_t n = linked_++;
      Slot& slot = slots_[n % slots_.size()];
      slot.page_number = n;
      slot.state = State::link_step;
      const ChainLinks::Link link = std::move(known_[n]);
      lock.unlock();
      link_step(n, link, slot);
      lock.lock();
      changed_.notify_all();
      return true;
    }
    if (read_ahead_ && read_ahead_->page == linked_ && linked_ >= known_.size() &&
        linked_ < released_ + slots_.size()) {
      // The page after the one being parsed, read while its link is not known yet.
      Slot& slot = slots_[linked_ % slots_.size()];
      slot.ahead = Slot::Ahead::reading;
      slot.ahead_url = std::move(read_ahead_->url);
      read_ahead_.reset();
      lock.unlock();
      bool read = false;
      try {
        fetcher_.fetch_into(slot.ahead_url, slot.body);
        read = true;
      } catch (...) {  // the link step reads it again and reports what fails
      }
      lock.lock();
      slot.ahead = read ? Slot::Ahead::read : Slot::Ahead::none;
      changed_.notify_all();
      return true;
    }
    for (std::size_t n = taken_; n < linked_; ++n) {
      Slot& slot = slots_[n % slots_.size()];
      if (slot.page_number != n || slot.state != State::header_read) continue;
      slot.state = State::attempts_step;
      lock.unlock();
      attempts_step(slot);
      lock.lock();
      slot.state = State::loaded;
      changed_.notify_all();
      return true;
    }
    return false;
  }

  // Nothing escapes a task: its failure or exception is the page's.
  void link_step(std::size_t n, const ChainLinks::Link& link, Slot& slot) {
    Page& page = slot.page;
    page.url = link.url;
    page.failure.reset();
    page.error = nullptr;
    const bool read_ahead = slot.ahead == Slot::Ahead::read && slot.ahead_url == link.url;
    slot.ahead = Slot::Ahead::none;
    bool read = false;
    try {
      if (link.refusal) {
        page.failure = PageFailure{link.url, *link.refusal};
      } else {
        try {
          if (!read_ahead) fetcher_.fetch_into(link.url, slot.body);
          ask_read_ahead(n + 1, link.url, slot.body);
          slot.header = slot.parser.start_training_page(slot.body, is_padded(slot.body));
          read = true;
        } catch (const Error& e) {
          if (e.kind() == ErrorKind::cancelled) throw;  // the whole load stops, not just the chain here
          page.failure = PageFailure{link.url, reason_of(e, link.url)};
        }
      }
    } catch (...) {
      page.error = std::current_exception();
    }
    std::lock_guard lock(mutex_);
    if (!read) {
      chain_ends_ = true;
      slot.state = State::loaded;
      return;
    }
    slot.state = State::header_read;
    try {
      if (slot.header.next) {
        known_.push_back(links_.follow(link.url, *slot.header.next));
        if (known_.back().refusal) chain_ends_ = true;
      } else {
        chain_ends_ = true;
      }
    } catch (...) {
      page.error = std::current_exception();
      chain_ends_ = true;
      slot.state = State::loaded;
    }
  }

  // Pages of a local chain: the page after `url`'s may be read ahead, if its name can be guessed.
  void ask_read_ahead(std::size_t page, const std::string& url, std::string_view body) {
    if (is_remote(url)) return;  // over the network, only links the parse found are followed
    const std::optional<std::string_view> next = guess_next(body);
    if (!next) return;
    std::string guessed = resolve_url(url, std::string(*next));
    if (is_remote(guessed)) return;
    {
      std::lock_guard lock(mutex_);
      read_ahead_ = ReadAhead{page, std::move(guessed)};
    }
    changed_.notify_all();
  }

  void attempts_step(Slot& slot) {
    Page& page = slot.page;
    try {
      slot.parser.read_attempts_into(slot.header.label, page.page.attempts);
      page.page.user_label = std::move(slot.header.label);
      page.page.next = std::move(slot.header.next);
    } catch (const Error& e) {
      page.failure = PageFailure{page.url, e.what()};
    } catch (...) {
      page.error = std::current_exception();
    }
  }

  const Fetcher& fetcher_;
  std::mutex mutex_;
  std::condition_variable changed_;
  ChainLinks links_;
  std::vector<ChainLinks::Link> known_;  // the link to page n (0: the chain's second page)
  std::optional<ReadAhead> read_ahead_;  // a page to read ahead, asked by the link step of the page before
  bool chain_ends_ = false;              // no page is known after known_.back()
  bool stopping_ = false;
  std::size_t linked_ = 0;    // pages whose link step was taken
  std::size_t taken_ = 0;     // pages handed to the reader
  std::size_t released_ = 0;  // pages given back by the reader
  std::vector<Slot> slots_;   // page n is loaded into slots_[n % size]
  std::vector<std::thread> threads_;
};

}  // namespace

ChainWalk walk_training_chain(const std::string& url, const std::function<void(TrainingPage&)>& on_page,
                              const Progress& progress, const SourcePolicy& policy) {
  progress.throw_if_cancelled();
  const Fetcher fetcher(policy, &progress);
  ChainWalk out;
  const auto deliver = [&](const std::string& page_url, TrainingPage& page) {
    out.pages.push_back(page_url);
    on_page(page);
    progress.report("download", out.pages.size(), 0);  // throws Error(cancelled) when asked to stop
  };
  // The first page's errors propagate. A CMU benchmark CSV is a whole data set on one page.
  std::string body = fetcher.fetch(url);
  TrainingPage page;
  if (is_cmu_csv(url, body)) {
    page.attempts = named_by_url(url, [&] { return parse_cmu_csv(body); });
    body = {};
    deliver(url, page);
    return out;
  }
  PageParser parser;
  PageHeader header = named_by_url(url, [&] { return parser.start_training_page(body, is_padded(body)); });
  std::optional<PageWorkers> ahead;
  if (header.next) {
    ChainLinks links(url, policy.max_pages);
    ChainLinks::Link second = links.follow(url, *header.next);
    ahead.emplace(fetcher, std::move(links), std::move(second), helper_count());
  }
  named_by_url(url, [&] { parser.read_attempts_into(header.label, page.attempts); });
  page.user_label = std::move(header.label);
  page.next = std::move(header.next);
  body = {};
  deliver(url, page);
  if (!ahead) return out;

  while (PageWorkers::Page* next = ahead->next()) {
    if (next->error) std::rethrow_exception(next->error);
    if (next->failure) {
      out.failure = std::move(next->failure);
      break;
    }
    deliver(next->url, next->page);  // on_page may move the attempts away, or leave them to be reused
  }
  return out;
}

ChainLoad load_training_chain(const std::string& url, const Progress& progress, const SourcePolicy& policy) {
  ChainLoad out;
  ChainWalk walk = walk_training_chain(
      url,
      [&](TrainingPage& page) {
        if (out.attempts.empty()) {
          out.attempts = std::move(page.attempts);
        } else {
          out.attempts.insert(out.attempts.end(), std::make_move_iterator(page.attempts.begin()),
                              std::make_move_iterator(page.attempts.end()));
        }
      },
      progress, policy);
  out.pages = std::move(walk.pages);
  out.failure = std::move(walk.failure);
  return out;
}

}  // namespace ksauth::ingest
