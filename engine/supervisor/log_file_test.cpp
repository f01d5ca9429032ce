#include "log_file.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "sys/files.hpp"

using namespace jailmgr::engine::supervisor;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/jailmgr-logtest-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() { fs::remove_all(path); }
};

std::string line(int i) {
    std::string s = "line " + std::to_string(i);
    s.resize(99, '.');  // 99 bytes + '\n' = 100 bytes a line
    return s;
}

}  // namespace

TEST_CASE("a log rotates before it would outgrow max_size and keeps `keep` old files") {
    TempDir dir;
    fs::path log = dir.path / "web.log";
    RotatingFile f(log, FileLog{1000, 2});
    for (int i = 0; i < 35; ++i) CHECK(f.append("", line(i), "\n"));
    CHECK(f.flush());
    // 10 lines a file: web.log.2 has 10..19, web.log.1 has 20..29, web.log 30..34; 0..9 are gone.
    CHECK(fs::file_size(log) == 500);
    CHECK(fs::file_size(log.string() + ".1") == 1000);
    CHECK(fs::file_size(log.string() + ".2") == 1000);
    CHECK_FALSE(fs::exists(log.string() + ".3"));
    auto newest = jailmgr::sys::read_file(log);
    CHECK(newest.substr(0, 7) == "line 30");
    auto oldest = jailmgr::sys::read_file(log.string() + ".2");
    CHECK(oldest.substr(0, 7) == "line 10");
    CHECK(f.dropped_lines() == 0);
}

TEST_CASE("an existing log is appended to and its size counts toward rotation") {
    TempDir dir;
    fs::path log = dir.path / "web.log";
    {
        RotatingFile f(log, FileLog{1000, 1});
        for (int i = 0; i < 8; ++i) f.append("", line(i), "\n");
        f.flush();
    }
    RotatingFile f(log, FileLog{1000, 1});
    for (int i = 8; i < 11; ++i) f.append("", line(i), "\n");
    f.flush();
    CHECK(fs::file_size(log.string() + ".1") == 1000);
    CHECK(fs::file_size(log) == 100);
}

TEST_CASE("keep 0 truncates instead of keeping rotated files") {
    TempDir dir;
    fs::path log = dir.path / "web.log";
    RotatingFile f(log, FileLog{1000, 0});
    for (int i = 0; i < 25; ++i) f.append("", line(i), "\n");
    f.flush();
    CHECK(fs::file_size(log) == 500);
    CHECK_FALSE(fs::exists(log.string() + ".1"));
}

TEST_CASE("lines that cannot be written are counted as dropped") {
    TempDir dir;
    RotatingFile f(dir.path / "missing-dir" / "web.log", FileLog{1000, 1});
    f.append("", "one", "\n");
    f.append("", "two", "\n");
    CHECK_FALSE(f.flush());
    CHECK(f.dropped_lines() == 2);
    CHECK(f.last_error().find("No such file or directory") != std::string::npos);
}
