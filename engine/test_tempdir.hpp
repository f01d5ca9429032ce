// test_tempdir.hpp -- a temporary directory removed at scope exit (tests only).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace jailmgr::engine::testing {

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "jailmgr-test-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

}  // namespace jailmgr::engine::testing
