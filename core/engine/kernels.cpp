// Run-time choice between the generic and the AVX2+FMA builds of the kernels: packaged builds run on
// any x86-64 CPU and still use the wide units where they exist. One machine always takes the same
// path, so results stay identical whatever the number of threads.
#include "engine/kernels.h"

namespace poq::kernels {

namespace generic {
void conv2d(const ConvShape&, int, const float*, const float*, const Epilogue&, float*, std::vector<float>&,
            const float*);
void dense(int, int, int, const float*, const float*, const Epilogue&, float*);
void maxPool(const ConvShape&, const float*, float*);
void avgPool(const ConvShape&, const float*, float*);
void globalAvgPool(int, int, const float*, float*);
void conv2dNaive(const ConvShape&, const float*, const float*, const float*, float*);
void denseNaive(int, int, const float*, const float*, const float*, float*);
void conv2dBackward(const ConvShape&, const float*, const float*, const float*, float*, float*, std::vector<float>&);
void quantize(const Quantizer&, float*, size_t);
} // namespace generic
namespace avx2 {
void conv2dBackward(const ConvShape&, const float*, const float*, const float*, float*, float*, std::vector<float>&);
void conv2d(const ConvShape&, int, const float*, const float*, const Epilogue&, float*, std::vector<float>&,
            const float*);
std::vector<float> packConvWeights(const ConvShape&, const float*);
void dense(int, int, int, const float*, const float*, const Epilogue&, float*);
void quantize(const Quantizer&, float*, size_t);
} // namespace avx2

namespace {
const bool kAvx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
} // namespace

bool usingAvx2() { return kAvx2; }

ConvShape convShape(const Layer& l)
{
    ConvShape s;
    s.C = l.inShapes[0].c;
    s.H = l.inShapes[0].h;
    s.W = l.inShapes[0].w;
    s.K = l.outShape.c;
    s.OH = l.outShape.h;
    s.OW = l.outShape.w;
    if (l.kind == LayerKind::Conv2d)
        s.groups = l.attrs.get(Attr::Groups);
    const auto k = l.attrs.pair(Attr::Kernel), st = l.attrs.pair(Attr::Stride), p = l.attrs.pair(Attr::Padding);
    s.FY = k[0];
    s.FX = k[1];
    s.strideY = st[0];
    s.strideX = st[1];
    s.padY = p[0];
    s.padX = p[1];
    if (l.kind == LayerKind::Conv2d) {
        const auto d = l.attrs.pair(Attr::Dilation);
        s.dilY = d[0];
        s.dilX = d[1];
    }
    return s;
}

void Quantizer::apply(float* v, size_t n) const { kAvx2 ? avx2::quantize(*this, v, n) : generic::quantize(*this, v, n); }

void conv2d(const ConvShape& s, int batch, const float* in, const float* w, const Epilogue& ep, float* out,
            std::vector<float>& scratch, const float* packed)
{
    kAvx2 ? avx2::conv2d(s, batch, in, w, ep, out, scratch, packed) : generic::conv2d(s, batch, in, w, ep, out, scratch, nullptr);
}

std::vector<float> packConvWeights(const ConvShape& s, const float* w)
{
    return kAvx2 ? avx2::packConvWeights(s, w) : std::vector<float>();
}

void conv2d(const ConvShape& s, int batch, const float* in, const float* w, const float* bias, float* out,
            std::vector<float>& scratch)
{
    Epilogue ep;
    ep.bias = bias;
    conv2d(s, batch, in, w, ep, out, scratch);
}

void conv2d(const ConvShape& s, const float* in, const float* w, const float* bias, float* out, std::vector<float>& scratch)
{
    conv2d(s, 1, in, w, bias, out, scratch);
}

void dense(int inF, int outF, int batch, const float* in, const float* w, const Epilogue& ep, float* out)
{
    kAvx2 ? avx2::dense(inF, outF, batch, in, w, ep, out) : generic::dense(inF, outF, batch, in, w, ep, out);
}

void dense(int inF, int outF, int batch, const float* in, const float* w, const float* bias, float* out)
{
    Epilogue ep;
    ep.bias = bias;
    dense(inF, outF, batch, in, w, ep, out);
}

void dense(int inF, int outF, const float* in, const float* w, const float* bias, float* out)
{
    dense(inF, outF, 1, in, w, bias, out);
}

void conv2dBackward(const ConvShape& s, const float* in, const float* w, const float* dy, float* dx, float* dw,
                    std::vector<float>& scratch)
{
    kAvx2 ? avx2::conv2dBackward(s, in, w, dy, dx, dw, scratch) : generic::conv2dBackward(s, in, w, dy, dx, dw, scratch);
}

void conv2dNaive(const ConvShape& s, const float* in, const float* w, const float* bias, float* out)
{
    generic::conv2dNaive(s, in, w, bias, out);
}

void denseNaive(int inF, int outF, const float* in, const float* w, const float* bias, float* out)
{
    generic::denseNaive(inF, outF, in, w, bias, out);
}

void maxPool(const ConvShape& s, const float* in, float* out) { generic::maxPool(s, in, out); }
void avgPool(const ConvShape& s, const float* in, float* out) { generic::avgPool(s, in, out); }
void globalAvgPool(int C, int HW, const float* in, float* out) { generic::globalAvgPool(C, HW, in, out); }

} // namespace poq::kernels
