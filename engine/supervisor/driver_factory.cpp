// driver_factory.cpp -- built when the kernel library provides
// kernel::make_driver (engine/meson.build decides).
#include "backend.hpp"

namespace jailmgr::engine::supervisor {

std::unique_ptr<kernel::Driver> open_driver(const kernel::DriverConfig& config) {
    return kernel::make_driver(config);
}

}  // namespace jailmgr::engine::supervisor
