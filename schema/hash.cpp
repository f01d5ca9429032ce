#include "hash.hpp"

#include <nettle/sha2.h>

#include "resolve.hpp"

namespace jailmgr::schema {

std::string sha256_hex(std::string_view data) {
    sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, data.size(), reinterpret_cast<const uint8_t*>(data.data()));
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof digest, digest);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * sizeof digest);
    for (uint8_t b : digest) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

std::string hash_jail(const ResolvedJail& j) { return sha256_hex(to_json(j, false).dump()); }

std::string hash_service(const ResolvedService& s) { return sha256_hex(to_json(s).dump()); }

}  // namespace jailmgr::schema
