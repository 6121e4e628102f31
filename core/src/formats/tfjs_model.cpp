// TF.js layers model: model.json = {"modelTopology": <Keras model config, possibly
// under "model_config">, "weightsManifest": [{"paths": [shards], "weights":
// [{name, shape, dtype}]}]}. Each group's weights are the concatenation of its shard
// files, in manifest order, float32 little-endian.
#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "file_read.hpp"
#include "formats.hpp"
#include "keras_common.hpp"
#include "mobilenet/errors.hpp"

namespace mnv1::detail {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using keras::Shape;

constexpr std::uintmax_t kMaxJsonBytes = std::uintmax_t{256} << 20;
constexpr std::uintmax_t kMaxMetadataBytes = std::uintmax_t{64} << 20;
constexpr std::uint64_t kMaxWeightBytes = std::uint64_t{4} << 30;

struct WeightEntry {
    std::size_t group = 0;
    std::uint64_t offset = 0;  // bytes into the group's concatenated shards
    Shape shape;
};

struct Group {
    std::vector<std::string> shards;  // full paths
    std::uint64_t bytes = 0;          // what the manifest says the shards hold
    std::string data;
};

struct Manifest {
    std::vector<Group> groups;
    std::map<std::string, WeightEntry> weights;  // by name without ":0"
};

Manifest parse_manifest(const json& root, const fs::path& dir, const std::string& json_path) {
    const auto it = root.find("weightsManifest");
    if (it == root.end() || !it->is_array()) throw ModelError(json_path, "no weightsManifest array");
    Manifest m;
    std::uint64_t total = 0;
    for (const json& g : *it) {
        if (!g.is_object()) throw ModelError(json_path, "weightsManifest entry is not an object");
        const auto paths = g.find("paths");
        const auto weights = g.find("weights");
        if (paths == g.end() || !paths->is_array() || paths->empty() || weights == g.end() || !weights->is_array()) {
            throw ModelError(json_path, "weightsManifest group without paths or weights");
        }
        Group grp;
        for (const json& p : *paths) {
            if (!p.is_string() || p.get<std::string>().empty()) throw ModelError(json_path, "weight shard path is not a string");
            const fs::path rel(p.get<std::string>());
            if (rel.is_absolute()) throw ModelError(json_path, "absolute weight shard path '" + rel.string() + "'");
            grp.shards.push_back((dir / rel).string());
        }
        for (const json& w : *weights) {
            if (!w.is_object() || !w.contains("name") || !w["name"].is_string()) {
                throw ModelError(json_path, "weightsManifest weight without a name");
            }
            const std::string name = w["name"].get<std::string>();
            if (w.contains("quantization") && !w["quantization"].is_null()) {
                const json& q = w["quantization"];
                const std::string qd = q.is_object() && q.contains("dtype") && q["dtype"].is_string()
                                           ? q["dtype"].get<std::string>()
                                           : std::string("unknown");
                throw ModelError(json_path, "weight '" + name + "' is quantized (" + qd +
                                                "); only float32 TF.js weights are supported");
            }
            const std::string dtype = w.contains("dtype") && w["dtype"].is_string() ? w["dtype"].get<std::string>() : "";
            if (dtype != "float32") {
                throw ModelError(json_path, "weight '" + name + "' has dtype '" + dtype +
                                                "'; only float32 TF.js weights are supported");
            }
            if (!w.contains("shape") || !w["shape"].is_array() || w["shape"].size() > 8) {
                throw ModelError(json_path, "weight '" + name + "' has no valid shape");
            }
            WeightEntry e;
            e.group = m.groups.size();
            e.offset = grp.bytes;
            std::uint64_t count = 1;
            for (const json& d : w["shape"]) {
                if (!d.is_number_integer() || d.get<std::int64_t>() < 0 || d.get<std::int64_t>() > (std::int64_t{1} << 31)) {
                    throw ModelError(json_path, "weight '" + name + "' has an invalid shape");
                }
                e.shape.push_back(d.get<std::int64_t>());
                count *= static_cast<std::uint64_t>(d.get<std::int64_t>());
                if (count > kMaxWeightBytes) throw ModelError(json_path, "weight '" + name + "' is too large");
            }
            grp.bytes += count * 4;
            total += count * 4;
            if (total > kMaxWeightBytes) throw ModelError(json_path, "weights are too large");
            if (!m.weights.emplace(keras::strip_tensor_suffix(name), e).second) {
                throw ModelError(json_path, "weight '" + name + "' appears twice in weightsManifest");
            }
        }
        m.groups.push_back(std::move(grp));
    }
    return m;
}

// Checks that every shard of the group exists and that their sizes add up to what the
// manifest needs (a stat per shard, nothing read); returns the shard sizes.
std::vector<std::uintmax_t> check_shards(const Group& g) {
    std::vector<std::uintmax_t> sizes;
    std::uint64_t have = 0;
    for (const std::string& s : g.shards) {
        std::error_code ec;
        const auto status = fs::status(s, ec);
        if (ec || !fs::exists(status)) throw ModelError(s, "missing weight shard (listed in model.json)");
        if (!fs::is_regular_file(status)) throw ModelError(s, "weight shard is not a regular file");
        const auto size = fs::file_size(s, ec);
        if (ec) throw ModelError(s, "cannot read file size: " + ec.message());
        sizes.push_back(size);
        have += size;
    }
    if (have != g.bytes) {
        // TF.js writes equal-size shards except the last: blame the odd one out.
        std::size_t culprit = g.shards.size() - 1;
        for (std::size_t i = 0; i + 1 < sizes.size(); ++i)
            if (sizes[i] != sizes[0]) {
                culprit = i;
                break;
            }
        const std::string group_desc = g.shards.size() == 1 ? "its weights need " + std::to_string(g.bytes) + " bytes"
                                                            : "its group of " + std::to_string(g.shards.size()) +
                                                                  " shards needs " + std::to_string(g.bytes) +
                                                                  " bytes and holds " + std::to_string(have);
        throw ModelError(g.shards[culprit], std::string(have < g.bytes ? "truncated" : "oversized") +
                                               " weight shard: " + std::to_string(sizes[culprit]) + " bytes, " +
                                               group_desc);
    }
    return sizes;
}

void load_shards(Group& g) {
    const std::vector<std::uintmax_t> sizes = check_shards(g);
    g.data.reserve(static_cast<std::size_t>(g.bytes));
    for (std::size_t i = 0; i < g.shards.size(); ++i) g.data += read_file_bytes(g.shards[i], sizes[i]);
    if (g.data.size() != g.bytes) throw ModelError(g.shards.back(), "weight shard changed while reading");
}

std::vector<float> read_weight(const Manifest& m, const std::string& json_path, const std::string& layer,
                               const std::string& var, const Shape& shape) {
    const std::string key = layer + "/" + var;
    auto it = m.weights.find(key);
    if (it == m.weights.end()) {
        // Exporters may prefix the model scope ("model/conv1/kernel").
        const std::string suffix = "/" + key;
        for (auto j = m.weights.begin(); j != m.weights.end(); ++j) {
            const std::string& n = j->first;
            if (n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) {
                if (it != m.weights.end()) throw ModelError(json_path, "several weights match '" + key + "'");
                it = j;
            }
        }
    }
    if (it == m.weights.end()) throw ModelError(json_path, "weightsManifest has no weight '" + key + "'");
    const WeightEntry& e = it->second;
    if (e.shape != shape) {
        throw ModelError(json_path, "weight '" + it->first + "' has shape " + keras::shape_string(e.shape) +
                                        ", expected " + keras::shape_string(shape));
    }
    std::size_t count = 1;
    for (auto d : shape) count *= static_cast<std::size_t>(d);
    const Group& g = m.groups[e.group];
    std::vector<float> out(count);
    static_assert(sizeof(float) == 4);
    if (count > 0) std::memcpy(out.data(), g.data.data() + e.offset, count * 4);
    if constexpr (std::endian::native == std::endian::big) {
        for (float& f : out) {
            std::uint32_t u;
            std::memcpy(&u, &f, 4);
            u = (u >> 24) | ((u >> 8) & 0xff00u) | ((u << 8) & 0xff0000u) | (u << 24);
            std::memcpy(&f, &u, 4);
        }
    }
    return out;
}

// metadata.json "labels", adapted to the class count; empty when absent or unusable.
std::vector<std::string> metadata_labels(const fs::path& dir, int num_classes) {
    const fs::path meta = dir / "metadata.json";
    std::error_code ec;
    if (!fs::is_regular_file(meta, ec)) return {};
    try {
        const json j = json::parse(read_file_bytes(meta.string(), kMaxMetadataBytes));
        if (!j.is_object() || !j.contains("labels") || !j["labels"].is_array()) return {};
        std::vector<std::string> labels;
        for (const json& l : j["labels"]) {
            if (!l.is_string()) return {};
            labels.push_back(l.get<std::string>());
        }
        const auto n = static_cast<std::size_t>(num_classes);
        if (labels.size() == n) return labels;
        if (labels.size() + 1 == n) {
            labels.insert(labels.begin(), "background");
            return labels;
        }
        if (labels.size() == n + 1) {
            labels.erase(labels.begin());
            return labels;
        }
    } catch (const std::exception&) {
        // Labels are optional: a broken metadata.json does not make the model unusable.
    }
    return {};
}

// model.json parsed, its topology recognized as MobileNet v1.
struct ModelJson {
    std::string json_path;
    fs::path dir;
    json root;
    keras::GraphSpec graph;
};

ModelJson parse_model_json(const std::string& text, const std::string& json_path);

ModelJson read_model_json(const std::string& path) {
    std::error_code ec;
    fs::path json_file(path);
    if (fs::is_directory(json_file, ec)) {
        json_file /= "model.json";
        if (!fs::exists(json_file, ec)) throw ModelError(path, "directory holds no model.json");
    }
    return parse_model_json(read_file_bytes(json_file.string(), kMaxJsonBytes), json_file.string());
}

ModelJson parse_model_json(const std::string& text, const std::string& json_path_in) {
    ModelJson m;
    m.json_path = json_path_in;
    m.dir = fs::path(json_path_in).parent_path();
    const std::string& json_path = m.json_path;
    try {
        m.root = json::parse(text);
    } catch (const json::exception& e) {
        throw ModelError(json_path, std::string("invalid JSON: ") + e.what());
    }
    const json& root = m.root;
    if (!root.is_object()) throw ModelError(json_path, "not a TF.js model (top level is not an object)");
    if (root.contains("format") && root["format"].is_string() && root["format"].get<std::string>() != "layers-model") {
        throw ModelError(json_path, "TF.js format '" + root["format"].get<std::string>() +
                                        "' is not supported (expected a layers-model)");
    }
    const auto topo = root.find("modelTopology");
    if (topo == root.end() || !topo->is_object()) throw ModelError(json_path, "no modelTopology (not a TF.js layers model)");
    const json& model_config = topo->contains("model_config") ? (*topo)["model_config"] : *topo;
    m.graph = keras::parse_model_config(model_config, json_path);
    return m;
}

}  // namespace

std::shared_ptr<ModelWeights> load_tfjs(const std::string& path) {
    const ModelJson m = read_model_json(path);
    const std::string& json_path = m.json_path;
    const keras::GraphSpec& graph = m.graph;

    Manifest manifest = parse_manifest(m.root, m.dir, json_path);
    for (Group& g : manifest.groups) load_shards(g);

    auto w = std::make_shared<ModelWeights>();
    keras::build_weights(
        graph, [&](const std::string& layer, const std::string& var, const Shape& shape) {
            return read_weight(manifest, json_path, layer, var, shape);
        },
        json_path, *w);
    w->origin = WeightsOrigin::TfjsLayers;
    w->source = path;
    w->description = keras::canonical_model_name(w->alpha, w->native_resolution) + " (TF.js)";
    w->labels = metadata_labels(m.dir, w->num_classes);
    keras::final_check(*w, json_path);
    return w;
}

ModelSummary probe_tfjs(const std::string& path) {
    const ModelJson m = read_model_json(path);
    // The manifest must describe float32 weights the loader can read, and every shard must
    // be there with the size it needs (stat only: the shards are not read).
    for (const Group& g : parse_manifest(m.root, m.dir, m.json_path).groups) check_shards(g);
    return summary_of(m.graph.topology, false, WeightsOrigin::TfjsLayers);
}

ModelSummary parse_tfjs_model_json(const std::string& text, const std::string& json_path) {
    const ModelJson m = parse_model_json(text, json_path);
    (void)parse_manifest(m.root, m.dir, m.json_path);
    return summary_of(m.graph.topology, false, WeightsOrigin::TfjsLayers);
}

}  // namespace mnv1::detail
