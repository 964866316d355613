#include "server/api_server.hpp"

#include <sys/socket.h>

#include <iostream>

#include "core/error.hpp"
#include "core/text.hpp"
#include "server/access.hpp"
#include "server/http_io.hpp"
#include "server/routes.hpp"
#include "store/store.hpp"

#ifndef KSAUTH_WEB_DIR
#define KSAUTH_WEB_DIR "web"
#endif

namespace ksauth::server {
namespace {

const char* status_text(int status) {
  switch (status) {
    case 400: return "bad request";
    case 404: return "not found";
    case 405: return "method not allowed";
    // httplib also refuses a form-encoded body over 8 KiB (what curl sends without a Content-Type).
    case 413: return "the request body is too large (64 MiB at most; as a form, 8 KiB: send JSON with Content-Type: application/json)";
    case 414: return "the request URI is too long";
    case 416: return "range not satisfiable";
    default: return status < 500 ? "bad request" : "internal error";
  }
}

}  // namespace

std::string default_web_dir() { return KSAUTH_WEB_DIR; }

// One client address beyond loopback may hold a quarter of them (ConnectionLimits).
constexpr std::size_t kRequestThreads = 128;
constexpr int kListenBacklog = 1024;

ApiServer::ApiServer(ServerOptions options)
    : options_(std::move(options)),
      jobs_(options_.db_path, app::JobManager::kDefaultKeptEndedJobs,
            [](const std::string& line) { std::cerr << "ksauth: " << line << "\n"; }),
      models_(options_.db_path),
      http_(options_.connections) {
  if (options_.web_dir.empty()) options_.web_dir = default_web_dir();

  http_.set_payload_max_length(kMaxBodyBytes);
  // Answers go out as soon as they are written: without this, Nagle's algorithm holds the body back until
  // the client acknowledges the headers, which it delays, and every request waits ~40 ms.
  http_.set_tcp_nodelay(true);
  // A thread per open connection (httplib serves a kept-alive connection on one thread), so that 50 clients
  // at once are answered at once rather than queued behind 8; most of a thread's time is waiting on its socket.
  // A slow client holds one for 10 s at most per request (server/guarded_http_server.hpp).
  http_.new_task_queue = [] { return new httplib::ThreadPool(kRequestThreads); };
  http_.set_keep_alive_max_count(100000);
  // An idle kept-alive connection holds its thread until this timeout, and stopping waits for those threads:
  // 2 s (httplib's default is 5) bounds how long Ctrl-C or SIGTERM takes; a busy client is never idle that long.
  http_.set_keep_alive_timeout(2);
  http_.set_socket_options([this](socket_t sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listening_socket_ = sock;
  });
  http_.set_file_extension_and_mimetype_mapping("mjs", "text/javascript");
  http_.set_file_extension_and_mimetype_mapping("map", "application/json");
  // Mount points are tried in order and refuse paths that climb out of their folder ("/../").
  http_.set_mount_point("/vendor/bootstrap", options_.bootstrap_dir);
  http_.set_mount_point("/vendor/chart.js", options_.chart_js_dir);
  serves_web_ = http_.set_mount_point("/", options_.web_dir);

  // Statuses httplib sets itself (404 off every route, 413, 400 on a malformed request) get a JSON body;
  // answers with a body already (ours) are left alone.
  http_.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    // A request the connection's limits cut off (too slow, too large): httplib only saw its read fail.
    if (const auto refusal = GuardedHttpServer::refusal(); refusal && res.status != 413) {
      send_error(res, refusal->status, refusal->message);
      return httplib::Server::HandlerResponse::Handled;
    }
    if (res.status == 400) {  // httplib's: say which of its reasons it was, where it can be told
      const std::string& m = req.method;
      if ((m == "POST" || m == "PUT" || m == "PATCH") && !req.has_header("Content-Length") &&
          !req.has_header("Transfer-Encoding")) {
        send_error(res, 411, "a " + m + " must say its body's length (Content-Length), even for an empty body: curl -d ''");
        return httplib::Server::HandlerResponse::Handled;
      }
      if (m != "GET" && m != "HEAD" && m != "POST" && m != "PUT" && m != "PATCH" && m != "DELETE" && m != "OPTIONS") {
        res.set_header("Allow", "GET, POST, DELETE");
        send_error(res, 405, "the method " + printable(m, 20) + " is not served (GET, POST, DELETE)");
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    send_error(res, res.status, res.status == 404 ? "not found: " + req.path : status_text(res.status));
    return httplib::Server::HandlerResponse::Handled;
  }));

  // Before any route or file: requests a web page elsewhere makes a browser send are refused.
  http_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    // httplib decodes %00 and the rest: a path with a control character names no file or route, and a NUL
    // would cut the file name that is opened from the one whose type is sent ("index.html%00.js").
    if (has_control(req.path)) {
      send_error(res, 400, "the path contains a control character");
      return httplib::Server::HandlerResponse::Handled;
    }
    // Two lengths that may differ: which one frames the body is a guess (a request smuggled past a proxy).
    if (req.get_header_value_count("Content-Length") > 1 ||
        (req.has_header("Content-Length") && req.has_header("Transfer-Encoding"))) {
      send_error(res, 400, "the request gives its body's length twice (Content-Length, Transfer-Encoding)");
      return httplib::Server::HandlerResponse::Handled;
    }
    // Ranges are not served: httplib 0.11 builds every range asked for, overlapping ones included, in memory
    // (2,700 ranges of a 200 KB file made a 533 MB answer) and applies them to JSON answers too. The request
    // is httplib's own, not const: it parsed the ranges before this handler.
    auto& request = const_cast<httplib::Request&>(req);
    request.ranges.clear();
    request.headers.erase("Range");
    if (const std::string why = browser_refusal(req, on_loopback_); !why.empty()) {
      send_error(res, 403, why);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  Router router(http_, AccessRule(options_.api_token, options_.token_for_predictions), options_.db_path);
  const Context ctx{options_.db_path, jobs_, models_, options_.sources};
  add_meta_routes(router);
  add_dataset_routes(router, ctx);
  add_model_routes(router, ctx);
  add_job_routes(router, ctx);
  add_verifier_routes(router, ctx);
  router.finish(kApi);
}

ApiServer::~ApiServer() { stop(); }

int ApiServer::bind(const std::string& host, int port) {
  on_loopback_ = is_loopback_host(host);
  // Beyond loopback, anyone on the network could train, replace and delete models: not without a token.
  if (options_.api_token.empty() && !is_loopback_host(host))
    throw Error(ErrorKind::invalid_input, "serving on " + host +
                                              " (beyond this machine) needs an API token for the endpoints that change "
                                              "something (ksauth serve --token-file FILE, or $KSAUTH_API_TOKEN), or "
                                              "listen on 127.0.0.1");
  const int bound = port == 0 ? http_.bind_to_any_port(host) : (http_.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) throw Error(ErrorKind::io, "cannot listen on " + host + ":" + std::to_string(port));
  // httplib listens with a backlog of 5: 50 clients connecting at once overflow it, and the connections
  // dropped wait a TCP retransmission (200 ms to seconds) for their first answer. Listening again on the
  // bound socket sets a backlog that holds them.
  if (listening_socket_ >= 0) ::listen(listening_socket_, kListenBacklog);
  return bound;
}

void ApiServer::listen() { http_.listen_after_bind(); }

void ApiServer::stop() {
  jobs_.cancel_all();
  http_.stop();
}

}  // namespace ksauth::server
