// Forward and backward passes of every layer kind over a mini-batch, for training. Batch tensors
// are B x C x H x W floats, image-major. Weight gradients are summed over fixed chunks of images and
// the chunks added in order, so results do not depend on the number of threads.
#pragma once

#include "graph/layer.h"

#include <cstdint>
#include <vector>

namespace poq::train {

inline constexpr int kChunk = 8; // images per gradient chunk

struct BatchNormState {
    std::vector<float> mean, invStd; // batch statistics of the last forward (training mode)
};

// Conv2d / Dense: y = W x (+ b)
void macForward(const Layer& l, int batch, const float* x, const float* w, const float* b, float* y);
// Adds into dW, db (when not null) and dx (when not null): gradient buffers start at zero.
void macBackward(const Layer& l, int batch, const float* x, const float* w, const float* dy, float* dx, float* dw,
                 float* db);

// Training-mode batch norm: batch statistics; running statistics updated with `momentum`.
void batchNormForward(const Layer& l, int batch, const float* x, const float* gamma, const float* beta, float* y,
                      BatchNormState& state, float* runningMean, float* runningVar, float momentum);
void batchNormBackward(const Layer& l, int batch, const float* x, const float* gamma, const BatchNormState& state,
                       const float* dy, float* dx, float* dgamma, float* dbeta);

// Kinds without parameters (ReLU, ReLU6, Add, pools, Flatten). `inputs` holds the layer's input
// batches; backward adds into the input gradients.
void plainForward(const Layer& l, int batch, const std::vector<const float*>& inputs, float* y);
void plainBackward(const Layer& l, int batch, const std::vector<const float*>& inputs, const float* y,
                   const float* dy, const std::vector<float*>& dInputs);

// Mean softmax cross-entropy over the batch; writes dlogits (already divided by the batch).
double softmaxCrossEntropy(int batch, int classes, const float* logits, const uint8_t* labels, float* dlogits,
                           int* correct);

} // namespace poq::train
