// Internal: one reader per file format. Each loader returns a complete ModelWeights
// (layers in network order, arch detected) and each probe describes a file cheaply
// (graph and shapes only, no weight copies); both throw ModelError("<path>: <problem>").
// A file that probes fine may still fail to load (damaged weight data). Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "mobilenet/weights.hpp"

namespace mnv1::detail {

// What a probe learns about a model file: enough to list and pick it.
struct ModelSummary {
    double alpha = 1.0;
    int native_resolution = 224;
    int num_classes = 1001;
    bool quantized = false;
    WeightsOrigin origin = WeightsOrigin::Random;
};

// TFLite flatbuffer from memory (`name` is used in error messages). Verifies the
// buffer with the flatbuffers verifier before reading any field.
std::shared_ptr<ModelWeights> load_tflite_buffer(const std::uint8_t* data, std::size_t size,
                                                 const std::string& name);
std::shared_ptr<ModelWeights> load_tflite(const std::string& path);
// Verifies the flatbuffer and walks the graph (tensor shapes and quantization only).
ModelSummary probe_tflite(const std::string& path);

// Keras 2 HDF5 full model (model_config + model_weights); batch norm folded.
std::shared_ptr<ModelWeights> load_keras_h5(const std::string& path);
// Reads model_config only.
ModelSummary probe_keras_h5(const std::string& path);

// TF.js layers model: path is model.json or the directory holding it.
std::shared_ptr<ModelWeights> load_tfjs(const std::string& path);
// Parses model.json's topology and weights manifest and checks that every shard is
// there with the size the manifest needs; does not read the shards.
ModelSummary probe_tfjs(const std::string& path);
// The text of a model.json (`json_path` names it in errors; shard paths resolve beside
// it): topology and weights manifest parsed and checked as probe_tfjs does, but no
// file is touched (for the fuzz target and tests).
ModelSummary parse_tfjs_model_json(const std::string& text, const std::string& json_path);

}  // namespace mnv1::detail
