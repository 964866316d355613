#pragma once
// A program run as a child process whose id the test holds, so that it can be signalled (SIGKILL at a chosen
// moment, SIGTERM to stop a server) and waited for with a deadline. stdout and stderr go to files.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ksauth::testing {

class ChildProcess {
 public:
  // Starts argv[0] (a path) with those arguments; stdout and stderr written to the two files.
  ChildProcess(const std::vector<std::string>& argv, const std::string& stdout_path, const std::string& stderr_path);
  ~ChildProcess();  // kills and reaps a child still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int signo) const;
  // The raw wait status once it has ended, nullopt if it is still running after `timeout`.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  bool running() { return !wait_for(std::chrono::milliseconds(0)).has_value(); }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// What a wait status says, for messages: "exit 0", "signal 9".
std::string describe_status(int status);
// The whole content of a file ("" when it cannot be read).
std::string file_text(const std::string& path);

}  // namespace ksauth::testing
