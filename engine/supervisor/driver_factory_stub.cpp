// driver_factory_stub.cpp -- built while no kernel driver is linked into
// this tree (engine/meson.build decides; see kernel_make_driver_available).
#include "backend.hpp"

namespace jailmgr::engine::supervisor {

std::unique_ptr<kernel::Driver> open_driver(const kernel::DriverConfig&) {
    throw kernel::DriverError(kernel::Errc::unsupported,
                              "this build has no kernel driver: rebuild with the Linux or NetBSD driver");
}

}  // namespace jailmgr::engine::supervisor
