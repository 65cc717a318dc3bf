// Network files. Each file format is one row of a table (name, extensions, loader, saver), so a
// second format (ONNX) is one more row. POQ Studio's own format is JSON (see README).
#pragma once

#include "graph/network_spec.h"
#include "util/input_file.h"

#include <optional>
#include <span>
#include <string>

namespace poq {

// How a network file is read: options that only some formats take (the others refuse them).
struct NetworkLoadOptions {
    std::optional<Shape> inputShape; // ONNX: the input's C, H, W when its file leaves them symbolic
};

struct NetworkFormat {
    const char* name;
    const char* extension; // with the dot, e.g. ".json"
    NetworkSpec (*parse)(const std::string& contents, const std::string& sourceName, const NetworkLoadOptions& options);
    std::string (*serialize)(const NetworkSpec& spec); // nullptr: read-only format
    InputFileKind fileKind;                             // its size limit
};

std::span<const NetworkFormat> networkFormats();

// Whether `path` names an ONNX file (by extension).
bool isOnnxPath(const std::string& path);

// Loads a network file, choosing the format by extension (JSON when unknown). The spec is checked
// by building it at width 1.0. Throws InputError naming the file, layer and field.
NetworkSpec loadNetworkFile(const std::string& path, const NetworkLoadOptions& options = {});

// "C,H,W" (each 1..1048576) as a shape; throws InputError naming `field` otherwise.
Shape parseShapeText(const std::string& text, const std::string& field);

// Saves as JSON, atomically. Throws InputError when the file cannot be written.
void saveNetworkFile(const NetworkSpec& spec, const std::string& path);

// The JSON format on its own (used by the loader table and by tests).
NetworkSpec parseNetworkJson(const std::string& contents, const std::string& sourceName = "network");
std::string networkToJson(const NetworkSpec& spec);

} // namespace poq
