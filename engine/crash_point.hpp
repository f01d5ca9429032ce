// crash_point.hpp -- fault injection for the crash-repair tests.
//
// `crash_point("after-kernel-create")` kills the process with SIGKILL when
// the environment variable JAILMGR_CRASH_AT equals that name, exactly as an
// operator's kill -9 at that moment would.  The tests use it to prove that
// the next apply repairs every such point; in normal runs the variable is
// unset and this is a getenv.
#pragma once

#include <string_view>

namespace jailmgr::engine {

void crash_point(std::string_view name);

}  // namespace jailmgr::engine
