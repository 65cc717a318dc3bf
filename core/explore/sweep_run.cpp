// runSweep: cost, accuracies by source, frontier.
#include "explore/sweep_run.h"

#include "engine/measure.h"
#include "explore/pareto.h"

namespace poq {

SweepOutcome runSweep(const SweepSpec& spec, MappingCache& cache, const std::function<void(double)>& progress,
                      const CancelToken* cancel)
{
    SweepOutcome out;
    const Sweep sweep(spec.network, spec.widths, spec.strategies);
    if (!sweep.cost(spec.hardware, spec.objective, cache, out.points, progress, cancel)) {
        out.cancelled = true;
        return out;
    }
    if (spec.measured) {
        out.unmeasured = measureAccuracies(out.points, spec.network, "fashion-mnist", cancel);
        if (cancel && cancel->cancelled()) {
            out.cancelled = true;
            return out;
        }
        markPareto(out.points);
    } else if (spec.accuracy) {
        applyAccuracy(out.points, *spec.accuracy);
        out.unmatched = spec.accuracy->unmatched(out.points);
    } else {
        markPareto(out.points);
    }
    return out;
}

} // namespace poq
