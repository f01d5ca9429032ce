// desired_from_schema.hpp -- from manifests on disk to the engine's Desired.
//
// The one bridge between schema/ and engine/: load + lint (refusing
// manifests with errors before anything changes), resolve (the schema's one
// place for defaults), keep the jails placed on this host, and translate
// each jail into a kernel::JailSpec and each service into the supervisor's
// spec (engine/supervisor/README.md, "Spec").
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "desired.hpp"
#include "paths.hpp"
#include "resolve.hpp"
#include "validate.hpp"

namespace jailmgr::engine {

struct LoadedDesired {
    schema::LintResult lint;                    // findings, for printing
    std::optional<schema::DesiredState> state;  // set when the manifests linted without errors
    Desired desired;                            // valid when state is set
    bool ok() const { return state.has_value(); }
};

// `host`: keep jails whose placement includes it (and jails without
// placement); empty keeps every jail.  Throws PlanError (diff.hpp) when a
// kept jail depends on a jail placed elsewhere.
LoadedDesired load_desired(const std::vector<std::string>& files, const Paths& paths, const std::string& host,
                           std::istream& in);

Desired desired_from_schema(const schema::DesiredState& state, const std::string& host);

// The supervisor's JSON spec for one resolved service of `jail`.
nlohmann::json supervisor_service_spec(const schema::ResolvedJail& jail, const schema::ResolvedService& service);

// This machine's host name (for placement).
std::string local_host_name();

}  // namespace jailmgr::engine
