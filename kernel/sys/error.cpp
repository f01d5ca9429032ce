#include "error.hpp"

#include <cstring>

namespace jailmgr::sys {

SysError::SysError(std::string what, int err)
    : std::runtime_error(what + ": " + std::strerror(err)), err_(err) {}

void throw_errno(std::string_view what) { throw_errno(what, errno); }

void throw_errno(std::string_view what, int err) { throw SysError(std::string(what), err); }

std::string errno_name(int err) {
    // strerrorname_np is glibc >= 2.32; Debian 12 has 2.36.  Fall back to the number elsewhere.
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
    if (const char* n = strerrorname_np(err)) return n;
#endif
    return std::to_string(err);
}

}  // namespace jailmgr::sys
