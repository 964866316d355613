// The use cases end to end over small generated data: analyze, train, compare, predict, CSV.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app/analyze.hpp"
#include "app/csv.hpp"
#include "app/model_registry.hpp"
#include "app/predict.hpp"
#include "app/report_json.hpp"
#include "app/train.hpp"
#include "core/error.hpp"
#include "support/fixtures.hpp"

namespace ksauth::app {
namespace {

using testing::synthetic_attempts;

constexpr const char* kPhrase = "hello";

// Three typists with 20 attempts of "hello" each; the second also has 2 attempts of another text and one
// corrected with a backspace (still valid); a fourth user only typed something else.
class AppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto u0 = synthetic_attempts("ann", 0, kPhrase, 20, true);
    auto u1 = synthetic_attempts("bob", 1, kPhrase, 20, true);
    auto typo = synthetic_attempts("bob", 1, "helo", 2, true);
    u1.insert(u1.end(), typo.begin(), typo.end());
    Attempt corrected = synthetic_attempts("bob", 1, "hellxo", 1, true).front();
    corrected.events.insert(corrected.events.begin() + 5,
                            {"[backspace]", corrected.events[4].pressed_at + 1000, corrected.events[4].pressed_at + 2000});
    u1.push_back(corrected);
    auto u2 = synthetic_attempts("cat", 2, kPhrase, 20, true);
    auto u3 = synthetic_attempts("dan", 3, "bye", 3, true);
    url_ = testing::write_chain(dir_, {u0, u1, u2, u3});
  }

  TrainRequest request(const std::string& type, const std::string& name) {
    TrainRequest r;
    r.url = url_;
    r.model_type = type;
    r.name = name;
    r.holdout = 0.25;
    r.seed = 7;
    return r;
  }

  testing::TempDir dir_;
  std::string url_;
  store::Store store_{":memory:"};
};

TEST_F(AppTest, AnalyzeReportsValidityEnrolmentAndFeatures) {
  const AnalyzeReport r = analyze(store_, {url_, {}, 5});
  EXPECT_EQ(r.dataset.n_pages, 4);
  EXPECT_FALSE(r.from_store);
  EXPECT_FALSE(r.failure.has_value());
  EXPECT_EQ(r.phrase.phrase, kPhrase);  // the default phrase was never typed: inferred
  EXPECT_EQ(r.phrase.source, features::PhraseSource::inferred);
  EXPECT_EQ(r.n_attempts, 66u);
  EXPECT_EQ(r.n_valid, 61u);  // 20 + 20 + 1 corrected + 20
  ASSERT_EQ(r.users.size(), 4u);
  EXPECT_EQ(r.users[1].user, "bob");
  EXPECT_EQ(r.users[1].valid, 21u);
  EXPECT_EQ(r.users[1].invalid, 2u);
  EXPECT_FALSE(r.users[3].enrolled);
  EXPECT_EQ(r.n_feature_rows, 61u);
  EXPECT_EQ(r.keystrokes.size(), 5u);
  EXPECT_EQ(r.keystrokes[0].character, "h");
  EXPECT_EQ(r.features.size(), 5u);
  EXPECT_EQ(r.layout.names.size(), 5u + 4u * 2 + 2);  // 5 holds, 4 DD, 4 UD, backspaces, duration
  EXPECT_EQ(r.dataset.n_valid, 61);
  EXPECT_THROW(analyze(store_, {url_, {}, 1001}), Error);
}

TEST_F(AppTest, TheSameSourceAndContentIsOneDataSet) {
  const auto a = analyze(store_, {url_, {}, 1});
  const auto b = analyze(store_, {url_, {}, 1});
  EXPECT_EQ(a.dataset.id, b.dataset.id);
  EXPECT_EQ(store_.list_datasets().size(), 1u);
}

TEST_F(AppTest, ASourceLoadedBeforeIsReadFromTheStoreUnlessRefreshed) {
  const AnalyzeReport first = analyze(store_, {url_, {}, 1});
  // The source changes: ann's page now holds 5 attempts.
  const std::string next = "page1.json";
  dir_.write("page0.json", testing::training_page_json("ann", synthetic_attempts("ann", 0, kPhrase, 5, true), &next));
  const AnalyzeReport cached = analyze(store_, {url_, {}, 1});
  EXPECT_TRUE(cached.from_store);
  EXPECT_EQ(cached.dataset.id, first.dataset.id);
  EXPECT_EQ(cached.n_attempts, 66u);
  EXPECT_EQ(cached.n_valid, 61u);

  DataOptions refresh;
  refresh.refresh = true;
  const AnalyzeReport fresh = analyze(store_, {url_, refresh, 1});
  EXPECT_FALSE(fresh.from_store);
  EXPECT_NE(fresh.dataset.id, first.dataset.id);
  EXPECT_EQ(fresh.n_attempts, 51u);
  EXPECT_EQ(analyze(store_, {url_, {}, 1}).dataset.id, fresh.dataset.id);  // the latest load is the one reused
}

TEST_F(AppTest, AnUploadedPageIsADataSet) {
  std::vector<Attempt> both = synthetic_attempts("ann", 0, kPhrase, 4, false);
  const std::string page = testing::training_page_json("ann", both, nullptr);
  const LoadedData data = load_uploaded_data(store_, "mine.json", page, {});
  EXPECT_EQ(data.dataset.source, "upload:mine.json");
  EXPECT_EQ(data.dataset.n_attempts, 4);
  EXPECT_FALSE(data.layout.with_release);
  try {
    load_uploaded_data(store_, "bad.json", "{\"user_data\": 3}", {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
    EXPECT_NE(std::string(e.what()).find("upload:bad.json"), std::string::npos) << e.what();
  }
}

TEST_F(AppTest, MinAttemptsDecidesWhoIsEnrolled) {
  DataOptions options;
  options.min_attempts = 21;
  const AnalyzeReport r = analyze(store_, {url_, options, 1});
  EXPECT_FALSE(r.users[0].enrolled);  // ann: 20 valid
  EXPECT_TRUE(r.users[1].enrolled);   // bob: 21 valid
  EXPECT_EQ(r.n_feature_rows, 21u);
}

TEST_F(AppTest, StreamingAChainGivesTheRowsOfLoadingIt) {
  for (const std::optional<std::string>& phrase : {std::optional<std::string>{}, std::optional<std::string>{"helo"}}) {
    DataOptions options;
    options.phrase = phrase;
    options.min_attempts = 3;
    const LoadedData loaded = load_training_data(store_, url_, options, {});
    const LabelledFeatures want = labelled_features(loaded);
    const StreamedFeatures got = stream_training_features(url_, options, {});
    EXPECT_EQ(got.pages.size(), 4u);
    EXPECT_FALSE(got.failure.has_value());
    EXPECT_EQ(got.n_attempts, loaded.attempts.size());
    EXPECT_EQ(got.phrase.phrase, loaded.validation.phrase.phrase);
    EXPECT_EQ(got.layout, loaded.layout);
    ASSERT_EQ(got.users.size(), loaded.validation.users.size());
    for (std::size_t u = 0; u < got.users.size(); ++u) {
      EXPECT_EQ(got.users[u].valid, loaded.validation.users[u].valid);
      EXPECT_EQ(got.users[u].enrolled, loaded.validation.users[u].enrolled);
    }
    EXPECT_EQ(got.features.labels, want.labels);
    EXPECT_EQ(got.features.y, want.y);
    EXPECT_EQ(got.features.attempt_index, want.attempt_index);
    EXPECT_EQ(got.features.x.data(), want.x.data());
  }
  EXPECT_EQ(stream_training_features(url_, {}, {}).features.x.rows(), 61u);  // 20 + 21 + 20 of "hello"
}

TEST_F(AppTest, TrainHoldsOutAndComparesEveryModelOnTheDataSet) {
  const TrainReport m = train(store_, request("manhattan", "m1"));
  EXPECT_EQ(m.labels, (std::vector<std::string>{"ann", "bob", "cat"}));
  EXPECT_EQ(m.n_train + m.n_holdout, 61u);
  EXPECT_EQ(m.n_holdout, 5u + 5u + 5u);  // round(0.25 * 20) and round(0.25 * 21)
  EXPECT_EQ(m.model.metrics.n, m.n_holdout);
  EXPECT_DOUBLE_EQ(m.model.metrics.accuracy, 1.0);  // the synthetic typists are far apart
  EXPECT_EQ(m.comparison.size(), 1u);

  const TrainReport a = train(store_, request("adaboost", "a1"));
  EXPECT_GE(a.model.metrics.accuracy, 0.9);
  ASSERT_EQ(a.comparison.size(), 2u);
  EXPECT_EQ(a.comparison[0].record.name, "m1");
  EXPECT_EQ(a.comparison[1].record.name, "a1");
  EXPECT_EQ(a.model.params.at("n_estimators"), a.comparison[1].params.at("n_estimators"));
}

// The confusion matrix is kept up to kMaxConfusionUsers users; beyond, it is left out (null in JSON), since
// its users x users counts would outweigh the rest of the report.
TEST_F(AppTest, TheConfusionMatrixIsLeftOutBeyondItsUserLimit) {
  const TrainReport small = train(store_, request("manhattan", "m1"));
  ASSERT_EQ(small.confusion.size(), 3u);
  EXPECT_EQ(small.confusion[0].size(), 3u);
  EXPECT_TRUE(to_json(small)["confusion"].is_array());

  std::vector<std::vector<Attempt>> users;
  for (std::size_t u = 0; u <= kMaxConfusionUsers; ++u)
    users.push_back(synthetic_attempts("u" + std::to_string(u), static_cast<int>(u % 7), kPhrase, 4, true));
  testing::TempDir many_dir;
  TrainRequest many = request("manhattan", "many");
  many.url = testing::write_chain(many_dir, users);
  const TrainReport big = train(store_, many);
  EXPECT_EQ(big.labels.size(), kMaxConfusionUsers + 1);
  EXPECT_TRUE(big.confusion.empty());
  EXPECT_TRUE(to_json(big)["confusion"].is_null());
}

TEST_F(AppTest, NamesAreUniqueUnlessReplaced) {
  train(store_, request("manhattan", "m1"));
  try {
    train(store_, request("manhattan", "m1"));
    FAIL() << "expected a conflict";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::conflict);
  }
  TrainRequest again = request("manhattan", "m1");
  again.replace = true;
  EXPECT_NO_THROW(train(store_, again));
  EXPECT_EQ(list_models(store_).size(), 1u);
}

TEST_F(AppTest, BadRequestsAreRefusedBeforeAnyWork) {
  const auto kind_of = [&](TrainRequest r) {
    try {
      train(store_, r);
    } catch (const Error& e) {
      return e.kind();
    }
    return ErrorKind::io;  // no error: not what these tests expect
  };
  EXPECT_EQ(kind_of(request("manhattan", "")), ErrorKind::invalid_input);
  EXPECT_EQ(kind_of(request("manhattan", "<img src=x>")), ErrorKind::invalid_input);
  EXPECT_EQ(kind_of(request("forest", "f")), ErrorKind::invalid_input);
  TrainRequest bad_holdout = request("manhattan", "m");
  bad_holdout.holdout = 1.0;
  EXPECT_EQ(kind_of(bad_holdout), ErrorKind::invalid_input);
  TrainRequest bad_param = request("adaboost", "a");
  bad_param.params["depth"] = 3;
  EXPECT_EQ(kind_of(bad_param), ErrorKind::invalid_input);
  TrainRequest missing = request("manhattan", "m");
  missing.url = dir_.file("nothing-here.json");
  EXPECT_EQ(kind_of(missing), ErrorKind::not_found);
  EXPECT_TRUE(store_.list_datasets().empty());  // nothing was half-written
}

TEST_F(AppTest, OneEnrolledUserCannotBeToldApart) {
  TrainRequest r = request("manhattan", "m");
  r.data.min_attempts = 21;  // only bob
  try {
    train(store_, r);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
    EXPECT_NE(std::string(e.what()).find("at least 2"), std::string::npos) << e.what();
  }
}

TEST_F(AppTest, TheSameSeedGivesTheSameModel) {
  train(store_, request("adaboost", "a1"));
  train(store_, request("adaboost", "a2"));
  EXPECT_EQ(store_.get_model("a1")->blob, store_.get_model("a2")->blob);
  EXPECT_EQ(store_.get_model("a1")->metrics_json, store_.get_model("a2")->metrics_json);
}

TEST_F(AppTest, PredictMarksInvalidAttemptsAndNamesTheTypist) {
  train(store_, request("manhattan", "m1"));
  std::vector<Attempt> test = {synthetic_attempts("", 2, kPhrase, 1, true, 99).front(),
                               synthetic_attempts("", 0, "help", 1, true, 99).front(),
                               synthetic_attempts("", 0, kPhrase, 1, true, 99).front()};
  test[1].user.clear();
  dir_.write("test.json", testing::test_file_json(test));
  const PredictReport r = predict(store_, dir_.file("test.json"), "m1", {});
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.n_ok, 2u);
  EXPECT_EQ(r.n_invalid, 1u);
  EXPECT_TRUE(r.rows[0].ok);
  EXPECT_EQ(r.rows[0].predicted_user, "cat");
  EXPECT_EQ(r.rows[0].top.size(), 3u);
  EXPECT_GE(r.rows[0].confidence, r.rows[0].top[1].confidence);
  EXPECT_FALSE(r.rows[1].ok);
  EXPECT_EQ(r.rows[1].reason, "does not spell the phrase");
  EXPECT_EQ(r.rows[2].predicted_user, "ann");

  const std::string csv = predictions_csv(r);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "attempt,status,predicted_user,confidence");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
  EXPECT_NE(csv.find("\n1,invalid,,\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\n0,ok,cat,"), std::string::npos) << csv;
}

// The message names the stored models (whichever interface asked), or says there is none yet.
TEST_F(AppTest, PredictWithAnUnknownModelSaysSo) {
  const auto message_of = [&](const std::string& name) {
    try {
      predict(store_, url_, name, {});
      ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::not_found);
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(message_of("nope"), "no model named 'nope' (no models stored yet)");
  train(store_, request("manhattan", "m1"));
  train(store_, request("manhattan", "m2"));
  EXPECT_EQ(message_of("nope\n"), "no model named 'nope\\x0A' (stored models: m1, m2)");
}

TEST(Csv, QuotesSpecialCharactersAndDefusesFormulas) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(csv_field("=1+1"), "'=1+1");
  EXPECT_EQ(csv_field("@SUM(A1)"), "'@SUM(A1)");
}

}  // namespace
}  // namespace ksauth::app
