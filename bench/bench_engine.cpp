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

#include <chrono>

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

// The fake-quantization overhead, paired: each iteration runs the same 256 images in fp32 and then under
// the strategy, so both see the same machine load; the overhead is the ratio of the summed times.
// args: network (0 mobilenetv2-fmnist, 1 full-depth), width x100, strategy index (1 int8, 2 int4), threads
void BM_QuantOverhead(benchmark::State& state)
{
    const poq::NetworkSpec spec = state.range(0) == 1 ? poq::loadNetworkFile(POQ_BENCH_DIR "/mobilenetv2-28-full.json")
                                                      : poq::findZoo("mobilenetv2-fmnist")->build();
    const poq::Graph g = poq::Graph::build(spec, double(state.range(1)) / 100.0);
    const char* strategy = kStrategies[state.range(2)];
    auto make = [&](const char* s) {
        poq::InferenceEngine e(g, poq::initialWeights(g, 1), poq::assignPrecision(g, poq::QuantStrategy::parse(s)));
        e.setNormalization(poq::normalizationFor(testSet()));
        e.calibrate(testSet(), 16);
        return e;
    };
    const poq::InferenceEngine plain = make("fp32"), quantized = make(strategy);
    const int64_t batch = 256;
    std::vector<float> out;
    tbb::task_arena arena(int(state.range(3)));
    double plainSeconds = 0, quantSeconds = 0;
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        arena.execute([&] { plain.forward(testSet(), 0, batch, out); });
        const auto t1 = std::chrono::steady_clock::now();
        arena.execute([&] { quantized.forward(testSet(), 0, batch, out); });
        const auto t2 = std::chrono::steady_clock::now();
        plainSeconds += std::chrono::duration<double>(t1 - t0).count();
        quantSeconds += std::chrono::duration<double>(t2 - t1).count();
    }
    const double images = double(batch) * double(state.iterations());
    state.counters["fp32 img/s"] = images / plainSeconds;
    state.counters["quantized img/s"] = images / quantSeconds;
    state.counters["overhead %"] = 100.0 * (quantSeconds / plainSeconds - 1.0);
    state.SetLabel(std::string(state.range(0) == 1 ? "full-depth" : "mobilenetv2-fmnist") + " " + strategy + " w"
                   + std::to_string(g.width()).substr(0, 4) + " t" + std::to_string(state.range(3)));
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

// The convolutions' own GEMM (the fused AVX2 kernel, with a bias epilogue): a 1x1 convolution of 512
// to 512 channels over 1024 columns, single-threaded (2 x 512 x 512 x 1024 FLOP).
void BM_ConvGemmPeak(benchmark::State& state)
{
    poq::kernels::ConvShape s;
    s.C = s.K = 512;
    s.H = s.W = s.OH = s.OW = 32;
    const Eigen::VectorXf x = Eigen::VectorXf::Random(512 * 1024), w = Eigen::VectorXf::Random(512 * 512),
                          bias = Eigen::VectorXf::Random(512);
    const std::vector<float> packed = poq::kernels::packConvWeights(s, w.data());
    poq::kernels::Epilogue ep;
    ep.bias = bias.data();
    std::vector<float> y(size_t(512) * 1024), scratch;
    for (auto _ : state) {
        poq::kernels::conv2d(s, 1, x.data(), w.data(), ep, y.data(), scratch, packed.empty() ? nullptr : packed.data());
        benchmark::DoNotOptimize(y.data());
    }
    state.counters["GFLOP/s"] = benchmark::Counter(2.0 * 512 * 512 * 1024 * double(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
    state.SetLabel(poq::kernels::usingAvx2() ? "fused avx2+fma" : "generic (Eigen)");
}

} // namespace

BENCHMARK(BM_GemmPeak)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ConvGemmPeak)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Inference)
    ->ArgsProduct({{50, 100}, {0, 1, 2}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK(BM_FullDepth)->ArgsProduct({{50, 100}, {0, 1}, {2}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_QuantOverhead)
    ->ArgsProduct({{0, 1}, {50, 100}, {1, 2}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
