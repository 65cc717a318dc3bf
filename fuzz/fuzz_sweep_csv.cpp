// Sweep CSV (poq::parseSweepCsv, core/explore/csv.cpp): parse, and check that accepted points survive
// sweepToCsv and a second parse.
#include "fuzz_common.h"

#include "explore/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace poq;
    std::vector<DesignPoint> points;
    try {
        points = parseSweepCsv(fuzz::bytesOf(data, size), "fuzz.csv");
    } catch (const InputError&) {
        return 0;
    }
    for (const DesignPoint& p : points)
        POQ_FUZZ_CHECK(p.energyPj > 0 && (!p.accuracy || (*p.accuracy >= 0 && *p.accuracy <= 1)),
                       "accepted points have a positive energy and a fractional accuracy");
    const std::string csv = sweepToCsv(points);
    const std::vector<DesignPoint> again = fuzz::mustLoad("sweepToCsv of accepted points",
                                                          [&] { return parseSweepCsv(csv, "round-trip.csv"); });
    POQ_FUZZ_CHECK(again.size() == points.size(), "sweepToCsv keeps every point");
    POQ_FUZZ_CHECK(sweepToCsv(again) == csv, "sweepToCsv round-trips");
    return 0;
}
