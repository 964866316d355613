#pragma once
// The endpoints of /api/v1/ (docs/api.md), grouped by what they serve. Each request opens its own
// store::Store on the database path: a Store is one SQLite connection and handlers run on many threads.
#include <string>

#include "app/jobs.hpp"
#include "app/model_cache.hpp"
#include "ingest/source_policy.hpp"
#include "server/router.hpp"

namespace ksauth::server {

struct Context {
  std::string db_path;
  app::JobManager& jobs;
  app::ModelCache& models;
  ingest::SourcePolicy sources;  // see ServerOptions
};

inline constexpr const char* kApi = "/api/v1";

void add_meta_routes(Router& router);                          // health, model-types, verifier-types
void add_dataset_routes(Router& router, const Context& ctx);   // datasets, upload, keystrokes, features, rhythm
void add_model_routes(Router& router, const Context& ctx);     // models, file, predict, predict.csv
void add_job_routes(Router& router, const Context& ctx);       // jobs, cancel
void add_verifier_routes(Router& router, const Context& ctx);  // verifiers (enroll as a job), verify

}  // namespace ksauth::server
