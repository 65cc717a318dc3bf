// A network as written (width-independent): named inputs and layers wired by tensor names.
// A Graph is a NetworkSpec built at one width. Specs come from the zoo or a network file.
#pragma once

#include "graph/attributes.h"
#include "graph/layer.h"
#include "graph/shape.h"

#include <string>
#include <vector>

namespace poq {

struct InputSpec {
    std::string name;
    Shape shape;
    bool operator==(const InputSpec&) const = default;
};

struct LayerSpec {
    std::string name;                // also the name of its output tensor
    LayerKind kind = LayerKind::ReLU;
    AttrValues attrs;                // only the kind's attributes may differ from their defaults
    std::vector<std::string> inputs; // tensor names: network inputs or other layers
    bool operator==(const LayerSpec&) const = default;
};

struct NetworkSpec {
    std::string name;
    std::string description;
    std::string reference;
    std::vector<InputSpec> inputs;
    std::vector<LayerSpec> layers;
    bool operator==(const NetworkSpec&) const = default;
};

} // namespace poq
