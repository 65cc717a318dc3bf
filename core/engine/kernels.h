// Kernels of the inference engine (one image = C x H x W floats; batches in CNHW order), each with a naive
// reference beside it for the tests. Fast paths: im2col + Eigen GEMM for convolutions and dense
// layers, direct loops for depthwise convolutions.
#pragma once

#include "formats/number_format.h"
#include "graph/layer.h"

#include <limits>
#include <vector>

namespace poq::kernels {

struct ConvShape {
    int C = 1, H = 1, W = 1; // input
    int K = 1, OH = 1, OW = 1; // output
    int groups = 1, FY = 1, FX = 1, strideY = 1, strideX = 1, padY = 0, padX = 0, dilY = 1, dilX = 1;
};

ConvShape convShape(const Layer& layer);

// Fake quantization of a stored tensor, as the engine's strategy says (see fake_quant.h).
struct Quantizer {
    enum class Kind { None, Int, Float } kind = Kind::None;
    int bits = 8;
    float scale = 0;
    bool isUnsigned = false;
    NumberFormat format = NumberFormat::FP32;
    void apply(float* values, size_t count) const;
};

// Element-wise work on a convolution's or dense layer's output while it is still in cache, in this
// order: + bias[k], clamp to [lo, hi] (ReLU, ReLU6), quantize, + addend (a residual Add's other
// input, laid out like the output), quantize the sum. Each step is the same arithmetic as the layer
// it replaces, so a fused layer gives bit for bit the result of the separate ones.
struct Epilogue {
    const float* bias = nullptr;
    bool clamp = false;
    float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
    Quantizer quant;
    const float* addend = nullptr;
    Quantizer sumQuant;
    bool any() const
    {
        return bias || clamp || quant.kind != Quantizer::Kind::None || addend || sumQuant.kind != Quantizer::Kind::None;
    }
};

// out[K][OH][OW] = bias + sum w[k][c][fy][fx] * in[c][...]; w is [K][C/groups][FY][FX].
// `scratch` is reused between calls (im2col buffer).
void conv2d(const ConvShape& s, const float* in, const float* w, const float* bias, float* out, std::vector<float>& scratch);
// The same for `batch` images in CNHW order: in[C][batch][H][W], out[K][batch][OH][OW]. One GEMM covers
// the whole batch, so weights are packed once per batch rather than once per image.
void conv2d(const ConvShape& s, int batch, const float* in, const float* w, const float* bias, float* out,
            std::vector<float>& scratch);
// The same with an epilogue (its bias replaces `bias`). The GEMM runs over blocks of columns that stay
// in cache, each finished by the epilogue before it is stored. `packed`: packConvWeights(s, w), or null.
void conv2d(const ConvShape& s, int batch, const float* in, const float* w, const Epilogue& epilogue, float* out,
            std::vector<float>& scratch, const float* packed = nullptr);
// The weights of a GEMM convolution laid out as the AVX2 build's fused kernel reads them, for a caller
// that runs the same weights many times (otherwise every call repacks them); empty where the running
// kernels do not use it (the generic build, depthwise convolutions).
std::vector<float> packConvWeights(const ConvShape& s, const float* w);
void conv2dNaive(const ConvShape& s, const float* in, const float* w, const float* bias, float* out);
// Backward for training: adds dL/dx into dx (when not null) and dL/dw into dw.
void conv2dBackward(const ConvShape& s, const float* in, const float* w, const float* dy, float* dx, float* dw,
                    std::vector<float>& scratch);

// out[O] = bias + W[O][I] * in[I]
void dense(int inFeatures, int outFeatures, const float* in, const float* w, const float* bias, float* out);
// For `batch` images: in[I][batch], out[O][batch].
void dense(int inFeatures, int outFeatures, int batch, const float* in, const float* w, const float* bias, float* out);
void dense(int inFeatures, int outFeatures, int batch, const float* in, const float* w, const Epilogue& epilogue, float* out);
void denseNaive(int inFeatures, int outFeatures, const float* in, const float* w, const float* bias, float* out);

void maxPool(const ConvShape& s, const float* in, float* out);
void avgPool(const ConvShape& s, const float* in, float* out); // padding counts as zeros
void globalAvgPool(int C, int HW, const float* in, float* out);

// True when the AVX2+FMA build of the kernels runs on this CPU.
bool usingAvx2();

} // namespace poq::kernels
