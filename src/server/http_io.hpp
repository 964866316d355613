#pragma once
// Translating between HTTP and the use cases: JSON answers and errors, query parameters, JSON bodies.
#include <httplib.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <initializer_list>
#include <string>
#include <vector>

#include "app/data_set.hpp"
#include "core/error.hpp"

namespace ksauth::server {

int http_status(ErrorKind kind);

// The JSON as UTF-8 (invalid bytes in the data are replaced, never an exception), application/json.
void send_json(httplib::Response& res, const nlohmann::json& body, int status = 200);
// {"error": message} on one line.
void send_error(httplib::Response& res, int status, const std::string& message);

// Query parameters. Missing: the default. A value that is not what is expected: Error(invalid_input)
// naming the parameter.
std::size_t size_param(const httplib::Request& req, const std::string& name, std::size_t fallback);
std::optional<std::string> text_param(const httplib::Request& req, const std::string& name);
// phrase (empty or missing: the default choice) and min_attempts (>= 1).
app::DataOptions data_options(const httplib::Request& req);
// The path's first group, a model or verifier name, checked like every name (Error(invalid_input)).
std::string name_segment(const httplib::Request& req);
// A path segment that must be a data set id (a non-negative integer).
std::int64_t dataset_id(const std::string& text);

// The body as a JSON object; Error(invalid_input) for malformed JSON or another JSON type.
nlohmann::json json_body(const httplib::Request& req);
// Which of `keys` the body, a JSON object, has as members: parsed with simdjson rather than into a
// nlohmann::json, for bodies that may be large or hot (a test file to predict). Errors as json_body.
std::vector<bool> body_members(const httplib::Request& req, std::initializer_list<const char*> keys);

// Fields of a JSON object body. Missing or null: the default. Another type: Error(invalid_input) naming it.
std::optional<std::string> string_field(const nlohmann::json& body, const std::string& name);
std::string required_string(const nlohmann::json& body, const std::string& name);
// body["url"], a source to load, checked as far as it can be before it is read (ingest::check_source:
// Error(forbidden) for a file or host `sources` refuses), so that a job is not queued only to fail.
std::string source_url(const nlohmann::json& body, const ingest::SourcePolicy& sources);
bool bool_field(const nlohmann::json& body, const std::string& name, bool fallback);
double number_field(const nlohmann::json& body, const std::string& name, double fallback);
std::uint64_t unsigned_field(const nlohmann::json& body, const std::string& name, std::uint64_t fallback);
// phrase (string or null) and min_attempts (integer >= 1) and refresh (bool); sources downloaded under `sources`.
app::DataOptions data_options(const nlohmann::json& body, const ingest::SourcePolicy& sources);

}  // namespace ksauth::server
