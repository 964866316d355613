// The bad-input matrix of issue 7, use-case level: one test per case, each asserting the decided outcome
// (docs/bad-input.md lists them): an Error naming the input and the place with the store left as it was,
// or an attempt kept and counted as invalid, or text stored as given and escaped where it is shown. The
// parser and chain cases are in tests/unit/ingest/bad_input_matrix_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/analyze.hpp"
#include "app/csv.hpp"
#include "app/enroll.hpp"
#include "app/limits.hpp"
#include "app/predict.hpp"
#include "app/report_json.hpp"
#include "app/train.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "support/error_kind.hpp"
#include "support/fixtures.hpp"

namespace ksauth::app {
namespace {

using testing::error_kind;
using testing::synthetic_attempts;

constexpr const char* kPhrase = "hello";

class BadInputMatrix : public ::testing::Test {
 protected:
  // One page per user (in order), each user typing `kPhrase` `count` times with their own rhythm.
  std::string chain_of(const std::vector<std::string>& labels, std::size_t count = 20) {
    std::vector<std::vector<Attempt>> users;
    for (std::size_t u = 0; u < labels.size(); ++u)
      users.push_back(synthetic_attempts(labels[u], static_cast<int>(u), kPhrase, count, true));
    return testing::write_chain(dir_, users);
  }
  std::string page_file(const std::string& name, const std::string& label, const std::vector<Attempt>& attempts) {
    return dir_.write(name, testing::training_page_json(label, attempts, nullptr));
  }
  AnalyzeReport analyze_url(const std::string& url) {
    AnalyzeRequest request{url, {}, 10};
    request.data.phrase = kPhrase;
    return analyze(store_, request);
  }
  TrainRequest train_request(const std::string& url, const std::string& name) {
    TrainRequest r;
    r.url = url;
    r.model_type = "manhattan";
    r.name = name;
    r.holdout = 0.25;
    r.seed = 7;
    r.data.phrase = kPhrase;
    return r;
  }
  void expect_store_empty() {
    EXPECT_TRUE(store_.list_datasets().empty());
    EXPECT_TRUE(store_.list_models().empty());
    EXPECT_TRUE(store_.list_verifiers().empty());
  }

  testing::TempDir dir_;
  store::Store store_{":memory:"};
};

// Outcome: a page refused by the parser (not JSON, cut, wrong shape, bad event, not UTF-8) is Error(invalid_input)
// prefixed with the source, through analyze, train and an upload alike, and the store holds nothing.
TEST_F(BadInputMatrix, ARefusedPageLeavesTheStoreEmpty) {
  const std::vector<std::pair<std::string, std::string>> pages = {
      {"not JSON", "invalid JSON: "},
      {R"({"user_data": [[{"character": "h", "typed_at": "2019-01-16T15:06:22"})", "invalid JSON: "},
      {R"([{"user_data": []}])", "expected a JSON object with "},
      {R"({"user_data": [[{"character": "h", "typed_at": "2019-01-16T15:06:22"}, {"character": "e", "typed_at": "2019-01-16T15:06:21"}]], "user_label": "u", "next": null})",
       "attempt 0, event 1: typed_at before the previous event's"},
      {"{\"user_data\": [], \"user_label\": \"\xFF\", \"next\": null}", "invalid JSON: the input is not valid UTF-8"},
  };
  for (std::size_t i = 0; i < pages.size(); ++i) {
    const auto& [json, reason] = pages[i];
    const std::string path = dir_.write("bad" + std::to_string(i) + ".json", json);
    std::string message;
    EXPECT_EQ(error_kind([&] { analyze_url(path); }, &message), ErrorKind::invalid_input);
    EXPECT_TRUE(message.starts_with(path + ": " + reason)) << message;
    EXPECT_EQ(error_kind([&] { train(store_, train_request(path, "m")); }, &message), ErrorKind::invalid_input);
    EXPECT_TRUE(message.starts_with(path + ": " + reason)) << message;
    EXPECT_EQ(error_kind([&] { load_uploaded_data(store_, "mine.json", json, {}); }, &message), ErrorKind::invalid_input);
    EXPECT_TRUE(message.starts_with("upload:mine.json: " + reason)) << message;
  }
  expect_store_empty();
}

// Outcome: the pages before a bad one are stored with the failure named (page and reason); nothing of the bad page.
TEST_F(BadInputMatrix, AChainThatFailsMidwayKeepsThePagesBefore) {
  const std::string next = "second.json";
  const std::string first = dir_.write(
      "first.json", testing::training_page_json("ann", synthetic_attempts("ann", 0, kPhrase, 3, true), &next));
  dir_.write("second.json", R"({"user_data": [[{"character": "hh", "typed_at": "2019-01-16T15:06:22"}]], "user_label": "bob", "next": null})");
  const AnalyzeReport r = analyze_url(first);
  EXPECT_EQ(r.n_attempts, 3u);
  ASSERT_EQ(r.users.size(), 1u);
  EXPECT_EQ(r.users[0].user, "ann");
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_EQ(r.failure->page, dir_.file("second.json"));
  EXPECT_EQ(r.failure->reason,
            "attempt 0, event 0: \"character\" must be one character or a bracketed key name like [shift] (got \"hh\")");
  ASSERT_EQ(store_.list_datasets().size(), 1u);
  const store::DataSetRecord stored = store_.list_datasets().front();
  EXPECT_EQ(stored.n_pages, 1);
  EXPECT_EQ(stored.n_attempts, 3);
  EXPECT_EQ(stored.failure_page, dir_.file("second.json"));
  EXPECT_EQ(stored.failure_reason, r.failure->reason);
}

// Outcome: a repeated event is kept as typed: a repeated character makes the attempt spell another text, so it is
// invalid and counted; a repeated named key types nothing and the attempt stays valid.
TEST_F(BadInputMatrix, DuplicateEvents) {
  std::vector<Attempt> attempts = synthetic_attempts("ann", 0, kPhrase, 3, true);
  attempts[1].events.insert(attempts[1].events.begin() + 2, attempts[1].events[2]);  // "l" twice: "helllo"
  const KeyEvent shift{"[shift]", attempts[2].events[0].pressed_at, std::nullopt};
  attempts[2].events.insert(attempts[2].events.begin(), {shift, shift});
  const AnalyzeReport r = analyze_url(page_file("dup.json", "ann", attempts));
  EXPECT_EQ(r.n_attempts, 3u);
  EXPECT_EQ(r.n_valid, 2u);
  ASSERT_EQ(r.users.size(), 1u);
  EXPECT_EQ(r.users[0].valid, 2u);
  EXPECT_EQ(r.users[0].invalid, 1u);
  EXPECT_EQ(r.n_keystrokes, 5u + 6u + 7u);  // every event stored, repeats included
}

// Outcome: "[foo]" is a named key like [shift]: kept and timed (character code -1 in the keystroke table), types
// nothing, so the attempt is valid.
TEST_F(BadInputMatrix, UnknownBracketedKey) {
  std::vector<Attempt> attempts = synthetic_attempts("ann", 0, kPhrase, 1, true);
  attempts[0].events.insert(attempts[0].events.begin() + 1,
                            KeyEvent{"[foo]", attempts[0].events[0].pressed_at + 10, std::nullopt});
  const AnalyzeReport r = analyze_url(page_file("foo.json", "ann", attempts));
  EXPECT_EQ(r.n_valid, 1u);
  ASSERT_GE(r.keystrokes.size(), 2u);
  EXPECT_EQ(r.keystrokes[1].character, "[foo]");
  EXPECT_EQ(r.keystrokes[1].character_code, -1);
  EXPECT_EQ(r.n_feature_rows, 1u);
}

// Outcome: a [backspace] with nothing to delete deletes nothing; it is counted in the `backspaces` feature and the
// attempt is valid.
TEST_F(BadInputMatrix, BackspaceAtTheStartOfAnAttempt) {
  std::vector<Attempt> attempts = synthetic_attempts("ann", 0, kPhrase, 1, true);
  const Micros first = attempts[0].events[0].pressed_at;
  attempts[0].events.insert(attempts[0].events.begin(), KeyEvent{"[backspace]", first - 200'000, first - 100'000});
  const AnalyzeReport r = analyze_url(page_file("bs.json", "ann", attempts));
  EXPECT_EQ(r.n_valid, 1u);
  ASSERT_EQ(r.features.size(), 1u);
  ASSERT_EQ(r.layout.names.size(), r.features[0].values.size());
  const std::size_t backspaces = r.layout.names.size() - 2;
  EXPECT_EQ(r.layout.names[backspaces], "backspaces");
  EXPECT_EQ(r.features[0].values[backspaces], 1.0);
  // duration runs from the first press (the backspace) to the last
  EXPECT_NEAR(r.features[0].values.back(),
              static_cast<double>(attempts[0].events.back().pressed_at - (first - 200'000)) / 1e6, 1e-9);
}

// Outcome: the user is listed with 0 valid attempts and not enrolled; the other users are enrolled and train.
TEST_F(BadInputMatrix, OneUserWithEveryAttemptInvalid) {
  auto ann = synthetic_attempts("ann", 0, kPhrase, 20, true);
  auto bob = synthetic_attempts("bob", 1, kPhrase, 20, true);
  auto eve = synthetic_attempts("eve", 2, "hallo", 5, true);
  const std::string url = testing::write_chain(dir_, {ann, eve, bob});
  const AnalyzeReport r = analyze_url(url);
  ASSERT_EQ(r.users.size(), 3u);
  EXPECT_EQ(r.users[1].user, "eve");
  EXPECT_EQ(r.users[1].valid, 0u);
  EXPECT_EQ(r.users[1].invalid, 5u);
  EXPECT_FALSE(r.users[1].enrolled);
  EXPECT_TRUE(r.users[0].enrolled);
  EXPECT_TRUE(r.users[2].enrolled);
  EXPECT_EQ(r.n_feature_rows, 40u);
  const TrainReport t = train(store_, train_request(url, "m1"));
  EXPECT_EQ(t.labels, (std::vector<std::string>{"ann", "bob"}));
  EXPECT_EQ(t.n_train + t.n_holdout, 40u);
}

// Outcome: an attempt with more keys than the phrase is "invalid" with the reason "does not spell the phrase"; one
// that spells it, however slowly, is scored (its features are those of the phrase's positions).
TEST_F(BadInputMatrix, TestAttemptLongerThanAnyTrainingOne) {
  train(store_, train_request(chain_of({"ann", "bob"}), "m1"));
  Attempt longer = synthetic_attempts("", 0, "hellohello", 1, true, 99).front();
  Attempt slow = synthetic_attempts("", 0, kPhrase, 1, true, 99).front();
  const Micros start = slow.events[0].pressed_at;
  for (KeyEvent& e : slow.events) {  // ten times slower than anything seen in training
    const Micros hold = *e.released_at - e.pressed_at;
    e.pressed_at = start + 10 * (e.pressed_at - start);
    e.released_at = e.pressed_at + hold;
  }
  const PredictReport r = predict(store_, dir_.write("test.json", testing::test_file_json({longer, slow})), "m1", {});
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.n_ok, 1u);
  EXPECT_EQ(r.n_invalid, 1u);
  EXPECT_FALSE(r.rows[0].ok);
  EXPECT_EQ(r.rows[0].reason, "does not spell the phrase");
  EXPECT_TRUE(r.rows[1].ok);
  EXPECT_TRUE(r.rows[1].predicted_user == "ann" || r.rows[1].predicted_user == "bob") << r.rows[1].predicted_user;
  EXPECT_GE(r.rows[1].confidence, 0.5);  // the best of two
  EXPECT_LE(r.rows[1].confidence, 1.0);
}

// Outcome: a label with markup and quotes is stored as given and comes back the same from the store, from the JSON
// output (escaped by the JSON writer) and from the CSV export (RFC 4180 quoted).
TEST_F(BadInputMatrix, UserLabelWithScriptAndQuotes) {
  const std::string hostile = R"(<script>alert("x")</script> 'q' & "r")";
  const std::string url = chain_of({hostile, "bob"});
  const AnalyzeReport r = analyze_url(url);
  ASSERT_EQ(r.users.size(), 2u);
  EXPECT_EQ(r.users[0].user, hostile);

  const std::string text = dump_json(to_json(r));
  EXPECT_NE(text.find(R"(<script>alert(\"x\")</script> 'q' & \"r\")"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(text).at("users").at(0).at("user"), hostile);

  const LoadedData stored = load_stored_data(store_, r.dataset.id, {});
  EXPECT_EQ(stored.attempts.front().user, hostile);

  train(store_, train_request(url, "m1"));
  Attempt mine = synthetic_attempts("", 0, kPhrase, 1, true, 99).front();
  const PredictReport p = predict(store_, dir_.write("test.json", testing::test_file_json({mine})), "m1", {});
  ASSERT_TRUE(p.rows[0].ok);
  ASSERT_EQ(p.rows[0].predicted_user, hostile);
  EXPECT_EQ(predictions_csv(p).substr(0, predictions_csv(p).rfind(',')),
            "attempt,status,predicted_user,confidence\n0,ok,\"<script>alert(\"\"x\"\")</script> 'q' & \"\"r\"\"\"");
}

// Outcome: Error(invalid_input) "\"user_label\" contains a control character (got ...)", escaped in the message,
// nothing stored. (Text shown in a CLI table goes through printable(), which shows a newline as \x0A.)
TEST_F(BadInputMatrix, UserLabelWithNewline) {
  const std::string path = dir_.write("nl.json", R"({"user_data": [], "user_label": "ann\nroot", "next": null})");
  std::string message;
  EXPECT_EQ(error_kind([&] { analyze_url(path); }, &message), ErrorKind::invalid_input);
  EXPECT_EQ(message, path + ": \"user_label\" contains a control character (got \"ann\\u000aroot\")");
  expect_store_empty();
  EXPECT_EQ(printable("ann\nroot\r\x1B[31m"), "ann\\x0Aroot\\x0D\\x1B[31m");
}

// Outcome: a label is text, never a path: "../../etc/passwd" is stored and shown as given.
TEST_F(BadInputMatrix, UserLabelWithDotDotSlash) {
  const AnalyzeReport r = analyze_url(chain_of({"../../etc/passwd", "bob"}));
  ASSERT_EQ(r.users.size(), 2u);
  EXPECT_EQ(r.users[0].user, "../../etc/passwd");
  EXPECT_TRUE(r.users[0].enrolled);
  EXPECT_EQ(store_.list_datasets().size(), 1u);
}

// Outcome: Error(invalid_input) "\"user_label\" is longer than 200 bytes (got \"xxx...\"...)", the value cut in the
// message; nothing stored.
TEST_F(BadInputMatrix, UserLabelOf10000Characters) {
  const std::string path =
      dir_.write("long.json", R"({"user_data": [], "user_label": ")" + std::string(10'000, 'x') + R"(", "next": null})");
  std::string message;
  EXPECT_EQ(error_kind([&] { analyze_url(path); }, &message), ErrorKind::invalid_input);
  EXPECT_EQ(message, path + ": \"user_label\" is longer than 200 bytes (got \"" + std::string(60, 'x') + "\"...)");
  expect_store_empty();
}

// Names with markup, quotes, a newline, "../" or 10,000 characters.
const std::vector<std::string> kHostileNames = {"<script>x</script>", "a\"b", "a\nb", "../models/x",
                                                std::string(10'000, 'm'), ""};

// Outcome: Error(invalid_input) "model name must be 1-64 letters, ... (got \"...\")" (made printable, one line, cut),
// before any download: nothing stored.
TEST_F(BadInputMatrix, ModelNameWithHostileText) {
  const std::string url = chain_of({"ann", "bob"});
  for (const std::string& name : kHostileNames) {
    std::string message;
    EXPECT_EQ(error_kind([&] { train(store_, train_request(url, name)); }, &message), ErrorKind::invalid_input);
    EXPECT_TRUE(message.starts_with("model name must be 1-64 letters, digits, '.', '_' or '-', starting with a "
                                    "letter or digit (got \""))
        << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_LT(message.size(), 200u);
  }
  std::string message;
  error_kind([&] { check_model_name("a\nb"); }, &message);
  EXPECT_TRUE(message.ends_with("(got \"a\\x0Ab\")")) << message;
  expect_store_empty();
}

// Outcome: the same for a verifier's name, saying "verifier name"; nothing stored.
TEST_F(BadInputMatrix, VerifierNameWithHostileText) {
  const std::string url = chain_of({"ann", "bob"});
  for (const std::string& name : kHostileNames) {
    EnrollRequest r;
    r.url = url;
    r.type = "scaled_manhattan";
    r.name = name;
    std::string message;
    EXPECT_EQ(error_kind([&] { enroll(store_, r); }, &message), ErrorKind::invalid_input);
    EXPECT_TRUE(message.starts_with("verifier name must be 1-64 letters")) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  std::string message;
  error_kind([&] { check_verifier_name("<b>"); }, &message);
  EXPECT_TRUE(message.ends_with("(got \"<b>\")")) << message;
  expect_store_empty();
}

// Outcome: in the predictions CSV a user label starting with =, +, - or @ is prefixed with ' (and quoted when it
// holds a quote or comma), so a spreadsheet shows it as text. Predictions are the only CSV export.
TEST_F(BadInputMatrix, CsvFormulaInjectionInPredictions) {
  const std::vector<std::string> labels = {"=HYPERLINK(\"http://evil.example\",\"open\")", "+1+2", "-3", "@SUM(A1)"};
  const std::vector<std::string> fields = {"\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"open\"\")\"", "'+1+2", "'-3",
                                           "'@SUM(A1)"};
  train(store_, train_request(chain_of(labels), "m1"));
  std::vector<Attempt> test;
  for (int typist = 0; typist < 4; ++typist) test.push_back(synthetic_attempts("", typist, kPhrase, 1, true, 99).front());
  const PredictReport p = predict(store_, dir_.write("test.json", testing::test_file_json(test)), "m1", {});
  ASSERT_EQ(p.n_ok, 4u);
  const std::string csv = predictions_csv(p);
  std::size_t line_start = csv.find('\n') + 1;
  for (std::size_t i = 0; i < 4; ++i) {
    const std::size_t label = static_cast<std::size_t>(
        std::find(labels.begin(), labels.end(), p.rows[i].predicted_user) - labels.begin());
    ASSERT_LT(label, labels.size()) << p.rows[i].predicted_user;
    const std::string prefix = std::to_string(i) + ",ok," + fields[label] + ",";
    EXPECT_EQ(csv.substr(line_start, prefix.size()), prefix) << csv;
    line_start = csv.find('\n', line_start) + 1;
  }
  EXPECT_EQ(line_start, csv.size());
  EXPECT_EQ(csv_field("=1+1"), "'=1+1");
  EXPECT_EQ(csv_field("plain-text"), "plain-text");  // a - inside is not a formula
}

}  // namespace
}  // namespace ksauth::app
