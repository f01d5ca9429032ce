#include "bpf_sys.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sys/error.hpp"

namespace jailmgr::kernel::lnx::bpf {

namespace {

long sys_bpf(int cmd, union bpf_attr& attr) { return ::syscall(SYS_bpf, cmd, &attr, sizeof attr); }

union bpf_attr zeroed() {
    union bpf_attr a;
    std::memset(&a, 0, sizeof a);
    return a;
}

std::uint64_t ptr(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

}  // namespace

sys::unique_fd map_create(bpf_map_type type, std::uint32_t key_size, std::uint32_t value_size,
                          std::uint32_t max_entries, const char* name) {
    auto a = zeroed();
    a.map_type = type;
    a.key_size = key_size;
    a.value_size = value_size;
    a.max_entries = max_entries;
    std::strncpy(a.map_name, name, sizeof a.map_name - 1);
    long fd = sys_bpf(BPF_MAP_CREATE, a);
    if (fd < 0) sys::throw_errno(std::string("bpf map create ") + name);
    return sys::unique_fd(static_cast<int>(fd));
}

sys::unique_fd prog_load(bpf_prog_type type, bpf_attach_type expected, const std::vector<bpf_insn>& insns,
                         const char* name) {
    static const char license[] = "GPL";  // the cgroup helpers we call are GPL-only
    std::string log(16384, '\0');
    auto a = zeroed();
    a.prog_type = type;
    a.expected_attach_type = expected;
    a.insns = ptr(insns.data());
    a.insn_cnt = static_cast<std::uint32_t>(insns.size());
    a.license = ptr(license);
    a.log_buf = ptr(log.data());
    a.log_size = static_cast<std::uint32_t>(log.size());
    a.log_level = 1;
    std::strncpy(a.prog_name, name, sizeof a.prog_name - 1);
    long fd = sys_bpf(BPF_PROG_LOAD, a);
    if (fd < 0) {
        int err = errno;
        log.resize(std::strlen(log.c_str()));
        throw sys::SysError(std::string("bpf program load ") + name + (log.empty() ? "" : " (verifier: " + log + ")"),
                            err);
    }
    return sys::unique_fd(static_cast<int>(fd));
}

sys::unique_fd link_create(int prog_fd, int cgroup_fd, bpf_attach_type type) {
    auto a = zeroed();
    a.link_create.prog_fd = static_cast<std::uint32_t>(prog_fd);
    a.link_create.target_fd = static_cast<std::uint32_t>(cgroup_fd);
    a.link_create.attach_type = type;
    long fd = sys_bpf(BPF_LINK_CREATE, a);
    if (fd < 0) sys::throw_errno("bpf link create");
    return sys::unique_fd(static_cast<int>(fd));
}

void obj_pin(int fd, const std::filesystem::path& path) {
    auto a = zeroed();
    a.bpf_fd = static_cast<std::uint32_t>(fd);
    a.pathname = ptr(path.c_str());
    if (sys_bpf(BPF_OBJ_PIN, a) != 0) sys::throw_errno("bpf pin " + path.string());
}

std::optional<sys::unique_fd> obj_get(const std::filesystem::path& path) {
    auto a = zeroed();
    a.pathname = ptr(path.c_str());
    long fd = sys_bpf(BPF_OBJ_GET, a);
    if (fd < 0) {
        if (errno == ENOENT) return std::nullopt;
        sys::throw_errno("bpf open pinned " + path.string());
    }
    return sys::unique_fd(static_cast<int>(fd));
}

bool map_update(int map_fd, const void* key, const void* value, std::uint64_t flags) {
    auto a = zeroed();
    a.map_fd = static_cast<std::uint32_t>(map_fd);
    a.key = ptr(key);
    a.value = ptr(value);
    a.flags = flags;
    if (sys_bpf(BPF_MAP_UPDATE_ELEM, a) == 0) return true;
    if (errno == EEXIST && flags == BPF_NOEXIST) return false;
    sys::throw_errno("bpf map update");
}

bool map_lookup(int map_fd, const void* key, void* value) {
    auto a = zeroed();
    a.map_fd = static_cast<std::uint32_t>(map_fd);
    a.key = ptr(key);
    a.value = ptr(value);
    if (sys_bpf(BPF_MAP_LOOKUP_ELEM, a) == 0) return true;
    if (errno == ENOENT) return false;
    sys::throw_errno("bpf map lookup");
}

bool map_delete(int map_fd, const void* key) {
    auto a = zeroed();
    a.map_fd = static_cast<std::uint32_t>(map_fd);
    a.key = ptr(key);
    if (sys_bpf(BPF_MAP_DELETE_ELEM, a) == 0) return true;
    if (errno == ENOENT) return false;
    sys::throw_errno("bpf map delete");
}

bool map_empty(int map_fd, std::uint32_t key_size) {
    std::vector<unsigned char> next(key_size);
    auto a = zeroed();
    a.map_fd = static_cast<std::uint32_t>(map_fd);
    a.key = 0;  // NULL: the first key
    a.next_key = ptr(next.data());
    if (sys_bpf(BPF_MAP_GET_NEXT_KEY, a) == 0) return false;
    if (errno == ENOENT) return true;
    sys::throw_errno("bpf map iterate");
}

}  // namespace jailmgr::kernel::lnx::bpf
