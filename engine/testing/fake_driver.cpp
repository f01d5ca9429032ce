#include "fake_driver.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

namespace jailmgr::engine::testing {

using kernel::DriverError;
using kernel::Errc;

namespace {

class FakeSession : public kernel::Session {
public:
    FakeSession(FakeDriver& d, kernel::JailId id) : driver_(d), id_(id) {}
    kernel::JailId id() const override { return id_; }
    bool owner() const override { return true; }
    kernel::Process spawn(const kernel::SpawnSpec& spec) override {
        pid_t pid = ::fork();
        if (pid < 0) throw DriverError(Errc::system, "fork failed", errno);
        if (pid == 0) {
            int out = spec.stdout_fd >= 0 ? spec.stdout_fd : ::open("/dev/null", O_WRONLY);
            ::dup2(out, 1);
            ::dup2(spec.stderr_fd >= 0 ? spec.stderr_fd : out, 2);
            std::vector<char*> argv;
            for (auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execvp(argv[0], argv.data());
            _exit(127);
        }
        int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
        return kernel::Process(pid, pidfd);
    }
    void write_file(const std::filesystem::path& path, std::string_view content, unsigned) override {
        auto name = driver_.jails.at(id_).spec.name;
        driver_.files[name + ":" + path.string()] = std::string(content);
    }
    void kill_all(int) override {}

private:
    FakeDriver& driver_;
    kernel::JailId id_;
};

}  // namespace

kernel::JailId FakeDriver::create(const kernel::JailSpec& spec) {
    std::lock_guard guard(mutex);
    log.push_back("create " + spec.name);
    if (fail_create.count(spec.name)) throw DriverError(Errc::invalid, "jail " + spec.name + ": injected failure");
    for (auto& [id, j] : jails)
        if (j.spec.name == spec.name) throw DriverError(Errc::exists, "jail name '" + spec.name + "' is already in use");
    kernel::JailInfo info;
    info.id = next_id++;
    info.spec = spec;
    jails[info.id] = info;
    return info.id;
}

void FakeDriver::destroy(kernel::JailId id, bool) {
    std::lock_guard guard(mutex);
    log.push_back("destroy " + (jails.count(id) ? jails[id].spec.name : std::to_string(id)));
    if (!jails.erase(id)) throw DriverError(Errc::not_found, "no jail " + std::to_string(id));
}

std::vector<kernel::JailInfo> FakeDriver::list() {
    std::lock_guard guard(mutex);
    std::vector<kernel::JailInfo> out;
    for (auto& [id, j] : jails) out.push_back(j);
    return out;
}

std::optional<kernel::JailInfo> FakeDriver::find(kernel::JailId id) {
    std::lock_guard guard(mutex);
    if (auto it = jails.find(id); it != jails.end()) return it->second;
    return std::nullopt;
}

std::optional<kernel::JailInfo> FakeDriver::find(std::string_view name) {
    std::lock_guard guard(mutex);
    for (auto& [id, j] : jails)
        if (j.spec.name == name) return j;
    return std::nullopt;
}

void FakeDriver::update_limits(kernel::JailId id, const kernel::Limits& limits) {
    std::lock_guard guard(mutex);
    log.push_back("update " + jails.at(id).spec.name);
    jails.at(id).spec.limits = limits;
}

std::unique_ptr<kernel::Session> FakeDriver::attach(kernel::JailId id, kernel::Attach) {
    std::lock_guard guard(mutex);
    if (!jails.count(id)) throw DriverError(Errc::not_found, "no jail " + std::to_string(id));
    return std::make_unique<FakeSession>(*this, id);
}

}  // namespace jailmgr::engine::testing
