// The quantized inference engine: batch-norm folded into convolutions, weights fake-quantized once
// (integers per output channel, symmetric), activations fake-quantized after every stored tensor
// as the strategy says (integers per tensor, unsigned after ReLU/ReLU6, scale from a calibration
// subset). TBB over fixed batches of images; each batch runs on one thread, so results do not depend
// on the number of threads.
#pragma once

#include "data/dataset.h"
#include "engine/kernels.h"
#include "engine/weights.h"
#include "formats/precision.h"
#include "util/cancel.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace poq {

enum class Calibration { MinMax, Percentile, Mse };
const char* calibrationName(Calibration c);
Calibration parseCalibration(const std::string& name); // throws InputError

// Per-dataset input normalisation (x / 255 - mean) / std.
struct Normalization {
    std::array<float, 3> mean{0, 0, 0};
    std::array<float, 3> std{1, 1, 1};
};
Normalization normalizationFor(const Dataset& d); // Fashion-MNIST 0.2860 / 0.3530; CIFAR-10 per channel

struct TensorQuant {
    NumberFormat format = NumberFormat::FP32;
    bool quantized = false; // a stored tensor (not an accumulator inside a fused chain)
    bool isUnsigned = false;
    float scale = 0;        // integers only
    bool learned = false;   // the step size came from quantization-aware training (kept by calibrate)
};

// The quantization of every tensor of a graph under a precision (scales still zero): stored tensors
// are those not consumed only by a batch-norm, activation or flatten; unsigned after ReLU/ReLU6.
// Shared by the engine and quantization-aware training.
std::vector<TensorQuant> tensorQuantization(const Graph& graph, const NetworkPrecision& precision);

// Calibration uses 1..kMaxCalibrationImages images (the training set of Fashion-MNIST has 60,000).
inline constexpr int64_t kMaxCalibrationImages = 100'000;

// An upper bound of the bytes an engine for `graph` allocates (weights and their packed copies, one
// workspace per thread for a batch); the constructor refuses graphs beyond physical memory.
uint64_t inferenceMemoryBytes(const Graph& graph);

class InferenceEngine {
public:
    // Throws InputError when weights do not fit the graph or the dataset does not fit its input.
    InferenceEngine(const Graph& graph, const NetworkWeights& weights, const NetworkPrecision& precision);

    // Integer activation scales from `images` (a calibration subset, e.g. the first 256 training images).
    // Throws InputError when the dataset's images do not fit the network's input, or when `images`
    // is outside 1..kMaxCalibrationImages or the dataset is empty (no calibration at all would leave
    // integer tensors unquantized and report a meaningless accuracy).
    void calibrate(const Dataset& data, int64_t images, Calibration method = Calibration::MinMax);
    void setNormalization(const Normalization& n) { m_norm = n; }

    // Logits of images [first, first + count) into out (count x classes).
    // `fused` false runs every layer on its own (see forwardImage); for tests.
    void forward(const Dataset& data, int64_t first, int64_t count, std::vector<float>& out, bool fused = true) const;
    // Logits of one image given as normalised floats (C x H x W); for tests. `fused` false runs every
    // layer on its own (the reference for the fused chains, which must give the same bits).
    std::vector<float> forwardImage(const float* image, bool fused = true) const;

    const std::vector<TensorQuant>& tensorQuant() const { return m_quant; }
    const Graph& graph() const { return m_graph; }
    int classes() const;

private:
    // A convolution or dense layer with the element-wise layers after it that run in its epilogue:
    // a folded batch-norm, then ReLU or ReLU6, then a two-input Add whose other input is ready.
    struct Chain {
        int last = -1;      // the chain's last layer: the convolution writes its output tensor
        bool clamp = false; // ReLU: [0, inf); ReLU6: [0, 6]
        float hi = 0;
        int quantTensor = -1; // the activation's tensor (quantized as the strategy says)
        int addend = -1;      // the Add's other input, or -1
        int sumTensor = -1;   // the Add's output
    };
    // Where tensors live during a forward pass: each tensor in a slot (a buffer of the workspace). A
    // slot is reused once its tensor is dead; an element-wise layer shares its input's slot when it is
    // that input's only reader. The layer-by-layer plan never reuses a slot otherwise, so calibration
    // can read every tensor after the layer that makes it.
    struct SlotPlan {
        std::vector<int> slot;         // per tensor (-1: never stored)
        std::vector<size_t> elements;  // per slot, per image: the largest tensor it holds
    };
    struct Workspace;
    SlotPlan planSlots(bool fused) const;
    void prepare(Workspace& ws, int batch, bool fused) const;
    int inPlaceInput(const Layer& l) const; // the input an element-wise layer starts from
    void runLayer(int layer, int batch, Workspace& ws, bool fused) const;
    void quantizeTensor(int tensor, float* values, size_t count) const;
    kernels::Quantizer quantizer(int tensor) const;
    void planChains();
    void normalizeImage(const Dataset& data, int64_t index, std::vector<float>& out) const;
    void checkDataset(const Dataset& data) const; // throws InputError naming both shapes

    Graph m_graph;
    NetworkPrecision m_precision;
    std::vector<std::vector<float>> m_weight; // per layer: folded, quantized weights (MAC layers)
    std::vector<std::vector<float>> m_packed; // per convolution: m_weight as the GEMM kernel reads it (or empty)
    std::vector<std::vector<float>> m_bias;   // per layer: folded biases (may be empty)
    std::vector<char> m_identity;             // per layer: batch-norm folded away
    std::vector<std::vector<float>> m_bnScale, m_bnShift; // unfolded batch-norm
    std::vector<TensorQuant> m_quant;
    std::vector<char> m_soleReader; // per tensor: read by one layer only and not a network output
    std::vector<Chain> m_chain;     // per convolution / dense layer
    std::vector<char> m_inChain;    // per layer: runs inside an earlier layer's epilogue
    SlotPlan m_fusedSlots, m_layerSlots;
    Normalization m_norm;
    struct Workspaces;                    // per-thread workspaces, kept between calls of forward()
    std::shared_ptr<Workspaces> m_spaces;
};

struct EvalResult {
    int64_t images = 0;
    int64_t correct = 0;
    double accuracy() const { return images ? double(correct) / double(images) : 0.0; }
    double low = 0, high = 0; // 95 % Wilson interval
    bool cancelled = false;
};

// Top-1 accuracy on images [0, limit) of `data` (limit <= 0: all). `partial` is called from the
// calling thread after each chunk with the running result (progressive evaluation).
EvalResult evaluate(const InferenceEngine& engine, const Dataset& data, int64_t limit,
                    const std::function<void(const EvalResult&)>& partial = {}, const CancelToken* cancel = nullptr);

} // namespace poq
