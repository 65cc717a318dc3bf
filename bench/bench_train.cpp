// Training throughput (images/s) of the Fashion-MNIST MobileNetV2 and of the full-depth 28x28
// MobileNetV2 the PyTorch reference figures are for: batch 128, 2 threads, fp32 and int4 QAT.
#include "data/dataset.h"
#include "graph/network_io.h"
#include "graph/zoo.h"
#include "train/trainer.h"

#include <benchmark/benchmark.h>

namespace {

const poq::Dataset& trainSet()
{
    static const poq::Dataset d = poq::loadDataset("fashion-mnist", poq::Split::Train);
    return d;
}

// args: network (0 small, 1 full-depth), width x100, QAT (0/1)
void BM_TrainEpoch(benchmark::State& state)
{
    const bool full = state.range(0) == 1;
    const double width = double(state.range(1)) / 100.0;
    const bool qat = state.range(2) == 1;
    const poq::NetworkSpec spec = full ? poq::loadNetworkFile(POQ_BENCH_DIR "/mobilenetv2-28-full.json")
                                       : poq::findZoo("mobilenetv2-fmnist")->build();
    const poq::Graph g = poq::Graph::build(spec, width);
    poq::TrainOptions o;
    o.batch = 128;
    o.limit = full ? 512 : 2048;
    const poq::NetworkPrecision prec = poq::assignPrecision(g, poq::QuantStrategy::parse("int4"));
    int64_t images = 0;
    for (auto _ : state) {
        poq::Trainer t(g, poq::initialWeights(g, 1), o, qat ? &prec : nullptr);
        poq::EpochStats st;
        t.trainEpoch(trainSet(), 0, st);
        images += st.images;
    }
    state.counters["images/s"] = benchmark::Counter(double(images), benchmark::Counter::kIsRate);
    state.SetLabel(std::string(full ? "full-depth" : "mobilenetv2-fmnist") + " w" + std::to_string(width).substr(0, 4)
                   + (qat ? " int4 QAT" : " fp32"));
}

} // namespace

BENCHMARK(BM_TrainEpoch)
    ->Args({0, 50, 0})->Args({0, 100, 0})->Args({0, 100, 1})->Args({1, 50, 0})->Args({1, 100, 0})
    ->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

BENCHMARK_MAIN();
