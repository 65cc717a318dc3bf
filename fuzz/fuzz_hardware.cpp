// Hardware JSON (core/hw/hardware_io.cpp): parse, and check that an accepted description survives
// hardwareToJson and a second parse with every parameter unchanged.
#include "fuzz_common.h"

#include "hw/hardware_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace poq;
    Hardware hw;
    try {
        hw = parseHardwareJson(fuzz::bytesOf(data, size), "fuzz.json");
    } catch (const InputError&) {
        return 0;
    }
    const std::string json = hardwareToJson(hw);
    const Hardware again = fuzz::mustLoad("hardwareToJson of an accepted description",
                                          [&] { return parseHardwareJson(json, "round-trip.json"); });
    POQ_FUZZ_CHECK(hardwareToJson(again) == json, "hardwareToJson round-trips");
    return 0;
}
