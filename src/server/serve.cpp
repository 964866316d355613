#include "server/serve.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

#include "server/api_server.hpp"

namespace ksauth::server {
namespace {

// Set by the signal handler (a lock-free atomic store is async-signal-safe), polled by a watcher thread
// that stops the server outside the signal context.
std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_stop_signal(int) { stop_requested.store(true); }

}  // namespace

int serve(const ServeOptions& options) {
  ServerOptions server_options;
  server_options.db_path = options.db_path;
  server_options.web_dir = options.web_dir;
  server_options.sources = options.sources;
  server_options.api_token = options.api_token;
  server_options.token_for_predictions = options.token_for_predictions;
  ApiServer server(server_options);
  const int port = server.bind(options.host, options.port);
  if (!server.serves_web())
    std::cerr << "ksauth: no web pages at " << (options.web_dir.empty() ? default_web_dir() : options.web_dir)
              << " (the API is served all the same)\n";

  stop_requested = false;
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  std::atomic<bool> finished{false};
  std::thread watcher([&] {
    while (!stop_requested && !finished) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    // stop() before listen() has started does nothing: repeat until listen() has returned.
    while (!finished) {
      server.stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  const bool v6 = options.host.find(':') != std::string::npos && options.host.front() != '[';
  std::cout << "ksauth serving http://" << (v6 ? "[" + options.host + "]" : options.host) << ":" << port << "/ (database " << options.db_path << ")"
            << std::endl;
  server.listen();
  finished = true;
  watcher.join();
  server.stop();  // cancels the jobs; the destructor joins the worker
  return 0;
}

}  // namespace ksauth::server
