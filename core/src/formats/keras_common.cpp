#include "keras_common.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>

#include "mobilenet/errors.hpp"

namespace mnv1::detail::keras {

namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
    throw ModelError(path, problem);  // one line: Error replaces control characters
}

// ---- small JSON accessors (the config is untrusted: check every type) ----------------

const json* find(const json& obj, const char* key) {
    if (!obj.is_object()) return nullptr;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return nullptr;
    return &*it;
}

std::string get_string(const json& obj, const char* key, const std::string& fallback = {}) {
    const json* v = find(obj, key);
    return v && v->is_string() ? v->get<std::string>() : fallback;
}

bool get_bool(const json& obj, const char* key, bool fallback) {
    const json* v = find(obj, key);
    return v && v->is_boolean() ? v->get<bool>() : fallback;
}

// An int or a pair of equal ints ([3, 3], (2, 2)); nullopt when absent.
std::optional<int> get_square(const json& cfg, const char* key, const std::string& layer, const std::string& path) {
    const json* v = find(cfg, key);
    if (!v) return std::nullopt;
    auto as_int = [&](const json& x) -> int {
        if (!x.is_number_integer()) fail(path, "layer '" + layer + "': " + key + " is not an integer");
        const auto n = x.get<std::int64_t>();
        if (n < 0 || n > 4096) fail(path, "layer '" + layer + "': " + key + " out of range");
        return static_cast<int>(n);
    };
    if (v->is_number()) return as_int(*v);
    if (v->is_array() && v->size() == 2) {
        const int a = as_int((*v)[0]), b = as_int((*v)[1]);
        if (a != b) {
            fail(path, "layer '" + layer + "': non-square " + key + " (" + std::to_string(a) + ", " +
                           std::to_string(b) + ") is not MobileNet v1");
        }
        return a;
    }
    fail(path, "layer '" + layer + "': malformed " + key);
}

int get_positive_int(const json& cfg, const char* key, const std::string& layer, const std::string& path,
                     int max_value) {
    const json* v = find(cfg, key);
    if (!v || !v->is_number_integer()) fail(path, "layer '" + layer + "' has no integer '" + key + "'");
    const auto n = v->get<std::int64_t>();
    if (n < 1 || n > max_value) {
        fail(path, "layer '" + layer + "': " + key + " = " + std::to_string(n) + " is out of range");
    }
    return static_cast<int>(n);
}

// ---- graph ----------------------------------------------------------------------------

struct Node {
    std::string cls;
    std::string name;
    const json* cfg = nullptr;  // layer["config"] (an object)
    std::vector<std::string> inbound;
};

void collect_keras3_history(const json& j, std::vector<std::string>& out) {
    if (j.is_object()) {
        if (get_string(j, "class_name") == "__keras_tensor__") {
            const json* c = find(j, "config");
            const json* h = c ? find(*c, "keras_history") : nullptr;
            if (h && h->is_array() && !h->empty() && (*h)[0].is_string()) out.push_back((*h)[0].get<std::string>());
            return;
        }
        for (const auto& [k, v] : j.items()) collect_keras3_history(v, out);
    } else if (j.is_array()) {
        for (const json& v : j) collect_keras3_history(v, out);
    }
}

std::vector<std::string> parse_inbound(const json& layer, const std::string& name, const std::string& path) {
    std::vector<std::string> out;
    const json* nodes = find(layer, "inbound_nodes");
    if (!nodes) return out;
    if (!nodes->is_array()) fail(path, "layer '" + name + "': malformed inbound_nodes");
    if (nodes->empty()) return out;
    if (nodes->size() > 1) {
        fail(path, "layer '" + name + "' is called " + std::to_string(nodes->size()) +
                       " times (shared layer); not a MobileNet v1 graph");
    }
    const json& node = (*nodes)[0];
    if (node.is_array()) {  // Keras 2: [[name, node_index, tensor_index, kwargs], ...]
        for (const json& t : node) {
            if (!t.is_array() || t.empty() || !t[0].is_string()) {
                fail(path, "layer '" + name + "': malformed inbound node");
            }
            out.push_back(t[0].get<std::string>());
        }
    } else if (node.is_object()) {  // Keras 3: {"args": [keras tensors], "kwargs": {...}}
        if (const json* args = find(node, "args")) collect_keras3_history(*args, out);
    } else {
        fail(path, "layer '" + name + "': malformed inbound node");
    }
    return out;
}

// Layers of the model from input to output, following the single data path.
std::vector<Node> linear_chain(const json& model_config, const std::string& path, std::string& model_name) {
    const std::string cls = get_string(model_config, "class_name");
    const json* cfg = find(model_config, "config");
    if (!cfg) fail(path, "model config has no 'config'");
    const json* layers = nullptr;
    if (cfg->is_array()) {
        layers = cfg;  // Keras <= 2.1 Sequential: the config is the layer list
    } else {
        model_name = get_string(*cfg, "name");
        layers = find(*cfg, "layers");
    }
    if (!layers || !layers->is_array() || layers->empty()) fail(path, "model config has no layers");
    if (layers->size() > 10000) fail(path, "model config has too many layers");

    std::vector<Node> nodes;
    std::map<std::string, std::size_t> index;
    for (const json& l : *layers) {
        if (!l.is_object()) fail(path, "model config: a layer is not an object");
        Node n;
        n.cls = get_string(l, "class_name");
        const json* c = find(l, "config");
        if (!c || !c->is_object()) fail(path, "layer of class '" + n.cls + "' has no config");
        n.cfg = c;
        n.name = get_string(l, "name", get_string(*c, "name"));
        if (n.name.empty()) fail(path, "a layer of class '" + n.cls + "' has no name");
        if (n.cls == "Model" || n.cls == "Functional" || n.cls == "Sequential") {
            fail(path, "layer '" + n.name + "' is a nested model; only flat MobileNet v1 graphs are supported");
        }
        n.inbound = parse_inbound(l, n.name, path);
        if (!index.emplace(n.name, nodes.size()).second) fail(path, "duplicate layer name '" + n.name + "'");
        nodes.push_back(std::move(n));
    }

    const bool sequential = cls == "Sequential" || cfg->is_array();
    if (sequential) return nodes;  // order is the data path

    // Functional: find the input, then follow consumers.
    std::string input;
    if (const json* in = find(*cfg, "input_layers"); in && in->is_array() && !in->empty()) {
        if (in->size() != 1 && !(in->size() == 3 && (*in)[0].is_string())) {
            fail(path, "model has " + std::to_string(in->size()) + " inputs; MobileNet v1 has one");
        }
        const json& first = (*in)[0];
        if (first.is_string()) input = first.get<std::string>();  // Keras 3 single input: [name, 0, 0]
        else if (first.is_array() && !first.empty() && first[0].is_string()) input = first[0].get<std::string>();
    }
    if (input.empty()) {
        for (const Node& n : nodes)
            if (n.cls == "InputLayer") {
                if (!input.empty()) fail(path, "model has several inputs; MobileNet v1 has one");
                input = n.name;
            }
    }
    if (input.empty() || !index.count(input)) fail(path, "model config names no valid input layer");

    std::vector<std::vector<std::size_t>> consumers(nodes.size());
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        for (const std::string& src : nodes[i].inbound) {
            auto it = index.find(src);
            if (it == index.end()) fail(path, "layer '" + nodes[i].name + "' reads unknown layer '" + src + "'");
            consumers[it->second].push_back(i);
        }
    }
    std::vector<Node> chain;
    std::vector<bool> seen(nodes.size(), false);
    std::size_t cur = index[input];
    if (!nodes[cur].inbound.empty()) fail(path, "input layer '" + input + "' has inputs");
    for (;;) {
        if (seen[cur]) fail(path, "model graph has a cycle at layer '" + nodes[cur].name + "'");
        seen[cur] = true;
        chain.push_back(nodes[cur]);
        const auto& next = consumers[cur];
        if (next.empty()) break;
        if (next.size() > 1) {
            fail(path, "layer '" + nodes[cur].name + "' feeds " + std::to_string(next.size()) +
                           " layers (branching graph); not a MobileNet v1");
        }
        cur = next[0];
        if (nodes[cur].inbound.size() != 1) {
            fail(path, "layer '" + nodes[cur].name + "' (" + nodes[cur].cls + ") has " +
                           std::to_string(nodes[cur].inbound.size()) + " inputs; not a MobileNet v1");
        }
    }
    if (chain.size() != nodes.size()) {
        for (std::size_t i = 0; i < nodes.size(); ++i)
            if (!seen[i]) fail(path, "layer '" + nodes[i].name + "' is not on the path from the input to the output");
    }
    if (const json* out = find(*cfg, "output_layers"); out && out->is_array() && !out->empty()) {
        const json& first = (*out)[0];
        std::string name;
        if (first.is_string()) name = first.get<std::string>();
        else if (first.is_array() && !first.empty() && first[0].is_string()) name = first[0].get<std::string>();
        if (!name.empty() && name != chain.back().name) {
            fail(path, "the output layer '" + name + "' is not the end of the data path ('" + chain.back().name + "')");
        }
    }
    return chain;
}

// Batch shape of the input: [null, H, W, C].
void input_shape(const json& cfg, const std::string& layer, const std::string& path, int& resolution,
                 int& channels, bool& known) {
    const json* shape = find(cfg, "batch_input_shape");
    if (!shape) shape = find(cfg, "batch_shape");  // Keras 3
    known = false;
    if (!shape) return;
    if (!shape->is_array() || shape->size() != 4) {
        fail(path, "input layer '" + layer + "' shape is not [batch, height, width, channels]");
    }
    const json& h = (*shape)[1];
    const json& w = (*shape)[2];
    const json& c = (*shape)[3];
    if (c.is_number_integer()) channels = c.get<int>();
    if (h.is_null() && w.is_null()) return;
    if (!h.is_number_integer() || !w.is_number_integer()) fail(path, "input layer '" + layer + "': malformed shape");
    const auto hh = h.get<std::int64_t>(), ww = w.get<std::int64_t>();
    if (hh != ww) {
        fail(path, "input is " + std::to_string(hh) + "x" + std::to_string(ww) + "; only square inputs are supported");
    }
    if (hh < 32 || hh > 1024) fail(path, "input resolution " + std::to_string(hh) + " outside [32, 1024]");
    resolution = static_cast<int>(hh);
    known = true;
}

struct Pad4 {
    int top = 0, bottom = 0, left = 0, right = 0;
};

Pad4 parse_zero_padding(const json& cfg, const std::string& layer, const std::string& path) {
    const json* p = find(cfg, "padding");
    auto as_int = [&](const json& x) -> int {
        if (!x.is_number_integer()) fail(path, "layer '" + layer + "': malformed padding");
        const auto n = x.get<std::int64_t>();
        if (n < 0 || n > 64) fail(path, "layer '" + layer + "': padding out of range");
        return static_cast<int>(n);
    };
    Pad4 r;
    if (!p) {
        r = {1, 1, 1, 1};  // Keras default
    } else if (p->is_number()) {
        const int v = as_int(*p);
        r = {v, v, v, v};
    } else if (p->is_array() && p->size() == 2 && (*p)[0].is_number() && (*p)[1].is_number()) {
        const int a = as_int((*p)[0]), b = as_int((*p)[1]);  // (symmetric_height, symmetric_width)
        r = {a, a, b, b};
    } else if (p->is_array() && p->size() == 2 && (*p)[0].is_array() && (*p)[1].is_array() &&
               (*p)[0].size() == 2 && (*p)[1].size() == 2) {
        r = {as_int((*p)[0][0]), as_int((*p)[0][1]), as_int((*p)[1][0]), as_int((*p)[1][1])};
    } else {
        fail(path, "layer '" + layer + "': malformed padding");
    }
    if (get_string(cfg, "data_format", "channels_last") != "channels_last") {
        fail(path, "layer '" + layer + "': only channels_last is supported");
    }
    return r;
}

std::string pad_text(const Pad4& p) {
    return "(" + std::to_string(p.top) + "," + std::to_string(p.bottom) + ")";
}

// Activation of a ReLU / Activation layer; nullopt for "linear".
std::optional<Activation> parse_activation(const Node& n, const std::string& path) {
    if (n.cls == "ReLU") {
        const json& c = *n.cfg;
        if (const json* slope = find(c, "negative_slope"); slope && (!slope->is_number() || slope->get<double>() != 0.0))
            fail(path, "layer '" + n.name + "': leaky ReLU is not MobileNet v1");
        if (const json* t = find(c, "threshold"); t && (!t->is_number() || t->get<double>() != 0.0))
            fail(path, "layer '" + n.name + "': thresholded ReLU is not MobileNet v1");
        const json* mv = find(c, "max_value");
        if (!mv) return Activation::Relu;
        if (mv->is_number() && mv->get<double>() == 6.0) return Activation::Relu6;
        fail(path, "layer '" + n.name + "': ReLU max_value " + mv->dump() + " is neither none nor 6");
    }
    // Activation layer
    const std::string a = get_string(*n.cfg, "activation");
    if (a == "relu6") return Activation::Relu6;
    if (a == "relu") return Activation::Relu;
    if (a == "linear") return std::nullopt;
    fail(path, "layer '" + n.name + "': activation '" + a + "' is not MobileNet v1 (relu/relu6)");
}

void check_conv_common(const Node& n, const std::string& path) {
    const json& c = *n.cfg;
    if (get_string(c, "data_format", "channels_last") != "channels_last") {
        fail(path, "layer '" + n.name + "': only channels_last is supported");
    }
    if (auto d = get_square(c, "dilation_rate", n.name, path); d && *d != 1) {
        fail(path, "layer '" + n.name + "': dilated convolution is not MobileNet v1");
    }
    if (const json* g = find(c, "groups"); g && !(g->is_number_integer() && g->get<int>() == 1)) {
        fail(path, "layer '" + n.name + "': grouped convolution is not supported");
    }
    if (const json* dm = find(c, "depth_multiplier"); dm && !(dm->is_number_integer() && dm->get<int>() == 1)) {
        fail(path, "layer '" + n.name + "': depth_multiplier != 1 is not MobileNet v1");
    }
}

}  // namespace

// ---- public helpers ---------------------------------------------------------------------

std::string shape_string(const Shape& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

Shape ConvSpec::keras_kernel_shape() const {
    switch (type) {
        case ConvType::Conv: return {kernel, kernel, in_c, out_c};
        case ConvType::Depthwise: return {kernel, kernel, in_c, 1};
        case ConvType::Dense: return {in_c, out_c};
    }
    return {};
}

std::string canonical_model_name(double alpha, int resolution) {
    return "mobilenet_v1_" + format_alpha(alpha) + "_" + std::to_string(resolution);
}

std::string strip_tensor_suffix(const std::string& name) {
    const auto colon = name.rfind(':');
    if (colon == std::string::npos || colon + 1 >= name.size()) return name;
    for (std::size_t i = colon + 1; i < name.size(); ++i)
        if (name[i] < '0' || name[i] > '9') return name;
    return name.substr(0, colon);
}

std::vector<float> hwio_to_oihw(const std::vector<float>& src, int kh, int kw, int in_c, int out_c) {
    std::vector<float> dst(src.size());
    for (int y = 0; y < kh; ++y)
        for (int x = 0; x < kw; ++x)
            for (int i = 0; i < in_c; ++i)
                for (int o = 0; o < out_c; ++o) {
                    const std::size_t s = ((static_cast<std::size_t>(y) * kw + x) * in_c + i) * out_c + o;
                    const std::size_t d = ((static_cast<std::size_t>(o) * in_c + i) * kh + y) * kw + x;
                    dst[d] = src[s];
                }
    return dst;
}

std::vector<float> hwc1_to_c11hw(const std::vector<float>& src, int kh, int kw, int channels) {
    std::vector<float> dst(src.size());
    for (int y = 0; y < kh; ++y)
        for (int x = 0; x < kw; ++x)
            for (int c = 0; c < channels; ++c)
                dst[(static_cast<std::size_t>(c) * kh + y) * kw + x] =
                    src[(static_cast<std::size_t>(y) * kw + x) * channels + c];
    return dst;
}

std::vector<float> io_to_oi(const std::vector<float>& src, int in_c, int out_c) {
    std::vector<float> dst(src.size());
    for (int i = 0; i < in_c; ++i)
        for (int o = 0; o < out_c; ++o)
            dst[static_cast<std::size_t>(o) * in_c + i] = src[static_cast<std::size_t>(i) * out_c + o];
    return dst;
}

void fold_batch_norm(std::vector<float>& weights, std::vector<float>& bias, const std::vector<float>& gamma,
                     const std::vector<float>& beta, const std::vector<float>& mean,
                     const std::vector<float>& variance, double epsilon) {
    const std::size_t channels = bias.size();
    if (channels == 0 || weights.size() % channels != 0) throw std::invalid_argument("fold_batch_norm: bad sizes");
    const std::size_t per = weights.size() / channels;
    for (std::size_t c = 0; c < channels; ++c) {
        const double g = gamma.empty() ? 1.0 : gamma[c];
        const double b = beta.empty() ? 0.0 : beta[c];
        const double var = variance[c] + epsilon;
        if (!(var > 0.0)) throw std::invalid_argument("non-positive variance + epsilon in channel " + std::to_string(c));
        const double scale = g / std::sqrt(var);
        for (std::size_t k = 0; k < per; ++k) {
            float& v = weights[c * per + k];
            v = static_cast<float>(v * scale);
        }
        bias[c] = static_cast<float>(b + (static_cast<double>(bias[c]) - mean[c]) * scale);
    }
}

// ---- graph parsing ---------------------------------------------------------------------------

GraphSpec parse_model_config(const json& model_config, const std::string& path) {
    try {
        if (!model_config.is_object()) fail(path, "model config is not a JSON object");
        GraphSpec g;
        std::vector<Node> chain = linear_chain(model_config, path, g.model_name);

        // Input.
        int in_channels = 3;
        bool res_known = false;
        int resolution = 224;
        // An InputLayer, or (old Sequential configs) the first layer, carries the batch shape.
        input_shape(*chain[0].cfg, chain[0].name, path, resolution, in_channels, res_known);
        const std::size_t first = chain[0].cls == "InputLayer" ? 1 : 0;
        if (in_channels != 3) fail(path, "input has " + std::to_string(in_channels) + " channels; expected RGB (3)");
        if (!res_known) {
            // Flexible-size input: fall back to the Keras model name ("mobilenet_0.25_224"), else 224.
            resolution = 224;
            const auto us = g.model_name.rfind('_');
            if (us != std::string::npos) {
                try {
                    const int r = std::stoi(g.model_name.substr(us + 1));
                    if (r >= 32 && r <= 1024) resolution = r;
                } catch (const std::exception&) {
                }
            }
        }

        enum class Stage { Features, Pooled, Classified };
        Stage stage = Stage::Features;
        int hw = resolution;
        int channels = in_channels;
        Pad4 pending{};               // accumulated ZeroPadding2D before the next conv
        bool pending_pad = false;
        std::string pending_pad_layer;
        bool need_activation = false;   // a feature conv waits for its ReLU
        bool prev_is_conv = false;       // the previous layer was a conv (BN may follow)
        bool softmax = false;
        std::vector<FoundConv> found;  // what the shared matcher checks, one per ConvSpec

        for (std::size_t li = first; li < chain.size(); ++li) {
            const Node& n = chain[li];
            const json& c = *n.cfg;
            const bool was_conv = prev_is_conv;
            prev_is_conv = false;
            if (n.cls == "InputLayer") fail(path, "second input layer '" + n.name + "'");

            if (n.cls == "Dropout" || n.cls == "SpatialDropout2D") continue;  // identity at inference
            if (n.cls == "Reshape" || n.cls == "Flatten") {
                if (stage == Stage::Features) fail(path, "layer '" + n.name + "' (" + n.cls + ") before the pooling layer is not MobileNet v1");
                continue;
            }
            if (n.cls == "ZeroPadding2D") {
                if (stage != Stage::Features) fail(path, "unexpected ZeroPadding2D '" + n.name + "' after pooling");
                const Pad4 p = parse_zero_padding(c, n.name, path);
                pending.top += p.top;
                pending.bottom += p.bottom;
                pending.left += p.left;
                pending.right += p.right;
                pending_pad = true;
                pending_pad_layer = n.name;
                continue;
            }
            if (n.cls == "Conv2D" || n.cls == "DepthwiseConv2D" || n.cls == "Dense") {
                if (n.cls != "Dense") check_conv_common(n, path);
                std::string fused = get_string(c, "activation", "linear");
                if (stage == Stage::Features) {
                    if (need_activation) fail(path, "convolution '" + g.convs.back().layer + "' is not followed by a ReLU");
                    if (n.cls == "Dense") fail(path, "Dense layer '" + n.name + "' before the pooling layer");
                    ConvSpec cs;
                    cs.layer = n.name;
                    cs.type = n.cls == "DepthwiseConv2D" ? ConvType::Depthwise : ConvType::Conv;
                    cs.kernel = get_square(c, "kernel_size", n.name, path).value_or(0);
                    cs.stride = get_square(c, "strides", n.name, path).value_or(1);
                    cs.use_bias = get_bool(c, "use_bias", true);
                    cs.in_c = channels;
                    if (cs.type == ConvType::Depthwise) {
                        cs.out_c = channels;
                    } else {
                        cs.out_c = get_positive_int(c, "filters", n.name, path, 65536);
                    }
                    FoundConv f;
                    f.label = "layer '" + n.name + "'";
                    f.kind = cs.type == ConvType::Depthwise ? ConvKind::Depthwise
                             : cs.kernel == 1              ? ConvKind::Pointwise
                                                           : ConvKind::Full;
                    f.kernel = cs.kernel;
                    f.stride = cs.stride;
                    f.in_c = cs.in_c;
                    f.out_c = cs.out_c;
                    check_layer_shape(f, found.size(), path);
                    if (fused != "linear") {
                        fail(path, "layer '" + n.name + "': fused activation '" + fused +
                                       "' is not supported (expected separate BatchNormalization and ReLU layers)");
                    }
                    const std::string mode = get_string(c, "padding", "valid");
                    if (cs.kernel == 1) {
                        // The matcher rejects a strided 1x1; the feature map size is tracked for 3x3s only.
                        if (pending_pad) fail(path, "zero padding '" + pending_pad_layer + "' before 1x1 layer '" + n.name + "'");
                    } else {
                        if (cs.stride < 1 || cs.stride > 2) fail(path, "layer '" + n.name + "' has stride " + std::to_string(cs.stride));
                        const Pad4 p = pending;
                        if (p.top != p.left || p.bottom != p.right) {
                            fail(path, "zero padding '" + pending_pad_layer + "' differs between height and width");
                        }
                        const int in_p = hw + p.top + p.bottom;
                        int before = p.top, out = 0;
                        if (mode == "same") {
                            out = (in_p + cs.stride - 1) / cs.stride;
                            const int total = std::max((out - 1) * cs.stride + cs.kernel - in_p, 0);
                            before += total / 2;
                        } else if (mode == "valid") {
                            if (in_p < cs.kernel) fail(path, "layer '" + n.name + "': feature map smaller than the kernel");
                            out = (in_p - cs.kernel) / cs.stride + 1;
                        } else {
                            fail(path, "layer '" + n.name + "': padding mode '" + mode + "' is not supported");
                        }
                        const SpatialPad tf = spatial_pad(hw, cs.kernel, cs.stride, Padding::TfSame);
                        const SpatialPad sym = spatial_pad(hw, cs.kernel, cs.stride, Padding::Symmetric);
                        const bool is_tf = tf.before == before && tf.out == out;
                        const bool is_sym = sym.before == before && sym.out == out;
                        const std::string how = (pending_pad ? "zero-pad " + pad_text(p) + " + " : std::string()) +
                                                "'" + mode + "' stride " + std::to_string(cs.stride);
                        f.padding = {is_tf, is_sym};
                        f.padding_detail = how + " on " + std::to_string(hw) + " px";
                        hw = out;
                    }
                    pending_pad = false;
                    pending = Pad4{};
                    channels = cs.out_c;
                    g.convs.push_back(std::move(cs));
                    found.push_back(std::move(f));
                    need_activation = true;
                    prev_is_conv = true;
                    continue;
                }
                if (stage == Stage::Pooled) {
                    if (pending_pad) fail(path, "zero padding before the classifier");
                    ConvSpec cs;
                    cs.layer = n.name;
                    cs.name = "fc";
                    cs.in_c = channels;
                    cs.use_bias = get_bool(c, "use_bias", true);
                    if (n.cls == "Dense") {
                        cs.type = ConvType::Dense;
                        cs.out_c = get_positive_int(c, "units", n.name, path, 1 << 20);
                    } else if (n.cls == "Conv2D") {
                        cs.type = ConvType::Conv;
                        cs.kernel = get_square(c, "kernel_size", n.name, path).value_or(0);
                        cs.stride = get_square(c, "strides", n.name, path).value_or(1);
                        cs.out_c = get_positive_int(c, "filters", n.name, path, 1 << 20);
                    } else {
                        fail(path, "depthwise convolution '" + n.name + "' after pooling");
                    }
                    if (fused == "softmax") softmax = true;
                    else if (fused != "linear") fail(path, "classifier '" + n.name + "' has activation '" + fused + "'");
                    FoundConv f;
                    f.label = "layer '" + n.name + "'";
                    f.kind = ConvKind::Classifier;
                    f.kernel = cs.type == ConvType::Dense ? 1 : cs.kernel;
                    f.stride = cs.type == ConvType::Dense ? 1 : cs.stride;
                    f.in_c = cs.in_c;
                    f.out_c = cs.out_c;
                    check_layer_shape(f, found.size(), path);
                    g.convs.push_back(std::move(cs));
                    found.push_back(std::move(f));
                    stage = Stage::Classified;
                    prev_is_conv = true;
                    continue;
                }
                fail(path, "unexpected layer '" + n.name + "' after the classifier; not a MobileNet v1");
            }
            if (n.cls == "BatchNormalization") {
                if (!was_conv || g.convs.empty() || g.convs.back().bn) {
                    fail(path, "batch normalization '" + n.name + "' does not directly follow a convolution");
                }
                if (const json* axis = find(c, "axis")) {
                    const json* a = axis;
                    if (axis->is_array()) {
                        if (axis->size() != 1) fail(path, "layer '" + n.name + "': batch norm over several axes");
                        a = &(*axis)[0];
                    }
                    const bool channel_axis = a->is_number_integer() && (a->get<int>() == -1 || a->get<int>() == 3 ||
                                                                         (g.convs.back().type == ConvType::Dense && a->get<int>() == 1));
                    if (!channel_axis) fail(path, "layer '" + n.name + "': batch norm axis is not the channel axis");
                }
                BatchNormSpec bn;
                bn.layer = n.name;
                if (const json* e = find(c, "epsilon")) {
                    if (!e->is_number() || !(e->get<double>() >= 0.0) || e->get<double>() > 1.0) fail(path, "layer '" + n.name + "': bad epsilon");
                    bn.epsilon = e->get<double>();
                }
                bn.scale = get_bool(c, "scale", true);
                bn.center = get_bool(c, "center", true);
                g.convs.back().bn = bn;
                prev_is_conv = true;  // still directly after the conv for a following (invalid) BN check
                continue;
            }
            if (n.cls == "ReLU" || n.cls == "Activation") {
                if (n.cls == "Activation" && get_string(c, "activation") == "softmax") {
                    if (stage != Stage::Classified || softmax) fail(path, "unexpected softmax '" + n.name + "'");
                    softmax = true;
                    continue;
                }
                const std::optional<Activation> a = parse_activation(n, path);
                if (!a) continue;  // linear
                if (stage != Stage::Features || !need_activation) {
                    fail(path, "unexpected activation layer '" + n.name + "'; not a MobileNet v1");
                }
                found.back().activation = a;
                need_activation = false;
                continue;
            }
            if (n.cls == "Softmax") {
                if (stage != Stage::Classified || softmax) fail(path, "unexpected softmax '" + n.name + "'");
                softmax = true;
                continue;
            }
            if (n.cls == "GlobalAveragePooling2D") {
                if (stage != Stage::Features) fail(path, "second pooling layer '" + n.name + "'");
                if (need_activation) fail(path, "convolution '" + g.convs.back().layer + "' is not followed by a ReLU");
                if (pending_pad) fail(path, "zero padding before the pooling layer");
                if (get_string(c, "data_format", "channels_last") != "channels_last") {
                    fail(path, "layer '" + n.name + "': only channels_last is supported");
                }
                stage = Stage::Pooled;
                continue;
            }
            fail(path, "unsupported layer '" + n.name + "' of class '" + n.cls + "'; not a MobileNet v1");
        }
        if (stage != Stage::Classified) {
            fail(path, stage == Stage::Features ? "no global average pooling layer (a feature extractor without "
                                                  "classifier is not supported)"
                                                : "no classifier after the pooling layer");
        }
        (void)softmax;  // a logits-only model is accepted: the engine applies softmax itself
        g.topology = match_mobilenet_v1(found, resolution, path);
        for (std::size_t i = 0; i < g.convs.size(); ++i) g.convs[i].name = g.topology.layers[i].name;
        return g;
    } catch (const ModelError&) {
        throw;
    } catch (const std::exception& e) {
        throw ModelError(path, std::string("malformed model config: ") + e.what());
    }
}

// ---- weights --------------------------------------------------------------------------------

void build_weights(const GraphSpec& graph, const WeightReader& read_stored, const std::string& path,
                   ModelWeights& out) {
    apply_topology(graph.topology, out);
    out.input_mean = 127.5f;
    out.input_std = 127.5f;
    out.quantized = false;
    out.layers.clear();
    out.layers.reserve(graph.convs.size());

    // Every stored variable is checked as read (batch norm ones included: a +Inf
    // moving_variance would fold into silently zeroed weights), the folded result again.
    const auto read = [&](const std::string& layer, const std::string& var, const Shape& shape) {
        std::vector<float> v = read_stored(layer, var, shape);
        check_finite(v, "layer '" + layer + "' " + var, path);
        return v;
    };
    for (const ConvSpec& cs : graph.convs) {
        const Shape kshape = cs.keras_kernel_shape();
        std::vector<float> k = read(cs.layer, cs.kernel_var(), kshape);
        LayerWeights lw;
        lw.name = cs.name;
        switch (cs.type) {
            case ConvType::Conv: lw.weights = hwio_to_oihw(k, cs.kernel, cs.kernel, cs.in_c, cs.out_c); break;
            case ConvType::Depthwise: lw.weights = hwc1_to_c11hw(k, cs.kernel, cs.kernel, cs.in_c); break;
            case ConvType::Dense: lw.weights = io_to_oi(k, cs.in_c, cs.out_c); break;
        }
        const Shape vshape{cs.out_c};
        if (cs.use_bias) lw.bias = read(cs.layer, "bias", vshape);
        else lw.bias.assign(static_cast<std::size_t>(cs.out_c), 0.0f);

        if (cs.bn) {
            const BatchNormSpec& bn = *cs.bn;
            std::vector<float> gamma, beta;
            if (bn.scale) gamma = read(bn.layer, "gamma", vshape);
            if (bn.center) beta = read(bn.layer, "beta", vshape);
            const std::vector<float> mean = read(bn.layer, "moving_mean", vshape);
            const std::vector<float> var = read(bn.layer, "moving_variance", vshape);
            for (float v : var)
                if (!(v + bn.epsilon > 0.0)) fail(path, "layer '" + bn.layer + "': moving_variance + epsilon is not positive");
            try {
                fold_batch_norm(lw.weights, lw.bias, gamma, beta, mean, var, bn.epsilon);
            } catch (const std::invalid_argument& e) {
                fail(path, "layer '" + bn.layer + "': " + e.what());
            }
        }
        check_finite(lw.weights, "layer '" + cs.layer + "' weights (batch norm folded)", path);
        check_finite(lw.bias, "layer '" + cs.layer + "' bias (batch norm folded)", path);
        out.layers.push_back(std::move(lw));
    }
}

void final_check(const ModelWeights& w, const std::string& path) {
    try {
        check_shapes(w, w.arch(w.native_resolution));
    } catch (const ModelError&) {
        throw;
    } catch (const std::exception& e) {
        throw ModelError(path, e.what());
    }
    check_finite_weights(w, path);
}

}  // namespace mnv1::detail::keras
