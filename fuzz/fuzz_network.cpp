// Network JSON (core/graph/network_json.cpp): parse, build at width 1 and at a second width chosen by
// the input's last byte, and check that an accepted network survives networkToJson and a second parse.
#include "fuzz_common.h"

#include "graph/graph.h"
#include "graph/network_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace poq;
    const std::string text = fuzz::bytesOf(data, size);
    NetworkSpec spec;
    try {
        spec = parseNetworkJson(text, "fuzz.json");
    } catch (const InputError&) {
        return 0;
    }
    const Graph g = fuzz::mustLoad("a parsed network at width 1", [&] { return Graph::build(spec, 1.0); });
    POQ_FUZZ_CHECK(g.totalMacs() >= 0 && g.totalParams() >= 0, "MAC and parameter counts are not negative");
    static constexpr double kWidths[] = {0.1, 0.25, 0.35, 0.5, 0.75, 1.4, 2.0, 4.0};
    const double width = kWidths[size > 0 ? data[size - 1] % std::size(kWidths) : 0];
    try {
        const Graph scaled = Graph::build(spec, width);
        POQ_FUZZ_CHECK(scaled.layers().size() == g.layers().size(), "a width keeps the layer count");
        POQ_FUZZ_CHECK(scaled.totalMacs() >= 0 && scaled.totalParams() >= 0, "counts are not negative");
    } catch (const InputError&) {
        // A spec can be valid at width 1 only (channels that no longer divide into groups).
    }
    const std::string json = networkToJson(spec);
    const NetworkSpec again = fuzz::mustLoad("networkToJson of an accepted network",
                                             [&] { return parseNetworkJson(json, "round-trip.json"); });
    POQ_FUZZ_CHECK(networkToJson(again) == json, "networkToJson round-trips");
    return 0;
}
