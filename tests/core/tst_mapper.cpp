// The layer cost model and schedule search: hand-computed golden cases (exact to the pJ) and the
// fast search against the exhaustive enumeration of the same mapping space.
#include "hw/hardware_io.h"
#include "hw/hw_params.h"
#include "hw/mapper.h"

#include <QRandomGenerator>
#include <QtTest>

#include <cmath>
#include <cstring>

using namespace poq;

namespace {

// A 1x1 array with round per-bit energies, so costs can be worked out by hand.
Hardware handHardware(double rfBytes, double sramBytes)
{
    Hardware hw = defaultHardware();
    hw.name = "hand";
    hw.spatialPairs = {{Dim::C, Dim::K}};
    setParam(hw, "array.rows", 1);
    setParam(hw, "array.cols", 1);
    setParam(hw, "array.staticMw", 0);
    setParam(hw, "network.keepOnChip", 0);
    setParam(hw, "memory.energyFromSize", 0); // the goldens state their per-bit energies
    setParam(hw, "rf.sizeBytes", rfBytes);
    setParam(hw, "sram.sizeBytes", sramBytes);
    for (const char* level : {"rf", "sram", "dram"})
        for (const char* what : {"readPjPerBit", "writePjPerBit"})
            setParam(hw, std::string(level) + "." + what, level[0] == 'r' ? 0.01 : level[0] == 's' ? 0.1 : 1.0);
    setParam(hw, "mac.int8.pj", 0.3);
    return hw;
}

LayerProblem problem(int K, int C, int OY, int OX, int FY = 1, int FX = 1, int G = 1, int stride = 1)
{
    LayerProblem p;
    p.bounds = {K, C, G, OY, OX, FY, FX};
    p.strideY = p.strideX = stride;
    p.IY = (OY - 1) * stride + FY;
    p.IX = (OX - 1) * stride + FX;
    p.wBits = p.iBits = p.oBits = 8;
    p.accBits = 32;
    p.macClass = ComputeClass::INT8;
    return p;
}

// Small buffers and a small array, so that tiling and loop order matter.
void tighten(Hardware& hw)
{
    setParam(hw, hw.levels[0].name + ".sizeBytes", 16);
    for (size_t l = 1; l + 1 < hw.levels.size(); ++l)
        setParam(hw, hw.levels[l].name + ".sizeBytes", 96 * double(l * l));
    setParam(hw, "array.rows", std::min(hw.rows, 2.0));
    setParam(hw, "array.cols", std::min(hw.cols, 3.0));
}

} // namespace

class TestMapper : public QObject {
    Q_OBJECT
private slots:
    void goldenDenseFitsInRegisters();
    void goldenInputRefetchedPerOutputChannel();
    void goldenPinnedMappingIsLinearInDram();
    void searchEqualsExhaustive_data();
    void searchEqualsExhaustive();
    void mappingTextIsReadable();
    void mappingSpaceServesAnyEnergies();
    void goldenDepthwiseDeliversPerPe();
    void goldenRunSpansLevels();
    void goldenSlidingWindow();
    void goldenAccumulatorWidth();
    void goldenMixedOperands();
    void goldenBypass();
    void cacheFollowsCapacities();
    void warmedCacheServesDrags();
    void rangedSpaceServesEveryCapacity_data();
    void rangedSpaceServesEveryCapacity();
    void structuralKeyFollowsRows();
    void tiesAreBrokenByEnergyThenLatency();
};

void TestMapper::goldenDenseFitsInRegisters()
{
    // Dense 8 -> 4: 32 MACs; W 32, I 8, O 4 elements; everything fits in a 1 KiB register file.
    // RF: per-MAC reads 32 x 16 bit + output read-out 4 x 8 = 544 bit; fills W 256 + I 64 = 320 bit.
    // SRAM: fills down W 256 + I 64, output up 32 read / 32 written, fills from DRAM 320 written: 704 bit.
    // DRAM: W 256 + I 64 read, O 32 written = 352 bit.  MAC: 32 x 0.3.
    const Hardware hw = handHardware(1024, 65536);
    const LayerCost c = searchMapping(problem(4, 8, 1, 1), hw, Objective::Energy);
    QVERIFY(c.feasible);
    QCOMPARE(c.macPj, 9.6);
    QCOMPARE(c.rfPj, 864 * 0.01);
    QCOMPARE(c.sramPj, 704 * 0.1);
    QCOMPARE(c.dramPj, 352.0);
    QCOMPARE(c.staticPj, 0.0);
    QVERIFY(std::fabs(c.energyPj() - 440.64) < 1e-9);
    QCOMPARE(c.dramBits(), 352.0);
}

void TestMapper::goldenInputRefetchedPerOutputChannel()
{
    // 1x1 conv, K=2 output channels over OX=4 positions, C=1. The 6-byte register file holds one
    // weight, one input and one partial sum, so the best order keeps each weight while OX runs
    // (weights fetched once, 2 x 8 bit) and fetches every input once per output channel:
    // inputs refetched K = 2 times (8 x 8 bit instead of 4 x 8).
    const Hardware hw = handHardware(6, 65536);
    const LayerCost c = searchMapping(problem(2, 1, 1, 4), hw, Objective::Energy);
    QVERIFY(c.feasible);
    QCOMPARE(c.writeBits[0], 16.0 + 64.0);              // RF fills: W 2x8, I 8x8
    QCOMPARE(c.readBits[1], 16.0 + 64.0 + 64.0);        // SRAM: W, I down, 8 outputs up to DRAM
    QCOMPARE(c.dramBits(), 16.0 + 32.0 + 64.0);         // compulsory: each W, I once, O once
    QVERIFY(std::fabs(c.rfPj - 2.72) < 1e-9);           // (8 x 16 + 8 x 8 + 80) bit x 0.01
    QVERIFY(std::fabs(c.sramPj - 25.6) < 1e-9);         // (144 + 112) bit x 0.1
    QCOMPARE(c.dramPj, 112.0);
    QVERIFY(std::fabs(c.energyPj() - 142.72) < 1e-9);
    QVERIFY2(QString::fromStdString(c.mapping.text(hw)).contains("sram: K2 OX4"), c.mapping.text(hw).c_str());
}

void TestMapper::goldenPinnedMappingIsLinearInDram()
{
    Hardware hw = handHardware(6, 65536);
    const LayerProblem p = problem(2, 1, 1, 4);
    const LayerCost c = searchMapping(p, hw, Objective::Energy);
    setParam(hw, "dram.readPjPerBit", 3.0);
    setParam(hw, "dram.writePjPerBit", 3.0);
    const LayerCost pinned = evaluateMapping(p, hw, c.mapping);
    QCOMPARE(pinned.dramPj, 3.0 * c.dramPj);
    QCOMPARE(pinned.sramPj, c.sramPj);
}

void TestMapper::searchEqualsExhaustive_data()
{
    QTest::addColumn<QString>("hardware");
    QTest::addColumn<bool>("tight");
    QTest::addColumn<int>("objective");
    QTest::addColumn<bool>("bypass"); // shared levels may be skipped (three levels: by every operand)
    for (const std::string& preset : hardwarePresets()) {
        const QString h = QString::fromStdString(preset);
        QTest::newRow((preset + " energy").c_str()) << h << false << int(Objective::Energy) << false;
        QTest::newRow((preset + " tight energy").c_str()) << h << true << int(Objective::Energy) << false;
        QTest::newRow((preset + " tight latency").c_str()) << h << true << int(Objective::Latency) << false;
        QTest::newRow((preset + " tight edp").c_str()) << h << true << int(Objective::Edp) << false;
        QTest::newRow((preset + " bypass energy").c_str()) << h << false << int(Objective::Energy) << true;
        QTest::newRow((preset + " bypass tight energy").c_str()) << h << true << int(Objective::Energy) << true;
        QTest::newRow((preset + " bypass tight latency").c_str()) << h << true << int(Objective::Latency) << true;
        QTest::newRow((preset + " bypass tight edp").c_str()) << h << true << int(Objective::Edp) << true;
    }
    const QString four = POQ_TEST_DATA_DIR "/hardware/four-levels.json";
    QTest::newRow("four levels tight energy") << four << true << int(Objective::Energy) << false;
    QTest::newRow("four levels bypass tight energy") << four << true << int(Objective::Energy) << true;
}

void TestMapper::searchEqualsExhaustive()
{
    QFETCH(QString, hardware);
    QFETCH(bool, tight);
    QFETCH(int, objective);
    QFETCH(bool, bypass);
    if (bypass && !qEnvironmentVariableIsSet("POQ_TEST_SLOW")) // 90 s: CTest runs them as tst_mapper_bypass
        QSKIP("bypass rows run with POQ_TEST_SLOW=1 (CTest: tst_mapper_bypass, label slow)");
    Hardware hw = loadHardware(hardware.toStdString());
    if (bypass && hw.levels.size() == 3)
        for (const char* x : {"W", "I", "O"})
            setParam(hw, hw.levels[1].name + ".bypass" + x, 1);
    if (bypass && hw.levels.size() > 3) { // 8 of the 64 choices keep the exhaustive run short
        for (const char* x : {"W", "O"})
            setParam(hw, hw.levels[1].name + ".bypass" + x, 1);
        setParam(hw, hw.levels[2].name + ".bypassI", 1);
    }
    if (tight)
        tighten(hw);
    QRandomGenerator rng(1234 + objective + (tight ? 7 : 0));
    int checked = 0;
    int64_t fastTotal = 0, slowTotal = 0;
    for (int i = 0; checked < 50 && i < 400; ++i) {
        LayerProblem p = problem(rng.bounded(1, 7), rng.bounded(1, 5), rng.bounded(1, 5), rng.bounded(1, 6),
                                 rng.bounded(0, 2) ? 3 : 1, rng.bounded(0, 3) ? 1 : 3, rng.bounded(1, 3),
                                 rng.bounded(1, 3));
        p.wBits = QList<int>{2, 4, 8}[rng.bounded(0, 3)];
        p.iBits = QList<int>{4, 8, 16}[rng.bounded(0, 3)];
        p.oBits = p.iBits;
        p.inputResident = rng.bounded(0, 4) == 0;
        p.outputResident = bypass && rng.bounded(0, 4) == 0;
        p.tileFraction = rng.bounded(0, 2) ? 1.0 : 0.5;
        p.weightResident = rng.bounded(0, 5) == 0;
        p.batch = rng.bounded(0, 3) == 0 ? QList<int>{2, 4}[rng.bounded(0, 2)] : 1; // the batch loop at DRAM
        SearchStats fastStats, slowStats;
        const LayerCost fast = searchMapping(p, hw, Objective(objective), &fastStats);
        const LayerCost slow = searchMappingExhaustive(p, hw, Objective(objective), &slowStats);
        QCOMPARE(fast.feasible, slow.feasible);
        if (!slow.feasible)
            continue;
        const double a = fast.objective(Objective(objective)), b = slow.objective(Objective(objective));
        QVERIFY2(std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b)),
                 qPrintable(QString("layer %1 [%6]: fast %2 (%3) vs exhaustive %4 (%5)")
                                .arg(i).arg(a, 0, 'g', 17).arg(QString::fromStdString(fast.mapping.text(hw)))
                                .arg(b, 0, 'g', 17).arg(QString::fromStdString(slow.mapping.text(hw)))
                                .arg(QString("K%1 C%2 G%3 OY%4 OX%5 FY%6 FX%7 s%8 w%9 i%10 res%11%13 frac%12 wres%14 batch%15")
                                         .arg(p.bounds[0]).arg(p.bounds[1]).arg(p.bounds[2]).arg(p.bounds[3])
                                         .arg(p.bounds[4]).arg(p.bounds[5]).arg(p.bounds[6]).arg(p.strideY)
                                         .arg(p.wBits).arg(p.iBits).arg(p.inputResident).arg(p.tileFraction)
                                         .arg(p.outputResident).arg(p.weightResident).arg(p.batch))));
        const MappingSpace space = buildMappingSpace(p, hw);
        const LayerCost fromSpace = bestInSpace(space, p, hw, Objective(objective));
        const double c = fromSpace.objective(Objective(objective));
        QVERIFY2(std::fabs(c - b) <= 1e-9 * std::max(1.0, std::fabs(b)),
                 qPrintable(QString("layer %1: mapping space %2 vs exhaustive %3").arg(i).arg(c, 0, 'g', 17).arg(b, 0, 'g', 17)));
        // Ties are broken the same way everywhere (energy, then latency): all three agree on both.
        for (const LayerCost* x : {&fast, &fromSpace}) {
            QVERIFY2(std::fabs(x->energyPj() - slow.energyPj()) <= 1e-9 * slow.energyPj(),
                     qPrintable(QString("layer %1: energy %2 (%4) vs exhaustive %3 (%5)").arg(i).arg(x->energyPj(), 0, 'g', 17)
                                    .arg(slow.energyPj(), 0, 'g', 17).arg(QString::fromStdString(x->mapping.text(hw)))
                                    .arg(QString::fromStdString(slow.mapping.text(hw)))));
            QVERIFY2(std::fabs(x->latencyCycles - slow.latencyCycles) <= 1e-9 * slow.latencyCycles,
                     qPrintable(QString("layer %1: latency %2 vs exhaustive %3").arg(i).arg(x->latencyCycles, 0, 'g', 17)
                                    .arg(slow.latencyCycles, 0, 'g', 17)));
        }
        QVERIFY(int64_t(space.candidates.size()) <= space.enumerated);
        fastTotal += fastStats.evaluated;
        slowTotal += slowStats.evaluated;
        ++checked;
    }
    QVERIFY2(checked >= 50, qPrintable(QString::number(checked)));
    QVERIFY2(fastTotal < slowTotal, qPrintable(QString("%1 vs %2 mappings costed").arg(fastTotal).arg(slowTotal)));
}

void TestMapper::mappingTextIsReadable()
{
    const Hardware hw = loadHardware("edge-npu");
    LayerProblem p = problem(64, 32, 28, 28, 3, 3);
    const LayerCost c = searchMapping(p, hw, Objective::Energy);
    const QString text = QString::fromStdString(c.mapping.text(hw));
    QVERIFY2(text.startsWith("dram: "), qPrintable(text));
    QVERIFY(text.contains("| sram: "));
    QVERIFY(text.contains("| rf: "));
    QVERIFY(text.contains("spatial "));
}

void TestMapper::mappingSpaceServesAnyEnergies()
{
    // A space built once keeps the best mapping for any per-bit energies, MAC energies, packing,
    // bandwidths, clock and static power: compare with a fresh search after random changes.
    const Hardware base = loadHardware("edge-npu");
    QRandomGenerator rng(99);
    const QList<LayerProblem> layers = {problem(64, 32, 14, 14, 3, 3), problem(96, 576, 14, 14),
                                        problem(24, 144, 56, 56), problem(1000, 1280, 1, 1)};
    for (const LayerProblem& p : layers) {
        const MappingSpace space = buildMappingSpace(p, base);
        for (int trial = 0; trial < 40; ++trial) {
            Hardware hw = base;
            for (const HwParam& prm : hardwareParameters(hw)) {
                // keepOnChip changes the layer problem (the share of the buffer tiles may use).
                if (prm.reshapesSpace || prm.key == "network.keepOnChip")
                    continue;
                const double lo = std::max(prm.min, paramValue(hw, prm) / 8), hi = std::min(prm.max, paramValue(hw, prm) * 8 + 1);
                setParam(hw, prm.key, prm.step == 1 ? std::round(lo + rng.generateDouble() * (hi - lo))
                                                    : lo + rng.generateDouble() * (hi - lo));
            }
            for (Objective o : {Objective::Energy, Objective::Latency, Objective::Edp}) {
                const double fromSpace = bestInSpace(space, p, hw, o).objective(o);
                const double searched = searchMapping(p, hw, o).objective(o);
                QVERIFY2(std::fabs(fromSpace - searched) <= 1e-9 * searched,
                         qPrintable(QString("trial %1 objective %2: %3 vs %4").arg(trial).arg(int(o)).arg(fromSpace).arg(searched)));
            }
        }
    }
}

void TestMapper::goldenDepthwiseDeliversPerPe()
{
    // 3x3 depthwise over 32 channels, 14x14 outputs, one output position per PE on a 14x14 array,
    // every channel and tap inside the PE, one fill of everything (the mapping is pinned).
    // MACs: 14 x 14 x 32 x 9 = 56,448.
    // RF writes: every PE receives the 9 x 32 inputs and 9 x 32 weights it multiplies:
    //   inputs 196 x 288 x 8 = 451,584 bit (the physical minimum), weights the same: 903,168 bit.
    // RF reads: 56,448 MACs x (8 + 8) = 903,168 bit, plus the 6,272 outputs read out at 8 bit =
    //   50,176 bit: 953,344 bit. RF: (903,168 + 953,344) x 0.01 pJ = 18,565.12 pJ.
    // SRAM (multicast: each value read once for all PEs that need it): reads W 288 x 8 = 2,304,
    //   I 16 x 16 x 32 x 8 = 65,536, O 50,176 up to DRAM = 118,016 bit; writes W 2,304 + I 65,536
    //   from DRAM + O 50,176 from the PEs = 118,016 bit: 236,032 x 0.1 = 23,603.2 pJ.
    // DRAM: reads 2,304 + 65,536, writes 50,176: 118,016 pJ.  MAC: 56,448 x 0.3 = 16,934.4 pJ.
    Hardware hw = handHardware(1024, 65536);
    setParam(hw, "array.rows", 14);
    setParam(hw, "array.cols", 14);
    hw.spatialPairs = {{Dim::OY, Dim::OX}};
    const LayerProblem p = problem(1, 1, 14, 14, 3, 3, 32);
    Mapping m;
    m.pair = 0;
    m.levels = 3;
    m.spatial = {1, 1, 1, 14, 14, 1, 1};
    m.bounds[0] = {1, 1, 32, 1, 1, 3, 3};
    m.bounds[1] = m.bounds[2] = {1, 1, 1, 1, 1, 1, 1};
    for (auto& o : m.order)
        o = {0, 1, 2, 3, 4, 5, 6};
    const LayerCost c = evaluateMapping(p, hw, m);
    QVERIFY(c.feasible);
    const int I = int(Operand::I), W = int(Operand::W);
    QCOMPARE(c.operandWriteBits[I][0], 196.0 * 9 * 32 * 8);
    QCOMPARE(c.operandWriteBits[W][0], 196.0 * 9 * 32 * 8);
    QCOMPARE(c.operandReadBits[I][1], 16.0 * 16 * 32 * 8);
    QCOMPARE(c.writeBits[0], 903168.0);
    QCOMPARE(c.readBits[0], 953344.0);
    QCOMPARE(c.readBits[1], 118016.0);
    QCOMPARE(c.writeBits[1], 118016.0);
    QCOMPARE(c.dramBits(), 118016.0);
    QVERIFY(std::fabs(c.rfPj - 18565.12) < 1e-6);
    QVERIFY(std::fabs(c.sramPj - 23603.2) < 1e-6);
    QVERIFY(std::fabs(c.dramPj - 118016.0) < 1e-6);
    QVERIFY(std::fabs(c.macPj - 16934.4) < 1e-6);
    QVERIFY(std::fabs(c.energyPj() - 177118.72) < 1e-6);
    // No mapping the search finds delivers fewer inputs than every PE multiplies.
    const LayerCost best = searchMapping(p, hw, Objective::Energy);
    QVERIFY(best.feasible);
    QVERIFY(evaluateMapping(p, hw, best.mapping).operandWriteBits[I][0] >= 196.0 * 9 * 32 * 8);
}

namespace {

Mapping pinned(const DimArray& rf, const DimArray& sram, const std::array<int8_t, kDimCount>& sramOrder,
               const DimArray& dram, const std::array<int8_t, kDimCount>& dramOrder)
{
    Mapping m;
    m.pair = 0;
    m.levels = 3;
    m.spatial = {1, 1, 1, 1, 1, 1, 1};
    m.bounds[0] = rf;
    m.bounds[1] = sram;
    m.bounds[2] = dram;
    m.order[0] = {0, 1, 2, 3, 4, 5, 6};
    m.order[1] = sramOrder;
    m.order[2] = dramOrder;
    return m;
}

} // namespace

void TestMapper::goldenRunSpansLevels()
{
    // 1x1 conv K=2, C=1, OY=2, OX=2 (8 MACs) on one PE; the register file holds one weight, input
    // and output. SRAM loops: OX2; DRAM loops (innermost first): OY2, K2. The weight in the
    // register file stays while OX (SRAM) and then OY (DRAM) run, a run of weight-irrelevant loops
    // across two levels: 2 fills (one per K) x 8 bit = 16 bit, not 4 x 8 = 32 bit as when only the
    // adjacent level is credited.
    //   RF:   writes W 16 + I 64 (4 sweeps of OX x 2 inputs) = 80; reads 8 x 16 + O up 64 = 192.
    //   SRAM: reads W 16 + I 64 + O 64 (to DRAM) = 144; writes W 16 + I 64 + O 64 = 144.
    //   DRAM: reads W 16 + I 64 (inputs once per K), writes O 64.
    //   Energy: 272 x 0.01 + 288 x 0.1 + 144 x 1 + 8 x 0.3 = 177.92 pJ.
    const Hardware hw = handHardware(1024, 65536);
    const LayerProblem p = problem(2, 1, 2, 2);
    const Mapping m = pinned({1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 2, 1, 1}, {4, 0, 1, 2, 3, 5, 6}, {2, 1, 1, 2, 1, 1, 1},
                             {3, 0, 1, 2, 4, 5, 6});
    const LayerCost c = evaluateMapping(p, hw, m);
    QVERIFY(c.feasible);
    const int W = int(Operand::W), I = int(Operand::I);
    QCOMPARE(c.operandWriteBits[W][0], 16.0);
    QCOMPARE(c.operandReadBits[W][1], 16.0);
    QCOMPARE(c.operandWriteBits[I][0], 64.0);
    QCOMPARE(c.writeBits[0], 80.0);
    QCOMPARE(c.readBits[0], 192.0);
    QCOMPARE(c.readBits[1], 144.0);
    QCOMPARE(c.writeBits[1], 144.0);
    QCOMPARE(c.readBits[2], 80.0);
    QCOMPARE(c.writeBits[2], 64.0);
    QVERIFY(std::fabs(c.energyPj() - 177.92) < 1e-9);
}

void TestMapper::goldenSlidingWindow()
{
    // 3x3 conv, one channel, 4x4 outputs from a 6x6 input (144 MACs) on one PE. The register file
    // holds one output's 9 weights and 9 inputs; SRAM loops (innermost first) OX4, OY4. Stepping OX
    // slides the 3x3 window by one column: each row of outputs fetches 3 x 6 = 18 inputs, not
    // 4 x 9 = 36; 4 rows: 72 inputs = 576 bit, half of refetching the whole tile (1152 bit).
    //   RF:   writes W 72 (once: OX, OY do not touch weights) + I 576 = 648; reads 144 x 16 + O 128.
    //   SRAM: reads W 72 + I 576 + O 128 = 776; writes W 72 + I 36 x 8 + O 128 = 488.
    //   DRAM: reads 72 + 288, writes 128.
    //   Energy: (648 + 2432) x 0.01 + (776 + 488) x 0.1 + 488 x 1 + 144 x 0.3 = 688.4 pJ.
    const Hardware hw = handHardware(1024, 65536);
    const LayerProblem p = problem(1, 1, 4, 4, 3, 3);
    const Mapping m = pinned({1, 1, 1, 1, 1, 3, 3}, {1, 1, 1, 4, 4, 1, 1}, {4, 3, 0, 1, 2, 5, 6}, {1, 1, 1, 1, 1, 1, 1},
                             {0, 1, 2, 3, 4, 5, 6});
    const LayerCost c = evaluateMapping(p, hw, m);
    QVERIFY(c.feasible);
    const int W = int(Operand::W), I = int(Operand::I);
    QCOMPARE(c.operandWriteBits[I][0], 576.0);
    QCOMPARE(c.operandReadBits[I][1], 576.0);
    QCOMPARE(c.operandWriteBits[W][0], 72.0);
    QCOMPARE(c.operandReadBits[I][2], 288.0);
    QCOMPARE(c.writeBits[0], 648.0);
    QCOMPARE(c.readBits[0], 2432.0);
    QCOMPARE(c.readBits[1], 776.0);
    QCOMPARE(c.writeBits[1], 488.0);
    QCOMPARE(c.dramBits(), 488.0);
    QVERIFY(std::fabs(c.energyPj() - 688.4) < 1e-9);
    // Stepping OY first slides rows instead: the same 72 inputs by symmetry.
    Mapping rows = m;
    rows.order[1] = {3, 4, 0, 1, 2, 5, 6};
    QCOMPARE(evaluateMapping(p, hw, rows).operandWriteBits[I][0], 576.0);
    // With the channel loop between, nothing slides: K innermost keeps the input, OX then refetches.
    const LayerProblem two = problem(2, 1, 4, 4, 3, 3);
    Mapping k = pinned({1, 1, 1, 1, 1, 3, 3}, {2, 1, 1, 4, 4, 1, 1}, {0, 4, 3, 1, 2, 5, 6}, {1, 1, 1, 1, 1, 1, 1},
                       {0, 1, 2, 3, 4, 5, 6});
    QCOMPARE(evaluateMapping(two, hw, k).operandWriteBits[I][0], 576.0); // K is irrelevant to inputs
    k.order[1] = {4, 0, 3, 1, 2, 5, 6};                                     // OX, K, OY: slides, refetches per K
    QCOMPARE(evaluateMapping(two, hw, k).operandWriteBits[I][0], 2 * 576.0);
}

void TestMapper::goldenBypass()
{
    // The dense 8 -> 4 layer of goldenDenseFitsInRegisters (440.64 pJ) with weights allowed to skip
    // the SRAM: they go from DRAM straight into the register file, which saves the SRAM's 256-bit
    // fill from DRAM and its 256-bit read into the register file: 512 bit x 0.1 = 51.2 pJ.
    Hardware hw = handHardware(1024, 65536);
    setParam(hw, "sram.bypassW", 1);
    const LayerProblem dense = problem(4, 8, 1, 1);
    LayerCost c = searchMapping(dense, hw, Objective::Energy);
    QVERIFY(c.feasible);
    QVERIFY(std::fabs(c.energyPj() - 389.44) < 1e-9);
    QVERIFY(std::fabs(c.sramPj - 19.2) < 1e-9); // 704 - 512 bit
    QCOMPARE(c.dramPj, 352.0);                  // DRAM traffic is the same
    QCOMPARE(c.operandReadBits[0][2], 256.0);   // weights read from DRAM once...
    QCOMPARE(c.operandWriteBits[0][0], 256.0);  // ...into the register file
    QCOMPARE(c.operandReadBits[0][1] + c.operandWriteBits[0][1], 0.0);
    QVERIFY2(QString::fromStdString(c.mapping.text(hw)).contains("sram (W skips)"), c.mapping.text(hw).c_str());
    QCOMPARE(searchMappingExhaustive(dense, hw, Objective::Energy).energyPj(), c.energyPj());
    // Outputs may skip too: the 32 bits of outputs go from the PE to DRAM, saving 64 bit x 0.1.
    setParam(hw, "sram.bypassO", 1);
    c = searchMapping(dense, hw, Objective::Energy);
    QVERIFY(std::fabs(c.energyPj() - 383.04) < 1e-9);
    QVERIFY2(QString::fromStdString(c.mapping.text(hw)).contains("sram (WO skips)"), c.mapping.text(hw).c_str());
    // A resident output (kept in the SRAM for the next layer) never skips it.
    LayerProblem resident = dense;
    resident.outputResident = true;
    c = searchMapping(resident, hw, Objective::Energy);
    QVERIFY2(QString::fromStdString(c.mapping.text(hw)).contains("sram (W skips)"), c.mapping.text(hw).c_str());

    // Skipping loses where the level gives reuse. goldenInputRefetchedPerOutputChannel's mapping
    // (sram: K2 OX4) fetches each input into the register file twice (once per output channel) from
    // the SRAM, which read it from DRAM once: skipping the SRAM there reads DRAM twice, 64 instead of
    // 32 bit, and saves the SRAM's 64 + 32 bit. Pinned: SRAM (256 - 96) x 0.1 = 16 pJ, DRAM 144 pJ,
    // RF 2.72, MACs 2.4 = 165.12 pJ.
    const LayerProblem p = problem(2, 1, 1, 4);
    const LayerCost plain = searchMapping(p, handHardware(6, 65536), Objective::Energy);
    QVERIFY(std::fabs(plain.energyPj() - 142.72) < 1e-9);
    Hardware small = handHardware(6, 65536);
    setParam(small, "sram.bypassI", 1);
    Mapping m = plain.mapping;
    m.bypass[1] = 1 << int(Operand::I);
    const LayerCost pinned = evaluateMapping(p, small, m);
    QVERIFY(pinned.feasible);
    QCOMPARE(pinned.dramBits(), 16.0 + 64.0 + 64.0);
    QVERIFY(std::fabs(pinned.sramPj - 16.0) < 1e-9);
    QVERIFY(std::fabs(pinned.energyPj() - 165.12) < 1e-9);
    // The search instead keeps each input in the register file while K runs (sram: OX4 K2) and
    // fetches it straight from DRAM once; weights come back from the SRAM once per position.
    // RF: MAC reads 128 + fills W 64, I 32 + read-out 64 = 288 bit x 0.01 = 2.88 pJ; SRAM: W 64 read,
    // 16 written, outputs 64 in and 64 out = 208 bit x 0.1 = 20.8 pJ; DRAM: 16 + 32 + 64 = 112 pJ;
    // MACs 2.4: 138.08 pJ.
    const LayerCost best = searchMapping(p, small, Objective::Energy);
    QVERIFY2(std::fabs(best.energyPj() - 138.08) < 1e-9,
             qPrintable(QString::number(best.energyPj(), 'g', 10) + " " + QString::fromStdString(best.mapping.text(small))));
    QVERIFY2(QString::fromStdString(best.mapping.text(small)).contains("sram (I skips): OX4 K2"), best.mapping.text(small).c_str());
    QVERIFY(std::fabs(best.rfPj - 2.88) < 1e-9);
    QVERIFY(std::fabs(best.sramPj - 20.8) < 1e-9);
    QCOMPARE(best.dramPj, 112.0);
}

void TestMapper::goldenAccumulatorWidth()
{
    // The dense 8 -> 4 layer of goldenDenseFitsInRegisters with 24-bit accumulators: every access is
    // the same (no partial sum leaves a PE), and each MAC costs its multiplier 0.3 - 32 x 0.003125 =
    // 0.2 pJ plus a 24-bit add 24 x 0.003125 = 0.075 pJ: 32 x 0.275 = 8.8 pJ, total 440.64 - 9.6 + 8.8.
    const Hardware hw = handHardware(1024, 65536);
    LayerProblem p = problem(4, 8, 1, 1);
    p.accBits = 24;
    const LayerCost c = searchMapping(p, hw, Objective::Energy);
    QVERIFY(c.feasible);
    QVERIFY(std::fabs(c.macPj - 8.8) < 1e-12);
    QVERIFY(std::fabs(c.energyPj() - 439.84) < 1e-9);
    // A register file of 5 bytes holds a weight, an input and a 24-bit partial sum, not a 32-bit one.
    const Hardware small = handHardware(5, 65536);
    QVERIFY(searchMapping(p, small, Objective::Energy).feasible);
    p.accBits = 32;
    QVERIFY(!searchMapping(p, small, Objective::Energy).feasible);
}

void TestMapper::goldenMixedOperands()
{
    // 4-bit weights x 8-bit inputs: packing and energy by the wider operand (int8: one MAC per PE
    // per cycle), the multiplier scaled by 4 x 8 / (8 x 8): (0.3 - 0.1) x 0.5 + 0.1 = 0.2 pJ a MAC,
    // not int4's 0.15 pJ and two MACs per cycle.
    const Hardware hw = handHardware(1024, 65536);
    LayerProblem p = problem(4, 8, 1, 1);
    p.wBits = 4;
    p.wFormat = NumberFormat::INT4;
    p.macClass = macClassOf(p.wFormat, p.iFormat);
    QCOMPARE(int(p.macClass), int(ComputeClass::INT8));
    QVERIFY(std::fabs(macEnergyPj(hw, p) - 0.2) < 1e-12);
    const LayerCost c = searchMapping(p, hw, Objective::Energy);
    QVERIFY(std::fabs(c.macPj - 32 * 0.2) < 1e-12);
    QCOMPARE(c.computeCycles, 32.0); // 32 MACs on one PE at one int8 MAC per cycle
    // Equal operands keep the class's own energy: int4 x int4 is mac.int4.pj.
    p.iFormat = NumberFormat::INT4;
    p.iBits = 4;
    p.macClass = macClassOf(p.wFormat, p.iFormat);
    QVERIFY(std::fabs(macEnergyPj(hw, p) - hw.macPj[int(ComputeClass::INT4)]) < 1e-12);
    // Floats scale by (mantissa + 1) products: fp8 e4m3 weights (4) x fp16 inputs (11) on the fp16
    // class: (2.0 - 32 x 0.028125) x 44 / 121 + 0.9 = 1.3 pJ.
    p.wFormat = NumberFormat::FP8E4M3;
    p.iFormat = NumberFormat::FP16;
    p.macClass = macClassOf(p.wFormat, p.iFormat);
    QCOMPARE(int(p.macClass), int(ComputeClass::FP16));
    QVERIFY(std::fabs(macEnergyPj(hw, p) - 1.3) < 1e-9);
}

void TestMapper::cacheFollowsCapacities()
{
    // The cache reuses a space while a capacity stays inside the interval its decisions hold for,
    // and builds anew outside it: either way it must equal a fresh exact search.
    Hardware hw = loadHardware("edge-npu");
    const QList<LayerProblem> layers = {problem(64, 32, 14, 14, 3, 3), problem(96, 576, 14, 14), problem(24, 144, 56, 56),
                                        problem(1, 1, 28, 28, 3, 3, 144)};
    MappingCache cache;
    QRandomGenerator rng(7);
    int reused = 0;
    for (int trial = 0; trial < 30; ++trial) {
        const char* key = rng.bounded(0, 2) ? "sram.sizeBytes" : "rf.sizeBytes";
        const double v = std::strcmp(key, "rf.sizeBytes") == 0 ? 16 * rng.bounded(2, 12) : 16384 * rng.bounded(2, 40);
        setParam(hw, key, v);
        for (const LayerProblem& p : layers) {
            const size_t before = cache.spaces();
            const LayerCost cached = cache.find(p, hw, Objective::Energy);
            const LayerCost fresh = searchMapping(p, hw, Objective::Energy);
            QCOMPARE(cached.feasible, fresh.feasible);
            if (fresh.feasible)
                QVERIFY2(std::fabs(cached.energyPj() - fresh.energyPj()) <= 1e-9 * fresh.energyPj(),
                         qPrintable(QString("trial %1 %2=%3").arg(trial).arg(key).arg(v)));
            reused += cache.spaces() == before ? 1 : 0;
        }
    }
    QVERIFY(reused > 0);
    QVERIFY(cache.spaces() > cache.size()); // some problems needed more than one space
    // The tile share of the last on-chip level (what the network plan leaves free) is a capacity
    // too: one entry per layer, every share equal to a fresh search.
    MappingCache shares;
    setParam(hw, "sram.sizeBytes", 262144);
    for (double share : {0.5, 0.5625, 0.75, 1.0, 0.5}) {
        LayerProblem p = layers[1];
        p.tileFraction = share;
        const LayerCost cached = shares.find(p, hw, Objective::Energy);
        const LayerCost fresh = searchMapping(p, hw, Objective::Energy);
        QVERIFY(std::fabs(cached.energyPj() - fresh.energyPj()) <= 1e-9 * fresh.energyPj());
    }
    QCOMPARE(int(shares.size()), 1);
}

void TestMapper::warmedCacheServesDrags()
{
    // After warm(), a capacity drag within the warmed ranges builds nothing and stays exact; a
    // cancelled warm-up builds nothing.
    Hardware hw = loadHardware("edge-npu");
    const QList<LayerProblem> layers = {problem(64, 32, 14, 14, 3, 3), problem(96, 576, 14, 14), problem(1, 1, 28, 28, 3, 3, 144)};
    MappingCache cache;
    for (const LayerProblem& p : layers)
        cache.find(p, hw, Objective::Energy);
    CancelToken cancelled;
    cancelled.cancel();
    QCOMPARE(cache.warm(hw, &cancelled), 0);
    QCOMPARE(cache.warm(hw), int(layers.size()) * int(hw.levels.size() - 1));
    QCOMPARE(cache.warm(hw), 0); // warm already
    const size_t spaces = cache.spaces();
    for (const char* key : {"rf.sizeBytes", "sram.sizeBytes"}) {
        Hardware moved = hw;
        const double base = std::strcmp(key, "rf.sizeBytes") == 0 ? hw.levels[0].sizeBytes : hw.levels[1].sizeBytes;
        for (double f : {0.3, 0.5, 0.8, 1.3, 2.0, 3.9}) {
            setParam(moved, key, std::round(base * f));
            for (const LayerProblem& p : layers)
                for (Objective o : {Objective::Energy, Objective::Latency}) {
                    const LayerCost cached = cache.find(p, moved, o), fresh = searchMapping(p, moved, o);
                    QCOMPARE(cached.feasible, fresh.feasible);
                    QVERIFY2(std::fabs(cached.objective(o) - fresh.objective(o)) <= 1e-9 * fresh.objective(o),
                             qPrintable(QString("%1 x%2").arg(key).arg(f)));
                }
        }
    }
    QCOMPARE(cache.spaces(), spaces);
}

void TestMapper::rangedSpaceServesEveryCapacity_data()
{
    QTest::addColumn<QString>("hardware");
    QTest::addColumn<bool>("tight");
    for (const std::string& preset : hardwarePresets()) {
        QTest::newRow(preset.c_str()) << QString::fromStdString(preset) << false;
        QTest::newRow((preset + " tight").c_str()) << QString::fromStdString(preset) << true;
    }
    QTest::newRow("four levels tight") << QString(POQ_TEST_DATA_DIR "/hardware/four-levels.json") << true;
}

void TestMapper::rangedSpaceServesEveryCapacity()
{
    // A space built once for capacities c/4..4c at every on-chip level must give, at any capacity
    // in that box, exactly the best mapping a fresh search at that capacity finds (any objective).
    QFETCH(QString, hardware);
    QFETCH(bool, tight);
    Hardware base = loadHardware(hardware.toStdString());
    const int L = int(base.levels.size());
    if (tight)
        tighten(base);
    QRandomGenerator rng(4321 + (tight ? 1 : 0));
    QList<LayerProblem> layers;
    if (L == 3) // three ranged levels (four-level hardware) make these large layers slow to range
        layers = {problem(64, 32, 14, 14, 3, 3), problem(24, 144, 28, 28), problem(1, 1, 14, 14, 3, 3, 32)};
    for (int i = 0; i < 12; ++i) {
        LayerProblem p = problem(rng.bounded(1, 9), rng.bounded(1, 9), rng.bounded(1, 7), rng.bounded(1, 7),
                                 rng.bounded(0, 2) ? 3 : 1, rng.bounded(0, 3) ? 1 : 3, rng.bounded(1, 3),
                                 rng.bounded(1, 3));
        p.wBits = QList<int>{2, 4, 8}[rng.bounded(0, 3)];
        p.iBits = QList<int>{4, 8, 16}[rng.bounded(0, 3)];
        p.oBits = p.iBits;
        p.tileFraction = rng.bounded(0, 2) ? 1.0 : 0.5;
        layers.push_back(p);
    }
    int checked = 0;
    for (const LayerProblem& p : layers) {
        CapacityRange range;
        for (int l = 0; l + 1 < L; ++l) {
            range.lo[l] = capacityBits(base, p, l) / 4;
            range.hi[l] = capacityBits(base, p, l) * 4;
        }
        const MappingSpace ranged = buildMappingSpace(p, base, range);
        QVERIFY(ranged.ranged);
        for (int trial = 0; trial < 6; ++trial) {
            Hardware hw = base;
            for (int l = 0; l + 1 < L; ++l) { // whole bytes inside the box, ends included
                const double bytes = base.levels[l].sizeBytes;
                const double f = trial == 0 ? 0.25 : trial == 1 ? 4.0 : std::pow(4.0, rng.generateDouble() * 2 - 1);
                setParam(hw, base.levels[l].name + ".sizeBytes",
                         std::clamp(std::round(bytes * f), std::ceil(bytes / 4), std::floor(bytes * 4)));
            }
            QVERIFY(ranged.validFor(hw, p));
            const MappingSpace exact = buildMappingSpace(p, hw); // what a fresh search at hw searches
            for (Objective o : {Objective::Energy, Objective::Latency, Objective::Edp}) {
                const LayerCost fromRange = bestInSpace(ranged, p, hw, o);
                const LayerCost fresh = bestInSpace(exact, p, hw, o);
                QCOMPARE(fromRange.feasible, fresh.feasible);
                if (!fresh.feasible)
                    continue;
                const QString what = QString("layer K%1 C%2 OY%3 trial %4 objective %5")
                                         .arg(p.bounds[0]).arg(p.bounds[1]).arg(p.bounds[3]).arg(trial).arg(int(o));
                for (auto [a, b] : {std::pair{fromRange.objective(o), fresh.objective(o)},
                                    std::pair{fromRange.energyPj(), fresh.energyPj()},
                                    std::pair{fromRange.latencyCycles, fresh.latencyCycles}})
                    QVERIFY2(std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b)),
                             qPrintable(what + QString(": %1 vs fresh %2").arg(a, 0, 'g', 17).arg(b, 0, 'g', 17)));
                ++checked;
            }
        }
        // Outside the box it says so.
        Hardware outside = base;
        setParam(outside, base.levels[0].name + ".sizeBytes", base.levels[0].sizeBytes * 5);
        QVERIFY(!ranged.validFor(outside, p));
    }
    QVERIFY(checked > 100);
}

void TestMapper::structuralKeyFollowsRows()
{
    // The mapping cache keys on exactly the parameters whose rows say they reshape the space.
    const Hardware base = loadHardware("edge-npu");
    const std::string key = structuralKey(base);
    int structural = 0;
    for (const HwParam& prm : hardwareParameters(base)) {
        Hardware hw = base;
        const double v = paramValue(hw, prm);
        setParam(hw, prm.key, v < prm.max ? std::min(prm.max, prm.step == 1 ? v + 1 : v * 1.5) : prm.min);
        QVERIFY2((structuralKey(hw) != key) == prm.reshapesSpace, prm.key.c_str());
        structural += prm.reshapesSpace ? 1 : 0;
    }
    // rows, cols, every level's capacity and the three bypass flags of every shared level
    QCOMPARE(structural, 2 + int(base.levels.size()) + 3 * (int(base.levels.size()) - 2));
}

void TestMapper::tiesAreBrokenByEnergyThenLatency()
{
    // Without static power, many mappings share the lowest energy (or latency): the search, the
    // mapping space and the exhaustive reference must still agree on the other metric.
    Hardware hw = loadHardware("edge-npu");
    setParam(hw, "array.staticMw", 0);
    const LayerProblem p = problem(32, 16, 14, 14, 3, 3);
    for (Objective o : {Objective::Energy, Objective::Latency}) {
        const LayerCost fast = searchMapping(p, hw, o);
        const LayerCost space = bestInSpace(buildMappingSpace(p, hw), p, hw, o);
        QVERIFY(fast.feasible && space.feasible);
        QCOMPARE(fast.energyPj(), space.energyPj());
        QCOMPARE(fast.latencyCycles, space.latencyCycles);
        // The tie-break never trades the objective away.
        const Objective other = o == Objective::Energy ? Objective::Latency : Objective::Energy;
        const LayerCost alt = searchMapping(p, hw, other);
        QVERIFY(fast.objective(o) <= alt.objective(o) * (1 + 1e-12));
    }
}

QTEST_APPLESS_MAIN(TestMapper)
#include "tst_mapper.moc"
