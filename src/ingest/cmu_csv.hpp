#pragma once
// The CMU keystroke benchmark CSV (Killourhy & Maxion, DSL-StrongPasswordData.csv):
//   subject,sessionIndex,rep,H.period,DD.period.t,UD.period.t,H.t,...,DD.l.Return,UD.l.Return,H.Return
// one row per repetition, timings in seconds: H = hold, DD = press-to-press, UD = release-to-press (DD - H).
// Each row becomes one Attempt of user = subject with its session and repetition, and one key event per H
// column in column order, press and release times rebuilt exactly (to the microsecond):
//   press_0 = start, press_k+1 = press_k + DD.k.k+1, release_k = press_k + H.k.
// Key names: period -> ".", five -> "5" (digit words), Shift.r -> "R", one character -> itself, any
// other name -> "[name]" in lower case (Return -> "[return]": timed, types no text).
// The start times are made up, as the JSON chain beside the CSV does: session s starts at
// 2009-03-0s 09:00 plus one hour per subject (in the order subjects first appear), and repetition r
// 20 s x r later; so an attempt here has exactly the events of the same repetition in the chain, plus Return.
#include <string_view>
#include <vector>

#include "core/attempt.hpp"

namespace ksauth::ingest {

// Whether a training source is such a CSV: the URL's path ends in ".csv" (any case; query and fragment
// ignored) or the body starts with "subject," (after an optional UTF-8 byte order mark).
bool is_cmu_csv(std::string_view url, std::string_view body);

// Error(invalid_input) naming the line (from 1, the header is line 1) and column, e.g.
// "line 12, column H.t: not a number (got \"x\")".
std::vector<Attempt> parse_cmu_csv(std::string_view text);

}  // namespace ksauth::ingest
