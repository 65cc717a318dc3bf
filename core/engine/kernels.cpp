// Kernels. Eigen maps the buffers without copies; GEMM runs single-threaded per image so results do
// not depend on how images are spread over threads.
#include "engine/kernels.h"

#include <Eigen/Core>

#include <algorithm>
#include <cstring>
#include <limits>

namespace poq::kernels {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

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

namespace {

void depthwise(const ConvShape& s, const float* in, const float* w, const float* bias, float* out)
{
    for (int c = 0; c < s.C; ++c) {
        const float* x = in + size_t(c) * s.H * s.W;
        const float* k = w + size_t(c) * s.FY * s.FX;
        float* y = out + size_t(c) * s.OH * s.OW;
        const float b = bias ? bias[c] : 0.0f;
        for (int oy = 0; oy < s.OH; ++oy)
            for (int ox = 0; ox < s.OW; ++ox) {
                float acc = b;
                for (int fy = 0; fy < s.FY; ++fy) {
                    const int iy = oy * s.strideY + fy * s.dilY - s.padY;
                    if (iy < 0 || iy >= s.H)
                        continue;
                    for (int fx = 0; fx < s.FX; ++fx) {
                        const int ix = ox * s.strideX + fx * s.dilX - s.padX;
                        if (ix >= 0 && ix < s.W)
                            acc += k[fy * s.FX + fx] * x[iy * s.W + ix];
                    }
                }
                y[oy * s.OW + ox] = acc;
            }
    }
}

} // namespace

void conv2d(const ConvShape& s, const float* in, const float* w, const float* bias, float* out, std::vector<float>& scratch)
{
    if (s.groups == s.C && s.K == s.C && s.groups > 1) {
        depthwise(s, in, w, bias, out);
        return;
    }
    const int cg = s.C / s.groups, kg = s.K / s.groups;
    const int rows = cg * s.FY * s.FX, cols = s.OH * s.OW;
    const bool pointwise = s.FY == 1 && s.FX == 1 && s.strideY == 1 && s.strideX == 1 && s.padY == 0 && s.padX == 0;
    for (int g = 0; g < s.groups; ++g) {
        const float* x = in + size_t(g) * cg * s.H * s.W;
        const float* col = x;
        if (!pointwise) {
            scratch.resize(size_t(rows) * cols);
            float* dst = scratch.data();
            for (int c = 0; c < cg; ++c)
                for (int fy = 0; fy < s.FY; ++fy)
                    for (int fx = 0; fx < s.FX; ++fx, dst += cols)
                        for (int oy = 0; oy < s.OH; ++oy) {
                            const int iy = oy * s.strideY + fy * s.dilY - s.padY;
                            float* row = dst + oy * s.OW;
                            if (iy < 0 || iy >= s.H) {
                                std::fill(row, row + s.OW, 0.0f);
                                continue;
                            }
                            const float* src = x + (size_t(c) * s.H + iy) * s.W;
                            for (int ox = 0; ox < s.OW; ++ox) {
                                const int ix = ox * s.strideX + fx * s.dilX - s.padX;
                                row[ox] = (ix >= 0 && ix < s.W) ? src[ix] : 0.0f;
                            }
                        }
            col = scratch.data();
        }
        Eigen::Map<const RowMat> W(w + size_t(g) * kg * rows, kg, rows);
        Eigen::Map<const RowMat> X(col, rows, cols);
        Eigen::Map<RowMat> Y(out + size_t(g) * kg * cols, kg, cols);
        Y.noalias() = W * X;
        if (bias)
            for (int k = 0; k < kg; ++k)
                Y.row(k).array() += bias[g * kg + k];
    }
}

void conv2dNaive(const ConvShape& s, const float* in, const float* w, const float* bias, float* out)
{
    const int cg = s.C / s.groups, kg = s.K / s.groups;
    for (int k = 0; k < s.K; ++k) {
        const int g = k / kg;
        for (int oy = 0; oy < s.OH; ++oy)
            for (int ox = 0; ox < s.OW; ++ox) {
                double acc = bias ? bias[k] : 0.0;
                for (int c = 0; c < cg; ++c)
                    for (int fy = 0; fy < s.FY; ++fy)
                        for (int fx = 0; fx < s.FX; ++fx) {
                            const int iy = oy * s.strideY + fy * s.dilY - s.padY;
                            const int ix = ox * s.strideX + fx * s.dilX - s.padX;
                            if (iy < 0 || iy >= s.H || ix < 0 || ix >= s.W)
                                continue;
                            acc += double(w[((size_t(k) * cg + c) * s.FY + fy) * s.FX + fx])
                                   * in[(size_t(g * cg + c) * s.H + iy) * s.W + ix];
                        }
                out[(size_t(k) * s.OH + oy) * s.OW + ox] = float(acc);
            }
    }
}

void dense(int inF, int outF, const float* in, const float* w, const float* bias, float* out)
{
    Eigen::Map<const RowMat> W(w, outF, inF);
    Eigen::Map<const Eigen::VectorXf> x(in, inF);
    Eigen::Map<Eigen::VectorXf> y(out, outF);
    y.noalias() = W * x;
    if (bias)
        y += Eigen::Map<const Eigen::VectorXf>(bias, outF);
}

void denseNaive(int inF, int outF, const float* in, const float* w, const float* bias, float* out)
{
    for (int o = 0; o < outF; ++o) {
        double acc = bias ? bias[o] : 0.0;
        for (int i = 0; i < inF; ++i)
            acc += double(w[size_t(o) * inF + i]) * in[i];
        out[o] = float(acc);
    }
}

void maxPool(const ConvShape& s, const float* in, float* out)
{
    for (int c = 0; c < s.C; ++c)
        for (int oy = 0; oy < s.OH; ++oy)
            for (int ox = 0; ox < s.OW; ++ox) {
                float m = -std::numeric_limits<float>::infinity();
                for (int fy = 0; fy < s.FY; ++fy)
                    for (int fx = 0; fx < s.FX; ++fx) {
                        const int iy = oy * s.strideY + fy - s.padY, ix = ox * s.strideX + fx - s.padX;
                        if (iy >= 0 && iy < s.H && ix >= 0 && ix < s.W)
                            m = std::max(m, in[(size_t(c) * s.H + iy) * s.W + ix]);
                    }
                out[(size_t(c) * s.OH + oy) * s.OW + ox] = m;
            }
}

void avgPool(const ConvShape& s, const float* in, float* out)
{
    const float inv = 1.0f / float(s.FY * s.FX);
    for (int c = 0; c < s.C; ++c)
        for (int oy = 0; oy < s.OH; ++oy)
            for (int ox = 0; ox < s.OW; ++ox) {
                float acc = 0;
                for (int fy = 0; fy < s.FY; ++fy)
                    for (int fx = 0; fx < s.FX; ++fx) {
                        const int iy = oy * s.strideY + fy - s.padY, ix = ox * s.strideX + fx - s.padX;
                        if (iy >= 0 && iy < s.H && ix >= 0 && ix < s.W)
                            acc += in[(size_t(c) * s.H + iy) * s.W + ix];
                    }
                out[(size_t(c) * s.OH + oy) * s.OW + ox] = acc * inv;
            }
}

void globalAvgPool(int C, int HW, const float* in, float* out)
{
    for (int c = 0; c < C; ++c) {
        float acc = 0;
        for (int i = 0; i < HW; ++i)
            acc += in[size_t(c) * HW + i];
        out[c] = acc / float(HW);
    }
}

} // namespace poq::kernels
