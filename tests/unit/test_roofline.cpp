// The roofline: compulsory traffic per layer against hand-computed values (MobileNet v1
// 1.0-224, paper's 1000 classes), the depthwise/pointwise intensity ordering, roofline
// points consistent with their definition, and the machine peaks' disk cache (hit,
// corrupt file). No timing thresholds: only signs and consistency.
#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "mobilenet/benchmark.hpp"
#include "mobilenet/roofline.hpp"

namespace fs = std::filesystem;
using namespace mnv1;

namespace {

// Small kernels: the cache logic does not depend on the sizes, and the test stays fast.
PeakOptions small_options() {
    PeakOptions o;
    o.m_per_thread = 64;
    o.n = 128;
    o.k = 128;
    o.matmul_runs = 3;
    o.stream_bytes = std::size_t{12} << 20;
    o.stream_runs = 2;
    return o;
}

const LayerSpec& by_name(const std::vector<LayerSpec>& layers, const std::string& name) {
    const auto it = std::find_if(layers.begin(), layers.end(), [&](const LayerSpec& l) { return l.name == name; });
    if (it == layers.end()) throw std::out_of_range(name);
    return *it;
}

}  // namespace

class TestRoofline : public QObject {
    Q_OBJECT
private slots:
    void layer_bytes_by_hand() {
        const auto layers = layer_table(ArchConfig{});  // 1.0-224, 1000 classes
        // conv0: 224x224x3 in, 112x112x32 out, 3x3x3x32 weights + 32 bias; 4 bytes each.
        QCOMPARE(layer_bytes(by_name(layers, "conv0"), 1), 4LL * (150528 + 401408 + 864 + 32));
        // dw1: 112x112x32 in and out, 3x3x32 weights + 32 bias.
        QCOMPARE(layer_bytes(by_name(layers, "dw1"), 1), 4LL * (401408 + 401408 + 288 + 32));
        // pw1: 112x112x32 in, 112x112x64 out, 32x64 weights + 64 bias.
        QCOMPARE(layer_bytes(by_name(layers, "pw1"), 1), 4LL * (401408 + 802816 + 2048 + 64));
        // fc: 1024 in, 1000 out, 1024x1000 weights + 1000 bias.
        QCOMPARE(layer_bytes(by_name(layers, "fc"), 1), 4LL * (1024 + 1000 + 1024000 + 1000));
        // A batch multiplies the activations, not the weights.
        QCOMPARE(layer_bytes(by_name(layers, "pw1"), 4), 4LL * (4 * (401408 + 802816) + 2048 + 64));
        // Pool: activations only. Intensity is FLOPs (2 per mult-add) per byte.
        QCOMPARE(layer_bytes(by_name(layers, "pool"), 1), 4LL * (7 * 7 * 1024 + 1024));
        const LayerSpec& conv0 = by_name(layers, "conv0");
        QCOMPARE(layer_intensity(conv0, 1), 2.0 * conv0.macs / (4.0 * (150528 + 401408 + 864 + 32)));
        QCOMPARE(layer_intensity(by_name(layers, "softmax"), 1), 0.0);
    }

    void pointwise_more_intense_than_its_depthwise() {
        const auto layers = layer_table(ArchConfig{});
        int pairs = 0;
        for (std::size_t i = 0; i + 1 < layers.size(); ++i) {
            if (layers[i].kind != LayerKind::Depthwise) continue;
            QCOMPARE(layers[i + 1].kind, LayerKind::Pointwise);
            const double dw = layer_intensity(layers[i], 1), pw = layer_intensity(layers[i + 1], 1);
            QVERIFY2(pw > dw, qPrintable(QString::fromStdString(layers[i + 1].name) + " " + QString::number(pw) +
                                         " <= " + QString::number(dw)));
            ++pairs;
        }
        QCOMPARE(pairs, 13);
    }

    void points_follow_their_definition() {
        const ArchConfig arch{.alpha = 0.25, .resolution = 96};
        Runtime rt;
        NetworkConfig cfg{.resolution = 96, .batch = 2, .threads = 1};
        ExecutionContext ctx(rt.compile(random_weights(arch), cfg));
        std::fill(ctx.input(), ctx.input() + ctx.input_floats(), 0.0f);
        const auto steps = profile_layers(ctx, 3);
        MachinePeaks peaks;
        peaks.peak_gflops = 100;
        peaks.bandwidth_gbs = 10;  // ridge at 10 FLOP/byte
        const auto points = roofline_points(ctx.network(), steps, peaks);
        const auto& layers = ctx.network().layers();
        QCOMPARE(points.size(), layers.size());
        bool memory = false, compute = false;
        for (std::size_t i = 0; i < points.size(); ++i) {
            const RooflinePoint& p = points[i];
            QCOMPARE(p.name, layers[i].name);
            QCOMPARE(p.macs, layers[i].macs * 2);
            QCOMPARE(p.bytes, layer_bytes(layers[i], 2));
            QVERIFY(p.ms > 0);
            QCOMPARE(p.gflops, 2.0 * static_cast<double>(p.macs) / (p.ms * 1e6));
            QCOMPARE(p.roof_gflops, std::min(100.0, 10.0 * p.intensity));
            QCOMPARE(p.bound, 10.0 * p.intensity < 100.0 ? RoofBound::Memory : RoofBound::Compute);
            memory |= p.bound == RoofBound::Memory;
            compute |= p.bound == RoofBound::Compute;
        }
        QVERIFY(memory && compute);  // 0.25-96: depthwise under the slope, pointwise beyond the ridge
        // The per-layer time is that layer's profiled step (the input reorder is left out).
        for (const auto& s : steps)
            if (s.layer >= 0) QCOMPARE(points[static_cast<std::size_t>(s.layer)].ms, s.ms);
    }

    void peaks_measured_then_cached() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string cache = dir.path().toStdString() + "/roofline";
        const PeakOptions o = small_options();
        const MachinePeaks first = load_or_measure_machine_peaks(cache, 1, o);
        QVERIFY(!first.from_cache);
        QVERIFY(first.peak_gflops > 0 && first.bandwidth_gbs > 0);
        QCOMPARE(first.peak_gflops_per_core, first.peak_gflops);
        QCOMPARE(first.isa, onednn_cpu_isa());
        QCOMPARE(first.matmul_m, 64LL);
        const fs::path file = machine_peaks_cache_path(cache, 1, o);
        QVERIFY(fs::is_regular_file(file));
        const auto mtime = fs::last_write_time(file);

        const MachinePeaks second = load_or_measure_machine_peaks(cache, 1, o);
        QVERIFY(second.from_cache);
        QCOMPARE(second.peak_gflops, first.peak_gflops);
        QCOMPARE(second.bandwidth_gbs, first.bandwidth_gbs);
        QCOMPARE(second.seconds, 0.0);
        QVERIFY(fs::last_write_time(file) == mtime);  // read, not rewritten

        // Another thread count is another entry.
        QVERIFY(machine_peaks_cache_path(cache, 2, o) != file.string());

        // A corrupt file is measured again and replaced by a valid one.
        std::ofstream(file, std::ios::trunc) << "{\"key\": 3, truncated";
        const MachinePeaks third = load_or_measure_machine_peaks(cache, 1, o);
        QVERIFY(!third.from_cache);
        QVERIFY(third.peak_gflops > 0 && third.bandwidth_gbs > 0);
        QVERIFY(load_or_measure_machine_peaks(cache, 1, o).from_cache);
        // The right key without a field it needs: measured again as well.
        std::string text;
        {
            std::ifstream in(file);
            text.assign(std::istreambuf_iterator<char>(in), {});
        }
        const auto at = text.find("\"bandwidth_gbs\"");
        QVERIFY(at != std::string::npos);
        text.replace(at, 15, "\"bandwidth_xxx\"");
        std::ofstream(file, std::ios::trunc) << text;
        QVERIFY(!load_or_measure_machine_peaks(cache, 1, o).from_cache);
        QVERIFY(load_or_measure_machine_peaks(cache, 1, o).from_cache);

        // No folder: no caching.
        QVERIFY(!load_or_measure_machine_peaks("", 1, o).from_cache);
    }

    void bad_arguments_throw() {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, measure_machine_peaks(-1));
        PeakOptions o = small_options();
        o.matmul_runs = 0;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, measure_machine_peaks(1, o));
    }
};

QTEST_APPLESS_MAIN(TestRoofline)
#include "test_roofline.moc"
