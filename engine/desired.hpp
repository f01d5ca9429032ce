// desired.hpp -- the desired state as the engine sees it.
//
// Built from the resolved manifests (schema::resolve) by desired_from_schema
// (engine/desired_from_schema.cpp); everything here is already defaulted and
// validated.  Hashes are canonical: identical content gives identical hashes
// whatever the YAML looked like.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "driver.hpp"

namespace jailmgr::engine {

struct SetupStep {
    std::string describe;  // "run: mkdir -p /var/www", "file: /var/www/index.html"
    nlohmann::json spec;   // {"run": [...]} or {"file": {"path", "content", "mode"}}
    std::string hash;
    bool operator==(const SetupStep&) const = default;
};

struct JailDependency {
    std::string jail;
    std::string condition = "started";  // "started" | "healthy"
    bool operator==(const JailDependency&) const = default;
};

struct DesiredService {
    std::string name;
    std::string hash;       // canonical hash of `spec`
    nlohmann::json spec;    // the supervisor's service spec (engine/supervisor JSON shape)
    bool has_healthcheck = false;
    bool operator==(const DesiredService&) const = default;
};

struct DesiredJail {
    std::string name;
    std::string project;
    kernel::JailSpec spec;
    std::vector<SetupStep> setup;
    std::vector<DesiredService> services;  // manifest order
    std::vector<JailDependency> depends_on;
    bool autostart = true;
    bool operator==(const DesiredJail&) const = default;
};

struct Desired {
    std::string project;
    std::vector<DesiredJail> jails;  // manifest order (apply orders by dependencies)

    const DesiredJail* find(const std::string& name) const;
};

// The jail spec as canonical JSON (what the state store records and what
// plans compare field by field): root, base, hostname, profile, deny, ports,
// limits, mounts.  Sizes stay numbers here; render_spec_value makes them
// human again.
nlohmann::json spec_to_json(const kernel::JailSpec& spec);
kernel::JailSpec spec_from_json(const nlohmann::json& j);

// Fields of spec_to_json that can change on a live jail (everything else
// needs a replace).
bool is_live_field(const std::string& field_path);

// Canonical hash (hex SHA-256) of a JSON value: objects with sorted keys,
// compact form.
std::string canonical_hash(const nlohmann::json& value);

}  // namespace jailmgr::engine
