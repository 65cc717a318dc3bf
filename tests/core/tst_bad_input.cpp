// Hostile and malformed input through the `poq` command line, one row per defect class: every row
// must exit with status 2, print exactly one line on stderr (and nothing on stdout) and name what is
// wrong. Then the behaviours that are not an exit code: the evaluation cache keyed on calibration
// images, bounded memory on a gzip bomb, shortened and escaped echoes, summarized warnings, CSV
// files as spreadsheets write them, and temporaries of killed writers removed.
#include "util/atomic_file.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <zlib.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <utime.h>

#include <cstring>

class TestBadInput : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    // First: its peak-memory check covers every child process run so far.
    void gzipBombInflatesOnlyItsHeader();
    void refused_data();
    void refused();
    void evalCacheKeysOnCalibrationImages();
    void echoesAreShortAndEscaped();
    void unmatchedRowsAreSummarized();
    void spreadsheetCsvIsAccepted();
    void reversedChainBuildsLikeInOrder();
    void staleTemporariesAreRemoved();

private:
    struct Result {
        int code;
        QString out;
        QString err;
    };
    Result poq(const QStringList& args, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) const;
    QString path(const QString& name) const { return m_dir.filePath(name); }
    void write(const QString& name, const QByteArray& bytes) const;

    QTemporaryDir m_dir;
};

namespace {

QByteArray nested(int depth)
{
    return QByteArray(depth, '[') + QByteArray(depth, ']');
}

QByteArray be32(quint32 v)
{
    QByteArray b(4, 0);
    for (int k = 0; k < 4; ++k)
        b[k] = char((v >> (8 * (3 - k))) & 0xff);
    return b;
}

// `zeros` zero bytes after `header`, gzip-compressed as a stream (run-length strategy: fast).
QByteArray gzipWithZeros(const QByteArray& header, qint64 zeros)
{
    z_stream zs{};
    if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_RLE) != Z_OK)
        return {};
    QByteArray out;
    QByteArray buf(1 << 16, 0);
    const QByteArray chunk(1 << 20, 0);
    auto feed = [&](const char* data, qint64 n, int flush) {
        zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
        zs.avail_in = uInt(n);
        do {
            zs.next_out = reinterpret_cast<Bytef*>(buf.data());
            zs.avail_out = uInt(buf.size());
            deflate(&zs, flush);
            out.append(buf.constData(), buf.size() - qsizetype(zs.avail_out));
        } while (zs.avail_out == 0);
    };
    feed(header.constData(), header.size(), Z_NO_FLUSH);
    for (qint64 left = zeros; left > 0; left -= chunk.size())
        feed(chunk.constData(), std::min<qint64>(left, chunk.size()), Z_NO_FLUSH);
    feed(nullptr, 0, Z_FINISH);
    deflateEnd(&zs);
    return out;
}

const char* const kFmnist = "/usr/share/datasets/fashion-mnist";

QByteArray network(const QByteArray& inputShape, const QByteArray& layers)
{
    return R"({"format":"poq-network","name":"t","inputs":[{"name":"in","shape":)" + inputShape
           + R"(}],"layers":[)" + layers + "]}";
}

} // namespace

TestBadInput::Result TestBadInput::poq(const QStringList& args, const QProcessEnvironment& env) const
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(POQ_CLI_PATH), args);
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
        return {-1, {}, QStringLiteral("timed out")};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

void TestBadInput::write(const QString& name, const QByteArray& bytes) const
{
    QFile f(path(name));
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(bytes), bytes.size());
}

void TestBadInput::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QByteArray conv = R"({"name":"c","kind":"Conv2d","outChannels":8})";
    // 1. Nesting far beyond any real file (300,000 levels crashed with a stack overflow).
    // The deep value comes first and more keys follow: the parser's copies of the object's members as
    // they grow were what recursed.
    write("deep-network.json", R"({"x":)" + nested(300000) + R"(,"format":"poq-network","name":"n","a":1,"b":2,"c":3})");
    write("deep-hardware.json", R"({"x":)" + nested(300000) + R"(,"format":"poq-hardware","name":"n","a":1,"b":2,"c":3})");
    // 2. Non-regular files.
    QVERIFY(::mkfifo(path("fifo.csv").toLocal8Bit().constData(), 0600) == 0);
    QVERIFY(QDir(m_dir.path()).mkdir("folder.csv"));
    // 3. Counts beyond 2^53 (2^72 MACs overflowed to a negative count).
    write("overflow.json", network("[1048576, 65536, 65536]",
                                   R"({"name":"c","kind":"Conv2d","outChannels":1048576,"scaling":"fixed"})"));
    // 4. Numbers beyond double range.
    write("1e309.json", network("[1e309, 28, 28]", conv));
    write("digits.json", network("[" + QByteArray(100000, '7') + ", 28, 28]", conv));
    // 7. Accuracy CSV rows that must stop the sweep.
    write("width0.csv", "network,width,strategy,accuracy\nresnet20,0,int8,0.9\n");
    write("widthneg.csv", "network,width,strategy,accuracy\nresnet20,-0.5,int8,0.9\n");
    write("accuracy-twice.csv", "network,width,strategy,accuracy,accuracy\nresnet20,1,int8,0.9,0.5\n");
    // 9. A model file with a NaN weight: the shipped fp32 model of width 0.25, one float replaced.
    QFile model(QStringLiteral(POQ_RESOURCE_DIR "/models/mobilenetv2-fmnist_w0.25_fp32.safetensors"));
    QVERIFY(model.open(QIODevice::ReadOnly));
    QByteArray bytes = model.readAll();
    quint64 headerBytes = 0;
    std::memcpy(&headerBytes, bytes.constData(), 8);
    const QJsonObject header = QJsonDocument::fromJson(bytes.mid(8, qsizetype(headerBytes))).object();
    const QJsonObject stem = header["stem.weight"].toObject();
    QCOMPARE(stem["dtype"].toString(), QString("F32"));
    const qint64 at = 8 + qint64(headerBytes) + stem["data_offsets"].toArray()[0].toInteger() + 4 * 3;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::memcpy(bytes.data() + at, &nan, 4);
    write("nan.safetensors", bytes);
    // 10. Control characters in a layer name (a terminal title escape).
    write("escapes.json", network("[1, 28, 28]", "{\"name\":\"\\u001b]0;pwned\\u0007conv\",\"kind\":\"Conv2d\",\"outChannels\":8}"));
    // 11. Sweep CSV counts out of range.
    const QByteArray sweepHeader = "network,width,strategy,accuracy,accuracy_lo,accuracy_hi,energy_pj,mac_pj,rf_pj,"
                                   "sram_pj,dram_pj,other_pj,latency_cycles,macs,bops,weight_bits,pareto,edp\n";
    write("macs1e30.csv", sweepHeader + "n,1,int8,0.9,,,100,1,1,1,1,1,10,1e30,1,1,1,1000\n");
    write("macsneg.csv", sweepHeader + "n,1,int8,0.9,,,100,1,1,1,1,1,10,-5,1,1,1,1000\n");
    // 12. A folder whose test images promise 4e9 images; a network too large to train in memory.
    QVERIFY(QDir(m_dir.path()).mkdir("promise"));
    write("promise/t10k-labels-idx1-ubyte", be32(0x801) + be32(1) + QByteArray(1, 0));
    write("promise/t10k-images-idx3-ubyte.gz", gzipWithZeros(be32(0x803) + be32(4000000000u) + be32(28) + be32(28), 16));
    write("wide.json", network("[1, 28, 28]", R"({"name":"c","kind":"Conv2d","outChannels":1000000,"kernel":3,)"
                                              R"("padding":1,"scaling":"fixed"})"));
    // 13. 2^63 channels, and a hardware file with more levels than the cost model holds.
    write("2pow63.json", network("[1, 28, 28]", R"({"name":"c","kind":"Conv2d","outChannels":9223372036854775808})"));
    write("seven-levels.json", R"({"format":"poq-hardware","name":"x","levels":[{"name":"rf","scope":"pe"},)"
                               R"({"name":"a","scope":"shared"},{"name":"b","scope":"shared"},{"name":"c","scope":"shared"},)"
                               R"({"name":"d","scope":"shared"},{"name":"e","scope":"shared"},{"name":"dram","scope":"offchip"}]})");
}

void TestBadInput::refused_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("text"); // expected in the one stderr line; {dir} is the test folder
    const QString d = "{dir}/";
    const QStringList energy{"energy", "resnet20", "--strategy", "int8"};
    const QStringList sweep{"sweep", "resnet20", "--widths", "1", "--strategies", "int8", "--out", d + "out.csv"};
    const QStringList eval{"eval", "mobilenetv2-fmnist", "--width", "0.25", "--strategy", "int8", "--limit", "100", "--no-cache"};
    const QStringList compare{"--baseline", "fp16", "--candidate", "int8"};

    QTest::newRow("1 deep network") << QStringList{"info", d + "deep-network.json"} << "JSON nested deeper than 64 levels";
    QTest::newRow("1 deep hardware") << energy + QStringList{"--hw", d + "deep-hardware.json"} << "JSON nested deeper than 64 levels";
    QTest::newRow("2 model /dev/zero") << eval + QStringList{"--model", "/dev/zero"} << "/dev/zero: not a regular file (a character device)";
    QTest::newRow("2 accuracy /dev/zero") << sweep + QStringList{"--accuracy", "/dev/zero"} << "/dev/zero: not a regular file";
    QTest::newRow("2 compare /dev/zero") << QStringList{"compare", "/dev/zero"} + compare << "/dev/zero: not a regular file";
    QTest::newRow("2 plot /dev/zero") << QStringList{"plot", "/dev/zero", "--out", d + "p.svg"} << "/dev/zero: not a regular file";
    QTest::newRow("2 compare FIFO") << QStringList{"compare", d + "fifo.csv"} + compare << "fifo.csv: not a regular file (a FIFO)";
    QTest::newRow("2 compare folder") << QStringList{"compare", d + "folder.csv"} + compare << "folder.csv: not a regular file (a directory)";
    QTest::newRow("2 hardware FIFO") << energy + QStringList{"--hw", d + "fifo.csv"} << "fifo.csv: not a regular file (a FIFO)";
    QTest::newRow("3 MAC overflow") << QStringList{"info", d + "overflow.json"} << "MACs: 4.72e+21 is above the limit of 2^53";
    QTest::newRow("4 1e309") << QStringList{"info", d + "1e309.json"} << "1e309.json: a number is out of range";
    QTest::newRow("4 100,000 digits") << QStringList{"info", d + "digits.json"} << "digits.json: a number is out of range";
    QTest::newRow("7 accuracy width 0") << sweep + QStringList{"--accuracy", d + "width0.csv"} << "width0.csv:2: width: must be in 0.1..4, got 0";
    QTest::newRow("7 accuracy width -0.5") << sweep + QStringList{"--accuracy", d + "widthneg.csv"} << "widthneg.csv:2: width: must be in 0.1..4, got -0.5";
    QTest::newRow("7 accuracy named twice") << sweep + QStringList{"--accuracy", d + "accuracy-twice.csv"}
                                            << "accuracy-twice.csv:1: column 'accuracy' named twice (columns 4 and 5)";
    QTest::newRow("8 calibration images 0") << eval + QStringList{"--calibration-images", "0"} << "--calibration-images: must be in 1..100000, got 0";
    QTest::newRow("8 calibration images -3") << eval + QStringList{"--calibration-images", "-3"} << "--calibration-images: must be in 1..100000, got -3";
    QTest::newRow("8 at-accuracy -0.5") << QStringList{"compare", d + "macsneg.csv", "--at-accuracy", "-0.5"} + compare
                                        << "--at-accuracy: must be in 0..1, got -0.5";
    QTest::newRow("8 at-accuracy NaN") << QStringList{"compare", d + "macsneg.csv", "--at-accuracy", "nan"} + compare
                                       << "--at-accuracy: must be in 0..1, got NaN";
    QTest::newRow("8 at-energy 0") << QStringList{"compare", d + "macsneg.csv", "--at-energy", "0"} + compare << "--at-energy: must be in";
    QTest::newRow("8 limit -1") << eval + QStringList{"--limit", "-1"} << "--limit: must be in 0..1000000000, got -1";
    QTest::newRow("8 epochs 0") << QStringList{"train", "cnn-fmnist", "--epochs", "0", "--out", d + "m.safetensors"} << "--epochs: must be in 1..1000, got 0";
    QTest::newRow("8 lr NaN") << QStringList{"train", "cnn-fmnist", "--lr", "nan", "--out", d + "m.safetensors"} << "--lr: must be in";
    QTest::newRow("8 width NaN") << QStringList{"info", "resnet20", "--width", "nan"} << "--width: must be in 0.1..4, got NaN";
    QTest::newRow("9 NaN weight") << eval + QStringList{"--model", d + "nan.safetensors"}
                                  << "nan.safetensors: tensor 'stem.weight': value 3 is NaN";
    QTest::newRow("11 macs 1e30") << QStringList{"compare", d + "macs1e30.csv"} + compare << "macs1e30.csv:2: macs: must be a whole number up to 2^53";
    QTest::newRow("11 negative macs") << QStringList{"compare", d + "macsneg.csv"} + compare << "macsneg.csv:2: macs: must not be negative";
    QTest::newRow("12 IDX promises 4e9 images") << eval + QStringList{"--dataset", d + "promise"}
                                                << "the header promises 4000000000 items (2.85 TiB), above the 1 GiB limit";
    QTest::newRow("12 10,000 widths") << QStringList{"sweep", "resnet20", "--widths", QStringList(QList<QString>(10000, "0.5")).join(','),
                                                     "--strategies", "int8", "--out", d + "o.csv"}
                                      << "widths: more than 100 values";
    QTest::newRow("12 train into a missing folder") << QStringList{"train", "cnn-fmnist", "--out", d + "missing/m.safetensors"}
                                                    << "--out: cannot write '{dir}/missing/m.safetensors' (the folder does not exist)";
    QTest::newRow("12 train beyond memory") << QStringList{"train", d + "wide.json", "--out", d + "m.safetensors"}
                                            << "training t at width 1 with batch 128 needs about";
    QTest::newRow("13 2^63 channels") << QStringList{"info", d + "2pow63.json"} << "outChannels: value 9223372036854775808 is out of range";
    QTest::newRow("13 --set 1e400") << energy + QStringList{"--set", "sram.sizeBytes=1e400"}
                                    << "--set sram.sizeBytes: value '1e400' is out of range (beyond double precision)";
    QTest::newRow("13 plot --width 0") << QStringList{"plot", d + "macsneg.csv", "--out", d + "p.svg", "--width", "0"}
                                       << "--width: must be in 100..8000, got 0";
    QTest::newRow("accumulator too narrow") << QStringList{"energy", "resnet20", "--strategy", "int8+acc12"}
                                            << "strategy: 'int8+acc12': accumulator: 12 bits is narrower than the 16-bit products";
    QTest::newRow("accumulator suffix") << QStringList{"energy", "resnet20", "--strategy", "int8+acc2x"}
                                        << "strategy: 'int8+acc2x': accumulator: '+acc2x' must give a bit count";
    QTest::newRow("bypass of the register file") << energy + QStringList{"--set", "rf.bypassW=1"}
                                                 << "rf.bypassW: only a shared on-chip level can be skipped; 'rf' is the register file of every PE";
    QTest::newRow("bypass of DRAM") << energy + QStringList{"--set", "dram.bypassI=1"}
                                    << "dram.bypassI: only a shared on-chip level can be skipped; 'dram' is off chip";
    QTest::newRow("bypass flag 2") << energy + QStringList{"--set", "sram.bypassO=2"}
                                   << "sram.bypassO: must be an integer in 0..1 0/1, got 2";
    QTest::newRow("batch 0") << energy + QStringList{"--set", "network.batch=0"}
                             << "network.batch: must be an integer in 1..4096 images, got 0";
    QTest::newRow("batch fraction") << energy + QStringList{"--set", "network.batch=2.5"}
                                    << "network.batch: must be an integer in 1..4096 images, got 2.5";
    QTest::newRow("weights resident 3") << energy + QStringList{"--set", "network.weightsResident=3"}
                                        << "network.weightsResident: must be an integer in 0..1 0/1, got 3";
    QTest::newRow("fusion 3") << energy + QStringList{"--set", "network.fusion=3"}
                              << "network.fusion: must be one of none, blocks, auto (0..2), got 3";
    QTest::newRow("fusion by an unknown name") << energy + QStringList{"--set", "network.fusion=everything"}
                                               << "network.fusion: must be one of none, blocks, auto (0..2), got 'everything'";
    QTest::newRow("size anchor of the register file") << energy + QStringList{"--set", "rf.energyAtBytes=64"}
                                                      << "unknown hardware key 'rf.energyAtBytes'";
    QTest::newRow("size anchor 0") << energy + QStringList{"--set", "sram.energyAtBytes=0"}
                                   << "sram.energyAtBytes: must be an integer in 1..";
    const QStringList mbv2{"energy", "mobilenetv2", "--strategy", "int8"};
    QTest::newRow("fuse across an Add") << mbv2 + QStringList{"--fuse", "block16.expand:block17.project"}
                                        << "--fuse 'block16.expand:block17.project': the output of 'block16.project' is "
                                           "read by layer 'block16.add' (Add), not a convolution, so the chain cannot "
                                           "reach 'block17.project'";
    QTest::newRow("fuse past a skip") << mbv2 + QStringList{"--fuse", "block2.expand:block3.project"}
                                      << "--fuse 'block2.expand:block3.project': the output of 'block2.project' is read "
                                         "by 2 layers (a chain's tensors have one reader)";
    QTest::newRow("fuse backwards") << mbv2 + QStringList{"--fuse", "block2.project:block2.expand"}
                                    << "--fuse 'block2.project:block2.expand': 'block2.expand' must come after 'block2.project'";
    QTest::newRow("fuse an unknown layer") << mbv2 + QStringList{"--fuse", "nosuch:block2.dw"}
                                           << "--fuse 'nosuch:block2.dw': no layer 'nosuch' in mobilenetv2";
    QTest::newRow("fuse one name") << mbv2 + QStringList{"--fuse", "stem"} << "--fuse 'stem': expected FIRST:LAST, two layer names";
    QTest::newRow("fuse a ReLU") << mbv2 + QStringList{"--fuse", "stem.relu6:block1.dw"}
                                 << "--fuse 'stem.relu6:block1.dw': 'stem.relu6' is a ReLU6 layer; a fused chain runs convolutions";
    QTest::newRow("fuse into a tiny buffer") << mbv2 + QStringList{"--fuse", "stem:block1.project", "--set", "sram.sizeBytes=4096"}
                                             << "--fuse 'stem:block1.project': its line buffers need 130.8 kbit, more than "
                                                "the 16.4 kbit of sram the plan may use";
    QTest::newRow("fuse through a pool") << QStringList{"energy", "cnn-fmnist", "--strategy", "int8", "--fuse", "conv3:classifier"}
                                         << "--fuse 'conv3:classifier': the output of 'conv3' is read by layer 'pool' "
                                            "(GlobalAvgPool), not a convolution, so the chain cannot reach 'classifier'";
    QTest::newRow("seven memory levels") << energy + QStringList{"--hw", d + "seven-levels.json"} << "levels: at most 6 memory levels, got 7";
}

void TestBadInput::refused()
{
    QFETCH(QStringList, args);
    QFETCH(QString, text);
    for (QString& a : args)
        a.replace("{dir}", m_dir.path());
    text.replace("{dir}", m_dir.path());
    const Result r = poq(args);
    QVERIFY2(r.code == 2, qPrintable(QString("exit %1: %2").arg(r.code).arg(r.err.left(500))));
    QVERIFY2(r.err.contains(text), qPrintable(r.err.left(500)));
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY2(r.out.isEmpty(), qPrintable(r.out.left(500)));
}

// Defect 5: two folders with the same test set and different training images must not share a
// cached int8 accuracy (the calibration images decide the scales).
void TestBadInput::evalCacheKeysOnCalibrationImages()
{
    if (!QFile::exists(QString(kFmnist) + "/t10k-images-idx3-ubyte.gz"))
        QSKIP("Debian's dataset-fashion-mnist is not installed");
    QDir dir(m_dir.path());
    QVERIFY(dir.mkdir("real") && dir.mkdir("white") && dir.mkdir("cache"));
    for (const char* f : {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
                          "train-labels-idx1-ubyte.gz"})
        QVERIFY(QFile::link(QString(kFmnist) + "/" + f, path(QString("real/") + f)));
    for (const char* f : {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"})
        QVERIFY(QFile::link(QString(kFmnist) + "/" + f, path(QString("white/") + f)));
    const int n = 256;
    write("white/train-images-idx3-ubyte", be32(0x803) + be32(n) + be32(28) + be32(28) + QByteArray(n * 784, char(255)));
    write("white/train-labels-idx1-ubyte", be32(0x801) + be32(n) + QByteArray(n, 0));

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("POQ_CACHE_DIR", path("cache"));
    auto run = [&](const QString& folder) {
        const Result r = poq({"eval", "mobilenetv2-fmnist", "--width", "0.25", "--strategy", "int8", "--limit", "2000",
                              "--dataset", path(folder), "--json"},
                             env);
        if (r.code != 0)
            qWarning("%s", qPrintable(r.err));
        return QJsonDocument::fromJson(r.out.toUtf8()).object();
    };
    const QJsonObject real = run("real"), white = run("white"), again = run("real");
    QCOMPARE(real["cached"].toBool(), false);
    QCOMPARE(white["cached"].toBool(), false); // before the fix: true, with the other folder's accuracy
    QVERIFY2(white["accuracy"].toDouble() != real["accuracy"].toDouble(), "white calibration images changed nothing");
    QCOMPARE(again["cached"].toBool(), true);
    QCOMPARE(again["accuracy"].toDouble(), real["accuracy"].toDouble());
}

// Defect 12: a 1 MB gzip file that inflates to 1 GiB with a wrong magic number is refused after its
// header; the peak memory of the process stays far below what inflating it would take.
void TestBadInput::gzipBombInflatesOnlyItsHeader()
{
    QVERIFY(QDir(m_dir.path()).mkdir("bomb"));
    const QByteArray bomb = gzipWithZeros(be32(0x12345678) + be32(60000) + be32(28) + be32(28), qint64(1) << 30);
    QVERIFY2(bomb.size() < 8 << 20, qPrintable(QString::number(bomb.size())));
    write("bomb/t10k-images-idx3-ubyte.gz", bomb);
    write("bomb/t10k-labels-idx1-ubyte", be32(0x801) + be32(1) + QByteArray(1, 0));
    QProcess p;
    p.start(QStringLiteral(POQ_CLI_PATH), {"eval", "mobilenetv2-fmnist", "--width", "0.25", "--strategy", "fp32",
                                           "--dataset", path("bomb"), "--no-cache"});
    QVERIFY(p.waitForFinished(120000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(QString(p.readAllStandardError()).contains("bad magic number 0x12345678"));
    rusage usage{};
    QCOMPARE(::getrusage(RUSAGE_CHILDREN, &usage), 0);
    // ru_maxrss is in KiB and covers every child so far (this is the first); 1 GiB would be 1,048,576.
    QVERIFY2(usage.ru_maxrss < 512 * 1024, qPrintable(QString::number(usage.ru_maxrss)));
}

// Defect 10: a 100,000-character --set key is not echoed whole; control characters in a layer name
// are escaped in tables and messages.
void TestBadInput::echoesAreShortAndEscaped()
{
    const Result longKey = poq({"energy", "resnet20", "--strategy", "int8", "--set", QString(100000, 'k') + "=1"});
    QCOMPARE(longKey.code, 2);
    QCOMPARE(longKey.err.count('\n'), 1);
    QVERIFY2(longKey.err.size() < 400, qPrintable(QString::number(longKey.err.size())));
    QVERIFY(longKey.err.contains("more bytes)"));

    const Result info = poq({"info", path("escapes.json")});
    QCOMPARE(info.code, 0);
    QVERIFY(!info.out.contains(QChar(0x1b)) && !info.out.contains(QChar(0x07)));
    QVERIFY2(info.out.contains("\\x1b]0;pwned\\x07conv"), qPrintable(info.out));
    const Result message = poq({"energy", path("escapes.json"), "--strategy", "int8", "--set", "rf.sizeBytes=4"});
    QCOMPARE(message.code, 2);
    QVERIFY(!message.err.contains(QChar(0x1b)));
}

// Defects 7 and 12: a row that matches no point is named by its whole key, and a million of them
// do not print a million lines.
void TestBadInput::unmatchedRowsAreSummarized()
{
    QByteArray csv = "network,width,strategy,accuracy\n";
    for (int i = 0; i < 1000; ++i)
        csv += "resnet20," + QByteArray::number(2.0 + 0.001 * i) + ",int8,0.5\n";
    write("unmatched.csv", csv);
    const Result r = poq({"sweep", "resnet20", "--widths", "1", "--strategies", "int8", "--accuracy", path("unmatched.csv"),
                          "--out", path("u.csv")});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.err.count('\n') == 10, qPrintable(r.err));
    QVERIFY(r.err.contains("unmatched.csv:2: matches no design point of this sweep (network resnet20, width 2, strategy int8)"));
    QVERIFY(r.err.contains("... and 991 more like these"));
}

// Defect 13: a UTF-8 byte-order mark and CR-only line ends, as spreadsheets write them.
void TestBadInput::spreadsheetCsvIsAccepted()
{
    write("bom-cr.csv", "\xEF\xBB\xBFnetwork,width,strategy,accuracy\rresnet20,1,int8,0.91\rresnet20,1,fp16,0.92\r");
    const Result r = poq({"sweep", "resnet20", "--widths", "1", "--strategies", "int8,fp16", "--accuracy", path("bom-cr.csv"),
                          "--out", path("bom.csv")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("2 with accuracy"), qPrintable(r.out));
    QVERIFY(r.err.isEmpty());
}

// Defect 6: a long chain listed in reverse builds to the same graph as in order (the build is linear
// in the layers either way; bench_graph's BM_BuildChain measures both orders).
void TestBadInput::reversedChainBuildsLikeInOrder()
{
    const int n = 20000;
    QByteArray forward, reverse;
    QList<QByteArray> layers;
    for (int i = 0; i < n; ++i)
        layers << "{\"name\":\"r" + QByteArray::number(i) + "\",\"kind\":\"ReLU\",\"inputs\":[\""
                      + (i ? "r" + QByteArray::number(i - 1) : QByteArray("in")) + "\"]}";
    write("forward.json", network("[1, 4, 4]", layers.join(',')));
    std::reverse(layers.begin(), layers.end());
    write("reverse.json", network("[1, 4, 4]", layers.join(',')));
    const Result a = poq({"info", path("forward.json"), "--json"}), b = poq({"info", path("reverse.json"), "--json"});
    QCOMPARE(a.code, 0);
    QCOMPARE(b.code, 0);
    QCOMPARE(a.out, b.out);
}

// Interrupted writers: a temporary of the same destination older than a minute is removed on the
// next write; a fresh one (a writer still at work) is left alone.
void TestBadInput::staleTemporariesAreRemoved()
{
    const QString target = path("result.csv");
    write("result.csv.tmp-AbC123", "stale");
    write("result.csv.tmp-XyZ789", "fresh");
    write("other.csv.tmp-AbC123", "another destination");
    const struct utimbuf old {time(nullptr) - 3600, time(nullptr) - 3600};
    QCOMPARE(::utime(path("result.csv.tmp-AbC123").toLocal8Bit().constData(), &old), 0);
    QCOMPARE(::utime(path("other.csv.tmp-AbC123").toLocal8Bit().constData(), &old), 0);
    poq::writeFileAtomically(target.toStdString(), "data\n");
    QVERIFY(QFile::exists(target));
    QVERIFY(!QFile::exists(path("result.csv.tmp-AbC123")));
    QVERIFY(QFile::exists(path("result.csv.tmp-XyZ789")));
    QVERIFY(QFile::exists(path("other.csv.tmp-AbC123")));
}

QTEST_GUILESS_MAIN(TestBadInput)
#include "tst_bad_input.moc"
