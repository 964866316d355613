// The CMU benchmark CSV importer: hand-computed press/release times, malformed lines, detection as a
// training source, and the real file (every latency of every row, and the JSON chain built from it).
#include "ingest/cmu_csv.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "ingest/fetch.hpp"
#include "ingest/pages.hpp"
#include "support/fixtures.hpp"

namespace ksauth::ingest {
namespace {

constexpr Micros kBase = 1'235'898'000'000'000;  // 2009-03-01T09:00:00
constexpr Micros kSecond = 1'000'000;

// Three keys: ".", "t" and Return.
const std::string kHeader = "subject,sessionIndex,rep,H.period,DD.period.t,UD.period.t,H.t,DD.t.Return,UD.t.Return,H.Return";

std::string csv(const std::vector<std::string>& rows) {
  std::string out = kHeader + "\r\n";
  for (const auto& r : rows) out += r + "\r\n";
  return out;
}

std::string error_of(const std::string& text) {
  try {
    parse_cmu_csv(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return {};
}

TEST(CmuCsv, RebuildsPressAndReleaseTimes) {
  const auto attempts = parse_cmu_csv(csv({
      "s002,1,1,0.1491,0.3979,0.2488,0.1069,0.1674,0.0605,0.0742",
      // More decimals than the real file: rounded to the nearest microsecond (0.1234567 s -> 123457 us).
      "s003,2,5,0.1234567,0.5,0.3765433,0.1,0.2,0.1,0.05",
      "s002,8,50,0.1,0.2,0.1,0.1,-0.05,-0.15,0.1",  // a negative DD: Return pressed before t
  }));
  ASSERT_EQ(attempts.size(), 3u);

  // s002 is subject 0: session 1 starts at the base, repetition 1 20 s later.
  const Micros s1 = kBase + 20 * kSecond;
  EXPECT_EQ(attempts[0], (Attempt{"s002",
                                  {{".", s1, s1 + 149'100},                       // H.period
                                   {"t", s1 + 397'900, s1 + 397'900 + 106'900},   // + DD.period.t; H.t
                                   {"[return]", s1 + 565'300, s1 + 565'300 + 74'200}},  // + DD.t.Return
                                  1,
                                  1}));
  // s003 is subject 1 (one hour later), session 2 (one day later), repetition 5 (100 s).
  const Micros s2 = kBase + 86'400 * kSecond + 3'600 * kSecond + 100 * kSecond;
  EXPECT_EQ(attempts[1], (Attempt{"s003",
                                  {{".", s2, s2 + 123'457},
                                   {"t", s2 + 500'000, s2 + 600'000},
                                   {"[return]", s2 + 700'000, s2 + 750'000}},
                                  2,
                                  5}));
  const Micros s3 = kBase + 7 * 86'400 * kSecond + 50 * 20 * kSecond;
  EXPECT_EQ(attempts[2].session, 8);
  EXPECT_EQ(attempts[2].repetition, 50);
  EXPECT_EQ(attempts[2].events[0].pressed_at, s3);
  EXPECT_EQ(attempts[2].events[2].pressed_at, s3 + 150'000);
}

TEST(CmuCsv, KeyNamesAndLineEnds) {
  // LF line ends, a byte order mark, no final newline; digit words and Shift.<letter> keys.
  const auto attempts = parse_cmu_csv(
      "\xEF\xBB\xBFsubject,sessionIndex,rep,H.five,DD.five.Shift.r,H.Shift.r,DD.Shift.r.Tab,H.Tab\n"
      "u,1,1,0.1,0.2,0.1,0.2,0.1");
  ASSERT_EQ(attempts.size(), 1u);
  ASSERT_EQ(attempts[0].events.size(), 3u);
  EXPECT_EQ(attempts[0].events[0].key, "5");
  EXPECT_EQ(attempts[0].events[1].key, "R");
  EXPECT_EQ(attempts[0].events[2].key, "[tab]");
}

TEST(CmuCsv, MalformedLinesNameTheLineAndColumn) {
  const std::string good = "s002,1,1,0.1491,0.3979,0.2488,0.1069,0.1674,0.0605,0.0742";
  EXPECT_EQ(error_of(csv({good, "s002,1,2,0.1491,0.3979,0.2488,x,0.1674,0.0605,0.0742"})),
            "line 3, column H.t: not a number (got \"x\")");
  EXPECT_EQ(error_of(csv({good, good, "s002,1,3,0.1491,0.3979,0.2488,,0.1674,0.0605,0.0742"})),
            "line 4, column H.t: not a number (got \"\")");
  EXPECT_EQ(error_of(csv({"s002,1,1,0.1491,0.3979,0.2488,0.1069,0.1674,0.0605"})),
            "line 2, 9 fields where the header has 10");
  EXPECT_EQ(error_of(csv({"s002,0,1,0.1491,0.3979,0.2488,0.1069,0.1674,0.0605,0.0742"})),
            "line 2, column sessionIndex: not a whole number from 1 to 1000000 (got \"0\")");
  EXPECT_EQ(error_of(csv({"s002,1,1.5,0.1491,0.3979,0.2488,0.1069,0.1674,0.0605,0.0742"})),
            "line 2, column rep: not a whole number from 1 to 1000000 (got \"1.5\")");
  EXPECT_EQ(error_of(csv({",1,1,0.1491,0.3979,0.2488,0.1069,0.1674,0.0605,0.0742"})),
            "line 2, column subject: the subject is empty");
  EXPECT_EQ(error_of(csv({"s002,1,1,-0.1491,0.3979,0.5470,0.1069,0.1674,0.0605,0.0742"})),
            "line 2, column H.period: a hold time cannot be negative (got \"-0.1491\")");
  EXPECT_EQ(error_of(csv({"s002,1,1,0.1491,0.3979,0.2489,0.1069,0.1674,0.0605,0.0742"})),
            "line 2, column UD.period.t: UD must equal DD - H of the key before (got \"0.2489\")");
  EXPECT_EQ(error_of(csv({"s002,1,1,0.1491,0.3979,0.2488,0.1069,0.1674,0.0605,nan"})),
            "line 2, column H.Return: not a number (got \"nan\")");
  EXPECT_EQ(error_of(csv({"s002,1,1,0.1491,99999,99998.8509,0.1069,0.1674,0.0605,0.0742"})).substr(0, 41),
            "line 2, column DD.period.t: more than a d");
  EXPECT_EQ(error_of(csv({good, "", good})), "line 3, 1 fields where the header has 10");
  EXPECT_EQ(error_of(""), "the CSV is empty (expected a header: subject,sessionIndex,rep,H.period,...)");
  EXPECT_EQ(error_of("\r\n\r\n"), "the CSV is empty (expected a header: subject,sessionIndex,rep,H.period,...)");
}

TEST(CmuCsv, MalformedHeaders) {
  EXPECT_EQ(error_of("subject,sessionIndex,rep,H.a,H.b\r\n"),
            "line 1, the header has no column DD.a.b (press-to-press latency)");
  EXPECT_EQ(error_of("subject,rep,H.a\r\n"), "line 1, the header has no column sessionIndex (the session, from 1)");
  EXPECT_EQ(error_of("subject,sessionIndex,rep\r\n"), "line 1, the header has no H.<key> column (hold times)");
  EXPECT_EQ(error_of("subject,sessionIndex,rep,H.a,H.a\r\n"), "line 1, column H.a: appears twice in the header");
  EXPECT_EQ(error_of("subject,sessionIndex,rep,H.a,,\r\n"), "line 1, column 5: the header names no column");
  EXPECT_EQ(error_of("subject,sessionIndex,rep,H.a,DD.a.b,H.b,extra\r\n").substr(0, 46),
            "line 1, column extra: not a column of this for");
  EXPECT_EQ(error_of("subject,sessionIndex,rep,H.a,DD.b.a,DD.a.b,H.b\r\n").substr(0, 47),
            "line 1, column DD.b.a: not a column of this for");
  // UD columns may be left out: DD and H rebuild everything.
  const auto attempts = parse_cmu_csv("subject,sessionIndex,rep,H.a,DD.a.b,H.b\r\nu,1,1,0.1,0.3,0.2\r\n");
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].events[1].pressed_at - attempts[0].events[0].pressed_at, 300'000);
}

TEST(CmuCsv, DetectedByExtensionOrHeader) {
  EXPECT_TRUE(is_cmu_csv("data/DSL-StrongPasswordData.csv", "anything"));
  EXPECT_TRUE(is_cmu_csv("http://host/x/DATA.CSV?v=1#top", ""));
  EXPECT_TRUE(is_cmu_csv("page.json", "subject,sessionIndex"));
  EXPECT_TRUE(is_cmu_csv("page", "\xEF\xBB\xBFsubject,sessionIndex"));
  EXPECT_FALSE(is_cmu_csv("page.json", "{\"user_data\": []}"));
  EXPECT_FALSE(is_cmu_csv("http://host/a.csv/page.json", " subject,"));
  EXPECT_FALSE(is_cmu_csv("csv", ""));
}

TEST(CmuCsv, LoadedAsATrainingSourceOfOnePage) {
  testing::TempDir dir;
  const std::string body = csv({"s002,1,1,0.1491,0.3979,0.2488,0.1069,0.1674,0.0605,0.0742",
                                "s003,1,1,0.1491,0.3979,0.2488,0.1069,0.1674,0.0605,0.0742"});
  for (const std::string name : {"data.CSV", "data.txt"}) {
    const std::string path = dir.write(name, body);
    const ChainLoad load = load_training_chain(path);
    EXPECT_FALSE(load.failure);
    EXPECT_EQ(load.pages, std::vector<std::string>{path});
    EXPECT_EQ(load.attempts, parse_cmu_csv(body));
  }
  // A .csv that is not such a CSV fails naming the file, the line and the column.
  const std::string bad = dir.write("bad.csv", "user,typed_at\r\n");
  try {
    load_training_chain(bad);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
    EXPECT_EQ(std::string(e.what()), bad + ": line 1, the header has no column subject (the typist)");
  }
}

// ---- the real file (read-only) ----

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string field; std::getline(in, field, ',');) out.push_back(field);
  return out;
}

Micros micros(const std::string& seconds) {
  return std::llround(std::stod(seconds) * 1e6);
}

TEST(CmuCsvRealData, EveryRowsLatenciesAreExact) {
  const auto dir = testing::data_dir();
  if (!dir) GTEST_FAIL() << testing::kNoData;
  const std::string path = *dir + "/cmu-dsl2009/DSL-StrongPasswordData.csv";
  const std::string text = fetch(path);
  const auto attempts = parse_cmu_csv(text);
  ASSERT_EQ(attempts.size(), 20'400u);
  std::set<std::string> subjects;
  for (const auto& a : attempts) subjects.insert(a.user);
  EXPECT_EQ(subjects.size(), 51u);
  EXPECT_EQ(attempts.front().user, "s002");
  EXPECT_EQ(attempts.back().user, "s057");
  EXPECT_EQ(attempts.back().session, 8);
  EXPECT_EQ(attempts.back().repetition, 50);

  // Columns 3.. are H of key 0, then per next key DD, UD, H.
  std::ifstream in(path, std::ios::binary);
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> keys = {".", "t", "i", "e", "5", "R", "o", "a", "n", "l", "[return]"};
  for (std::size_t row = 0; row < attempts.size() && std::getline(in, line); ++row) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto f = split(line);
    ASSERT_EQ(f.size(), 34u);
    const Attempt& a = attempts[row];
    ASSERT_EQ(a.user, f[0]);
    ASSERT_EQ(a.session, std::stoi(f[1]));
    ASSERT_EQ(a.repetition, std::stoi(f[2]));
    ASSERT_EQ(a.events.size(), 11u);
    for (std::size_t k = 0; k < 11; ++k) {
      const KeyEvent& e = a.events[k];
      ASSERT_EQ(e.key, keys[k]);
      ASSERT_TRUE(e.released_at);
      ASSERT_NEAR(static_cast<double>(*e.released_at - e.pressed_at), static_cast<double>(micros(f[3 + 3 * k])), 1)
          << "row " << row << " H of key " << k;
      if (k == 0) continue;
      const KeyEvent& before = a.events[k - 1];
      ASSERT_NEAR(static_cast<double>(e.pressed_at - before.pressed_at), static_cast<double>(micros(f[1 + 3 * k])), 1)
          << "row " << row << " DD to key " << k;
      ASSERT_NEAR(static_cast<double>(e.pressed_at - *before.released_at), static_cast<double>(micros(f[2 + 3 * k])), 1)
          << "row " << row << " UD to key " << k;
    }
  }
}

TEST(CmuCsvRealData, SameEventsAsTheJsonChain) {
  const auto dir = testing::data_dir();
  if (!dir) GTEST_FAIL() << testing::kNoData;
  const auto csv_attempts = parse_cmu_csv(fetch(*dir + "/cmu-dsl2009/DSL-StrongPasswordData.csv"));
  // The chain holds sessions 1-6 of each subject without Return; s003 is the second subject.
  const TrainingPage page = parse_training_page(fetch(*dir + "/cmu-dsl2009/chain/train/user_s003.json"));
  ASSERT_EQ(page.attempts.size(), 300u);
  for (std::size_t i = 0; i < 300; ++i) {
    Attempt from_csv = csv_attempts[400 + i];
    ASSERT_EQ(from_csv.user, "s003");
    from_csv.events.pop_back();  // Return
    ASSERT_EQ(from_csv.events, page.attempts[i].events) << "repetition " << i;
  }
}

}  // namespace
}  // namespace ksauth::ingest
