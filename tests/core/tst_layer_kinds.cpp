// Every layer kind's shape inference, MAC, parameter and element-wise counts (data-driven), the
// loop nest of MAC layers, and sliding-window shapes against a naive reference.
#include "engine/inference.h"
#include "formats/precision.h"
#include "graph/graph.h"
#include "graph/layers/kinds.h"
#include "graph/spec_builder.h"
#include "test_helpers.h"
#include "util/error.h"

#include <QRandomGenerator>
#include <QSet>
#include <QtTest>

using namespace poq;

class TestLayerKinds : public QObject {
    Q_OBJECT
private slots:
    void attributeTableIsInEnumOrder();
    void kindTableIsInEnumOrder();
    void shapesAndCounts_data();
    void shapesAndCounts();
    void everyKindHasARow();
    void loopNest_data();
    void loopNest();
    void slidingWindowMatchesNaive();
    void convMacsMatchNaiveLoop();
    void signRulesFollowTheDescriptors();

private:
    QSet<QString> m_kindsSeen;
};

void TestLayerKinds::attributeTableIsInEnumOrder()
{
    QCOMPARE(int(allAttrs().size()), kAttrCount);
    for (int i = 0; i < kAttrCount; ++i)
        QCOMPARE(int(allAttrs()[i].id), i);
}

void TestLayerKinds::kindTableIsInEnumOrder()
{
    QCOMPARE(int(allKinds().size()), kLayerKindCount);
    for (int i = 0; i < kLayerKindCount; ++i) {
        QCOMPARE(int(allKinds()[i]->kind), i);
        QVERIFY(findKind(allKinds()[i]->name) == allKinds()[i]);
    }
}

void TestLayerKinds::shapesAndCounts_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QList<int>>("in");
    QTest::addColumn<QString>("attrs");
    QTest::addColumn<QList<int>>("out");
    QTest::addColumn<qlonglong>("macs");
    QTest::addColumn<qlonglong>("params");
    QTest::addColumn<qlonglong>("elementwise");

    using L = QList<int>;
    QTest::newRow("conv 3x3 same") << "Conv2d" << L{3, 32, 32} << R"("outChannels":16,"kernel":3,"padding":1)"
                                   << L{16, 32, 32} << 442368LL << 432LL << 0LL;
    QTest::newRow("conv stride 2 bias") << "Conv2d" << L{8, 15, 15} << R"("outChannels":4,"kernel":3,"stride":2,"bias":true)"
                                        << L{4, 7, 7} << 14112LL << 292LL << 196LL;
    QTest::newRow("conv 1x3 kernel") << "Conv2d" << L{2, 5, 5} << R"("outChannels":3,"kernel":[1,3],"padding":[0,1])"
                                     << L{3, 5, 5} << 450LL << 18LL << 0LL;
    QTest::newRow("conv dilated") << "Conv2d" << L{1, 10, 10} << R"("outChannels":2,"kernel":3,"dilation":2,"padding":2)"
                                  << L{2, 10, 10} << 1800LL << 18LL << 0LL;
    QTest::newRow("conv grouped") << "Conv2d" << L{8, 6, 6} << R"("outChannels":16,"groups":4)"
                                  << L{16, 6, 6} << 1152LL << 32LL << 0LL;
    QTest::newRow("conv depthwise s2") << "Conv2d" << L{32, 14, 14} << R"("depthwise":true,"kernel":3,"stride":2,"padding":1)"
                                       << L{32, 7, 7} << 14112LL << 288LL << 0LL;
    QTest::newRow("conv expand") << "Conv2d" << L{8, 4, 4} << R"("expand":6)" << L{48, 4, 4} << 6144LL << 384LL << 0LL;
    QTest::newRow("dense bias") << "Dense" << L{64, 1, 1} << R"("outChannels":10,"bias":true)"
                                << L{10, 1, 1} << 640LL << 650LL << 10LL;
    QTest::newRow("dense no bias") << "Dense" << L{7, 1, 1} << R"("outChannels":3)" << L{3, 1, 1} << 21LL << 21LL << 0LL;
    QTest::newRow("batchnorm") << "BatchNorm" << L{16, 8, 8} << "" << L{16, 8, 8} << 0LL << 32LL << 2048LL;
    QTest::newRow("relu") << "ReLU" << L{4, 3, 3} << "" << L{4, 3, 3} << 0LL << 0LL << 36LL;
    QTest::newRow("relu6") << "ReLU6" << L{4, 3, 3} << "" << L{4, 3, 3} << 0LL << 0LL << 36LL;
    QTest::newRow("add") << "Add" << L{4, 3, 3} << R"("inputs":["input","input"])" << L{4, 3, 3} << 0LL << 0LL << 36LL;
    QTest::newRow("maxpool 3 s2 p1") << "MaxPool" << L{64, 112, 112} << R"("kernel":3,"stride":2,"padding":1)"
                                     << L{64, 56, 56} << 0LL << 0LL << 64LL * 56 * 56 * 9;
    QTest::newRow("avgpool 2 s2") << "AvgPool" << L{8, 7, 7} << R"("kernel":2,"stride":2)" << L{8, 3, 3} << 0LL << 0LL << 288LL;
    QTest::newRow("global avg pool") << "GlobalAvgPool" << L{8, 7, 7} << "" << L{8, 1, 1} << 0LL << 0LL << 392LL;
    QTest::newRow("flatten") << "Flatten" << L{8, 2, 3} << "" << L{48, 1, 1} << 0LL << 0LL << 0LL;
    QTest::newRow("sigmoid") << "Sigmoid" << L{4, 3, 3} << "" << L{4, 3, 3} << 0LL << 0LL << 36LL;
    QTest::newRow("hard sigmoid") << "HardSigmoid" << L{4, 3, 3} << "" << L{4, 3, 3} << 0LL << 0LL << 36LL;
    QTest::newRow("hard swish") << "HardSwish" << L{4, 3, 3} << "" << L{4, 3, 3} << 0LL << 0LL << 36LL;
    QTest::newRow("mul") << "Mul" << L{4, 3, 3} << R"("inputs":["input","input"])" << L{4, 3, 3} << 0LL << 0LL << 36LL;
    QTest::newRow("concat") << "Concat" << L{4, 3, 5} << R"("inputs":["input","input","input"])" << L{12, 3, 5}
                            << 0LL << 0LL << 0LL;
    // Asymmetric padding (TensorFlow's SAME): (9 + 0 + 1 - 3) / 2 + 1 = 4.
    QTest::newRow("conv padding end") << "Conv2d" << L{3, 9, 9}
                                      << R"("outChannels":8,"kernel":3,"stride":2,"paddingEnd":[1,1])"
                                      << L{8, 4, 4} << 3456LL << 216LL << 0LL;
    QTest::newRow("maxpool padding end") << "MaxPool" << L{2, 5, 5} << R"("kernel":2,"stride":2,"paddingEnd":[1,0])"
                                         << L{2, 3, 2} << 0LL << 0LL << 2LL * 6 * 4;
}

void TestLayerKinds::shapesAndCounts()
{
    QFETCH(QString, kind);
    QFETCH(QList<int>, in);
    QFETCH(QString, attrs);
    QFETCH(QList<int>, out);
    QFETCH(qlonglong, macs);
    QFETCH(qlonglong, params);
    QFETCH(qlonglong, elementwise);
    m_kindsSeen.insert(kind);

    QString layer = QStringLiteral("{\"name\":\"l\",\"kind\":\"%1\"").arg(kind);
    if (!attrs.isEmpty())
        layer += QLatin1Char(',') + attrs;
    layer += QLatin1Char('}');
    const NetworkSpec spec = parseNetworkJson(test::networkJson({in[0], in[1], in[2]}, layer.toStdString()));
    const Graph g = Graph::build(spec, 1.0);
    QCOMPARE(int(g.layers().size()), 1);
    const Layer& l = g.layers()[0];
    QCOMPARE(l.outShape, (Shape{out[0], out[1], out[2]}));
    QCOMPARE(qlonglong(l.macs), macs);
    QCOMPARE(qlonglong(l.params), params);
    QCOMPARE(qlonglong(l.elementwiseOps), elementwise);
    QCOMPARE(l.loopNest.has_value(), macs > 0);
    if (l.loopNest)
        QCOMPARE(qlonglong(l.loopNest->macs()), macs);
}

void TestLayerKinds::everyKindHasARow()
{
    for (const KindInfo* k : allKinds())
        QVERIFY2(m_kindsSeen.contains(QString::fromUtf8(k->name)), k->name);
}

void TestLayerKinds::loopNest_data()
{
    QTest::addColumn<QString>("attrs");
    QTest::addColumn<QList<int>>("in");
    QTest::addColumn<QList<int>>("nest"); // K C G OY OX FY FX strideY strideX
    using L = QList<int>;
    QTest::newRow("grouped") << R"("outChannels":16,"groups":4,"kernel":3,"padding":1)" << L{8, 6, 6}
                             << L{4, 2, 4, 6, 6, 3, 3, 1, 1};
    QTest::newRow("depthwise") << R"("depthwise":true,"kernel":3,"stride":2,"padding":1)" << L{32, 14, 14}
                               << L{1, 1, 32, 7, 7, 3, 3, 2, 2};
    QTest::newRow("rect stride") << R"("outChannels":5,"kernel":[3,1],"stride":[2,1])" << L{3, 9, 4}
                                 << L{5, 3, 1, 4, 4, 3, 1, 2, 1};
}

void TestLayerKinds::loopNest()
{
    QFETCH(QString, attrs);
    QFETCH(QList<int>, in);
    QFETCH(QList<int>, nest);
    const std::string layer = "{\"name\":\"l\",\"kind\":\"Conv2d\"," + attrs.toStdString() + "}";
    const Graph g = Graph::build(parseNetworkJson(test::networkJson({in[0], in[1], in[2]}, layer)));
    const LoopNest n = *g.layers()[0].loopNest;
    const QList<int> got{n.K, n.C, n.G, n.OY, n.OX, n.FY, n.FX, n.strideY, n.strideX};
    QCOMPARE(got, nest);
    QCOMPARE(n.IY, in[1]);
    QCOMPARE(n.IX, in[2]);
}

// Naive reference: slide the window one step at a time and count positions that fit.
static int naiveWindows(int in, int k, int s, int p, int d)
{
    const int span = d * (k - 1) + 1;
    int count = 0;
    for (int start = 0; start + span <= in + 2 * p; start += s)
        ++count;
    return count;
}

void TestLayerKinds::slidingWindowMatchesNaive()
{
    QRandomGenerator rng(42);
    for (int i = 0; i < 5000; ++i) {
        const int in = rng.bounded(1, 40), k = rng.bounded(1, 8), s = rng.bounded(1, 5), p = rng.bounded(0, 4),
                  d = rng.bounded(1, 4);
        const int naive = naiveWindows(in, k, s, p, d);
        if (naive == 0) {
            QVERIFY_THROWS_EXCEPTION(InputError, layers::slidingOutput(in, k, s, p, -1, d, "height"));
        } else {
            QCOMPARE(layers::slidingOutput(in, k, s, p, -1, d, "height"), naive);
        }
    }
}

void TestLayerKinds::convMacsMatchNaiveLoop()
{
    QRandomGenerator rng(7);
    for (int i = 0; i < 60; ++i) {
        const int groups = rng.bounded(1, 4);
        const int cin = groups * rng.bounded(1, 4), cout = groups * rng.bounded(1, 4);
        const int h = rng.bounded(3, 9), w = rng.bounded(3, 9), k = rng.bounded(1, 4), s = rng.bounded(1, 3);
        const std::string layer = "{\"name\":\"l\",\"kind\":\"Conv2d\",\"outChannels\":" + std::to_string(cout)
                                  + ",\"groups\":" + std::to_string(groups) + ",\"kernel\":" + std::to_string(k)
                                  + ",\"stride\":" + std::to_string(s) + "}";
        const Graph g = Graph::build(parseNetworkJson(test::networkJson({cin, h, w}, layer)));
        // Count every multiply-accumulate of the textbook convolution.
        int64_t count = 0;
        for (int co = 0; co < cout; ++co)
            for (int y = 0; y + k <= h; y += s)
                for (int x = 0; x + k <= w; x += s)
                    for (int ci = 0; ci < cin / groups; ++ci)
                        count += int64_t(k) * k;
        QCOMPARE(qlonglong(g.layers()[0].macs), qlonglong(count));
    }
}

void TestLayerKinds::signRulesFollowTheDescriptors()
{
    // Non-negative outputs are stored unsigned: ReLU6 -> MaxPool -> GlobalAvgPool -> Flatten stays
    // non-negative (the classifier's input once lost a bit here), a convolution or a sum with a
    // signed term is signed, a sum of non-negative terms is not.
    SpecBuilder b("signs", "sign rules", "");
    const std::string x = b.input("x", {3, 8, 8});
    ConvOptions o;
    o.outChannels = 8;
    o.kernel = 3;
    o.padding = 1;
    const std::string a = b.convBn("a", x, o, SpecBuilder::Act::ReLU6);
    const std::string c = b.convBn("c", x, o, SpecBuilder::Act::ReLU);
    const std::string d = b.convBn("d", x, o, SpecBuilder::Act::None);
    const std::string nonneg = b.add("sum_pos", a, c), mixed = b.add("sum_mixed", a, d);
    const std::string pooled = b.maxPool("pool", nonneg, 2, 2);
    const std::string gap = b.globalAvgPool("gap", pooled);
    const std::string flat = b.flatten("flat", gap);
    const std::string logits = b.dense("fc", flat, 10, true, ChannelScaling::Fixed);
    const std::string gap2 = b.globalAvgPool("gap2", mixed);
    b.add("tail", b.flatten("flat2", gap2), b.dense("fc2", flat, 8, true, ChannelScaling::Fixed));
    (void)logits;
    const Graph g = Graph::build(b.take(), 1.0);
    const auto q = tensorQuantization(g, assignPrecision(g, QuantStrategy::parse("int4")));
    auto isUnsigned = [&](const std::string& name) {
        for (size_t t = 0; t < g.tensors().size(); ++t)
            if (g.tensor(int(t)).name == name)
                return q[t].isUnsigned;
        qFatal("no tensor %s", name.c_str());
    };
    for (const std::string& t : {a, c, nonneg, pooled, gap, flat})
        QVERIFY2(isUnsigned(t), t.c_str());
    for (const std::string& t : {d, mixed, logits, gap2})
        QVERIFY2(!isUnsigned(t), t.c_str());
}

QTEST_APPLESS_MAIN(TestLayerKinds)
#include "tst_layer_kinds.moc"
