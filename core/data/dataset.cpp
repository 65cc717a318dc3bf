// Dataset names and folder detection: a folder is Fashion-MNIST or CIFAR-10 by the files it holds.
#include "data/dataset.h"

#include "util/error.h"

#include <filesystem>

namespace poq {

namespace {

bool holdsAny(const std::string& folder, std::initializer_list<const char*> names)
{
    std::error_code ec;
    for (const char* name : names)
        if (std::filesystem::exists(folder + "/" + name, ec))
            return true;
    return false;
}

bool looksLikeFashionMnist(const std::string& folder)
{
    return holdsAny(folder, {"train-images-idx3-ubyte.gz", "train-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz",
                             "t10k-images-idx3-ubyte"});
}

bool looksLikeCifar10(const std::string& folder)
{
    return holdsAny(folder, {"data_batch_1.bin", "test_batch.bin"});
}

} // namespace

const char* splitName(Split split)
{
    return split == Split::Train ? "train" : "test";
}

namespace {

Dataset keepFirst(Dataset ds, int64_t maxImages)
{
    if (maxImages > 0 && maxImages < ds.size()) {
        ds.labels.resize(size_t(maxImages));
        ds.pixels.resize(size_t(maxImages * ds.imageSizeBytes()));
    }
    return ds;
}

} // namespace

Dataset loadDataset(const std::string& nameOrFolder, Split split, int64_t maxImages)
{
    if (nameOrFolder == "fashion-mnist")
        return loadFashionMnist(kFashionMnistFolder, split, maxImages);
    std::error_code ec;
    if (!std::filesystem::is_directory(nameOrFolder, ec))
        throw InputError(nameOrFolder + ": no such dataset folder (give 'fashion-mnist' or a folder of "
                         "Fashion-MNIST or CIFAR-10 files)");
    if (looksLikeFashionMnist(nameOrFolder))
        return loadFashionMnist(nameOrFolder, split, maxImages);
    if (looksLikeCifar10(nameOrFolder))
        return keepFirst(loadCifar10(nameOrFolder, split), maxImages);
    // The CIFAR-10 archive unpacks into this subfolder; accept its parent too.
    const std::string unpacked = nameOrFolder + "/cifar-10-batches-bin";
    if (looksLikeCifar10(unpacked))
        return keepFirst(loadCifar10(unpacked, split), maxImages);
    throw InputError(nameOrFolder + ": holds neither Fashion-MNIST (train-images-idx3-ubyte.gz, ...) nor "
                     "CIFAR-10 (data_batch_1.bin, ..., test_batch.bin) files");
}

} // namespace poq
