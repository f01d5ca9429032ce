#include "status.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "files.hpp"
#include "sys/error.hpp"
#include "sys/files.hpp"

namespace jailmgr::engine::supervisor {

namespace fs = std::filesystem;

SupervisorLock::SupervisorLock(const fs::path& path) {
    fd_.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd_) sys::throw_errno("open " + path.string());
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (::fcntl(fd_.get(), F_OFD_SETLK, &fl) != 0) {
        int err = errno == EACCES || errno == EAGAIN ? EWOULDBLOCK : errno;
        sys::throw_errno("lock " + path.string(), err);
    }
}

bool SupervisorLock::held(const fs::path& path) {
    sys::unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return false;
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (::fcntl(fd.get(), F_OFD_GETLK, &fl) != 0) return false;
    return fl.l_type != F_UNLCK;
}

bool supervisor_running(const Paths& paths, const std::string& jail) {
    return SupervisorLock::held(SupervisorFiles::of(paths, jail).lock);
}

std::optional<nlohmann::json> read_status(const Paths& paths, const std::string& jail) {
    auto files = SupervisorFiles::of(paths, jail);
    auto text = sys::read_file_if_exists(files.status);
    if (!text) return std::nullopt;
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        throw std::runtime_error("supervisor status " + files.status.string() + " is not valid JSON");
    j["running"] = SupervisorLock::held(files.lock);
    return j;
}

std::vector<std::string> supervised_jails(const Paths& paths) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(paths.run_dir / "supervisors", ec)) {
        auto name = e.path().filename().string();
        const std::string suffix = ".status.json";
        if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
            out.push_back(name.substr(0, name.size() - suffix.size()));
    }
    std::sort(out.begin(), out.end());
    return out;
}

void replace_file(const fs::path& path, std::string_view content, unsigned mode) {
    fs::path tmp = path;
    tmp += ".tmp";
    sys::unique_fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (!fd) sys::throw_errno("create " + tmp.string());
    while (!content.empty()) {
        ssize_t n = ::write(fd.get(), content.data(), content.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            ::unlink(tmp.c_str());
            sys::throw_errno("write " + tmp.string(), err);
        }
        content.remove_prefix(static_cast<size_t>(n));
    }
    fd.reset();
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        sys::throw_errno("rename " + tmp.string() + " to " + path.string(), err);
    }
}

}  // namespace jailmgr::engine::supervisor
