// Building a network at one width: every design point of a sweep starts here.
#include "graph/graph.h"
#include "graph/zoo.h"

#include <benchmark/benchmark.h>

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

} // namespace

BENCHMARK(BM_BuildGraph)->DenseRange(0, int(poq::zoo().size()) - 1)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
