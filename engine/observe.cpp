#include "observe.hpp"

namespace jailmgr::engine {

Observed observe(kernel::Driver& driver, const StateStore& store, Supervisors& supervisors, bool usage) {
    Observed o;
    for (auto& info : usage ? driver.list() : driver.list_specs()) o.jails[info.spec.name].kernel = std::move(info);
    for (auto& [name, rec] : store.load_all()) {
        auto& j = o.jails[name];
        // A record naming another kernel jail ID than the one now holding the
        // name describes a jail that no longer exists: someone destroyed ours
        // and created another under the same name.  That jail is not ours.
        if (j.kernel && rec.id != 0 && j.kernel->id != rec.id) {
            j.applied.reset();
            continue;
        }
        j.applied = rec;
    }
    for (auto& [name, j] : o.jails) j.supervisor = supervisors.observe(name);
    return o;
}

}  // namespace jailmgr::engine
