// safetensors reading and writing. The loader trusts nothing: every offset, size and shape is checked
// against the file before a byte is read, and the tensors must tile the data section exactly.
#include "data/model_file.h"

#include "util/atomic_file.h"
#include "util/error.h"
#include "util/display_text.h"
#include "util/input_file.h"
#include "util/json_text.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <set>
#include <tuple>

namespace poq {

using json = nlohmann::json;

namespace {

constexpr const char* kMetadataKey = "__metadata__";

struct DtypeInfo {
    TensorDtype dtype;
    const char* name;
    uint64_t bytes;
};
constexpr DtypeInfo kDtypes[] = {{TensorDtype::F32, "F32", 4}, {TensorDtype::I8, "I8", 1}, {TensorDtype::U8, "U8", 1}};

const DtypeInfo& dtypeInfo(TensorDtype d)
{
    for (const DtypeInfo& i : kDtypes)
        if (i.dtype == d)
            return i;
    return kDtypes[0];
}

// Little-endian on disk whatever the host, assembled byte by byte.
void appendFloatLe(std::string& out, float v)
{
    const uint32_t bits = std::bit_cast<uint32_t>(v);
    for (int k = 0; k < 4; ++k)
        out.push_back(char((bits >> (8 * k)) & 0xff));
}

float readFloatLe(const char* p)
{
    uint32_t bits = 0;
    for (int k = 0; k < 4; ++k)
        bits |= uint32_t(uint8_t(p[k])) << (8 * k);
    return std::bit_cast<float>(bits);
}

uint64_t readU64Le(std::string_view bytes)
{
    uint64_t v = 0;
    for (int k = 0; k < 8; ++k)
        v |= uint64_t(uint8_t(bytes[size_t(k)])) << (8 * k);
    return v;
}

// The element count of `shape`, or throws naming the tensor; `limit` caps it against overflow.
uint64_t elementCount(const std::vector<int64_t>& shape, uint64_t limit, const std::string& where)
{
    uint64_t count = 1;
    for (int64_t d : shape) {
        if (d < 0)
            throw InputError(where + ": shape: dimension " + std::to_string(d) + " is negative");
        if (d == 0)
            return 0;
        if (count > limit / uint64_t(d))
            count = limit + 1; // saturate: certainly too many
        else
            count *= uint64_t(d);
    }
    return count;
}

void checkTensorForSave(const ModelTensor& t, const std::string& path, std::set<std::string>& seen)
{
    const std::string where = path + ": tensor '" + t.name + "'";
    if (t.name.empty() || t.name == kMetadataKey)
        throw InputError(where + ": name: must be non-empty and not " + kMetadataKey);
    if (!seen.insert(t.name).second)
        throw InputError(where + ": name: used twice");
    const size_t n = t.dtype == TensorDtype::F32 ? t.values.size() : t.bytes.size();
    if (elementCount(t.shape, n, where) != n)
        throw InputError(where + ": values: " + std::to_string(n) + " values do not match the shape");
}


struct Placed {
    ModelTensor tensor;
    uint64_t begin = 0, end = 0;
};

std::string range(uint64_t begin, uint64_t end)
{
    return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

// nlohmann keeps the last of two equal keys silently; this callback remembers the first repeat.
struct DuplicateKeyFinder {
    std::vector<std::set<std::string>> open;
    std::string duplicate;
    int duplicateDepth = 0;

    bool operator()(int depth, json::parse_event_t event, json& parsed)
    {
        if (event == json::parse_event_t::object_start)
            open.emplace_back();
        else if (event == json::parse_event_t::object_end && !open.empty())
            open.pop_back();
        else if (event == json::parse_event_t::key && !open.empty() && duplicate.empty()
                 && !open.back().insert(parsed.get<std::string>()).second) {
            duplicate = parsed.get<std::string>();
            duplicateDepth = depth;
        }
        return true;
    }
};

json parseHeader(std::string_view text, const std::string& path)
{
    DuplicateKeyFinder finder;
    const json header = parseJson(text, path + ": JSON header", std::ref(finder));
    if (!finder.duplicate.empty() && finder.duplicateDepth <= 1)
        throw InputError(path + ": tensor '" + finder.duplicate + "': name used twice");
    if (!finder.duplicate.empty())
        throw InputError(path + ": key '" + finder.duplicate + "' used twice");
    if (!header.is_object())
        throw InputError(path + ": the JSON header must be an object");
    return header;
}

std::map<std::string, std::string> parseMetadata(const json& j, const std::string& path)
{
    if (!j.is_object())
        throw InputError(path + ": " + kMetadataKey + ": must be an object of strings");
    std::map<std::string, std::string> metadata;
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (!it.value().is_string())
            throw InputError(path + ": " + kMetadataKey + ": '" + it.key() + "' must be a string");
        metadata[it.key()] = it.value().get<std::string>();
    }
    return metadata;
}

uint64_t nonNegative(const json& j, const std::string& where)
{
    if (j.is_number_unsigned())
        return j.get<uint64_t>();
    if (j.is_number_integer() && j.get<int64_t>() < 0)
        throw InputError(where + " " + j.dump() + " is negative");
    if (j.is_number_integer())
        return uint64_t(j.get<int64_t>());
    throw InputError(where + " must be an integer, got " + j.dump());
}

// One header entry: checked against the data section, values not read yet.
Placed parseEntry(const std::string& name, const json& j, uint64_t dataBytes, const std::string& path)
{
    const std::string where = path + ": tensor '" + name + "'";
    if (!j.is_object())
        throw InputError(where + ": must be an object with dtype, shape and data_offsets");
    for (auto it = j.begin(); it != j.end(); ++it)
        if (it.key() != "dtype" && it.key() != "shape" && it.key() != "data_offsets")
            throw InputError(where + ": unknown field '" + it.key() + "' (allowed: dtype, shape, data_offsets)");
    const auto dtype = j.find("dtype");
    if (dtype == j.end() || !dtype->is_string())
        throw InputError(where + ": dtype: missing or not a string");
    const DtypeInfo* info = nullptr;
    for (const DtypeInfo& i : kDtypes)
        if (*dtype == i.name)
            info = &i;
    if (!info)
        throw InputError(where + ": dtype: '" + dtype->get<std::string>() + "' is not supported (F32, I8, U8)");
    const auto shape = j.find("shape");
    if (shape == j.end() || !shape->is_array())
        throw InputError(where + ": shape: missing or not an array");
    const auto offsets = j.find("data_offsets");
    if (offsets == j.end() || !offsets->is_array() || offsets->size() != 2)
        throw InputError(where + ": data_offsets: must be [begin, end]");

    Placed p;
    p.tensor.name = name;
    p.tensor.dtype = info->dtype;
    for (const json& d : *shape) {
        const uint64_t v = nonNegative(d, where + ": shape: dimension");
        if (v > uint64_t(INT64_MAX))
            throw InputError(where + ": shape: dimension " + d.dump() + " is too large");
        p.tensor.shape.push_back(int64_t(v));
    }
    p.begin = nonNegative((*offsets)[0], where + ": data_offsets: begin");
    p.end = nonNegative((*offsets)[1], where + ": data_offsets: end");
    if (p.end < p.begin)
        throw InputError(where + ": data_offsets: " + range(p.begin, p.end) + " ends before it begins");
    if (p.end > dataBytes)
        throw InputError(where + ": data_offsets: " + range(p.begin, p.end) + " lie beyond the "
                         + std::to_string(dataBytes) + "-byte data section");
    const uint64_t count = elementCount(p.tensor.shape, dataBytes, where);
    if (count * info->bytes != p.end - p.begin) {
        const std::string needs = count > dataBytes ? "more than " + std::to_string(dataBytes)
                                                    : std::to_string(count * info->bytes);
        throw InputError(where + ": shape: " + shape->dump() + " needs " + needs + " bytes of " + info->name
                         + ", data_offsets "
                         + range(p.begin, p.end) + " hold " + std::to_string(p.end - p.begin));
    }
    return p;
}

// After sorting, each tensor must start where the previous ended and the last must end the file.
void checkTiling(const std::vector<Placed>& placed, uint64_t dataBytes, const std::string& path)
{
    uint64_t covered = 0;
    const Placed* previous = nullptr;
    for (const Placed& p : placed) {
        if (p.begin < covered)
            throw InputError(path + ": tensor '" + p.tensor.name + "': data_offsets: " + range(p.begin, p.end)
                             + " overlap tensor '" + previous->tensor.name + "' "
                             + range(previous->begin, previous->end));
        if (p.begin > covered)
            throw InputError(path + ": data section: bytes " + range(covered, p.begin) + " belong to no tensor");
        covered = p.end;
        previous = &p;
    }
    if (covered != dataBytes)
        throw InputError(path + ": data section: bytes " + range(covered, dataBytes) + " belong to no tensor");
}

} // namespace

const char* dtypeName(TensorDtype d) { return dtypeInfo(d).name; }

const ModelTensor* ModelFile::find(const std::string& name) const
{
    for (const ModelTensor& t : tensors)
        if (t.name == name)
            return &t;
    return nullptr;
}

void saveModelFile(const ModelFile& model, const std::string& path)
{
    std::set<std::string> seen;
    json header = json::object();
    if (!model.metadata.empty())
        header[kMetadataKey] = model.metadata;
    std::string data;
    for (const ModelTensor& t : model.tensors) {
        checkTensorForSave(t, path, seen);
        const uint64_t begin = data.size();
        if (t.dtype == TensorDtype::F32)
            for (float v : t.values)
                appendFloatLe(data, v);
        else
            data.append(reinterpret_cast<const char*>(t.bytes.data()), t.bytes.size());
        header[t.name] = {{"dtype", dtypeName(t.dtype)}, {"shape", t.shape}, {"data_offsets", {begin, uint64_t(data.size())}}};
    }
    std::string headerText = header.dump();
    // Pad with spaces (allowed by the format) so the tensors start 8-byte aligned.
    headerText.append((8 - headerText.size() % 8) % 8, ' ');
    std::string file;
    file.reserve(8 + headerText.size() + data.size());
    for (int k = 0; k < 8; ++k)
        file.push_back(char((uint64_t(headerText.size()) >> (8 * k)) & 0xff));
    file += headerText;
    file += data;
    writeFileAtomically(path, file);
}

ModelFile loadModelFile(const std::string& path) { return parseModelFile(readInputFile(path, InputFileKind::Model), path); }

ModelFile parseModelFile(std::string_view bytes, const std::string& path)
{
    if (bytes.size() < 8)
        throw InputError(path + ": truncated: " + std::to_string(bytes.size())
                         + " bytes, shorter than the 8-byte header length");
    const uint64_t headerBytes = readU64Le(bytes);
    if (headerBytes > kMaxModelHeaderBytes)
        throw InputError(path + ": header length " + std::to_string(headerBytes) + " is absurd (limit "
                         + std::to_string(kMaxModelHeaderBytes) + " bytes)");
    if (headerBytes > bytes.size() - 8)
        throw InputError(path + ": header length " + std::to_string(headerBytes) + " runs past the end of the "
                         + std::to_string(bytes.size()) + "-byte file");
    const json header = parseHeader(bytes.substr(8, headerBytes), path);
    const uint64_t dataStart = 8 + headerBytes;
    const uint64_t dataBytes = bytes.size() - dataStart;

    ModelFile model;
    std::vector<Placed> placed;
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == kMetadataKey)
            model.metadata = parseMetadata(it.value(), path);
        else
            placed.push_back(parseEntry(it.key(), it.value(), dataBytes, path));
    }
    // Data order is the saved order; empty tensors sharing an offset fall back to name order.
    std::sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) {
        return std::tie(a.begin, a.end, a.tensor.name) < std::tie(b.begin, b.end, b.tensor.name);
    });
    checkTiling(placed, dataBytes, path);
    for (Placed& p : placed) {
        const char* at = bytes.data() + dataStart + p.begin;
        if (p.tensor.dtype == TensorDtype::F32) {
            p.tensor.values.resize((p.end - p.begin) / 4);
            for (size_t i = 0; i < p.tensor.values.size(); ++i)
                p.tensor.values[i] = readFloatLe(at + 4 * i);
        } else {
            p.tensor.bytes.assign(reinterpret_cast<const uint8_t*>(at), reinterpret_cast<const uint8_t*>(at) + (p.end - p.begin));
        }
        model.tensors.push_back(std::move(p.tensor));
    }
    return model;
}

} // namespace poq
