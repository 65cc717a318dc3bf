// Trained-model files (safetensors layout): bit-exact round trips, every kind of damaged file
// (one-line InputError starting with the path, naming the tensor or field) and atomic saves.
#include "data/model_file.h"
#include "util/error.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <limits>

using namespace poq;

namespace {

// An 8-byte little-endian header length (or `claimedLength` when given), the header, the data.
QByteArray safetensors(const QByteArray& header, const QByteArray& data, qint64 claimedLength = -1)
{
    const quint64 n = claimedLength >= 0 ? quint64(claimedLength) : quint64(header.size());
    QByteArray b;
    for (int k = 0; k < 8; ++k)
        b.append(char((n >> (8 * k)) & 0xff));
    return b + header + data;
}

QByteArray floatBytes(int count)
{
    QByteArray b;
    for (int i = 0; i < count; ++i) {
        const float v = float(i) + 0.5f;
        char raw[4];
        std::memcpy(raw, &v, 4);
        b.append(raw, 4);
    }
    return b;
}

bool sameBits(const std::vector<float>& a, const std::vector<float>& b)
{
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

ModelFile sampleModel()
{
    ModelFile m;
    m.metadata = {{"network", "cnn-fmnist"}, {"width", "0.5"},       {"strategy", "w4a8"},
                  {"dataset", "fashion-mnist"}, {"seed", "42"}, {"recipe", "sgd e=10 lr=0.1 \"cosine\""},
                  {"accuracy", "0.9132"}, {"note", "ünïcødé"}};
    ModelTensor conv{"conv1.weight", {4, 1, 3, 3}, {}};
    for (int i = 0; i < 36; ++i)
        conv.values.push_back(std::ldexp(float(i * 37 % 11) - 5.0f, -i % 7) / 3.0f);
    conv.values[0] = -0.0f;
    conv.values[1] = std::numeric_limits<float>::infinity();
    conv.values[2] = std::numeric_limits<float>::denorm_min();
    conv.values[3] = std::numeric_limits<float>::quiet_NaN();
    m.tensors.push_back(conv);
    m.tensors.push_back({"step.scale", {}, {0.0625f}});        // a scalar
    m.tensors.push_back({"empty", {0, 5}, {}});                // zero elements
    m.tensors.push_back({"conv1.bias", {4}, {1.5f, -2.25f, 3e-30f, 7e30f}});
    ModelTensor codes; // integer tensors keep their bytes
    codes.name = "conv2.weight.int8";
    codes.dtype = TensorDtype::I8;
    codes.shape = {2, 3};
    codes.bytes = {0x00, 0x7f, 0x81, 0xff, 0x01, 0x80};
    m.tensors.push_back(codes);
    codes.name = "conv3.weight.int4";
    codes.dtype = TensorDtype::U8;
    codes.shape = {3};
    codes.bytes = {0x9f, 0x00, 0x07};
    m.tensors.push_back(codes);
    return m;
}

} // namespace

class TestModelFile : public QObject {
    Q_OBJECT
private slots:
    void roundTrip();
    void badFiles_data();
    void badFiles();
    void damagedCopiesNeverCrash();
    void missingFile();
    void badSaves_data();
    void badSaves();
    void saveIsAtomic();
};

void TestModelFile::roundTrip()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("m.safetensors").toStdString();
    const ModelFile m = sampleModel();
    saveModelFile(m, path);
    const ModelFile back = loadModelFile(path);
    QCOMPARE(back.metadata, m.metadata);
    QCOMPARE(back.tensors.size(), m.tensors.size());
    for (size_t i = 0; i < m.tensors.size(); ++i) {
        QCOMPARE(back.tensors[i].name, m.tensors[i].name);
        QCOMPARE(back.tensors[i].shape, m.tensors[i].shape);
        QVERIFY2(sameBits(back.tensors[i].values, m.tensors[i].values), m.tensors[i].name.c_str());
        QCOMPARE(int(back.tensors[i].dtype), int(m.tensors[i].dtype));
        QCOMPARE(back.tensors[i].bytes, m.tensors[i].bytes);
    }
    QVERIFY(back.find("step.scale") && back.find("step.scale")->values == std::vector<float>{0.0625f});
    QVERIFY(!back.find("nope"));

    // The layout: length, then a header padded to 8 bytes so the tensors start aligned.
    QFile f(QString::fromStdString(path));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    quint64 headerBytes = 0;
    std::memcpy(&headerBytes, bytes.constData(), 8);
    QCOMPARE(headerBytes % 8, quint64(0));
    QCOMPARE(quint64(bytes.size()), 8 + headerBytes + (36 + 1 + 0 + 4) * 4 + 6 + 3);
    QVERIFY(bytes.mid(8, int(headerBytes)).contains("\"dtype\":\"F32\""));
    QVERIFY(bytes.mid(8, int(headerBytes)).contains("\"dtype\":\"I8\""));
    QVERIFY(bytes.mid(8, int(headerBytes)).contains("\"dtype\":\"U8\""));

    // A model without metadata or tensors is a valid file too.
    saveModelFile(ModelFile{}, path);
    const ModelFile none = loadModelFile(path);
    QVERIFY(none.metadata.empty() && none.tensors.empty());
}

void TestModelFile::badFiles_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QString>("message");
    const QByteArray w6 = R"("w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]})";
    QTest::newRow("empty file") << QByteArray() << "truncated: 0 bytes, shorter than the 8-byte header length";
    QTest::newRow("truncated header length") << QByteArray(5, '\x10') << "truncated: 5 bytes";
    QTest::newRow("header length beyond the file") << safetensors("{" + w6 + "}", floatBytes(6), 1000)
        << "header length 1000 runs past the end of the";
    QTest::newRow("absurd header length") << safetensors("{}", {}, qint64(1) << 40)
        << "header length 1099511627776 is absurd (limit 100000000 bytes)";
    QTest::newRow("bad JSON") << safetensors("{\"w\":{", {}) << "JSON header: malformed JSON at byte";
    QTest::newRow("header not an object") << safetensors("[1,2]", {}) << "the JSON header must be an object";
    QTest::newRow("dtype F16") << safetensors(R"({"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", floatBytes(1))
        << "tensor 'w': dtype: 'F16' is not supported (F32, I8, U8)";
    QTest::newRow("I8 shape mismatch") << safetensors(R"({"w":{"dtype":"I8","shape":[3],"data_offsets":[0,4]}})", floatBytes(1))
        << "tensor 'w': shape: [3] needs 3 bytes of I8, data_offsets [0, 4] hold 4";
    QTest::newRow("dtype missing") << safetensors(R"({"w":{"shape":[1],"data_offsets":[0,4]}})", floatBytes(1))
        << "tensor 'w': dtype: missing or not a string";
    QTest::newRow("unknown field") << safetensors(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}})",
                                                  floatBytes(1))
        << "tensor 'w': unknown field 'x'";
    QTest::newRow("offsets beyond the data") << safetensors("{" + w6 + "}", floatBytes(5))
        << "tensor 'w': data_offsets: [0, 24] lie beyond the 20-byte data section";
    QTest::newRow("offsets reversed") << safetensors(R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}})",
                                                     floatBytes(1))
        << "tensor 'w': data_offsets: [4, 0] ends before it begins";
    QTest::newRow("negative offset") << safetensors(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})",
                                                    floatBytes(1))
        << "tensor 'w': data_offsets: begin -4 is negative";
    QTest::newRow("fractional offset") << safetensors(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4.0]}})",
                                                      floatBytes(1))
        << "tensor 'w': data_offsets: end must be an integer, got 4.0";
    QTest::newRow("overlapping offsets")
        << safetensors("{" + w6 + R"(,"b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}})", floatBytes(6))
        << "tensor 'b': data_offsets: [16, 24] overlap tensor 'w' [0, 24]";
    QTest::newRow("gap between tensors")
        << safetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                       floatBytes(3))
        << "data section: bytes [4, 8] belong to no tensor";
    QTest::newRow("bytes after the last tensor") << safetensors("{" + w6 + "}", floatBytes(7))
        << "data section: bytes [24, 28] belong to no tensor";
    QTest::newRow("shape mismatch") << safetensors(R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,24]}})",
                                                   floatBytes(6))
        << "tensor 'w': shape: [2,2] needs 16 bytes of F32, data_offsets [0, 24] hold 24";
    QTest::newRow("shape overflow")
        << safetensors(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,24]}})", floatBytes(6))
        << "tensor 'w': shape: [4294967296,4294967296,16] needs more than 24 bytes";
    QTest::newRow("negative shape") << safetensors(R"({"w":{"dtype":"F32","shape":[-2,-3],"data_offsets":[0,24]}})",
                                                   floatBytes(6))
        << "tensor 'w': shape: dimension -2 is negative";
    QTest::newRow("duplicate name") << safetensors("{" + w6 + "," + w6 + "}", floatBytes(6))
        << "tensor 'w': name used twice";
    QTest::newRow("duplicate field") << safetensors(R"({"w":{"dtype":"F32","dtype":"F32","shape":[0],"data_offsets":[0,0]}})", {})
        << "key 'dtype' used twice";
    QTest::newRow("metadata not a string") << safetensors(R"({"__metadata__":{"seed":42}})", {})
        << "__metadata__: 'seed' must be a string";
}

void TestModelFile::badFiles()
{
    QFETCH(QByteArray, file);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const QString path = dir.filePath("bad.safetensors");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(file);
    f.close();
    try {
        loadModelFile(path.toStdString());
        QFAIL("expected an InputError");
    } catch (const InputError& e) {
        const QString what = QString::fromUtf8(e.what());
        QVERIFY2(what.startsWith(path + ": "), qPrintable(what));
        QVERIFY2(what.contains(message), qPrintable(what));
        QVERIFY2(!what.contains('\n'), qPrintable(what));
    }
}

void TestModelFile::damagedCopiesNeverCrash()
{
    // Every truncation and every single-byte flip of a valid file either loads or is an InputError.
    QTemporaryDir dir;
    const std::string path = dir.filePath("m.safetensors").toStdString();
    ModelFile small;
    small.metadata = {{"seed", "1"}};
    small.tensors = {{"a", {2}, {1.0f, 2.0f}}, {"s", {}, {3.0f}}, {"e", {0}, {}}};
    saveModelFile(small, path);
    QFile f(QString::fromStdString(path));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray good = f.readAll();
    f.close();
    const auto tryLoad = [&](const QByteArray& bytes) {
        QFile out(QString::fromStdString(path));
        QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
        out.write(bytes);
        out.close();
        try {
            loadModelFile(path);
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(path) + ": "), e.what());
        }
    };
    for (qsizetype n = 0; n < good.size(); ++n)
        tryLoad(good.left(n));
    for (qsizetype k = 0; k < good.size(); ++k)
        for (char mask : {char(0x01), char(0x80), char(0xff)}) {
            QByteArray bad = good;
            bad[k] = char(bad[k] ^ mask);
            tryLoad(bad);
        }
}

void TestModelFile::missingFile()
{
    try {
        loadModelFile("/nonexistent/m.safetensors");
        QFAIL("expected an InputError");
    } catch (const InputError& e) {
        QCOMPARE(QString(e.what()), QString("/nonexistent/m.safetensors: file not found"));
    }
}

void TestModelFile::badSaves_data()
{
    QTest::addColumn<QString>("tensorName");
    QTest::addColumn<QList<qint64>>("shape");
    QTest::addColumn<int>("valueCount");
    QTest::addColumn<QString>("message");
    QTest::newRow("values do not match the shape") << "w" << QList<qint64>{2, 3} << 5
        << "tensor 'w': values: 5 values do not match the shape";
    QTest::newRow("negative dimension") << "w" << QList<qint64>{-1} << 0 << "tensor 'w': shape: dimension -1 is negative";
    QTest::newRow("empty name") << "" << QList<qint64>{1} << 1 << "tensor '': name: must be non-empty";
    QTest::newRow("reserved name") << "__metadata__" << QList<qint64>{1} << 1 << "name: must be non-empty and not __metadata__";
    QTest::newRow("duplicate name") << "conv1.bias" << QList<qint64>{1} << 1 << "tensor 'conv1.bias': name: used twice";
}

void TestModelFile::badSaves()
{
    QFETCH(QString, tensorName);
    QFETCH(QList<qint64>, shape);
    QFETCH(int, valueCount);
    QFETCH(QString, message);
    ModelFile m = sampleModel();
    m.tensors.push_back({tensorName.toStdString(), std::vector<int64_t>(shape.begin(), shape.end()),
                         std::vector<float>(size_t(valueCount), 1.0f)});
    QTemporaryDir dir;
    const QString path = dir.filePath("m.safetensors");
    try {
        saveModelFile(m, path.toStdString());
        QFAIL("expected an InputError");
    } catch (const InputError& e) {
        const QString what = QString::fromUtf8(e.what());
        QVERIFY2(what.startsWith(path + ": "), qPrintable(what));
        QVERIFY2(what.contains(message), qPrintable(what));
    }
    QVERIFY(QDir(dir.path()).isEmpty());
}

void TestModelFile::saveIsAtomic()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("m.safetensors");
    saveModelFile(sampleModel(), path.toStdString());
    saveModelFile(sampleModel(), path.toStdString()); // over an existing file: no temporary left
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"m.safetensors"});
    // A folder that does not exist: an error naming the path, and nothing written anywhere.
    const QString missing = dir.filePath("missing/m.safetensors");
    try {
        saveModelFile(sampleModel(), missing.toStdString());
        QFAIL("expected an InputError");
    } catch (const InputError& e) {
        QVERIFY2(QString(e.what()).contains(missing), e.what());
    }
    QVERIFY(!QFileInfo::exists(dir.filePath("missing")));
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), QStringList{"m.safetensors"});
}

QTEST_APPLESS_MAIN(TestModelFile)
#include "tst_model_file.moc"
