#include "user_db.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

#include "sys/files.hpp"

namespace fs = std::filesystem;
using namespace jailmgr::kernel;

namespace {

struct TempRoot {
    fs::path dir;
    TempRoot() {
        char tmpl[] = "/tmp/jailmgr-userdb-XXXXXX";
        dir = ::mkdtemp(tmpl);
        fs::create_directories(dir / "etc");
        jailmgr::sys::write_file_atomic(dir / "etc/passwd",
                                        "root:x:0:0:root:/root:/bin/sh\n"
                                        "# comment\n"
                                        "www:x:33:33:www:/var/www:/usr/sbin/nologin\n"
                                        "broken line\n");
        jailmgr::sys::write_file_atomic(dir / "etc/group",
                                        "root:x:0:\nwww:x:33:\nlog:x:4:www,other\nstaff:x:50:\n");
    }
    ~TempRoot() { fs::remove_all(dir); }
};

}  // namespace

TEST_CASE("a user name resolves through the jail's own passwd and group files") {
    TempRoot r;
    auto c = resolve_user_in_root(r.dir, "www");
    CHECK(c.uid == 33);
    CHECK(c.gid == 33);
    CHECK(c.groups == std::vector<gid_t>{4});
}

TEST_CASE("name:group and uid:gid override the primary group") {
    TempRoot r;
    CHECK(resolve_user_in_root(r.dir, "www:staff").gid == 50);
    auto c = resolve_user_in_root(r.dir, "1000:1001");
    CHECK(c.uid == 1000);
    CHECK(c.gid == 1001);
    CHECK(c.groups.empty());
}

TEST_CASE("a numeric uid unknown to the jail still resolves, with gid = uid") {
    TempRoot r;
    auto c = resolve_user_in_root(r.dir, "4242");
    CHECK(c.uid == 4242);
    CHECK(c.gid == 4242);
}

TEST_CASE("an unknown user name is an error that names the file and the fix") {
    TempRoot r;
    try {
        resolve_user_in_root(r.dir, "nobodyhere");
        FAIL("expected an error");
    } catch (const DriverError& e) {
        CHECK(e.code() == Errc::not_found);
        CHECK(std::string(e.what()) == "user 'nobodyhere' not found in " + (r.dir / "etc/passwd").string() +
                                           ": add it in a setup step or give a uid");
    }
    CHECK_THROWS_AS(resolve_user_in_root(r.dir, "www:nogroup"), DriverError);
    CHECK_THROWS_AS(resolve_user_in_root(r.dir, "www:"), DriverError);
    CHECK_THROWS_AS(resolve_user_in_root(r.dir, ""), DriverError);
}
