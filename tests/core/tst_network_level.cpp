// Hand-computed networks at the network level, exact to the bit and the pJ: what the memory plan
// keeps on chip, what spills to DRAM, what a batch shares and what resident weights save. Each
// network is small enough that every layer's mapping moves only its compulsory DRAM traffic (each
// value once), so the DRAM bits follow from the tensor sizes alone.
#include "formats/precision.h"
#include "graph/spec_builder.h"
#include "hw/hardware_io.h"
#include "hw/hw_params.h"
#include "hw/network_cost.h"

#include <QtTest>

using namespace poq;

namespace {

NetworkCost cost(const Graph& g, const char* strategy, const Hardware& hw)
{
    return costNetwork(g, assignPrecision(g, QuantStrategy::parse(strategy)), hw);
}

ConvOptions pointwise(int out)
{
    ConvOptions o;
    o.outChannels = out;
    o.kernel = 1;
    return o;
}

// input 8x32x32 -> 1x1 conv to 64 channels (a 64 KiB int8 tensor) -> 1x1 conv back to 8 channels.
Graph chain()
{
    SpecBuilder b("chain", "two 1x1 convolutions", "test");
    const std::string x = b.input("x", Shape{8, 32, 32});
    const std::string wide = b.conv("wide", x, pointwise(64));
    b.conv("narrow", wide, pointwise(8));
    return Graph::build(b.take(), 1.0);
}

// input 8x32x32 -> a (8 ch, the skip, 8 KiB) -> b (64 ch, 64 KiB) -> c (8 ch) -> add(a, c).
Graph skip()
{
    SpecBuilder b("skip", "a skip tensor beside a wide one", "test");
    const std::string x = b.input("x", Shape{8, 32, 32});
    const std::string a = b.conv("a", x, pointwise(8));
    const std::string wide = b.conv("b", a, pointwise(64));
    const std::string c = b.conv("c", wide, pointwise(8));
    b.add("add", a, c);
    return Graph::build(b.take(), 1.0);
}

// edge-npu with fixed per-access energies and weights fetched per inference unless a row says.
Hardware npu(double sramBytes)
{
    Hardware hw = loadHardware("edge-npu");
    setParam(hw, "memory.energyFromSize", 0);
    setParam(hw, "network.weightsResident", 0);
    setParam(hw, "sram.sizeBytes", sramBytes);
    return hw;
}

const LayerEnergy& layer(const NetworkCost& c, const char* name)
{
    for (const LayerEnergy& e : c.layers)
        if (e.name == name)
            return e;
    qFatal("no layer %s", name);
}

constexpr double kDramPj = 20; // edge-npu DRAM read and write energy per bit

} // namespace

class TestNetworkLevel : public QObject {
    Q_OBJECT
private slots:
    void chainFitsOrSpills_data();
    void chainFitsOrSpills();
    void skipKeptWhileWideSpills();
    void batchDividesWeightTraffic();
    void fittingModelKeepsWeights();
};

void TestNetworkLevel::chainFitsOrSpills_data()
{
    QTest::addColumn<double>("sramBytes");
    QTest::addColumn<bool>("fits");
    // The plan may use half the buffer: 1 MiB leaves 512 KiB for the 64 KiB tensor, 64 KiB only 32 KiB.
    QTest::newRow("1 MiB: the tensor stays") << 1048576.0 << true;
    QTest::newRow("64 KiB: the tensor spills") << 65536.0 << false;
}

void TestNetworkLevel::chainFitsOrSpills()
{
    QFETCH(double, sramBytes);
    QFETCH(bool, fits);
    const Graph g = chain();
    const NetworkCost c = cost(g, "int8", npu(sramBytes));
    const double input = 8 * 1024 * 8, weights1 = 64 * 8 * 8, tensor = 64 * 1024 * 8, weights2 = 8 * 64 * 8,
                 output = 8 * 1024 * 8;
    const LayerEnergy& wide = layer(c, "wide");
    const LayerEnergy& narrow = layer(c, "narrow");
    QCOMPARE(wide.outputBits, tensor);
    QCOMPARE(wide.outputOnChip, fits);
    QCOMPARE(wide.outputSpillBits, fits ? 0.0 : 2 * tensor); // one write, one read
    QCOMPARE(wide.dramBits, input + weights1 + (fits ? 0 : tensor));
    QCOMPARE(narrow.dramBits, weights2 + (fits ? 0 : tensor) + output);
    const double bits = input + weights1 + weights2 + output + (fits ? 0 : 2 * tensor);
    QCOMPARE(c.total.dramBits, bits);
    QCOMPARE(c.total.dramPj, bits * kDramPj); // 1,736,960 pJ fitting, 22,708,480 pJ spilling
}

void TestNetworkLevel::skipKeptWhileWideSpills()
{
    // 64 KiB of buffer: the plan's 32 KiB holds the 8 KiB skip tensor and c's 8 KiB output, never b's
    // 64 KiB. The old rule (a tensor stays only if everything alive beside it fits) spilled the skip.
    const Graph g = skip();
    const NetworkCost c = cost(g, "int8", npu(65536));
    const double act8 = 8 * 1024 * 8, wide = 64 * 1024 * 8;
    QVERIFY(layer(c, "a").outputOnChip);
    QVERIFY(!layer(c, "b").outputOnChip);
    QVERIFY(layer(c, "c").outputOnChip);
    const double weights = (8 * 8 + 64 * 8 + 8 * 64) * 8;
    const double bits = act8 /* input */ + weights + 2 * wide + act8 /* the Add's output */;
    QCOMPARE(c.total.dramBits, bits);
    QCOMPARE(c.total.dramPj, bits * kDramPj);
    QCOMPARE(layer(c, "add").dramBits, act8);
}

void TestNetworkLevel::batchDividesWeightTraffic()
{
    const Graph g = chain();
    Hardware hw = npu(1048576);
    setParam(hw, "network.batch", 4);
    const NetworkCost c = cost(g, "int8", hw);
    QCOMPARE(c.plan.imagesPerWeightLoad, 4);
    const double input = 8 * 1024 * 8, output = 8 * 1024 * 8, weights = (64 * 8 + 8 * 64) * 8;
    QCOMPARE(c.total.dramBits, input + output + weights / 4); // per image: a quarter of the weights
    QCOMPARE(c.total.dramPj, (input + output + weights / 4) * kDramPj);
    QCOMPARE(c.batchLatencyCycles, 4 * c.total.latencyCycles);
}

void TestNetworkLevel::fittingModelKeepsWeights()
{
    const Graph g = chain();
    Hardware hw = npu(1048576);
    setParam(hw, "network.weightsResident", 1);
    const NetworkCost c = cost(g, "int8", hw);
    QVERIFY(c.plan.weightsResident);
    QVERIFY(QString::fromStdString(c.plan.weightsReason).startsWith("yes: "));
    const double input = 8 * 1024 * 8, output = 8 * 1024 * 8;
    QCOMPARE(c.total.dramBits, input + output);
    QCOMPARE(c.total.dramPj, (input + output) * kDramPj);
}

QTEST_APPLESS_MAIN(TestNetworkLevel)
#include "tst_network_level.moc"
