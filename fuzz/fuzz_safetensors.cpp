// Model files in the safetensors layout (poq::parseModelFile, core/data/model_file.cpp) and the
// weight checks against a network (poq::weightsFromModel, core/engine/weights.cpp) on cnn-fmnist at
// width 0.25, whose model files are a few kB (the seeds: fuzz/make_seeds.cpp).
#include "fuzz_common.h"

#include "data/model_file.h"
#include "engine/weights.h"
#include "graph/zoo.h"

#include <cmath>

namespace {

uint64_t elements(const std::vector<int64_t>& shape)
{
    uint64_t n = 1;
    for (int64_t d : shape)
        n *= uint64_t(d);
    return n;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace poq;
    static const Graph graph = Graph::build(findZoo("cnn-fmnist")->build(), 0.25);
    ModelFile model;
    try {
        model = parseModelFile(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.safetensors");
    } catch (const InputError&) {
        return 0;
    }
    uint64_t payload = 0;
    for (const ModelTensor& t : model.tensors) {
        for (int64_t d : t.shape)
            POQ_FUZZ_CHECK(d >= 0, "dimensions are not negative");
        const uint64_t n = t.dtype == TensorDtype::F32 ? t.values.size() : t.bytes.size();
        POQ_FUZZ_CHECK(n == elements(t.shape), "a tensor holds as many values as its shape says");
        payload += t.dtype == TensorDtype::F32 ? 4 * n : n;
    }
    POQ_FUZZ_CHECK(payload <= size, "tensors come from the file's bytes");
    NetworkWeights w;
    try {
        w = weightsFromModel(graph, model, "fuzz.safetensors");
    } catch (const InputError&) {
        return 0;
    }
    for (const ParamSpec& p : parameterSpecs(graph)) {
        POQ_FUZZ_CHECK(w.has(p.name), "every parameter of the network is loaded");
        const std::vector<float>& v = w.at(p.name);
        POQ_FUZZ_CHECK(v.size() == elements(p.shape), "a loaded parameter has the network's shape");
        for (float x : v)
            POQ_FUZZ_CHECK(std::isfinite(x), "loaded weights are finite");
    }
    return 0;
}
