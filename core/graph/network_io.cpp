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

NetworkSpec parseOnnxNetwork(const std::string& contents, const std::string& sourceName, const NetworkLoadOptions& o)
{
    return importOnnx(contents, sourceName, std::filesystem::path(sourceName).parent_path().string(), o).spec;
}

NetworkSpec parseJsonNetwork(const std::string& contents, const std::string& sourceName, const NetworkLoadOptions& o)
{
    if (o.inputShape)
        throw InputError("--input-shape: applies to ONNX files only (a network file states its input's shape)");
    return parseNetworkJson(contents, sourceName);
}

const std::array<NetworkFormat, 2> kFormats = {{
    {"POQ Studio network (JSON)", ".json", parseJsonNetwork, networkToJson, InputFileKind::NetworkJson},
    {"ONNX model", ".onnx", parseOnnxNetwork, nullptr, InputFileKind::OnnxModel},
}};

} // namespace

std::span<const NetworkFormat> networkFormats() { return kFormats; }

NetworkSpec loadNetworkFile(const std::string& path, const NetworkLoadOptions& options)
{
    const std::string ext = std::filesystem::path(path).extension().string();
    const NetworkFormat* format = &kFormats[0];
    for (const NetworkFormat& f : kFormats)
        if (ext == f.extension)
            format = &f;
    const std::string contents = readInputFile(path, format->fileKind);
    try {
        return format->parse(contents, path, options);
    } catch (const InputError& e) {
        const std::string msg = e.what();
        if (msg.rfind(path, 0) == 0)
            throw;
        throw InputError(path + ": " + msg);
    }
}

Shape parseShapeText(const std::string& text, const std::string& field)
{
    int v[3] = {0, 0, 0};
    size_t pos = 0;
    for (int i = 0; i < 3; ++i) {
        size_t used = 0;
        long long x = 0;
        try {
            x = std::stoll(text.substr(pos), &used);
        } catch (const std::exception&) {
            used = 0;
        }
        const size_t end = pos + used;
        const bool separator = i < 2 ? end < text.size() && text[end] == ',' : end == text.size();
        if (used == 0 || !separator || x < 1 || x > (1 << 20) || text[pos] == '+' || text[pos] == ' ')
            throw InputError(field + ": must be C,H,W with each in 1..1048576, got '" + text + "'");
        v[i] = int(x);
        pos = end + 1;
    }
    return {v[0], v[1], v[2]};
}

bool isOnnxPath(const std::string& path) { return std::filesystem::path(path).extension() == ".onnx"; }

void saveNetworkFile(const NetworkSpec& spec, const std::string& path)
{
    writeFileAtomically(path, networkToJson(spec));
}

} // namespace poq
