#include "server/http_io.hpp"

#include "core/text.hpp"
#include "ingest/fetch.hpp"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

#include "app/limits.hpp"
#include "app/report_json.hpp"
#include "core/text.hpp"

namespace ksauth::server {
namespace {

using nlohmann::json;

Error bad(const std::string& message) { return Error(ErrorKind::invalid_input, message); }

// A non-negative decimal integer, nothing else.
std::optional<std::uint64_t> parse_unsigned(const std::string& text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

int http_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_input: return 400;
    case ErrorKind::not_found: return 404;
    case ErrorKind::conflict: return 409;
    case ErrorKind::corrupt: return 500;
    case ErrorKind::io: return 502;
    case ErrorKind::cancelled: return 409;
    case ErrorKind::forbidden: return 403;
    case ErrorKind::unavailable: return 503;
  }
  return 500;
}

void send_json(httplib::Response& res, const json& body, int status) {
  res.status = status;
  res.set_content(app::dump_json(body), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  std::string line = message;
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  send_json(res, {{"error", line}}, status);
}

std::size_t size_param(const httplib::Request& req, const std::string& name, std::size_t fallback) {
  if (!req.has_param(name.c_str())) return fallback;
  const std::string text = req.get_param_value(name.c_str());
  const auto value = parse_unsigned(text);
  if (!value || *value > std::numeric_limits<std::size_t>::max() / 2)
    throw bad("query parameter " + name + ": expected a non-negative integer, got '" + printable(text, 40) + "'");
  return static_cast<std::size_t>(*value);
}

std::optional<std::string> text_param(const httplib::Request& req, const std::string& name) {
  if (!req.has_param(name.c_str())) return std::nullopt;
  std::string value = req.get_param_value(name.c_str());
  if (!is_valid_utf8(value)) throw bad("query parameter " + name + ": not UTF-8 text");
  return value;
}

app::DataOptions data_options(const httplib::Request& req) {
  app::DataOptions options;
  if (auto phrase = text_param(req, "phrase"); phrase && !phrase->empty()) options.phrase = std::move(phrase);
  options.min_attempts = size_param(req, "min_attempts", 1);
  if (options.min_attempts < 1) throw bad("query parameter min_attempts: must be at least 1");
  return options;
}

std::string name_segment(const httplib::Request& req) {
  std::string name = req.matches[1];
  app::check_model_name(name);
  return name;
}

std::int64_t dataset_id(const std::string& text) {
  const auto value = parse_unsigned(text);
  if (!value || *value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    throw bad("data set id: expected a non-negative integer, got '" + printable(text, 40) + "'");
  return static_cast<std::int64_t>(*value);
}

json json_body(const httplib::Request& req) {
  // Nesting is bounded: a value nested 100,000 levels deep parses, but writing it out again (dump) recurses
  // once per level and overflows the request thread's stack. Our bodies are a few levels deep.
  constexpr int kMaxBodyNesting = 64;
  const auto shallow = [](int depth, json::parse_event_t, json&) {
    if (depth > kMaxBodyNesting)
      throw bad("the request body is nested deeper than " + std::to_string(kMaxBodyNesting) + " levels");
    return true;
  };
  json body = json::parse(req.body, shallow, false);
  if (body.is_discarded()) throw bad("the request body is not valid JSON");
  if (!body.is_object()) throw bad("the request body must be a JSON object");
  return body;
}

std::vector<bool> body_members(const httplib::Request& req, std::initializer_list<const char*> keys) {
  // Each request thread keeps a parser for the small bodies that are most requests (a fresh one would
  // allocate its buffers every time); a parser keeps buffers the size of the largest body it read, so a
  // large body gets one of its own, freed after.
  constexpr std::size_t kKeptParserBytes = std::size_t{1} << 20;
  thread_local simdjson::dom::parser kept;
  std::optional<simdjson::dom::parser> own;
  simdjson::dom::parser& parser = req.body.size() <= kKeptParserBytes ? kept : own.emplace();
  simdjson::dom::element root;
  if (const auto error = parser.parse(req.body).get(root); error != simdjson::SUCCESS)
    throw bad(error == simdjson::DEPTH_ERROR ? "the request body is nested deeper than 1024 levels"
                                             : "the request body is not valid JSON");
  simdjson::dom::object object;
  if (root.get(object) != simdjson::SUCCESS) throw bad("the request body must be a JSON object");
  std::vector<bool> out;
  for (const char* key : keys) out.push_back(object[key].error() == simdjson::SUCCESS);
  return out;
}

std::optional<std::string> string_field(const json& body, const std::string& name) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw bad("field " + name + ": expected a string");
  return it->get<std::string>();
}

std::string required_string(const json& body, const std::string& name) {
  auto value = string_field(body, name);
  if (!value || value->empty()) throw bad("field " + name + " is required");
  return *value;
}

bool bool_field(const json& body, const std::string& name, bool fallback) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) throw bad("field " + name + ": expected true or false");
  return it->get<bool>();
}

double number_field(const json& body, const std::string& name, double fallback) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_number()) throw bad("field " + name + ": expected a number");
  return it->get<double>();
}

std::uint64_t unsigned_field(const json& body, const std::string& name, std::uint64_t fallback) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return fallback;
  if (it->is_number_unsigned()) return it->get<std::uint64_t>();
  if (it->is_number_integer() && it->get<std::int64_t>() >= 0) return it->get<std::uint64_t>();
  throw bad("field " + name + ": expected a non-negative integer");
}

app::DataOptions data_options(const json& body, const ingest::SourcePolicy& sources) {
  app::DataOptions options;
  options.sources = sources;
  if (auto phrase = string_field(body, "phrase"); phrase && !phrase->empty()) options.phrase = std::move(phrase);
  options.min_attempts = static_cast<std::size_t>(unsigned_field(body, "min_attempts", 1));
  if (options.min_attempts < 1) throw bad("field min_attempts: must be at least 1");
  options.refresh = bool_field(body, "refresh", false);
  return options;
}

std::string source_url(const nlohmann::json& body, const ingest::SourcePolicy& sources) {
  std::string url = required_string(body, "url");
  ingest::check_source(sources, url);
  return url;
}

}  // namespace ksauth::server
