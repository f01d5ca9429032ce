// hash.hpp -- stable content hashes of resolved specs.
//
// The hash is SHA-256 (nettle) over the canonical JSON of the resolved spec
// (resolve.hpp to_json: sorted keys, defaults applied, no source positions),
// as lower-case hex.  Same content -> same hash regardless of key order,
// file, anchors, formatting or whether a default was written out.
#pragma once

#include <string>
#include <string_view>

namespace jailmgr::schema {

struct ResolvedJail;
struct ResolvedService;

std::string sha256_hex(std::string_view data);
std::string hash_jail(const ResolvedJail& j);      // the jail without its services
std::string hash_service(const ResolvedService& s);

}  // namespace jailmgr::schema
