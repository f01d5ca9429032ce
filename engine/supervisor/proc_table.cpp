#include "proc_table.hpp"

#include <dirent.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "sys/files.hpp"

namespace jailmgr::engine::supervisor {

namespace {

bool parse_stat(const std::string& text, ProcInfo& p) {
    // "pid (comm) S ppid pgrp session ..." -- comm may hold spaces and ')'.
    auto open = text.find('(');
    auto close = text.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) return false;
    p.comm = text.substr(open + 1, close - open - 1);
    std::istringstream in(text.substr(close + 2));
    std::string field;
    std::vector<std::string> f;
    while (in >> field && f.size() < 15) f.push_back(field);
    if (f.size() < 13) return false;
    // f[0] = state (field 3), f[1] = ppid, f[2] = pgrp, f[3] = session,
    // f[11] = utime (field 14), f[12] = stime.
    p.state = f[0][0];
    p.ppid = static_cast<pid_t>(std::atol(f[1].c_str()));
    p.pgid = static_cast<pid_t>(std::atol(f[2].c_str()));
    p.sid = static_cast<pid_t>(std::atol(f[3].c_str()));
    static const long ticks = ::sysconf(_SC_CLK_TCK);
    p.cpu_seconds = static_cast<double>(std::atoll(f[11].c_str()) + std::atoll(f[12].c_str())) /
                    static_cast<double>(ticks > 0 ? ticks : 100);
    return true;
}

}  // namespace

std::vector<ProcInfo> read_processes() {
    std::vector<ProcInfo> out;
    DIR* d = ::opendir("/proc");
    if (!d) return out;
    while (dirent* e = ::readdir(d)) {
        char* end;
        long pid = std::strtol(e->d_name, &end, 10);
        if (*end != '\0' || pid <= 0) continue;
        std::string base = std::string("/proc/") + e->d_name;
        ProcInfo p;
        p.pid = static_cast<pid_t>(pid);
        try {
            auto stat_text = sys::read_file_if_exists(base + "/stat");
            if (!stat_text || !parse_stat(*stat_text, p)) continue;
            struct stat st;
            if (::stat(base.c_str(), &st) != 0) continue;
            p.uid = st.st_uid;
            auto cmdline = sys::read_file_if_exists(base + "/cmdline").value_or("");
            while (!cmdline.empty() && cmdline.back() == '\0') cmdline.pop_back();
            std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
            p.cmd = cmdline.empty() ? "[" + p.comm + "]" : cmdline;
        } catch (const std::exception&) {
            continue;  // gone while we looked
        }
        out.push_back(std::move(p));
    }
    ::closedir(d);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.pid < b.pid; });
    return out;
}

std::vector<ProcInfo> session_members(const std::vector<ProcInfo>& all, pid_t leader) {
    std::vector<ProcInfo> out;
    for (const auto& p : all)
        if (p.sid == leader || p.pid == leader) out.push_back(p);
    return out;
}

std::string format_cpu_time(double seconds) {
    long s = static_cast<long>(seconds);
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

std::string user_name(uid_t uid) {
    char buf[4096];
    passwd pw, *res = nullptr;
    if (::getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res) return pw.pw_name;
    return std::to_string(uid);
}

}  // namespace jailmgr::engine::supervisor
