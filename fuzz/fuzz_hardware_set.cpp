// `--set KEY=VALUE` (poq::applySetting, core/hw/hardware_io.cpp): every line of the input is one
// assignment, applied in turn to defaultHardware(). A refused assignment is undone (the CLI stops at
// the first one); the description that results must still be valid and survive hardwareToJson.
#include "fuzz_common.h"

#include "hw/hardware_io.h"
#include "hw/hw_params.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace poq;
    const std::string text = fuzz::bytesOf(data, size);
    static const Hardware kDefault = defaultHardware();
    Hardware hw = kDefault;
    bool changed = false;
    size_t begin = 0;
    for (int n = 0; n < 16 && begin <= text.size(); ++n) {
        size_t end = text.find('\n', begin);
        if (end == std::string::npos)
            end = text.size();
        const std::string assignment = text.substr(begin, end - begin);
        begin = end + 1;
        const Hardware before = hw;
        try {
            applySetting(hw, assignment);
        } catch (const InputError&) {
            hw = before;
            continue;
        }
        fuzz::mustLoad("the hardware after an accepted --set", [&] { validateHardware(hw); return 0; });
        changed = true;
    }
    if (!changed)
        return 0;
    const std::string json = hardwareToJson(hw);
    const Hardware again = fuzz::mustLoad("hardwareToJson after --set", [&] { return parseHardwareJson(json, "set.json"); });
    POQ_FUZZ_CHECK(hardwareToJson(again) == json, "hardwareToJson round-trips after --set");
    return 0;
}
