// The design space a hardware slider move re-costs in the GUI: MobileNetV2 at 224x224, 8 strategies
// x 12 widths = 96 points, every MAC layer's mapping searched, on all cores (TBB).
#include "formats/precision.h"
#include "graph/zoo.h"
#include "hw/hardware_io.h"
#include "hw/hw_params.h"
#include "hw/network_cost.h"

#include <benchmark/benchmark.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <string>
#include <vector>

namespace {

const double kWidths[] = {0.25, 0.35, 0.5, 0.6, 0.75, 0.85, 1.0, 1.1, 1.25, 1.4, 1.6, 2.0};
const char* kStrategies[] = {"fp32", "bf16", "fp16", "fp8", "int8", "int4", "int4+res8", "int4+res16"};

struct Point {
    poq::Graph graph;
    poq::NetworkPrecision precision;
};

std::vector<Point> designSpace(int widths, int strategies)
{
    const poq::NetworkSpec spec = poq::findZoo("mobilenetv2")->build();
    std::vector<Point> points;
    for (int w = 0; w < widths; ++w) {
        poq::Graph g = poq::Graph::build(spec, kWidths[w]);
        for (int s = 0; s < strategies; ++s) {
            auto prec = poq::assignPrecision(g, poq::QuantStrategy::parse(kStrategies[s]));
            points.push_back({g, prec});
        }
    }
    return points;
}

// Every point's energy on all cores (TBB), through one shared mapping cache.
std::vector<double> costAll(const std::vector<Point>& points, const poq::Hardware& hw, poq::MappingCache& cache)
{
    std::vector<double> energy(points.size());
    tbb::parallel_for(size_t(0), points.size(), [&](size_t i) {
        energy[i] = poq::costNetwork(points[i].graph, points[i].precision, hw, {}, &cache).total.energyPj();
    });
    return energy;
}

// The first costing, or a move of a slider that reshapes mapping spaces (a capacity, the array):
// every layer's mapping space is built anew (a memo shared by the points de-duplicates repeated
// layer problems).
void BM_CostDesignSpaceCold(benchmark::State& state)
{
    const std::vector<Point> points = designSpace(int(state.range(0)), int(state.range(1)));
    const poq::Hardware hw = poq::loadHardware("edge-npu");
    for (auto _ : state) {
        poq::MappingCache cache;
        benchmark::DoNotOptimize(costAll(points, hw, cache).data());
        state.counters["layerProblems"] = double(cache.size());
    }
    state.counters["points"] = double(points.size());
}

// A slider move of an energy, bandwidth, clock or static-power parameter: every layer's best mapping
// is chosen again, exactly, from its memoized mapping space.
void BM_RecostDesignSpaceSlider(benchmark::State& state)
{
    const std::vector<Point> points = designSpace(int(state.range(0)), int(state.range(1)));
    poq::Hardware hw = poq::loadHardware("edge-npu");
    poq::MappingCache cache;
    costAll(points, hw, cache); // the sweep that came before the slider move
    double dram = 20;
    for (auto _ : state) {
        dram = dram == 20 ? 25 : 20;
        poq::setParam(hw, "dram.readPjPerBit", dram);
        benchmark::DoNotOptimize(costAll(points, hw, cache).data());
    }
    state.counters["points"] = double(points.size());
}

// A capacity slider dragged, timed step by step: after the first costing, 32 steps (SRAM of
// edge-npu from 256 KiB in steps of 16 KiB, or its register file from 64 B in steps of 8 B; modes
// 2 and 3 go back and forth between 256 and 320 KiB, 64 and 96 B). Without warm-up, a step
// rebuilds the spaces of the layers whose capacity decisions it changes; with it (the window's
// idle-time MappingCache::warm, timed as warmMs), every layer has a space for a range of
// capacities and a step filters. The reported time is the median step; firstStepMs and maxStepMs
// say what the drag's slowest steps cost.
void BM_RecostDesignSpaceCapacity(benchmark::State& state)
{
    const std::vector<Point> points = designSpace(int(state.range(0)), int(state.range(1)));
    const bool sram = state.range(2) % 2 == 0, backAndForth = state.range(2) >= 2, warm = state.range(3) != 0;
    const char* key = sram ? "sram.sizeBytes" : "rf.sizeBytes";
    const double start = sram ? 262144 : 64, step = backAndForth ? (sram ? 65536 : 32) : (sram ? 16384 : 8);
    std::vector<double> first, median, slowest, warmMs;
    for (auto _ : state) {
        poq::Hardware hw = poq::loadHardware("edge-npu");
        poq::MappingCache cache;
        costAll(points, hw, cache); // the sweep before the drag
        if (warm) {
            const auto t0 = std::chrono::steady_clock::now();
            cache.warm(hw);
            warmMs.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        }
        std::vector<double> ms;
        for (int k = 1; k <= 32; ++k) {
            poq::setParam(hw, key, start + (backAndForth ? k % 2 : k) * step);
            const auto t0 = std::chrono::steady_clock::now();
            benchmark::DoNotOptimize(costAll(points, hw, cache).data());
            ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        }
        first.push_back(ms.front());
        slowest.push_back(*std::max_element(ms.begin(), ms.end()));
        std::nth_element(ms.begin(), ms.begin() + 16, ms.end());
        median.push_back(ms[16]);
        state.SetIterationTime(ms[16] / 1000);
    }
    auto mean = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()); };
    state.counters["firstStepMs"] = mean(first);
    state.counters["medianStepMs"] = mean(median);
    state.counters["maxStepMs"] = mean(slowest);
    if (warm)
        state.counters["warmMs"] = mean(warmMs);
    state.SetLabel(std::string(key) + (backAndForth ? " back and forth" : " dragged") + (warm ? " after warm-up" : ""));
    state.counters["points"] = double(points.size());
}

// One layer search without any cache, per network layer shape (for the per-layer figure).
void BM_SearchOneNetwork(benchmark::State& state)
{
    const Point p = designSpace(7, 5)[30]; // width 1.0, int8
    const poq::Hardware hw = poq::loadHardware("edge-npu");
    for (auto _ : state)
        benchmark::DoNotOptimize(poq::costNetwork(p.graph, p.precision, hw).total.energyPj());
    int mac = 0;
    for (const auto& l : p.graph.layers())
        mac += l.loopNest ? 1 : 0;
    state.counters["macLayers"] = mac;
}

} // namespace

BENCHMARK(BM_CostDesignSpaceCold)->Args({12, 8})->Args({6, 8})->Args({12, 4})->Args({3, 8})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RecostDesignSpaceSlider)->Args({12, 8})->Args({6, 8})->Args({12, 4})->Args({3, 8})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RecostDesignSpaceCapacity)->Args({12, 8, 0, 1})->Args({12, 8, 1, 1})->Args({12, 8, 0, 0})->Args({12, 8, 1, 0})->Args({12, 8, 2, 0})->Args({12, 8, 3, 0})->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(1);
BENCHMARK(BM_SearchOneNetwork)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
