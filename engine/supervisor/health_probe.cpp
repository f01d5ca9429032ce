#include "health_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

namespace jailmgr::engine::supervisor {

ConnectStatus tcp_probe_start(std::uint16_t port, sys::unique_fd& socket, int& error) {
    socket.reset(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!socket) {
        error = errno;
        return ConnectStatus::failed;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(socket.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        socket.reset();
        return ConnectStatus::connected;
    }
    if (errno == EINPROGRESS) return ConnectStatus::in_progress;
    error = errno;
    socket.reset();
    return ConnectStatus::failed;
}

int tcp_probe_result(int socket) {
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(socket, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
    return err;
}

}  // namespace jailmgr::engine::supervisor
