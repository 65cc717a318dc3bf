// Fashion-MNIST in the IDX format (big-endian header, then unsigned bytes), as Debian ships it.
// Format: http://yann.lecun.com/exdb/mnist/ ("FILE FORMATS FOR THE MNIST DATABASE").
#include "data/dataset.h"
#include "data/gzip.h"

#include "util/error.h"

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

} // namespace

Dataset loadFashionMnist(const std::string& folder, Split split)
{
    const std::string prefix = split == Split::Train ? "train" : "t10k";
    const std::string imagesPath = findIdxFile(folder, prefix + "-images-idx3-ubyte");
    const std::string labelsPath = findIdxFile(folder, prefix + "-labels-idx1-ubyte");

    const std::string images = readDataFile(imagesPath);
    const std::vector<uint32_t> dims = readIdxHeader(images, imagesPath, kImagesMagic);
    if (dims[1] != kSide || dims[2] != kSide)
        throw InputError(imagesPath + ": wrong dimensions " + std::to_string(dims[1]) + "x" + std::to_string(dims[2])
                         + " (Fashion-MNIST images are 28x28)");
    const uint64_t count = dims[0];
    if (count == 0)
        throw InputError(imagesPath + ": holds no images");
    checkPayload(images, 16, count * kSide * kSide, imagesPath, "pixels");

    const std::string labels = readDataFile(labelsPath);
    const uint64_t labelCount = readIdxHeader(labels, labelsPath, kLabelsMagic)[0];
    if (labelCount != count)
        throw InputError(labelsPath + ": count mismatch: " + std::to_string(labelCount) + " labels for "
                         + std::to_string(count) + " images in " + imagesPath);
    checkPayload(labels, 8, count, labelsPath, "labels");

    Dataset ds;
    ds.name = "fashion-mnist";
    ds.source = folder;
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

} // namespace poq
