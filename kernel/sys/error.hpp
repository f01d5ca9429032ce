// error.hpp -- errors that carry context up the stack.
//
// A system call failure becomes a SysError whose message reads
// "<what>: <strerror>" and keeps the errno for callers that branch on it.
// Callers add context by catching and rethrowing with a prefix
// (with_context), so the final one-line message reads outermost-first:
//   "jail web: mount /usr: Permission denied".
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>
#include <string_view>

namespace jailmgr::sys {

class SysError : public std::runtime_error {
public:
    SysError(std::string what, int err);
    int code() const { return err_; }

private:
    int err_;
};

// Throws SysError(what, errno) -- call right after the failing syscall.
[[noreturn]] void throw_errno(std::string_view what);
[[noreturn]] void throw_errno(std::string_view what, int err);

// "EPERM", "ENOENT", ... (the symbolic name), or the number as text.
std::string errno_name(int err);

}  // namespace jailmgr::sys
