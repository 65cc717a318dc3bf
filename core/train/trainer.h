// Training of a graph on a dataset: SGD with momentum and weight decay, cosine learning rate with
// linear warm-up, batch-norm statistics, random-crop and flip augmentation. Seeded and reproducible:
// the same seed gives the same model for any number of threads, and a run resumed from a checkpoint
// matches an uninterrupted one. With a precision, it does quantization-aware training: weights and
// stored activations are fake-quantized with learned step sizes (LSQ, Esser et al., ICLR 2020) and the
// straight-through estimator; batch-norm is folded into the convolutions first and frozen.
#pragma once

#include "data/dataset.h"
#include "engine/inference.h"
#include "engine/weights.h"
#include "formats/precision.h"
#include "util/cancel.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace poq {

struct TrainOptions {
    int epochs = 10;
    int batch = 128;
    double learningRate = 0.1; // peak, after warm-up
    double momentum = 0.9;
    double weightDecay = 5e-4; // not on biases and batch-norm parameters
    double warmupEpochs = 1;
    uint64_t seed = 1;
    bool augment = true;
    int64_t limit = 0; // train on the first N images only (0: all)
    std::string strategy = "fp32"; // recorded in the recipe; integer strategies train quantization-aware
    std::string recipe() const;
};

struct EpochStats {
    int epoch = 0;
    double loss = 0;
    double trainAccuracy = 0;
    int64_t images = 0;
    double seconds = 0;
};

// An estimate (an upper bound) of the bytes training `graph` at `batch` images per step allocates:
// weights, gradients, momentum and per-thread gradient buffers, and every tensor's activation and
// gradient for the batch.
uint64_t trainingMemoryBytes(const Graph& graph, int batch);

class Trainer {
public:
    // `qat`: the strategy's precision for quantization-aware training (start from trained fp32 weights).
    Trainer(const Graph& graph, const NetworkWeights& initial, const TrainOptions& options,
            const NetworkPrecision* qat = nullptr);

    // One epoch (0-based); returns false when cancelled (the weights then hold the last whole step).
    bool trainEpoch(const Dataset& train, int epoch, EpochStats& stats, const ProgressFn& progress = {},
                    const CancelToken* cancel = nullptr);
    // Mean loss and gradients of one batch without updating anything (for gradient checks).
    double lossAndGradients(const std::vector<float>& images, const std::vector<uint8_t>& labels, int batch,
                            NetworkWeights& gradients);

    const NetworkWeights& weights() const { return m_weights; }
    NetworkWeights& weights() { return m_weights; }
    const Graph& graph() const { return m_graph; }
    const TrainOptions& options() const { return m_options; }
    int completedEpochs() const { return m_completedEpochs; }

    // Checkpoints: weights, optimizer state and progress in one model file (atomic write).
    void saveCheckpoint(const std::string& path) const;
    // Throws InputError (naming the file) when the checkpoint is damaged or for another network/recipe.
    void loadCheckpoint(const std::string& path);

private:
    double step(const std::vector<float>& images, const std::vector<uint8_t>& labels, int batch, int* correct,
                bool update, double lr, NetworkWeights* gradientsOut);

    void prepareQat();
    Graph m_graph;
    TrainOptions m_options;
    std::optional<NetworkPrecision> m_qat;
    std::vector<TensorQuant> m_tq; // tensor quantization under m_qat (empty without QAT)
    std::vector<char> m_frozenBn; // per layer: batch-norm folded and frozen (QAT)
    NetworkWeights m_weights;
    NetworkWeights m_velocity;
    NetworkWeights m_gradients;                 // reused by every step
    std::vector<std::vector<float>> m_act, m_grad; // per tensor, reused by every step
    std::vector<std::vector<float>> m_pre, m_wq;   // QAT: quantizer inputs, quantized weights; reused
    int m_completedEpochs = 0;
};

} // namespace poq
