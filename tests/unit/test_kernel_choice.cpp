// Choosing a depthwise kernel by timing (core/src/engine/kernel_choice.hpp). The engine
// keeps whichever of oneDNN's first two implementations of the same instruction set ran
// faster when it built the network, so both must compute the layer:
//  - implementations_to_time starts with oneDNN's own pick, holds at most one more, of the
//    same instruction set, and never a reference kernel;
//  - every candidate, on MobileNet v1's depthwise shapes (stride 1 and 2, TF's SAME
//    padding), matches a naive loop: f32 within float rounding, int8 (u8 in, s8 weights,
//    s32 bias, output scale 1/64 so that ties to even occur, u8 out) exactly;
//  - time_main_primitive times a built layer and refuses one that needs tensors it
//    cannot fill (main_tensors); fastest_implementation returns one of the candidates.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "engine/kernel_choice.hpp"

using namespace mnv1;
using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;
using ConvPd = dnnl::convolution_forward::primitive_desc;

namespace {

struct DwShape {
    int c, h, stride;
    int out() const { return stride == 2 ? h / 2 : h; }
    int pad_before() const { return stride == 2 ? 0 : 1; }  // TF SAME: stride 2 pads after only
};

const std::vector<DwShape> kShapes = {{32, 112, 1}, {64, 112, 2}, {128, 28, 1}, {512, 14, 2}, {1024, 7, 1}};

// The operation descriptor: each test keeps it alive while implementations are listed.
dnnl::convolution_forward::desc depthwise(const DwShape& s, dt src_dt, dt wei_dt, dt bias_dt, dt dst_dt) {
    const memory::desc src({1, s.c, s.h, s.h}, src_dt, tag::nhwc);
    const memory::desc wei({s.c, 1, 1, 3, 3}, wei_dt, tag::any);
    const memory::desc bias({s.c}, bias_dt, tag::x);
    const memory::desc dst({1, s.c, s.out(), s.out()}, dst_dt, tag::nhwc);
    return dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                           src, wei, bias, dst, {s.stride, s.stride},
                                           {s.pad_before(), s.pad_before()}, {1, 1});
}

// Naive depthwise sum at output (y, x) of channel c: nhwc input, weights [c][3][3].
template <class In, class W>
double window_sum(const DwShape& s, const std::vector<In>& in, const std::vector<W>& w, int c, int y, int x) {
    double acc = 0;
    for (int ky = 0; ky < 3; ++ky) {
        for (int kx = 0; kx < 3; ++kx) {
            const int iy = y * s.stride + ky - s.pad_before(), ix = x * s.stride + kx - s.pad_before();
            if (iy < 0 || ix < 0 || iy >= s.h || ix >= s.h) continue;
            acc += double(in[static_cast<std::size_t>((iy * s.h + ix) * s.c + c)]) *
                   double(w[static_cast<std::size_t>(c * 9 + ky * 3 + kx)]);
        }
    }
    return acc;
}

// Runs one candidate with user data in plain layouts (goihw weights reordered into its own).
template <class T>
std::vector<T> run(const dnnl::engine& eng, dnnl::stream& strm, const ConvPd& pd, const DwShape& s, dt wei_dt,
                   void* src, void* wei, void* bias) {
    memory user_w(memory::desc({s.c, 1, 1, 3, 3}, wei_dt, tag::goihw), eng, wei);
    memory w(pd.weights_desc(), eng);
    dnnl::reorder(user_w, w).execute(strm, user_w, w);
    memory src_m(pd.src_desc(), eng, src), bias_m(pd.bias_desc(), eng, bias), dst_m(pd.dst_desc(), eng);
    memory scratch(pd.scratchpad_desc(), eng);
    dnnl::convolution_forward(pd).execute(strm, {{DNNL_ARG_SRC, src_m},
                                                 {DNNL_ARG_WEIGHTS, w},
                                                 {DNNL_ARG_BIAS, bias_m},
                                                 {DNNL_ARG_DST, dst_m},
                                                 {DNNL_ARG_SCRATCHPAD, scratch}});
    strm.wait();
    std::vector<T> out(pd.dst_desc().get_size() / sizeof(T));
    std::memcpy(out.data(), dst_m.get_data_handle(), out.size() * sizeof(T));
    return out;
}

dnnl::primitive_attr user_scratchpad() {
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    return attr;
}

}  // namespace

class TestKernelChoice : public QObject {
    Q_OBJECT
    dnnl::engine eng_{dnnl::engine::kind::cpu, 0};
    dnnl::stream strm_{eng_};

private slots:
    void candidatesAreOneDnnsFirstAndOneOfItsIsa() {
        for (const DwShape& s : kShapes) {
            const auto desc = depthwise(s, dt::f32, dt::f32, dt::f32, dt::f32);
            const ConvPd pd(desc, user_scratchpad(), eng_);
            const auto candidates = implementations_to_time<ConvPd>(desc, user_scratchpad(), eng_);
            QVERIFY(candidates.size() == implementations_to_time<ConvPd>(desc, user_scratchpad(), eng_).size());
            QVERIFY(!candidates.empty() && candidates.size() <= 2);
            const std::string first = pd.impl_info_str();
            QCOMPARE(std::string(candidates.front().impl_info_str()), first);
            for (const auto& c : candidates) {
                const std::string impl = c.impl_info_str();
                QVERIFY2(impl.rfind("ref", 0) != 0, impl.c_str());
                QCOMPARE(impl.substr(impl.find(':')), first.substr(first.find(':')));
            }
        }
    }

    void f32CandidatesMatchNaiveLoop() {
        std::mt19937 rng(7);
        std::uniform_real_distribution<float> u(-1.0f, 1.0f);
        for (const DwShape& s : kShapes) {
            std::vector<float> src(static_cast<std::size_t>(s.h * s.h * s.c)), wei(static_cast<std::size_t>(s.c * 9)),
                bias(static_cast<std::size_t>(s.c));
            for (float& v : src) v = u(rng);
            for (float& v : wei) v = u(rng);
            for (float& v : bias) v = u(rng);
            const auto desc = depthwise(s, dt::f32, dt::f32, dt::f32, dt::f32);
            for (const auto& cand : implementations_to_time<ConvPd>(desc, user_scratchpad(), eng_)) {
                const auto out = run<float>(eng_, strm_, cand, s, dt::f32, src.data(), wei.data(), bias.data());
                double worst = 0;
                for (int y = 0; y < s.out(); ++y) {
                    for (int x = 0; x < s.out(); ++x) {
                        for (int c = 0; c < s.c; ++c) {
                            const double want = window_sum(s, src, wei, c, y, x) + bias[static_cast<std::size_t>(c)];
                            const float got = out[static_cast<std::size_t>((y * s.out() + x) * s.c + c)];
                            worst = std::max(worst, std::abs(got - want));
                        }
                    }
                }
                QVERIFY2(worst < 1e-5, (std::string(cand.impl_info_str()) + " at c=" + std::to_string(s.c) +
                                        ": max error " + std::to_string(worst))
                                           .c_str());
            }
        }
    }

    void int8CandidatesMatchNaiveLoopExactly() {
        std::mt19937 rng(11);
        std::uniform_int_distribution<int> u8(0, 255), s8(-127, 127), b32(-3000, 3000);
        dnnl::primitive_attr attr = user_scratchpad();
        attr.set_output_scales(0, {1.0f / 64});
        for (const DwShape& s : kShapes) {
            std::vector<std::uint8_t> src(static_cast<std::size_t>(s.h * s.h * s.c));
            std::vector<std::int8_t> wei(static_cast<std::size_t>(s.c * 9));
            std::vector<std::int32_t> bias(static_cast<std::size_t>(s.c));
            for (auto& v : src) v = static_cast<std::uint8_t>(u8(rng));
            for (auto& v : wei) v = static_cast<std::int8_t>(s8(rng));
            for (auto& v : bias) v = b32(rng);
            const auto desc = depthwise(s, dt::u8, dt::s8, dt::s32, dt::u8);
            for (const auto& cand : implementations_to_time<ConvPd>(desc, attr, eng_)) {
                const auto out = run<std::uint8_t>(eng_, strm_, cand, s, dt::s8, src.data(), wei.data(), bias.data());
                int differ = 0;
                for (int y = 0; y < s.out(); ++y) {
                    for (int x = 0; x < s.out(); ++x) {
                        for (int c = 0; c < s.c; ++c) {
                            const double acc = window_sum(s, src, wei, c, y, x) + bias[static_cast<std::size_t>(c)];
                            // acc / 64 is exact in float: ties are real and go to even.
                            const double want = std::clamp(std::nearbyint(acc / 64), 0.0, 255.0);
                            differ += out[static_cast<std::size_t>((y * s.out() + x) * s.c + c)] != want;
                        }
                    }
                }
                QVERIFY2(differ == 0, (std::string(cand.impl_info_str()) + " at c=" + std::to_string(s.c) + ": " +
                                       std::to_string(differ) + " outputs differ")
                                          .c_str());
            }
        }
    }

    void timingChoosesACandidateAndRefusesWhatItCannotFill() {
        const NetworkConfig cfg;
        const ModelWeights weights;
        const BuildEnv env{eng_, strm_, cfg, weights};
        const DwShape s{128, 28, 1};
        const auto desc = depthwise(s, dt::f32, dt::f32, dt::f32, dt::f32);
        const dnnl::primitive_attr attr = user_scratchpad();
        std::vector<std::string> built;
        const std::function<BuiltLayer(const ConvPd&)> build = [&](const ConvPd& chosen) {
            BuiltLayer b = built_layer(chosen, dnnl::convolution_forward(chosen));
            b.constants[DNNL_ARG_WEIGHTS] = memory(chosen.weights_desc(), eng_);
            b.constants[DNNL_ARG_BIAS] = memory(chosen.bias_desc(), eng_);
            built.push_back(b.impl);
            return b;
        };
        const BuiltLayer chosen = fastest_implementation(env, desc, attr, build);
        QCOMPARE(built.size(), implementations_to_time<ConvPd>(desc, attr, eng_).size());
        QVERIFY(std::find(built.begin(), built.end(), chosen.impl) != built.end());
        QVERIFY(time_main_primitive(env, chosen) > 0);

        BuiltLayer needs_more = build(ConvPd(desc, attr, eng_));
        needs_more.main_tensors.push_back({DNNL_ARG_SRC_1, {}});
        QCOMPARE(time_main_primitive(env, needs_more), -1.0);
    }
};

QTEST_APPLESS_MAIN(TestKernelChoice)
#include "test_kernel_choice.moc"
