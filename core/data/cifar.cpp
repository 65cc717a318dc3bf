// CIFAR-10, binary version: records of 1 label byte + 3072 pixel bytes (3 x 32 x 32, channel-major).
// Format: https://www.cs.toronto.edu/~kriz/cifar.html ("Binary version").
#include "data/dataset.h"
#include "data/gzip.h"

#include "util/error.h"

namespace poq {

namespace {

constexpr int kChannels = 3;
constexpr int kSide = 32;
constexpr int kClasses = 10;
constexpr size_t kImageBytes = size_t(kChannels) * kSide * kSide;
constexpr size_t kRecordBytes = 1 + kImageBytes;

std::vector<std::string> batchFiles(Split split)
{
    if (split == Split::Test)
        return {"test_batch.bin"};
    std::vector<std::string> names;
    for (int b = 1; b <= 5; ++b)
        names.push_back("data_batch_" + std::to_string(b) + ".bin");
    return names;
}

} // namespace

void appendCifarBatch(Dataset& ds, const std::string& bytes, const std::string& path)
{
    if (bytes.empty())
        throw InputError(path + ": empty file (no CIFAR-10 records)");
    if (bytes.size() % kRecordBytes != 0)
        throw InputError(path + ": truncated: " + std::to_string(bytes.size()) + " bytes is not a whole number of "
                         + std::to_string(kRecordBytes) + "-byte records (the last one has "
                         + std::to_string(bytes.size() % kRecordBytes) + ")");
    const size_t records = bytes.size() / kRecordBytes;
    ds.labels.reserve(ds.labels.size() + records);
    ds.pixels.reserve(ds.pixels.size() + records * kImageBytes);
    for (size_t r = 0; r < records; ++r) {
        const char* rec = bytes.data() + r * kRecordBytes;
        const uint8_t label = uint8_t(rec[0]);
        if (label >= kClasses)
            throw InputError(path + ": label " + std::to_string(label) + " of record " + std::to_string(r)
                             + " is not below the 10 classes");
        ds.labels.push_back(label);
        ds.pixels.insert(ds.pixels.end(), rec + 1, rec + kRecordBytes);
    }
}

Dataset loadCifar10(const std::string& folder, Split split)
{
    Dataset ds;
    ds.name = "cifar-10";
    ds.source = folder;
    ds.channels = kChannels;
    ds.height = ds.width = kSide;
    ds.classes = kClasses;
    for (const std::string& name : batchFiles(split))
        appendCifarBatch(ds, readDataFile(folder + "/" + name), folder + "/" + name);
    return ds;
}

} // namespace poq
