// ksauth: the command line. It parses arguments, calls app/, and formats the answers; it computes nothing.
#include <algorithm>
#include <CLI/CLI.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/analyze.hpp"
#include "app/benchmark.hpp"
#include "app/enroll.hpp"
#include "app/limits.hpp"
#include "app/model_registry.hpp"
#include "app/predict.hpp"
#include "app/report_json.hpp"
#include "app/train.hpp"
#include "app/verifier_registry.hpp"
#include "app/verify.hpp"
#include "cli/terminal_progress.hpp"
#include "cli/text_reports.hpp"
#include "cli/text_table.hpp"
#include "cli/verify_reports.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "ingest/source_policy.hpp"
#include "models/classifier.hpp"
#include "server/serve.hpp"
#include "verify/detector.hpp"
#include "verify/verifier.hpp"

namespace ksauth::cli {
namespace {

int exit_code(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_input: return 2;
    case ErrorKind::not_found: return 3;
    case ErrorKind::conflict: return 4;
    case ErrorKind::corrupt: return 5;
    case ErrorKind::io: return 6;
    case ErrorKind::cancelled: return 130;
    case ErrorKind::forbidden: return 7;
    case ErrorKind::unavailable: return 6;
  }
  return 1;
}

// Writes a new file or replaces a regular one, through a temporary file beside it that is renamed over it
// at the end: a failure never leaves half a file. Anything else (a device, a link, a folder, the database
// itself) is refused rather than replaced.
void write_output_file(const std::string& path, const std::string& content, const std::string& db_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::symlink_status(path, ec);
  if (fs::exists(status)) {
    if (!fs::is_regular_file(status))
      throw Error(ErrorKind::invalid_input, path + ": not a regular file; give a new file name for the CSV");
    if (fs::equivalent(path, db_path, ec))
      throw Error(ErrorKind::invalid_input, path + ": that is the database; give another file name for the CSV");
  }
  std::string tmp = path + ".XXXXXX";
  const int fd = ::mkstemp(tmp.data());  // a new, unique file: never follows a planted link
  if (fd < 0) throw Error(ErrorKind::io, "cannot write " + path + ": " + std::strerror(errno));
  const mode_t mask = ::umask(0);
  ::umask(mask);
  bool ok = ::fchmod(fd, 0666 & ~mask) == 0;
  for (std::size_t done = 0; ok && done < content.size();) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  const int write_errno = errno;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = ok ? errno : write_errno;
    ::unlink(tmp.c_str());
    throw Error(ErrorKind::io, "cannot write " + path + ": " + std::strerror(err));
  }
}

// Seeds are whole numbers from 0 to 2^64-1, given in decimal.
std::uint64_t parse_seed(const std::string& text) {
  std::uint64_t seed = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seed);
  if (ec != std::errc() || end != text.data() + text.size())
    throw Error(ErrorKind::invalid_input, "--seed must be a whole number from 0 to 18446744073709551615, got '" + text + "'");
  return seed;
}

// A rate such as a target FMR: a decimal number (its range is the use case's to check).
double parse_fraction(const std::string& option, const std::string& text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    throw Error(ErrorKind::invalid_input, option + " must be a number such as 0.01, got '" + printable(text, 64) + "'");
  return value;
}

struct GlobalOptions {
  std::string db = "ksauth.db";
  std::optional<std::string> phrase;
  std::size_t min_attempts = 1;
  bool refresh = false;
  // What sources may be fetched: the command line trusts its user with files and every address; the limits
  // and the allow-list are the user's to set (serve starts from them too).
  std::vector<std::string> allowed_hosts;
  std::size_t max_page_mib = 256;
  std::size_t max_pages = 100'000;
  long max_fetch_seconds = 3600;
  int max_redirects = 5;

  ingest::SourcePolicy sources() const {
    ingest::SourcePolicy policy;
    policy.allowed_hosts = allowed_hosts;
    policy.max_page_bytes = max_page_mib << 20;
    policy.max_pages = max_pages;
    policy.max_seconds = std::chrono::seconds(max_fetch_seconds);
    policy.max_redirects = max_redirects;
    ingest::check_policy(policy);
    return policy;
  }
  app::DataOptions data() const { return {phrase, min_attempts, refresh, sources()}; }
};

// --first-n: a whole number of rows, 0 or more (CLI11's own range check printed its range to 310 digits).
const CLI::Validator kRowCount(
    [](std::string& value) {
      const bool digits = !value.empty() && value.size() <= 18 &&
                          std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
      return digits ? std::string() : "expected a whole number of rows, 0 or more (got '" + printable(value, 40) + "')";
    },
    "ROWS");

// --csv names a file: an empty name is a mistake, not "no CSV".
const CLI::Validator kFileName(
    [](std::string& value) { return value.empty() ? std::string("expected a file name (got an empty one)") : std::string(); },
    "FILE");

// CLI11's message, made to name what the user mistyped: a command that does not exist (CLI11 says only that
// one is required), or an option the command does not have, with where to look.
std::string parse_error_text(CLI::App& cli, const CLI::ParseError& e, int argc, char** argv) {
  const auto commands = cli.get_subcommands([](const CLI::App*) { return true; });
  std::vector<CLI::App*> parsed = cli.get_subcommands();
  if (parsed.empty()) {
    for (int i = 1; i < argc; ++i) {
      const std::string word = argv[i];
      if (word.empty() || word[0] == '-') continue;
      const std::string before = argv[i - 1];
      const CLI::Option* option = before.starts_with("-") ? cli.get_option_no_throw(before) : nullptr;
      if (option && option->get_type_size() > 0 && before.find('=') == std::string::npos) continue;  // its value
      std::string names;
      for (const CLI::App* c : commands) names += (names.empty() ? "" : ", ") + c->get_name();
      return "unknown command '" + printable(word, 40) + "' (commands: " + names + ")";
    }
    return std::string(e.what()) + " (ksauth --help lists the commands and options)";
  }
  const std::string command = parsed.front()->get_name();
  std::vector<std::string> extras = parsed.front()->remaining();
  if (extras.empty()) extras = cli.remaining();
  for (const std::string& extra : extras)
    if (extra.starts_with("-"))
      return "ksauth " + command + " has no option " + printable(extra, 40) + " (ksauth " + command +
             " --help lists its options)";
  return std::string(e.what()) + " (ksauth " + command + " --help lists its options)";
}

// The API token of `serve`: the first line of --token-file, else $KSAUTH_API_TOKEN, else none. Not an option
// value itself, which every user of the machine could read in the process list.
std::string api_token(const std::string& token_file) {
  std::string token;
  if (!token_file.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(token_file, ec))
      throw Error(ErrorKind::not_found, "cannot read the token file " + token_file + ": no such file");
    if (!std::filesystem::is_regular_file(token_file, ec))
      throw Error(ErrorKind::io, "cannot read the token file " + token_file + ": not a regular file");
    std::ifstream in(token_file);
    if (!in) throw Error(ErrorKind::io, "cannot read the token file " + token_file + ": " + std::strerror(errno));
    std::getline(in, token);
    if (!token.empty() && token.back() == '\r') token.pop_back();
  } else if (const char* env = std::getenv("KSAUTH_API_TOKEN")) {
    token = env;
  } else {
    return {};
  }
  constexpr std::size_t kMinTokenLength = 16;
  if (token.size() < kMinTokenLength)
    throw Error(ErrorKind::invalid_input, "the API token must be at least " + std::to_string(kMinTokenLength) +
                                              " characters (e.g. from: head -c 24 /dev/urandom | base64)");
  for (const char c : token)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      throw Error(ErrorKind::invalid_input, "the API token must be printable ASCII without spaces");
  return token;
}

int run(int argc, char** argv) {
  CLI::App cli{"ksauth: keystroke-dynamics authentication. Analyze typing data, train and compare models, "
               "predict who typed, verify a claimed typist."};
  cli.name("ksauth");
  cli.require_subcommand(1);
  cli.fallthrough();
  GlobalOptions global;
  cli.add_option("--db", global.db, "SQLite database file")->capture_default_str();
  cli.add_option("--phrase", global.phrase,
                 "The phrase attempts must spell (default: \"Be Authentic. Be Yourself. Be Typing.\" if typed, "
                 "else the most common text; 'auto' infers it)");
  cli.add_option("--min-attempts", global.min_attempts, "Valid attempts a user needs to be enrolled")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  cli.add_flag("--refresh", global.refresh,
               "Download a training URL again even though the database has it (by default it is read from there)");
  cli.add_option("--allow-hosts", global.allowed_hosts,
                 "Fetch only from these hosts (comma-separated: names, *.domain, addresses, CIDR ranges, each with an "
                 "optional :PORT); listed hosts may be private")
      ->delimiter(',')
      ->expected(1)  // one value (comma-separated) per use: a list must not swallow the URL after it
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cli.add_option("--max-page-mb", global.max_page_mib, "Largest page or file to read, in MiB")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  cli.add_option("--max-pages", global.max_pages, "Most pages to follow in one chain")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000'000}));
  cli.add_option("--max-fetch-seconds", global.max_fetch_seconds, "Longest time to load one source (a whole chain)")
      ->capture_default_str()
      ->check(CLI::Range(1L, 7L * 24 * 3600));
  cli.add_option("--max-redirects", global.max_redirects, "Most HTTP redirects to follow for one page")
      ->capture_default_str()
      ->check(CLI::Range(0, 20));

  // analyze
  std::string url;
  std::size_t first_n = 10;
  bool json = false;
  auto* analyze = cli.add_subcommand("analyze", "Load a training URL: valid attempts, enrolled users, features");
  analyze->add_option("url", url, "Training URL: first page of a JSON chain (http(s)://, file:// or a path)")->required();
  analyze->add_option("--first-n", first_n, "Rows of the keystroke and feature tables (at most 1000)")
      ->capture_default_str()
      ->check(kRowCount);
  analyze->add_flag("--json", json, "Print one JSON object");

  // train
  app::TrainRequest train_request;
  std::vector<std::string> params;
  auto* train = cli.add_subcommand("train", "Train a model with a holdout and compare it with the others");
  train->add_option("url", train_request.url, "Training URL")->required();
  std::string types_help = "Model type:";
  for (const auto& t : models::classifier_types()) types_help += " " + t;
  train->add_option("--model", train_request.model_type, types_help)->required();
  train->add_option("--name", train_request.name, "Name to store the model under")->required();
  train->add_option("--holdout", train_request.holdout, "Fraction of each user's attempts held out, in (0,1)")
      ->capture_default_str();
  std::string seed = std::to_string(train_request.seed);
  train->add_option("--seed", seed, "Seed of the split and the model")->capture_default_str();
  std::string params_help = "Model parameter NAME=VALUE, repeatable; defaults:";
  for (const auto& t : models::classifier_types()) {
    const std::string list = cli::params_text(models::make_classifier(t)->params());
    params_help += "\n  " + t + ": " + (list.empty() ? "none" : list);
  }
  train->add_option("--param", params, params_help);
  train->add_flag("--replace", train_request.replace, "Overwrite a model of the same name");
  train->add_flag("--json", json, "Print one JSON object");

  // models
  auto* models_cmd = cli.add_subcommand("models", "List the stored models");
  models_cmd->add_flag("--json", json, "Print a JSON array");
  std::string delete_name;
  bool delete_verifier = false;
  auto* delete_cmd = cli.add_subcommand("delete", "Delete a stored model (or verifier)");
  delete_cmd->add_option("name", delete_name, "Model name")->required();
  delete_cmd->add_flag("--verifier", delete_verifier, "NAME is a verifier (ksauth verifiers), not a model");

  // enroll
  app::EnrollRequest enroll_request;
  std::string target_fmr;
  auto* enroll = cli.add_subcommand(
      "enroll", "Enroll every user of a training URL in a verifier, with per-user thresholds and error rates");
  enroll->add_option("url", enroll_request.url, "Training URL")->required();
  std::string verifier_types_help = "Detector:";
  for (const auto& t : verify::detector_types()) verifier_types_help += " " + t;
  verifier_types_help += "; or a model type, scored by its probability of the claimed user:";
  for (const auto& t : models::classifier_types()) verifier_types_help += " " + t;
  enroll->add_option("--type", enroll_request.type, verifier_types_help)->required();
  std::string enroll_family;
  enroll->add_option("--family", enroll_family,
                     "detector or classifier, for a type that is both (manhattan; default: the detector)");
  enroll->add_option("--name", enroll_request.name, "Name to store the verifier under")->required();
  enroll->add_option("--holdout", enroll_request.holdout,
                     "Fraction of each user's attempts held out to measure error rates and set thresholds, in (0,1)")
      ->capture_default_str();
  std::string enroll_seed = std::to_string(enroll_request.seed);
  enroll->add_option("--seed", enroll_seed, "Seed of the split (and of a model's training)")->capture_default_str();
  enroll->add_option("--target-fmr", target_fmr,
                     "Set each user's threshold at this false match rate on the holdout, in [0,1) (default: at the "
                     "user's EER)");
  std::vector<std::string> enroll_params;
  enroll->add_option("--param", enroll_params, "Model parameter NAME=VALUE (model types only; see ksauth train --help)");
  enroll->add_flag("--replace", enroll_request.replace, "Overwrite a verifier of the same name");
  enroll->add_option("--first-n", first_n, "Users to list (at most 1000)")->capture_default_str()->check(kRowCount);
  enroll->add_flag("--json", json, "Print one JSON object (every user)");

  auto* verifiers_cmd = cli.add_subcommand("verifiers", "List the stored verifiers");
  verifiers_cmd->add_flag("--json", json, "Print a JSON array");

  // verify
  std::string verifier_name, claimed_user;
  auto* verify_cmd = cli.add_subcommand("verify", "Is each attempt of a test URL really the claimed user?");
  verify_cmd->add_option("url", url, "Test URL: {\"attempts\": [...]} (http(s)://, file:// or a path)")->required();
  verify_cmd->add_option("--verifier", verifier_name, "Stored verifier name")->required();
  verify_cmd->add_option("--user", claimed_user, "The claimed user's label")->required();
  verify_cmd->add_option("--first-n", first_n, "Rows to print (at most 1000)")->capture_default_str()->check(kRowCount);
  verify_cmd->add_flag("--json", json, "Print one JSON object (the first N rows)");

  // predict
  std::string model_name, csv_path;
  auto* predict = cli.add_subcommand("predict", "Predict who typed each attempt of a test URL");
  predict->add_option("url", url, "Test URL: {\"attempts\": [...]} (http(s)://, file:// or a path)")->required();
  predict->add_option("--model", model_name, "Stored model name")->required();
  predict->add_option("--first-n", first_n, "Rows to print (at most 1000; --csv writes them all)")
      ->capture_default_str()
      ->check(kRowCount);
  predict->add_option("--csv", csv_path, "Write every row to this CSV file")->check(kFileName);
  predict->add_flag("--json", json, "Print one JSON object (the first N rows)");

  // serve
  server::ServeOptions serve_options;
  auto* serve = cli.add_subcommand("serve", "Serve the web app and the JSON API (docs/api.md) until Ctrl-C; the global "
                                            "options (--db, --allow-hosts, the --max-* limits: ksauth --help) apply");
  serve->add_option("--host", serve_options.host, "Address to listen on")->capture_default_str();
  serve->add_option("--port", serve_options.port, "Port (0: any free port)")->capture_default_str()->check(CLI::Range(0, 65535));
  bool allow_local_sources = false;
  bool allow_private_addresses = false;
  std::string token_file;
  serve->add_flag("--allow-local-sources", allow_local_sources,
                  "Let API clients load files of this machine (paths, file://); by default only http(s) URLs");
  serve->add_flag("--allow-private-addresses", allow_private_addresses,
                  "Let API clients load URLs whose host is a loopback or private address (by default refused, unless "
                  "listed in --allow-hosts)");
  serve->add_option("--token-file", token_file,
                    "File whose first line is the API token that requests changing something must send (Authorization: "
                    "Bearer TOKEN); default $KSAUTH_API_TOKEN. Required to listen beyond loopback");
  serve->add_flag("--token-for-predictions", serve_options.token_for_predictions,
                  "Ask for the API token on predictions and verifications too");
  serve->add_option("--web", serve_options.web_dir, "Folder of the web pages (default: web/ of the source tree)");

  // benchmark
  std::string benchmark_csv = app::default_cmu_csv();
  auto* benchmark = cli.add_subcommand("benchmark", "Reproduce a published verification benchmark: cmu (Killourhy & Maxion)");
  benchmark->add_option("name", url, "Benchmark: cmu")->required()->check(CLI::IsMember({"cmu"}));
  benchmark->add_option("--csv", benchmark_csv, "DSL-StrongPasswordData.csv")->capture_default_str();
  benchmark->add_flag("--json", json, "Print one JSON object");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    throw Error(ErrorKind::invalid_input, parse_error_text(cli, e, argc, argv));
  }

  if (*serve) {
    serve_options.db_path = global.db;
    serve_options.sources = global.sources();
    serve_options.sources.allow_files = allow_local_sources;
    serve_options.sources.allow_private_addresses = allow_private_addresses;
    serve_options.sources.file_hint = "a server started with --allow-local-sources loads files";
    serve_options.sources.host_hint = "a server started with --allow-hosts HOST or --allow-private-addresses allows it";
    serve_options.api_token = api_token(token_file);
    if (serve_options.token_for_predictions && serve_options.api_token.empty())
      throw Error(ErrorKind::invalid_input, "--token-for-predictions needs a token (--token-file or KSAUTH_API_TOKEN)");
    return server::serve(serve_options);
  }
  TerminalProgress terminal;
  if (*benchmark) {
    const app::BenchmarkReport report = app::benchmark_cmu(benchmark_csv, global.sources(), terminal.progress());
    terminal.clear();
    std::cout << (json ? app::dump_json(app::to_json(report), 2) + "\n" : app::benchmark_text(report));
    return 0;
  }
  store::Store store(global.db);
  if (*analyze) {
    const app::AnalyzeReport report = app::analyze(store, {url, global.data(), first_n}, terminal.progress());
    terminal.clear();
    std::cerr << failure_warning(report.failure);
    std::cout << (json ? app::dump_json(app::to_json(report), 2) + "\n" : analyze_text(report));
  } else if (*train) {
    train_request.params = parse_params(params);
    train_request.seed = parse_seed(seed);
    train_request.data = global.data();
    const app::TrainReport report = app::train(store, train_request, terminal.progress());
    terminal.clear();
    std::cerr << failure_warning(report.failure);
    std::cout << (json ? app::dump_json(app::to_json(report), 2) + "\n" : train_text(report));
  } else if (*models_cmd) {
    const auto models = app::list_models(store);
    if (json) {
      nlohmann::json array = nlohmann::json::array();
      for (const auto& m : models) array.push_back(app::to_json(m));
      std::cout << app::dump_json(array, 2) << "\n";
    } else {
      std::cout << models_text(models);
    }
  } else if (*delete_cmd) {
    if (delete_verifier) {
      app::delete_verifier(store, delete_name);
      std::cout << "Deleted verifier '" << delete_name << "'\n";
    } else {
      app::delete_model(store, delete_name);
      std::cout << "Deleted model '" << delete_name << "'\n";
    }
  } else if (*enroll) {
    app::check_rows_shown(first_n);
    enroll_request.params = parse_params(enroll_params);
    enroll_request.seed = parse_seed(enroll_seed);
    if (!target_fmr.empty()) enroll_request.policy.target_fmr = parse_fraction("--target-fmr", target_fmr);
    if (!enroll_family.empty()) enroll_request.family = verify::family_named(enroll_family);
    enroll_request.data = global.data();
    const app::EnrollReport report = app::enroll(store, enroll_request, terminal.progress());
    terminal.clear();
    std::cerr << failure_warning(report.failure);
    std::cout << (json ? app::dump_json(app::to_json(report), 2) + "\n" : enroll_text(report, first_n));
  } else if (*verifiers_cmd) {
    const auto verifiers = app::list_verifiers(store);
    if (json) {
      nlohmann::json array = nlohmann::json::array();
      for (const auto& v : verifiers) array.push_back(app::to_json(v));
      std::cout << app::dump_json(array, 2) << "\n";
    } else {
      std::cout << verifiers_text(verifiers);
    }
  } else if (*verify_cmd) {
    app::check_rows_shown(first_n);
    const app::VerifyReport report = app::verify(store, url, verifier_name, claimed_user, global.sources(), terminal.progress());
    terminal.clear();
    std::cout << (json ? app::dump_json(app::to_json(report, first_n), 2) + "\n" : verify_text(report, first_n));
  } else if (*predict) {
    app::check_rows_shown(first_n, "--csv writes every row");
    const app::PredictReport report = app::predict(store, url, model_name, global.sources(), terminal.progress());
    terminal.clear();
    if (!csv_path.empty()) write_output_file(csv_path, app::predictions_csv(report), global.db);
    std::cout << (json ? app::dump_json(app::to_json(report, first_n), 2) + "\n"
                       : predict_text(report, first_n, !csv_path.empty()));
    if (!csv_path.empty() && !json) std::cout << "Wrote " << grouped(report.rows.size()) << " rows to " << csv_path << "\n";
  }
  return 0;
}

}  // namespace
}  // namespace ksauth::cli

int main(int argc, char** argv) {
  try {
    return ksauth::cli::run(argc, argv);
  } catch (const ksauth::Error& e) {
    std::cerr << "ksauth: " << ksauth::printable(e.what()) << "\n";
    return ksauth::cli::exit_code(e.kind());
  } catch (const std::exception& e) {
    std::cerr << "ksauth: internal error: " << ksauth::printable(e.what()) << "\n";
    return 1;
  }
}
