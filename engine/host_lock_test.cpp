#include "host_lock.hpp"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "test_tempdir.hpp"

using namespace jailmgr::engine;
using jailmgr::engine::testing::TempDir;

TEST_CASE("the lock records its owner and removes the record on release") {
    TempDir d;
    {
        HostLock lock(d.path, "jailmgr apply -f x", std::chrono::milliseconds(0));
        auto o = HostLock::read_owner(d.path);
        REQUIRE(o);
        CHECK(o->pid == ::getpid());
        CHECK(o->command == "jailmgr apply -f x");
        CHECK(owner_alive(*o));
        CHECK_FALSE(lock.crashed_previous_owner());
    }
    CHECK_FALSE(HostLock::read_owner(d.path));
}

TEST_CASE("a second holder waits, then fails with a message naming the owner") {
    TempDir d;
    HostLock lock(d.path, "jailmgr apply -f first", std::chrono::milliseconds(0));
    // flock locks belong to open file descriptions: a child process opening
    // the file again competes for real, like a second jailmgr would.
    pid_t pid = ::fork();
    if (pid == 0) {
        try {
            HostLock second(d.path, "second", std::chrono::milliseconds(50));
            _exit(1);
        } catch (const std::runtime_error& e) {
            std::string msg = e.what();
            bool ok = msg.find("another jailmgr apply holds the lock (pid " + std::to_string(::getppid())) == 0 &&
                      msg.find("'jailmgr apply -f first'") != std::string::npos &&
                      msg.find("raise --lock-timeout") != std::string::npos;
            _exit(ok ? 0 : 2);
        }
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("an owner record left by a dead holder is reported as a crashed apply") {
    TempDir d;
    pid_t pid = ::fork();
    if (pid == 0) {
        HostLock lock(d.path, "doomed", std::chrono::milliseconds(0));
        ::kill(::getpid(), SIGKILL);  // dies holding the lock, record left behind
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status));
    HostLock lock(d.path, "next", std::chrono::milliseconds(1000));
    REQUIRE(lock.crashed_previous_owner());
    CHECK(lock.crashed_previous_owner()->command == "doomed");
    CHECK(lock.crashed_previous_owner()->pid == pid);
}

TEST_CASE("process start ticks tell a live process from a reused pid") {
    auto mine = process_start_ticks(::getpid());
    REQUIRE(mine);
    LockOwner o{::getpid(), *mine + 1, "x", 0};
    CHECK_FALSE(owner_alive(o));
    o.start_ticks = *mine;
    CHECK(owner_alive(o));
    CHECK_FALSE(process_start_ticks(-1));
}
