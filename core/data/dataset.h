// Labelled image datasets for evaluation and training: Fashion-MNIST (Debian's gzipped IDX files) and
// CIFAR-10 (binary version). Datasets are read-only inputs; every defect in a file is an InputError.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace poq {

enum class Split { Train, Test };

// Where Debian's dataset-fashion-mnist package installs the files.
inline constexpr const char* kFashionMnistFolder = "/usr/share/datasets/fashion-mnist";

struct Dataset {
    std::string name;   // "fashion-mnist" or "cifar-10"
    std::string source; // the folder it was read from
    int channels = 0, height = 0, width = 0, classes = 0;
    std::vector<uint8_t> pixels; // N x C x H x W, row-major, 0..255
    std::vector<uint8_t> labels; // N, each < classes

    int64_t size() const { return int64_t(labels.size()); }
    int64_t imageSizeBytes() const { return int64_t(channels) * height * width; }
    // The C x H x W bytes of image i (0 <= i < size()).
    const uint8_t* image(int64_t i) const { return pixels.data() + i * imageSizeBytes(); }
};

const char* splitName(Split split); // "train" / "test"

// <folder>/{train-images-idx3-ubyte,train-labels-idx1-ubyte,t10k-...}[.gz]; the .gz is preferred.
// maxImages > 0: only the first maxImages images (the files are read and inflated no further).
Dataset loadFashionMnist(const std::string& folder, Split split, int64_t maxImages = 0);

// The same from the (decompressed) bytes of the two IDX files; the paths start error messages.
Dataset parseFashionMnist(const std::string& images, const std::string& labels, const std::string& imagesPath,
                          const std::string& labelsPath);

// <folder>/data_batch_1.bin .. data_batch_5.bin (train) or test_batch.bin (test).
Dataset loadCifar10(const std::string& folder, Split split);

// Appends the records of one CIFAR-10 batch file's bytes to `ds`.
void appendCifarBatch(Dataset& ds, const std::string& bytes, const std::string& sourceName);

// "fashion-mnist" (the Debian folder) or a folder, recognized by the files it holds.
// maxImages > 0: only the first maxImages images (e.g. the calibration images of the training set).
Dataset loadDataset(const std::string& nameOrFolder, Split split, int64_t maxImages = 0);

} // namespace poq
