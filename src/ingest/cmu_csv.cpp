#include "ingest/cmu_csv.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "core/error.hpp"
#include "core/text.hpp"
#include "core/timestamp.hpp"

namespace ksauth::ingest {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::size_t kMaxSubjectBytes = 200;
constexpr double kMaxSeconds = 86400;  // one timing of more than a day is not a keystroke
constexpr int kMaxIndex = 1'000'000;   // sessions and repetitions
constexpr Micros kMicrosPerSecond = 1'000'000;
constexpr Micros kRepetitionGap = 20 * kMicrosPerSecond;
constexpr Micros kSubjectGap = 3600 * kMicrosPerSecond;
constexpr Micros kSessionGap = 86400 * kMicrosPerSecond;

[[noreturn]] void fail(std::size_t line, const std::string& what) {
  throw Error(ErrorKind::invalid_input, "line " + std::to_string(line) + ", " + what);
}

std::string got(std::string_view field) {
  return "(got \"" + printable(field, 40) + "\")";
}

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = line.find(sep, start);
    out.push_back(line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

// The CSV's key names as ksauth keys (see the header).
std::string key_of(std::string_view name) {
  static constexpr std::array<std::string_view, 10> kDigits = {"zero", "one", "two",   "three", "four",
                                                               "five", "six", "seven", "eight", "nine"};
  if (name == "period") return ".";
  for (std::size_t d = 0; d < kDigits.size(); ++d)
    if (name == kDigits[d]) return std::string(1, static_cast<char>('0' + d));
  if (name.size() == 7 && name.substr(0, 6) == "Shift." && name[6] >= 'a' && name[6] <= 'z')
    return std::string(1, static_cast<char>(name[6] - 'a' + 'A'));
  if (name.size() == 1) return std::string(name);
  std::string key = "[";
  for (const char c : name) key.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  return key + "]";
}

// Where each value is: the index of every column the rows are read from.
struct Columns {
  std::size_t count = 0;
  std::size_t subject = 0, session = 0, rep = 0;
  std::vector<std::string> names;       // all columns, for messages
  std::vector<std::string> keys;        // per key, in order
  std::vector<std::size_t> hold;        // per key: its H column
  std::vector<std::size_t> down_down;   // per key after the first: DD from the key before
  std::vector<std::ptrdiff_t> up_down;  // same, UD (-1: not in the file)
};

Columns read_header(std::string_view line) {
  Columns c;
  const auto fields = split(line, ',');
  c.count = fields.size();
  std::unordered_map<std::string, std::size_t> index;
  std::vector<std::string_view> key_names;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string name(fields[i]);
    if (name.empty()) fail(1, "column " + std::to_string(i + 1) + ": the header names no column");
    if (!index.emplace(name, i).second) fail(1, "column " + printable(name, 60) + ": appears twice in the header");
    c.names.push_back(name);
    if (name.starts_with("H.")) {
      key_names.push_back(fields[i].substr(2));
      c.hold.push_back(i);
      c.keys.push_back(key_of(fields[i].substr(2)));
    }
  }
  const auto required = [&](const std::string& name, const char* what) {
    const auto it = index.find(name);
    if (it == index.end()) fail(1, "the header has no column " + name + " (" + what + ")");
    return it->second;
  };
  c.subject = required("subject", "the typist");
  c.session = required("sessionIndex", "the session, from 1");
  c.rep = required("rep", "the repetition, from 1");
  if (c.keys.empty()) fail(1, "the header has no H.<key> column (hold times)");
  std::size_t used = 3 + c.keys.size();
  for (std::size_t k = 1; k < key_names.size(); ++k) {
    const std::string pair = std::string(key_names[k - 1]) + "." + std::string(key_names[k]);
    c.down_down.push_back(required("DD." + pair, "press-to-press latency"));
    const auto ud = index.find("UD." + pair);
    c.up_down.push_back(ud == index.end() ? -1 : static_cast<std::ptrdiff_t>(ud->second));
    used += ud == index.end() ? 1 : 2;
  }
  if (used != c.count) {
    for (std::size_t i = 0; i < c.count; ++i) {
      const std::string& n = c.names[i];
      bool known = i == c.subject || i == c.session || i == c.rep || n.starts_with("H.");
      for (std::size_t k = 0; k + 1 < c.keys.size() && !known; ++k)
        known = i == c.down_down[k] || static_cast<std::ptrdiff_t>(i) == c.up_down[k];
      if (!known)
        fail(1, "column " + printable(n, 60) + ": not a column of this format (subject, sessionIndex, rep, H.<key>, "
                "DD.<key>.<next key>, UD.<key>.<next key>, keys in typing order)");
    }
  }
  return c;
}

int read_index(std::string_view field, std::size_t line, const std::string& column) {
  int value = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (ec != std::errc() || end != field.data() + field.size() || value < 1 || value > kMaxIndex)
    fail(line, "column " + column + ": not a whole number from 1 to " + std::to_string(kMaxIndex) + " " + got(field));
  return value;
}

// Seconds to the nearest microsecond.
Micros read_seconds(std::string_view field, std::size_t line, const std::string& column) {
  double value = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (field.empty() || ec != std::errc() || end != field.data() + field.size() || !std::isfinite(value))
    fail(line, "column " + column + ": not a number " + got(field));
  if (std::abs(value) > kMaxSeconds)
    fail(line, "column " + column + ": more than a day (" + std::to_string(kMaxSeconds) + " s) " + got(field));
  return std::llround(value * static_cast<double>(kMicrosPerSecond));
}

std::string read_subject(std::string_view field, std::size_t line, const std::string& column) {
  if (field.empty()) fail(line, "column " + column + ": the subject is empty");
  if (field.size() > kMaxSubjectBytes || !is_valid_utf8(field) || has_control(field))
    fail(line, "column " + column + ": a subject is plain text of at most " + std::to_string(kMaxSubjectBytes) +
                   " bytes " + got(field));
  return std::string(field);
}

}  // namespace

bool is_cmu_csv(std::string_view url, std::string_view body) {
  std::string_view path = url.substr(0, url.find_first_of("?#"));
  if (path.size() >= 4) {
    std::string ext(path.substr(path.size() - 4));
    for (char& ch : ext) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    if (ext == ".csv") return true;
  }
  if (body.starts_with(kBom)) body.remove_prefix(kBom.size());
  return body.starts_with("subject,");
}

std::vector<Attempt> parse_cmu_csv(std::string_view text) {
  if (text.starts_with(kBom)) text.remove_prefix(kBom.size());
  auto lines = split(text, '\n');
  for (auto& l : lines)
    if (l.ends_with('\r')) l.remove_suffix(1);
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.empty()) throw Error(ErrorKind::invalid_input, "the CSV is empty (expected a header: subject,sessionIndex,rep,H.period,...)");

  const Columns c = read_header(lines[0]);
  static const Micros kBase = *parse_timestamp("2009-03-01T09:00:00");
  std::unordered_map<std::string, Micros> subject_index;
  std::vector<Attempt> out;
  out.reserve(lines.size() - 1);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::size_t line = i + 1;
    const auto fields = split(lines[i], ',');
    if (fields.size() != c.count)
      fail(line, std::to_string(fields.size()) + " fields where the header has " + std::to_string(c.count));
    Attempt a;
    a.user = read_subject(fields[c.subject], line, c.names[c.subject]);
    a.session = read_index(fields[c.session], line, c.names[c.session]);
    a.repetition = read_index(fields[c.rep], line, c.names[c.rep]);
    const Micros subject = subject_index.emplace(a.user, static_cast<Micros>(subject_index.size())).first->second;
    Micros press = kBase + (a.session - 1) * kSessionGap + subject * kSubjectGap + a.repetition * kRepetitionGap;
    a.events.reserve(c.keys.size());
    for (std::size_t k = 0; k < c.keys.size(); ++k) {
      if (k > 0) {
        const Micros dd = read_seconds(fields[c.down_down[k - 1]], line, c.names[c.down_down[k - 1]]);
        if (c.up_down[k - 1] >= 0) {
          const auto col = static_cast<std::size_t>(c.up_down[k - 1]);
          const Micros ud = read_seconds(fields[col], line, c.names[col]);
          const Micros hold_before = *a.events.back().released_at - a.events.back().pressed_at;
          if (std::abs(ud - (dd - hold_before)) > 1)  // each value rounded on its own: 1 us apart at most
            fail(line, "column " + c.names[col] + ": UD must equal DD - H of the key before " + got(fields[col]));
        }
        press += dd;
      }
      const Micros hold = read_seconds(fields[c.hold[k]], line, c.names[c.hold[k]]);
      if (hold < 0) fail(line, "column " + c.names[c.hold[k]] + ": a hold time cannot be negative " + got(fields[c.hold[k]]));
      a.events.push_back(KeyEvent{c.keys[k], press, press + hold});
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace ksauth::ingest
