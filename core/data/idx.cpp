// Fashion-MNIST in the IDX format (big-endian header, then unsigned bytes), as Debian ships it.
// Format: http://yann.lecun.com/exdb/mnist/ ("FILE FORMATS FOR THE MNIST DATABASE").
#include "data/dataset.h"
#include "data/gzip.h"

#include "util/error.h"
#include "util/input_file.h"

#include <cstdio>
#include <filesystem>

namespace poq {

namespace {

constexpr uint32_t kImagesMagic = 0x00000803; // unsigned bytes, 3 dimensions
constexpr uint32_t kLabelsMagic = 0x00000801; // unsigned bytes, 1 dimension
constexpr int kSide = 28;
constexpr int kClasses = 10;

uint32_t bigEndian32(const std::string& bytes, size_t at)
{
    const auto b = [&](size_t k) { return uint32_t(uint8_t(bytes[at + k])); };
    return (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
}

std::string hex32(uint32_t v)
{
    char buf[11];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

// `<folder>/<base>.gz`, or `<folder>/<base>` when only the uncompressed file is there.
std::string findIdxFile(const std::string& folder, const std::string& base)
{
    const std::string gz = folder + "/" + base + ".gz";
    const std::string plain = folder + "/" + base;
    std::error_code ec;
    if (std::filesystem::exists(gz, ec))
        return gz;
    if (std::filesystem::exists(plain, ec))
        return plain;
    throw InputError(gz + ": file not found (nor the uncompressed " + base + ")");
}

// Checks magic and header size; returns the header's dimensions.
std::vector<uint32_t> readIdxHeader(const std::string& bytes, const std::string& path, uint32_t magic)
{
    const size_t dims = magic & 0xff;
    const size_t headerBytes = 4 + 4 * dims;
    if (bytes.size() < 4)
        throw InputError(path + ": truncated: " + std::to_string(bytes.size()) + " bytes, no IDX header");
    const uint32_t found = bigEndian32(bytes, 0);
    if (found != magic)
        throw InputError(path + ": bad magic number " + hex32(found) + " (expected " + hex32(magic)
                         + ", IDX unsigned bytes in " + std::to_string(dims) + " dimension(s))");
    if (bytes.size() < headerBytes)
        throw InputError(path + ": truncated: " + std::to_string(bytes.size()) + " bytes, the IDX header needs "
                         + std::to_string(headerBytes));
    std::vector<uint32_t> sizes;
    for (size_t d = 0; d < dims; ++d)
        sizes.push_back(bigEndian32(bytes, 4 + 4 * d));
    return sizes;
}

// The payload after the header must be exactly `expected` bytes.
void checkPayload(const std::string& bytes, size_t headerBytes, uint64_t expected, const std::string& path,
                  const char* what)
{
    const uint64_t have = bytes.size() - headerBytes;
    if (have < expected)
        throw InputError(path + ": truncated: the header promises " + std::to_string(expected) + " bytes of "
                         + what + ", the file holds " + std::to_string(have));
    if (have > expected)
        throw InputError(path + ": " + std::to_string(have - expected) + " stray bytes after the " + what);
}

// The IDX file at `path`, decompressed when gzipped. The header (magic and dimensions, in the first
// bytes) is checked before the rest is inflated, and the payload is never inflated beyond what the
// header promises: a small "gzip bomb" is refused after 16 bytes of output.
// With maxItems > 0, only the first maxItems items are read (and inflated), and the count in the
// returned header is set to what was read.
std::string readIdxFile(const std::string& path, uint32_t magic, uint64_t bytesPerItem, int64_t maxItems)
{
    const size_t headerBytes = 4 + 4 * (magic & 0xff);
    auto keepFirst = [&](std::string bytes) {
        const std::vector<uint32_t> dims = readIdxHeader(bytes, path, magic);
        if (maxItems <= 0 || uint64_t(maxItems) >= dims[0])
            return bytes;
        const uint64_t wanted = headerBytes + uint64_t(maxItems) * bytesPerItem;
        if (bytes.size() < wanted)
            return bytes; // truncated: the full check names the shortfall
        bytes.resize(size_t(wanted));
        for (int k = 0; k < 4; ++k)
            bytes[4 + size_t(k)] = char((uint64_t(maxItems) >> (8 * (3 - k))) & 0xff);
        return bytes;
    };
    if (!isGzipName(path))
        return keepFirst(readInputFileBounded(path, size_t(kMaxDecompressedBytes), "dataset file"));
    const std::string compressed = readInputFile(path, InputFileKind::DataFile);
    std::string header = gunzipPrefix(compressed, headerBytes, path);
    if (header.size() < headerBytes)
        header = gunzip(compressed, path, headerBytes); // short or damaged: let the full read say which
    const std::vector<uint32_t> dims = readIdxHeader(header, path, magic);
    if (maxItems > 0 && uint64_t(maxItems) < dims[0])
        return keepFirst(gunzipPrefix(compressed, headerBytes + size_t(maxItems) * bytesPerItem, path));
    const uint64_t expected = headerBytes + uint64_t(dims[0]) * bytesPerItem;
    if (expected > kMaxDecompressedBytes)
        throw InputError(path + ": the header promises " + std::to_string(dims[0]) + " items ("
                         + humanBytes(double(expected)) + "), above the " + humanBytes(double(kMaxDecompressedBytes))
                         + " limit for a dataset file");
    return gunzip(compressed, path, size_t(expected),
                  "stray bytes after the " + std::string(bytesPerItem == 1 ? "labels" : "pixels")
                      + " (the data decompresses to more than the " + std::to_string(expected)
                      + " bytes its header promises)");
}

} // namespace

Dataset parseFashionMnist(const std::string& images, const std::string& labels, const std::string& imagesPath,
                          const std::string& labelsPath)
{
    const std::vector<uint32_t> dims = readIdxHeader(images, imagesPath, kImagesMagic);
    if (dims[1] != kSide || dims[2] != kSide)
        throw InputError(imagesPath + ": wrong dimensions " + std::to_string(dims[1]) + "x" + std::to_string(dims[2])
                         + " (Fashion-MNIST images are 28x28)");
    const uint64_t count = dims[0];
    if (count == 0)
        throw InputError(imagesPath + ": holds no images");
    checkPayload(images, 16, count * kSide * kSide, imagesPath, "pixels");

    const uint64_t labelCount = readIdxHeader(labels, labelsPath, kLabelsMagic)[0];
    if (labelCount != count)
        throw InputError(labelsPath + ": count mismatch: " + std::to_string(labelCount) + " labels for "
                         + std::to_string(count) + " images in " + imagesPath);
    checkPayload(labels, 8, count, labelsPath, "labels");

    Dataset ds;
    ds.name = "fashion-mnist";
    ds.channels = 1;
    ds.height = ds.width = kSide;
    ds.classes = kClasses;
    ds.pixels.assign(images.begin() + 16, images.end());
    ds.labels.assign(labels.begin() + 8, labels.end());
    for (size_t i = 0; i < ds.labels.size(); ++i)
        if (ds.labels[i] >= kClasses)
            throw InputError(labelsPath + ": label " + std::to_string(ds.labels[i]) + " of image "
                             + std::to_string(i) + " is not below the 10 classes");
    return ds;
}

Dataset loadFashionMnist(const std::string& folder, Split split, int64_t maxImages)
{
    const std::string prefix = split == Split::Train ? "train" : "t10k";
    const std::string imagesPath = findIdxFile(folder, prefix + "-images-idx3-ubyte");
    const std::string labelsPath = findIdxFile(folder, prefix + "-labels-idx1-ubyte");
    const std::string images = readIdxFile(imagesPath, kImagesMagic, uint64_t(kSide) * kSide, maxImages);
    const std::string labels = readIdxFile(labelsPath, kLabelsMagic, 1, maxImages);
    Dataset ds = parseFashionMnist(images, labels, imagesPath, labelsPath);
    ds.source = folder;
    return ds;
}

} // namespace poq
