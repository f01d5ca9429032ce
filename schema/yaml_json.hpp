// yaml_json.hpp -- a parsed YAML tree as JSON, with plain scalars typed by
// the YAML 1.2 core schema (the same rules the loader uses).  Used to check
// manifests against the generated JSON Schema with an external validator.
#pragma once

#include <nlohmann/json.hpp>

#include "yaml_tree.hpp"

namespace jailmgr::schema::yaml {

nlohmann::json to_json(const Node& n);

}  // namespace jailmgr::schema::yaml
