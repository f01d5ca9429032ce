// fuzz_lint -- libFuzzer target: load + validate + render + resolve on
// arbitrary bytes.  Must never crash, hang, leak or throw; a manifest that
// lints clean must resolve, and resolving twice must give the same hashes.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "render.hpp"
#include "resolve.hpp"
#include "validate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace jailmgr::schema;
    std::string text(reinterpret_cast<const char*>(data), size);
    LintResult r = lint_text("fuzz.yaml", std::move(text));
    std::ostringstream sink;
    for (auto f : {OutputFormat::text, OutputFormat::json, OutputFormat::sarif, OutputFormat::github})
        render(sink, r.diagnostics, f, {false, 1, "fuzz"});
    if (!r.diagnostics.has_errors()) {
        DesiredState a = resolve(r.loaded.manifest, "/var/lib/jailmgr");
        DesiredState b = resolve(r.loaded.manifest, "/var/lib/jailmgr");
        if (a.jails.size() != b.jails.size()) __builtin_trap();
        for (size_t i = 0; i < a.jails.size(); ++i)
            if (a.jails[i].hash != b.jails[i].hash) __builtin_trap();
        (void)a.start_order();
    }
    return 0;
}
