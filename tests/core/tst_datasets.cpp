// Datasets: the real Fashion-MNIST from Debian's package, synthetic Fashion-MNIST and CIFAR-10 folders
// written here, and every kind of damaged file (one-line InputError starting with the file, no crash).
#include "data/dataset.h"
#include "util/error.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <zlib.h>

#include <array>

using namespace poq;

namespace {

QByteArray bigEndian32(uint32_t v)
{
    const char bytes[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
    return QByteArray(bytes, 4);
}

// Pixel k of image i is (i * 7 + k) mod 256, so a misplaced byte shows.
uint8_t pixelValue(int64_t i, int64_t k)
{
    return uint8_t((i * 7 + k) % 256);
}

QByteArray idxImages(int count, int rows, int cols, uint32_t magic = 0x803)
{
    QByteArray b = bigEndian32(magic) + bigEndian32(count) + bigEndian32(rows) + bigEndian32(cols);
    for (int i = 0; i < count; ++i)
        for (int k = 0; k < rows * cols; ++k)
            b.append(char(pixelValue(i, k)));
    return b;
}

QByteArray idxLabels(const QList<int>& labels)
{
    QByteArray b = bigEndian32(0x801) + bigEndian32(uint32_t(labels.size()));
    for (int l : labels)
        b.append(char(l));
    return b;
}

QByteArray gzip(const QByteArray& raw)
{
    z_stream zs{};
    deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY); // 15 + 16: gzip wrapper
    QByteArray out(int(deflateBound(&zs, uLong(raw.size()))), '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
    zs.avail_in = uInt(raw.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = uInt(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(int(zs.total_out));
    deflateEnd(&zs);
    return out;
}

// The deflate blocks replaced by 0xff bytes (an invalid block type), the gzip header kept.
QByteArray garbled(const QByteArray& gz)
{
    QByteArray b = gz;
    for (qsizetype k = 10; k < b.size(); ++k)
        b[k] = char(0xff);
    return b;
}

// CIFAR-10 records with the given labels; pixels as in pixelValue().
QByteArray cifarRecords(const QList<int>& labels, int firstImage = 0)
{
    QByteArray b;
    for (qsizetype i = 0; i < labels.size(); ++i) {
        b.append(char(labels[i]));
        for (int k = 0; k < 3072; ++k)
            b.append(char(pixelValue(firstImage + i, k)));
    }
    return b;
}

QVariantMap fmnistTrain(const QByteArray& images, const QByteArray& labels)
{
    return {{"train-images-idx3-ubyte.gz", gzip(images)}, {"train-labels-idx1-ubyte.gz", gzip(labels)}};
}

QVariantMap cifarTrain(int batches)
{
    QVariantMap files;
    for (int b = 1; b <= batches; ++b)
        files[QString("data_batch_%1.bin").arg(b)] = cifarRecords({b % 10, (b + 3) % 10}, 2 * (b - 1));
    return files;
}

void writeFiles(const QString& dir, const QVariantMap& files)
{
    for (auto it = files.begin(); it != files.end(); ++it) {
        QDir().mkpath(QFileInfo(dir + "/" + it.key()).path());
        QFile f(dir + "/" + it.key());
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(it.value().toByteArray());
    }
}

Dataset load(const QString& loader, const std::string& folder, Split split)
{
    if (loader == "fashion-mnist")
        return loadFashionMnist(folder, split);
    if (loader == "cifar-10")
        return loadCifar10(folder, split);
    return loadDataset(folder, split);
}

} // namespace

class TestDatasets : public QObject {
    Q_OBJECT
private slots:
    void realFashionMnist_data();
    void realFashionMnist();
    void syntheticFashionMnist_data();
    void syntheticFashionMnist();
    void syntheticCifar10_data();
    void syntheticCifar10();
    void badFiles_data();
    void badFiles();
    void damagedCopiesNeverCrash_data();
    void damagedCopiesNeverCrash();
};

void TestDatasets::realFashionMnist_data()
{
    QTest::addColumn<Split>("split");
    QTest::addColumn<int>("count");
    QTest::newRow("train") << Split::Train << 60000;
    QTest::newRow("test") << Split::Test << 10000;
}

void TestDatasets::realFashionMnist()
{
    QFETCH(Split, split);
    QFETCH(int, count);
    if (!QFileInfo::exists(kFashionMnistFolder))
        QSKIP("Debian's dataset-fashion-mnist is not installed");
    const Dataset ds = loadDataset("fashion-mnist", split);
    QCOMPARE(ds.name, std::string("fashion-mnist"));
    QCOMPARE(ds.size(), int64_t(count));
    QCOMPARE(ds.channels, 1);
    QCOMPARE(ds.height, 28);
    QCOMPARE(ds.width, 28);
    QCOMPARE(ds.classes, 10);
    QCOMPARE(int64_t(ds.pixels.size()), ds.size() * 784);
    std::array<int, 10> perClass{};
    for (uint8_t label : ds.labels) {
        QVERIFY(label < 10);
        ++perClass[label];
    }
    for (int c = 0; c < 10; ++c)
        QCOMPARE(perClass[size_t(c)], count / 10);
    // The images are not blank: every one has some ink.
    for (int64_t i = 0; i < ds.size(); i += 997)
        QVERIFY(std::any_of(ds.image(i), ds.image(i) + 784, [](uint8_t p) { return p > 0; }));
}

void TestDatasets::syntheticFashionMnist_data()
{
    QTest::addColumn<QVariantMap>("files");
    const QByteArray images = idxImages(3, 28, 28), labels = idxLabels({9, 0, 4});
    QTest::newRow("gzip") << QVariantMap{{"t10k-images-idx3-ubyte.gz", gzip(images)},
                                         {"t10k-labels-idx1-ubyte.gz", gzip(labels)}};
    QTest::newRow("uncompressed") << QVariantMap{{"t10k-images-idx3-ubyte", images},
                                                 {"t10k-labels-idx1-ubyte", labels}};
    QTest::newRow("two gzip members") << QVariantMap{
        {"t10k-images-idx3-ubyte.gz", gzip(images.left(1000)) + gzip(images.mid(1000))},
        {"t10k-labels-idx1-ubyte.gz", gzip(labels)}};
}

void TestDatasets::syntheticFashionMnist()
{
    QFETCH(QVariantMap, files);
    QTemporaryDir dir;
    writeFiles(dir.path(), files);
    const Dataset ds = loadDataset(dir.path().toStdString(), Split::Test);
    QCOMPARE(ds.name, std::string("fashion-mnist"));
    QCOMPARE(ds.size(), int64_t(3));
    QCOMPARE(ds.labels, (std::vector<uint8_t>{9, 0, 4}));
    for (int64_t i = 0; i < 3; ++i)
        for (int k = 0; k < 784; ++k)
            QCOMPARE(ds.image(i)[k], pixelValue(i, k));
}

void TestDatasets::syntheticCifar10_data()
{
    QTest::addColumn<QString>("subfolder"); // where the .bin files lie inside the folder given
    QTest::newRow("flat") << "";
    QTest::newRow("as unpacked") << "cifar-10-batches-bin/";
}

void TestDatasets::syntheticCifar10()
{
    QFETCH(QString, subfolder);
    QTemporaryDir dir;
    QVariantMap files;
    const QVariantMap train = cifarTrain(5);
    for (auto it = train.begin(); it != train.end(); ++it)
        files[subfolder + it.key()] = it.value();
    files[subfolder + "test_batch.bin"] = cifarRecords({3, 8, 8});
    writeFiles(dir.path(), files);

    const Dataset test = loadDataset(dir.path().toStdString(), Split::Test);
    QCOMPARE(test.name, std::string("cifar-10"));
    QCOMPARE(test.size(), int64_t(3));
    QCOMPARE(test.labels, (std::vector<uint8_t>{3, 8, 8}));
    const Dataset ds = loadDataset(dir.path().toStdString(), Split::Train);
    QCOMPARE(ds.size(), int64_t(10));
    QCOMPARE(ds.channels, 3);
    QCOMPARE(ds.height, 32);
    QCOMPARE(ds.width, 32);
    QCOMPARE(ds.classes, 10);
    QCOMPARE(ds.labels, (std::vector<uint8_t>{1, 4, 2, 5, 3, 6, 4, 7, 5, 8}));
    QCOMPARE(int64_t(ds.pixels.size()), int64_t(10 * 3072));
    for (int64_t i = 0; i < ds.size(); ++i)
        for (int k = 0; k < 3072; k += 101)
            QCOMPARE(ds.image(i)[k], pixelValue(i, k));
}

void TestDatasets::badFiles_data()
{
    QTest::addColumn<QVariantMap>("files");
    QTest::addColumn<QString>("loader");  // fashion-mnist, cifar-10 or auto (loadDataset)
    QTest::addColumn<QString>("folder");  // the folder given, relative to the temporary folder
    QTest::addColumn<Split>("split");
    QTest::addColumn<QString>("blamed");  // the path the message must start with, relative likewise
    QTest::addColumn<QString>("message"); // what the message must say

    const QByteArray images = idxImages(3, 28, 28), labels = idxLabels({1, 2, 3});
    const QString trainImages = "train-images-idx3-ubyte.gz", trainLabels = "train-labels-idx1-ubyte.gz";
    QTest::newRow("missing label file") << QVariantMap{{trainImages, gzip(images)}} << "fashion-mnist" << "."
        << Split::Train << trainLabels << "file not found (nor the uncompressed train-labels-idx1-ubyte)";
    QTest::newRow("truncated image file") << fmnistTrain(images.left(16 + 2 * 784 + 100), labels) << "fashion-mnist"
        << "." << Split::Train << trainImages << "truncated: the header promises 2352 bytes of pixels, the file holds 1668";
    QTest::newRow("image header cut") << fmnistTrain(images.left(10), labels) << "fashion-mnist" << "."
        << Split::Train << trainImages << "truncated: 10 bytes, the IDX header needs 16";
    QTest::newRow("truncated label file") << fmnistTrain(images, labels.left(10)) << "fashion-mnist" << "."
        << Split::Train << trainLabels << "truncated: the header promises 3 bytes of labels, the file holds 2";
    QTest::newRow("stray bytes") << fmnistTrain(images + "xx", labels) << "fashion-mnist" << "."
        << Split::Train << trainImages << "stray bytes after the pixels (the data decompresses to more than the 2368 bytes its header promises)";
    QTest::newRow("bad magic") << fmnistTrain(idxImages(3, 28, 28, 0x801), labels) << "fashion-mnist" << "."
        << Split::Train << trainImages << "bad magic number 0x00000801 (expected 0x00000803";
    QTest::newRow("labels as images") << fmnistTrain(images, images) << "fashion-mnist" << "."
        << Split::Train << trainLabels << "bad magic number 0x00000803 (expected 0x00000801";
    QTest::newRow("wrong dimensions") << fmnistTrain(idxImages(3, 27, 28), labels) << "fashion-mnist" << "."
        << Split::Train << trainImages << "wrong dimensions 27x28 (Fashion-MNIST images are 28x28)";
    QTest::newRow("no images") << fmnistTrain(idxImages(0, 28, 28), idxLabels({})) << "fashion-mnist" << "."
        << Split::Train << trainImages << "holds no images";
    QTest::newRow("corrupt gzip bytes")
        << QVariantMap{{trainImages, garbled(gzip(images))}, {trainLabels, gzip(labels)}} << "fashion-mnist" << "."
        << Split::Train << trainImages << "corrupt gzip stream (";
    QTest::newRow("gzip cut short")
        << QVariantMap{{trainImages, gzip(images).left(40)}, {trainLabels, gzip(labels)}} << "fashion-mnist" << "."
        << Split::Train << trainImages << "truncated gzip stream";
    QTest::newRow("not gzip") << QVariantMap{{trainImages, images}, {trainLabels, gzip(labels)}} << "fashion-mnist"
        << "." << Split::Train << trainImages << "not a gzip file";
    QTest::newRow("count mismatch") << fmnistTrain(images, idxLabels({1, 2})) << "fashion-mnist" << "."
        << Split::Train << trainLabels << "count mismatch: 2 labels for 3 images in";
    QTest::newRow("label 10") << fmnistTrain(images, idxLabels({1, 10, 3})) << "auto" << "." << Split::Train
        << trainLabels << "label 10 of image 1 is not below the 10 classes";
    QTest::newRow("cifar record truncated") << QVariantMap{{"test_batch.bin", cifarRecords({1, 2}).left(3073 + 3000)}}
        << "cifar-10" << "." << Split::Test << "test_batch.bin"
        << "truncated: 6073 bytes is not a whole number of 3073-byte records (the last one has 3000)";
    QTest::newRow("cifar label 11") << QVariantMap{{"test_batch.bin", cifarRecords({1, 11})}} << "auto" << "."
        << Split::Test << "test_batch.bin" << "label 11 of record 1 is not below the 10 classes";
    QTest::newRow("cifar empty batch") << QVariantMap{{"test_batch.bin", QByteArray()}} << "cifar-10" << "."
        << Split::Test << "test_batch.bin" << "empty file";
    QTest::newRow("cifar batch missing") << cifarTrain(4) << "auto" << "." << Split::Train << "data_batch_5.bin"
        << "file not found";
    QTest::newRow("empty folder") << QVariantMap{} << "auto" << "." << Split::Test << "."
        << "holds neither Fashion-MNIST";
    QTest::newRow("no such folder") << QVariantMap{} << "auto" << "nope" << Split::Test << "nope"
        << "no such dataset folder";
}

void TestDatasets::badFiles()
{
    QFETCH(QVariantMap, files);
    QFETCH(QString, loader);
    QFETCH(QString, folder);
    QFETCH(Split, split);
    QFETCH(QString, blamed);
    QFETCH(QString, message);
    QTemporaryDir dir;
    writeFiles(dir.path(), files);
    const auto inDir = [&](const QString& rel) { return rel == "." ? dir.path() : dir.path() + "/" + rel; };
    try {
        load(loader, inDir(folder).toStdString(), split);
        QFAIL("expected an InputError");
    } catch (const InputError& e) {
        const QString what = QString::fromUtf8(e.what());
        QVERIFY2(what.startsWith(inDir(blamed) + ": "), qPrintable(what));
        QVERIFY2(what.contains(message), qPrintable(what));
        QVERIFY2(!what.contains('\n'), qPrintable(what));
    }
}

void TestDatasets::damagedCopiesNeverCrash_data()
{
    QTest::addColumn<QString>("name"); // the file damaged; the other files stay valid
    QTest::addColumn<QVariantMap>("files");
    const QVariantMap fmnist = fmnistTrain(idxImages(2, 28, 28), idxLabels({1, 2}));
    QTest::newRow("images .gz") << "train-images-idx3-ubyte.gz" << fmnist;
    QTest::newRow("labels .gz") << "train-labels-idx1-ubyte.gz" << fmnist;
    QTest::newRow("labels uncompressed") << "train-labels-idx1-ubyte"
        << QVariantMap{{"train-images-idx3-ubyte", idxImages(2, 28, 28)}, {"train-labels-idx1-ubyte", idxLabels({1, 2})}};
}

void TestDatasets::damagedCopiesNeverCrash()
{
    // Every truncation and every single-byte flip either loads or is an InputError naming a file in the folder.
    QFETCH(QString, name);
    QFETCH(QVariantMap, files);
    QTemporaryDir dir;
    const QByteArray good = files[name].toByteArray();
    const auto tryLoad = [&](const QByteArray& bytes) {
        files[name] = bytes;
        writeFiles(dir.path(), files);
        try {
            loadDataset(dir.path().toStdString(), Split::Train);
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).startsWith(dir.path() + "/"), e.what());
        }
    };
    for (qsizetype n = 0; n < good.size(); ++n)
        tryLoad(good.left(n));
    for (qsizetype k = 0; k < good.size(); ++k) {
        QByteArray bad = good;
        bad[k] = char(bad[k] ^ 0x5a);
        tryLoad(bad);
    }
}

QTEST_APPLESS_MAIN(TestDatasets)
#include "tst_datasets.moc"
