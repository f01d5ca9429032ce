#include "control.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sys/error.hpp"

namespace jailmgr::engine::supervisor {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

sockaddr_un address(const fs::path& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.string().size() >= sizeof addr.sun_path)
        throw sys::SysError("socket path " + path.string() + " is too long", ENAMETOOLONG);
    std::strcpy(addr.sun_path, path.c_str());
    return addr;
}

}  // namespace

ControlServer::ControlServer(EventLoop& loop, fs::path path, Handler handler)
    : loop_(loop), path_(std::move(path)), handler_(std::move(handler)) {
    listener_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!listener_) sys::throw_errno("socket");
    auto addr = address(path_);
    ::unlink(path_.c_str());
    if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        sys::throw_errno("bind " + path_.string());
    if (::chmod(path_.c_str(), 0600) != 0) sys::throw_errno("chmod " + path_.string());
    if (::listen(listener_.get(), 16) != 0) sys::throw_errno("listen " + path_.string());
    loop_.add(listener_.get(), EPOLLIN, [this](std::uint32_t) { on_accept(); });
}

ControlServer::~ControlServer() {
    for (auto& [fd, c] : clients_) loop_.remove(fd);
    loop_.remove(listener_.get());
    ::unlink(path_.c_str());
}

void ControlServer::on_accept() {
    for (;;) {
        sys::unique_fd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd) return;  // EAGAIN, or a client that went away
        ucred cred{};
        socklen_t len = sizeof cred;
        auto c = std::make_unique<Client>();
        if (::getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || cred.uid != 0) {
            std::string msg = json{{"ok", false}, {"error", "permission denied: only root may use this socket"}}.dump() + "\n";
            (void)!::send(fd.get(), msg.data(), msg.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            continue;
        }
        if (clients_.size() >= max_clients) continue;  // closed: try again later
        int raw = fd.get();
        c->fd = std::move(fd);
        clients_[raw] = std::move(c);
        loop_.add(raw, EPOLLIN, [this, raw](std::uint32_t ev) { on_client(raw, ev); });
    }
}

void ControlServer::drop(int fd) {
    loop_.remove(fd);
    clients_.erase(fd);
}

void ControlServer::send(Client& c, const json& response) {
    c.out += response.dump();
    c.out += '\n';
    if (c.out.size() > max_pending) {
        drop(c.fd.get());
        return;
    }
    loop_.modify(c.fd.get(), EPOLLIN | EPOLLOUT);
}

void ControlServer::on_client(int fd, std::uint32_t events) {
    auto it = clients_.find(fd);
    if (it == clients_.end()) return;
    Client& c = *it->second;
    if (events & EPOLLOUT) {
        while (!c.out.empty()) {
            ssize_t n = ::send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR) break;
                drop(fd);
                return;
            }
            c.out.erase(0, static_cast<size_t>(n));
        }
        if (c.out.empty()) loop_.modify(fd, EPOLLIN);
    }
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
    char buf[8192];
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        drop(fd);
        return;
    }
    if (n < 0) return;
    c.in.append(buf, static_cast<size_t>(n));
    size_t nl;
    while ((nl = c.in.find('\n')) != std::string::npos) {
        std::string line = c.in.substr(0, nl);
        c.in.erase(0, nl + 1);
        json request = json::parse(line, nullptr, false);
        json response;
        if (request.is_discarded() || !request.is_object()) {
            response = {{"ok", false}, {"error", "request is not a JSON object"}};
        } else {
            try {
                response = handler_(request);
            } catch (const std::exception& e) {
                response = {{"ok", false}, {"error", e.what()}};
            }
        }
        // The handler may have dropped this client (shutdown); look again.
        if (!clients_.count(fd)) return;
        send(c, response);
        if (!clients_.count(fd)) return;
    }
    if (c.in.size() > max_request) {
        send(c, json{{"ok", false}, {"error", "request too long"}});
        drop(fd);
    }
}

namespace {

sys::unique_fd connect_to(const fs::path& socket) {
    sys::unique_fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) sys::throw_errno("socket");
    auto addr = address(socket);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        sys::throw_errno("connect " + socket.string());
    return fd;
}

// Reads until a full line (or EOF) arrives; returns false at EOF.
bool read_line(int fd, std::string& buf, std::string& line, std::chrono::steady_clock::time_point deadline,
               const fs::path& socket) {
    for (;;) {
        size_t nl = buf.find('\n');
        if (nl != std::string::npos) {
            line = buf.substr(0, nl);
            buf.erase(0, nl + 1);
            return true;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw sys::SysError("no answer on " + socket.string(), ETIMEDOUT);
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(left.count()));
        if (r < 0 && errno != EINTR) sys::throw_errno("poll " + socket.string());
        if (r <= 0) continue;
        char chunk[65536];
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) sys::throw_errno("read " + socket.string());
        if (n == 0) return false;
        buf.append(chunk, static_cast<size_t>(n));
    }
}

void send_all(int fd, const std::string& data, const fs::path& socket) {
    size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) sys::throw_errno("write " + socket.string());
        off += static_cast<size_t>(n);
    }
}

}  // namespace

json control_request(const fs::path& socket, const json& request, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    auto fd = connect_to(socket);
    send_all(fd.get(), request.dump() + "\n", socket);
    std::string buf, line;
    if (!read_line(fd.get(), buf, line, deadline, socket))
        throw sys::SysError("the supervisor closed " + socket.string() + " without answering", ECONNRESET);
    auto response = json::parse(line, nullptr, false);
    if (response.is_discarded()) throw std::runtime_error("invalid answer on " + socket.string());
    return response;
}

void control_stop(const fs::path& socket, bool wait, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    auto fd = connect_to(socket);
    send_all(fd.get(), json{{"cmd", "stop"}}.dump() + "\n", socket);
    std::string buf, line;
    if (!read_line(fd.get(), buf, line, deadline, socket)) return;  // already exiting
    auto response = json::parse(line, nullptr, false);
    if (response.is_discarded() || !response.value("ok", false))
        throw std::runtime_error("stop refused on " + socket.string() + ": " + line);
    if (!wait) return;
    while (read_line(fd.get(), buf, line, deadline, socket)) {
    }
}

}  // namespace jailmgr::engine::supervisor
