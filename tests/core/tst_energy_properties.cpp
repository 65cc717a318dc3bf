// Properties of the network energy model on every zoo network and hardware preset. They hold
// because the search takes the exact minimum over a mapping space and the residency rule is
// monotone, so they catch any search or accounting that is not.
#include "formats/precision.h"
#include "graph/zoo.h"
#include "hw/hardware_io.h"
#include "hw/hw_params.h"
#include "hw/memory_plan.h"
#include "hw/network_cost.h"

#include <QtTest>

#include <set>

using namespace poq;

namespace {

NetworkCost cost(const Graph& g, const char* strategy, const Hardware& hw, const CostOptions& o = {})
{
    return costNetwork(g, assignPrecision(g, QuantStrategy::parse(strategy)), hw, o);
}

constexpr double kTol = 1e-9;

} // namespace

class TestEnergyProperties : public QObject {
    Q_OBJECT
private slots:
    void properties_data();
    void capacityNeverHurts();
    void capacityNeverHurts_data() { properties_data(); }
    void dramPrice();
    void dramPrice_data() { properties_data(); }
    void compulsoryTraffic();
    void compulsoryTraffic_data() { properties_data(); }
    void narrowerNeverCostsMore();
    void narrowerNeverCostsMore_data() { properties_data(); }
    void breakdownAddsUp();
    void breakdownAddsUp_data() { properties_data(); }
    void highPrecisionResidualsCostMore();
    void physicalLowerBounds();
    void plannerEqualsBruteForce();
    void batchSharesWeights();
    void fusionNeverMovesMoreDram();
    void fusionNeverMovesMoreDram_data() { properties_data(); }
    void physicalLowerBounds_data() { properties_data(); }
};

void TestEnergyProperties::properties_data()
{
    QTest::addColumn<QString>("network");
    QTest::addColumn<QString>("hardware");
    // The sanitizer step (10-30x slower) checks the same properties on the two Fashion-MNIST networks
    // and two presets; the test step runs every zoo network on every preset.
    const bool quick = qEnvironmentVariableIsSet("POQ_TEST_SANITIZER");
    for (const ZooEntry& e : zoo())
        for (const std::string& h : hardwarePresets()) {
            const std::string n = e.name;
            if (quick && ((n != "cnn-fmnist" && n != "mobilenetv2-fmnist") || (h != "edge-npu" && h != "eyeriss")))
                continue;
            QTest::newRow((n + " " + h).c_str()) << QString(e.name) << QString::fromStdString(h);
        }
}

// Per layer, with the chosen mapping: every PE's register file receives at least the distinct
// weights and inputs its MACs use (each value a PE multiplies is written into its own register file;
// summed over the PEs along each dim, per-PE extents add up to the dim), every shared level supplies
// every fill below it, the parent of the register files reads no more than they receive (multicast),
// and DRAM moves at least the compulsory traffic.
void TestEnergyProperties::physicalLowerBounds()
{
    QFETCH(QString, network);
    QFETCH(QString, hardware);
    const Graph g = Graph::build(findZoo(network.toStdString())->build(), 1.0);
    const Hardware hw = loadHardware(hardware.toStdString());
    const NetworkCost net = cost(g, "int4+res8", hw);
    int checked = 0;
    for (const LayerEnergy& e : net.layers) {
        if (!e.mac)
            continue;
        const LayerProblem& p = e.problem;
        const LayerCost c = evaluateMapping(p, hw, e.rawMapping);
        QVERIFY(c.feasible);
        const DimArray& s = e.rawMapping.spatial;
        double pes = 1;
        for (int v : s)
            pes *= v;
        auto dim = [&](Dim d) { return double(p.bounds[int(d)]); };
        auto sp = [&](Dim d) { return double(s[int(d)]); };
        const double inputsPerPe = dim(Dim::C) * dim(Dim::G) * std::min(dim(Dim::FY), double(p.IY))
                                   * std::min(dim(Dim::FX), double(p.IX)) / (sp(Dim::C) * sp(Dim::G) * sp(Dim::FY) * sp(Dim::FX));
        const double weightsPerPe = dim(Dim::K) * dim(Dim::C) * dim(Dim::G) * dim(Dim::FY) * dim(Dim::FX)
                                    / (sp(Dim::K) * sp(Dim::C) * sp(Dim::G) * sp(Dim::FY) * sp(Dim::FX));
        const QByteArray where = (e.name + " " + e.mapping).c_str();
        const int W = int(Operand::W), I = int(Operand::I), O = int(Operand::O);
        QVERIFY2(c.operandWriteBits[I][0] >= (1 - kTol) * pes * inputsPerPe * p.iBits, where);
        QVERIFY2(c.operandWriteBits[W][0] >= (1 - kTol) * pes * weightsPerPe * p.wBits, where);
        const int L = c.levels;
        // A level an operand skips (bypass) holds none of it; its parent is the next level that does.
        auto holds = [&](int l, int x) { return !(e.rawMapping.bypass[l] >> x & 1); };
        auto parentOf = [&](int l, int x) {
            int up = l + 1;
            while (up < L - 1 && !holds(up, x))
                ++up;
            return up;
        };
        for (int x : {W, I}) {
            if (x == I && p.inputResident)
                continue;
            QVERIFY2(c.operandReadBits[x][parentOf(0, x)] <= (1 + kTol) * c.operandWriteBits[x][0], where);
            for (int l = 1; l + 1 < L; ++l) {
                if (!holds(l, x)) {
                    QVERIFY2(c.operandReadBits[x][l] == 0 && c.operandWriteBits[x][l] == 0, where);
                    continue;
                }
                QVERIFY2(c.operandReadBits[x][parentOf(l, x)] >= (1 - kTol) * c.operandWriteBits[x][l], where);
            }
        }
        // Distinct input rows (columns) the windows touch, counted one by one, at most the input.
        auto touched = [](int outputs, int taps, int stride, int dilation, int size) {
            std::set<int> at;
            for (int o = 0; o < outputs; ++o)
                for (int f = 0; f < taps; ++f)
                    at.insert(o * stride + f * dilation);
            return std::min(double(at.size()), double(size));
        };
        const double inputBits = dim(Dim::C) * dim(Dim::G)
                                 * touched(p.bounds[int(Dim::OY)], p.bounds[int(Dim::FY)], p.strideY, p.dilationY, p.IY)
                                 * touched(p.bounds[int(Dim::OX)], p.bounds[int(Dim::FX)], p.strideX, p.dilationX, p.IX)
                                 * p.iBits;
        const double dramReads = c.operandReadBits[W][L - 1] + c.operandReadBits[I][L - 1];
        // Weights resident on chip come from there; a batch shares each weight fetch (counts per image).
        const double weightShare = p.weightResident ? 0.0 : 1.0 / p.batch;
        QVERIFY2(dramReads >= (1 - kTol) * (weightsPerPe * sp(Dim::K) * sp(Dim::C) * sp(Dim::G) * sp(Dim::FY) * sp(Dim::FX)
                                                * p.wBits * weightShare
                                            + (p.inputResident ? 0.0 : inputBits)),
                 where);
        if (!p.outputResident)
            QVERIFY2(c.operandWriteBits[O][L - 1]
                         >= (1 - kTol) * dim(Dim::K) * dim(Dim::G) * dim(Dim::OY) * dim(Dim::OX) * p.oBits,
                     where);
        ++checked;
    }
    QVERIFY(checked > 0);
}

void TestEnergyProperties::capacityNeverHurts()
{
    QFETCH(QString, network);
    QFETCH(QString, hardware);
    const Graph g = Graph::build(findZoo(network.toStdString())->build(), 1.0);
    // With fixed per-access energies (the size rule off), more capacity only widens the mapping space.
    Hardware hw = loadHardware(hardware.toStdString());
    setParam(hw, "memory.energyFromSize", 0);
    const double base = cost(g, "int8", hw).total.energyPj();
    for (size_t l = 0; l + 1 < hw.levels.size(); ++l) {
        Hardware bigger = hw;
        setParam(bigger, hw.levels[l].name + ".sizeBytes", hw.levels[l].sizeBytes * 2);
        const double e = cost(g, "int8", bigger).total.energyPj();
        QVERIFY2(e <= base * (1 + kTol), qPrintable(QString("%1 x2: %2 > %3").arg(QString::fromStdString(hw.levels[l].name)).arg(e).arg(base)));
    }
}

void TestEnergyProperties::dramPrice()
{
    QFETCH(QString, network);
    QFETCH(QString, hardware);
    const Graph g = Graph::build(findZoo(network.toStdString())->build(), 1.0);
    Hardware hw = loadHardware(hardware.toStdString());
    const std::string dram = hw.levels.back().name;
    const NetworkCost base = cost(g, "int8", hw);
    Hardware pricier = hw;
    setParam(pricier, dram + ".readPjPerBit", hw.levels.back().readPjPerBit * 2);
    setParam(pricier, dram + ".writePjPerBit", hw.levels.back().writePjPerBit * 2);
    const NetworkCost doubled = cost(g, "int8", pricier);
    // Raising the DRAM price never moves more DRAM bits; doubling it at most doubles the energy.
    QVERIFY(doubled.total.dramBits <= base.total.dramBits * (1 + kTol));
    QVERIFY(doubled.total.energyPj() <= 2 * base.total.energyPj() * (1 + kTol));
    QVERIFY(doubled.total.energyPj() >= base.total.energyPj());
    // With the mappings pinned, DRAM energy is exactly linear in the DRAM price.
    CostOptions pinned;
    pinned.pinned = &base;
    const NetworkCost samePlan = cost(g, "int8", pricier, pinned);
    QCOMPARE(samePlan.total.dramBits, base.total.dramBits);
    QVERIFY(std::fabs(samePlan.total.dramPj - 2 * base.total.dramPj) <= kTol * base.total.dramPj);
    QVERIFY(std::fabs(samePlan.total.sramPj - base.total.sramPj) <= kTol * base.total.sramPj);
}

void TestEnergyProperties::compulsoryTraffic()
{
    QFETCH(QString, network);
    QFETCH(QString, hardware);
    const Graph g = Graph::build(findZoo(network.toStdString())->build(), 1.0);
    const Hardware hw = loadHardware(hardware.toStdString());
    for (const char* strategy : {"int8", "int4+res8", "fp16"}) {
        const QuantStrategy s = QuantStrategy::parse(strategy);
        const NetworkPrecision prec = assignPrecision(g, s);
        const NetworkCost c = costNetwork(g, prec, hw);
        // Every weight once (unless resident; per image of a shared load), the input once, the output once.
        double compulsory = 0;
        for (size_t i = 0; i < g.layers().size(); ++i)
            if (g.layers()[i].loopNest && !c.plan.weightsResident) {
                const LoopNest& n = *g.layers()[i].loopNest;
                compulsory += double(n.G) * n.K * n.C * n.FY * n.FX * prec.layers[i].weightBits()
                              / c.layers[i].problem.batch;
            }
        for (int t : g.inputTensors())
            compulsory += double(g.tensor(t).shape.elements()) * formatInfo(prec.tensors[t]).bits;
        for (int t : g.outputTensors())
            compulsory += double(g.tensor(t).shape.elements()) * formatInfo(prec.tensors[t]).bits;
        QVERIFY2(c.total.dramBits >= compulsory * (1 - kTol),
                 qPrintable(QString("%1: %2 < %3").arg(strategy).arg(c.total.dramBits).arg(compulsory)));
    }
}

void TestEnergyProperties::narrowerNeverCostsMore()
{
    QFETCH(QString, network);
    QFETCH(QString, hardware);
    const Graph g = Graph::build(findZoo(network.toStdString())->build(), 1.0);
    const Hardware hw = loadHardware(hardware.toStdString());
    // Each list runs from wide to narrow.
    const QList<QStringList> chains = {{"fp32", "fp16", "fp8"}, {"fp32", "bf16"}, {"int16", "int8", "int4", "int2"},
                                       {"int4+res16", "int4+res8", "int4"}};
    for (const QStringList& chain : chains) {
        double previous = 0;
        for (const QString& s : chain) {
            const double e = cost(g, s.toUtf8().constData(), hw).total.energyPj();
            if (previous > 0)
                QVERIFY2(e <= previous * (1 + kTol), qPrintable(s + QString(": %1 > %2").arg(e).arg(previous)));
            previous = e;
        }
    }
    QVERIFY(cost(g, "int8", hw).total.energyPj() < cost(g, "fp16", hw).total.energyPj());
}

void TestEnergyProperties::breakdownAddsUp()
{
    QFETCH(QString, network);
    QFETCH(QString, hardware);
    const Graph g = Graph::build(findZoo(network.toStdString())->build(), 0.5);
    const Hardware hw = loadHardware(hardware.toStdString());
    const NetworkCost c = cost(g, "int4+res8", hw);
    double sum = 0, memory = 0;
    for (const LayerEnergy& e : c.layers) {
        sum += e.energyPj();
        memory += e.operandPj[0] + e.operandPj[1] + e.operandPj[2];
        QVERIFY(e.energyPj() >= 0);
        if (e.mac)
            QVERIFY(!e.mapping.empty() && e.utilization > 0 && e.utilization <= 1 + kTol);
    }
    QVERIFY(std::fabs(sum - c.total.energyPj()) <= 1e-6 * sum);
    // Operand split covers the memory energy (the array network is charged to the buffer, not an operand).
    QVERIFY(memory <= c.total.rfPj + c.total.sramPj + c.total.dramPj + 1e-6 * sum);
    QCOMPARE(c.macs, g.totalMacs());
}

void TestEnergyProperties::highPrecisionResidualsCostMore()
{
    const Graph g = Graph::build(findZoo("mobilenetv2")->build(), 1.0);
    const Hardware hw = loadHardware("edge-npu");
    const NetworkCost plain = cost(g, "int4", hw), res8 = cost(g, "int4+res8", hw);
    QVERIFY(res8.total.energyPj() > plain.total.energyPj());
    QCOMPARE(res8.macs, plain.macs);
}

// The planner against every subset on random interval graphs of up to 16 items: the same value, a
// plan that fits, and never less than the rule of earlier versions (legacyPlan) or the greedy one.
void TestEnergyProperties::plannerEqualsBruteForce()
{
    QRandomGenerator rng(2024);
    for (int trial = 0; trial < 300; ++trial) {
        const int steps = rng.bounded(1, 13), n = rng.bounded(1, 17);
        std::vector<PlanItem> items(n);
        for (PlanItem& it : items) {
            it.first = rng.bounded(0, steps);
            it.last = rng.bounded(it.first, steps);
            it.bits = rng.bounded(1, 100);
            it.value = rng.bounded(1, 1000);
        }
        std::vector<double> budget(steps);
        for (double& b : budget)
            b = rng.bounded(0, 250);
        double best = 0;
        for (uint32_t mask = 0; mask < (1u << n); ++mask) {
            std::vector<char> on(n);
            double v = 0;
            for (int i = 0; i < n; ++i)
                if ((on[i] = char(mask >> i & 1)))
                    v += items[i].value;
            if (v > best && planFits(items, on, budget))
                best = v;
        }
        const MemoryPlan plan = planMemory(items, budget);
        QVERIFY(plan.exact);
        QVERIFY(planFits(items, plan.onChip, budget));
        QCOMPARE(plan.value, best);
        const MemoryPlan legacy = legacyPlan(items, budget), greedy = greedyPlan(items, budget);
        QVERIFY(planFits(items, legacy.onChip, budget) && planFits(items, greedy.onChip, budget));
        QVERIFY(legacy.value <= greedy.value && greedy.value <= plan.value);
        // The state limit forces the greedy fallback, still never below the old rule.
        const MemoryPlan limited = planMemory(items, budget, 1);
        QVERIFY(planFits(items, limited.onChip, budget) && limited.value >= legacy.value);
    }
}

// A dense layer whose weights fit: batch 4 divides its weight DRAM traffic by 4 (per image), the
// input and output stay per image; the planner's choice on every zoo network never raises the
// energy per image as the batch doubles.
void TestEnergyProperties::batchSharesWeights()
{
    Hardware hw = loadHardware("edge-npu");
    setParam(hw, "network.weightsResident", 0);
    LayerProblem p;
    p.bounds = {64, 128, 1, 1, 1, 1, 1}; // K C: 8192 int8 weights, 128 inputs, 64 outputs
    p.tileFraction = 1.0;
    const LayerCost one = searchMapping(p, hw, Objective::Energy);
    p.batch = 4;
    const LayerCost four = searchMapping(p, hw, Objective::Energy);
    const int dram = one.levels - 1, W = int(Operand::W), I = int(Operand::I);
    const LayerCost a = evaluateMapping(p, hw, four.mapping);
    QCOMPARE(a.operandReadBits[W][dram], 8192.0 * 8 / 4);
    QCOMPARE(a.operandReadBits[I][dram], 128.0 * 8);
    LayerProblem single = p;
    single.batch = 1;
    QCOMPARE(evaluateMapping(single, hw, one.mapping).operandReadBits[W][dram], 8192.0 * 8);
    const Graph g = Graph::build(findZoo("cnn-fmnist")->build(), 1.0);
    double previous = 0;
    for (int batch : {1, 2, 4, 8}) {
        setParam(hw, "network.batch", batch);
        const NetworkCost c = cost(g, "int8", hw);
        QCOMPARE(c.batch, batch);
        QVERIFY(c.plan.imagesPerWeightLoad >= 1 && batch % c.plan.imagesPerWeightLoad == 0);
        QCOMPARE(c.batchLatencyCycles, c.total.latencyCycles * batch);
        if (previous > 0)
            QVERIFY2(c.total.energyPj() <= previous * (1 + kTol), qPrintable(QString::number(batch)));
        previous = c.total.energyPj();
    }
    // With the option on, the small network keeps its weights and reads only its input and output.
    setParam(hw, "network.batch", 1);
    setParam(hw, "network.weightsResident", 1);
    const NetworkCost kept = cost(g, "int8", hw);
    QVERIFY2(kept.plan.weightsResident, kept.plan.weightsReason.c_str());
    QVERIFY(kept.plan.weightsReason.rfind("yes: ", 0) == 0);
    QCOMPARE(kept.total.dramBits, (28.0 * 28 + 10) * 8);
}

// Fusion is taken only when it costs less; it never moves more DRAM bits than no fusion, a pinned
// re-cost of a fused network reproduces it, and batch 2 never costs more per image than batch 1.
void TestEnergyProperties::fusionNeverMovesMoreDram()
{
    QFETCH(QString, network);
    QFETCH(QString, hardware);
    const Graph g = Graph::build(findZoo(network.toStdString())->build(), 1.0);
    Hardware hw = loadHardware(hardware.toStdString());
    const NetworkCost none = cost(g, "int8", hw);
    for (int mode : {1, 2}) {
        setParam(hw, "network.fusion", mode);
        const NetworkCost f = cost(g, "int8", hw);
        const QByteArray where = QByteArray::number(mode) + ": " + QByteArray::number(f.total.dramBits) + " > "
                                 + QByteArray::number(none.total.dramBits);
        QVERIFY2(f.total.dramBits <= none.total.dramBits * (1 + kTol), where.constData());
        QVERIFY(f.total.energyPj() <= none.total.energyPj() * (1 + kTol));
        for (const FusedGroup& fg : f.plan.groups)
            QVERIFY(fg.lineBits <= f.plan.planBits);
        CostOptions pinned;
        pinned.pinned = &f;
        const NetworkCost again = cost(g, "int8", hw, pinned);
        QVERIFY(std::fabs(again.total.energyPj() - f.total.energyPj()) <= 1e-9 * f.total.energyPj());
        // A bigger batch never raises the energy per image, with fusion too.
        if (mode == 2) {
            Hardware two = hw;
            setParam(two, "network.batch", 2);
            QVERIFY(cost(g, "int8", two).total.energyPj() <= f.total.energyPj() * (1 + kTol));
        }
    }
}

QTEST_APPLESS_MAIN(TestEnergyProperties)
#include "tst_energy_properties.moc"
