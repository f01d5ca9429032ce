// model.hpp -- the manifest as written (format v1, see MANIFEST.md).
//
// These structs mirror the YAML one to one: every field is a Located<T>
// whose present() says whether the manifest set it, and whose loc says
// where.  Nothing here is defaulted; schema::resolve() turns a Manifest into
// a fully defaulted DesiredState (resolve.hpp).  Sizes are bytes, durations
// milliseconds, names and enums their spelling in the file.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "source.hpp"

namespace jailmgr::schema {

using Millis = std::chrono::milliseconds;

// `environment:` as a map or a list of KEY=value, in written order.
struct EnvVar {
    Located<std::string> key;
    Located<std::string> value;
};
using Environment = std::vector<EnvVar>;

// `command:`: a list is exec'd as is; a string runs as /bin/sh -c STRING.
struct Command {
    std::vector<std::string> argv;
    bool shell = false;  // written as a string
};

struct Port {
    uint16_t number = 0;
    std::string protocol;  // "tcp", "udp" or "" (informational)
};

// One entry of `depends_on` (jail or service level): a list entry has no
// condition; a map entry names one.
struct Dependency {
    Located<std::string> name;
    Located<std::string> condition;
};

struct Limits {
    Located<uint64_t> memory;  // bytes
    Located<double> cpus;      // CPU quota in CPUs
    Located<int64_t> pids;
    Located<int64_t> nofile;
    Located<uint64_t> core;    // bytes (RLIMIT_CORE)
    Located<uint64_t> as;      // bytes (RLIMIT_AS, address space)
};

struct Mount {
    Located<std::string> source;
    Located<std::string> target;
    Located<bool> readonly;
};

struct FileStep {
    Located<std::string> path;
    Located<std::string> content;
    Located<uint32_t> mode;
};

// One `setup:` entry: exactly one of run / file.
struct SetupStep {
    Location loc;
    Located<Command> run;
    Located<FileStep> file;
};

struct Backoff {
    Located<Millis> initial, max, reset_after;
};

struct StartLimit {
    Located<int64_t> burst;  // 0 = unlimited
    Located<Millis> interval, retry_after;
};

// `healthcheck.test`: CMD list / CMD-SHELL / string / {tcp: PORT}; or the
// `tcp:` key beside test.
struct HealthTest {
    Command command;
    uint16_t tcp_port = 0;  // set for TCP checks
};

struct Healthcheck {
    Location loc;
    Located<HealthTest> test;
    Located<Port> tcp;
    Located<Millis> interval, timeout, start_period;
    Located<int64_t> retries;
};

struct LogFile {
    Located<uint64_t> max_size;
    Located<int64_t> keep;
};

struct LogSyslog {
    Location loc;
    Located<std::string> facility, stdout_level, stderr_level, tag;
};

struct Logging {
    Located<LogFile> file;
    Located<LogSyslog> syslog;
};

struct Service {
    Located<std::string> name;
    Location loc;  // the service's mapping
    Located<Command> command;
    Located<std::string> user;
    Located<std::string> working_dir;
    Located<Environment> environment;
    Located<std::string> restart;
    Located<Backoff> restart_backoff;
    Located<StartLimit> start_limit;
    Located<std::string> stop_signal;
    Located<Millis> stop_grace_period;
    Located<std::vector<Dependency>> depends_on;
    Located<Healthcheck> healthcheck;
    Located<Logging> logging;
};

struct Placement {
    Located<std::vector<Located<std::string>>> hosts;
};

struct Jail {
    Located<std::string> name;
    Location loc;  // the jail's mapping
    Located<std::string> root;
    Located<std::string> base;
    Located<std::string> hostname;
    Located<std::string> profile;
    Located<std::vector<Located<Port>>> ports;
    Located<Limits> limits;
    Located<std::vector<Located<Mount>>> mounts;
    Located<Environment> environment;
    Located<std::string> user;
    Located<std::vector<Dependency>> depends_on;
    Located<bool> autostart;
    Located<std::vector<Located<SetupStep>>> setup;
    Located<std::vector<Service>> services;
    Located<Placement> placement;
};

struct Defaults {
    Located<std::string> profile;
    Located<std::string> base;
    Located<std::string> user;
    Located<bool> autostart;
    Located<Limits> limits;
};

struct Profile {
    Located<std::string> name;
    Location loc;
    Located<std::string> extends;
    Located<std::vector<Located<std::string>>> deny;
    Located<std::string> description;
};

// One manifest file as written.
struct FileManifest {
    Located<int64_t> version;
    Located<std::string> project;
    Located<Defaults> defaults;
    Located<std::vector<Profile>> profiles;
    Located<std::vector<Jail>> jails;
};

// Several files merged into one desired state (load.hpp).  Jails and
// profiles keep file order; the first definition of a duplicated name wins
// (the duplicate is a JM120/JM122 finding).
struct Manifest {
    std::vector<SourcePtr> sources;       // every file read, in load order
    std::string default_project;          // directory name of the first file
    Located<std::string> project;
    Defaults defaults;
    std::vector<Profile> profiles;
    std::vector<Jail> jails;
    std::vector<Located<int64_t>> versions;  // one per file (for JM110)
};

}  // namespace jailmgr::schema
