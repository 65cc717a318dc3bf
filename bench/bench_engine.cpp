// Inference speed of the Fashion-MNIST MobileNetV2 (images per second), fp32 and with int8 / int4
// fake quantization, 1 and 2 threads, against the machine's measured Eigen GEMM peak.
#include "data/dataset.h"
#include "engine/inference.h"
#include "engine/kernels.h"
#include "graph/network_io.h"
#include "graph/zoo.h"

#include <benchmark/benchmark.h>
#include <tbb/task_arena.h>

#include <Eigen/Core>

namespace {

const char* kStrategies[] = {"fp32", "int8", "int4"};

const poq::Dataset& testSet()
{
    static const poq::Dataset d = poq::loadDataset("fashion-mnist", poq::Split::Test);
    return d;
}

// Images per second of `graph` under `strategy` on `threads` threads, batch 256.
void runInference(benchmark::State& state, const poq::Graph& g, const char* strategy, int threads, const std::string& label)
{
    poq::InferenceEngine engine(g, poq::initialWeights(g, 1), poq::assignPrecision(g, poq::QuantStrategy::parse(strategy)));
    engine.setNormalization(poq::normalizationFor(testSet()));
    engine.calibrate(testSet(), 16);
    const int64_t batch = 256;
    std::vector<float> out;
    tbb::task_arena arena(threads);
    for (auto _ : state)
        arena.execute([&] { engine.forward(testSet(), 0, batch, out); });
    state.counters["images/s"] = benchmark::Counter(double(batch) * double(state.iterations()), benchmark::Counter::kIsRate);
    state.counters["GFLOP/s"] = benchmark::Counter(2.0 * double(g.totalMacs()) * batch * double(state.iterations()) / 1e9,
                                                   benchmark::Counter::kIsRate);
    state.SetLabel(label + " " + strategy + " w" + std::to_string(g.width()).substr(0, 4) + " t" + std::to_string(threads));
}

// args: width x100, strategy index, threads
void BM_Inference(benchmark::State& state)
{
    const poq::Graph g = poq::Graph::build(poq::findZoo("mobilenetv2-fmnist")->build(), double(state.range(0)) / 100.0);
    runInference(state, g, kStrategies[state.range(1)], int(state.range(2)), "mobilenetv2-fmnist");
}

// The comparison network: full-depth MobileNetV2 for 28x28 (72.9 M MACs at width 1.0,
// 23.1 M at 0.5), for which PyTorch and ONNX Runtime figures on this machine are known.
void BM_FullDepth(benchmark::State& state)
{
    const poq::Graph g = poq::Graph::build(poq::loadNetworkFile(POQ_BENCH_DIR "/mobilenetv2-28-full.json"),
                                           double(state.range(0)) / 100.0);
    runInference(state, g, kStrategies[state.range(1)], int(state.range(2)), "full-depth");
}

// The physical limit: a single-threaded 512 x 512 x 512 SGEMM through the engine's dense kernel, so
// it runs the same Eigen build (AVX2+FMA where the CPU has it) as the convolutions.
void BM_GemmPeak(benchmark::State& state)
{
    const int n = 512;
    const Eigen::MatrixXf a = Eigen::MatrixXf::Random(n, n), b = Eigen::MatrixXf::Random(n, n);
    std::vector<float> c(size_t(n) * n);
    for (auto _ : state) {
        poq::kernels::dense(n, n, n, a.data(), b.data(), nullptr, c.data());
        benchmark::DoNotOptimize(c.data());
    }
    state.counters["GFLOP/s"] = benchmark::Counter(2.0 * n * n * n * double(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
    state.SetLabel(poq::kernels::usingAvx2() ? "avx2+fma" : "generic");
}

} // namespace

BENCHMARK(BM_GemmPeak)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Inference)
    ->ArgsProduct({{50, 100}, {0, 1, 2}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK(BM_FullDepth)->ArgsProduct({{50, 100}, {0, 1}, {2}})->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
