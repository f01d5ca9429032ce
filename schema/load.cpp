#include "load.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <unordered_map>

#include "format_v1.hpp"
#include "yaml_tree.hpp"

namespace jailmgr::schema {

namespace fs = std::filesystem;

namespace {

// Adds a finding that has no position in any manifest (a path problem): it
// gets a SourceFile of its own so that every output format can name it.
void io_problem(LoadResult& r, const std::string& path, const std::string& message) {
    auto src = std::make_shared<const SourceFile>(path, std::string());
    r.manifest.sources.push_back(src);
    r.diagnostics.add(Rule::io_error, {src.get(), 1, 1}, message);
    r.io_error = true;
}

template <class T>
bool same_value(const Located<T>& a, const Located<T>& b) {
    return a.value == b.value;
}

class Merger {
public:
    explicit Merger(LoadResult& r) : r_(r) {}

    void add(FileManifest&& f) {
        r_.manifest.versions.push_back(f.version);
        merge_project(f.project);
        merge_defaults(f.defaults.value);
        for (auto& p : f.profiles.value) {
            auto [it, inserted] = profiles_.emplace(p.name.value, p.name.loc);
            if (!inserted) {
                if (it->second.file != p.name.loc.file) duplicate(Rule::duplicate_profile, "profile", p.name, it->second);
                continue;
            }
            r_.manifest.profiles.push_back(std::move(p));
        }
        for (auto& j : f.jails.value) {
            auto [it, inserted] = jails_.emplace(j.name.value, j.name.loc);
            if (!inserted) {
                if (it->second.file != j.name.loc.file) duplicate(Rule::duplicate_jail, "jail", j.name, it->second);
                continue;
            }
            r_.manifest.jails.push_back(std::move(j));
        }
    }

private:
    void duplicate(Rule rule, const std::string& noun, const Located<std::string>& name, Location first) {
        r_.diagnostics
            .add(rule, name.loc,
                 noun + " '" + name.value + "' is already defined in " + first.str() +
                     "; the same " + noun + " cannot be defined in two files, rename or remove one")
            .related.push_back({first, "first defined here"});
    }

    template <class T>
    void merge_key(Located<T>& into, const Located<T>& from, const char* key) {
        if (!from.present()) return;
        if (!into.present()) {
            into = from;
            return;
        }
        if (!same_value(into, from))
            r_.diagnostics
                .add(Rule::conflicting_toplevel, from.loc,
                     std::string(key) + " is already set to a different value in " + into.loc.str() +
                         "; set it in one file only")
                .related.push_back({into.loc, "first set here"});
    }

    void merge_project(const Located<std::string>& p) { merge_key(r_.manifest.project, p, "project"); }

    void merge_defaults(const Defaults& d) {
        Defaults& into = r_.manifest.defaults;
        merge_key(into.profile, d.profile, "defaults.profile");
        merge_key(into.base, d.base, "defaults.base");
        merge_key(into.user, d.user, "defaults.user");
        merge_key(into.autostart, d.autostart, "defaults.autostart");
        if (d.limits.present()) {
            if (!into.limits.present()) into.limits.loc = d.limits.loc;
            Limits& l = into.limits.value;
            merge_key(l.memory, d.limits->memory, "defaults.limits.memory");
            merge_key(l.cpus, d.limits->cpus, "defaults.limits.cpus");
            merge_key(l.pids, d.limits->pids, "defaults.limits.pids");
            merge_key(l.nofile, d.limits->nofile, "defaults.limits.nofile");
            merge_key(l.core, d.limits->core, "defaults.limits.core");
            merge_key(l.as, d.limits->as, "defaults.limits.as");
        }
    }

    LoadResult& r_;
    std::unordered_map<std::string, Location> jails_;
    std::unordered_map<std::string, Location> profiles_;
};

void add_text(LoadResult& r, Merger& m, std::string name, std::string text) {
    auto src = std::make_shared<const SourceFile>(std::move(name), std::move(text));
    r.manifest.sources.push_back(src);
    if (src->text().size() > max_file_bytes) {
        r.diagnostics.add(Rule::yaml_limit, {src.get(), 1, 1},
                          "file is larger than " + std::to_string(max_file_bytes >> 20) + " MiB; split it");
        return;
    }
    auto doc = yaml::parse(src, r.diagnostics);
    m.add(format::decode_file(*doc, r.diagnostics));
}

bool read_file(const fs::path& p, std::string& out, std::string& error) {
    std::ifstream f(p, std::ios::binary);
    if (!f) {
        error = std::string("cannot open: ") + std::strerror(errno);
        return false;
    }
    std::error_code ec;
    auto size = fs::file_size(p, ec);
    if (!ec && size > max_file_bytes) {
        out.assign(max_file_bytes + 1, '\0');  // reported as too large by add_text
        return true;
    }
    if (!ec) {
        out.resize(size);
        f.read(out.data(), static_cast<std::streamsize>(size));
        out.resize(static_cast<size_t>(f.gcount()));
        // A file that grew while we read it: take the rest too.
        out.append(std::istreambuf_iterator<char>(f), {});
    } else {
        out.assign(std::istreambuf_iterator<char>(f), {});  // pipes, /dev/stdin
    }
    if (f.bad()) {
        error = std::string("read error: ") + std::strerror(errno);
        return false;
    }
    return true;
}

std::string dir_name_of(const fs::path& file) {
    std::error_code ec;
    fs::path abs = fs::absolute(file, ec);
    if (ec) return {};
    return abs.parent_path().filename().string();
}

}  // namespace

LoadResult load(const std::vector<std::string>& paths, std::istream& in) {
    LoadResult r;
    Merger m(r);
    for (const std::string& path : paths) {
        if (path == "-") {
            std::string text(std::istreambuf_iterator<char>(in), {});
            std::error_code ec;
            fs::path cwd = fs::current_path(ec);
            if (r.manifest.default_project.empty() && !ec) r.manifest.default_project = cwd.filename().string();
            add_text(r, m, "<stdin>", std::move(text));
            continue;
        }
        std::error_code ec;
        auto st = fs::status(path, ec);
        if (ec || !fs::exists(st)) {
            io_problem(r, path, "no such file or directory; check the -f argument");
            continue;
        }
        std::vector<fs::path> files;
        if (fs::is_directory(st)) {
            for (auto it = fs::directory_iterator(path, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
                std::string fn = it->path().filename().string();
                std::string ext = it->path().extension().string();
                if (fn.empty() || fn[0] == '.' || (ext != ".yaml" && ext != ".yml")) continue;
                if (!it->is_regular_file(ec)) continue;
                files.push_back(it->path());
            }
            if (ec) {
                io_problem(r, path, "cannot list directory: " + ec.message());
                continue;
            }
            if (files.empty()) {
                io_problem(r, path, "directory holds no *.yaml or *.yml files");
                continue;
            }
            std::sort(files.begin(), files.end());
        } else {
            files.push_back(path);
        }
        for (const auto& f : files) {
            std::string text, error;
            if (!read_file(f, text, error)) {
                io_problem(r, f.string(), error);
                continue;
            }
            if (r.manifest.default_project.empty()) r.manifest.default_project = dir_name_of(f);
            add_text(r, m, f.string(), std::move(text));
        }
    }
    return r;
}

LoadResult load(const std::vector<std::string>& paths) { return load(paths, std::cin); }

LoadResult load_text(std::string name, std::string text) {
    LoadResult r;
    Merger m(r);
    add_text(r, m, std::move(name), std::move(text));
    return r;
}

}  // namespace jailmgr::schema
