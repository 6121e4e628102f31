// Discovery probes model files (graph and shapes only) instead of loading them: every
// real model must get exactly the ModelEntry that fully loading it gives, and probing
// must be cheaper than loading.
#include <QtTest>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "mobilenet/model_io.hpp"
#include "test_support.hpp"

using namespace mnv1;

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

class TestModelProbe : public QObject {
    Q_OBJECT

private slots:
    void probeMatchesFullLoad();
    void probeRejectsDamagedShards();
};

void TestModelProbe::probeMatchesFullLoad() {
    // One model per format, so that each probe is exercised.
    MOBILENET_REQUIRE_FILE(test::shared_path("models/tflite/mobilenet_v1_0.25_224.tflite"));
    MOBILENET_REQUIRE_FILE(test::shared_path("models/keras/mobilenet_v1_0.25_224.h5"));
    MOBILENET_REQUIRE_FILE(test::shared_path("models/tfjs/mobilenet_v1_0.75_224/model.json"));

    std::vector<std::string> problems;
    auto t0 = std::chrono::steady_clock::now();
    const std::vector<ModelEntry> probed = discover_models({test::shared_path("models")}, &problems);
    const double probe_ms = ms_since(t0);
    for (const std::string& p : problems) qWarning("%s", p.c_str());
    QVERIFY(problems.empty());
    QCOMPARE(probed.size(), std::size_t{8});  // 6 TFLite, 1 Keras, 1 TF.js (shared/README.md)

    double load_ms = 0;
    for (const ModelEntry& entry : probed) {
        t0 = std::chrono::steady_clock::now();
        const ModelEntry loaded = describe_model(*load_model(entry.path), entry.path);
        load_ms += ms_since(t0);
        const QByteArray what = QByteArray::fromStdString(entry.path);
        QVERIFY2(loaded.alpha == entry.alpha, what);
        QVERIFY2(loaded.native_resolution == entry.native_resolution, what);
        QVERIFY2(loaded.quantized == entry.quantized, what);
        QVERIFY2(loaded.origin == entry.origin, what);
        QVERIFY2(loaded.num_classes == entry.num_classes, what);
        QVERIFY2(loaded.display_name == entry.display_name, what);
        QVERIFY2(probe_model(entry.path).display_name == entry.display_name, what);
    }
    qInfo("discovery of %zu models: probing %.0f ms, full loading %.0f ms", probed.size(), probe_ms, load_ms);
}

void TestModelProbe::probeRejectsDamagedShards() {
    // A TF.js model with a truncated or missing shard is reported at discovery, not
    // listed as loadable (the probe stats the shards without reading them).
    const std::string src = test::shared_path("models/tfjs/mobilenet_v1_0.75_224");
    MOBILENET_REQUIRE_FILE(src + "/model.json");
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::filesystem::path dir = std::filesystem::path(tmp.path().toStdString()) / "tfjs";
    std::filesystem::copy(src, dir);
    std::filesystem::path shard;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.path().filename().string().find("shard") != std::string::npos) shard = e.path();
    }
    QVERIFY(!shard.empty());

    std::vector<std::string> problems;
    QCOMPARE(discover_models({tmp.path().toStdString()}, &problems).size(), std::size_t{1});  // intact copy
    QVERIFY(problems.empty());

    std::filesystem::resize_file(shard, std::filesystem::file_size(shard) - 4);
    QVERIFY(discover_models({tmp.path().toStdString()}, &problems).empty());
    QCOMPARE(problems.size(), std::size_t{1});
    QVERIFY2(problems[0].find("truncated weight shard") != std::string::npos, problems[0].c_str());

    problems.clear();
    std::filesystem::remove(shard);
    QVERIFY(discover_models({tmp.path().toStdString()}, &problems).empty());
    QCOMPARE(problems.size(), std::size_t{1});
    QVERIFY2(problems[0].find("missing weight shard") != std::string::npos, problems[0].c_str());
}

QTEST_APPLESS_MAIN(TestModelProbe)
#include "test_model_probe.moc"
