#include "linux_driver.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <functional>

#include "create_check.hpp"
#include "jail_cgroups.hpp"
#include "jail_init.hpp"
#include "jail_instance.hpp"
#include "landlock.hpp"
#include "linux_session.hpp"
#include "port_hook.hpp"
#include "root_plan.hpp"
#include "seccomp_filter.hpp"
#include "user_db.hpp"

namespace jailmgr::kernel {

namespace lnx {

namespace {

constexpr auto empty_timeout = std::chrono::seconds(5);

std::string label(const JailRecord& r) { return "jail '" + r.spec.name + "'"; }

// Undo actions run in reverse unless commit() was reached.  An undo that
// fails is logged and the rest still run: leave as little behind as we can.
class Undo {
public:
    void add(std::string what, std::function<void()> action) { steps_.emplace_back(std::move(what), std::move(action)); }
    void commit() { steps_.clear(); }
    ~Undo() {
        for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) {
            try {
                it->second();
            } catch (const std::exception& e) {
                spdlog::error("undo {}: {}", it->first, e.what());
            }
        }
    }

private:
    std::vector<std::pair<std::string, std::function<void()>>> steps_;
};

std::string procs_phrase(std::uint64_t n) {
    return std::to_string(n) + (n == 1 ? " process remains" : " processes remain");
}

}  // namespace

LinuxDriver::LinuxDriver(const DriverConfig& config)
    : config_(config),
      registry_(config.run_dir),
      ids_(config.state_dir, config.sync_each_write),
      cgfs_(std::make_shared<CgroupFs>()),
      reserved_() {}

const CgroupLayout& LinuxDriver::layout() {
    std::lock_guard guard(lazy_);
    if (!layout_) layout_ = CgroupLayout::detect(*cgfs_);
    return *layout_;
}

PortHolder LinuxDriver::holder_of(const JailRecord& rec) const {
    return PortHolder{config_.instance, rec.id, rec.spec.name, registry_.record_path(rec.id)};
}

Capabilities LinuxDriver::capabilities() const {
    if (landlock_abi() < 6)
        spdlog::warn("Landlock scoping is unavailable on this kernel (ABI {}): medium/high jails run without it",
                     landlock_abi());
    return Capabilities{"linux", true, true, true, true};
}

JailRecord LinuxDriver::load_or_throw(JailId id) const {
    auto rec = registry_.load(id);
    if (!rec) throw DriverError(Errc::not_found, "no jail '" + std::to_string(id) + "'");
    return *rec;
}

JailId LinuxDriver::create(const JailSpec& spec) {
    check_linux_fields(spec);
    auto lock = registry_.lock();
    auto records = registry_.load_all();
    const JailId id = check_create(spec, records, ids_.next());
    // Persisted before any object exists: a failed create still uses up its
    // ID, so IDs are never handed out twice.
    ids_.store(std::uint64_t{id} + 1);

    JailRecord rec;
    rec.id = id;
    rec.spec = spec;
    rec.created = std::chrono::system_clock::now();
    const std::string who = label(rec);
    Undo undo;
    try {
        auto created = prepare_root(spec);
        undo.add("jail root", [created] { undo_prepare(created); });

        rec.cgroups = create_jail_cgroups(*cgfs_, layout(), config_.instance, spec.name);
        undo.add("cgroups", [this, cg = rec.cgroups] { remove_jail_cgroups(*cgfs_, cg); });
        apply_cgroup_limits(*cgfs_, rec.cgroups, spec.limits, spec.name);
        rec.cgroup_id = cgroup_id(rec.cgroups);

        auto hook = PortHook::open_or_create(config_.instance, rec.cgroups.v2_root);
        undo.add("bind hook", [this, cgid = rec.cgroup_id, ports = spec.ports] {
            if (auto h = PortHook::open(config_.instance)) {
                h->remove_jail(cgid, ports);
                if (h->unused()) h->unpin();
            }
        });
        hook.add_jail(rec.cgroup_id, id, spec.name, spec.ports);

        reserved_.reserve(holder_of(rec), spec.ports);
        undo.add("reserved ports", [this, holder = holder_of(rec)] { reserved_.release(holder); });

        registry_.store(rec);
    } catch (const DriverError&) {
        throw;
    } catch (const std::exception& e) {
        throw DriverError(Errc::system, who + ": create: " + e.what());
    }
    undo.commit();
    spdlog::info("{} created (id {})", who, id);
    return id;
}

void LinuxDriver::destroy(JailId id, bool force) {
    auto lock = registry_.lock();
    JailRecord rec = load_or_throw(id);
    const std::string who = label(rec);
    try {
        auto usage = read_cgroup_usage(*cgfs_, rec.cgroups);
        // Zombies alone are usually on their way out (an instance that just
        // ended, reaped by the host's init): give them a moment.
        for (int i = 0; i < 50 && !force && usage.procs_live == 0 && usage.procs_zombie > 0; ++i) {
            ::usleep(10000);
            usage = read_cgroup_usage(*cgfs_, rec.cgroups);
        }
        std::uint64_t remaining = usage.procs_live + usage.procs_zombie;
        if (remaining > 0 && !force)
            throw DriverError(Errc::busy,
                              who + " is busy: " + procs_phrase(remaining) + " (stop them first, or destroy --force)",
                              EBUSY);
        if (usage.procs_live > 0 || open_init(registry_, rec)) {
            kill_cgroup(*cgfs_, rec.cgroups);
            if (!wait_cgroup_empty(*cgfs_, rec.cgroups, empty_timeout))
                throw DriverError(Errc::busy, who + ": processes survived cgroup.kill for 5 s; try again", EBUSY);
        }
        if (auto hook = PortHook::open(config_.instance)) {
            hook->remove_jail(rec.cgroup_id, rec.spec.ports);
            if (hook->unused()) hook->unpin();
        }
        reserved_.release(holder_of(rec));
        remove_jail_cgroups(*cgfs_, rec.cgroups);
        // Last: until the record is gone, a failed destroy can be retried.
        registry_.remove(id);
    } catch (const DriverError&) {
        throw;
    } catch (const std::exception& e) {
        throw DriverError(Errc::system, who + ": destroy: " + e.what());
    }
    spdlog::info("{} destroyed", who);
}

JailInfo LinuxDriver::info_of(const JailRecord& rec, const std::optional<PortHook>& hook) {
    JailInfo info;
    info.id = rec.id;
    info.spec = rec.spec;
    info.created = rec.created;
    info.age_seconds =
        std::chrono::duration<double>(std::chrono::system_clock::now() - rec.created).count();
    auto usage = read_cgroup_usage(*cgfs_, rec.cgroups);
    info.procs_live = usage.procs_live;
    info.procs_zombie = usage.procs_zombie;
    info.cpu_seconds = static_cast<double>(usage.cpu_ns) / 1e9;
    info.memory_bytes = usage.memory_bytes;
    info.running = open_init(registry_, rec).has_value();
    // Seccomp denials are not counted on Linux (see seccomp_filter.hpp): only
    // the bind hook counts, per jail.
    if (hook) info.denied_network = hook->denied(rec.cgroup_id);
    return info;
}

std::vector<JailInfo> LinuxDriver::list() {
    std::vector<JailInfo> out;
    auto records = registry_.load_all();
    std::optional<PortHook> hook;
    if (!records.empty()) hook = PortHook::open(config_.instance);  // once, not per jail
    for (const auto& rec : records) out.push_back(info_of(rec, hook));
    return out;
}

std::vector<JailInfo> LinuxDriver::list_specs() {
    std::vector<JailInfo> out;
    for (auto& rec : registry_.load_all()) {
        JailInfo info;
        info.id = rec.id;
        info.spec = std::move(rec.spec);
        info.created = rec.created;
        info.age_seconds = std::chrono::duration<double>(std::chrono::system_clock::now() - rec.created).count();
        out.push_back(std::move(info));
    }
    return out;
}

void LinuxDriver::sync() { ids_.sync(); }

std::optional<JailInfo> LinuxDriver::find(JailId id) {
    auto rec = registry_.load(id);
    if (!rec) return std::nullopt;
    return info_of(*rec, PortHook::open(config_.instance));
}

std::optional<JailInfo> LinuxDriver::find(std::string_view name) {
    for (const auto& rec : registry_.load_all())
        if (rec.spec.name == name) return info_of(rec, PortHook::open(config_.instance));
    return std::nullopt;
}

void LinuxDriver::update_limits(JailId id, const Limits& limits) {
    auto lock = registry_.lock();
    JailRecord rec = load_or_throw(id);
    JailSpec changed = rec.spec;
    changed.limits = limits;
    check_linux_fields(changed);
    try {
        apply_cgroup_limits(*cgfs_, rec.cgroups, limits, rec.spec.name);
    } catch (const DriverError&) {
        throw;
    } catch (const std::exception& e) {
        throw DriverError(Errc::system, label(rec) + ": update limits: " + e.what());
    }
    rec.spec.limits = limits;
    registry_.store(rec);
}

std::unique_ptr<Session> LinuxDriver::attach(JailId id, Attach mode) {
    auto lock = registry_.lock();
    JailRecord rec = load_or_throw(id);
    const std::string who = label(rec);
    auto init = open_init(registry_, rec);
    if (init && mode == Attach::start)
        throw DriverError(Errc::busy, who + " is already running (another session owns it)", EBUSY);
    if (!init && mode == Attach::join)
        throw DriverError(Errc::not_running,
                          who + " is not running (start it with jailctl exec, or let its supervisor start it)");
    bool owner = false;
    auto profile = compile_profile(rec.spec.profile, rec.spec.deny_extra);
    auto seccomp = compile_seccomp_cached(profile.seccomp, config_.run_dir / "cache");
    if (!init) {
        try {
            int program;
            {
                std::lock_guard guard(lazy_);
                if (!init_program_) init_program_ = init_program_fd();
                program = init_program_.get();
            }
            init = start_instance(registry_, rec, profile, compile_init_seccomp(config_.run_dir / "cache"), program);
        } catch (const DriverError&) {
            throw;
        } catch (const std::exception& e) {
            throw DriverError(Errc::system, who + ": start: " + e.what());
        }
        owner = true;
    }
    return std::make_unique<LinuxSession>(registry_, cgfs_, std::move(rec), std::move(*init), owner, std::move(profile),
                                          std::move(seccomp));
}

Credentials LinuxDriver::resolve_user(JailId id, std::string_view user) {
    JailRecord rec = load_or_throw(id);
    return resolve_user_in_root(rec.spec.root, user);
}

}  // namespace lnx

std::unique_ptr<Driver> make_driver(const DriverConfig& config) { return std::make_unique<lnx::LinuxDriver>(config); }

}  // namespace jailmgr::kernel
