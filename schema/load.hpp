// load.hpp -- read manifests from files, directories and stdin, and merge
// them into one Manifest.
//
//   auto r = schema::load({"jails.yaml", "more.d/"});
//   r.diagnostics   // everything found while reading and decoding
//   r.io_error      // a path could not be read (lint exits 2)
//
// Paths: a regular file is read as is; a directory contributes its *.yaml
// and *.yml files (not hidden, not recursive) in byte-wise sorted order;
// "-" reads `in` (stdin).  Several files merge into one desired state: jails
// and profiles are collected across files, and the same name defined twice
// is an error reported at both places -- there is no override mechanism.
// `project` may be set in several files only if they agree; each `defaults`
// key may be set by one file only (or by several with the same value).
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "diagnostic.hpp"
#include "model.hpp"

namespace jailmgr::schema {

struct LoadResult {
    Manifest manifest;
    Diagnostics diagnostics;
    bool io_error = false;  // some path was missing or unreadable
};

LoadResult load(const std::vector<std::string>& paths, std::istream& in);
LoadResult load(const std::vector<std::string>& paths);  // "-" reads std::cin

// One in-memory document (tests, fuzzing, the engine's own fixtures).
LoadResult load_text(std::string name, std::string text);

// Files above this size are refused (JM003) without being parsed.
inline constexpr size_t max_file_bytes = 64u << 20;

}  // namespace jailmgr::schema
