#include "server/router.hpp"

#include <iostream>

#include "core/error.hpp"
#include "server/http_io.hpp"

namespace ksauth::server {
namespace {

// `message` with the database's path put as "the database" ("database PATH: ..." too).
std::string without_path(std::string message, const std::string& path) {
  if (path.empty()) return message;
  for (const std::string& spelled : {"database " + path, path}) {
    for (std::size_t at = message.find(spelled); at != std::string::npos; at = message.find(spelled, at))
      message.replace(at, spelled.size(), "the database");
  }
  return message;
}

}  // namespace

// A handler never lets an exception reach httplib (which would answer an HTML-less 500 with a header), and
// runs only for requests the access rule lets through.
Router::Handler Router::guarded(Handler handler, Access access) const {
  return [handler = std::move(handler), rule = access_, access, db = db_path_](const httplib::Request& req,
                                                                              httplib::Response& res) {
    if (const std::string why = rule.refusal(req, access); !why.empty()) {
      res.set_header("WWW-Authenticate", "Bearer realm=\"ksauth\"");
      send_error(res, 401, why);
      return;
    }
    try {
      handler(req, res);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::unavailable) {  // its text names this machine's files: for the log
        std::cerr << "ksauth: " << req.method << " " << req.path << ": " << e.what() << "\n";
        send_error(res, 503, kUnavailableMessage);
        return;
      }
      send_error(res, http_status(e.kind()), without_path(e.what(), db));
    } catch (const std::exception& e) {
      // Its text may hold paths or library internals: for the server's log, not for the client.
      std::cerr << "ksauth: internal error on " << req.method << " " << req.path << ": " << e.what() << "\n";
      send_error(res, 500, "internal error");
    } catch (...) {
      send_error(res, 500, "internal error");
    }
  };
}

void Router::remember(const std::string& method, const std::string& pattern) {
  routes_.emplace_back(method, std::regex(pattern));
}

void Router::get(const std::string& pattern, Handler handler) {
  remember("GET", pattern);
  http_.Get(pattern, guarded(std::move(handler), Access::read));
}

void Router::post(const std::string& pattern, Handler handler, Access access) {
  remember("POST", pattern);
  http_.Post(pattern, guarded(std::move(handler), access));
}

void Router::del(const std::string& pattern, Handler handler) {
  remember("DELETE", pattern);
  http_.Delete(pattern, guarded(std::move(handler), Access::change));
}

void Router::finish(const std::string& prefix) {
  // The router may be gone when requests come: the fallback keeps its own copy of the routes.
  const Handler fallback = [routes = routes_](const httplib::Request& req, httplib::Response& res) {
    std::string allowed;
    for (const auto& [method, pattern] : routes) {
      if (!std::regex_match(req.path, pattern) || allowed.find(method) != std::string::npos) continue;
      allowed += (allowed.empty() ? "" : ", ") + method;
    }
    if (allowed.empty()) {
      send_error(res, 404, "no such endpoint: " + req.method + " " + req.path);
    } else {
      res.set_header("Allow", allowed);
      send_error(res, 405, "method " + req.method + " not allowed on " + req.path + " (allowed: " + allowed + ")");
    }
  };
  const std::string pattern = prefix + ".*";
  http_.Get(pattern, fallback);
  http_.Post(pattern, fallback);
  http_.Put(pattern, fallback);
  http_.Patch(pattern, fallback);
  http_.Delete(pattern, fallback);
  http_.Options(pattern, fallback);
}

}  // namespace ksauth::server
