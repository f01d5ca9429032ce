// telemetry_fixture.hpp -- what the telemetry end-to-end tests share: a
// jailmgr project in its own Instance, child processes (the exporter,
// Prometheus) that are always stopped, a real HTTP client, and the
// exposition parsed by python3-prometheus-client.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fixture.hpp"

namespace jailmgr::test {

std::string jailmgr_path();
// A directory of the source tree (tests/integration, examples/...), from
// the environment meson sets.
std::string source_root();

// A child process with stdout and stderr in a file; SIGTERM then SIGKILL
// and reaped when destroyed, whatever the test did.
class Child {
public:
    Child(std::vector<std::string> argv, const std::string& log_file);
    ~Child();
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    pid_t pid() const { return pid_; }
    std::string log() const;
    // Waits until the log contains `needle`; false on timeout or exit.
    bool wait_for_log(const std::string& needle, std::chrono::milliseconds timeout) const;
    // SIGTERM, and the exit status (code, or -signal) once it has gone.
    int stop();

private:
    pid_t pid_ = -1;
    std::string log_file_;
};

// A jailmgr project: manifests in the Instance's directory, the CLI pointed
// at its root.  Destroying it runs `jailmgr down`, kills any supervisor that
// is left, and then the Instance checks that nothing remains on the host.
struct TelemetryProject {
    Instance inst;
    std::filesystem::path manifest = inst.dir / "jails.yaml";

    ~TelemetryProject();
    void write(const std::string& yaml) const;
    CliResult jailmgr(std::vector<std::string> args) const;
    // `jailmgr exporter --listen 127.0.0.1:0 -f <manifest>`; port() once up.
    std::unique_ptr<Child> start_exporter(int* port) const;
};

// One HTTP GET with libcurl.  status is the HTTP status (0 if nothing answered).
std::string http_get(const std::string& url, long* status = nullptr);
std::string url_escape(const std::string& s);

// A loopback TCP port nothing listens on right now.
int free_port();

// Runs argv with stdin from /dev/null; code, stdout and stderr.
CliResult run_program(const std::vector<std::string>& argv);

// One sample of a scrape, as python3-prometheus-client parsed it.
struct Sample {
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0;
};

struct Exposition {
    std::string text;
    std::vector<Sample> samples;
    std::map<std::string, std::string> types;  // family name -> type, as the parser saw it
    // Samples named `name` whose labels include all of `labels`.
    std::vector<Sample> find(const std::string& name, const std::map<std::string, std::string>& labels = {}) const;
    // The value of the only such sample; nullopt when there is none, and a
    // test failure when there are several.
    std::optional<double> value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const;
};

// Parses the exposition text with python3-prometheus-client; a parse error
// fails the calling test with the parser's message.
Exposition parse_exposition(const std::string& text, const std::filesystem::path& scratch);

}  // namespace jailmgr::test
