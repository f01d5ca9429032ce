// validate.hpp -- the cross-field lint rules over a loaded Manifest.
//
// Per-value checks (types, units, ranges, enums, names, paths) happen while
// decoding (load.hpp); validate() adds the rules that need the whole
// desired state: references and cycles, port ownership across jails,
// mounts, profiles, and the warnings about risky choices.  It reports every
// finding and never throws; run it even when loading found errors -- it
// checks whatever was understood.
#pragma once

#include "diagnostic.hpp"
#include "model.hpp"
#include "load.hpp"

namespace jailmgr::schema {

Diagnostics validate(const Manifest& m);

// load() + validate(), findings sorted by file and position.
struct LintResult {
    LoadResult loaded;
    Diagnostics diagnostics;  // loading and validation findings, sorted
};
LintResult lint(const std::vector<std::string>& paths, std::istream& in);
LintResult lint_text(std::string name, std::string text);

}  // namespace jailmgr::schema
