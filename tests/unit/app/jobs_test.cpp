// The training job manager: one job at a time, progress as one percentage, cancellation, conflicts.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "app/jobs.hpp"
#include "core/error.hpp"
#include "support/fixtures.hpp"

namespace ksauth::app {
namespace {

using testing::synthetic_attempts;

JobSnapshot wait_until_ended(const JobManager& jobs, const std::string& id) {
  for (;;) {
    JobSnapshot s = jobs.get(id);
    if (s.state != JobState::queued && s.state != JobState::running) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

class JobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::write_chain(dir_, {synthetic_attempts("ann", 0, "hello", 20, true),
                                       synthetic_attempts("bob", 1, "hello", 20, true)});
  }

  TrainRequest request(const std::string& type, const std::string& name, Params params = {}) {
    TrainRequest r;
    r.url = url_;
    r.model_type = type;
    r.name = name;
    r.params = std::move(params);
    return r;
  }

  // ann and an exact copy of her under another name: AdaBoost never fits them, so it runs every round.
  std::string long_chain() {
    auto ann = synthetic_attempts("ann", 0, "the quick brown fox jumps", 150, true);
    auto twin = ann;
    for (Attempt& a : twin) a.user = "twin";
    return testing::write_chain(long_dir_, {ann, twin, synthetic_attempts("bob", 1, "the quick brown fox jumps", 150, true)});
  }

  testing::TempDir dir_, long_dir_;
  std::string url_;
  std::string db_ = dir_.file("jobs.db");
};

TEST(JobPercentTest, StepsMapToOneScale) {
  EXPECT_DOUBLE_EQ(job_percent("download", 0, 0), 0);
  EXPECT_DOUBLE_EQ(job_percent("download", 1, 0), 2);
  EXPECT_LT(job_percent("download", 1000, 0), 5);
  EXPECT_DOUBLE_EQ(job_percent("storing", 0, 1), 5);
  EXPECT_DOUBLE_EQ(job_percent("reading the store", 0, 1), 5);
  EXPECT_DOUBLE_EQ(job_percent("training", 0, 10), 5);
  EXPECT_DOUBLE_EQ(job_percent("training", 5, 10), 50);
  EXPECT_DOUBLE_EQ(job_percent("training", 10, 10), 95);
  EXPECT_DOUBLE_EQ(job_percent("epoch 20: loss 0.4100, validation accuracy 0.8800", 20, 40), 50);
  EXPECT_DOUBLE_EQ(job_percent("epoch 40: loss 0.2000", 40, 40), 95);
  EXPECT_DOUBLE_EQ(job_percent("evaluating", 0, 1), 95);
}

TEST_F(JobsTest, JobsRunInOrderToTheEnd) {
  JobManager jobs(db_);
  const JobSnapshot a = jobs.submit(request("manhattan", "m1"));
  const JobSnapshot b = jobs.submit(request("adaboost", "a1", {{"n_estimators", 5}, {"max_depth", 2}}));
  EXPECT_EQ(a.id, "1");
  EXPECT_EQ(b.id, "2");
  EXPECT_EQ(a.state, JobState::queued);
  const JobSnapshot done = wait_until_ended(jobs, "2");
  EXPECT_EQ(done.state, JobState::done) << done.error.value_or("");
  EXPECT_EQ(done.percent, 100);
  ASSERT_TRUE(done.result.has_value());
  EXPECT_EQ(std::get<TrainReport>(*done.result).comparison.size(), 2u);  // m1 ran first
  EXPECT_EQ(jobs.get("1").state, JobState::done);
  const auto list = jobs.list();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, "2");
  EXPECT_FALSE(list[0].result.has_value());
  EXPECT_THROW(jobs.get("3"), Error);
  EXPECT_THROW(jobs.get("x"), Error);
}

TEST_F(JobsTest, WhatTheUserNamedIsCheckedBeforeQueueing) {
  JobManager jobs(db_);
  const auto kind = [&](const TrainRequest& r) {
    try {
      jobs.submit(r);
    } catch (const Error& e) {
      return e.kind();
    }
    return ErrorKind::cancelled;  // no error
  };
  EXPECT_EQ(kind(request("manhattan", "<b>")), ErrorKind::invalid_input);
  EXPECT_EQ(kind(request("tree", "t")), ErrorKind::invalid_input);
  EXPECT_EQ(kind(request("adaboost", "t", {{"n_estimators", -1}})), ErrorKind::invalid_input);
  TrainRequest holdout = request("manhattan", "h");
  holdout.holdout = 0;
  EXPECT_EQ(kind(holdout), ErrorKind::invalid_input);
  EXPECT_TRUE(jobs.list().empty());

  EXPECT_EQ(wait_until_ended(jobs, jobs.submit(request("manhattan", "m1")).id).state, JobState::done);
  EXPECT_EQ(kind(request("manhattan", "m1")), ErrorKind::conflict);  // stored
  TrainRequest replace = request("manhattan", "m1");
  replace.replace = true;
  EXPECT_EQ(wait_until_ended(jobs, jobs.submit(replace).id).state, JobState::done);
}

TEST_F(JobsTest, CancelAQueuedAndARunningJob) {
  JobManager jobs(db_);
  const std::string long_url = long_chain();
  TrainRequest long_request = request("adaboost", "long", {{"n_estimators", 5000}});
  long_request.url = long_url;
  const std::string running = jobs.submit(long_request).id;
  TrainRequest same_name = request("manhattan", "long");
  EXPECT_THROW(jobs.submit(same_name), Error);  // a job is already training "long"
  const std::string queued = jobs.submit(request("manhattan", "m1")).id;
  EXPECT_EQ(jobs.cancel(queued).state, JobState::cancelled);  // at once
  while (jobs.get(running).step != "training") std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_GE(jobs.get(running).percent, 5);
  jobs.cancel(running);
  const JobSnapshot end = wait_until_ended(jobs, running);
  EXPECT_EQ(end.state, JobState::cancelled);
  EXPECT_FALSE(end.error.has_value());
  EXPECT_LT(end.done, 5000u);
  EXPECT_EQ(jobs.get(queued).state, JobState::cancelled);
  EXPECT_THROW(jobs.cancel(running), Error);  // already ended
  const store::Store store(db_);
  EXPECT_FALSE(store.get_model("long").has_value());
  EXPECT_FALSE(store.get_model("m1").has_value());
}

TEST_F(JobsTest, TheDestructorCancelsARunningJob) {
  const std::string long_url = long_chain();
  const auto started = std::chrono::steady_clock::now();
  {
    JobManager jobs(db_);
    TrainRequest r = request("adaboost", "long", {{"n_estimators", 5000}});
    r.url = long_url;
    const std::string id = jobs.submit(r).id;
    while (jobs.get(id).step != "training") std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
  EXPECT_FALSE(store::Store(db_).get_model("long").has_value());
}

TEST_F(JobsTest, AnEnrollJobStoresAVerifier) {
  JobManager jobs(db_);
  EnrollRequest r;
  r.url = url_;
  r.type = "scaled_manhattan";
  r.name = "v1";
  r.holdout = 0.25;
  const JobSnapshot queued = jobs.submit(r);
  EXPECT_STREQ(job_kind(queued.request), "enroll");
  EnrollRequest same = r;
  same.type = "euclidean";
  EXPECT_THROW(jobs.submit(same), Error);  // a queued job already makes verifier v1 (or it is stored)
  const JobSnapshot done = wait_until_ended(jobs, queued.id);
  EXPECT_EQ(done.state, JobState::done) << done.error.value_or("");
  EXPECT_EQ(done.percent, 100);
  ASSERT_TRUE(done.result.has_value());
  const auto& report = std::get<EnrollReport>(*done.result);
  EXPECT_EQ(report.verifier.metrics.users.size(), 2u);
  EXPECT_TRUE(store::Store(db_).get_verifier("v1").has_value());
  // A model may share a verifier's name: they are different things.
  EXPECT_EQ(wait_until_ended(jobs, jobs.submit(request("manhattan", "v1")).id).state, JobState::done);
  EnrollRequest bad = r;
  bad.name = "v2";
  bad.type = "nope";
  EXPECT_THROW(jobs.submit(bad), Error);
}

TEST_F(JobsTest, OnlyTheNewestEndedJobsAreKept) {
  // A server runs for months: ended jobs (with their reports) beyond the newest `kept` are forgotten, queued
  // and running ones never.
  JobManager jobs(db_, 2);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(jobs.submit(request("manhattan", "m" + std::to_string(i))).id);
    EXPECT_EQ(wait_until_ended(jobs, ids.back()).state, JobState::done);
  }
  for (int i = 0; i < 3; ++i) {
    try {
      jobs.get(ids[i]);
      ADD_FAILURE() << "job " << ids[i] << " is still kept";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::not_found);
      EXPECT_EQ(std::string(e.what()), "no job with id '" + ids[i] + "'");
    }
  }
  EXPECT_EQ(jobs.get(ids[3]).state, JobState::done);
  EXPECT_TRUE(jobs.get(ids[4]).result.has_value());
  const auto listed = jobs.list();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, ids[4]);
  EXPECT_EQ(listed[1].id, ids[3]);
  EXPECT_FALSE(listed[0].result.has_value());  // a listing has no reports
  // Ids go on counting: a forgotten job's id is never given again.
  EXPECT_EQ(jobs.submit(request("manhattan", "m5")).id, "6");
}

TEST_F(JobsTest, AFailedJobSaysWhy) {
  JobManager jobs(db_);
  TrainRequest r = request("manhattan", "m");
  r.url = dir_.file("none.json");
  const JobSnapshot end = wait_until_ended(jobs, jobs.submit(r).id);
  EXPECT_EQ(end.state, JobState::failed);
  ASSERT_TRUE(end.error.has_value());
  EXPECT_NE(end.error->find("none.json"), std::string::npos) << *end.error;
}

}  // namespace
}  // namespace ksauth::app
