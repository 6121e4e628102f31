// The oneDNN forward pass against a naive double-precision reference
// (tests/support/reference_net.hpp), per layer and end to end, plus the Runtime's
// cache, argument validation and profiling.
#include <QtTest>

#include "mobilenet/classify.hpp"
#include "mobilenet/network.hpp"
#include "mobilenet/weights.hpp"
#include "reference_net.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <set>
#include <stdexcept>
#include <vector>

using namespace mnv1;

namespace {

constexpr double kProbTol = 1e-5;     // max |p - p_ref|
constexpr double kLayerRelTol = 1e-4;  // max |a - a_ref| <= tol * max(1, max |a_ref|)
constexpr double kProbRelTol = 1e-4;   // max |p - p_ref| <= tol * max p
// The He-init FC of random_weights gives nearly uniform probabilities here (the
// trunk's pooled features are small), which would hide errors in an absolute
// probability check; a second "tempered" head rescales it to this logit spread.
constexpr double kTemperedLogitStd = 2.0;

// random_weights with a chosen activation and (optionally) the FC weights scaled.
std::shared_ptr<const ModelWeights> make_weights(const ArchConfig& cfg, std::uint64_t seed, Activation act,
                                                 float fc_scale) {
    auto w = std::make_shared<ModelWeights>(*random_weights(cfg, seed));
    w->activation = act;
    for (float& v : w->layers.back().weights) v *= fc_scale;
    return w;
}

std::vector<float> random_input(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);  // the float models' input range
    std::vector<float> v(n);
    for (float& x : v) x = dist(rng);
    return v;
}

double max_abs(const std::vector<double>& v) {
    double m = 0;
    for (double x : v) m = std::max(m, std::abs(x));
    return m;
}

template <typename A, typename B>
double max_diff(const A& a, const B& b) {
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
    return m;
}

}  // namespace

class TestNetworkReference : public QObject {
    Q_OBJECT

private slots:
    void matchesReference_data();
    void matchesReference();

    void cacheReturnsSameNetwork();
    void cacheEvictsLeastRecentlyUsed();
    void badConfigsThrowInvalidArgument();
    void wrongWeightShapesThrowRuntimeError();
    void profilingOneEntryPerStep();
    void featureLayerIsLastPointwise();
    void copyActivationRejectsBadIndices();
};

// ---------------------------------------------------------------------------
// Engine vs reference

void TestNetworkReference::matchesReference_data() {
    QTest::addColumn<double>("alpha");
    QTest::addColumn<int>("resolution");
    QTest::addColumn<int>("batch");
    QTest::addColumn<int>("threads");
    QTest::addColumn<bool>("symmetric");
    QTest::addColumn<bool>("relu");
    QTest::addColumn<bool>("standardConv");
    QTest::addColumn<int>("classes");

    //                                  alpha  res  batch thr  symm   relu   std    classes
    QTest::newRow("1.0-224 b1")      << 1.0  << 224 << 1 << 2 << false << false << false << 1001;
    QTest::newRow("0.5-160 b2")      << 0.5  << 160 << 2 << 2 << false << false << false << 1001;
    QTest::newRow("0.25-128")        << 0.25 << 128 << 1 << 0 << false << false << false << 1000;
    QTest::newRow("0.35-100 b3")     << 0.35 << 100 << 3 << 2 << false << false << false << 1001;
    QTest::newRow("0.5-97 odd")      << 0.5  << 97  << 1 << 2 << false << false << false << 1001;
    QTest::newRow("1.3-64")          << 1.3  << 64  << 1 << 2 << false << false << false << 1000;
    QTest::newRow("symmetric 0.5-224") << 0.5 << 224 << 1 << 2 << true << false << false << 1000;
    QTest::newRow("symmetric 0.75-97 b2") << 0.75 << 97 << 2 << 2 << true << false << false << 1000;
    QTest::newRow("relu 0.5-128")    << 0.5  << 128 << 1 << 2 << false << true  << false << 1001;
    QTest::newRow("threads1 0.25-160 b2") << 0.25 << 160 << 2 << 1 << false << false << false << 1001;
    QTest::newRow("threads2 0.25-160 b2") << 0.25 << 160 << 2 << 2 << false << false << false << 1001;
    QTest::newRow("standard-conv 0.25-64") << 0.25 << 64 << 1 << 2 << false << false << true << 1001;
    QTest::newRow("min res 0.25-32 b2") << 0.25 << 32 << 2 << 1 << false << false << false << 1001;
}

void TestNetworkReference::matchesReference() {
    QFETCH(double, alpha);
    QFETCH(int, resolution);
    QFETCH(int, batch);
    QFETCH(int, threads);
    QFETCH(bool, symmetric);
    QFETCH(bool, relu);
    QFETCH(bool, standardConv);
    QFETCH(int, classes);

    ArchConfig arch;
    arch.alpha = alpha;
    arch.resolution = resolution;
    arch.num_classes = classes;
    arch.standard_conv = standardConv;
    arch.padding = symmetric ? Padding::Symmetric : Padding::TfSame;
    const Activation act = relu ? Activation::Relu : Activation::Relu6;
    const std::uint64_t seed = 1234 + static_cast<std::uint64_t>(resolution);
    const std::size_t nb = static_cast<std::size_t>(batch);

    // The reference runs once, on the He-init weights; the trunk is shared by both heads.
    const auto w_he = make_weights(arch, seed, act, 1.0f);
    const std::size_t in_floats = nb * static_cast<std::size_t>(resolution) * resolution * 3;
    const std::vector<float> input = random_input(in_floats, seed * 7 + 1);
    const test::ReferenceOutput ref = test::reference_forward(*w_he, resolution, batch, input.data());
    const std::size_t n_layers = ref.layers.size();
    const std::size_t pool_idx = n_layers - 3, fc_idx = n_layers - 2;

    // Second head: the same FC scaled so the logits have a standard deviation of
    // kTemperedLogitStd, which makes the softmax informative (neither near uniform nor
    // one-hot) whatever the He-init trunk's activation scale is.
    double s1 = 0, s2 = 0, cnt = 0;
    for (std::size_t n = 0; n < nb; ++n)
        for (double v : ref.activations[fc_idx][n]) s1 += v, s2 += v * v, cnt += 1;
    const double logit_std = std::sqrt(std::max(s2 / cnt - (s1 / cnt) * (s1 / cnt), 1e-30));
    const float fc_scale = static_cast<float>(kTemperedLogitStd / logit_std);
    const auto w_tempered = make_weights(arch, seed, act, fc_scale);
    std::vector<std::vector<double>> tempered_logits, tempered_probs;
    for (std::size_t n = 0; n < nb; ++n) {
        tempered_logits.push_back(test::reference_fc(ref.activations[pool_idx][n], w_tempered->layers.back()));
        tempered_probs.push_back(test::reference_softmax(tempered_logits.back()));
    }

    Runtime rt;
    NetworkConfig cfg;
    cfg.resolution = resolution;
    cfg.batch = batch;
    cfg.threads = threads;
    const ContextOptions keep{.keep_activations = true};  // every layer is compared below
    ExecutionContext net_he(rt.compile(w_he, cfg), keep);
    ExecutionContext net_t(rt.compile(w_tempered, cfg), keep);
    QVERIFY(&net_he.network() != &net_t.network());
    // A default (ping-pong buffers) context of the same compiled network must compute
    // exactly the same thing in its own buffers.
    ExecutionContext net_fast(net_t.network_ptr());
    QVERIFY(&net_fast.network() == &net_t.network());
    QVERIFY(net_fast.input() != net_t.input());
    QCOMPARE(net_he.input_floats(), in_floats);
    QCOMPARE(net_he.network().layers().size(), n_layers);
    QCOMPARE(net_he.network().feature_layer(), ref.feature_layer());
    const int nc = net_he.network().num_classes();
    QCOMPARE(nc, classes);
    for (ExecutionContext* net : {&net_he, &net_t, &net_fast}) {
        std::copy(input.begin(), input.end(), net->input());
        net->forward();
    }
    {
        const std::size_t np = nb * static_cast<std::size_t>(nc);
        const int fl = net_t.network().feature_layer();
        QVERIFY(std::equal(net_t.probabilities(), net_t.probabilities() + np, net_fast.probabilities()));
        QVERIFY(net_fast.has_activation(fl));
        QVERIFY(!net_fast.has_activation(0));
        std::vector<float> keep_cam_src, fast_cam_src;
        net_t.copy_activation(fl, 0, keep_cam_src);
        net_fast.copy_activation(fl, 0, fast_cam_src);
        QVERIFY(keep_cam_src == fast_cam_src);
        std::vector<float> unused;
        QVERIFY_THROWS_EXCEPTION(std::logic_error, net_fast.copy_activation(0, 0, unused));
    }

    struct Worst {
        double layer_rel = 0, prob = 0, prob_rel = 0, cam_rel = 0, pmax = 0;
        QString layer;
    } worst_he, worst_t;
    std::vector<float> act_buf;
    auto check = [&](ExecutionContext& net, const std::vector<std::vector<double>>& logits,
                     const std::vector<std::vector<double>>& probs, const LayerWeights& fc, Worst& worst,
                     const char* head) {
        for (std::size_t n = 0; n < nb; ++n) {
            const int img = static_cast<int>(n);
            // Every conv, the pool and the fc against the reference (the softmax is the probabilities).
            for (std::size_t li = 0; li <= fc_idx; ++li) {
                const LayerSpec& l = net.network().layers()[li];
                QCOMPARE(QString::fromStdString(l.name), QString::fromStdString(ref.layers[li].name));
                net.copy_activation(static_cast<int>(li), img, act_buf);
                const std::vector<double>& r = li == fc_idx ? logits[n] : ref.activations[li][n];
                QCOMPARE(act_buf.size(), r.size());
                const double scale = std::max(1.0, max_abs(r));
                const double d = max_diff(act_buf, r);
                if (d / scale > worst.layer_rel) {
                    worst.layer_rel = d / scale;
                    worst.layer = QString::fromStdString(l.name);
                }
                QVERIFY2(d <= kLayerRelTol * scale,
                         qPrintable(QStringLiteral("%1 head, layer %2, image %3: max |diff| %4 > %5 * %6")
                                        .arg(head, QString::fromStdString(l.name))
                                        .arg(n)
                                        .arg(d)
                                        .arg(kLayerRelTol)
                                        .arg(scale)));
            }

            // Probabilities: per image, sum to 1, match the reference.
            const float* p = net.probabilities() + n * static_cast<std::size_t>(nc);
            double sum = 0, pmax = 0, d = 0;
            for (int c = 0; c < nc; ++c) {
                sum += p[c];
                pmax = std::max(pmax, static_cast<double>(p[c]));
                d = std::max(d, std::abs(p[c] - probs[n][static_cast<std::size_t>(c)]));
            }
            QVERIFY2(std::abs(sum - 1.0) < 1e-5,
                     qPrintable(QString("%1 head, image %2: probabilities sum to %3").arg(head).arg(n).arg(sum, 0, 'g', 10)));
            worst.prob = std::max(worst.prob, d);
            worst.prob_rel = std::max(worst.prob_rel, d / pmax);
            worst.pmax = std::max(worst.pmax, pmax);
            QVERIFY2(d <= kProbTol, qPrintable(QString("%1 head, image %2: max |dp| %3").arg(head).arg(n).arg(d)));
            QVERIFY2(d <= kProbRelTol * pmax,
                     qPrintable(QString("%1 head, image %2: max |dp| %3 vs max p %4").arg(head).arg(n).arg(d).arg(pmax)));

            // Class activation maps against the reference's own feature map.
            const LayerSpec& fls = ref.layers[static_cast<std::size_t>(ref.feature_layer())];
            const std::vector<double>& feat = ref.activations[static_cast<std::size_t>(ref.feature_layer())][n];
            const std::vector<int> cam_classes = {0, 1, nc / 2, nc - 1};
            const std::vector<cv::Mat> cams = class_activation_maps(net, cam_classes, img);
            QCOMPARE(cams.size(), cam_classes.size());
            for (std::size_t ci = 0; ci < cam_classes.size(); ++ci) {
                const int cls = cam_classes[ci];
                const cv::Mat cam = class_activation_map(net, cls, img);
                QCOMPARE(cv::norm(cam, cams[ci], cv::NORM_INF), 0.0);  // batched == one by one
                QCOMPARE(cam.type(), CV_32F);
                QCOMPARE(cam.rows, fls.out_h);
                QCOMPARE(cam.cols, fls.out_w);
                std::vector<double> expect(static_cast<std::size_t>(fls.out_h) * fls.out_w, 0.0);
                for (std::size_t px = 0; px < expect.size(); ++px)
                    for (int c = 0; c < fls.out_c; ++c)
                        expect[px] += static_cast<double>(fc.weights[static_cast<std::size_t>(cls) * fls.out_c + c]) *
                                      feat[px * fls.out_c + static_cast<std::size_t>(c)];
                const double scale = std::max(1.0, max_abs(expect));
                double dc = 0, mean = 0;
                for (int y = 0; y < cam.rows; ++y)
                    for (int x = 0; x < cam.cols; ++x) {
                        const double e = expect[static_cast<std::size_t>(y) * cam.cols + x];
                        dc = std::max(dc, std::abs(cam.at<float>(y, x) - e));
                        mean += cam.at<float>(y, x);
                    }
                worst.cam_rel = std::max(worst.cam_rel, dc / scale);
                QVERIFY2(dc <= kLayerRelTol * scale,
                         qPrintable(QString("%1 head, CAM class %2: max |diff| %3").arg(head).arg(cls).arg(dc)));
                // Averaged over the map, plus the bias, the CAM is that class's logit.
                mean /= static_cast<double>(cam.total());
                const double logit = logits[n][static_cast<std::size_t>(cls)];
                QVERIFY(std::abs(mean + fc.bias[static_cast<std::size_t>(cls)] - logit) <=
                        kLayerRelTol * std::max(1.0, std::abs(logit)));
            }
        }
    };
    check(net_he, ref.activations[fc_idx], ref.probabilities, w_he->layers.back(), worst_he, "He-init");
    if (QTest::currentTestFailed()) return;
    check(net_t, tempered_logits, tempered_probs, w_tempered->layers.back(), worst_t, "tempered");
    if (QTest::currentTestFailed()) return;

    // The tempered head is informative: clearly above uniform, far from one-hot.
    QVERIFY2(worst_t.pmax > 5.0 / nc && worst_t.pmax < 0.9, qPrintable(QString("max p %1").arg(worst_t.pmax)));
    qInfo("He-init head (max p %.3g): max |dp| %.3g, rel %.3g; tempered head (FC x%.3g, max p %.3g): max |dp| %.3g, "
          "rel %.3g; worst layer rel diff %.3g (%s); CAM rel %.3g",
          worst_he.pmax, worst_he.prob, worst_he.prob_rel, static_cast<double>(fc_scale), worst_t.pmax, worst_t.prob,
          worst_t.prob_rel, std::max(worst_he.layer_rel, worst_t.layer_rel),
          qPrintable(worst_he.layer_rel >= worst_t.layer_rel ? worst_he.layer : worst_t.layer),
          std::max(worst_he.cam_rel, worst_t.cam_rel));

    // A second forward on the same input is bit-identical (no state leaks between runs).
    const std::vector<float> first(net_t.probabilities(), net_t.probabilities() + nb * static_cast<std::size_t>(nc));
    net_t.forward();
    QVERIFY(std::equal(first.begin(), first.end(), net_t.probabilities()));
}

// ---------------------------------------------------------------------------
// Runtime cache

void TestNetworkReference::cacheReturnsSameNetwork() {
    ArchConfig arch;
    arch.alpha = 0.25;
    arch.resolution = 64;
    const auto w = random_weights(arch, 7);
    Runtime rt;
    NetworkConfig a;
    a.resolution = 64;
    a.threads = 1;
    NetworkConfig b = a;
    b.batch = 2;

    QVERIFY(!rt.is_cached(w, a));
    const CompiledNetworkPtr n1 = rt.compile(w, a);
    QVERIFY(rt.is_cached(w, a));
    QCOMPARE(rt.cache_size(), std::size_t{1});
    const CompiledNetworkPtr n2 = rt.compile(w, a);
    QCOMPARE(n1.get(), n2.get());
    QCOMPARE(rt.cache_size(), std::size_t{1});
    QCOMPARE(n1->config(), a);
    QCOMPARE(n1->weights_ptr().get(), w.get());

    QVERIFY(!rt.is_cached(w, b));
    const CompiledNetworkPtr nb = rt.compile(w, b);
    QVERIFY(nb.get() != n1.get());
    QCOMPARE(nb->config().batch, 2);
    QCOMPARE(rt.cache_size(), std::size_t{2});
    QVERIFY(rt.is_cached(w, a));
    QCOMPARE(rt.compile(w, a).get(), n1.get());  // going back is cached
    QCOMPARE(rt.compile(w, b).get(), nb.get());

    // Every field of the config and the weights' identity select the network.
    NetworkConfig c = a;
    c.resolution = 96;
    QVERIFY(!rt.is_cached(w, c));
    NetworkConfig d = a;
    d.threads = 2;
    QVERIFY(!rt.is_cached(w, d));
    const auto w_copy = std::make_shared<const ModelWeights>(*w);
    QVERIFY(!rt.is_cached(w_copy, a));
    const CompiledNetworkPtr nc = rt.compile(w_copy, a);
    QVERIFY(nc.get() != n1.get());
    QCOMPARE(rt.cache_size(), std::size_t{3});

    rt.clear_cache();
    QCOMPARE(rt.cache_size(), std::size_t{0});
    QVERIFY(!rt.is_cached(w, a));
}

void TestNetworkReference::cacheEvictsLeastRecentlyUsed() {
    ArchConfig arch;
    arch.alpha = 0.25;
    arch.resolution = 32;
    const auto w = random_weights(arch, 3);
    Runtime rt(2);
    auto cfg = [](int res) {
        NetworkConfig c;
        c.resolution = res;
        c.threads = 1;
        return c;
    };
    const CompiledNetworkPtr a = rt.compile(w, cfg(32));
    CompiledNetworkPtr n40 = rt.compile(w, cfg(40));
    QCOMPARE(rt.cache_size(), std::size_t{2});
    QCOMPARE(rt.compile(w, cfg(32)).get(), a.get());  // 32 is now the most recently used
    rt.compile(w, cfg(48));                           // evicts 40
    QCOMPARE(rt.cache_size(), std::size_t{2});
    QVERIFY(rt.is_cached(w, cfg(32)));
    QVERIFY(!rt.is_cached(w, cfg(40)));
    QVERIFY(rt.is_cached(w, cfg(48)));
    QCOMPARE(rt.compile(w, cfg(32)).get(), a.get());
    // A handle outlives its eviction: the network it holds still runs.
    {
        ExecutionContext evicted(n40);
        evicted.forward();
        QCOMPARE(evicted.network().config().resolution, 40);
    }
    n40.reset();
    rt.compile(w, cfg(40));  // evicts 48 (32 was used last)
    QVERIFY(rt.is_cached(w, cfg(32)));
    QVERIFY(!rt.is_cached(w, cfg(48)));
    QVERIFY(rt.is_cached(w, cfg(40)));
    QCOMPARE(rt.cache_size(), std::size_t{2});

    // The surviving network still runs correctly after evictions around it.
    ExecutionContext ctx(a);
    const auto in = random_input(ctx.input_floats(), 5);
    std::copy(in.begin(), in.end(), ctx.input());
    ctx.forward();
    const auto ref = test::reference_forward(*w, 32, 1, in.data(), false);
    double d = 0;
    for (int c = 0; c < a->num_classes(); ++c) d = std::max(d, std::abs(ctx.probabilities()[c] - ref.probabilities[0][static_cast<std::size_t>(c)]));
    QVERIFY2(d <= kProbTol, qPrintable(QString::number(d)));

    // max_cached 0 behaves as 1.
    Runtime rt1(0);
    const CompiledNetworkPtr x = rt1.compile(w, cfg(32));
    QCOMPARE(rt1.compile(w, cfg(32)).get(), x.get());
    rt1.compile(w, cfg(40));
    QCOMPARE(rt1.cache_size(), std::size_t{1});
    QVERIFY(!rt1.is_cached(w, cfg(32)));
}

// ---------------------------------------------------------------------------
// Validation

void TestNetworkReference::badConfigsThrowInvalidArgument() {
    ArchConfig arch;
    arch.alpha = 0.25;
    arch.resolution = 64;
    const auto w = random_weights(arch, 1);
    Runtime rt;
    NetworkConfig cfg;
    cfg.resolution = 64;
    cfg.threads = 1;

    NetworkConfig bad = cfg;
    bad.resolution = 31;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, rt.compile(w, bad));
    bad.resolution = 1025;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, rt.compile(w, bad));
    bad.resolution = 0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, rt.compile(w, bad));
    bad = cfg;
    bad.batch = 0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, rt.compile(w, bad));
    bad.batch = -3;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, rt.compile(w, bad));
    bad = cfg;
    bad.threads = -1;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, rt.compile(w, bad));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, rt.compile(nullptr, cfg));
    QCOMPARE(rt.cache_size(), std::size_t{0});  // failures are not cached

    ArchConfig a0 = arch;
    a0.alpha = 0.0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, random_weights(a0, 1));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, layer_table(a0));
    a0.alpha = -0.5;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, random_weights(a0, 1));
    ArchConfig r31 = arch;
    r31.resolution = 31;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, random_weights(r31, 1));

    // Weights claiming an impossible alpha are rejected at build time too.
    auto wa = std::make_shared<ModelWeights>(*w);
    wa->alpha = 0.0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, rt.compile(wa, cfg));

    // The good config still builds after all that.
    QCOMPARE(rt.compile(w, cfg)->layers().size(), std::size_t{30});
}

void TestNetworkReference::wrongWeightShapesThrowRuntimeError() {
    ArchConfig arch;
    arch.alpha = 0.5;
    arch.resolution = 64;
    const auto base = random_weights(arch, 11);
    Runtime rt;
    NetworkConfig cfg;
    cfg.resolution = 64;
    cfg.threads = 1;

    auto expect_rejected = [&](const std::shared_ptr<ModelWeights>& w, const char* what) {
        bool threw = false;
        try {
            rt.compile(w, cfg);
        } catch (const std::invalid_argument& e) {
            QFAIL(qPrintable(QString("%1: invalid_argument instead of runtime_error: %2").arg(what, e.what())));
        } catch (const std::runtime_error& e) {
            threw = true;
            QVERIFY2(std::string(e.what()).size() > 0, what);
        }
        QVERIFY2(threw, what);
        QVERIFY2(!rt.is_cached(w, cfg), what);
    };

    {   // weights of alpha 0.5 declared as alpha 0.25
        auto w = std::make_shared<ModelWeights>(*base);
        w->alpha = 0.25;
        expect_rejected(w, "alpha mismatch");
    }
    {   // 1000-class weights declared as 1001 classes
        auto w = std::make_shared<ModelWeights>(*base);
        QCOMPARE(w->num_classes, 1000);
        w->num_classes = 1001;
        expect_rejected(w, "class count mismatch");
    }
    {   // one weight too few in pw5
        auto w = std::make_shared<ModelWeights>(*base);
        for (LayerWeights& l : w->layers)
            if (l.name == "pw5") l.weights.pop_back();
        expect_rejected(w, "short pw5");
    }
    {   // one bias too many in dw3
        auto w = std::make_shared<ModelWeights>(*base);
        for (LayerWeights& l : w->layers)
            if (l.name == "dw3") l.bias.push_back(0.0f);
        expect_rejected(w, "long dw3 bias");
    }
    {   // a missing layer
        auto w = std::make_shared<ModelWeights>(*base);
        w->layers.erase(w->layers.begin() + 4);
        expect_rejected(w, "missing layer");
    }
    {   // an extra layer
        auto w = std::make_shared<ModelWeights>(*base);
        w->layers.push_back(w->layers.back());
        expect_rejected(w, "extra layer");
    }
    {   // standard-conv layer set declared as depthwise-separable
        ArchConfig s = arch;
        s.standard_conv = true;
        auto w = std::make_shared<ModelWeights>(*random_weights(s, 2));
        w->standard_conv = false;
        expect_rejected(w, "standard-conv weights");
    }
    {   // empty
        auto w = std::make_shared<ModelWeights>(*base);
        w->layers.clear();
        expect_rejected(w, "no layers");
    }
    QCOMPARE(rt.cache_size(), std::size_t{0});
}

// ---------------------------------------------------------------------------
// Profiling, feature layer

void TestNetworkReference::profilingOneEntryPerStep() {
    ArchConfig arch;
    arch.alpha = 0.25;
    arch.resolution = 64;
    const auto w = random_weights(arch, 5);
    Runtime rt;
    NetworkConfig cfg;
    cfg.resolution = 64;
    cfg.batch = 2;
    cfg.threads = 2;
    ExecutionContext net(rt.compile(w, cfg));
    QVERIFY(net.network().build_ms() >= 0);
    QVERIFY(!net.network().pretrained());

    const auto in = random_input(net.input_floats(), 9);
    std::copy(in.begin(), in.end(), net.input());
    QVERIFY(!net.profiling());
    net.forward();
    QVERIFY(net.profile().empty());
    const std::vector<float> plain(net.probabilities(), net.probabilities() + 2 * net.network().num_classes());

    net.set_profiling(true);
    QVERIFY(net.profiling());
    for (int run = 0; run < 2; ++run) {  // a second run replaces, not appends
        net.forward();
        const std::vector<LayerProfile>& prof = net.profile();
        const std::vector<LayerSpec>& layers = net.network().layers();
        // One entry per layer, plus at most one input reorder (layer -1) in front.
        QVERIFY2(prof.size() == layers.size() || prof.size() == layers.size() + 1,
                 qPrintable(QString("%1 profile entries for %2 layers").arg(prof.size()).arg(layers.size())));
        std::size_t i = 0;
        if (prof.size() == layers.size() + 1) {
            QCOMPARE(prof[0].layer, -1);
            QCOMPARE(QString::fromStdString(prof[0].name), QStringLiteral("input reorder"));
            QVERIFY(!prof[0].impl.empty());
            QVERIFY(prof[0].ms >= 0);
            i = 1;
        }
        for (std::size_t li = 0; li < layers.size(); ++li, ++i) {
            const LayerProfile& p = prof[i];
            QCOMPARE(p.layer, static_cast<int>(li));
            QCOMPARE(QString::fromStdString(p.name), QString::fromStdString(layers[li].name));
            QVERIFY2(!p.impl.empty(), p.name.c_str());
            QVERIFY2(p.ms >= 0 && std::isfinite(p.ms), p.name.c_str());
            QCOMPARE(QString::fromStdString(p.impl), QString::fromStdString(net.network().implementations()[li]));
        }
    }
    // Profiling does not change the results.
    QVERIFY(std::equal(plain.begin(), plain.end(), net.probabilities()));

    QCOMPARE(net.network().implementations().size(), net.network().layers().size());
    for (const std::string& impl : net.network().implementations()) QVERIFY(!impl.empty());

    net.set_profiling(false);
    QVERIFY(!net.profiling());
    QVERIFY(!onednn_version().empty());
    QVERIFY(!onednn_cpu_isa().empty());
    QVERIFY(hardware_threads() >= 1);
}

void TestNetworkReference::featureLayerIsLastPointwise() {
    Runtime rt;
    NetworkConfig cfg;
    cfg.resolution = 64;
    cfg.threads = 1;
    for (bool standard : {false, true}) {
        ArchConfig arch;
        arch.alpha = 0.25;
        arch.resolution = 64;
        arch.standard_conv = standard;
        const CompiledNetworkPtr net = rt.compile(random_weights(arch, 1), cfg);
        const auto& layers = net->layers();
        const int fl = net->feature_layer();
        QVERIFY(fl >= 0 && fl < static_cast<int>(layers.size()));
        const LayerSpec& l = layers[static_cast<std::size_t>(fl)];
        QCOMPARE(QString::fromStdString(l.name), standard ? QStringLiteral("conv13") : QStringLiteral("pw13"));
        QCOMPARE(l.kind, standard ? LayerKind::ConvFull : LayerKind::Pointwise);
        QCOMPARE(layers[static_cast<std::size_t>(fl) + 1].kind, LayerKind::AvgPool);
        for (std::size_t i = static_cast<std::size_t>(fl) + 1; i < layers.size(); ++i) {
            QVERIFY(layers[i].kind != LayerKind::Pointwise && layers[i].kind != LayerKind::ConvFull);
        }
        QCOMPARE(l.out_h, 2);  // 64 / 32
        QCOMPARE(l.out_c, 256);
    }
}

void TestNetworkReference::copyActivationRejectsBadIndices() {
    ArchConfig arch;
    arch.alpha = 0.25;
    arch.resolution = 32;
    Runtime rt;
    NetworkConfig cfg;
    cfg.resolution = 32;
    cfg.batch = 2;
    cfg.threads = 1;
    ExecutionContext net(rt.compile(random_weights(arch, 1), cfg), {.keep_activations = true});
    net.forward();
    std::vector<float> buf;
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, net.copy_activation(-1, 0, buf));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, net.copy_activation(static_cast<int>(net.network().layers().size()), 0, buf));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, net.copy_activation(0, 2, buf));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, net.copy_activation(0, -1, buf));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, class_activation_map(net, -1));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, class_activation_map(net, net.network().num_classes()));
    net.copy_activation(0, 1, buf);
    QCOMPARE(buf.size(), static_cast<std::size_t>(16 * 16 * 8));
}

QTEST_APPLESS_MAIN(TestNetworkReference)
#include "test_network_reference.moc"
