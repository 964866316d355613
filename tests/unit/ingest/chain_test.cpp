// Loading training chains and test files: from disk and over a loopback HTTP server, with the ways a
// chain can stop early, and the real data sets.
#include <gtest/gtest.h>

#include <filesystem>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "ingest/fetch.hpp"
#include "ingest/pages.hpp"
#include "support/error_kind.hpp"
#include "support/fixtures.hpp"
#include "support/loopback_server.hpp"

namespace ksauth::ingest {
namespace {

using testing::LoopbackServer;
using testing::TempDir;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A page of `label` with `n` one-event attempts typing 'a' + i at second i; `next` is JSON ("null" or
// "\"x\"").
std::string page(const std::string& label, int n, const std::string& next) {
  std::string attempts;
  for (int i = 0; i < n; ++i) {
    if (i > 0) attempts += ",";
    attempts += R"([{"character": ")" + std::string(1, static_cast<char>('a' + i)) +
                R"(", "typed_at": "2019-01-16T15:06:0)" + std::to_string(i) + R"("}])";
  }
  return R"({"user_data": [)" + attempts + R"(], "user_label": ")" + label + R"(", "next": )" + next + "}";
}

constexpr Micros k150600 = 1'547'651'160'000'000;  // 2019-01-16T15:06:00

std::vector<std::string> users(const std::vector<Attempt>& attempts) {
  std::vector<std::string> out;
  for (const auto& a : attempts) out.push_back(a.user);
  return out;
}

// Every chain of the tests, in one directory served over HTTP as well.
class Chains : public ::testing::Test {
 protected:
  void SetUp() override {
    // ok: page1 -> sub/page2 -> page3 (relative links with a sub-directory and "..") -> end.
    dir_.write("ok/page1.json", page("u1", 2, R"("sub/page2.json")"));
    dir_.write("ok/sub/page2.json", page("u2", 3, R"("../page3.json")"));
    dir_.write("ok/page3.json", page("u3", 1, "null"));
    // missing: page2 does not exist.
    dir_.write("missing/page1.json", page("u1", 2, R"("page2.json")"));
    // badjson: page2 is not JSON; badpage: page2 is JSON with a bad event.
    dir_.write("badjson/page1.json", page("u1", 2, R"("page2.json")"));
    dir_.write("badjson/page2.json", "{\"user_data\": [");
    dir_.write("badpage/page1.json", page("u1", 2, R"("page2.json")"));
    dir_.write(
        "badpage/page2.json",
        R"({"user_data": [[{"character": "ab", "typed_at": "2019-01-16T15:06:00"}]], "user_label": "u2", "next": null})");
    // loop: page1 -> page2 -> ./page1.
    dir_.write("loop/page1.json", page("u1", 2, R"("page2.json")"));
    dir_.write("loop/page2.json", page("u2", 1, R"("./page1.json")"));
    // self: a page whose next is itself.
    dir_.write("self/page1.json", page("u1", 1, R"("page1.json")"));
    // sub/S.json -> "sub/S.json": a different file (sub/sub/S.json), not a loop.
    dir_.write("nest/sub/S.json", page("u1", 1, R"("sub/S.json")"));
    dir_.write("nest/sub/sub/S.json", page("u2", 1, "null"));
    // tolocal: an HTTP page whose next is a local file.
    dir_.write("tolocal/page1.json", page("u1", 1, "\"file://" + dir_.file("loop/page1.json") + "\""));
    // err500: page2 answers HTTP 500 (an absolute path on the server).
    dir_.write("err500/page1.json", page("u1", 2, R"("/error500")"));
    // badfirst: the first page itself is broken.
    dir_.write("badfirst/page1.json", R"({"user_data": [], "user_label": "", "next": null})");
    dir_.write("test.json", R"({"attempts": [[{"character": "x", "typed_at": "2019-01-16T15:06:00"}],
                                            [{"character": "y", "typed_at": "2019-01-16T15:06:01"}]]})");
    dir_.write("badtest.json", R"({"attempts": [[]]})");

    server_ = std::make_unique<LoopbackServer>([this](httplib::Server& s) {
      s.set_mount_point("/", dir_.path());
      s.Get("/error500", [](const httplib::Request&, httplib::Response& res) {
        res.status = 500;
        res.set_content("boom", "text/plain");
      });
    });
  }
  void TearDown() override { server_.reset(); }

  std::string http(const std::string& path) const { return server_->url("/" + path); }

  TempDir dir_;
  std::unique_ptr<LoopbackServer> server_;
};

void expect_ok_chain(const ChainLoad& load, const std::vector<std::string>& pages) {
  EXPECT_FALSE(load.failure.has_value()) << load.failure->page << ": " << load.failure->reason;
  EXPECT_EQ(load.pages, pages);
  EXPECT_EQ(users(load.attempts), (std::vector<std::string>{"u1", "u1", "u2", "u2", "u2", "u3"}));
  ASSERT_EQ(load.attempts.size(), 6u);
  // u2's third attempt typed 'c' at 15:06:02.
  EXPECT_EQ(load.attempts[4].events, (std::vector<KeyEvent>{{"c", k150600 + 2'000'000, std::nullopt}}));
  EXPECT_EQ(load.attempts[5].events, (std::vector<KeyEvent>{{"a", k150600, std::nullopt}}));
}

TEST_F(Chains, FromDiskAndFileUrlAndHttp) {
  const std::string d = dir_.path();
  expect_ok_chain(load_training_chain(d + "/ok/page1.json"),
                  {d + "/ok/page1.json", d + "/ok/sub/page2.json", d + "/ok/page3.json"});
  expect_ok_chain(load_training_chain("file://" + d + "/ok/page1.json"),
                  {"file://" + d + "/ok/page1.json", "file://" + d + "/ok/sub/page2.json",
                   "file://" + d + "/ok/page3.json"});
  expect_ok_chain(load_training_chain(http("ok/page1.json")),
                  {http("ok/page1.json"), http("ok/sub/page2.json"), http("ok/page3.json")});
}

TEST_F(Chains, ReportsProgressPerPage) {
  std::vector<std::size_t> done;
  const Progress progress([&](std::string_view step, std::size_t n, std::size_t total) {
    EXPECT_EQ(step, "download");
    EXPECT_EQ(total, 0u);
    done.push_back(n);
  });
  load_training_chain(http("ok/page1.json"), progress);
  EXPECT_EQ(done, (std::vector<std::size_t>{1, 2, 3}));
}

TEST_F(Chains, CancellationPropagates) {
  std::atomic<bool> cancel{false};
  const Progress progress([&](std::string_view, std::size_t, std::size_t) { cancel = true; }, &cancel);
  try {
    load_training_chain(http("ok/page1.json"), progress);
    FAIL() << "expected Error(cancelled)";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::cancelled);
  }
}

// A page that is still arriving when the load is cancelled (its server sends a byte every 50 ms for 30 s)
// is given up at once: the load ends in Error(cancelled), not as a chain cut short, and not 30 s later.
TEST(CancelledDownload, AChainStopsInTheMiddleOfAPage) {
  TempDir dir;
  dir.write("p1.json", page("u1", 2, R"("p2.json")"));
  LoopbackServer server([&](httplib::Server& s) {
    s.Get("/p2.json", [](const httplib::Request&, httplib::Response& res) {
      res.set_content_provider(600, "application/json", [](std::size_t offset, std::size_t, httplib::DataSink& sink) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return offset < 600 && sink.write(offset == 0 ? "{" : " ", 1);
      });
    });
    s.set_mount_point("/", dir.path());
  });
  std::atomic<bool> cancel{false};
  std::size_t pages = 0;
  const Progress progress([&](std::string_view, std::size_t done, std::size_t) { pages = done; }, &cancel);
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    cancel = true;
  });
  const auto start = std::chrono::steady_clock::now();
  try {
    load_training_chain(server.url("/p1.json"), progress);
    ADD_FAILURE() << "expected Error(cancelled)";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::cancelled) << e.what();
  }
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  canceller.join();
  EXPECT_EQ(pages, 1u);
  EXPECT_LT(seconds, 10.0);  // the page would take 30 s; libcurl asks about cancelling at least once a second
}

TEST(CancelledDownload, AFetcherGivesUpItsDownload) {
  LoopbackServer server([&](httplib::Server& s) {
    s.Get("/slow.json", [](const httplib::Request&, httplib::Response& res) {
      res.set_content_provider(600, "application/json", [](std::size_t offset, std::size_t, httplib::DataSink& sink) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return offset < 600 && sink.write(" ", 1);
      });
    });
  });
  std::atomic<bool> cancel{false};
  const Progress progress({}, &cancel);
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel = true;
  });
  const Fetcher fetcher({}, &progress);
  EXPECT_EQ(testing::error_kind([&] { fetcher.fetch(server.url("/slow.json")); }), ErrorKind::cancelled);
  canceller.join();
}

TEST(LongChains, PagesArriveInOrderAndStopAtTheFirstBadOne) {
  // Twelve pages: the pages after the first are loaded ahead by the caller and helper threads, a few at a
  // time in a ring of slots; every page must arrive whole and in order, and a bad page must end the chain
  // with nothing of it.
  testing::TempDir dir;
  std::vector<std::vector<Attempt>> users;
  for (int u = 0; u < 12; ++u)
    users.push_back(testing::synthetic_attempts("u" + std::to_string(u), u, "abc", 3 + static_cast<std::size_t>(u), true));
  const std::string first = testing::write_chain(dir, users);
  const ChainLoad whole = load_training_chain(first);
  EXPECT_FALSE(whole.failure.has_value());
  ASSERT_EQ(whole.pages.size(), 12u);
  std::size_t at = 0;
  for (int u = 0; u < 12; ++u)
    for (std::size_t i = 0; i < 3 + static_cast<std::size_t>(u); ++i) {
      ASSERT_LT(at, whole.attempts.size());
      EXPECT_EQ(whole.attempts[at], users[static_cast<std::size_t>(u)][i]) << u << " " << i;
      ++at;
    }
  EXPECT_EQ(at, whole.attempts.size());

  // Page 8 (index 7) gets an event whose character is two characters.
  const std::string next8 = "page8.json";
  std::string page7 = testing::training_page_json("u7", users[7], &next8);
  const std::string key = "\"character\":\"";
  page7.insert(page7.find(key) + key.size(), "x");  // "a" becomes "xa"
  dir.write("page7.json", page7);
  const ChainLoad cut = load_training_chain(first);
  ASSERT_TRUE(cut.failure.has_value());
  EXPECT_EQ(cut.failure->page, whole.pages[7]);
  EXPECT_EQ(cut.pages.size(), 7u);
  std::size_t before = 0;
  for (int u = 0; u < 7; ++u) before += 3 + static_cast<std::size_t>(u);
  EXPECT_EQ(cut.attempts.size(), before);

  // Cancelled at the fourth page: the error comes out and the reader ahead is stopped.
  std::atomic<bool> cancel{false};
  std::size_t pages_seen = 0;
  const Progress progress([&](std::string_view, std::size_t n, std::size_t) {
    pages_seen = n;
    if (n == 4) cancel = true;
  }, &cancel);
  EXPECT_THROW(load_training_chain(first, progress), Error);
  EXPECT_EQ(pages_seen, 4u);
}

TEST(LongChains, ThePageReadAheadForAGuessedNextIsUsedOnlyWhenTheParseAgrees) {
  // Pages are read ahead from the `next` at their end. Page p3 ends with a decoy, a second "next" naming a
  // page that exists: the parse refuses p3 (a key given twice), so the chain ends there, and the decoy page
  // read ahead must never be used.
  testing::TempDir dir;
  const std::vector<std::string> users{"u0", "u1", "u2", "u3", "u4", "u5"};
  for (std::size_t u = 0; u < users.size(); ++u) {
    const auto attempts = testing::synthetic_attempts(users[u], static_cast<int>(u), "abc", 2, true);
    std::string page = testing::training_page_json(users[u], attempts, nullptr);
    const std::string real = u + 1 < users.size() ? "\"p" + std::to_string(u + 1) + ".json\"" : "null";
    const std::string decoy = u == 3 ? ", \"next\": \"decoy" + std::to_string(u) + ".json\"" : "";
    page.insert(page.rfind('}'), ", \"next\": " + real + decoy);
    page.erase(page.find("\"next\":null,"), std::string("\"next\":null,").size());
    dir.write("p" + std::to_string(u) + ".json", page);
    dir.write("decoy" + std::to_string(u) + ".json",
              testing::training_page_json("decoy", testing::synthetic_attempts("decoy", 9, "abc", 1, true), nullptr));
  }
  const ChainLoad load = load_training_chain(dir.file("p0.json"));
  ASSERT_EQ(load.pages.size(), 3u);
  for (std::size_t u = 0; u < 3; ++u) EXPECT_EQ(load.pages[u], dir.file("p" + std::to_string(u) + ".json"));
  ASSERT_TRUE(load.failure.has_value());
  EXPECT_EQ(load.failure->page, dir.file("p3.json"));
  EXPECT_EQ(load.failure->reason, "the key \"next\" appears twice in one object");
  for (const Attempt& a : load.attempts) EXPECT_NE(a.user, "decoy");
}

TEST_F(Chains, MissingSecondPageStopsTheChain) {
  const ChainLoad http_load = load_training_chain(http("missing/page1.json"));
  EXPECT_EQ(http_load.pages, std::vector<std::string>{http("missing/page1.json")});
  EXPECT_EQ(http_load.attempts.size(), 2u);
  ASSERT_TRUE(http_load.failure.has_value());
  EXPECT_EQ(http_load.failure->page, http("missing/page2.json"));
  EXPECT_EQ(http_load.failure->reason, "HTTP 404 Not Found");

  const ChainLoad disk_load = load_training_chain(dir_.file("missing/page1.json"));
  EXPECT_EQ(disk_load.attempts.size(), 2u);
  ASSERT_TRUE(disk_load.failure.has_value());
  EXPECT_EQ(disk_load.failure->page, dir_.file("missing/page2.json"));
  EXPECT_EQ(disk_load.failure->reason, "no such file");
}

TEST_F(Chains, BadJsonOrBadPageStopsTheChain) {
  const ChainLoad bad_json = load_training_chain(http("badjson/page1.json"));
  EXPECT_EQ(bad_json.attempts.size(), 2u);
  ASSERT_TRUE(bad_json.failure.has_value());
  EXPECT_EQ(bad_json.failure->page, http("badjson/page2.json"));
  EXPECT_TRUE(bad_json.failure->reason.starts_with("invalid JSON: ")) << bad_json.failure->reason;

  const ChainLoad bad_page = load_training_chain(http("badpage/page1.json"));
  EXPECT_EQ(users(bad_page.attempts), (std::vector<std::string>{"u1", "u1"}));  // nothing of page 2
  ASSERT_TRUE(bad_page.failure.has_value());
  EXPECT_EQ(bad_page.failure->page, http("badpage/page2.json"));
  EXPECT_EQ(bad_page.failure->reason,
            "attempt 0, event 0: \"character\" must be one character or a bracketed key name like [shift] "
            "(got \"ab\")");
}

TEST_F(Chains, LoopIsDetected) {
  const ChainLoad load = load_training_chain(http("loop/page1.json"));
  EXPECT_EQ(load.pages, (std::vector<std::string>{http("loop/page1.json"), http("loop/page2.json")}));
  EXPECT_EQ(users(load.attempts), (std::vector<std::string>{"u1", "u1", "u2"}));
  ASSERT_TRUE(load.failure.has_value());
  EXPECT_EQ(load.failure->page, http("loop/page1.json"));
  EXPECT_EQ(load.failure->reason,
            "next points back to page " + http("loop/page1.json") + " already loaded (a loop)");

  // On disk, from a relative-looking path too: "./page1.json" and "page1.json" are the same page.
  const ChainLoad self = load_training_chain(dir_.file("self/./page1.json"));
  EXPECT_EQ(self.pages.size(), 1u);
  EXPECT_EQ(self.attempts.size(), 1u);
  ASSERT_TRUE(self.failure.has_value());
  EXPECT_TRUE(contains(self.failure->reason, "already loaded (a loop)"));
}

TEST_F(Chains, RelativePathsWithFoldersFindLoopsAndOnlyLoops) {
  // Paths relative to the working directory, with a folder part: pages are compared as the files they name.
  const std::string rel = std::filesystem::relative(dir_.path()).string();
  const ChainLoad loop = load_training_chain(rel + "/loop/page1.json");
  EXPECT_EQ(loop.pages.size(), 2u);
  EXPECT_EQ(users(loop.attempts), (std::vector<std::string>{"u1", "u1", "u2"}));
  ASSERT_TRUE(loop.failure.has_value());
  EXPECT_TRUE(contains(loop.failure->reason, "already loaded (a loop)"));

  const ChainLoad nested = load_training_chain(rel + "/nest/sub/S.json");
  EXPECT_FALSE(nested.failure.has_value()) << nested.failure->reason;
  EXPECT_EQ(users(nested.attempts), (std::vector<std::string>{"u1", "u2"}));
}

TEST_F(Chains, AnHttpPageCannotLeadToLocalFiles) {
  const ChainLoad load = load_training_chain(http("tolocal/page1.json"));
  EXPECT_EQ(load.attempts.size(), 1u);
  ASSERT_TRUE(load.failure.has_value());
  EXPECT_EQ(load.failure->reason, "a page served over HTTP may only point to another http(s) page");
}

TEST_F(Chains, ServerErrorStopsTheChain) {
  const ChainLoad load = load_training_chain(http("err500/page1.json"));
  EXPECT_EQ(load.attempts.size(), 2u);
  ASSERT_TRUE(load.failure.has_value());
  EXPECT_EQ(load.failure->page, http("error500"));
  EXPECT_EQ(load.failure->reason, "HTTP 500 Internal Server Error");
}

TEST_F(Chains, FirstPageFailureThrows) {
  try {
    load_training_chain(http("nope/page1.json"));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::not_found);
    EXPECT_EQ(std::string(e.what()), http("nope/page1.json") + ": HTTP 404 Not Found");
  }
  try {
    load_training_chain(http("badfirst/page1.json"));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
    EXPECT_EQ(std::string(e.what()), http("badfirst/page1.json") + ": \"user_label\" must not be empty");
  }
  try {
    load_training_chain(http("error500"));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::io);
  }
  try {
    load_training_chain("ftp://example.org/page1.json");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
  }
}

TEST_F(Chains, TestAttempts) {
  for (const std::string& url : {http("test.json"), dir_.file("test.json")}) {
    const auto attempts = load_test_attempts(url);
    ASSERT_EQ(attempts.size(), 2u);
    EXPECT_EQ(attempts[0], (Attempt{"", {{"x", k150600, std::nullopt}}}));
    EXPECT_EQ(attempts[1], (Attempt{"", {{"y", k150600 + 1'000'000, std::nullopt}}}));
  }
  try {
    load_test_attempts(http("badtest.json"));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
    EXPECT_EQ(std::string(e.what()), http("badtest.json") + ": attempt 0 is empty");
  }
  try {
    load_test_attempts(http("none.json"));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::not_found);
  }
}

// ---- the real data (read-only) ----

class RealData : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto dir = testing::data_dir();
    if (!dir) GTEST_FAIL() << testing::kNoData;
    dir_ = *dir;
  }
  std::string dir_;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void expect_cmu_chain(const ChainLoad& load) {
  EXPECT_FALSE(load.failure.has_value()) << load.failure->page << ": " << load.failure->reason;
  EXPECT_EQ(load.pages.size(), 51u);
  ASSERT_EQ(load.attempts.size(), 15'300u);
  std::set<std::string> labels;
  for (const Attempt& a : load.attempts) {
    labels.insert(a.user);
    ASSERT_EQ(a.events.size(), 10u);
    for (const KeyEvent& e : a.events) {
      ASSERT_TRUE(e.released_at.has_value());
      ASSERT_GE(*e.released_at, e.pressed_at);
    }
  }
  EXPECT_EQ(labels.size(), 51u);
  EXPECT_EQ(*labels.begin(), "s002");
  EXPECT_EQ(*labels.rbegin(), "s057");
  EXPECT_EQ(load.attempts.front().user, "s002");
  EXPECT_EQ(load.attempts.back().user, "s057");
  // The first repetition of s002 types ".tie5Roanl", starting 2009-03-01T09:00:20 (see the chain's README).
  std::string typed;
  for (const KeyEvent& e : load.attempts.front().events) typed += e.key;
  EXPECT_EQ(typed, ".tie5Roanl");
  EXPECT_EQ(load.attempts.front().events[0].pressed_at, 1'235'898'020'000'000);
  EXPECT_EQ(load.attempts.front().events[0].released_at, 1'235'898'020'149'100);
}

TEST_F(RealData, CmuChainFromDisk) {
  const auto start = std::chrono::steady_clock::now();
  const ChainLoad load = load_training_chain(dir_ + "/cmu-dsl2009/chain/train/user_s002.json");
  std::printf("[ timing ] CMU chain from disk: %.3f s\n", seconds_since(start));
  expect_cmu_chain(load);
  EXPECT_EQ(load.pages.back(), dir_ + "/cmu-dsl2009/chain/train/user_s057.json");
}

TEST_F(RealData, CmuChainOverLoopbackHttp) {
  LoopbackServer server([this](httplib::Server& s) { s.set_mount_point("/data", dir_); });
  const auto start = std::chrono::steady_clock::now();
  const ChainLoad load = load_training_chain(server.url("/data/cmu-dsl2009/chain/train/user_s002.json"));
  std::printf("[ timing ] CMU chain over loopback HTTP: %.3f s\n", seconds_since(start));
  expect_cmu_chain(load);
  EXPECT_EQ(load.pages.back(), server.url("/data/cmu-dsl2009/chain/train/user_s057.json"));
}

TEST_F(RealData, UnifyIdChainStopsAtTheMissingSecondUser) {
  const ChainLoad load =
      load_training_chain(dir_ + "/unifyid-mle/user_4a438fdede4e11e9b986acde48001122.json");
  EXPECT_EQ(load.pages.size(), 1u);
  EXPECT_EQ(load.attempts.size(), 495u);
  std::size_t events = 0;
  for (const Attempt& a : load.attempts) {
    EXPECT_EQ(a.user, "4a438fdede4e11e9b986acde48001122");
    events += a.events.size();
  }
  EXPECT_EQ(events, 19'613u);  // as counted in unifyid-mle/SOURCE.txt
  ASSERT_TRUE(load.failure.has_value());
  EXPECT_TRUE(load.failure->page.ends_with("user_4a45245cde4e11e9b51bacde48001122.json"))
      << load.failure->page;
  EXPECT_EQ(load.failure->reason, "no such file");

  LoopbackServer server([this](httplib::Server& s) { s.set_mount_point("/data", dir_); });
  const ChainLoad over_http =
      load_training_chain(server.url("/data/unifyid-mle/user_4a438fdede4e11e9b986acde48001122.json"));
  EXPECT_EQ(over_http.attempts, load.attempts);
  ASSERT_TRUE(over_http.failure.has_value());
  EXPECT_EQ(over_http.failure->page,
            server.url("/data/unifyid-mle/user_4a45245cde4e11e9b51bacde48001122.json"));
  EXPECT_EQ(over_http.failure->reason, "HTTP 404 Not Found");
}

TEST_F(RealData, TestFiles) {
  const auto unify = load_test_attempts(dir_ + "/unifyid-mle/sample_test.json");
  EXPECT_EQ(unify.size(), 400u);
  std::size_t events = 0;
  for (const Attempt& a : unify) {
    EXPECT_EQ(a.user, "");
    events += a.events.size();
  }
  EXPECT_EQ(events, 15'704u);  // as counted in unifyid-mle/SOURCE.txt

  const auto cmu = load_test_attempts(dir_ + "/cmu-dsl2009/chain/test_attempts.json");
  EXPECT_EQ(cmu.size(), 5'100u);
  for (const Attempt& a : cmu) {
    ASSERT_EQ(a.events.size(), 10u);
    EXPECT_EQ(a.user, "");
  }
}

}  // namespace
}  // namespace ksauth::ingest
