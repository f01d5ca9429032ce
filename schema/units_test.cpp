#include "units.hpp"

#include <doctest/doctest.h>

using namespace jailmgr::schema;
using namespace std::chrono_literals;

TEST_CASE("sizes take binary units and refuse ambiguous ones") {
    CHECK(*parse_size("512MiB").value == 512ull << 20);
    CHECK(*parse_size("1G").value == 1ull << 30);
    CHECK(*parse_size("1g").value == 1ull << 30);
    CHECK(*parse_size("4096").value == 4096);
    CHECK(*parse_size("10B").value == 10);
    CHECK(*parse_size("1.5KiB").value == 1536);
    CHECK(*parse_size("2TiB").value == 2ull << 40);
    CHECK(parse_size("512mb").error == "size '512mb': 'mb' is ambiguous; write MiB (powers of 1024)");
    CHECK(parse_size("12 parsecs").error ==
          "size '12 parsecs': unknown unit 'parsecs'; use B, KiB, MiB, GiB, TiB, K, M, G or T");
    CHECK(parse_size("").error == "empty size; write e.g. 512MiB or 1G");
    CHECK(parse_size("-1M").error == "size '-1M' is negative");
    CHECK(parse_size("MiB").error == "size 'MiB' does not start with a number; write e.g. 512MiB or 1G");
    CHECK(parse_size("99999999999T").error == "size '99999999999T' is too large");
}

TEST_CASE("durations are number+unit groups and never guess a unit") {
    CHECK(*parse_duration("1m30s").value == 90s);
    CHECK(*parse_duration("500ms").value == 500ms);
    CHECK(*parse_duration("2h").value == 2h);
    CHECK(*parse_duration("1.5s").value == 1500ms);
    CHECK(*parse_duration("1h1m1s1ms").value == 3'661'001ms);
    CHECK(parse_duration("5").error == "duration '5' has a number without a unit; write e.g. '5s' (units: ms, s, m, h)");
    CHECK(parse_duration("5d").error == "duration '5d': unknown unit 'd'; use ms, s, m or h");
    CHECK(parse_duration("-5s").error == "duration '-5s' is negative");
    CHECK(parse_duration("s").error == "duration 's' is not number+unit groups; write e.g. 500ms, 30s or 1m30s");
    CHECK(format_duration(90s) == "1m30s");
    CHECK(format_duration(0ms) == "0s");
    CHECK(format_duration(1500ms) == "1s500ms");
}

TEST_CASE("ports are 1-65535 with an optional protocol") {
    CHECK(parse_port("8080").value->port == 8080);
    CHECK(parse_port("8080/tcp").value->protocol == "tcp");
    CHECK(parse_port("53/udp").value->protocol == "udp");
    CHECK(parse_port("0").error == "port 0 cannot be reserved (it means \"any port\"); use 1-65535");
    CHECK(parse_port("65536").error == "port 65536 is out of range; use 1-65535");
    CHECK(parse_port("80/sctp").error == "port '80/sctp': unknown protocol 'sctp'; use tcp or udp");
    CHECK(parse_port("http").error == "port 'http' is not a number from 1 to 65535");
    CHECK(parse_port("65535").value->port == 65535);
}

TEST_CASE("signals accept SIG prefixes and any case") {
    CHECK(*parse_signal("TERM").value == "TERM");
    CHECK(*parse_signal("SIGTERM").value == "TERM");
    CHECK(*parse_signal("sigint").value == "INT");
    CHECK(parse_signal("TREM").error == "unknown signal 'TREM'");
}

TEST_CASE("users are name, name:group, uid or uid:gid") {
    CHECK(parse_user("www"));
    CHECK(parse_user("www:www"));
    CHECK(parse_user("65534"));
    CHECK(parse_user("65534:65534"));
    CHECK_FALSE(parse_user(""));
    CHECK_FALSE(parse_user("a:b:c"));
    CHECK_FALSE(parse_user("-rf"));
    CHECK_FALSE(parse_user("4294967295"));
    CHECK(parse_user("w w").error == "user 'w w' is not name, name:group, uid or uid:gid; write e.g. www or 65534:65534");
}

TEST_CASE("environment entries and names") {
    CHECK(parse_env_entry("A=b=c").value->second == "b=c");
    CHECK(parse_env_entry("A=").value->second.empty());
    CHECK(parse_env_entry("NOEQUALS").error == "environment entry 'NOEQUALS' has no '='; write KEY=value");
    CHECK_FALSE(parse_env_entry("=x"));
    CHECK(valid_env_key("PATH"));
    CHECK_FALSE(valid_env_key(""));
    CHECK_FALSE(valid_env_key("A=B"));
}

TEST_CASE("names, host names and paths") {
    CHECK(valid_name("web-1.prod_a"));
    CHECK_FALSE(valid_name(""));
    CHECK_FALSE(valid_name(".."));
    CHECK_FALSE(valid_name("."));
    CHECK_FALSE(valid_name("a/b"));
    CHECK_FALSE(valid_name(std::string(64, 'a')));
    CHECK(valid_name(std::string(63, 'a')));
    CHECK(valid_hostname("web.example"));
    CHECK_FALSE(valid_hostname("-web"));
    CHECK_FALSE(valid_hostname("my_jail"));
    CHECK(hostname_from_name("my_jail") == "my-jail");
    CHECK(hostname_from_name("__") == "jail");
    CHECK(parse_abs_path("relative").error == "path 'relative' is not absolute; start it with /");
    CHECK(parse_abs_path("/" + std::string(300, 'a'), 255).error.find("is 301 bytes long; the limit is 255") !=
          std::string::npos);
    CHECK(has_dotdot("/a/../b"));
    CHECK(has_dotdot("/.."));
    CHECK_FALSE(has_dotdot("/a..b/c"));
    CHECK(normalize_path("/a//b/./c/") == "/a/b/c");
    CHECK(normalize_path("//") == "/");
}

TEST_CASE("file modes are octal") {
    CHECK(*parse_mode("0644").value == 0644);
    CHECK(*parse_mode("755").value == 0755);
    CHECK(*parse_mode("0o600").value == 0600);
    CHECK_FALSE(parse_mode("0999"));
    CHECK_FALSE(parse_mode("17777"));
}

TEST_CASE("a string command runs through the shell") {
    CHECK(shell_command("echo hi") == std::vector<std::string>{"/bin/sh", "-c", "echo hi"});
}
