// α × resolution sweeps on a small grid: costs against the cost model, sane latency,
// accuracy only where released weights exist (the shared 0.25 models, 20 images),
// native-resolution flags, the on-disk cache (hits, corrupt entries), cancellation
// and the CSV.
#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "mobilenet/evaluate.hpp"
#include "mobilenet/sweep.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace mnv1;

namespace {

std::vector<fs::path> cache_files(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

bool same_measurement(const SweepPoint& a, const SweepPoint& b) {
    return a.alpha == b.alpha && a.resolution == b.resolution && a.macs == b.macs && a.params == b.params &&
           a.latency.median_ms == b.latency.median_ms && a.latency.p10_ms == b.latency.p10_ms &&
           a.latency.p90_ms == b.latency.p90_ms && a.latency.runs == b.latency.runs && a.weights == b.weights &&
           a.native_resolution == b.native_resolution && a.top1 == b.top1 && a.top5 == b.top5 && a.images == b.images;
}

}  // namespace

class SweepTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        const std::string models_dir = test::shared_path("models/tflite");
        MOBILENET_REQUIRE_FILE(models_dir + "/mobilenet_v1_0.25_128_quant.tflite");
        MOBILENET_REQUIRE_FILE(models_dir + "/mobilenet_v1_0.25_224.tflite");
        MOBILENET_REQUIRE_FILE(test::shared_path("images/imagenet-sample/ground_truth.csv"));
        for (const ModelEntry& m : discover_models({models_dir}))
            if (m.alpha == 0.25) models_.push_back(m);
        QVERIFY(models_.size() >= 2);
        // 20 images with wnids in their names (every 25th of the sample).
        QVERIFY(images_.isValid());
        int n = 0;
        for (const auto& e : fs::directory_iterator(test::shared_path("images/imagenet-sample"))) {
            if (e.path().extension() != ".JPEG" || n++ % 25) continue;
            fs::create_symlink(e.path(), fs::path(images_.path().toStdString()) / e.path().filename());
        }
        QCOMPARE(n, 500);
    }

    void small_grid_costs_latency_accuracy() {
        QTemporaryDir cache;
        std::vector<std::string> order;
        int progress_calls = 0;
        const auto points = run_sweep(config(cache.path().toStdString()),
                                      {.point = [&](const SweepPoint& p) {
                                           order.push_back(format_alpha(p.alpha) + "-" + std::to_string(p.resolution));
                                       },
                                       .progress = [&](const SweepProgress& s) {
                                           ++progress_calls;
                                           QCOMPARE(s.total, 4);
                                       }});
        QCOMPARE(order, (std::vector<std::string>{"0.25-96", "0.25-128", "0.5-96", "0.5-128"}));
        QVERIFY(progress_calls > 4);
        QCOMPARE(points.size(), std::size_t{4});
        for (const SweepPoint& p : points) {
            const CostSummary cost = summarize(layer_table({.alpha = p.alpha, .resolution = p.resolution}));
            QCOMPARE(p.macs, cost.macs);
            QCOMPARE(p.params, cost.params);
            QCOMPARE(p.latency.runs, 3);
            QVERIFY(p.latency.p10_ms > 0);
            QVERIFY(p.latency.p10_ms <= p.latency.median_ms && p.latency.median_ms <= p.latency.p90_ms);
            QVERIFY(!p.from_cache);
            QCOMPARE(p.threads, 1);
            if (p.alpha == 0.5) {  // no released 0.5 weights given: cost and latency only
                QVERIFY(!p.weights && !p.top1 && !p.top5 && !p.at_native_resolution());
                QCOMPARE(p.images, 0);
                continue;
            }
            QVERIFY(p.weights && p.top1 && p.top5);
            QCOMPARE(p.images, 20);
            QVERIFY(*p.top1 >= 0 && *p.top1 <= *p.top5 && *p.top5 <= 100);
        }
        // 128: the model trained at 128; 96: none is, so the float 0.25-224 (pick_model).
        QVERIFY(points[1].weights->find("0.25_128_quant") != std::string::npos);
        QCOMPARE(points[1].native_resolution, 128);
        QVERIFY(points[1].at_native_resolution());
        QCOMPARE(points[0].native_resolution, 224);
        QVERIFY(!points[0].at_native_resolution());
        QVERIFY(*points[1].top1 > 0);  // the released 0.25-128 gets some of 20 right

        // Rerun: everything from the cache, identical numbers, nothing measured or loaded.
        std::vector<std::string> stages;
        const auto again = run_sweep(config(cache.path().toStdString()),
                                     {.point = {}, .progress = [&](const SweepProgress& s) { stages.push_back(s.stage); }});
        QCOMPARE(again.size(), points.size());
        for (std::size_t i = 0; i < again.size(); ++i) {
            QVERIFY(again[i].from_cache);
            QVERIFY(same_measurement(again[i], points[i]));
        }
        for (const auto& s : stages) QVERIFY2(s.find("cached") != std::string::npos || s == "done", s.c_str());

        // A corrupt entry is ignored and measured again (and rewritten); the rest still hit.
        const auto files = cache_files(cache.path().toStdString());
        QCOMPARE(files.size(), std::size_t{4});
        std::ofstream(files[0], std::ios::trunc) << "{ not json";
        const auto repaired = run_sweep(config(cache.path().toStdString()));
        QCOMPARE(std::count_if(repaired.begin(), repaired.end(), [](const SweepPoint& p) { return !p.from_cache; }), 1);
        const auto third = run_sweep(config(cache.path().toStdString()));
        QVERIFY(std::all_of(third.begin(), third.end(), [](const SweepPoint& p) { return p.from_cache; }));

        const std::string csv = sweep_csv(points);
        std::istringstream lines(csv);
        std::string header, row;
        std::getline(lines, header);
        QCOMPARE(header, std::string("alpha,resolution,precision,threads,batch,macs,params,median_ms,p10_ms,p90_ms,"
                                     "weights,native_resolution,top1,top5,images,from_cache"));
        std::vector<std::vector<std::string>> rows;
        while (std::getline(lines, row)) rows.push_back(csv_fields(row));
        QCOMPARE(rows.size(), std::size_t{4});
        QCOMPARE(rows[1][0], std::string("0.25"));
        QCOMPARE(rows[1][1], std::string("128"));
        QCOMPARE(rows[1][5], std::to_string(points[1].macs));
        QCOMPARE(rows[1][10], *points[1].weights);
        QCOMPARE(rows[3][10], std::string());  // random weights
        QCOMPARE(rows[3][12], std::string());  // no top-1
        QCOMPARE(rows[3].size(), std::size_t{16});
    }

    void cancel_mid_point_writes_no_entry() {
        QTemporaryDir cache;
        CancelToken cancel;
        // Cancel while the second point (0.25-128) is classifying its images.
        const auto points = run_sweep(config(cache.path().toStdString()),
                                      {.point = {},
                                       .progress = [&](const SweepProgress& s) {
                                           if (s.stage == "0.25-128: 5/20 images") cancel.cancel();
                                       }},
                                      &cancel);
        QVERIFY(cancel.cancelled);
        QCOMPARE(points.size(), std::size_t{1});
        QCOMPARE(points[0].resolution, 96);
        const auto files = cache_files(cache.path().toStdString());
        QCOMPARE(files.size(), std::size_t{1});  // the finished point only: no partial, no temp file
        QCOMPARE(files[0].extension().string(), std::string(".json"));
        QVERIFY(files[0].filename().string()[0] != '.');

        // Cancelled during timing: the same.
        CancelToken during_timing;
        QTemporaryDir cache2;
        const auto none = run_sweep(config(cache2.path().toStdString()),
                                    {.point = {},
                                     .progress = [&](const SweepProgress& s) {
                                         if (s.stage.find("timing") != std::string::npos) during_timing.cancel();
                                     }},
                                    &during_timing);
        QVERIFY(none.empty());
        QVERIFY(cache_files(cache2.path().toStdString()).empty());
    }

    void bad_config_is_rejected() {
        SweepConfig c = config("");
        c.alphas = {};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, run_sweep(c));
        c = config("");
        c.resolutions = {16};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, run_sweep(c));
        c = config("");
        c.threads = 0;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, run_sweep(c));
    }

    void machine_fingerprint_names_cpu_and_isa() {
        const std::string m = machine_fingerprint();
        QVERIFY2(m.find(onednn_cpu_isa()) != std::string::npos, m.c_str());
        QVERIFY2(m.find(onednn_version()) != std::string::npos, m.c_str());
        QVERIFY(m.find('\n') == std::string::npos);
    }

private:
    SweepConfig config(const std::string& cache_dir) const {
        SweepConfig c;
        c.alphas = {0.25, 0.5};
        c.resolutions = {96, 128};
        c.timing = {.warmup_runs = 1, .runs = 3};
        c.images_dir = images_.path().toStdString();
        c.models = models_;
        c.eval_batch = 4;
        c.cache_dir = cache_dir;
        return c;
    }

    std::vector<ModelEntry> models_;
    QTemporaryDir images_;
};

QTEST_GUILESS_MAIN(SweepTest)
#include "test_sweep.moc"
