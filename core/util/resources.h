// Where POQ Studio's read-only resources (presets, networks, icons, trained models) live.
// Order: $POQ_RESOURCES, <exe>/../share/poq-studio (installed), the source tree (developer builds).
#pragma once

#include <string>

namespace poq {

// The resource folder, or an empty string when none of the candidates exists.
std::string resourceDir();

// resourceDir() + "/" + relative; empty when no resource folder was found.
std::string resourcePath(const std::string& relative);

} // namespace poq
