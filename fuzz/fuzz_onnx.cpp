// ONNX import (core/onnx): parse any bytes as a model; an accepted one builds at width 1 and at a
// second width chosen by the input's last byte, and its JSON form parses back to the same layers.
// External data is looked for in a folder that does not exist (so it is always absent).
#include "fuzz_common.h"

#include "graph/graph.h"
#include "graph/network_io.h"
#include "onnx/onnx_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace poq;
    const std::string bytes = fuzz::bytesOf(data, size);
    OnnxImport m;
    try {
        m = importOnnx(bytes, "fuzz.onnx", "/nonexistent-poq-fuzz-dir");
    } catch (const InputError&) {
        return 0;
    }
    const Graph g = fuzz::mustLoad("an imported network at width 1", [&] { return Graph::build(m.spec, 1.0); });
    POQ_FUZZ_CHECK(g.totalMacs() >= 0 && g.totalParams() >= 0, "MAC and parameter counts are not negative");
    POQ_FUZZ_CHECK(!m.structureOnly.empty() || m.weights.tensors.size() <= 4 * g.layers().size() + 4,
                   "at most a few tensors per layer");
    static constexpr double kWidths[] = {0.1, 0.25, 0.5, 0.75, 1.4, 2.0, 4.0};
    const double width = kWidths[size > 0 ? data[size - 1] % std::size(kWidths) : 0];
    try {
        const Graph scaled = Graph::build(m.spec, width);
        POQ_FUZZ_CHECK(scaled.layers().size() == g.layers().size(), "a width keeps the layer count");
    } catch (const InputError&) {
        // planOnnxWidth checked a set of widths; others may still not divide into groups.
    }
    const NetworkSpec again = fuzz::mustLoad("networkToJson of an imported network",
                                             [&] { return parseNetworkJson(networkToJson(m.spec), "again.json"); });
    POQ_FUZZ_CHECK(again.layers == m.spec.layers, "the JSON form keeps every layer");
    return 0;
}
