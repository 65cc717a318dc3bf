// Hardware descriptions (parameter rows, presets, files, --set), strategies and operand precisions,
// including every kind of bad input.
#include "formats/precision.h"
#include "graph/zoo.h"
#include "hw/hardware_io.h"
#include "hw/hw_params.h"
#include "hw/network_cost.h"
#include "util/error.h"

#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

using namespace poq;

class TestHardware : public QObject {
    Q_OBJECT
private slots:
    void presetsLoad();
    void parameterRowsAreComplete();
    void everyKeyOutOfRangeIsRejected();
    void fileRoundTrip();
    void settings_data();
    void settings();
    void badFiles_data();
    void badFiles();
    void registerFileTooSmall();
    void accumulators_data();
    void accumulators();
    void strategies_data();
    void strategies();
    void precisionRoles();
};

void TestHardware::presetsLoad()
{
    const std::vector<std::string> presets = hardwarePresets();
    QCOMPARE(int(presets.size()), 4);
    for (const char* name : {"edge-npu", "simd", "eyeriss"}) {
        const Hardware hw = loadHardware(name);
        QCOMPARE(hw.name, std::string(name));
        QVERIFY(hw.levels.size() >= 3);
    }
    QCOMPARE(loadHardware("edge-npu").pes(), 256);
    QCOMPARE(loadHardware("simd").pes(), 32);
    const Hardware ey = loadHardware("eyeriss");
    // Natively 16-bit: relative access costs per 16-bit word of a 16-bit MAC (0.9 pJ), Chen et al.,
    // ISCA 2016: RF 1x, array 2x, buffer 6x, DRAM 200x; one MAC per PE per cycle at every integer width.
    const double mac = ey.macPj[int(ComputeClass::INT16)];
    QVERIFY(std::fabs(ey.readPj(0) * 16 / mac - 1.0) < 1e-12);
    QVERIFY(std::fabs(ey.hopPjPerBit * 16 / mac - 2.0) < 1e-12);
    QVERIFY(std::fabs(ey.readPj(1) * 16 / mac - 6.0) < 1e-12);
    QVERIFY(std::fabs(ey.readPj(2) * 16 / mac - 200.0) < 1e-12);
    for (ComputeClass c : {ComputeClass::INT16, ComputeClass::INT8, ComputeClass::INT4, ComputeClass::INT2})
        QCOMPARE(ey.macsPerCycle[int(c)], 1.0);
    // edge-npu-lpddr4 is edge-npu with LPDDR4-3200 DRAM energies (README: derived from datasheet currents).
    const Hardware npu = loadHardware("edge-npu"), lp = loadHardware("edge-npu-lpddr4");
    for (const HwParam& p : hardwareParameters(npu)) {
        const double want = p.key == "dram.readPjPerBit" ? 8.54 : p.key == "dram.writePjPerBit" ? 5.11 : paramValue(npu, p);
        QVERIFY2(getParam(lp, p.key) == want, p.key.c_str());
    }
    // The size rule: a preset's stated buffer energy holds at its own size and grows as sqrt(size).
    for (const char* name : {"edge-npu", "simd", "eyeriss"}) {
        Hardware hw = loadHardware(name);
        QCOMPARE(hw.sramFromSize, 1.0);
        const double stated = hw.levels[1].readPjPerBit;
        QCOMPARE(hw.readPj(1), stated);
        setParam(hw, hw.levels[1].name + ".sizeBytes", hw.levels[1].sizeBytes * 4);
        QVERIFY(std::fabs(hw.readPj(1) - 2 * stated) < 1e-12);
        QVERIFY(std::fabs(hw.writePj(1) - 2 * hw.levels[1].writePjPerBit) < 1e-12);
        setParam(hw, "memory.energyFromSize", 0);
        QCOMPARE(hw.readPj(1), stated);
    }
}

void TestHardware::parameterRowsAreComplete()
{
    const Hardware hw = loadHardware("edge-npu");
    QSet<QString> keys;
    for (const HwParam& p : hardwareParameters(hw)) {
        QVERIFY2(!keys.contains(QString::fromStdString(p.key)), p.key.c_str());
        keys.insert(QString::fromStdString(p.key));
        QVERIFY(!p.label.empty() && !p.unit.empty() && !p.source.empty());
        QVERIFY(p.min <= p.defaultValue && p.defaultValue <= p.max);
        QVERIFY(p.min <= paramValue(hw, p) && paramValue(hw, p) <= p.max);
        QCOMPARE(getParam(hw, p.key), paramValue(hw, p));
    }
    for (const char* key : {"array.rows", "sram.sizeBytes", "dram.readPjPerBit", "dram.writePjPerBit",
                            "rf.bandwidthBitsPerCycle", "mac.int4.pj", "mac.int4.perCycle", "eltwise.fp16.pj"})
        QVERIFY2(keys.contains(key), key);
    // Formats Horowitz does not cover are marked as assumptions.
    for (const HwParam& p : hardwareParameters(hw))
        if (p.key == "mac.int4.pj" || p.key == "mac.bf16.pj" || p.key == "mac.fp8.pj")
            QVERIFY(QString::fromStdString(p.source).startsWith("assumption"));
}

void TestHardware::everyKeyOutOfRangeIsRejected()
{
    const Hardware hw = loadHardware("edge-npu");
    for (const HwParam& p : hardwareParameters(hw)) {
        for (double bad : {p.min - std::max(1.0, p.min), p.max * 2 + 1}) {
            Hardware copy = hw;
            try {
                setParam(copy, p.key, bad);
                QFAIL(qPrintable(QString::fromStdString(p.key) + " accepted " + QString::number(bad)));
            } catch (const InputError& e) {
                const QString what = e.what();
                QVERIFY2(what.startsWith(QString::fromStdString(p.key) + ": must be"), e.what());
                QVERIFY(what.contains(".."));
            }
            QCOMPARE(getParam(copy, p.key), paramValue(hw, p)); // nothing changed
        }
    }
}

void TestHardware::fileRoundTrip()
{
    QTemporaryDir dir;
    for (const std::string& name : hardwarePresets()) {
        Hardware hw = loadHardware(name);
        setParam(hw, hw.levels[1].name + ".sizeBytes", 12345);
        const std::string path = dir.filePath(QString::fromStdString(name) + ".json").toStdString();
        saveHardwareFile(hw, path);
        const Hardware back = loadHardware(path);
        QCOMPARE(hardwareToJson(back), hardwareToJson(hw));
    }
    const Hardware four = loadHardware(POQ_TEST_DATA_DIR "/hardware/four-levels.json");
    QCOMPARE(int(four.levels.size()), 4);
    QCOMPARE(four.levels[2].sizeBytes, 16384.0);
}

void TestHardware::settings_data()
{
    QTest::addColumn<QString>("assignment");
    QTest::addColumn<QString>("error"); // empty: accepted
    QTest::newRow("sram size") << "sram.sizeBytes=131072" << "";
    QTest::newRow("dram price") << "dram.readPjPerBit=15" << "";
    QTest::newRow("unknown key") << "sram.size=4" << "unknown hardware key 'sram.size'";
    QTest::newRow("not a number") << "dram.readPjPerBit=cheap" << "dram.readPjPerBit: value 'cheap' is not a number";
    QTest::newRow("trailing junk") << "array.rows=16x" << "is not a number";
    QTest::newRow("no equals") << "array.rows" << "--set: expected KEY=VALUE";
    QTest::newRow("zero bandwidth") << "dram.bandwidthBitsPerCycle=0" << "dram.bandwidthBitsPerCycle: must be an integer in 1..1048576 bit/cycle, got 0";
    QTest::newRow("negative bandwidth") << "sram.bandwidthBitsPerCycle=-5" << "must be an integer in 1..1048576";
    QTest::newRow("fractional rows") << "array.rows=2.5" << "array.rows: must be an integer in 1..256";
    QTest::newRow("huge clock") << "array.clockMhz=1e9" << "array.clockMhz: must be in 10..5000";
    QTest::newRow("nan") << "dram.readPjPerBit=nan" << "dram.readPjPerBit: must be in";
}

void TestHardware::settings()
{
    QFETCH(QString, assignment);
    QFETCH(QString, error);
    Hardware hw = loadHardware("edge-npu");
    try {
        applySetting(hw, assignment.toStdString());
        QVERIFY2(error.isEmpty(), "accepted");
    } catch (const InputError& e) {
        QVERIFY2(!error.isEmpty() && QString(e.what()).contains(error), e.what());
    }
}

void TestHardware::badFiles_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("error");
    QTest::newRow("malformed") << "{\"name\": " << "malformed JSON";
    QTest::newRow("not an object") << "[]" << "must hold a JSON object";
    QTest::newRow("unknown field") << R"({"name":"x","colour":"red"})" << "unknown field 'colour'";
    QTest::newRow("unknown key") << R"({"name":"x","parameters":{"sram.flavour":1}})" << "unknown hardware key 'sram.flavour'";
    QTest::newRow("out of range") << R"({"name":"x","parameters":{"array.rows":0}})" << "array.rows: must be an integer in 1..256";
    QTest::newRow("not a number") << R"({"name":"x","parameters":{"array.rows":"16"}})" << "array.rows: must be a number";
    QTest::newRow("bad scope") << R"({"name":"x","levels":[{"name":"rf","scope":"chip"}]})" << "scope: must be one of pe, shared, offchip";
    QTest::newRow("two levels") << R"({"name":"x","levels":[{"name":"rf","scope":"pe"},{"name":"dram","scope":"offchip"}]})"
                                << "levels: need at least";
    QTest::newRow("dram not last") << R"({"name":"x","levels":[{"name":"rf","scope":"pe"},{"name":"d","scope":"offchip"},{"name":"s","scope":"shared"}]})"
                                   << "the last level must be off chip";
    QTest::newRow("bad dim") << R"({"name":"x","spatialPairs":[["K","Q"]]})" << "must name loop dimensions";
    QTest::newRow("no pairs") << R"({"name":"x","spatialPairs":[]})" << "spatialPairs: need at least one pair";
}

void TestHardware::badFiles()
{
    QFETCH(QString, json);
    QFETCH(QString, error);
    try {
        parseHardwareJson(json.toStdString(), "hw.json");
        QFAIL("accepted");
    } catch (const InputError& e) {
        QVERIFY2(QString(e.what()).startsWith("hw.json: ") && QString(e.what()).contains(error), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(InputError, loadHardware("no-such-preset"));
}

void TestHardware::registerFileTooSmall()
{
    const Graph g = Graph::build(findZoo("cnn-fmnist")->build(), 1.0);
    Hardware hw = loadHardware("edge-npu");
    setParam(hw, "rf.sizeBytes", 8); // 64 bit: an int8 weight, input and int32 sum fit; fp32 does not
    costNetwork(g, assignPrecision(g, QuantStrategy::parse("int8")), hw);
    try {
        costNetwork(g, assignPrecision(g, QuantStrategy::parse("fp32")), hw);
        QFAIL("accepted");
    } catch (const InputError& e) {
        QVERIFY2(QString(e.what()).startsWith("rf.sizeBytes: 8 B cannot hold one weight, one input and one partial sum"),
                 e.what());
    }
}

void TestHardware::strategies_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("canonical"); // empty: rejected
    QTest::addColumn<int>("computeBits");
    QTest::addColumn<int>("firstLastBits");
    QTest::addColumn<int>("residualBits");
    QTest::newRow("fp32") << "fp32" << "fp32" << 32 << 32 << 32;
    QTest::newRow("bf16") << "bf16" << "bf16" << 16 << 16 << 16;
    QTest::newRow("fp8") << "fp8" << "fp8" << 8 << 8 << 8;
    QTest::newRow("int8") << "int8" << "int8" << 8 << 8 << 8;
    QTest::newRow("int4") << "int4" << "int4" << 4 << 8 << 4;
    QTest::newRow("int4+res8") << "int4+res8" << "int4+res8" << 4 << 8 << 8;
    QTest::newRow("int4+res16") << "int4+res16" << "int4+res16" << 4 << 8 << 16;
    QTest::newRow("int2+res8") << "int2+res8" << "int2+res8" << 2 << 8 << 8;
    QTest::newRow("int4 first/last at 4") << "int4+fl4" << "int4+fl4" << 4 << 4 << 4;
    QTest::newRow("fp16 residual fp32") << "fp16+res32" << "fp16+resfp32" << 16 << 16 << 32;
    QTest::newRow("unknown format") << "int42" << "" << 0 << 0 << 0;
    QTest::newRow("unknown option") << "int4+turbo" << "" << 0 << 0 << 0;
    QTest::newRow("empty") << "" << "" << 0 << 0 << 0;
    QTest::newRow("twice res") << "int4+res8+res16" << "" << 0 << 0 << 0;
}

void TestHardware::strategies()
{
    QFETCH(QString, name);
    QFETCH(QString, canonical);
    QFETCH(int, computeBits);
    QFETCH(int, firstLastBits);
    QFETCH(int, residualBits);
    if (canonical.isEmpty()) {
        try {
            QuantStrategy::parse(name.toStdString());
            QFAIL("accepted");
        } catch (const InputError& e) {
            QVERIFY(QString(e.what()).startsWith("strategy: "));
        }
        return;
    }
    const QuantStrategy s = QuantStrategy::parse(name.toStdString());
    QCOMPARE(QString::fromStdString(s.name), canonical);
    QCOMPARE(formatInfo(s.compute).bits, computeBits);
    QCOMPARE(formatInfo(s.firstLast).bits, firstLastBits);
    QCOMPARE(formatInfo(s.residual).bits, residualBits);
    QCOMPARE(QuantStrategy::parse(s.name).name, s.name);
}

void TestHardware::accumulators_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("canonical"); // empty: rejected with `error`
    QTest::addColumn<int>("bits");
    QTest::addColumn<QString>("error");
    QTest::newRow("default 32") << "int8" << "int8" << 32 << "";
    QTest::newRow("int8+acc24") << "int8+acc24" << "int8+acc24" << 24 << "";
    QTest::newRow("int8+acc32 is the default") << "int8+acc32" << "int8" << 32 << "";
    QTest::newRow("int4+acc16 (first/last at 8 bits)") << "int4+acc16" << "int4+acc16" << 16 << "";
    QTest::newRow("int4+res8+acc20") << "int4+res8+acc20" << "int4+res8+acc20" << 20 << "";
    QTest::newRow("fp16+acc16") << "fp16+acc16" << "fp16+acc16" << 16 << "";
    QTest::newRow("int8+acc12 narrower than 8x8") << "int8+acc12" << "" << 0
                                                  << "accumulator: 12 bits is narrower than the 16-bit products this strategy forms (allowed: 16..32)";
    QTest::newRow("int4+fl4+acc8") << "int4+fl4+acc8" << "int4+fl4+acc8" << 8 << "";
    QTest::newRow("int4+acc8 (first/last at 8)") << "int4+acc8" << "" << 0 << "narrower than the 16-bit products";
    QTest::newRow("int8+acc40 wider than 32") << "int8+acc40" << "" << 0 << "40 bits is wider than 32";
    QTest::newRow("unknown suffix") << "int8+accx" << "" << 0 << "accumulator: '+accx' must give a bit count";
    QTest::newRow("no bits") << "int8+acc" << "" << 0 << "accumulator: '+acc' must give a bit count";
    QTest::newRow("fp32+acc16") << "fp32+acc16" << "" << 0 << "fp16 cannot accumulate 32-bit operands";
    QTest::newRow("fp16+acc24") << "fp16+acc24" << "" << 0 << "float accumulators are fp16 (+acc16) or fp32 (+acc32)";
    QTest::newRow("acc twice") << "int8+acc24+acc24" << "" << 0 << "unknown option '+acc24'";
}

void TestHardware::accumulators()
{
    QFETCH(QString, name);
    QFETCH(QString, canonical);
    QFETCH(int, bits);
    QFETCH(QString, error);
    if (canonical.isEmpty()) {
        try {
            QuantStrategy::parse(name.toStdString());
            QFAIL("accepted");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).startsWith("strategy: '" + name + "': "), e.what());
            QVERIFY2(QString(e.what()).contains(error), e.what());
        }
        return;
    }
    const QuantStrategy s = QuantStrategy::parse(name.toStdString());
    QCOMPARE(QString::fromStdString(s.name), canonical);
    QCOMPARE(s.accumulatorBits, bits);
    QCOMPARE(QuantStrategy::parse(s.name).accumulatorBits, bits);
    const Graph g = Graph::build(findZoo("resnet20")->build(), 1.0);
    for (const LayerPrecision& lp : assignPrecision(g, s).layers)
        QCOMPARE(lp.accumulatorBits, bits);
}

void TestHardware::precisionRoles()
{
    const Graph g = Graph::build(findZoo("mobilenetv2-fmnist")->build(), 1.0);
    const NetworkPrecision p = assignPrecision(g, QuantStrategy::parse("int4+res8"));
    const auto& layers = g.layers();
    QCOMPARE(p.layers[g.findLayer("stem")].weight, NumberFormat::INT8);       // first
    QCOMPARE(p.layers[g.findLayer("classifier")].weight, NumberFormat::INT8); // last
    QCOMPARE(p.layers[g.findLayer("block2.expand")].weight, NumberFormat::INT4);
    QCOMPARE(p.tensors[g.inputTensors()[0]], NumberFormat::INT8);
    int residual = 0;
    for (size_t t = 0; t < g.tensors().size(); ++t)
        if (g.tensors()[t].residual) {
            QCOMPARE(p.tensors[t], NumberFormat::INT8);
            ++residual;
        }
    QVERIFY(residual >= 8);
    QCOMPARE(p.tensors[layers[g.findLayer("block2.dw.relu6")].output], NumberFormat::INT4);
    QCOMPARE(p.tensors[g.outputTensors()[0]], NumberFormat::INT8); // logits
}

QTEST_APPLESS_MAIN(TestHardware)
#include "tst_hardware.moc"
