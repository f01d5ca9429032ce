// units.hpp -- parsers for the small value languages of the manifest.
//
// Each parser takes the text as written and returns either the value or a
// message that says what is wrong and how to write it instead ("memory
// '512mb': unknown unit 'mb'; use B, KiB, MiB, GiB, TiB, K, M, G or T").
// They know nothing of YAML, so they are easy to test and to reuse (the
// engine may parse sizes from the command line with the same rules).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace jailmgr::schema {

template <class T>
struct Parsed {
    std::optional<T> value;
    std::string error;  // set when !value

    static Parsed ok(T v) { return {std::move(v), {}}; }
    static Parsed fail(std::string e) { return {std::nullopt, std::move(e)}; }
    explicit operator bool() const { return value.has_value(); }
};

// "512MiB", "1G", "1.5GiB", "4096" (bytes).  Binary multiples throughout:
// K = KiB = 1024.  Decimal fractions are allowed and rounded down to bytes.
Parsed<uint64_t> parse_size(std::string_view text);

// "1m30s", "500ms", "2h", "1.5s": one or more number+unit groups with units
// ms, s, m, h.  A bare number is refused (the unit is never guessed).
Parsed<std::chrono::milliseconds> parse_duration(std::string_view text);
// The canonical spelling of a duration, e.g. 90000ms -> "1m30s".
std::string format_duration(std::chrono::milliseconds d);

struct PortSpec {
    uint16_t port = 0;
    std::string protocol;  // "tcp", "udp" or "" (both; protocol is informational)
};
// "8080", "8080/tcp", "53/udp"; 1-65535.
Parsed<PortSpec> parse_port(std::string_view text);

// Signal names a service may be stopped with, without the SIG prefix.
std::span<const std::string_view> signal_names();
// "TERM", "SIGTERM", "sigterm" -> "TERM".
Parsed<std::string> parse_signal(std::string_view text);

// "www", "www:www", "65534", "65534:65534".
Parsed<std::string> parse_user(std::string_view text);

// An environment variable name: non-empty, no '=', no NUL.
bool valid_env_key(std::string_view key);
// One "KEY=value" list entry.
Parsed<std::pair<std::string, std::string>> parse_env_entry(std::string_view text);

// A jail, service, profile or host name: [A-Za-z0-9._-]{1,63}, not "." or "..".
bool valid_name(std::string_view name);
// An RFC 1123 host name of at most 64 bytes (the Linux and NetBSD limit).
bool valid_hostname(std::string_view name);
// A jail name made into a valid host name ("my_jail" -> "my-jail").
std::string hostname_from_name(std::string_view name);

// An absolute path without NUL bytes of at most `max_bytes` bytes.
Parsed<std::string> parse_abs_path(std::string_view text, size_t max_bytes = 4095);
// True if `path` has a ".." component.
bool has_dotdot(std::string_view path);
// "/a//b/./c/" -> "/a/b/c"  (no ".." handling: such paths are refused first).
std::string normalize_path(std::string_view path);

// "0644", "644", "0o644" -> 0644; at most 07777.
Parsed<uint32_t> parse_mode(std::string_view text);

// A command written as a string runs through the shell.
std::vector<std::string> shell_command(std::string_view script);

}  // namespace jailmgr::schema
