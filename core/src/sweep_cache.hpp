// Internal: the on-disk cache of sweep points (one small JSON file per point) and the
// identities its keys are made of. Thread-safe per cache directory as long as one
// sweep writes it at a time.
#pragma once

#include <optional>
#include <string>

#include "disk_cache.hpp"  // write_file_atomically, for the CSV
#include "mobilenet/sweep.hpp"

namespace mnv1::detail {

// Identity of a model's weights without reading them whole: file_identity() of the
// file, or of every file of a TF.js model's folder (model.json + shards).
std::string weights_identity(const std::string& model_path);

// Identity of a labelled image set: the sorted image files with their sizes, plus the
// contents of the ground-truth CSV scan_labeled_folder would use (explicit or found).
std::string image_set_identity(const std::string& images_dir, const std::string& csv_path);

// Everything a measured point depends on, as one line. `weights` and `images` are the
// identities above, or "" for a latency-only point.
// `weights` of an int8 point of a float model includes the calibration images' identity.
std::string sweep_cache_key(const SweepConfig& config, double alpha, int resolution, Precision precision,
                            const std::string& weights, const std::string& images, const std::string& machine);

// The cached point for `key`; nullopt when absent, unreadable, corrupt or for another
// key (a hash collision). The returned point has from_cache set.
std::optional<SweepPoint> read_cached_point(const std::string& cache_dir, const std::string& key);
// Writes atomically (temp file in the same folder, then rename). Returns false (and
// leaves nothing behind) when the folder cannot be written: the cache is an
// optimisation, a failure to fill it does not fail the sweep.
bool write_cached_point(const std::string& cache_dir, const std::string& key, const SweepPoint& point);

}  // namespace mnv1::detail
