// Helpers shared by the core tests: build a one-layer network from a JSON layer object; random vectors
// and a relative comparison for kernels against their naive references.
#pragma once

#include "graph/graph.h"
#include "graph/network_io.h"

#include <QRandomGenerator>

#include <cmath>
#include <string>
#include <vector>

namespace poq::test {

// A network with one input of `shape` and the given layer objects (JSON text, comma-separated).
inline std::string networkJson(const Shape& shape, const std::string& layersJson)
{
    return "{\"name\":\"t\",\"inputs\":[{\"name\":\"input\",\"shape\":[" + std::to_string(shape.c) + ","
           + std::to_string(shape.h) + "," + std::to_string(shape.w) + "]}],\"layers\":[" + layersJson + "]}";
}

inline std::vector<float> randomVector(QRandomGenerator& rng, size_t n)
{
    std::vector<float> v(n);
    for (float& x : v)
        x = float(rng.generateDouble() * 2 - 1);
    return v;
}

inline bool close(const std::vector<float>& a, const std::vector<float>& b, double tol)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::fabs(a[i] - b[i]) > tol * (1 + std::fabs(b[i])))
            return false;
    return true;
}

} // namespace poq::test
