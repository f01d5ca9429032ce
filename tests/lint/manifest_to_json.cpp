// manifest_to_json -- print a YAML manifest as JSON the way jailmgr reads it
// (merge keys applied, plain scalars typed by the YAML 1.2 core schema), so
// an external JSON Schema validator can check it against jailmgr's schema.
#include <fstream>
#include <iostream>
#include <iterator>

#include "yaml_json.hpp"
#include "yaml_tree.hpp"

int main(int argc, char** argv) {
    using namespace jailmgr::schema;
    if (argc != 2) {
        std::cerr << "usage: manifest_to_json FILE\n";
        return 2;
    }
    std::ifstream f(argv[1], std::ios::binary);
    if (!f) {
        std::cerr << "manifest_to_json: cannot open " << argv[1] << "\n";
        return 2;
    }
    std::string text(std::istreambuf_iterator<char>(f), {});
    Diagnostics diags;
    auto doc = yaml::parse(std::make_shared<const SourceFile>(argv[1], std::move(text)), diags);
    if (!doc->root || !diags.empty()) {
        std::cerr << "manifest_to_json: " << argv[1] << ": not readable YAML\n";
        return 1;
    }
    std::cout << yaml::to_json(*doc->root).dump() << "\n";
    return 0;
}
