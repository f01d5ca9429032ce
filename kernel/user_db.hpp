// user_db.hpp -- resolve a manifest's `user:` against a jail's own user
// database (<root>/etc/passwd and <root>/etc/group), never the host's.
//
// Accepted forms: "name", "name:group", "uid", "uid:gid".  A numeric uid
// need not exist in the jail's passwd (gid then defaults to the uid's
// primary group if known, else to the uid).  Supplementary groups are those
// of <root>/etc/group that list the user by name.
#pragma once

#include <filesystem>
#include <string_view>

#include "driver.hpp"

namespace jailmgr::kernel {

// Throws DriverError(Errc::invalid / Errc::not_found) naming the user and the
// file consulted, e.g. "user 'www' not found in /srv/web/etc/passwd".
Credentials resolve_user_in_root(const std::filesystem::path& root, std::string_view user);

}  // namespace jailmgr::kernel
