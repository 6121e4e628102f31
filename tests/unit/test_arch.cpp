// Architecture and cost model against the MobileNet paper (Howard et al. 2017,
// arXiv:1704.04861) and the TF-slim release table (../shared/reference).
#include <QtTest>

#include "mobilenet/arch.hpp"
#include "test_support.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace mnv1;

namespace {

ArchConfig config(double alpha, int resolution, int classes = 1000, bool standard_conv = false,
                  Padding padding = Padding::TfSame) {
    ArchConfig c;
    c.alpha = alpha;
    c.resolution = resolution;
    c.num_classes = classes;
    c.standard_conv = standard_conv;
    c.padding = padding;
    return c;
}

CostSummary cost(double alpha, int resolution, int classes = 1000, bool standard_conv = false) {
    return summarize(layer_table(config(alpha, resolution, classes, standard_conv)));
}

double millions(std::int64_t v) { return static_cast<double>(v) / 1e6; }

// `value` rounded to `decimals` places, as an integer count of the last place.
long long rounded(double value, int decimals) { return std::llround(value * std::pow(10.0, decimals)); }

// Number of digits after the decimal point in a printed number ("4.24" -> 2).
int decimals_of(const std::string& printed) {
    const auto dot = printed.find('.');
    return dot == std::string::npos ? 0 : static_cast<int>(printed.size() - dot - 1);
}

// True when `value` printed with the precision of `printed` gives `printed`.
bool matches_printed(double value, const std::string& printed) {
    const int d = decimals_of(printed);
    return rounded(value, d) == rounded(std::stod(printed), d);
}

const KindShare& share(const CostSummary& s, LayerKind kind) {
    for (const KindShare& k : s.by_kind)
        if (k.kind == kind) return k;
    throw std::logic_error(std::string("no share for ") + to_string(kind));
}

// Batch-norm channels: one per output channel of every convolution.
std::int64_t bn_channels(const std::vector<LayerSpec>& layers) {
    std::int64_t n = 0;
    for (const LayerSpec& l : layers)
        if (l.kind == LayerKind::ConvFull || l.kind == LayerKind::Depthwise || l.kind == LayerKind::Pointwise)
            n += l.out_c;
    return n;
}

}  // namespace

class TestArch : public QObject {
    Q_OBJECT

private slots:
    void paperTotals();
    void table6WidthMultiplier();
    void table7Resolution();
    void table2Breakdown();
    void table4StandardConv();
    void publishedCsv();
    void layerTableShape();
    void layerTableLabelsAndCosts();
    void standardConvTableShape();
    void tfSamePadding();
    void symmetricPadding();
    void channelRule();
    void resolutionLimits();
    void validateRejects();
    void convCostFormulas();
    void convCostRatioIsPaperFormula();
    void convCostRejects();
    void blockCostsMatchLayerTable();
    void table4NetworkComparison();
};

void TestArch::paperTotals() {
    const CostSummary s = cost(1.0, 224);
    // "569 million mult-adds and 4.2 million parameters" (Table 4 / Table 8).
    QVERIFY2(std::abs(millions(s.macs) - 569.0) <= 0.5, qPrintable(QString::number(millions(s.macs))));
    QCOMPARE(rounded(millions(s.params), 1), 42LL);
    QCOMPARE(rounded(millions(s.params), 2), 421LL);
    QCOMPARE(s.macs, std::int64_t{568740352});  // exact count of Table 1 at 224, 1000 classes
    QCOMPARE(s.params, std::int64_t{4209088});
    // Totals are the sums of the rows.
    std::int64_t m = 0, p = 0;
    for (const LayerSpec& l : layer_table(config(1.0, 224))) m += l.macs, p += l.params;
    QCOMPARE(s.macs, m);
    QCOMPARE(s.params, p);
}

void TestArch::table6WidthMultiplier() {
    struct Row {
        double alpha;
        const char* macs;
        const char* params;
    };
    for (const Row& r : {Row{1.0, "569", "4.2"}, Row{0.75, "325", "2.6"}, Row{0.5, "149", "1.3"},
                         Row{0.25, "41", "0.5"}}) {
        const CostSummary s = cost(r.alpha, 224);
        QVERIFY2(matches_printed(millions(s.macs), r.macs),
                 qPrintable(QString("alpha %1: %2M mult-adds, paper %3").arg(r.alpha).arg(millions(s.macs)).arg(r.macs)));
        QVERIFY2(matches_printed(millions(s.params), r.params),
                 qPrintable(QString("alpha %1: %2M params, paper %3").arg(r.alpha).arg(millions(s.params)).arg(r.params)));
    }
}

void TestArch::table7Resolution() {
    QVERIFY(matches_printed(millions(cost(1.0, 224).macs), "569"));
    QVERIFY(matches_printed(millions(cost(1.0, 192).macs), "418"));
    QVERIFY(matches_printed(millions(cost(1.0, 128).macs), "186"));
    // 1.0-160 is 290,675,200 mult-adds: the paper prints 290 (truncated), the TF-slim
    // table 291 (rounded). Both are consistent with this count; pin it down exactly.
    const CostSummary s160 = cost(1.0, 160);
    QCOMPARE(s160.macs, std::int64_t{290675200});
    QCOMPARE(static_cast<long long>(std::floor(millions(s160.macs))), 290LL);
    QCOMPARE(rounded(millions(s160.macs), 0), 291LL);
    // Resolution does not change the parameters.
    for (int r : {128, 160, 192}) QCOMPARE(cost(1.0, r).params, cost(1.0, 224).params);
}

void TestArch::table2Breakdown() {
    const CostSummary s = cost(1.0, 224);
    QCOMPARE(s.by_kind.size(), std::size_t{4});
    QCOMPARE(s.by_kind[0].kind, LayerKind::ConvFull);
    QCOMPARE(s.by_kind[1].kind, LayerKind::Depthwise);
    QCOMPARE(s.by_kind[2].kind, LayerKind::Pointwise);
    QCOMPARE(s.by_kind[3].kind, LayerKind::FullyConnected);
    struct Row {
        LayerKind kind;
        long long macs_pct_x100, params_pct_x100;
    };
    // Table 2. The paper prints 1.19% of mult-adds for the first full convolution, but
    // its own layer sizes give 10.84M / 568.7M = 1.91% (digits swapped); 1.91 is tested.
    for (const Row& r : {Row{LayerKind::Pointwise, 9486, 7459}, Row{LayerKind::Depthwise, 306, 106},
                         Row{LayerKind::FullyConnected, 18, 2433}, Row{LayerKind::ConvFull, 191, 2}}) {
        const KindShare& k = share(s, r.kind);
        QVERIFY2(rounded(k.macs_pct, 2) == r.macs_pct_x100,
                 qPrintable(QString("%1: %2% of mult-adds").arg(to_string(r.kind)).arg(k.macs_pct)));
        QVERIFY2(rounded(k.params_pct, 2) == r.params_pct_x100,
                 qPrintable(QString("%1: %2% of params").arg(to_string(r.kind)).arg(k.params_pct)));
    }
    double macs = 0, params = 0;
    std::int64_t macs_abs = 0;
    for (const KindShare& k : s.by_kind) macs += k.macs_pct, params += k.params_pct, macs_abs += k.macs;
    QVERIFY(std::abs(macs - 100.0) < 1e-9);
    QVERIFY(std::abs(params - 100.0) < 1e-9);
    QCOMPARE(macs_abs, s.macs);
}

void TestArch::table4StandardConv() {
    const CostSummary s = cost(1.0, 224, 1000, true);
    // Table 4: "Conv MobileNet 71.7% 4866 29.3".
    QVERIFY2(std::abs(millions(s.macs) - 4866.0) <= 4866.0 * 0.001, qPrintable(QString::number(millions(s.macs))));
    QCOMPARE(rounded(millions(s.params), 1), 293LL);
    QCOMPARE(s.by_kind.size(), std::size_t{2});  // ConvFull + FC only
    QCOMPARE(s.by_kind[0].kind, LayerKind::ConvFull);
    QCOMPARE(s.by_kind[1].kind, LayerKind::FullyConnected);
    // The separable version saves roughly 8-9x (Section 3.1).
    const double ratio = static_cast<double>(s.macs) / static_cast<double>(cost(1.0, 224).macs);
    QVERIFY2(ratio > 8.0 && ratio < 9.0, qPrintable(QString::number(ratio)));
}

// Every row of the published table against the cost model. Conventions found:
//  - mult-adds: the same count for both sources (Table 1 convolutions + FC); the class
//    count (1000 / 1001) changes it by < 0.002M.
//  - paper params: weights only (no biases, no batch norm), 1000 classes.
//  - TF-slim params: every variable of the released checkpoint: weights, the FC bias
//    (1001 classes), and three batch-norm vectors per conv output channel (beta,
//    moving_mean, moving_variance; the MobileNet v1 checkpoints have no gamma). E.g.
//    1.0: 4,210,112 weights + 1,001 bias + 3 x 10,944 = 4,243,945 -> "4.24".
//    No other simple convention fits all four slim widths: weights only gives
//    4.21/2.57/1.32/0.46, with gamma and beta 4.23/2.59/1.33/0.47, with all four
//    batch-norm vectors 4.25/2.60/1.34/0.48.
void TestArch::publishedCsv() {
    const std::string path = mnv1::test::shared_path("reference/mobilenet_v1_published.csv");
    MOBILENET_REQUIRE_FILE(path);
    std::ifstream in(path);
    QVERIFY(in.good());

    // Rows where the published figure and the model's exact count disagree at the printed
    // precision; each is an error or a different rounding in the source, not in the model.
    const std::map<std::string, std::string> known_macs_discrepancies = {
        {"paper,1.0,160", "paper prints 290 (truncated); count is 290.68M, TF-slim prints 291"},
        {"paper,0.5,160", "paper prints 76 (truncated); count is 76.53M, TF-slim prints 77"},
        {"slim,0.75,224", "TF-slim prints 317; count is 325.40M, as the paper's Table 6 (325)"},
        {"slim,0.75,192", "TF-slim prints 233; count is 239.27M (all slim 0.75 rows are ~2.6% low)"},
        {"slim,0.75,160", "TF-slim prints 162; count is 166.40M"},
        {"slim,0.75,128", "TF-slim prints 104; count is 106.77M"},
        {"slim,0.5,224", "TF-slim prints 150; count is 149.50M (149.497, the paper prints 149)"},
        {"slim,0.25,192", "TF-slim prints 34; count is 30.21M (the 0.25 row runs 41/34/21/14; 34 is a typo)"},
    };

    std::string line;
    int rows = 0, slim_rows = 0, paper_rows = 0;
    std::set<std::string> macs_mismatch;
    QStringList failures;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
        if (f.size() < 6) {
            failures << QString("malformed row: %1").arg(QString::fromStdString(line));
            continue;
        }
        const std::string& source = f[0];
        const double alpha = std::stod(f[1]);
        const int res = std::stoi(f[2]);
        const std::string& printed_macs = f[4];
        const std::string& printed_params = f[5];
        ++rows;
        const bool slim = source == "slim";
        QVERIFY2(slim || source == "paper", source.c_str());
        (slim ? slim_rows : paper_rows)++;

        const std::vector<LayerSpec> layers = layer_table(config(alpha, res, slim ? 1001 : 1000));
        const CostSummary s = summarize(layers);
        const double macs = millions(s.macs);
        double params = millions(s.params);
        if (slim) params = millions(s.params + 1001 + 3 * bn_channels(layers));

        const std::string key = source + "," + f[1] + "," + f[2];
        if (!matches_printed(macs, printed_macs)) macs_mismatch.insert(key);
        if (!matches_printed(params, printed_params)) {
            failures << QString("%1 (%2): %3M params, published %4")
                            .arg(QString::fromStdString(key), QString::fromStdString(f[3]))
                            .arg(params, 0, 'f', 4)
                            .arg(QString::fromStdString(printed_params));
        }
    }
    QCOMPARE(slim_rows, 32);  // 16 alpha x rho pairs, float and uint8
    QVERIFY(paper_rows >= 8);
    QCOMPARE(rows, slim_rows + paper_rows);

    for (const std::string& key : macs_mismatch) {
        const auto it = known_macs_discrepancies.find(key);
        if (it == known_macs_discrepancies.end()) {
            failures << QString("%1: mult-adds do not match the published figure").arg(QString::fromStdString(key));
        } else {
            qInfo("known discrepancy %s: %s", key.c_str(), it->second.c_str());
        }
    }
    for (const auto& [key, why] : known_macs_discrepancies) {
        if (!macs_mismatch.count(key)) {
            failures << QString("%1 now matches; remove it from the known discrepancies").arg(QString::fromStdString(key));
        }
    }
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join("\n")));

    // Magnitudes of the two largest slim discrepancies, stated explicitly.
    QVERIFY(std::abs(millions(cost(0.75, 224).macs) / 317.0 - 1.0) < 0.03);
    QVERIFY(std::abs(millions(cost(0.25, 192, 1001).macs) - 30.21) < 0.01);
}

void TestArch::layerTableShape() {
    const std::vector<LayerSpec> t = layer_table(config(1.0, 224));
    // conv0, 13 x (dw, pw), pool, fc, softmax = 1 + 26 + 3 = 30 rows (the paper's 28
    // weighted layers plus pool and softmax).
    QCOMPARE(t.size(), std::size_t{30});
    QStringList names;
    for (const LayerSpec& l : t) names << QString::fromStdString(l.name);
    QStringList expect{"conv0"};
    for (int i = 1; i <= 13; ++i) expect << QString("dw%1").arg(i) << QString("pw%1").arg(i);
    expect << "pool" << "fc" << "softmax";
    QCOMPARE(names, expect);

    const int dw_strides[13] = {1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1};
    const int pw_out[13] = {64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024};
    const int dw_out_hw[13] = {112, 56, 56, 28, 28, 14, 14, 14, 14, 14, 14, 7, 7};
    QCOMPARE(t[0].kind, LayerKind::ConvFull);
    QCOMPARE(t[0].stride, 2);
    QCOMPARE(t[0].kernel, 3);
    QCOMPARE(t[0].in_c, 3);
    QCOMPARE(t[0].out_c, 32);
    QCOMPARE(t[0].out_h, 112);
    for (int b = 0; b < 13; ++b) {
        const LayerSpec& dw = t[static_cast<std::size_t>(1 + 2 * b)];
        const LayerSpec& pw = t[static_cast<std::size_t>(2 + 2 * b)];
        QCOMPARE(dw.kind, LayerKind::Depthwise);
        QCOMPARE(dw.stride, dw_strides[b]);
        QCOMPARE(dw.kernel, 3);
        QCOMPARE(dw.groups, dw.in_c);
        QCOMPARE(dw.out_c, dw.in_c);
        QCOMPARE(dw.out_h, dw_out_hw[b]);
        QCOMPARE(dw.out_w, dw_out_hw[b]);
        QCOMPARE(pw.kind, LayerKind::Pointwise);
        QCOMPARE(pw.stride, 1);
        QCOMPARE(pw.kernel, 1);
        QCOMPARE(pw.groups, 1);
        QCOMPARE(pw.out_c, pw_out[b]);
        QCOMPARE(pw.out_h, dw.out_h);
        QCOMPARE(pw.pad_top + pw.pad_left + pw.pad_bottom + pw.pad_right, 0);
    }
    // The 13th depthwise layer: stride 1 (the paper's Table 1 prints s2), 7x7 output.
    QCOMPARE(t[25].name, std::string("dw13"));
    QCOMPARE(t[25].stride, 1);
    QCOMPARE(t[25].in_h, 7);
    QCOMPARE(t[25].out_h, 7);
    QCOMPARE(separable_blocks().size(), std::size_t{13});
    QCOMPARE(separable_blocks()[12].stride, 1);

    // Shapes chain: each layer reads what the previous one wrote.
    for (std::size_t i = 1; i < t.size(); ++i) {
        QCOMPARE(t[i].index, static_cast<int>(i));
        if (t[i].kind == LayerKind::FullyConnected || t[i].kind == LayerKind::Softmax) {
            QCOMPARE(t[i].in_c, t[i - 1].out_c);
            continue;
        }
        QCOMPARE(t[i].in_c, t[i - 1].out_c);
        QCOMPARE(t[i].in_h, t[i - 1].out_h);
        QCOMPARE(t[i].in_w, t[i - 1].out_w);
    }
    const LayerSpec& pool = t[27];
    QCOMPARE(pool.kind, LayerKind::AvgPool);
    QCOMPARE(pool.kernel, 7);
    QCOMPARE(pool.out_h, 1);
    QCOMPARE(pool.out_c, 1024);
    QCOMPARE(t[28].kind, LayerKind::FullyConnected);
    QCOMPARE(t[28].in_c, 1024);
    QCOMPARE(t[28].out_c, 1000);
    QCOMPARE(t[29].kind, LayerKind::Softmax);
    QCOMPARE(t[29].out_c, 1000);
    QCOMPARE(layer_table(config(1.0, 224, 1001))[28].out_c, 1001);

    int weighted = 0;
    for (const LayerSpec& l : t) weighted += l.has_weights() ? 1 : 0;
    QCOMPARE(weighted, 28);
    QVERIFY(!pool.has_weights());
    QVERIFY(!t[29].has_weights());
    QCOMPARE(pool.params + t[29].params, std::int64_t{0});
}

void TestArch::layerTableLabelsAndCosts() {
    const std::vector<LayerSpec> t = layer_table(config(1.0, 224));
    QCOMPARE(t[0].type_label(), std::string("Conv / s2"));
    QCOMPARE(t[0].filter_label(), std::string("3x3x3x32"));
    QCOMPARE(t[1].type_label(), std::string("Conv dw / s1"));
    QCOMPARE(t[1].filter_label(), std::string("3x3x32 dw"));
    QCOMPARE(t[2].type_label(), std::string("Conv / s1"));
    QCOMPARE(t[2].filter_label(), std::string("1x1x32x64"));
    QCOMPARE(t[3].type_label(), std::string("Conv dw / s2"));
    QCOMPARE(t[27].filter_label(), std::string("Pool 7x7"));
    QCOMPARE(t[28].filter_label(), std::string("1024x1000"));
    QCOMPARE(t[28].type_label(), std::string("FC / s1"));
    QCOMPARE(t[29].filter_label(), std::string("Classifier"));

    // Per-layer costs, Section 3.1: D_K^2 M D_F^2 (dw), M N D_F^2 (pw).
    QCOMPARE(t[0].macs, std::int64_t{3 * 3 * 3 * 32} * 112 * 112);
    QCOMPARE(t[0].params, std::int64_t{3 * 3 * 3 * 32});
    QCOMPARE(t[1].macs, std::int64_t{3 * 3 * 32} * 112 * 112);
    QCOMPARE(t[1].params, std::int64_t{3 * 3 * 32});
    QCOMPARE(t[2].macs, std::int64_t{32 * 64} * 112 * 112);
    QCOMPARE(t[26].macs, std::int64_t{1024 * 1024} * 7 * 7);
    QCOMPARE(t[28].macs, std::int64_t{1024 * 1000});
    QCOMPARE(t[28].params, std::int64_t{1024 * 1000});
    QCOMPARE(t[27].macs, std::int64_t{0});
    for (const LayerSpec& l : t) {
        if (l.kind == LayerKind::ConvFull || l.kind == LayerKind::Depthwise || l.kind == LayerKind::Pointwise) {
            QCOMPARE(l.macs, l.params * l.out_h * l.out_w);
        }
    }
    QCOMPARE(QString(to_string(LayerKind::Depthwise)).isEmpty(), false);
    QCOMPARE(QString(to_string(Padding::TfSame)), QStringLiteral("tf-same"));
    QCOMPARE(QString(to_string(Activation::Relu6)), QStringLiteral("relu6"));
}

void TestArch::standardConvTableShape() {
    const std::vector<LayerSpec> t = layer_table(config(1.0, 224, 1000, true));
    QCOMPARE(t.size(), std::size_t{17});
    for (int i = 0; i <= 13; ++i) {
        QCOMPARE(t[static_cast<std::size_t>(i)].name, "conv" + std::to_string(i));
        QCOMPARE(t[static_cast<std::size_t>(i)].kind, LayerKind::ConvFull);
        QCOMPARE(t[static_cast<std::size_t>(i)].kernel, 3);
    }
    QCOMPARE(t[1].in_c, 32);
    QCOMPARE(t[1].out_c, 64);
    QCOMPARE(t[1].stride, 1);
    QCOMPARE(t[2].stride, 2);
    QCOMPARE(t[13].stride, 1);
    QCOMPARE(t[13].out_h, 7);
    QCOMPARE(t[13].macs, std::int64_t{3 * 3 * 1024 * 1024} * 7 * 7);
    QCOMPARE(t[14].name, std::string("pool"));
    QCOMPARE(t[15].name, std::string("fc"));
    QCOMPARE(t[16].name, std::string("softmax"));
}

void TestArch::tfSamePadding() {
    // Stride 2 on an even size: 0 before, 1 after. On an odd size: 1 / 1.
    SpatialPad p = spatial_pad(224, 3, 2, Padding::TfSame);
    QCOMPARE(p.out, 112);
    QCOMPARE(p.before, 0);
    QCOMPARE(p.after, 1);
    p = spatial_pad(97, 3, 2, Padding::TfSame);
    QCOMPARE(p.out, 49);
    QCOMPARE(p.before, 1);
    QCOMPARE(p.after, 1);
    p = spatial_pad(7, 3, 1, Padding::TfSame);
    QCOMPARE(p.out, 7);
    QCOMPARE(p.before, 1);
    QCOMPARE(p.after, 1);
    p = spatial_pad(1, 3, 2, Padding::TfSame);
    QCOMPARE(p.out, 1);
    QCOMPARE(p.before, 1);
    QCOMPARE(p.after, 1);
    // TF's rule for every size: out = ceil(in / s), total = max((out-1)s + k - in, 0),
    // the smaller half before.
    for (int in = 1; in <= 1024; ++in) {
        for (int s : {1, 2}) {
            p = spatial_pad(in, 3, s, Padding::TfSame);
            const int out = (in + s - 1) / s;
            const int total = std::max((out - 1) * s + 3 - in, 0);
            QCOMPARE(p.out, out);
            QCOMPARE(p.before, total / 2);
            QCOMPARE(p.after, total - total / 2);
            if (s == 2) QCOMPARE(p.before, in % 2 == 0 ? 0 : 1);
        }
    }
    // In the table: stride-2 layers of 224 pad 0/1, stride-1 layers 1/1.
    const std::vector<LayerSpec> t = layer_table(config(1.0, 224));
    for (const LayerSpec& l : t) {
        if (l.kernel != 3 || l.kind == LayerKind::AvgPool) continue;
        QCOMPARE(l.pad_top, l.stride == 2 ? 0 : 1);
        QCOMPARE(l.pad_left, l.pad_top);
        QCOMPARE(l.pad_bottom, 1);
        QCOMPARE(l.pad_right, 1);
    }
    // 97: conv0 49 (1/1), then 49 -> 25 -> 13 -> 7 -> 4.
    const std::vector<LayerSpec> o = layer_table(config(0.5, 97));
    QCOMPARE(o[0].out_h, 49);
    QCOMPARE(o[0].pad_top, 1);
    QCOMPARE(o[0].pad_bottom, 1);
    QCOMPARE(o[26].out_h, 4);
    QCOMPARE(o[27].kernel, 4);
}

void TestArch::symmetricPadding() {
    // Keras 2.1: ZeroPadding2D(1) then "valid": 1 before; out = floor((in + 2 - 3) / s) + 1.
    for (int in = 3; in <= 300; ++in) {
        for (int s : {1, 2}) {
            const SpatialPad p = spatial_pad(in, 3, s, Padding::Symmetric);
            QCOMPARE(p.before, 1);
            QCOMPARE(p.out, (in - 1) / s + 1);
            QVERIFY(p.after == 0 || p.after == 1);
            // Only padding the last output's taps reach counts: its last tap is input
            // column (out-1)s + 1, which overshoots the last column in-1 by (out-1)s + 2 - in.
            QCOMPARE(p.after, std::max((p.out - 1) * s + 2 - in, 0));
        }
    }
    const std::vector<LayerSpec> t = layer_table(config(1.0, 224, 1000, false, Padding::Symmetric));
    QCOMPARE(t[0].out_h, 112);
    QCOMPARE(t[0].pad_top, 1);
    QCOMPARE(t[0].pad_bottom, 0);
    QCOMPARE(t[26].out_h, 7);
    QCOMPARE(summarize(t).macs, cost(1.0, 224).macs);  // same shapes as SAME at 224
    const std::vector<LayerSpec> o = layer_table(config(1.0, 97, 1000, false, Padding::Symmetric));
    QCOMPARE(o[0].out_h, 49);
    QCOMPARE(o[0].pad_top, 1);
    QCOMPARE(o[0].pad_bottom, 1);
}

void TestArch::channelRule() {
    QCOMPARE(scaled_channels(32, 0.1), 8);
    QCOMPARE(layer_table(config(0.1, 224))[0].out_c, 8);
    QCOMPARE(scaled_channels(32, 0.35), 11);
    QCOMPARE(scaled_channels(64, 0.35), 22);
    QCOMPARE(scaled_channels(1024, 0.35), 358);
    QCOMPARE(scaled_channels(32, 0.25), 8);
    QCOMPARE(scaled_channels(1024, 0.25), 256);
    QCOMPARE(scaled_channels(32, 0.75), 24);
    QCOMPARE(scaled_channels(1024, 1.3), 1331);
    QCOMPARE(scaled_channels(32, 1.5), 48);
    QCOMPARE(scaled_channels(16, 0.5), 8);
    // max(int(c * alpha), 8) with exact decimal arithmetic, for the usual multipliers.
    for (int hundredths : {10, 25, 30, 35, 40, 50, 60, 70, 75, 80, 90, 100, 110, 120, 125, 130, 140, 150}) {
        const double alpha = hundredths / 100.0;
        std::vector<int> bases{kStemChannels};
        for (const BlockSpec& b : separable_blocks()) bases.push_back(b.out_channels);
        for (int c : bases) {
            const int expect = std::max(c * hundredths / 100, 8);
            QVERIFY2(scaled_channels(c, alpha) == expect,
                     qPrintable(QString("c=%1 alpha=%2: %3, expected %4").arg(c).arg(alpha).arg(scaled_channels(c, alpha)).arg(expect)));
        }
        const std::vector<LayerSpec> t = layer_table(config(alpha, 128));
        QCOMPARE(t[0].out_c, std::max(32 * hundredths / 100, 8));
        QCOMPARE(t[26].out_c, std::max(1024 * hundredths / 100, 8));
        QCOMPARE(t[28].in_c, t[26].out_c);
    }
}

void TestArch::resolutionLimits() {
    const std::vector<LayerSpec> lo = layer_table(config(1.0, 32));
    QCOMPARE(lo[26].out_h, 1);
    QCOMPARE(lo[27].kernel, 1);
    const std::vector<LayerSpec> hi = layer_table(config(1.0, 1024));
    QCOMPARE(hi[26].out_h, 32);
    QCOMPARE(hi[27].kernel, 32);
    // Mult-adds of the convolutions scale with rho^2 (exactly, for multiples of 32).
    const std::int64_t fc = layer_table(config(1.0, 224))[28].macs;
    QCOMPARE((summarize(hi).macs - fc) * 49, (cost(1.0, 224).macs - fc) * 1024);
    QCOMPARE(summarize(hi).params, cost(1.0, 224).params);
    validate(config(1.5, 1024));
    validate(config(0.01, 32));
}

void TestArch::validateRejects() {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    for (double a : {0.0, -0.25, 1.5000001, 2.0, nan, inf, -inf}) {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, validate(config(a, 224)));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, layer_table(config(a, 224)));
    }
    for (int r : {31, 1025, 0, -224}) {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, validate(config(1.0, r)));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, layer_table(config(1.0, r)));
    }
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, validate(config(1.0, 224, 0)));
    // One-line messages that say what was wrong.
    try {
        validate(config(0.0, 224));
        QFAIL("no exception");
    } catch (const std::invalid_argument& e) {
        const std::string m = e.what();
        QVERIFY2(m.find("alpha") != std::string::npos, e.what());
        QVERIFY(m.find('\n') == std::string::npos);
    }
    try {
        validate(config(1.0, 1025));
        QFAIL("no exception");
    } catch (const std::invalid_argument& e) {
        QVERIFY2(std::string(e.what()).find("1025") != std::string::npos, e.what());
    }
    validate(config(1.5, 32));
    validate(config(1.0, 1024, 1));
}

// Section 3.1's two costs against hand-computed counts.
void TestArch::convCostFormulas() {
    // Table 3's example layer: Dk=3, M=512, N=512, Df=14. Published: convolution 462M
    // mult-adds and 2.36M parameters, depthwise separable 52.3M and 0.27M.
    const ConvCostComparison t3 = compare_conv_costs(3, 512, 512, 14);
    QCOMPARE(t3.standard_macs, std::int64_t{462422016});   // 9*512*512*196
    QCOMPARE(t3.depthwise_macs, std::int64_t{903168});     // 9*512*196
    QCOMPARE(t3.pointwise_macs, std::int64_t{51380224});   // 512*512*196
    QCOMPARE(t3.separable_macs, std::int64_t{52283392});
    QCOMPARE(t3.standard_params, std::int64_t{2359296});   // 9*512*512
    QCOMPARE(t3.depthwise_params, std::int64_t{4608});
    QCOMPARE(t3.pointwise_params, std::int64_t{262144});
    QCOMPARE(t3.separable_params, std::int64_t{266752});
    QCOMPARE(rounded(millions(t3.standard_macs), 0), 462LL);
    QCOMPARE(rounded(millions(t3.separable_macs), 1), 523LL);
    QCOMPARE(rounded(millions(t3.standard_params), 2), 236LL);
    QCOMPARE(rounded(millions(t3.separable_params), 2), 27LL);

    // The first block of 1.0-224: 32 -> 64 channels on 112x112.
    const ConvCostComparison b1 = compare_conv_costs(3, 32, 64, 112);
    QCOMPARE(b1.standard_macs, std::int64_t{231211008});  // 9*32*64*12544
    QCOMPARE(b1.depthwise_macs, std::int64_t{3612672});   // 9*32*12544
    QCOMPARE(b1.pointwise_macs, std::int64_t{25690112});  // 32*64*12544
    QCOMPARE(b1.separable_macs, std::int64_t{29302784});
    QCOMPARE(b1.standard_params, std::int64_t{18432});
    QCOMPARE(b1.separable_params, std::int64_t{288 + 2048});

    // An odd one: Dk=5, M=3, N=7, Df=10.
    const ConvCostComparison odd = compare_conv_costs(5, 3, 7, 10);
    QCOMPARE(odd.standard_macs, std::int64_t{52500});
    QCOMPARE(odd.depthwise_macs, std::int64_t{7500});
    QCOMPARE(odd.pointwise_macs, std::int64_t{2100});
    QCOMPARE(odd.separable_macs, std::int64_t{9600});
    QCOMPARE(odd.standard_params, std::int64_t{525});
    QCOMPARE(odd.separable_params, std::int64_t{75 + 21});
    QVERIFY(std::abs(odd.ratio - 9600.0 / 52500.0) < 1e-15);
    QVERIFY(std::abs(odd.speedup() - 52500.0 / 9600.0) < 1e-12);
}

// separable / standard == 1/N + 1/Dk^2, for mult-adds and parameters, whatever the sizes.
void TestArch::convCostRatioIsPaperFormula() {
    for (int dk : {1, 3, 5, 7})
        for (int m : {1, 3, 32, 1024})
            for (int n : {1, 8, 64, 1001})
                for (int df : {1, 7, 112}) {
                    const ConvCostComparison c = compare_conv_costs(dk, m, n, df);
                    const double formula = 1.0 / n + 1.0 / (dk * dk);
                    QVERIFY(std::abs(c.formula_ratio - formula) < 1e-15);
                    QVERIFY2(std::abs(c.ratio - formula) <= 1e-12 * formula,
                             qPrintable(QStringLiteral("%1 %2 %3 %4").arg(dk).arg(m).arg(n).arg(df)));
                    const double params_ratio =
                        static_cast<double>(c.separable_params) / static_cast<double>(c.standard_params);
                    QVERIFY(std::abs(params_ratio - formula) <= 1e-12 * formula);
                }
    // The paper's "8 to 9 times less computation" for 3x3 kernels and N >= 64.
    QVERIFY(compare_conv_costs(3, 32, 64, 112).speedup() > 7.8);
    QVERIFY(compare_conv_costs(3, 1024, 1024, 7).speedup() > 8.9);
    QVERIFY(compare_conv_costs(3, 1024, 1024, 7).speedup() < 9.0);
}

void TestArch::convCostRejects() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, compare_conv_costs(0, 32, 64, 112));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, compare_conv_costs(3, 0, 64, 112));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, compare_conv_costs(3, 32, -1, 112));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, compare_conv_costs(3, 32, 64, 0));
    const std::vector<LayerSpec> t = layer_table(config(1.0, 224));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, compare_conv_costs(t[2], t[1]));  // pw, dw
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, compare_conv_costs(t[1], t[4]));  // dw1, pw2
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, block_cost_comparison(config(1.0, 224), 0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, block_cost_comparison(config(1.0, 224), 14));
}

// The 13 blocks compared one by one add up to the two layer tables: the separable rows
// (dw + pw) and the standard_conv rows (convN), each with conv0 and fc added.
void TestArch::blockCostsMatchLayerTable() {
    for (const ArchConfig& cfg : {config(1.0, 224), config(0.5, 160), config(0.25, 128, 1001),
                                  config(0.75, 192, 1000, false, Padding::Symmetric), config(1.0, 225)}) {
        const std::vector<LayerSpec> sep = layer_table(cfg);
        ArchConfig std_cfg = cfg;
        std_cfg.standard_conv = true;
        const std::vector<LayerSpec> full = layer_table(std_cfg);
        std::int64_t sep_macs = sep[0].macs + sep[sep.size() - 2].macs;  // conv0 + fc
        std::int64_t sep_params = sep[0].params + sep[sep.size() - 2].params;
        std::int64_t std_macs = sep_macs, std_params = sep_params;
        for (int k = 1; k <= 13; ++k) {
            const ConvCostComparison c = block_cost_comparison(cfg, k);
            const LayerSpec& dw = sep[static_cast<std::size_t>(2 * k - 1)];
            const LayerSpec& pw = sep[static_cast<std::size_t>(2 * k)];
            const LayerSpec& conv = full[static_cast<std::size_t>(k)];
            QCOMPARE(dw.name, "dw" + std::to_string(k));
            QCOMPARE(conv.name, "conv" + std::to_string(k));
            QCOMPARE(c.dk, 3);
            QCOMPARE(c.m, dw.in_c);
            QCOMPARE(c.n, pw.out_c);
            QCOMPARE(c.df, dw.out_h);
            QCOMPARE(c.depthwise_macs, dw.macs);
            QCOMPARE(c.pointwise_macs, pw.macs);
            QCOMPARE(c.depthwise_params, dw.params);
            QCOMPARE(c.pointwise_params, pw.params);
            // Df is the output side: for stride-2 blocks too the standard conv's cost is
            // that of the counterfactual table's convN row.
            QCOMPARE(c.standard_macs, conv.macs);
            QCOMPARE(c.standard_params, conv.params);
            sep_macs += c.separable_macs;
            sep_params += c.separable_params;
            std_macs += c.standard_macs;
            std_params += c.standard_params;
        }
        const NetworkCostComparison n = compare_network_costs(cfg);
        QCOMPARE(sep_macs, n.separable.macs);
        QCOMPARE(sep_params, n.separable.params);
        QCOMPARE(std_macs, n.standard.macs);
        QCOMPARE(std_params, n.standard.params);
        QCOMPARE(n.separable.macs, summarize(sep).macs);
        QCOMPARE(n.standard.macs, summarize(full).macs);
    }
}

// Table 4: "Conv MobileNet 4866 M mult-adds, 29.3 M parameters; MobileNet 569 M, 4.2 M".
void TestArch::table4NetworkComparison() {
    ArchConfig cfg = config(1.0, 224);
    cfg.standard_conv = true;  // ignored: both variants come back either way
    const NetworkCostComparison n = compare_network_costs(cfg);
    QVERIFY2(std::abs(millions(n.standard.macs) - 4866.0) <= 4866.0 * 0.001,
             qPrintable(QString::number(millions(n.standard.macs))));
    QVERIFY2(std::abs(millions(n.separable.macs) - 569.0) <= 569.0 * 0.001,
             qPrintable(QString::number(millions(n.separable.macs))));
    QVERIFY2(std::abs(millions(n.standard.params) - 29.3) <= 29.3 * 0.001,
             qPrintable(QString::number(millions(n.standard.params))));
    // The paper prints 4.2 (two digits): 4.209 M rounds to it.
    QCOMPARE(rounded(millions(n.separable.params), 1), 42LL);
    QCOMPARE(n.separable.macs, std::int64_t{568740352});
    QCOMPARE(n.separable.params, std::int64_t{4209088});
    QVERIFY(std::abs(n.macs_ratio - static_cast<double>(n.standard.macs) / 568740352.0) < 1e-12);
    QCOMPARE(rounded(n.macs_ratio, 1), 86LL);  // the predicted speed-up, 8.6x
    QVERIFY2(n.params_ratio > 6.9 && n.params_ratio < 7.0, qPrintable(QString::number(n.params_ratio)));
    QCOMPARE(n.standard.by_kind.front().kind, LayerKind::ConvFull);
    QCOMPARE(n.separable.by_kind.size(), std::size_t{4});
}

QTEST_APPLESS_MAIN(TestArch)
#include "test_arch.moc"
