// control.hpp -- the supervisor's control socket: a unix stream socket,
// newline-delimited JSON, one response line per request line.
//
//   {"cmd":"status"}                      -> {"ok":true,"status":{...}}
//   {"cmd":"stop"}                        -> {"ok":true}; the connection closes when the supervisor exits
//   {"cmd":"stop","service":"web"}        -> stop one service (it stays down)
//   {"cmd":"start","service":"web"}       -> start a stopped, exited or failed service
//   {"cmd":"restart","service":"web"}     -> stop it if running, start it again without backoff
//   {"cmd":"reload","spec":{...}}         -> apply a new service set (same jail)
//   anything wrong                        -> {"ok":false,"error":"..."}
//
// Only root may talk to it: the directory is 0700, and every connection's
// SO_PEERCRED uid is checked.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "event_loop.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::engine::supervisor {

class ControlServer {
public:
    using Handler = std::function<nlohmann::json(const nlohmann::json& request)>;

    // Binds `path` (replacing a stale socket: the caller holds the jail's
    // supervisor lock) with mode 0600.  Throws sys::SysError.
    ControlServer(EventLoop& loop, std::filesystem::path path, Handler handler);
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    static constexpr std::size_t max_request = 4u << 20;   // bytes in one request line
    static constexpr std::size_t max_pending = 16u << 20;  // unread response bytes before we give up on a client
    static constexpr std::size_t max_clients = 64;

private:
    struct Client {
        sys::unique_fd fd;
        std::string in, out;
    };
    void on_accept();
    void on_client(int fd, std::uint32_t events);
    void send(Client& c, const nlohmann::json& response);
    void drop(int fd);

    EventLoop& loop_;
    std::filesystem::path path_;
    Handler handler_;
    sys::unique_fd listener_;
    std::map<int, std::unique_ptr<Client>> clients_;
};

// One request, one response.  Throws std::runtime_error naming the socket.
nlohmann::json control_request(const std::filesystem::path& socket, const nlohmann::json& request,
                               std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Asks the supervisor to stop; with `wait`, returns once it has exited
// (every process of the jail is gone) or throws at the timeout.
void control_stop(const std::filesystem::path& socket, bool wait,
                  std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace jailmgr::engine::supervisor
