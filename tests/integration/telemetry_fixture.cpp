#include "telemetry_fixture.hpp"

#include <curl/curl.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "sys/error.hpp"
#include "sys/files.hpp"

namespace jailmgr::test {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

std::string jailmgr_path() {
    const char* p = std::getenv("JAILMGR");
    if (!p || !*p) throw std::runtime_error("JAILMGR is not set (run the tests through meson)");
    return p;
}

std::string source_root() {
    const char* p = std::getenv("SOURCE_ROOT");
    if (!p || !*p) throw std::runtime_error("SOURCE_ROOT is not set (run the tests through meson)");
    return p;
}

namespace {

pid_t spawn(const std::vector<std::string>& args, const std::string& out, const std::string& err) {
    pid_t pid = ::fork();
    if (pid < 0) sys::throw_errno("fork");
    if (pid == 0) {
        ::setpgid(0, 0);
        int n = ::open("/dev/null", O_RDONLY);
        int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = err == out ? o : ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(n, 0);
        ::dup2(o, 1);
        ::dup2(e, 2);
        std::vector<std::string> copy = args;
        std::vector<char*> argv;
        for (auto& a : copy) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    return pid;
}

int wait_status(pid_t pid, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    for (;;) {
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
        if (r < 0 && errno != EINTR) return -1000;
        if (std::chrono::steady_clock::now() > deadline) return -2000;
        std::this_thread::sleep_for(10ms);
    }
}

size_t append(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

}  // namespace

Child::Child(std::vector<std::string> argv, const std::string& log_file) : log_file_(log_file) {
    pid_ = spawn(argv, log_file, log_file);
}

Child::~Child() {
    if (pid_ > 0) stop();
}

std::string Child::log() const { return sys::read_file_if_exists(log_file_).value_or(""); }

bool Child::wait_for_log(const std::string& needle, std::chrono::milliseconds timeout) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (log().find(needle) != std::string::npos) return true;
        int status;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) return false;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

int Child::stop() {
    if (pid_ <= 0) return -1000;
    ::kill(pid_, SIGTERM);
    int code = wait_status(pid_, 10s);
    if (code == -2000) {
        ::kill(pid_, SIGKILL);
        code = wait_status(pid_, 10s);
    }
    pid_ = -1;
    return code;
}

TelemetryProject::~TelemetryProject() {
    auto status = jailmgr({"status", "--output", "json"});
    bool has_jails = status.code != 0 || !json::parse(status.out, nullptr, false).value("jails", json::array()).empty();
    if (has_jails && fs::exists(manifest)) {
        auto r = jailmgr({"down", "-f", manifest.string()});
        if (r.code != 0) MESSAGE("cleanup: jailmgr down: " << r.out << r.err);
    }
    // Whatever down could not stop: a supervisor's jail dies with it.
    std::error_code ec;
    for (auto& e : fs::directory_iterator(inst.paths.run_dir / "supervisors", ec)) {
        if (e.path().extension() != ".pid") continue;
        auto text = sys::read_file_if_exists(e.path());
        if (!text) continue;
        pid_t pid = std::atoi(text->c_str());
        if (pid > 1 && ::kill(pid, SIGKILL) == 0) MESSAGE("cleanup: killed supervisor " << pid);
        for (int i = 0; i < 500 && pid > 1 && ::kill(pid, 0) == 0; ++i) ::usleep(10000);
    }
}

void TelemetryProject::write(const std::string& yaml) const { sys::write_file_atomic(manifest, yaml); }

CliResult TelemetryProject::jailmgr(std::vector<std::string> args) const {
    return run_cli(jailmgr_path(), inst, std::move(args));
}

std::unique_ptr<Child> TelemetryProject::start_exporter(int* port) const {
    auto child = std::make_unique<Child>(
        std::vector<std::string>{jailmgr_path(), "--root-dir", inst.dir.string(), "exporter", "--listen",
                                 "127.0.0.1:0", "-f", manifest.string()},
        (inst.dir / "exporter.log").string());
    const std::string prefix = "jailmgr exporter: serving http://127.0.0.1:";
    REQUIRE_MESSAGE(child->wait_for_log("/metrics\n", 20s), "the exporter did not start: " << child->log());
    auto log = child->log();
    auto at = log.find(prefix);
    REQUIRE_MESSAGE(at != std::string::npos, log);
    *port = std::atoi(log.c_str() + at + prefix.size());
    REQUIRE(*port > 0);
    return child;
}

std::string http_get(const std::string& url, long* status) {
    std::string body;
    CURL* c = curl_easy_init();
    REQUIRE(c);
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    long code = 0;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(c);
    if (status) *status = code;
    return body;
}

std::string url_escape(const std::string& s) {
    CURL* c = curl_easy_init();
    char* e = curl_easy_escape(c, s.c_str(), static_cast<int>(s.size()));
    std::string out = e;
    curl_free(e);
    curl_easy_cleanup(c);
    return out;
}

int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) sys::throw_errno("bind 127.0.0.1:0");
    socklen_t len = sizeof sa;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    ::close(fd);
    return ntohs(sa.sin_port);
}

CliResult run_program(const std::vector<std::string>& argv) {
    char dir[] = "/tmp/jailmgr-run-XXXXXX";
    if (!::mkdtemp(dir)) sys::throw_errno("mkdtemp");
    std::string out = std::string(dir) + "/out", err = std::string(dir) + "/err";
    pid_t pid = spawn(argv, out, err);
    CliResult r;
    r.code = wait_status(pid, std::chrono::minutes(2));
    r.out = sys::read_file_if_exists(out).value_or("");
    r.err = sys::read_file_if_exists(err).value_or("");
    fs::remove_all(dir);
    return r;
}

std::vector<Sample> Exposition::find(const std::string& name, const std::map<std::string, std::string>& labels) const {
    std::vector<Sample> out;
    for (auto& s : samples) {
        if (s.name != name) continue;
        bool all = true;
        for (auto& [k, v] : labels) {
            auto it = s.labels.find(k);
            all = all && it != s.labels.end() && it->second == v;
        }
        if (all) out.push_back(s);
    }
    return out;
}

std::optional<double> Exposition::value(const std::string& name, const std::map<std::string, std::string>& labels) const {
    auto found = find(name, labels);
    CHECK_MESSAGE(found.size() <= 1, name << " matches " << found.size() << " samples");
    if (found.empty()) return std::nullopt;
    return found.front().value;
}

Exposition parse_exposition(const std::string& text, const fs::path& scratch) {
    fs::path file = scratch / "scrape.prom";
    sys::write_file_atomic(file, text);
    auto r = run_program({"/usr/bin/python3", source_root() + "/tests/integration/parse_exposition.py", file.string()});
    INFO(r.err);
    REQUIRE_MESSAGE(r.code == 0, "python3-prometheus-client rejected the exposition:\n" << text);
    auto j = json::parse(r.out);
    Exposition e;
    e.text = text;
    for (auto& [name, type] : j["types"].items()) e.types[name] = type.get<std::string>();
    for (auto& s : j["samples"]) {
        double value = s[2].is_string() ? std::strtod(s[2].get<std::string>().c_str(), nullptr) : s[2].get<double>();
        e.samples.push_back({s[0].get<std::string>(), s[1].get<std::map<std::string, std::string>>(), value});
    }
    return e;
}

}  // namespace jailmgr::test
