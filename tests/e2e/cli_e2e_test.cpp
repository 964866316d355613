// The ksauth executable on the real data in ../shared/data (or $KSAUTH_DATA_DIR), served over loopback
// HTTP so that the chain of pages is followed the way it is in production.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/fixtures.hpp"
#include "support/loopback_server.hpp"

namespace ksauth {
namespace {

using nlohmann::json;

struct CommandResult {
  int exit_code;
  std::string out;
  std::string err;
};

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string quoted(const std::string& arg) {
  std::string q = "'";
  for (char c : arg) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

class Ksauth : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto data = testing::data_dir();
    if (!data || !std::filesystem::exists(*data + "/cmu-dsl2009/chain/train/user_s002.json")) return;
    server_ = new testing::LoopbackServer(*data);
    dir_ = new testing::TempDir();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
    server_ = nullptr;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (!server_) GTEST_FAIL() << testing::kNoData;
  }

  // `env`: assignments put before the command ("NAME=value ").
  static CommandResult ksauth(const std::vector<std::string>& args, const std::string& env = "") {
    std::string command = env + quoted(KSAUTH_BINARY) + " --db " + quoted(dir_->file("ksauth.db"));
    for (const auto& a : args) command += " " + quoted(a);
    const std::string out = dir_->file("stdout"), err = dir_->file("stderr");
    const int status = std::system((command + " >" + quoted(out) + " 2>" + quoted(err)).c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_all(out), read_all(err)};
  }

  static json ksauth_json(const std::vector<std::string>& args) {
    const CommandResult run = ksauth(args);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return json::parse(run.out);
  }

  static inline testing::LoopbackServer* server_ = nullptr;
  static inline testing::TempDir* dir_ = nullptr;
};

TEST_F(Ksauth, TrainsComparesAndPredictsOnTheCmuChain) {
  const std::string train_url = server_->url("cmu-dsl2009/chain/train/user_s002.json");
  const json a1 = ksauth_json({"train", train_url, "--model", "adaboost", "--name", "a1", "--holdout", "0.2", "--json"});
  EXPECT_EQ(a1["dataset"]["n_users"], 51);
  EXPECT_EQ(a1["dataset"]["n_attempts"], 15300);
  EXPECT_EQ(a1["phrase"]["text"], ".tie5Roanl");
  EXPECT_EQ(a1["n_train"].get<int>() + a1["n_holdout"].get<int>(), 15300);
  EXPECT_EQ(a1["n_holdout"], 51 * 60);
  EXPECT_GE(a1["accuracy"].get<double>(), 0.90);
  EXPECT_GT(a1["roc_auc"].get<double>(), a1["accuracy"].get<double>());
  std::cout << "adaboost holdout: " << a1["model"]["metrics"].dump() << " fit " << a1["fit_seconds"] << " s\n";

  const json m1 = ksauth_json({"train", train_url, "--model", "manhattan", "--name", "m1", "--json"});
  EXPECT_GE(m1["accuracy"].get<double>(), 0.60);
  EXPECT_EQ(m1["dataset"]["id"], a1["dataset"]["id"]);  // the same data set, not a copy
  ASSERT_EQ(m1["comparison"].size(), 2u);
  std::cout << "manhattan holdout: " << m1["model"]["metrics"].dump() << "\n";

  const json models = ksauth_json({"models", "--json"});
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0]["name"], "a1");
  EXPECT_EQ(models[0]["metrics"]["accuracy"], a1["accuracy"]);

  const std::string csv = dir_->file("out.csv");
  const CommandResult predict = ksauth({"predict", server_->url("cmu-dsl2009/chain/test_attempts.json"), "--model", "a1",
                              "--csv", csv});
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  const std::string rows = read_all(csv);
  EXPECT_EQ(std::count(rows.begin(), rows.end(), '\n'), 5101);  // header + 5,100 attempts
  EXPECT_EQ(rows.substr(0, rows.find('\n')), "attempt,status,predicted_user,confidence");
  EXPECT_EQ(rows.find(",invalid,"), std::string::npos);
  EXPECT_NE(predict.out.find("5,100 attempts, 5,100 scored"), std::string::npos) << predict.out;
  EXPECT_NE(predict.out.find("(5,090 more rows: all of them are in the CSV)"), std::string::npos) << predict.out;
  const CommandResult empty_csv = ksauth({"predict", server_->url("cmu-dsl2009/chain/test_attempts.json"), "--model",
                                          "a1", "--csv", ""});
  EXPECT_EQ(empty_csv.exit_code, 2);
  EXPECT_NE(empty_csv.err.find("expected a file name (got an empty one)"), std::string::npos) << empty_csv.err;

  const CommandResult again = ksauth({"train", train_url, "--model", "manhattan", "--name", "m1"});
  EXPECT_EQ(again.exit_code, 4);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
}

TEST_F(Ksauth, AnalyzeReportsTheUnifyIdUserAndTheMissingNextPage) {
  const std::string url = server_->url("unifyid-mle/user_4a438fdede4e11e9b986acde48001122.json");
  const CommandResult text = ksauth({"analyze", url, "--first-n", "3"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("Attempts: 495 (375 valid, 120 invalid)"), std::string::npos) << text.out;
  EXPECT_NE(text.err.find("user_4a45245cde4e11e9b51bacde48001122.json"), std::string::npos) << text.err;
  EXPECT_NE(text.err.find("404"), std::string::npos) << text.err;

  const json report = ksauth_json({"analyze", url, "--json", "--first-n", "1000"});
  EXPECT_EQ(report["phrase"]["text"], "Be Authentic. Be Yourself. Be Typing.");
  EXPECT_EQ(report["users"][0]["valid"], 375);
  EXPECT_EQ(report["users"][0]["invalid"], 120);
  EXPECT_EQ(report["keystrokes"].size(), 1000u);
  EXPECT_EQ(report["keystrokes"][0]["character_code"], 66);  // "B"
  EXPECT_EQ(report["failure"]["page"], server_->url("unifyid-mle/user_4a45245cde4e11e9b51bacde48001122.json"));

  const CommandResult too_many = ksauth({"analyze", url, "--first-n", "1001"});
  EXPECT_EQ(too_many.exit_code, 2);
  EXPECT_NE(too_many.err.find("at most 1000"), std::string::npos) << too_many.err;
  for (const std::string bad : {"-1", "abc", "1e3"}) {
    const CommandResult not_a_count = ksauth({"analyze", url, "--first-n", bad});
    EXPECT_EQ(not_a_count.exit_code, 2);
    EXPECT_NE(not_a_count.err.find("expected a whole number of rows, 0 or more (got '" + bad + "')"), std::string::npos)
        << not_a_count.err;
  }
}

TEST_F(Ksauth, PredictMarksSampleTestAttemptsThatDoNotSpellThePhraseInvalid) {
  // The UnifyID chain holds one real user; a generated typist of the same phrase leads into it so that
  // there are two users to tell apart.
  const testing::TempDir pages;
  const std::string next = server_->url("unifyid-mle/user_4a438fdede4e11e9b986acde48001122.json");
  pages.write("first.json", testing::training_page_json("generated", testing::synthetic_attempts("generated", 2,
                                                  "Be Authentic. Be Yourself. Be Typing.", 50, false), &next));
  const testing::LoopbackServer generated(pages.path());
  const CommandResult train = ksauth({"train", generated.url("first.json"), "--model", "manhattan", "--name", "u1"});
  ASSERT_EQ(train.exit_code, 0) << train.err;

  const json report = ksauth_json({"predict", server_->url("unifyid-mle/sample_test.json"), "--model", "u1", "--json",
                                   "--first-n", "1000"});
  EXPECT_EQ(report["n_attempts"], 400);
  EXPECT_EQ(report["n_ok"], 318);
  EXPECT_EQ(report["n_invalid"], 82);
  for (const auto& row : report["rows"]) {
    if (row["status"] == "invalid") {
      EXPECT_EQ(row["reason"], "does not spell the phrase");
    }
  }
}

// Authentication on the CMU chain: enrol every typist, then ask about claimed identities.
TEST_F(Ksauth, EnrollsTheCmuTypistsAndVerifiesClaims) {
  const std::string train_url = server_->url("cmu-dsl2009/chain/train/user_s002.json");
  const json sm = ksauth_json({"enroll", train_url, "--type", "scaled_manhattan", "--name", "sm", "--json"});
  EXPECT_EQ(sm["n_enrolled"], 51);
  EXPECT_EQ(sm["n_holdout"], 51 * 60);
  const json& metrics = sm["verifier"]["metrics"];
  // Each user's 60 held-out attempts are genuine, the other 50 users' 3,000 impostors.
  EXPECT_EQ(metrics["users"][0]["n_genuine"], 60);
  EXPECT_EQ(metrics["users"][0]["n_impostor"], 3000);
  const double eer = metrics["eer_mean"];
  EXPECT_GT(eer, 0.05);
  EXPECT_LT(eer, 0.25);
  std::cout << "scaled_manhattan verifier, mean EER on the holdout: " << eer << "\n";

  // At a target FMR of 1%, each user's threshold keeps to it on the holdout.
  const json strict = ksauth_json({"enroll", train_url, "--type", "scaled_manhattan", "--name", "strict",
                                   "--target-fmr", "0.01", "--json"});
  for (const auto& u : strict["verifier"]["metrics"]["users"]) EXPECT_LE(u["fmr"].get<double>(), 0.01) << u.dump();
  EXPECT_GT(strict["verifier"]["metrics"]["fnmr_mean"].get<double>(), metrics["fnmr_mean"].get<double>());

  const json listed = ksauth_json({"verifiers", "--json"});
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[1]["threshold_at"], "target_fmr");

  // Claims as s002 from the last 50 attempts of s002 (session 6) and of s003: s002's are accepted far more often.
  json claims_file = {{"attempts", json::array()}};
  for (const char* subject : {"s002", "s003"}) {
    const json page = json::parse(read_all(*testing::data_dir() + "/cmu-dsl2009/chain/train/user_" + subject + ".json"));
    for (std::size_t i = 250; i < 300; ++i) claims_file["attempts"].push_back(page["user_data"][i]);
  }
  const std::string claims_path = dir_->file("claims.json");
  std::ofstream(claims_path) << claims_file.dump();
  const json claims = ksauth_json({"verify", claims_path, "--verifier", "sm", "--user", "s002", "--first-n", "100", "--json"});
  EXPECT_EQ(claims["n_attempts"], 100);
  EXPECT_EQ(claims["n_ok"], 100);
  ASSERT_EQ(claims["rows"].size(), 100u);
  std::size_t own = 0, others = 0;
  for (const auto& row : claims["rows"]) (row["attempt"].get<int>() < 50 ? own : others) += row["accept"].get<bool>() ? 1 : 0;
  EXPECT_GT(own, 30u) << claims.dump();
  EXPECT_LT(others, 20u) << claims.dump();
  std::cout << "claims as s002: " << own << " of 50 of s002's accepted, " << others << " of 50 of s003's\n";
  const CommandResult text = ksauth({"verify", server_->url("cmu-dsl2009/chain/test_attempts.json"), "--verifier", "sm",
                                     "--user", "s002", "--first-n", "3"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("5,100 attempts, 5,100 scored"), std::string::npos) << text.out;

  const CommandResult stranger = ksauth({"verify", server_->url("cmu-dsl2009/chain/test_attempts.json"), "--verifier",
                                         "sm", "--user", "s001"});
  EXPECT_EQ(stranger.exit_code, 3);
  EXPECT_NE(stranger.err.find("not enrolled"), std::string::npos) << stranger.err;
  const CommandResult used = ksauth({"enroll", train_url, "--type", "euclidean", "--name", "sm"});
  EXPECT_EQ(used.exit_code, 4);
  const CommandResult bad_fmr = ksauth({"enroll", train_url, "--type", "euclidean", "--name", "e", "--target-fmr", "1%"});
  EXPECT_EQ(bad_fmr.exit_code, 2);
  EXPECT_NE(bad_fmr.err.find("--target-fmr"), std::string::npos) << bad_fmr.err;
  EXPECT_EQ(ksauth({"delete", "--verifier", "strict"}).exit_code, 0);
  EXPECT_EQ(ksauth({"delete", "--verifier", "strict"}).exit_code, 3);
}

TEST_F(Ksauth, ErrorsAreOneClearLineAndAnExitCode) {
  const CommandResult missing = ksauth({"analyze", server_->url("no/such/page.json")});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("no/such/page.json"), std::string::npos) << missing.err;
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;

  const CommandResult unknown = ksauth({"predict", server_->url("unifyid-mle/sample_test.json"), "--model", "nope"});
  EXPECT_EQ(unknown.exit_code, 3);
  EXPECT_NE(unknown.err.find("no model named 'nope'"), std::string::npos) << unknown.err;

  const CommandResult bad_param = ksauth({"train", "x.json", "--model", "adaboost", "--name", "x", "--param", "n_estimators=many"});
  EXPECT_EQ(bad_param.exit_code, 2);
  EXPECT_NE(bad_param.err.find("n_estimators"), std::string::npos) << bad_param.err;

  // A mistyped command or option is named, with where to look.
  const CommandResult typo = ksauth({"trian", "x.json"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("unknown command 'trian' (commands: analyze, train, "), std::string::npos) << typo.err;
  const CommandResult params = ksauth({"train", "x.json", "--model", "adaboost", "--name", "x", "--params", "n_estimators=9"});
  EXPECT_EQ(params.exit_code, 2);
  EXPECT_NE(params.err.find("ksauth train has no option --params (ksauth train --help lists its options)"),
            std::string::npos)
      << params.err;
}

// The source limits and allow-list are global options; serve refuses to listen beyond loopback without a token.
TEST_F(Ksauth, SourcePolicyOptionsAndTheServeToken) {
  const std::string page = server_->url("cmu-dsl2009/chain/train/user_s002.json");
  const std::string big = server_->url("cmu-dsl2009/chain/test_attempts.json");  // 6.5 MB
  const CommandResult small = ksauth({"--max-page-mb", "1", "analyze", big});
  EXPECT_EQ(small.exit_code, 6) << small.err;
  EXPECT_NE(small.err.find(big + ": the response is larger than the 1 MiB limit"), std::string::npos) << small.err;

  const CommandResult other_host = ksauth({"--allow-hosts", "data.example.org,10.0.0.0/8", "analyze", page});
  EXPECT_EQ(other_host.exit_code, 7) << other_host.err;
  EXPECT_NE(other_host.err.find("the host 127.0.0.1 (127.0.0.1) at port " + std::to_string(server_->port()) +
                                " is not one of the allowed hosts"),
            std::string::npos)
      << other_host.err;
  // After the command too, each use taking one list (the URL after it is still the URL).
  const CommandResult after = ksauth({"analyze", "--allow-hosts", "data.example.org", "--allow-hosts", "10.0.0.0/8", page});
  EXPECT_EQ(after.exit_code, 7) << after.err;
  EXPECT_NE(after.err.find("is not one of the allowed hosts"), std::string::npos) << after.err;
  const CommandResult bad_entry = ksauth({"--allow-hosts", "10.0.0.0/40", "analyze", page});
  EXPECT_EQ(bad_entry.exit_code, 2);
  EXPECT_NE(bad_entry.err.find("allowed host \"10.0.0.0/40\": invalid prefix length"), std::string::npos) << bad_entry.err;

  const CommandResult open = ksauth({"serve", "--host", "0.0.0.0", "--port", "0"});
  EXPECT_EQ(open.exit_code, 2);
  EXPECT_NE(open.err.find("serving on 0.0.0.0 (beyond this machine) needs an API token"), std::string::npos) << open.err;
  const std::string short_token = dir_->write("short-token", "abc\n");
  const CommandResult weak = ksauth({"serve", "--host", "0.0.0.0", "--port", "0", "--token-file", short_token});
  EXPECT_EQ(weak.exit_code, 2);
  EXPECT_NE(weak.err.find("the API token must be at least 16 characters"), std::string::npos) << weak.err;
  const CommandResult no_file = ksauth({"serve", "--token-file", dir_->file("no-such-token")});
  EXPECT_EQ(no_file.exit_code, 3);
  EXPECT_NE(no_file.err.find("cannot read the token file " + dir_->file("no-such-token") + ": no such file"),
            std::string::npos)
      << no_file.err;
}

// Without the libtorch plugin the neural models cannot run: one line naming the plugin and what to do, exit 6.
// (The server tells its clients only that a part is missing, 503, and writes this line to its log.)
TEST_F(Ksauth, AMissingTorchPluginIsOneLineAndExit6) {
  testing::TempDir data;
  const std::string chain = testing::write_chain(data, {testing::synthetic_attempts("ann", 0, "hello", 10, true),
                                                        testing::synthetic_attempts("bob", 1, "hello", 10, true)});
  const CommandResult run = ksauth({"train", chain, "--model", "mlp", "--name", "n1", "--param", "epochs=1"},
                                   "KSAUTH_TORCH_PLUGIN=/nonexistent/libx.so ");
  EXPECT_EQ(run.exit_code, 6) << run.err;
  EXPECT_NE(run.err.find("ksauth: cannot load the libtorch plugin /nonexistent/libx.so: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("(install libtorch-dev and rebuild, or set KSAUTH_TORCH_PLUGIN)"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace ksauth
