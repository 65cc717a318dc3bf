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

// An inverted-residual block: input 8x32x32 -> expand 1x1 to 48 -> depthwise 3x3 -> project 1x1 to
// 8 -> add(input, project).
Graph invertedResidual()
{
    SpecBuilder b("block", "an inverted-residual block", "test");
    const std::string x = b.input("x", Shape{8, 32, 32});
    const std::string e = b.conv("expand", x, pointwise(48));
    ConvOptions dw;
    dw.kernel = 3;
    dw.depthwise = true;
    const std::string d = b.conv("dw", e, dw);
    const std::string p = b.conv("project", d, pointwise(8));
    b.add("add", x, p);
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
    void fusedInvertedResidual();
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
    // The tiles take what the plan leaves free of the 524,288-bit buffer: 7/8 while only the skip
    // (65,536 bit) is held, 3/4 while c's output sits beside it.
    QCOMPARE(c.plan.tileFraction, 0.5);
    QCOMPARE(layer(c, "a").problem.tileFraction, 0.875);
    QCOMPARE(layer(c, "b").problem.tileFraction, 0.875);
    QCOMPARE(layer(c, "c").problem.tileFraction, 0.75);
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

void TestNetworkLevel::fusedInvertedResidual()
{
    // 64 KiB of buffer, 32 KiB (262,144 bit) for the plan: the 48-channel tensors (393,216 bit each)
    // never fit whole, so without fusion both spill; band by band (one output row of the block per
    // band, 32 bands) they live in line buffers.
    const Graph g = invertedResidual();
    Hardware hw = npu(65536);
    const NetworkCost none = cost(g, "int8", hw);
    setParam(hw, "network.fusion", 1); // blocks
    const NetworkCost fused = cost(g, "int8", hw);
    QCOMPARE(int(fused.plan.groups.size()), 1);
    const FusedGroup& fg = fused.plan.groups[0];
    QCOMPARE(QString::fromStdString(fg.name), QString("expand -> dw -> project"));
    QCOMPARE(fg.chain.bands, 32);
    // Line buffers: 1 row of the input (the 1x1 expand's window), 3 rows of the expanded tensor (the
    // 3x3 depthwise window), 1 row of the depthwise output (the 1x1 project's window).
    const double line = 1 * 32 * 8 * 8 + 3 * 32 * 48 * 8 + 1 * 32 * 48 * 8;
    QCOMPARE(fg.lineBits, line); // 2,048 + 36,864 + 12,288 = 51,200 bit
    const double weights = (48 * 8 + 48 * 9 + 8 * 48) * 8;
    QCOMPARE(fg.weightBits, weights);
    QVERIFY(fg.weightsHeld); // 51,200 + 9,600 bit fit the 262,144
    QVERIFY(layer(fused, "expand").outputInLineBuffer);
    QVERIFY(layer(fused, "dw").outputInLineBuffer);
    QVERIFY(layer(fused, "project").outputOnChip && !layer(fused, "project").outputInLineBuffer);
    const double input = 8 * 1024 * 8, wide = 48 * 1024 * 8, output = 8 * 1024 * 8;
    // Unfused: both wide tensors make a DRAM round trip; the project output stays for the Add.
    QCOMPARE(none.total.dramBits, input + weights + 4 * wide + input + output);
    // Fused: the input once into its line buffer, the weights once, the Add's input read and output.
    QCOMPARE(fused.total.dramBits, input + weights + input + output);
    QCOMPARE(fused.total.dramPj, (input + weights + input + output) * kDramPj);
    QVERIFY(fused.total.energyPj() < none.total.energyPj());
    QVERIFY(QString::fromStdString(layer(fused, "dw").mapping).startsWith("fused chain 1, 1 row(s) x 32 bands, weights held"));
    // Re-costing with the plan and mappings pinned reproduces every count.
    CostOptions pinned;
    pinned.pinned = &fused;
    const NetworkCost again = costNetwork(g, assignPrecision(g, QuantStrategy::parse("int8")), hw, pinned);
    QCOMPARE(again.total.energyPj(), fused.total.energyPj());
    QCOMPARE(again.total.dramBits, fused.total.dramBits);
    // Naming the chain (poq energy --fuse expand:project) fuses it the same way with fusion off.
    Hardware off = hw;
    setParam(off, "network.fusion", 0);
    CostOptions named;
    named.fuse = {"expand:project"};
    const NetworkCost byName = costNetwork(g, assignPrecision(g, QuantStrategy::parse("int8")), off, named);
    QCOMPARE(byName.total.energyPj(), fused.total.energyPj());
    QCOMPARE(QString::fromStdString(byName.plan.groups.at(0).name), QString("expand -> dw -> project"));
    // auto finds the same chain here.
    setParam(hw, "network.fusion", 2);
    QCOMPARE(cost(g, "int8", hw).total.energyPj(), fused.total.energyPj());
}

QTEST_APPLESS_MAIN(TestNetworkLevel)
#include "tst_network_level.moc"
