// Helpers shared by the core tests: build a one-layer network from a JSON layer object.
#pragma once

#include "graph/graph.h"
#include "graph/network_io.h"

#include <string>

namespace poq::test {

// A network with one input of `shape` and the given layer objects (JSON text, comma-separated).
inline std::string networkJson(const Shape& shape, const std::string& layersJson)
{
    return "{\"name\":\"t\",\"inputs\":[{\"name\":\"input\",\"shape\":[" + std::to_string(shape.c) + ","
           + std::to_string(shape.h) + "," + std::to_string(shape.w) + "]}],\"layers\":[" + layersJson + "]}";
}

} // namespace poq::test
