// Parsing the two JSON input formats: exact attempts from known pages, and a clear place for every error.
#include "ingest/pages.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.hpp"

namespace ksauth::ingest {
namespace {

// Hand-computed: 2019-01-16 is day 17912 after 1970-01-01; 17912 * 86400 + 15:06:21 = 1547651181 s.
constexpr Micros k150621_140078 = 1'547'651'181'140'078;
constexpr Micros k150621_250000 = 1'547'651'181'250'000;
constexpr Micros k150621_300000 = 1'547'651'181'300'000;
constexpr Micros k150622 = 1'547'651'182'000'000;

// The message of the Error(invalid_input) that parsing `json` throws ("" if none was thrown).
template <typename Parse>
std::string parse_error(Parse parse, const std::string& json) {
  try {
    parse(json);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error for: " << json;
  return "";
}

std::string page_error(const std::string& json) {
  return parse_error([](const std::string& j) { return parse_training_page(j); }, json);
}
std::string test_error(const std::string& json) {
  return parse_error([](const std::string& j) { return parse_test_file(j); }, json);
}

// A page with one valid attempt whose single event is `event`.
std::string page_with_event(const std::string& event) {
  return R"({"user_data": [[)" + event + R"(]], "user_label": "u1", "next": null})";
}

TEST(ParseTrainingPage, GivesTheExactAttempts) {
  const std::string json = R"({
    "user_data": [
      [
        {"character": "B", "typed_at": "2019-01-16T15:06:21.140078", "released_at": "2019-01-16T15:06:21.25"},
        {"character": "[shift]", "typed_at": "2019-01-16T15:06:21.3"},
        {"character": "é", "typed_at": "2019-01-16T15:06:22", "released_at": null, "pressure": 0.5}
      ],
      [
        {"typed_at": "2019-01-16T15:06:22", "character": "[backspace]"},
        {"character": "€", "typed_at": "2019-01-16T15:06:22"},
        {"character": "😀", "typed_at": "2019-01-16T15:06:22"},
        {"character": " ", "typed_at": "2019-01-16T15:06:22"},
        {"character": "[", "typed_at": "2019-01-16T15:06:22"}
      ]
    ],
    "user_label": "alice",
    "next": "page2.json",
    "comment": "unknown keys are ignored"
  })";
  const TrainingPage page = parse_training_page(json);
  EXPECT_EQ(page.user_label, "alice");
  ASSERT_TRUE(page.next.has_value());
  EXPECT_EQ(*page.next, "page2.json");
  ASSERT_EQ(page.attempts.size(), 2u);

  const Attempt& first = page.attempts[0];
  EXPECT_EQ(first.user, "alice");
  ASSERT_EQ(first.events.size(), 3u);
  EXPECT_EQ(first.events[0], (KeyEvent{"B", k150621_140078, k150621_250000}));
  EXPECT_EQ(first.events[1], (KeyEvent{"[shift]", k150621_300000, std::nullopt}));
  EXPECT_EQ(first.events[2], (KeyEvent{"\xC3\xA9", k150622, std::nullopt}));  // é, released_at null

  const Attempt& second = page.attempts[1];
  EXPECT_EQ(second.user, "alice");
  ASSERT_EQ(second.events.size(), 5u);
  EXPECT_EQ(second.events[0].key, kBackspace);
  EXPECT_TRUE(is_named_key(second.events[0].key));
  EXPECT_EQ(second.events[1].key, "\xE2\x82\xAC");      // €
  EXPECT_EQ(second.events[2].key, "\xF0\x9F\x98\x80");  // 😀
  EXPECT_EQ(second.events[3].key, " ");
  EXPECT_EQ(second.events[4].key, "[");
  for (const KeyEvent& e : second.events) {
    EXPECT_EQ(e.pressed_at, k150622);
    EXPECT_FALSE(e.released_at.has_value());
  }
}

TEST(ParseTrainingPage, LastPageHasNoNext) {
  const TrainingPage page =
      parse_training_page(page_with_event(R"({"character": "a", "typed_at": "2020-02-29T23:59:59.999999"})"));
  EXPECT_FALSE(page.next.has_value());
  EXPECT_EQ(page.user_label, "u1");
  ASSERT_EQ(page.attempts.size(), 1u);
  EXPECT_EQ(page.attempts[0].events, (std::vector<KeyEvent>{{"a", 1'583'020'799'999'999, std::nullopt}}));
}

TEST(ParseTrainingPage, EmptyUserDataIsAnEmptyPage) {
  const TrainingPage page =
      parse_training_page(R"({"user_data": [], "user_label": "u1", "next": "p2.json"})");
  EXPECT_TRUE(page.attempts.empty());
  EXPECT_EQ(page.next, "p2.json");
}

TEST(ParseTrainingPage, LabelMayHoldAnyPrintableUtf8UpTo200Bytes) {
  std::string label = " Zoë 👩‍💻 ";
  label += std::string(200 - label.size(), 'x');
  ASSERT_EQ(label.size(), 200u);
  const TrainingPage page =
      parse_training_page(R"({"user_data": [], "user_label": ")" + label + R"(", "next": null})");
  EXPECT_EQ(page.user_label, label);  // nothing trimmed
}

TEST(ParseTestFile, GivesUnlabelledAttempts) {
  const auto attempts = parse_test_file(R"({"attempts": [
      [{"character": "x", "typed_at": "2019-01-16T15:06:21.140078", "released_at": "2019-01-16T15:06:22"}],
      [{"character": "[return]", "typed_at": "2019-01-16T15:06:21.3"}, {"character": "y", "typed_at": "2019-01-16T15:06:22"}]
    ], "extra": [1, 2]})");
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0], (Attempt{"", {{"x", k150621_140078, k150622}}}));
  EXPECT_EQ(attempts[1],
            (Attempt{"", {{"[return]", k150621_300000, std::nullopt}, {"y", k150622, std::nullopt}}}));
}

TEST(ParseErrors, InvalidJsonGivesSimdjsonsMessage) {
  const std::string message = page_error(R"({"user_data": [[)");
  EXPECT_NE(message.find("invalid JSON: "), std::string::npos) << message;
  EXPECT_GT(message.size(), std::string("invalid JSON: ").size());
  EXPECT_NE(test_error("").find("invalid JSON"), std::string::npos);
  EXPECT_NE(test_error("{\"attempts\": [] } trailing").find("invalid JSON"), std::string::npos);
}

TEST(ParseErrors, InvalidUtf8IsInvalidJson) {
  EXPECT_NE(page_error("{\"user_data\": [], \"user_label\": \"\xFF\", \"next\": null}").find("invalid JSON"),
            std::string::npos);
}

TEST(ParseErrors, TopLevelShapeAndKeys) {
  EXPECT_NE(page_error("[]").find("expected a JSON object with \"user_data\""), std::string::npos);
  EXPECT_NE(test_error("42").find("expected a JSON object with \"attempts\" (got a number)"),
            std::string::npos);
  EXPECT_EQ(page_error(R"({"user_label": "u1", "next": null})"), "missing key \"user_data\"");
  EXPECT_EQ(page_error(R"({"user_data": [], "next": null})"), "missing key \"user_label\"");
  EXPECT_EQ(page_error(R"({"user_data": [], "user_label": "u1"})"),
            "missing key \"next\" (null on the last page)");
  EXPECT_EQ(test_error(R"({"user_data": []})"),
            "missing key \"attempts\" (this looks like a training page: {\"user_data\": ...})");
  EXPECT_EQ(test_error(R"({"tries": []})"), "missing key \"attempts\"");
  EXPECT_EQ(page_error(R"({"attempts": []})"), "missing key \"user_data\" (this looks like a test file: {\"attempts\": ...})");
  EXPECT_EQ(page_error(R"({"user_data": {}, "user_label": "u1", "next": null})"),
            "\"user_data\" must be an array of attempts (got an object)");
  EXPECT_EQ(test_error(R"({"attempts": "none"})"),
            "\"attempts\" must be an array of attempts (got \"none\")");
}

TEST(ParseErrors, Next) {
  EXPECT_EQ(page_error(R"({"user_data": [], "user_label": "u1", "next": 2})"),
            "\"next\" must be a string or null (got a number)");
  EXPECT_EQ(page_error(R"({"user_data": [], "user_label": "u1", "next": ["a"]})"),
            "\"next\" must be a string or null (got an array)");
  EXPECT_EQ(page_error(R"({"user_data": [], "user_label": "u1", "next": ""})"),
            "\"next\" must be a URL or null, not an empty string");
  EXPECT_NE(page_error(R"({"user_data": [], "user_label": "u1", "next": "a\nb"})").find("control character"),
            std::string::npos);
}

TEST(ParseErrors, UserLabel) {
  EXPECT_EQ(page_error(R"({"user_data": [], "user_label": 7, "next": null})"),
            "\"user_label\" must be a string (got a number)");
  EXPECT_EQ(page_error(R"({"user_data": [], "user_label": null, "next": null})"),
            "\"user_label\" must be a string (got null)");
  EXPECT_EQ(page_error(R"({"user_data": [], "user_label": "", "next": null})"),
            "\"user_label\" must not be empty");
  EXPECT_EQ(page_error(R"({"user_data": [], "user_label": "a\tb", "next": null})"),
            "\"user_label\" contains a control character (got \"a\\u0009b\")");
  EXPECT_NE(
      page_error(R"({"user_data": [], "user_label": "a\u0085b", "next": null})").find("control character"),
      std::string::npos);
  const std::string long_label(201, 'x');
  const std::string message =
      page_error(R"({"user_data": [], "user_label": ")" + long_label + R"(", "next": null})");
  EXPECT_NE(message.find("\"user_label\" is longer than 200 bytes"), std::string::npos) << message;
  EXPECT_NE(message.find("...)"), std::string::npos) << "long values are cut in messages: " << message;
}

TEST(ParseErrors, AttemptsAndEventsShape) {
  EXPECT_EQ(
      page_error(
          R"({"user_data": [[{"character": "a", "typed_at": "2019-01-16T15:06:22"}], []], "user_label": "u", "next": null})"),
      "attempt 1 is empty");
  EXPECT_EQ(page_error(R"({"user_data": [{"character": "a"}], "user_label": "u", "next": null})"),
            "attempt 0 must be an array of events (got an object)");
  EXPECT_EQ(test_error(R"({"attempts": [[{"character": "a", "typed_at": "2019-01-16T15:06:22"}, "b"]]})"),
            "attempt 0, event 1: an event must be an object like {\"character\": \"B\", \"typed_at\": "
            "\"2019-01-16T15:06:21.140078\"} (got \"b\")");
  EXPECT_EQ(test_error(R"({"attempts": [[]]})"), "attempt 0 is empty");
}

TEST(ParseErrors, Character) {
  EXPECT_EQ(page_error(page_with_event(R"({"typed_at": "2019-01-16T15:06:22"})")),
            "attempt 0, event 0: missing key \"character\"");
  const std::string expected =
      "attempt 0, event 0: \"character\" must be one character or a bracketed key name like [shift]";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"("ab")", R"((got "ab"))"},       {R"("")", R"((got ""))"},
      {R"("[]")", R"((got "[]"))"},       {R"("[a")", R"((got "[a"))"},
      {R"("[a]b]")", R"((got "[a]b]"))"}, {R"("é!")", R"((got "é!"))"},
      {R"("\n")", R"((got "\u000a"))"},   {R"("[\u0000]")", R"((got "[\u0000]"))"},
      {R"(5)", R"((got a number))"},      {R"(null)", R"((got null))"},
  };
  for (const auto& [value, got] : bad) {
    const std::string message =
        page_error(page_with_event(R"({"character": )" + value + R"(, "typed_at": "2019-01-16T15:06:22"})"));
    EXPECT_EQ(message, expected + " " + got) << value;
  }
}

TEST(ParseErrors, TimestampsWithTheirPlace) {
  // Attempt 3, event 6 holds the bad timestamp; everything before it is fine.
  const std::string ok = R"({"character": "a", "typed_at": "2019-01-16T15:06:22"})";
  std::string attempt3 = "[";
  for (int i = 0; i < 6; ++i) attempt3 += ok + ",";
  attempt3 += R"({"character": "a", "typed_at": "yesterday"}])";
  const std::string json =
      R"({"user_data": [[)" + ok + "],[" + ok + "]," + attempt3 + R"(], "user_label": "u", "next": null})";
  EXPECT_EQ(page_error(json),
            "attempt 2, event 6: \"typed_at\" is not a timestamp like 2019-01-16T15:06:21.140078 (got "
            "\"yesterday\")");

  EXPECT_EQ(page_error(page_with_event(R"({"character": "a"})")),
            "attempt 0, event 0: missing key \"typed_at\"");
  EXPECT_EQ(
      page_error(page_with_event(R"({"character": "a", "typed_at": 1547651182})")),
      "attempt 0, event 0: \"typed_at\" is not a timestamp like 2019-01-16T15:06:21.140078 (got a number)");
  EXPECT_EQ(page_error(page_with_event(R"({"character": "a", "typed_at": "2019-02-30T00:00:00"})")),
            "attempt 0, event 0: \"typed_at\" is not a timestamp like 2019-01-16T15:06:21.140078 (got "
            "\"2019-02-30T00:00:00\")");
  EXPECT_EQ(page_error(page_with_event(
                R"({"character": "a", "typed_at": "2019-01-16T15:06:22", "released_at": "soon"})")),
            "attempt 0, event 0: \"released_at\" is not a timestamp like 2019-01-16T15:06:21.140078 (got "
            "\"soon\")");
  EXPECT_EQ(
      page_error(page_with_event(
          R"({"character": "a", "typed_at": "2019-01-16T15:06:22", "released_at": "2019-01-16T15:06:21.3"})")),
      "attempt 0, event 0: released_at before typed_at (2019-01-16T15:06:21.300000 < "
      "2019-01-16T15:06:22.000000)");
  EXPECT_EQ(
      test_error(R"({"attempts": [[{"character": "a", "typed_at": "2019-01-16T15:06:22"},
                                         {"character": "b", "typed_at": false}]]})"),
      "attempt 0, event 1: \"typed_at\" is not a timestamp like 2019-01-16T15:06:21.140078 (got a boolean)");
}

TEST(ParseTrainingPage, EscapedKeysAreTheKeysTheySpell) {
  const TrainingPage page = parse_training_page(
      R"({"user\u005fdata": [[{"ch\u0061racter": "a", "typed\u005fat": "2019-01-16T15:06:22"}]],)"
      R"( "user_label": "u1", "n\u0065xt": null})");
  ASSERT_EQ(page.attempts.size(), 1u);
  EXPECT_EQ(page.attempts[0].events, (std::vector<KeyEvent>{{"a", k150622, std::nullopt}}));
}

TEST(ParseTrainingPage, AKeyOfOursGivenTwiceIsRefused) {
  // The top level is read first: the second "user_label" is met before the events' repeats.
  EXPECT_EQ(page_error(R"({"user_label": "first", "user_data": [[{"character": "a", "character": "b",)"
                       R"( "typed_at": "2019-01-16T15:06:22", "typed_at": "soon"}]], "next": null, "user_label": "second",)"
                       R"( "user_data": 5})"),
            "the key \"user_label\" appears twice in one object");
  EXPECT_EQ(page_error(R"({"user_label": "first", "user_data": [[{"character": "a", "character": "b",)"
                       R"( "typed_at": "2019-01-16T15:06:22"}]], "next": null})"),
            "attempt 0, event 0: the key \"character\" appears twice in one object");
}

TEST(ParseErrors, MalformedJsonAnywhereInTheAttemptsIsInvalidJson) {
  // Each is read past the top level only when the attempts are read.
  for (const std::string json : {
           R"({"user_data": [[{"character": "a", "typed_at": "2019-01-16T15:06:22"}}]], "user_label": "u", "next": null})",
           R"({"user_data": [[{"character": "a" "typed_at": "2019-01-16T15:06:22"}]], "user_label": "u", "next": null})",
           R"({"user_data": [[{"character": "a", "typed_at": "2019-01-16T15:06:22",}]], "user_label": "u", "next": null})",
           R"({"user_data": [[{"character": "\x", "typed_at": "2019-01-16T15:06:22"}]], "user_label": "u", "next": null})",
           R"({"user_data": [[{"character": "a", "typed_at": "2019-01-16T15:06:22"}]], "user_label": "u", "next": nul})",
           R"({"user_data": [[{"character": "a", "typed_at": "2019-01-16T15:06:22"}]], "user_label": "u", "next": null} x)",
           R"({"user_data": [[{"character": "a", "typed_at": "2019-01-16T15:06:22"}]], "user_label": "u", "next": null)",
           // in values that are otherwise ignored: unknown keys, repeated or not
           R"({"user_data": [], "user_label": "u", "next": null, "comment": [1, 2 3]})",
           R"({"user_data": [], "user_label": "u", "next": null, "comment": {"a" 1}})",
           R"({"user_data": [], "user_label": "u", "next": null, "comment": tru})",
           R"({"user_data": [], "user_label": "u", "next": null, "comment": ]})",
           R"({"user_data": [], "user_label": "u", "next": null, "comment": 1.2.3})",
           R"({"user_data": [], "user_label": "u", "next": null, "comment": 1, "comment": "\q"})",
           R"({"user_data": [], "user_label": "u", "next": null, "comment": [], "comment": [1 2]})",
           R"({"user_data": [[{"character": "a", "typed_at": "2019-01-16T15:06:22", "x": [1 2]}]], "user_label": "u", "next": null})",
       }) {
    const std::string message = page_error(json);
    EXPECT_TRUE(message.starts_with("invalid JSON: ")) << json << " -> " << message;
  }
}

TEST(ParseErrors, DeepNestingInAnIgnoredValueIsAnErrorNotACrash) {
  // 100,000 levels: read through one level at a time, this would overflow the stack of any thread.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string too_deep = "invalid JSON: The JSON document was too deep (too many nested objects and arrays)";
  EXPECT_EQ(page_error(R"({"user_data": [], "user_label": "u", "next": null, "deep": )" + deep + "}"), too_deep);
  EXPECT_EQ(test_error(R"({"attempts": [[{"character": "a", "typed_at": "2019-01-16T15:06:22", "x": )" + deep +
                       "}]]}"),
            too_deep);
  // 1,000 levels are fine.
  const std::string nested = std::string(1000, '[') + std::string(1000, ']');
  EXPECT_EQ(parse_test_file(R"({"attempts": [], "extra": )" + nested + "}").size(), 0u);
}

TEST(ParseErrors, MalformedJsonInATestFilesIgnoredValuesIsInvalidJson) {
  EXPECT_TRUE(test_error(R"({"attempts": [], "extra": {"a": [}})").starts_with("invalid JSON: "));
  EXPECT_TRUE(test_error(R"({"attempts": [], "extra": 1, "extra": nope})").starts_with("invalid JSON: "));
}

TEST(ParseErrors, AMisspelledLiteralIsInvalidJsonNotAValueOfTheWrongType) {
  for (const std::string value : {"tru", "fals", "nul", "nullx", "1.2.3", "-", "01"}) {
    EXPECT_TRUE(page_error(R"({"user_data": [)" + value + R"(], "user_label": "u", "next": null})").starts_with("invalid JSON: "))
        << value;
    EXPECT_TRUE(page_error(page_with_event(R"({"character": "a", "typed_at": "2019-01-16T15:06:22", "released_at": )" +
                                           value + "}"))
                    .starts_with("invalid JSON: "))
        << value;
  }
  // Well spelled, they are values of the wrong type.
  EXPECT_EQ(page_error(R"({"user_data": [true], "user_label": "u", "next": null})"),
            "attempt 0 must be an array of events (got a boolean)");
}

TEST(ParseTrainingPage, AByteOrderMarkBeforeTheJsonIsIgnored) {
  const TrainingPage page = parse_training_page("\xEF\xBB\xBF" + page_with_event(R"({"character": "a", "typed_at": "2019-01-16T15:06:22"})"));
  EXPECT_EQ(page.attempts.size(), 1u);
  EXPECT_EQ(parse_test_file("\xEF\xBB\xBF{\"attempts\": []}").size(), 0u);
}

TEST(ParseErrors, ANextLongerThanAUrlIsRefused) {
  const std::string message =
      page_error(R"({"user_data": [], "user_label": "u", "next": ")" + std::string(8193, 'a') + R"("})");
  EXPECT_TRUE(message.starts_with("\"next\" is longer than 8192 bytes (got \"aaa")) << message;
  EXPECT_LT(message.size(), 200u) << "the value is cut in the message";
  EXPECT_EQ(parse_training_page(R"({"user_data": [], "user_label": "u", "next": ")" + std::string(8192, 'a') + R"("})")
                .next->size(),
            8192u);
}

TEST(ParseErrors, ARootThatIsNotAnObjectSaysWhatItIs) {
  EXPECT_EQ(test_error(R"("abc")"), "expected a JSON object with \"attempts\" (got \"abc\")");
  EXPECT_EQ(page_error("null"),
            "expected a JSON object with \"user_data\", \"user_label\" and \"next\" (got null)");
  EXPECT_TRUE(page_error("nul").starts_with("invalid JSON: "));
}

TEST(ParseTrainingPage, ReleaseEqualToPressIsAccepted) {
  const TrainingPage page = parse_training_page(page_with_event(
      R"({"character": "a", "typed_at": "2019-01-16T15:06:22", "released_at": "2019-01-16T15:06:22.000000"})"));
  EXPECT_EQ(page.attempts[0].events[0].released_at, k150622);
}

}  // namespace
}  // namespace ksauth::ingest
