// bind_bench -- what the port-reservation hook adds to bind(2).
//
// Measures, on the host, as root, in one run:
//   detached   no jailmgr bind hook attached (the baseline)
//   miss       hook attached, binding a port nobody reserved (one map lookup)
//   exempt     hook attached, host root binding a port a jail reserved (the
//              longest path: two lookups, the PID-namespace and uid checks)
// Each sample binds a fresh TCP socket to 127.0.0.1; only bind() is timed.
// Prints ns per bind (median of rounds) and the hook's cost per call.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "driver.hpp"
#include "paths.hpp"

namespace {

constexpr int per_round = 2000;
constexpr int rounds = 15;

// ns per bind() of `count` fresh sockets to 127.0.0.1:`port` (SO_REUSEPORT
// lets all of them share one port, so the port choice alone decides the
// hook's path).
double bind_ns(std::uint16_t port) {
    std::vector<int> fds(per_round);
    for (auto& fd : fds) {
        fd = ::socket(AF_INET, SOCK_DGRAM, 0);
        int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    }
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    auto t0 = std::chrono::steady_clock::now();
    for (int fd : fds)
        if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
            std::perror("bind");
            std::exit(1);
        }
    auto t1 = std::chrono::steady_clock::now();
    for (int fd : fds) ::close(fd);
    return std::chrono::duration<double, std::nano>(t1 - t0).count() / per_round;
}

double median_ns(std::uint16_t port) {
    std::vector<double> v;
    for (int r = 0; r < rounds; ++r) v.push_back(bind_ns(port));
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main() {
    if (::geteuid() != 0) {
        std::fprintf(stderr, "bind_bench: run as root (it attaches the BPF hook)\n");
        return 2;
    }
    namespace fs = std::filesystem;
    if (fs::exists("/sys/fs/bpf/jailmgr"))
        std::fprintf(stderr, "bind_bench: note: other jailmgr instances have hooks attached (/sys/fs/bpf/jailmgr)\n");
    const std::uint16_t free_port = 18590, reserved_port = 18591;

    double detached = median_ns(free_port);

    char tmpl[] = "/tmp/jailmgr-bindbench-XXXXXX";
    fs::path dir = ::mkdtemp(tmpl);
    auto paths = jailmgr::engine::Paths::for_root(dir);
    auto driver = jailmgr::kernel::make_driver(paths.driver_config());
    jailmgr::kernel::JailSpec spec;
    spec.name = "bench";
    spec.root = dir / "root";
    spec.ports = {reserved_port};
    auto id = driver->create(spec);

    double miss = median_ns(free_port);
    double exempt = median_ns(reserved_port);

    driver->destroy(id);
    fs::remove_all(dir);
    double after = median_ns(free_port);

    std::printf("bind() on 127.0.0.1, %d x %d samples, median ns per call\n", rounds, per_round);
    std::printf("  detached (before)          %7.0f ns\n", detached);
    std::printf("  hook, unreserved port      %7.0f ns  (+%.0f ns)\n", miss, miss - detached);
    std::printf("  hook, reserved, host root  %7.0f ns  (+%.0f ns)\n", exempt, exempt - detached);
    std::printf("  detached (after)           %7.0f ns\n", after);
    return 0;
}
