// format_v1.hpp -- the manifest format v1 as descriptors (the one source of
// truth for keys, types, "did you mean" candidates and the JSON Schema).
#pragma once

#include <nlohmann/json.hpp>

#include <span>
#include <string_view>

#include "diagnostic.hpp"
#include "model.hpp"
#include "yaml_tree.hpp"

namespace jailmgr::schema {

// The closed vocabulary of `profiles.<name>.deny`: the kernel core's action
// names (kernel/core/jail_policy.h), minus private_read which every profile
// denies anyway.
std::span<const std::string_view> deny_names();

namespace format {

// Decodes one parsed file.  `budget` bounds node visits (aliases).
FileManifest decode_file(const yaml::Document& doc, Diagnostics& diags);

// The JSON Schema (draft 2020-12) of a manifest file.
nlohmann::json json_schema();

}  // namespace format
}  // namespace jailmgr::schema
