// The ONNX importer's node handlers: one per operator (the table is kOnnxOperators in
// onnx_import.cpp); each checks its node and pushes layers of existing kinds.
#include "onnx/onnx_importer.h"

#include "engine/batch_norm_fold.h"
#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace poq::onnx_detail {

void Importer::spatial(const onnx::NodeProto& n, const Value& x, int kh, int kw, std::array<int, 2> stride,
                       std::array<int, 2> dilation, AttrValues& a, bool ceilMode)
{
    std::array<int, 4> p = x.pad; // top, left, bottom, right
    const auto pads = attrInts(n, "pads");
    const auto* autoPad = attr(n, "auto_pad");
    const std::string mode = autoPad ? autoPad->s() : "NOTSET";
    if (mode == "SAME_UPPER" || mode == "SAME_LOWER") {
        const std::array<int, 2> in = {x.shape.h, x.shape.w}, k = {kh, kw};
        for (int d = 0; d < 2; ++d) {
            const int out = (in[d] + stride[d] - 1) / stride[d];
            const int total = std::max(0, (out - 1) * stride[d] + (k[d] - 1) * dilation[d] + 1 - in[d]);
            const int small = total / 2, big = total - small;
            p[d] += mode == "SAME_UPPER" ? small : big;
            p[d + 2] += mode == "SAME_UPPER" ? big : small;
        }
    } else if (mode == "NOTSET") {
        if (!pads.empty() && pads.size() != 4)
            failNode("pads: " + std::to_string(pads.size()) + " values; 2-D layers have 4 (top, left, bottom, right)");
        for (size_t i = 0; i < pads.size(); ++i) {
            if (pads[i] < 0 || pads[i] > 31)
                failNode("pads: " + std::to_string(pads[i]) + " is outside 0..31");
            p[i] += int(pads[i]);
        }
    } else if (mode != "VALID") {
        failNode("auto_pad: '" + mode + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
    }
    if (ceilMode) { // extra padding at the end so that the last partial window counts
        const std::array<int, 2> in = {x.shape.h, x.shape.w}, k = {kh, kw};
        for (int d = 0; d < 2; ++d) {
            const int span = (k[d] - 1) * dilation[d] + 1, room = in[d] + p[d] + p[d + 2] - span;
            if (room >= 0 && room % stride[d] != 0) {
                const int extra = stride[d] - room % stride[d];
                // PyTorch's rule: the last window must start inside the input or the top/left padding.
                if (((room + extra) / stride[d]) * stride[d] < in[d] + p[d])
                    p[d + 2] += extra;
            }
        }
    }
    for (int v : p)
        if (v > 31)
            failNode("pads: " + std::to_string(v) + " is outside 0..31");
    a.setPair(Attr::Kernel, kh, kw);
    a.setPair(Attr::Stride, stride[0], stride[1]);
    a.setPair(Attr::Padding, p[0], p[1]);
    if (p[2] != p[0] || p[3] != p[1])
        a.setPair(Attr::PaddingEnd, p[2], p[3]);
}

void Importer::conv(const onnx::NodeProto& n)
{
    const Value x = value(n, 0, true);
    if (x.flat)
        failNode("input: a flat [batch, features] tensor; Conv needs [batch, C, H, W]");
    const Const& w = constant(n, 1, "weights");
    if (w.dims.size() != 4)
        failNode("weights: rank " + std::to_string(w.dims.size()) + "; only 2-D convolutions (rank 4) are supported");
    const int64_t groups = attrInt(n, "group", 1);
    const int out = int(w.dims[0]), perGroup = int(w.dims[1]), kh = int(w.dims[2]), kw = int(w.dims[3]);
    if (groups < 1 || groups > x.shape.c || int64_t(perGroup) * groups != x.shape.c)
        failNode("group: " + std::to_string(groups) + " groups of " + std::to_string(perGroup)
                 + " channels do not match the input's " + std::to_string(x.shape.c));
    const auto ks = attrInts(n, "kernel_shape");
    if (!ks.empty() && (ks.size() != 2 || ks[0] != kh || ks[1] != kw))
        failNode("kernel_shape: does not match the weights' " + std::to_string(kh) + " x " + std::to_string(kw));
    auto pairOf = [&](const char* name) {
        const auto v = attrInts(n, name);
        if (v.empty())
            return std::array<int, 2>{1, 1};
        if (v.size() != 2 || v[0] < 1 || v[1] < 1 || v[0] > 16 || v[1] > 16)
            failNode(std::string(name) + ": must be two values in 1..16");
        return std::array<int, 2>{int(v[0]), int(v[1])};
    };
    const auto stride = pairOf("strides"), dilation = pairOf("dilations");
    AttrValues a;
    spatial(n, x, kh, kw, stride, dilation, a, false);
    a.setPair(Attr::Dilation, dilation[0], dilation[1]);
    if (groups == x.shape.c && out == x.shape.c && perGroup == 1 && groups > 1) {
        a.set(Attr::Depthwise, 1);
    } else {
        a.set(Attr::OutChannels, out);
        a.set(Attr::Groups, int(groups));
    }
    const bool bias = hasInput(n, 2);
    a.set(Attr::Bias, bias ? 1 : 0);
    const Value y = push(LayerKind::Conv2d, a, {x}, false);
    addWeight(y.tensor + ".weight", w.dims, w);
    if (bias) {
        const Const& b = constant(n, 2, "bias");
        if (b.count() != out)
            failNode("bias: " + std::to_string(b.count()) + " values for " + std::to_string(out) + " output channels");
        addWeight(y.tensor + ".bias", {out}, b);
    }
    define(n.output(0), y);
}

void Importer::gemm(const onnx::NodeProto& n)
{
    const Value x = value(n, 0);
    if (x.shape.h != 1 || x.shape.w != 1)
        failNode("input: " + x.shape.str() + "; Gemm needs [batch, features]");
    if (attrInt(n, "transA", 0) != 0)
        failNode("transA: only 0 is supported");
    const bool transB = attrInt(n, "transB", 0) != 0;
    const double alpha = attrFloat(n, "alpha", 1.0f), beta = attrFloat(n, "beta", 1.0f);
    const Const& w = constant(n, 1, "weights");
    if (w.dims.size() != 2)
        failNode("weights: rank " + std::to_string(w.dims.size()) + "; Gemm's B has rank 2");
    const int64_t rows = transB ? w.dims[0] : w.dims[1], cols = transB ? w.dims[1] : w.dims[0];
    if (cols != x.shape.c)
        failNode("weights: " + std::to_string(cols) + " inputs for " + std::to_string(x.shape.c) + " features");
    AttrValues a;
    a.set(Attr::OutChannels, int(rows));
    const bool bias = hasInput(n, 2);
    a.set(Attr::Bias, bias ? 1 : 0);
    const Value y = push(LayerKind::Dense, a, {x}, true);
    addWeight(y.tensor + ".weight", {rows, cols}, w, [&](int64_t i) {
        const int64_t r = i / cols, c = i % cols;
        return alpha * w.values.at(size_t(transB ? r * cols + c : c * rows + r));
    });
    if (bias) {
        const Const& b = constant(n, 2, "bias");
        if (b.count() != rows && b.count() != 1)
            failNode("bias: " + std::to_string(b.count()) + " values for " + std::to_string(rows) + " outputs");
        addWeight(y.tensor + ".bias", {rows}, b,
                  [&](int64_t i) { return beta * b.values.at(b.count() == 1 ? 0 : size_t(i)); });
    }
    define(n.output(0), y);
}

void Importer::matMul(const onnx::NodeProto& n)
{
    const Value x = value(n, 0);
    if (x.shape.h != 1 || x.shape.w != 1)
        failNode("input: " + x.shape.str() + "; MatMul is supported on [batch, features] only");
    const Const& w = constant(n, 1, "weights");
    if (w.dims.size() != 2 || w.dims[0] != x.shape.c)
        failNode("weights: must be [" + std::to_string(x.shape.c) + ", outputs]");
    const int64_t rows = w.dims[1], cols = w.dims[0];
    AttrValues a;
    a.set(Attr::OutChannels, int(rows));
    const Value y = push(LayerKind::Dense, a, {x}, true);
    addWeight(y.tensor + ".weight", {rows, cols}, w,
              [&](int64_t i) { return w.values.at(size_t((i % cols) * rows + i / cols)); });
    define(n.output(0), y);
}

void Importer::batchNorm(const onnx::NodeProto& n)
{
    const Value x = value(n, 0);
    if (attrInt(n, "training_mode", 0) != 0)
        failNode("training_mode: only inference (0) is supported");
    onlyFirstOutputUsed(n);
    const double eps = attrFloat(n, "epsilon", 1e-5f);
    const char* roles[] = {"scale", "bias", "mean", "var"};
    const char* names[] = {".gamma", ".beta", ".mean", ".var"};
    std::array<const Const*, 4> p{};
    for (int i = 0; i < 4; ++i) {
        p[size_t(i)] = &constant(n, i + 1, roles[i]);
        if (p[size_t(i)]->count() != x.shape.c)
            failNode(std::string(roles[i]) + ": " + std::to_string(p[size_t(i)]->count()) + " values for "
                     + std::to_string(x.shape.c) + " channels");
    }
    const Value y = push(LayerKind::BatchNorm, {}, {x}, x.flat);
    for (int i = 0; i < 3; ++i)
        addWeight(y.tensor + names[i], {x.shape.c}, *p[size_t(i)]);
    // POQ Studio normalizes with kBatchNormEps; the model's own epsilon moves into the variance.
    addWeight(y.tensor + ".var", {x.shape.c}, *p[3],
              [&](int64_t i) { return std::max(0.0, p[3]->values.at(size_t(i)) + eps - double(kBatchNormEps)); });
    define(n.output(0), y);
}

void Importer::clip(const onnx::NodeProto& n)
{
    const Value x = value(n, 0);
    // Opset 11 and later (the supported range) give the bounds as inputs.
    double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
    for (int i = 1; i <= 2; ++i)
        if (hasInput(n, i)) {
            const Const& c = constant(n, i, i == 1 ? "min" : "max");
            if (c.count() != 1 || c.values.empty())
                failNode(std::string(i == 1 ? "min" : "max") + ": must be one constant value");
            (i == 1 ? lo : hi) = c.values[0];
        }
    if (hi >= double(std::numeric_limits<float>::max()))
        hi = std::numeric_limits<double>::infinity();
    LayerKind kind;
    if (lo == 0 && hi == 6)
        kind = LayerKind::ReLU6;
    else if (lo == 0 && std::isinf(hi))
        kind = LayerKind::ReLU;
    else
        failNode("bounds [" + std::to_string(lo) + ", " + std::to_string(hi)
                 + "]: supported are [0, 6] (ReLU6) and [0, inf) (ReLU)");
    define(n.output(0), push(kind, {}, {x}, x.flat));
}

void Importer::unary(const onnx::NodeProto& n, LayerKind kind)
{
    const Value x = value(n, 0);
    if (kind == LayerKind::HardSigmoid) {
        const float alpha = attrFloat(n, "alpha", 0.2f), beta = attrFloat(n, "beta", 0.5f);
        if (std::fabs(alpha - 1.0f / 6.0f) > 1e-6f || beta != 0.5f)
            failNode("alpha " + std::to_string(alpha) + ", beta " + std::to_string(beta)
                     + ": supported is PyTorch's hard sigmoid (alpha 1/6, beta 1/2)");
    }
    define(n.output(0), push(kind, {}, {x}, x.flat));
}

void Importer::add(const onnx::NodeProto& n)
{
    if (n.input_size() != 2)
        failNode("inputs: " + std::to_string(n.input_size()) + "; Add takes two");
    const bool c0 = isConst(n.input(0)), c1 = isConst(n.input(1));
    if (c0 && c1)
        failNode("inputs: both constant");
    if (!c0 && !c1) {
        const Value a = value(n, 0), b = value(n, 1);
        define(n.output(0), push(LayerKind::Add, {}, {a, b}, a.flat));
        return;
    }
    // A constant: the bias of the MAC layer that produced the other input (MatMul + Add, Conv + Add).
    const int vi = c0 ? 1 : 0;
    const Value x = value(n, vi);
    const Const& b = constant(n, 1 - vi, "bias");
    const auto it = m_layerOf.find(x.tensor);
    LayerSpec* layer = it == m_layerOf.end() ? nullptr : &m_out.spec.layers[size_t(it->second)];
    const bool macLayer = layer && (layer->kind == LayerKind::Dense || layer->kind == LayerKind::Conv2d);
    if (!macLayer || layer->attrs.get(Attr::Bias) || m_readers[n.input(vi)] != 1
        || (b.count() != x.shape.c && b.count() != 1))
        failNode("a constant added to '" + n.input(vi)
                 + "': supported only as the bias of the MatMul, Gemm or Conv that computes it");
    layer->attrs.set(Attr::Bias, 1);
    addWeight(x.tensor + ".bias", {x.shape.c}, b, [&](int64_t i) { return b.values.at(b.count() == 1 ? 0 : size_t(i)); });
    define(n.output(0), x);
}

void Importer::mul(const onnx::NodeProto& n)
{
    if (n.input_size() != 2)
        failNode("inputs: " + std::to_string(n.input_size()) + "; Mul takes two");
    if (isConst(n.input(0)) || isConst(n.input(1)))
        failNode("a constant factor: supported are products of two computed tensors (gates, SiLU, HardSwish)");
    Value a = value(n, 0), b = value(n, 1);
    if (a.shape.elements() < b.shape.elements())
        std::swap(a, b); // the full-size tensor first, the gate second
    define(n.output(0), push(LayerKind::Mul, {}, {a, b}, a.flat));
}

void Importer::pool(const onnx::NodeProto& n, bool max)
{
    const Value x = value(n, 0, !max);
    if (x.flat)
        failNode("input: a flat tensor; pooling needs [batch, C, H, W]");
    onlyFirstOutputUsed(n);
    const auto k = attrInts(n, "kernel_shape");
    if (k.size() != 2 || k[0] < 1 || k[1] < 1 || k[0] > 31 || k[1] > 31)
        failNode("kernel_shape: must be two values in 1..31");
    const auto s = attrInts(n, "strides");
    std::array<int, 2> stride{1, 1};
    if (!s.empty()) {
        if (s.size() != 2 || s[0] < 1 || s[1] < 1 || s[0] > 16 || s[1] > 16)
            failNode("strides: must be two values in 1..16");
        stride = {int(s[0]), int(s[1])};
    }
    for (int64_t d : attrInts(n, "dilations"))
        if (d != 1)
            failNode("dilations: only 1 is supported for pooling");
    const bool ceil = attrInt(n, "ceil_mode", 0) != 0;
    if (ceil && !max)
        failNode("ceil_mode: 1 is supported for MaxPool only");
    AttrValues a;
    spatial(n, x, int(k[0]), int(k[1]), stride, {1, 1}, a, ceil);
    if (!max) {
        const auto own = attrInts(n, "pads");
        const bool ownPads = std::any_of(own.begin(), own.end(), [](int64_t v) { return v != 0; })
                             || (attr(n, "auto_pad") && attr(n, "auto_pad")->s().rfind("SAME", 0) == 0);
        if (ownPads && attrInt(n, "count_include_pad", 0) == 0)
            failNode("count_include_pad: 0 with padding (POQ Studio's AvgPool counts padding as zeros)");
    }
    define(n.output(0), push(max ? LayerKind::MaxPool : LayerKind::AvgPool, a, {x}, false));
}

void Importer::reshape(const onnx::NodeProto& n)
{
    const Value x = value(n, 0);
    std::vector<int64_t> shape;
    for (double v : constant(n, 1, "shape").values)
        shape.push_back(int64_t(v));
    const int64_t features = x.shape.elements();
    const bool flattens = shape.size() == 2 && (shape[0] == 1 || shape[0] == -1 || shape[0] == 0)
                          && (shape[1] == features || (shape[1] == -1 && shape[0] != -1));
    if (!flattens)
        failNode("shape: only a reshape to [batch, " + std::to_string(features) + "] (a flatten) is supported");
    if (x.flat) {
        define(n.output(0), x);
        return;
    }
    define(n.output(0), push(LayerKind::Flatten, {}, {x}, true));
}

void Importer::squeeze(const onnx::NodeProto& n, bool unsqueeze)
{
    const Value x = value(n, 0);
    std::vector<int64_t> axes = attrInts(n, "axes");
    if (m_opset >= 13 && hasInput(n, 1))
        for (double v : constant(n, 1, "axes").values)
            axes.push_back(int64_t(v));
    std::sort(axes.begin(), axes.end());
    const bool spatialAxes = axes == std::vector<int64_t>{2, 3} || axes == std::vector<int64_t>{-2, -1};
    const bool ok = x.shape.h == 1 && x.shape.w == 1 && (unsqueeze ? x.flat : !x.flat)
                    && (spatialAxes || (!unsqueeze && axes.empty()));
    if (!ok)
        failNode(std::string(unsqueeze ? "Unsqueeze" : "Squeeze")
                 + ": supported only between [batch, C, 1, 1] and [batch, C] (axes 2 and 3)");
    Value y = x;
    y.flat = !unsqueeze;
    define(n.output(0), y);
}

void Importer::concat(const onnx::NodeProto& n)
{
    std::vector<Value> in;
    for (int i = 0; i < n.input_size(); ++i)
        in.push_back(value(n, i));
    if (in.empty())
        failNode("inputs: none");
    const int64_t axis = attrInt(n, "axis", 1);
    const bool channels = axis == 1 || (in[0].flat ? axis == -1 : axis == -3);
    if (!channels)
        failNode("axis: " + std::to_string(axis) + "; only concatenation along the channels (axis 1) is supported");
    if (in.size() == 1) {
        define(n.output(0), in[0]);
        return;
    }
    define(n.output(0), push(LayerKind::Concat, {}, in, in[0].flat));
}

void Importer::pad(const onnx::NodeProto& n)
{
    Value x = value(n, 0, true);
    const auto* m = attr(n, "mode");
    if (m && m->s() != "constant")
        failNode("mode: '" + m->s() + "'; only constant (zero) padding is supported");
    std::vector<int64_t> pads; // opset 11 and later: pads and the value are inputs
    for (double v : constant(n, 1, "pads").values)
        pads.push_back(int64_t(v));
    if (hasInput(n, 2)) {
        const Const& v = constant(n, 2, "constant_value");
        if (!v.values.empty() && v.values[0] != 0)
            failNode("constant_value: only zero padding is supported");
    }
    if (hasInput(n, 3))
        failNode("axes: not supported");
    if (pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5] || x.flat)
        failNode("pads: only padding of height and width of a [batch, C, H, W] tensor is supported");
    const int order[4] = {2, 3, 6, 7}; // top, left, bottom, right
    for (int i = 0; i < 4; ++i) {
        if (pads[size_t(order[i])] < 0 || pads[size_t(order[i])] > 31)
            failNode("pads: " + std::to_string(pads[size_t(order[i])]) + " is outside 0..31");
        x.pad[size_t(i)] += int(pads[size_t(order[i])]);
    }
    x.padNode = m_nodeName;
    define(n.output(0), x);
}

void Importer::quantize(const onnx::NodeProto& n, bool q)
{
    if (!hasInput(n, 1) || !isConst(n.input(1)))
        failNode("scale: must be a constant (an initializer); computed scales are not supported");
    if (hasInput(n, 2) && !isConst(n.input(2)))
        failNode("zero point: must be a constant (an initializer)");
    const Const& scale = m_consts.at(n.input(1));
    const Const* zero = hasInput(n, 2) ? &m_consts.at(n.input(2)) : nullptr;
    if (isConst(n.input(0))) { // a quantized weight: apply the rounding, keep floats
        const Const& x = m_consts.at(n.input(0));
        Const y = x;
        if (!x.absent) {
            if (scale.values.empty() || (zero && zero->values.empty()))
                failNode("scale: absent data");
            const int64_t per = scale.count() > 1 && !x.dims.empty() ? x.count() / x.dims[0] : x.count();
            for (int64_t i = 0; i < x.count(); ++i) {
                const size_t ch = scale.count() > 1 ? size_t(i / per) : 0;
                if (ch >= scale.values.size())
                    failNode("scale: fewer values than channels");
                const double s = scale.values[ch], z = zero ? zero->values.at(std::min(ch, zero->values.size() - 1)) : 0;
                if (!(s > 0))
                    failNode("scale: must be positive");
                double& v = y.values[size_t(i)];
                v = q ? std::nearbyint(v / s) + z : (v - z) * s;
            }
        }
        m_consts[n.output(0)] = y;
        return;
    }
    define(n.output(0), value(n, 0)); // between layers: the engine quantizes stored tensors itself
}

void Importer::constantNode(const onnx::NodeProto& n)
{
    Const c;
    if (const auto* v = attr(n, "value")) {
        c = tensorConst(v->t(), "node '" + m_nodeName + "' (Constant)");
    } else if (const auto* f = attr(n, "value_float")) {
        c.values = {f->f()};
    } else if (const auto* i = attr(n, "value_int")) {
        c.values = {double(i->i())};
    } else if (const auto* fs = attr(n, "value_floats")) {
        c.dims = {fs->floats_size()};
        c.values.assign(fs->floats().begin(), fs->floats().end());
    } else if (const auto* is = attr(n, "value_ints")) {
        c.dims = {is->ints_size()};
        for (int64_t v : is->ints())
            c.values.push_back(double(v));
    } else {
        failNode("value: no supported value attribute");
    }
    m_consts[n.output(0)] = c;
}

void Importer::convert(const onnx::NodeProto& n)
{
    if (!n.domain().empty() && n.domain() != "ai.onnx")
        failNode("domain '" + n.domain() + "' is not supported; supported operators (default domain): "
                 + supportedOnnxOperators());
    if (n.output_size() < 1 || n.output(0).empty())
        failNode("no output");
    const std::string& op = n.op_type();
    // Constants flow through Identity, Dropout and Cast without becoming layers.
    if ((op == "Identity" || op == "Dropout" || op == "Cast") && hasInput(n, 0) && isConst(n.input(0))) {
        m_consts[n.output(0)] = m_consts.at(n.input(0));
        return;
    }
    if (op == "Conv") conv(n);
    else if (op == "Gemm") gemm(n);
    else if (op == "MatMul") matMul(n);
    else if (op == "BatchNormalization") batchNorm(n);
    else if (op == "Relu") unary(n, LayerKind::ReLU);
    else if (op == "Clip") clip(n);
    else if (op == "Sigmoid") unary(n, LayerKind::Sigmoid);
    else if (op == "HardSigmoid") unary(n, LayerKind::HardSigmoid);
    else if (op == "HardSwish") unary(n, LayerKind::HardSwish);
    else if (op == "Add") add(n);
    else if (op == "Mul") mul(n);
    else if (op == "MaxPool") pool(n, true);
    else if (op == "AveragePool") pool(n, false);
    else if (op == "GlobalAveragePool" || op == "ReduceMean") {
        const Value x = value(n, 0);
        if (op == "ReduceMean") {
            std::vector<int64_t> axes = attrInts(n, "axes");
            if (m_opset >= 18 && hasInput(n, 1))
                for (double v : constant(n, 1, "axes").values)
                    axes.push_back(int64_t(v));
            std::sort(axes.begin(), axes.end());
            if (x.flat || !(axes == std::vector<int64_t>{2, 3} || axes == std::vector<int64_t>{-2, -1}))
                failNode("axes: only the mean over height and width (axes 2 and 3) is supported");
            define(n.output(0), push(LayerKind::GlobalAvgPool, {}, {x}, attrInt(n, "keepdims", 1) == 0));
        } else {
            define(n.output(0), push(LayerKind::GlobalAvgPool, {}, {x}, false));
        }
    } else if (op == "Flatten") {
        const Value x = value(n, 0);
        if (attrInt(n, "axis", 1) != 1)
            failNode("axis: only 1 (keep the batch) is supported");
        define(n.output(0), x.flat ? x : push(LayerKind::Flatten, {}, {x}, true));
    } else if (op == "Reshape") reshape(n);
    else if (op == "Squeeze") squeeze(n, false);
    else if (op == "Unsqueeze") squeeze(n, true);
    else if (op == "Concat") concat(n);
    else if (op == "Pad") pad(n);
    else if (op == "Identity" || op == "Dropout") {
        onlyFirstOutputUsed(n);
        define(n.output(0), value(n, 0, true));
    } else if (op == "Cast") {
        if (attrInt(n, "to", 1) != onnx::TensorProto_DataType_FLOAT)
            failNode("to: only casts to float are supported on computed tensors");
        define(n.output(0), value(n, 0, true));
    } else if (op == "Constant") constantNode(n);
    else if (op == "QuantizeLinear") quantize(n, true);
    else if (op == "DequantizeLinear") quantize(n, false);
    else
        failNode("operator not supported; supported are " + supportedOnnxOperators());
}

} // namespace poq::onnx_detail
