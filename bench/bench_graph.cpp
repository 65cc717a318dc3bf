// Building a network at one width: every design point of a sweep starts here.
#include "graph/graph.h"
#include "graph/zoo.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>

namespace {

void BM_BuildGraph(benchmark::State& state)
{
    const poq::ZooEntry& entry = poq::zoo()[state.range(0)];
    const poq::NetworkSpec spec = entry.build();
    for (auto _ : state) {
        poq::Graph g = poq::Graph::build(spec, 0.75);
        benchmark::DoNotOptimize(g.totalMacs());
    }
    state.SetLabel(entry.name);
    state.counters["layers"] = double(poq::Graph::build(spec, 0.75).layers().size());
}

// A chain of ReLU layers, each reading the previous one, listed in order (arg 1) or in reverse
// (arg 0): validation must stay linear when layers name inputs defined later in the file.
void BM_BuildChain(benchmark::State& state)
{
    const int n = int(state.range(0));
    poq::NetworkSpec spec;
    spec.name = "chain";
    spec.inputs.push_back({"in", {1, 4, 4}});
    for (int i = 0; i < n; ++i) {
        poq::LayerSpec l;
        l.name = "r" + std::to_string(i);
        l.kind = poq::LayerKind::ReLU;
        l.inputs = {i ? "r" + std::to_string(i - 1) : std::string("in")};
        spec.layers.push_back(l);
    }
    if (state.range(1) == 0)
        std::reverse(spec.layers.begin(), spec.layers.end());
    for (auto _ : state) {
        poq::Graph g = poq::Graph::build(spec, 1.0);
        benchmark::DoNotOptimize(g.layers().size());
    }
    state.SetLabel(state.range(1) ? "in order" : "reversed");
}

} // namespace

BENCHMARK(BM_BuildChain)->ArgsProduct({{10000, 100000}, {1, 0}})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BuildGraph)->DenseRange(0, int(poq::zoo().size()) - 1)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
