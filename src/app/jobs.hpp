#pragma once
// Background jobs: training a model (app/train) or enrolling a verifier (app/enroll), queued and run by one
// worker thread, one job at a time. Each job opens its own store::Store (a Store is one SQLite connection: one
// per thread). Jobs are kept in memory, ids "1", "2", ...: every queued and running job, and the newest
// ended ones (a server runs for months: older ended jobs and their reports are forgotten). Progress is mapped to one percentage: download and
// storing 0-5, training round k of n (or enrolling user k of n) 5-95, evaluating or scoring 95-100, done 100.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include "app/enroll.hpp"
#include "app/train.hpp"

namespace ksauth::app {

enum class JobState { queued, running, done, failed, cancelled };
const char* to_string(JobState state);

using JobRequest = std::variant<TrainRequest, EnrollRequest>;
using JobResult = std::variant<TrainReport, EnrollReport>;
// "train" or "enroll"
const char* job_kind(const JobRequest& request);

struct JobSnapshot {
  std::string id;
  JobState state = JobState::queued;
  std::string step;  // what the job is doing ("queued", "download", "training", "evaluating", ...)
  std::size_t done = 0;
  std::size_t total = 0;
  double percent = 0;  // 0-100
  std::optional<std::string> error;
  JobRequest request;
  std::string created_at;            // ISO timestamp, UTC
  std::optional<JobResult> result;   // when done, of the request's kind
};

class JobManager {
 public:
  static constexpr std::size_t kDefaultKeptEndedJobs = 200;

  // Keeps at most `kept_ended_jobs` ended jobs (done, failed, cancelled), the newest.
  // A job that fails on an internal error or a missing part (ErrorKind::unavailable) reports only that it did;
  // the whole text, which may name this machine's files, goes to `log` (the server's stderr).
  explicit JobManager(std::string db_path, std::size_t kept_ended_jobs = kDefaultKeptEndedJobs,
                      std::function<void(const std::string&)> log = {});
  ~JobManager();  // cancels every job and joins the worker
  JobManager(const JobManager&) = delete;
  JobManager& operator=(const JobManager&) = delete;

  // Checks what the user named first (name, type and parameters, holdout: Error(invalid_input); a stored
  // model or verifier, or a queued/running job making one, of the same name without `replace`:
  // Error(conflict)), then queues.
  JobSnapshot submit(const JobRequest& request);
  std::vector<JobSnapshot> list() const;          // newest first, without results
  JobSnapshot get(const std::string& id) const;   // Error(not_found)
  // A queued job is cancelled at once, a running one at its next round (the snapshot may still say
  // "running"). Error(conflict) when the job has already ended.
  JobSnapshot cancel(const std::string& id);
  void cancel_all();

 private:
  struct Job {
    JobSnapshot snapshot;
    std::atomic<bool> cancel{false};
  };

  void run();
  void execute(Job& job);
  Job& find(const std::string& id) const;  // with mutex_ held
  void forget_old_ended_jobs();            // with mutex_ held

  std::string db_path_;
  std::size_t kept_ended_jobs_;
  std::function<void(const std::string&)> log_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::size_t, std::unique_ptr<Job>> jobs_;  // by number
  std::deque<Job*> queue_;
  std::size_t next_id_ = 1;
  bool stopping_ = false;
  std::thread worker_;
};

// The overall percentage of a job at a progress step.
double job_percent(std::string_view step, std::size_t done, std::size_t total);

}  // namespace ksauth::app
