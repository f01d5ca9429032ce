// render.hpp -- lint findings in the four output formats.
//
//   text    file:line:col: severity: message [JM123], the source line and a
//           caret, notes for related places, then a summary line
//           ("2 errors, 1 warning in 3 files").  Colour only when asked
//           (the CLI asks when stdout is a TTY and NO_COLOR is unset).
//   json    {"version": 1, "files": [...], "summary": {...}, "findings": [...]}
//           (documented in docs/lint-rules.md; stable: fields are only added)
//   sarif   SARIF 2.1.0, one run, tool.driver.rules = every rule
//   github  ::error file=F,line=L,col=C,title=JM123::message workflow commands
#pragma once

#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

#include "diagnostic.hpp"

namespace jailmgr::schema {

enum class OutputFormat { text, json, sarif, github };
std::optional<OutputFormat> parse_output_format(std::string_view s);

struct RenderOptions {
    bool color = false;
    size_t files = 0;                  // how many files were read (summary line)
    std::string_view tool_version = "0";
};

void render(std::ostream& out, const Diagnostics& diags, OutputFormat format, const RenderOptions& opts);

}  // namespace jailmgr::schema
