#include "app/jobs.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/timestamp.hpp"

namespace ksauth::app {

const char* to_string(JobState state) {
  switch (state) {
    case JobState::queued: return "queued";
    case JobState::running: return "running";
    case JobState::done: return "done";
    case JobState::failed: return "failed";
    case JobState::cancelled: return "cancelled";
  }
  return "unknown";
}

const char* job_kind(const JobRequest& request) {
  return std::holds_alternative<TrainRequest>(request) ? "train" : "enroll";
}

namespace {

const std::string& name_of(const JobRequest& request) {
  return std::visit([](const auto& r) -> const std::string& { return r.name; }, request);
}
bool replaces(const JobRequest& request) {
  return std::visit([](const auto& r) { return r.replace; }, request);
}
const char* made_noun(const JobRequest& request) {
  return std::holds_alternative<TrainRequest>(request) ? "model" : "verifier";
}

}  // namespace

double job_percent(std::string_view step, std::size_t done, std::size_t total) {
  const auto fraction = [&] {
    return total > 0 ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total)) : 0.0;
  };
  if (step == "download") {
    // The number of pages is unknown until the chain ends: approach 4% page by page.
    return total > 0 ? 5 * fraction() : 4.0 * static_cast<double>(done) / static_cast<double>(done + 1);
  }
  // A neural network names its epoch, loss and validation accuracy in its step ("epoch 3: loss 0.41, ...").
  if (step == "training" || step == "enrolling" || step.starts_with("epoch ")) return 5 + 90 * fraction();
  if (step == "evaluating" || step == "scoring") return 95 + 5 * fraction();
  return 5;  // reading the store, storing
}

JobManager::JobManager(std::string db_path, std::size_t kept_ended_jobs, std::function<void(const std::string&)> log)
    : db_path_(std::move(db_path)), kept_ended_jobs_(kept_ended_jobs), log_(std::move(log)), worker_([this] { run(); }) {}

JobManager::~JobManager() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cancel_all();
  wake_.notify_all();
  worker_.join();
}

JobSnapshot JobManager::submit(const JobRequest& request) {
  {
    const store::Store store(db_path_);
    if (const auto* train = std::get_if<TrainRequest>(&request)) check_train_request(store, *train);
    else check_enroll_request(store, std::get<EnrollRequest>(request));
  }
  std::lock_guard lock(mutex_);
  if (!replaces(request)) {
    for (const auto& [n, job] : jobs_) {
      const JobState s = job->snapshot.state;
      const JobRequest& other = job->snapshot.request;
      if ((s == JobState::queued || s == JobState::running) && other.index() == request.index() &&
          name_of(other) == name_of(request))
        throw Error(ErrorKind::conflict, std::string(made_noun(request)) + " '" + name_of(request) +
                                             "' is already being made by job " + job->snapshot.id);
    }
  }
  auto job = std::make_unique<Job>();
  job->snapshot.id = std::to_string(next_id_);
  job->snapshot.step = "queued";
  job->snapshot.request = request;
  job->snapshot.created_at = utc_now_iso();
  Job* raw = job.get();
  jobs_.emplace(next_id_++, std::move(job));
  queue_.push_back(raw);
  wake_.notify_all();
  return raw->snapshot;
}

std::vector<JobSnapshot> JobManager::list() const {
  std::lock_guard lock(mutex_);
  std::vector<JobSnapshot> out;
  for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it) {
    const JobSnapshot& s = it->second->snapshot;
    // Field by field: copying the whole snapshot would copy its report only to drop it.
    out.push_back({s.id, s.state, s.step, s.done, s.total, s.percent, s.error, s.request, s.created_at, std::nullopt});
  }
  return out;
}

void JobManager::forget_old_ended_jobs() {
  const auto ended = [](const Job& job) {
    return job.snapshot.state != JobState::queued && job.snapshot.state != JobState::running;
  };
  std::size_t n_ended = 0;
  for (const auto& [n, job] : jobs_) n_ended += ended(*job);
  for (auto it = jobs_.begin(); it != jobs_.end() && n_ended > kept_ended_jobs_;) {  // oldest first
    if (ended(*it->second)) {
      it = jobs_.erase(it);
      --n_ended;
    } else {
      ++it;
    }
  }
}

JobManager::Job& JobManager::find(const std::string& id) const {
  std::size_t n = 0;
  const bool digits = !id.empty() && id.size() < 19 && std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) n = std::stoull(id);
  const auto it = jobs_.find(n);
  if (!digits || it == jobs_.end()) throw Error(ErrorKind::not_found, "no job with id '" + id + "'");
  return *it->second;
}

JobSnapshot JobManager::get(const std::string& id) const {
  std::lock_guard lock(mutex_);
  return find(id).snapshot;
}

JobSnapshot JobManager::cancel(const std::string& id) {
  std::lock_guard lock(mutex_);
  Job& job = find(id);
  switch (job.snapshot.state) {
    case JobState::queued:
      job.cancel = true;
      job.snapshot.state = JobState::cancelled;
      job.snapshot.step = "cancelled";
      queue_.erase(std::remove(queue_.begin(), queue_.end(), &job), queue_.end());
      break;
    case JobState::running:
      job.cancel = true;
      break;
    default:
      throw Error(ErrorKind::conflict,
                  "job " + id + " has already ended (" + to_string(job.snapshot.state) + ") and cannot be cancelled");
  }
  return job.snapshot;
}

void JobManager::cancel_all() {
  std::lock_guard lock(mutex_);
  for (auto& [n, job] : jobs_) {
    if (job->snapshot.state == JobState::queued) {
      job->snapshot.state = JobState::cancelled;
      job->snapshot.step = "cancelled";
    }
    job->cancel = true;
  }
  queue_.clear();
}

void JobManager::run() {
  for (;;) {
    Job* job = nullptr;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = queue_.front();
      queue_.pop_front();
      job->snapshot.state = JobState::running;
      job->snapshot.step = "starting";
    }
    execute(*job);
  }
}

void JobManager::execute(Job& job) {
  // Only the worker writes request and result; readers copy the snapshot under the mutex.
  const JobRequest request = job.snapshot.request;
  std::optional<JobResult> result;
  std::optional<std::string> error;
  JobState end = JobState::done;
  try {
    store::Store store(db_path_);
    const Progress progress(
        [this, &job](std::string_view step, std::size_t done, std::size_t total) {
          std::lock_guard lock(mutex_);
          JobSnapshot& s = job.snapshot;
          s.step = std::string(step);
          s.done = done;
          s.total = total;
          s.percent = std::max(s.percent, job_percent(step, done, total));
        },
        &job.cancel);
    if (const auto* train_request = std::get_if<TrainRequest>(&request)) result = train(store, *train_request, progress);
    else result = enroll(store, std::get<EnrollRequest>(request), progress);
  } catch (const Error& e) {
    end = e.kind() == ErrorKind::cancelled ? JobState::cancelled : JobState::failed;
    if (e.kind() == ErrorKind::unavailable) {
      if (log_) log_("job " + job.snapshot.id + ": " + e.what());
      error = kUnavailableMessage;
    } else if (end == JobState::failed) {
      error = e.what();
    }
  } catch (const std::exception& e) {
    end = JobState::failed;
    if (log_) log_("job " + job.snapshot.id + ": internal error: " + e.what());
    error = "internal error (the server's log says more)";
  }
  std::lock_guard lock(mutex_);
  JobSnapshot& s = job.snapshot;
  s.state = end;
  s.error = std::move(error);
  s.step = to_string(end);
  if (end == JobState::done) {
    s.percent = 100;
    s.done = s.total;  // the last step's count, whole (it was last reported as it started)
    s.result = std::move(result);
  }
  forget_old_ended_jobs();
}

}  // namespace ksauth::app
