// Loading released MobileNet v1 weights (TFLite float/uint8, Keras HDF5, TF.js
// layers models), their labels, and finding models on disk.
//
// All functions are thread-safe (no shared state). Errors are thrown as
// ModelError (mobilenet/errors.hpp) whose what() is one line: "<path>: <problem>".
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "mobilenet/errors.hpp"
#include "mobilenet/weights.hpp"

namespace mnv1 {

// Loads a model, detecting the format from the content (not the extension):
//   TFLite flatbuffer (".tflite"), Keras 2 HDF5 full model (".h5"), TF.js layers
//   model (a model.json file or a directory holding one, with its weight shards).
// Detects alpha, native resolution, activation, padding convention and class count
// from the weights/graph. Labels: `labels_path` if given, else a labels file beside
// the model (labels.txt, *labels*.txt, TF.js metadata.json; for a symbolic link, also
// beside the file it points to), else none.
// Throws ModelError.
std::shared_ptr<const ModelWeights> load_model(const std::string& path,
                                               const std::string& labels_path = {});

// Reads one label per line (or a TF.js metadata.json "labels" array) and adapts it
// to the model's class count: 1000 labels for a 1001-class model get "background"
// prepended; 1001 labels (first = background) for a 1000-class model lose the first.
// Any other mismatch throws ModelError naming the file and both counts.
std::vector<std::string> load_labels(const std::string& path, int num_classes);

// A model found on disk, described without keeping its weights in memory.
struct ModelEntry {
    std::string path;
    double alpha = 0;
    int native_resolution = 0;
    bool quantized = false;
    WeightsOrigin origin = WeightsOrigin::Random;
    int num_classes = 0;
    std::string display_name;   // e.g. "MobileNet v1 0.25-224 uint8 (TFLite)"
};

// The trees whose models/ folder a program searches, given its own path `exe` (e.g.
// /proc/self/exe): <prefix>/share/mobilenet-studio for an installed <prefix>/bin/program,
// and, first, `source_dir` (the repository) only while the program runs from inside
// `binary_dir` (its build tree): an installed program never looks into the tree it was
// built from.
std::vector<std::string> program_tree_dirs(const std::string& exe, const std::string& source_dir,
                                           const std::string& binary_dir);

// The documented search order: explicit flag dir, $MOBILENET_MODELS, the settings
// dir, the user's data dir, then <dir>/models for each of `tree_dirs` (source and
// install trees). Empty and duplicate entries are dropped; missing dirs are kept
// out. Reads the environment; callers pass the rest.
std::vector<std::string> model_search_dirs(const std::string& flag_dir,
                                           const std::string& settings_dir,
                                           const std::string& user_data_dir,
                                           const std::vector<std::string>& tree_dirs);

// Describes one model file cheaply: reads its graph, shapes and quantization (and,
// for Keras HDF5, the corruption checks), never copies or converts weights. A file
// that probes fine can still fail load_model when its weight data is damaged.
// Throws ModelError.
ModelEntry probe_model(const std::string& path);

// The entry probe_model gives for the file `weights` were loaded from.
ModelEntry describe_model(const ModelWeights& weights, const std::string& path);

// Scans dirs (recursively, two levels) for models and probes each (probe_model);
// files that fail the probe are reported in `problems` (one line each) and skipped.
// Sorted by alpha, then resolution, float before uint8.
std::vector<ModelEntry> discover_models(const std::vector<std::string>& dirs,
                                        std::vector<std::string>* problems = nullptr);

// Picks the best model for alpha (exact alpha match, preferring float over uint8 and
// native resolution closest to `resolution`); nullptr when no model has that alpha.
const ModelEntry* pick_model(const std::vector<ModelEntry>& models, double alpha, int resolution);

}  // namespace mnv1
