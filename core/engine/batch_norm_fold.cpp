// The batch-norm fold (see batch_norm_fold.h).
#include "engine/batch_norm_fold.h"

#include <cmath>

namespace poq {

int batchNormFoldTarget(const Graph& graph, int layer)
{
    const Layer& l = graph.layers()[size_t(layer)];
    if (!kindInfo(l.kind).foldsIntoConv || l.inputs.size() != 1)
        return -1;
    const Tensor& in = graph.tensor(l.inputs[0]);
    if (in.producer < 0 || in.consumers.size() != 1 || !graph.layers()[size_t(in.producer)].loopNest)
        return -1;
    return in.producer;
}

void batchNormAffine(const NetworkWeights& weights, const std::string& name, std::vector<float>& scale,
                     std::vector<float>& shift)
{
    const auto& g = weights.at(name + ".gamma");
    const auto& b = weights.at(name + ".beta");
    const auto& m = weights.at(name + ".mean");
    const auto& v = weights.at(name + ".var");
    scale.resize(g.size());
    shift.resize(g.size());
    for (size_t c = 0; c < g.size(); ++c) {
        scale[c] = g[c] / std::sqrt(v[c] + kBatchNormEps);
        shift[c] = b[c] - m[c] * scale[c];
    }
}

void foldAffine(std::vector<float>& w, std::vector<float>& bias, const std::vector<float>& scale,
                const std::vector<float>& shift)
{
    const size_t per = w.size() / scale.size();
    for (size_t k = 0; k < scale.size(); ++k)
        for (size_t j = 0; j < per; ++j)
            w[k * per + j] *= scale[k];
    if (bias.empty() && !shift.empty())
        bias.assign(scale.size(), 0.0f);
    for (size_t k = 0; k < bias.size(); ++k)
        bias[k] = bias[k] * scale[k] + (shift.empty() ? 0.0f : shift[k]);
}

} // namespace poq
