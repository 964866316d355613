#include "cli/text_reports.hpp"

#include "cli/text_table.hpp"

namespace ksauth::cli {
namespace {

std::string phrase_line(const features::PhraseChoice& phrase) {
  const char* how = phrase.source == features::PhraseSource::inferred   ? " (inferred: the most common text typed)"
                    : phrase.source == features::PhraseSource::default_phrase ? " (default)"
                                                                              : "";
  return "Phrase: \"" + printable(phrase.phrase) + "\"" + how + "\n";
}


std::vector<std::string> metrics_cells(const eval::Metrics& m) {
  return {fixed(m.accuracy), fixed(m.precision), fixed(m.recall), fixed(m.f1), fixed(m.roc_auc), fixed(m.top3_accuracy)};
}

TextTable models_table(const std::vector<app::ModelSummary>& models) {
  TextTable table({"name", "type", "data set", "holdout", "n", "accuracy", "precision", "recall", "f1", "roc_auc",
                   "top3", "created at"});
  for (const auto& m : models) {
    std::vector<std::string> row = {m.record.name, m.record.type, "#" + std::to_string(m.record.dataset_id),
                                    fixed(m.record.holdout, 2), grouped(m.metrics.n)};
    for (auto& cell : metrics_cells(m.metrics)) row.push_back(cell);
    row.push_back(m.record.created_at.substr(0, 19));
    table.add(std::move(row));
  }
  return table;
}

}  // namespace

std::string loaded_text(const store::DataSetRecord& dataset, bool from_store, const features::PhraseChoice& phrase) {
  std::string out = "Data set #" + std::to_string(dataset.id) + ": " + printable(dataset.source) + "\n";
  out += "Loaded " + grouped(static_cast<std::size_t>(dataset.n_users)) + " users, " +
         grouped(static_cast<std::size_t>(dataset.n_attempts)) + " attempts (" +
         grouped(static_cast<std::size_t>(dataset.n_valid)) + " valid) from " +
         grouped(static_cast<std::size_t>(dataset.n_pages)) + " pages" +
         (from_store ? " (read from the store; --refresh downloads again)\n" : "\n");
  return out + phrase_line(phrase);
}

std::string params_text(const Params& params) {
  std::string out;
  for (const auto& [k, v] : params) out += (out.empty() ? "" : ", ") + k + "=" + number(v);
  return out;
}

std::string failure_warning(const std::optional<ingest::PageFailure>& failure) {
  if (!failure) return "";
  return "warning: the chain stopped at page " + printable(failure->page) + ": " + printable(failure->reason) +
         "; the pages before it were loaded\n";
}

std::string analyze_text(const app::AnalyzeReport& r) {
  std::string out = "Data set #" + std::to_string(r.dataset.id) + ": " + printable(r.dataset.source) + "\n";
  out += "Pages loaded: " + grouped(static_cast<std::size_t>(r.dataset.n_pages));
  out += r.failure ? " (stopped at " + printable(r.failure->page) + ": " + printable(r.failure->reason) + ")"
                   : " (the whole chain)";
  out += r.from_store ? ", read from the store (fetched " + r.dataset.fetched_at.substr(0, 19) + "; --refresh downloads again)\n"
                      : "\n";
  out += phrase_line(r.phrase);
  out += "Attempts: " + grouped(r.n_attempts) + " (" + grouped(r.n_valid) + " valid, " +
         grouped(r.n_attempts - r.n_valid) + " invalid), " + grouped(r.n_keystrokes) + " keystrokes\n";
  std::size_t enrolled = 0;
  TextTable users({"user", "valid", "invalid", "enrolled"});
  std::string not_enrolled;
  for (const auto& u : r.users) {
    users.add({u.user, grouped(u.valid), grouped(u.invalid), u.enrolled ? "yes" : "no"});
    if (u.enrolled) ++enrolled;
    else not_enrolled += (not_enrolled.empty() ? "" : ", ") + printable(u.user);
  }
  out += "Users: " + grouped(r.users.size()) + " (" + grouped(enrolled) + " enrolled with at least " +
         grouped(r.min_attempts) + " valid attempt" + (r.min_attempts == 1 ? "" : "s") + ")\n";
  if (!not_enrolled.empty()) out += "Not enrolled: " + not_enrolled + "\n";
  out += "\n" + users.render();

  out += "\nFirst " + grouped(r.keystrokes.size()) + " keystrokes:\n";
  TextTable keys({"typed_at", "character", "user", "year", "month", "day", "hour", "minute", "second",
                  "microsecond", "character_code"});
  for (const auto& k : r.keystrokes)
    keys.add({k.typed_at, k.character == " " ? "\u2423" : k.character, k.user, std::to_string(k.time.year), std::to_string(k.time.month),
              std::to_string(k.time.day), std::to_string(k.time.hour), std::to_string(k.time.minute),
              std::to_string(k.time.second), std::to_string(k.time.microsecond), std::to_string(k.character_code)});
  out += keys.render();

  out += "\nFeatures (" + grouped(r.layout.names.size()) + " per attempt, " + grouped(r.n_feature_rows) +
         " attempts to learn from; times in seconds";
  out += r.layout.with_release ? "; H = hold, DD = press-to-press, UD = release-to-press" : "; DD = press-to-press";
  out += ", .i = phrase position):\n";
  std::vector<std::string> header = {"attempt", "user"};
  for (const auto& n : r.layout.names) header.push_back(n);
  TextTable feats(header);
  for (const auto& f : r.features) {
    std::vector<std::string> row = {std::to_string(f.attempt), f.user};
    for (double v : f.values) row.push_back(number(v));
    feats.add(std::move(row));
  }
  out += feats.render();
  return out;
}

std::string train_text(const app::TrainReport& r) {
  const eval::Metrics& m = r.model.metrics;
  std::string out = loaded_text(r.dataset, r.from_store, r.phrase);
  out += "Trained " + r.model.record.type + " '" + r.model.record.name + "' on " + grouped(r.n_train) +
         " attempts of " + grouped(r.labels.size()) + " users in " + fixed(r.fit_seconds, 1) + " s\n";
  if (!r.model.params.empty()) out += "Parameters: " + params_text(r.model.params) + "\n";
  if (!r.fit_summary.empty()) out += "Training: " + r.fit_summary + "\n";
  out += "Holdout (" + grouped(r.n_holdout) + " attempts, " + fixed(r.model.record.holdout, 2) + " of each user's):\n";
  TextTable metrics({"accuracy", "precision", "recall", "f1", "roc_auc", "top3"});
  metrics.add(metrics_cells(m));
  out += metrics.render();
  out += "\nAll models on this data set (each on its own holdout):\n" + models_table(r.comparison).render();
  return out;
}

std::string models_text(const std::vector<app::ModelSummary>& models) {
  if (models.empty()) return "No models yet: train one with `ksauth train URL --model adaboost --name NAME`.\n";
  return models_table(models).render();
}

std::string predict_text(const app::PredictReport& r, std::size_t first_n, bool rows_in_csv) {
  std::string out = "Model '" + r.model + "': " + grouped(r.rows.size()) + " attempts, " + grouped(r.n_ok) +
                    " scored, " + grouped(r.n_invalid) + " invalid (phrase \"" + printable(r.phrase) + "\")\n";
  TextTable table({"attempt", "status", "predicted_user", "confidence", "top-3"});
  for (std::size_t i = 0; i < r.rows.size() && i < first_n; ++i) {
    const auto& row = r.rows[i];
    std::string top;
    for (const auto& c : row.top) top += (top.empty() ? "" : ", ") + c.user + " " + fixed(c.confidence, 3);
    table.add({std::to_string(row.attempt), row.ok ? "ok" : "invalid", row.ok ? row.predicted_user : "",
               row.ok ? fixed(row.confidence) : "", row.ok ? top : row.reason});
  }
  out += table.render();
  if (r.rows.size() > first_n)
    out += "(" + grouped(r.rows.size() - first_n) + (rows_in_csv ? " more rows: all of them are in the CSV)\n" : " more rows: --first-n or --csv)\n");
  return out;
}

}  // namespace ksauth::cli
