#include "clone_vm.hpp"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstdint>

namespace jailmgr::kernel::lnx {

namespace {

constexpr size_t stack_size = 512 * 1024;
constexpr size_t guard_size = 4096;

#if !defined(__x86_64__)
#error "clone_vm.cpp: add the clone3 trampoline of this architecture"
#endif

// clone3, and in the child a call of fn(arg) on the fresh stack.  The child
// cannot return through C++ frames (its stack is new), hence assembly: the
// same shape as glibc's clone3 for x86-64.
long raw_clone3(struct clone_args* args, void (*fn)(void*), void* arg) {
    long ret;
    register void (*r12)(void*) __asm__("r12") = fn;
    register void* r13 __asm__("r13") = arg;
    __asm__ volatile(
        "syscall\n\t"
        "test %%rax, %%rax\n\t"
        "jnz 1f\n\t"
        "xor %%ebp, %%ebp\n\t"
        "mov %%r13, %%rdi\n\t"
        "call *%%r12\n\t"
        "ud2\n"
        "1:\n"
        : "=a"(ret)
        : "a"(SYS_clone3), "D"(args), "S"(sizeof *args), "r"(r12), "r"(r13)
        : "rcx", "r11", "memory");
    return ret;
}

}  // namespace

pid_t clone3_vfork(struct clone_args& args, void (*fn)(void*), void* arg) {
    void* stack = ::mmap(nullptr, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return -1;
    ::mprotect(stack, guard_size, PROT_NONE);  // overflow faults instead of writing below the stack
    args.flags |= CLONE_VM | CLONE_VFORK;
    args.stack = reinterpret_cast<std::uintptr_t>(stack);
    args.stack_size = stack_size;  // the kernel starts the child at stack + size (16-byte aligned)
    long ret = raw_clone3(&args, fn, arg);
    // With CLONE_VFORK we resume only once the child has exec'd or exited:
    // it no longer uses the stack.
    int err = ret < 0 ? static_cast<int>(-ret) : 0;
    ::munmap(stack, stack_size);
    if (ret < 0) {
        errno = err;
        return -1;
    }
    return static_cast<pid_t>(ret);
}

KeepDumpable::KeepDumpable() : saved_(::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0)) {}

KeepDumpable::~KeepDumpable() {
    if (saved_ >= 0) ::prctl(PR_SET_DUMPABLE, saved_, 0, 0, 0);
}

}  // namespace jailmgr::kernel::lnx
