#pragma once
// The use cases' answers as text for people at a terminal.
#include <string>
#include <vector>

#include "app/analyze.hpp"
#include "app/model_registry.hpp"
#include "app/predict.hpp"
#include "app/train.hpp"

namespace ksauth::cli {

std::string analyze_text(const app::AnalyzeReport& report);
std::string train_text(const app::TrainReport& report);
std::string models_text(const std::vector<app::ModelSummary>& models);
// rows_in_csv: every row was written to a CSV file too (the hint about the rows not shown says so).
std::string predict_text(const app::PredictReport& report, std::size_t first_n, bool rows_in_csv);
// "Data set #1: SOURCE", what was loaded and the phrase: the head of train and enroll reports.
std::string loaded_text(const store::DataSetRecord& dataset, bool from_store, const features::PhraseChoice& phrase);
// "batch_size=64, dropout=0.2"
std::string params_text(const Params& params);

// One line naming where a chain stopped early, or "" (to stderr: the data loaded is still used).
std::string failure_warning(const std::optional<ingest::PageFailure>& failure);

}  // namespace ksauth::cli
