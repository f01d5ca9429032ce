// sysctl_netbsd.cpp -- the real SysctlTransport, over sysctl(3), and
// make_driver() for NetBSD.  Built on NetBSD only (kernel/netbsd/meson.build).
#include <sys/param.h>
#include <sys/sysctl.h>

#include <cerrno>
#include <ctime>
#include <memory>
#include <string>

#include "netbsd_driver.hpp"
#include "sysctl_transport.hpp"

namespace jailmgr::kernel {

namespace netbsd {

namespace {

// The MIB is looked up now; write() is then a single sysctl(2) call, safe
// between fork and exec.
class MibWrite final : public PreparedWrite {
public:
    MibWrite(const int* mib, u_int len, int lookup_error)
        : len_(len), lookup_error_(lookup_error) {
        for (u_int i = 0; i < len && i < CTL_MAXNAME; i++) mib_[i] = mib[i];
    }
    int write(const void* data, std::size_t len) noexcept override {
        if (lookup_error_ != 0) return lookup_error_;
        return ::sysctl(mib_, len_, nullptr, nullptr, data, len) == 0 ? 0 : errno;
    }

private:
    int mib_[CTL_MAXNAME] = {};
    u_int len_;
    int lookup_error_;
};

class NetbsdSysctl final : public SysctlTransport {
public:
    int call(std::string_view name, void* oldp, std::size_t* oldlenp, const void* newp,
             std::size_t newlen) override {
        const std::string n(name);
        return ::sysctlbyname(n.c_str(), oldp, oldlenp, newp, newlen) == 0 ? 0 : errno;
    }

    std::unique_ptr<PreparedWrite> prepare_write(std::string_view name) override {
        const std::string n(name);
        int mib[CTL_MAXNAME];
        std::size_t len = CTL_MAXNAME;
        int err = ::sysctlnametomib(n.c_str(), mib, &len) == 0 ? 0 : errno;
        return std::make_unique<MibWrite>(mib, err ? 0 : static_cast<u_int>(len), err);
    }

    std::uint64_t monotonic_ns() override {
        struct timespec ts;
        ::clock_gettime(CLOCK_MONOTONIC, &ts);
        return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ull +
               static_cast<std::uint64_t>(ts.tv_nsec);
    }
};

}  // namespace

}  // namespace netbsd

std::unique_ptr<Driver> make_driver(const DriverConfig& config) {
    return std::make_unique<netbsd::NetbsdDriver>(std::make_shared<netbsd::NetbsdSysctl>(),
                                                  config);
}

}  // namespace jailmgr::kernel
