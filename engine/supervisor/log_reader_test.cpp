#include "log_reader.hpp"

#include <doctest/doctest.h>

#include <stdlib.h>

#include <fstream>

#include "proc_table.hpp"
#include "status.hpp"
#include "sys/error.hpp"

using namespace jailmgr::engine::supervisor;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/jailmgr-readertest-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() { fs::remove_all(path); }
};

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

}  // namespace

TEST_CASE("last_lines reaches into rotated files, oldest first, and skips a line still being written") {
    TempDir d;
    fs::path log = d.path / "web.log";
    write(log.string() + ".2", "a\nb\n");
    write(log.string() + ".1", "c\nd\n");
    write(log, "e\nf\npartial");
    CHECK(last_lines(log, 1) == std::vector<std::string>{"f"});
    CHECK(last_lines(log, 3) == std::vector<std::string>{"d", "e", "f"});
    CHECK(last_lines(log, 100) == std::vector<std::string>{"a", "b", "c", "d", "e", "f"});
    CHECK(last_lines(log, 0).empty());
}

TEST_CASE("last_lines reads a large file from its end") {
    TempDir d;
    fs::path log = d.path / "big.log";
    std::string text;
    for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i) + "\n";
    write(log, text);
    CHECK(last_lines(log, 2) == std::vector<std::string>{"line 19998", "line 19999"});
    auto all = last_lines(log, 1000000);
    REQUIRE(all.size() == 20000);
    CHECK(all.front() == "line 0");
}

TEST_CASE("lines of several services merge by timestamp, ties in source order") {
    std::vector<std::vector<std::string>> in = {
        {"2026-01-01T00:00:01.000Z a1", "2026-01-01T00:00:03.000Z a2"},
        {"2026-01-01T00:00:00.500Z b1", "2026-01-01T00:00:03.000Z b2", "2026-01-01T00:00:04.000Z b3"},
    };
    auto out = merge_by_time(in);
    std::vector<std::string> text;
    for (const auto& l : out) text.push_back(l.text.substr(25) + "@" + std::to_string(l.source));
    CHECK(text == std::vector<std::string>{"b1@1", "a1@0", "a2@0", "b2@1", "b3@1"});
}

TEST_CASE("log_sources lists a jail's services without the supervisor's own log") {
    TempDir d;
    auto paths = jailmgr::engine::Paths::for_root(d.path);
    fs::create_directories(paths.log_dir / "web");
    for (auto f : {"web.log", "db.log", "db.log.1", "supervisor.log"}) write(paths.log_dir / "web" / f, "");
    auto all = log_sources(paths, "web", "");
    REQUIRE(all.size() == 2);
    CHECK(all[0].service == "db");
    CHECK(all[1].service == "web");
    CHECK(log_sources(paths, "web", "supervisor")[0].path == paths.log_dir / "web" / "supervisor.log");
    CHECK_THROWS_WITH(log_sources(paths, "web", "cache"), "jail web has no logs for service cache");
    CHECK_THROWS_WITH(log_sources(paths, "db", ""),
                      ("jail db has no logs (no " + (paths.log_dir / "db").string() + ")").c_str());
}

TEST_CASE("a supervisor lock is seen as held by readers, and only one holder gets it") {
    TempDir d;
    fs::path lock = d.path / "web.lock";
    CHECK_FALSE(SupervisorLock::held(lock));
    {
        SupervisorLock held(lock);
        CHECK(SupervisorLock::held(lock));
        try {
            SupervisorLock second(lock);
            FAIL("a second lock was granted");
        } catch (const jailmgr::sys::SysError& e) {
            CHECK(e.code() == EWOULDBLOCK);
        }
    }
    CHECK_FALSE(SupervisorLock::held(lock));
}

TEST_CASE("cpu time is printed as ps prints it") {
    CHECK(format_cpu_time(0.4) == "0:00");
    CHECK(format_cpu_time(75) == "1:15");
    CHECK(format_cpu_time(3723) == "1:02:03");
}

TEST_CASE("the process table finds this process with its session") {
    auto all = read_processes();
    bool found = false;
    for (const auto& p : all)
        if (p.pid == ::getpid()) {
            found = true;
            CHECK(p.ppid == ::getppid());
            CHECK(p.sid == ::getsid(0));
            CHECK(p.pgid == ::getpgrp());
            CHECK(p.state == 'R');
        }
    CHECK(found);
}
