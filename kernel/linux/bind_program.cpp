#include "bind_program.hpp"

#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstddef>
#include <map>
#include <string>

#include "sys/error.hpp"

namespace jailmgr::kernel::lnx {

std::uint32_t port_key(std::uint16_t port) { return htons(port); }

PidNamespaceId current_pid_namespace() {
    struct stat st;
    if (::stat("/proc/self/ns/pid", &st) != 0) sys::throw_errno("stat /proc/self/ns/pid");
    // The helper compares with the superblock's kernel dev_t (MKDEV: major
    // in the bits above 20), not with the userspace encoding of st_dev.
    return {(static_cast<std::uint64_t>(major(st.st_dev)) << 20) | minor(st.st_dev), st.st_ino};
}

namespace {

// A tiny assembler: instructions plus forward jumps to named labels.
class Asm {
public:
    void emit(std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int16_t off, std::int32_t imm) {
        bpf_insn i{};
        i.code = code;
        i.dst_reg = dst & 0xf;
        i.src_reg = src & 0xf;
        i.off = off;
        i.imm = imm;
        insns_.push_back(i);
    }
    void mov(int dst, int src) { emit(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0); }
    void mov_imm(int dst, std::int32_t imm) { emit(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm); }
    void add_imm(int dst, std::int32_t imm) { emit(BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm); }
    void shift_imm(std::uint8_t op, int dst, std::int32_t imm) { emit(BPF_ALU64 | op | BPF_K, dst, 0, 0, imm); }
    void load(std::uint8_t size, int dst, int src, std::int16_t off) { emit(BPF_LDX | BPF_MEM | size, dst, src, off, 0); }
    void store(std::uint8_t size, int dst, int src, std::int16_t off) { emit(BPF_STX | BPF_MEM | size, dst, src, off, 0); }
    void atomic_add64(int dst, int src, std::int16_t off) { emit(BPF_STX | BPF_ATOMIC | BPF_DW, dst, src, off, BPF_ADD); }
    void ld_imm64(int dst, std::uint64_t v, std::uint8_t pseudo = 0) {
        emit(BPF_LD | BPF_DW | BPF_IMM, dst, pseudo, 0, static_cast<std::int32_t>(v & 0xffffffffu));
        emit(0, 0, 0, 0, static_cast<std::int32_t>(v >> 32));
    }
    void map_fd(int dst, int fd) { ld_imm64(dst, static_cast<std::uint32_t>(fd), BPF_PSEUDO_MAP_FD); }
    void call(std::int32_t helper) { emit(BPF_JMP | BPF_CALL, 0, 0, 0, helper); }
    void exit() { emit(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }
    // Conditional jumps compare a register with an immediate or a register.
    void jump_imm(std::uint8_t op, int reg, std::int32_t imm, const std::string& label) {
        fixups_.emplace_back(insns_.size(), label);
        emit(BPF_JMP | op | BPF_K, reg, 0, 0, imm);
    }
    void jump_reg(std::uint8_t op, int reg, int src, const std::string& label) {
        fixups_.emplace_back(insns_.size(), label);
        emit(BPF_JMP | op | BPF_X, reg, src, 0, 0);
    }
    void jump(const std::string& label) {
        fixups_.emplace_back(insns_.size(), label);
        emit(BPF_JMP | BPF_JA, 0, 0, 0, 0);
    }
    void label(const std::string& name) { labels_[name] = insns_.size(); }

    std::vector<bpf_insn> finish() {
        for (auto [at, name] : fixups_) {
            auto target = labels_.at(name);
            insns_[at].off = static_cast<std::int16_t>(static_cast<long>(target) - static_cast<long>(at) - 1);
        }
        return insns_;
    }

private:
    std::vector<bpf_insn> insns_;
    std::vector<std::pair<size_t, std::string>> fixups_;
    std::map<std::string, size_t> labels_;
};

enum { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 };

}  // namespace

std::vector<bpf_insn> bind_program(int ports_map_fd, int jails_map_fd, const PidNamespaceId& host) {
    Asm a;
    a.mov(R6, R1);  // ctx
    a.load(BPF_W, R7, R6, offsetof(struct bpf_sock_addr, user_port));
    a.jump_imm(BPF_JEQ, R7, 0, "allow");  // port 0: never restricted

    a.store(BPF_W, R10, R7, -4);
    a.map_fd(R1, ports_map_fd);
    a.mov(R2, R10);
    a.add_imm(R2, -4);
    a.call(BPF_FUNC_map_lookup_elem);
    a.jump_imm(BPF_JEQ, R0, 0, "allow");  // not reserved
    a.load(BPF_DW, R8, R0, offsetof(PortOwner, cgroup_id));

    a.call(BPF_FUNC_get_current_cgroup_id);
    a.jump_reg(BPF_JEQ, R0, R8, "allow");  // the owning jail

    a.store(BPF_DW, R10, R0, -16);
    a.map_fd(R1, jails_map_fd);
    a.mov(R2, R10);
    a.add_imm(R2, -16);
    a.call(BPF_FUNC_map_lookup_elem);
    a.jump_imm(BPF_JEQ, R0, 0, "not_our_jail");
    a.mov_imm(R1, 1);
    a.atomic_add64(R0, R1, offsetof(JailSlot, denied));
    a.jump("deny");

    a.label("not_our_jail");
    a.ld_imm64(R1, host.dev);
    a.ld_imm64(R2, host.ino);
    a.mov(R3, R10);
    a.add_imm(R3, -24);
    a.mov_imm(R4, 8);  // sizeof(struct bpf_pidns_info)
    a.call(BPF_FUNC_get_ns_current_pid_tgid);
    a.jump_imm(BPF_JNE, R0, 0, "deny");  // not in the host PID namespace
    a.call(BPF_FUNC_get_current_uid_gid);
    a.shift_imm(BPF_LSH, R0, 32);  // uid is the low half
    a.shift_imm(BPF_RSH, R0, 32);
    a.jump_imm(BPF_JEQ, R0, 0, "allow");  // host root is exempt

    a.label("deny");
    a.mov_imm(R0, 0);
    a.exit();
    a.label("allow");
    a.mov_imm(R0, 1);
    a.exit();
    return a.finish();
}

}  // namespace jailmgr::kernel::lnx
