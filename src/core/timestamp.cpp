#include "core/timestamp.hpp"

#include <chrono>
#include <cstdio>
#include <cstdint>
#include <cstring>

namespace ksauth {
namespace {

// Days from civil, H. Hinnant's algorithm (proleptic Gregorian).
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe) + static_cast<int>(era * 400) + (m <= 2);
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `width` digits at `pos`.
inline bool read_digits(std::string_view s, std::size_t pos, std::size_t width, int& out) {
  if (pos + width > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

constexpr std::size_t kMinuteChars = 16;  // "2019-01-16T15:06"

// Seconds since the epoch at the start of the minute "YYYY-MM-DD[T ]HH:MM"; false when it is not one.
bool minute_start(std::string_view s, std::int64_t& out) {
  int y, mo, d, h, mi;
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':') return false;
  if (!read_digits(s, 0, 4, y) || !read_digits(s, 5, 2, mo) || !read_digits(s, 8, 2, d) ||
      !read_digits(s, 11, 2, h) || !read_digits(s, 14, 2, mi))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59) return false;
  out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
  return true;
}

// The six digits at p[2..7] as a number (p[0] and p[1] are read and ignored): the eight bytes are read as
// one little-endian word, checked and combined in a few multiplications (the "SWAR" way) rather than a
// loop with a branch per digit. False when one of the six is not a digit.
bool six_digits(const char* p, int& out) {
  std::uint64_t word;
  std::memcpy(&word, p, 8);
  word = (word & ~std::uint64_t{0xFFFF}) | 0x3030;  // the first two bytes as "00"
  // Every byte in '0'..'9' (simdjson's test): high nibble 3, and still 3 after adding 6 to the low one.
  if (((word & 0xF0F0F0F0F0F0F0F0) | (((word + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) >> 4)) !=
      0x3333333333333333)
    return false;
  std::uint64_t v = word - 0x3030303030303030;                  // digits d0..d7, d0 in the lowest byte
  v = (v * 10) + (v >> 8);                                        // pairs: 10 d0 + d1, ...
  v = (((v & 0x000000FF000000FF) * 0x000F424000000064) +          // 100 * pairs 0, 2 ...
       (((v >> 16) & 0x000000FF000000FF) * 0x0000271000000001)) >> 32;
  out = static_cast<int>(v);
  return true;
}

}  // namespace

bool parse_timestamp(std::string_view s, Micros& out) {
  if (s.size() < 19 || s[16] != ':') return false;
  // The events of an attempt share their minute: the last one read is remembered (per thread), so most
  // timestamps cost a comparison of 16 bytes and the seconds and microseconds.
  thread_local bool has_last_minute = false;  // nothing is remembered before a minute was read and checked
  thread_local std::uint64_t last_minute[2] = {0, 0};
  thread_local std::int64_t last_minute_start = 0;
  std::uint64_t minute_bytes[2];
  std::memcpy(minute_bytes, s.data(), kMinuteChars);
  std::int64_t minute;
  if (has_last_minute && minute_bytes[0] == last_minute[0] && minute_bytes[1] == last_minute[1]) {
    minute = last_minute_start;
  } else {
    if (!minute_start(s, minute)) return false;
    last_minute[0] = minute_bytes[0];
    last_minute[1] = minute_bytes[1];
    last_minute_start = minute;
    has_last_minute = true;
  }
  const auto digit = [&](std::size_t i) { return static_cast<unsigned>(static_cast<unsigned char>(s[i]) - '0'); };
  const unsigned s1 = digit(17), s2 = digit(18);
  if (s1 > 9 || s2 > 9) return false;
  const int sec = static_cast<int>(s1 * 10 + s2);
  if (sec > 59) return false;
  int micro = 0;
  if (s.size() == 26 && s[19] == '.') {  // the data format's six digits, read as one word
    if (!six_digits(s.data() + 18, micro)) return false;
  } else if (s.size() > 19) {
    std::size_t pos = 19;
    if (s[pos] != '.') return false;
    ++pos;
    std::size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits == 6) return false;  // finer than a microsecond: not our format
      micro = micro * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0 || pos != s.size()) return false;
    for (; digits < 6; ++digits) micro *= 10;
  }
  out = (minute + sec) * 1'000'000 + micro;
  return true;
}

CivilTime to_civil(Micros t) {
  std::int64_t seconds = t / 1'000'000;
  std::int64_t micro = t % 1'000'000;
  if (micro < 0) {
    micro += 1'000'000;
    --seconds;
  }
  std::int64_t days = seconds / 86400;
  std::int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  CivilTime c{};
  civil_from_days(days, c.year, c.month, c.day);
  c.hour = static_cast<int>(rest / 3600);
  c.minute = static_cast<int>(rest % 3600 / 60);
  c.second = static_cast<int>(rest % 60);
  c.microsecond = static_cast<int>(micro);
  return c;
}

std::string format_timestamp(Micros t) {
  const CivilTime c = to_civil(t);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06d", c.year, c.month, c.day, c.hour,
                c.minute, c.second, c.microsecond);
  return buf;
}

std::string utc_now_iso() {
  const auto now = std::chrono::system_clock::now();
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  return format_timestamp(micros);
}

}  // namespace ksauth
