// Internal: one loader per file format. Each returns a complete ModelWeights
// (layers in network order, arch detected) or throws ModelError("<path>: <problem>").
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "mobilenet/weights.hpp"

namespace mnv1::detail {

// TFLite flatbuffer from memory (`name` is used in error messages). Verifies the
// buffer with the flatbuffers verifier before reading any field.
std::shared_ptr<ModelWeights> load_tflite_buffer(const std::uint8_t* data, std::size_t size,
                                                 const std::string& name);
std::shared_ptr<ModelWeights> load_tflite(const std::string& path);

// Keras 2 HDF5 full model (model_config + model_weights); batch norm folded.
std::shared_ptr<ModelWeights> load_keras_h5(const std::string& path);

// TF.js layers model: path is model.json or the directory holding it.
std::shared_ptr<ModelWeights> load_tfjs(const std::string& path);

// Reads a whole file; throws ModelError on a missing file, a directory, or a read error.
std::string read_file_bytes(const std::string& path);

}  // namespace mnv1::detail
