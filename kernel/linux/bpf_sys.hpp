// bpf_sys.hpp -- the few bpf(2) commands the bind hook needs, as functions
// that throw SysError naming the command and object.  No libbpf: the program
// is a handful of raw instructions (bind_program.cpp) and its maps are plain
// hashes, so the raw syscall is the smaller dependency.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sys/unique_fd.hpp"

namespace jailmgr::kernel::lnx::bpf {

sys::unique_fd map_create(bpf_map_type type, std::uint32_t key_size, std::uint32_t value_size,
                          std::uint32_t max_entries, const char* name);

// Loads a program; on a verifier rejection the SysError carries the log.
sys::unique_fd prog_load(bpf_prog_type type, bpf_attach_type expected, const std::vector<bpf_insn>& insns,
                         const char* name);

// BPF_LINK_CREATE: attach `prog` to the cgroup `cgroup_fd`.  The program
// stays attached exactly as long as the link exists (fd or pin).
sys::unique_fd link_create(int prog_fd, int cgroup_fd, bpf_attach_type type);

void obj_pin(int fd, const std::filesystem::path& path);
// BPF_OBJ_GET; std::nullopt if nothing is pinned there.
std::optional<sys::unique_fd> obj_get(const std::filesystem::path& path);

// Map element operations.  update: flags BPF_ANY / BPF_NOEXIST / BPF_EXIST.
// Returns false (instead of throwing) on EEXIST for NOEXIST.
bool map_update(int map_fd, const void* key, const void* value, std::uint64_t flags);
bool map_lookup(int map_fd, const void* key, void* value);  // false if absent
bool map_delete(int map_fd, const void* key);               // false if absent
// Whether the map has no element at all.
bool map_empty(int map_fd, std::uint32_t key_size);

}  // namespace jailmgr::kernel::lnx::bpf
