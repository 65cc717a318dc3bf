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
    // Measured accuracies take most of the time when models are evaluated: the costing then
    // reports the first fifth of the progress, the evaluation the rest.
    const double costShare = spec.measured ? 0.2 : 1.0;
    std::function<void(double)> costProgress;
    if (progress)
        costProgress = [&](double f) { progress(f * costShare); };
    if (!sweep.cost(spec.hardware, spec.objective, cache, out.points, costProgress, cancel)) {
        out.cancelled = true;
        return out;
    }
    if (spec.measured) {
        out.unmeasured = measureAccuracies(out.points, spec.network, "fashion-mnist", cancel, [&](double f) {
            if (progress)
                progress(costShare + (1 - costShare) * f);
        });
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
