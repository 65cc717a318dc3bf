// The built-in network zoo: one row per network (name, input, description, reference, builder).
#pragma once

#include "graph/network_io.h"
#include "graph/network_spec.h"

#include <span>
#include <string>

namespace poq {

struct ZooEntry {
    const char* name;        // lower case, used on the CLI
    const char* description; // one line
    const char* reference;
    NetworkSpec (*build)();
};

std::span<const ZooEntry> zoo();
// nullptr when no zoo network has this name.
const ZooEntry* findZoo(const std::string& name);

// A zoo name or a path to a network file; throws InputError listing the zoo names otherwise.
NetworkSpec resolveNetwork(const std::string& nameOrPath, const NetworkLoadOptions& options = {});

// The network a new user sees first.
inline constexpr const char* kDefaultNetwork = "mobilenetv2-fmnist";

namespace zoo_builders {
NetworkSpec mobileNetV2();
NetworkSpec mobileNetV1();
NetworkSpec resNet18();
NetworkSpec resNet50();
NetworkSpec resNet20();
NetworkSpec mobileNetV2Fmnist();
NetworkSpec cnnFmnist();
} // namespace zoo_builders

} // namespace poq
