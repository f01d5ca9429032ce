// source.hpp -- manifest text and positions in it.
//
// Every value loaded from a manifest remembers where it was written: a
// Location names the SourceFile, a 1-based line and a 1-based column.  The
// SourceFile objects are owned by the Manifest (and shared with the
// DesiredState built from it), so a Location stays valid for as long as the
// object that handed it out.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace jailmgr::schema {

class SourceFile {
public:
    SourceFile(std::string name, std::string text);

    // The name shown in diagnostics: the path as given, or "<stdin>".
    const std::string& name() const { return name_; }
    const std::string& text() const { return text_; }
    // Line `line` (1-based) without its line break; empty when out of range.
    std::string_view line(uint32_t line) const;
    uint32_t line_count() const { return static_cast<uint32_t>(line_starts_.size()); }

private:
    std::string name_;
    std::string text_;
    std::vector<size_t> line_starts_;
};

using SourcePtr = std::shared_ptr<const SourceFile>;

struct Location {
    const SourceFile* file = nullptr;  // nullptr: not written in any manifest
    uint32_t line = 0;                 // 1-based
    uint32_t column = 0;               // 1-based, in characters

    bool known() const { return file != nullptr; }
    // "jails.yaml:12:5", or "<default>" for an unknown location.
    std::string str() const;
};

// A value together with the place it came from.  `present()` is false when
// the manifest did not set it (the value then holds the type's zero value,
// or a default filled in by schema::resolve, which keeps loc unknown).
template <class T>
struct Located {
    T value{};
    Location loc;

    bool present() const { return loc.known(); }
    const T& operator*() const { return value; }
    const T* operator->() const { return &value; }
};

}  // namespace jailmgr::schema
