// The table of network file formats and the load/save entry points.
#include "graph/network_io.h"

#include "onnx/onnx_import.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/input_file.h"

#include <array>
#include <filesystem>

namespace poq {

namespace {

NetworkSpec parseOnnxNetwork(const std::string& contents, const std::string& sourceName)
{
    return importOnnx(contents, sourceName, std::filesystem::path(sourceName).parent_path().string()).spec;
}

const std::array<NetworkFormat, 2> kFormats = {{
    {"POQ Studio network (JSON)", ".json", parseNetworkJson, networkToJson, InputFileKind::NetworkJson},
    {"ONNX model", ".onnx", parseOnnxNetwork, nullptr, InputFileKind::OnnxModel},
}};

} // namespace

std::span<const NetworkFormat> networkFormats() { return kFormats; }

NetworkSpec loadNetworkFile(const std::string& path)
{
    const std::string ext = std::filesystem::path(path).extension().string();
    const NetworkFormat* format = &kFormats[0];
    for (const NetworkFormat& f : kFormats)
        if (ext == f.extension)
            format = &f;
    const std::string contents = readInputFile(path, format->fileKind);
    try {
        return format->parse(contents, path);
    } catch (const InputError& e) {
        const std::string msg = e.what();
        if (msg.rfind(path, 0) == 0)
            throw;
        throw InputError(path + ": " + msg);
    }
}

bool isOnnxPath(const std::string& path) { return std::filesystem::path(path).extension() == ".onnx"; }

void saveNetworkFile(const NetworkSpec& spec, const std::string& path)
{
    writeFileAtomically(path, networkToJson(spec));
}

} // namespace poq
