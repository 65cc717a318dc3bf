// Hardware files (JSON) and the built-in presets in resources/hardware/.
#pragma once

#include "hw/hardware.h"

#include <string>
#include <vector>

namespace poq {

inline constexpr const char* kDefaultPreset = "edge-npu";

// Names of the preset files found in the resource folder (without ".json"), sorted.
std::vector<std::string> hardwarePresets();

// A preset name or a path to a hardware JSON file. Throws InputError naming the file and field.
Hardware loadHardware(const std::string& presetOrPath);

Hardware parseHardwareJson(const std::string& contents, const std::string& sourceName);
std::string hardwareToJson(const Hardware& hw);
void saveHardwareFile(const Hardware& hw, const std::string& path); // atomic

// Applies "KEY=VALUE" (the CLI's --set); throws InputError on a bad key, value or range.
void applySetting(Hardware& hw, const std::string& assignment);

} // namespace poq
