// status_report.hpp -- `jailmgr status`: every jail on the host with its services,
// as text (a table) or JSON (docs/status.schema.json, stable).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "observed.hpp"

namespace jailmgr::engine {

// `now_unix` makes ages testable.
nlohmann::json status_json(const Observed& observed, double now_unix);
std::string status_text(const Observed& observed, double now_unix, bool color);

// 0.4 -> "0s", 75 -> "1m15s", 7300 -> "2h1m", 200000 -> "2d7h"
std::string human_duration(double seconds);
// 1536 -> "1.5KiB"
std::string human_bytes(double bytes);

}  // namespace jailmgr::engine
