// Helpers shared by mobilenet-cli's commands: number formatting, common options, the
// model search path. Errors: UsageError (exit 2) for bad options,
// std::runtime_error / mnv1::Error (exit 1) for runtime failures.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "args.hpp"
#include "mobilenet/classify.hpp"
#include "mobilenet/model_io.hpp"

namespace cli {

std::string fmt(double v, int prec);
std::string millions(std::int64_t v, int prec = 2);   // 568740352 -> "568.74"

// --alpha, --resolution, --classes (default 1000), --standard-conv, validated (UsageError).
mnv1::ArchConfig arch_from(const Args& a);

// --crop whole|central (default whole).
mnv1::CropMode crop_from(const Args& a);

// Every --json document goes out through here: indented, and bytes that are not UTF-8
// (file names, labels) replaced by U+FFFD instead of throwing and losing the results.
void print_json(const nlohmann::json& j);

// One CSV field: quoted (RFC 4180) when it holds a comma, quote or line break.
std::string csv_field(const std::string& text);

// --models-dir DIR, when given, must be a readable directory: mnv1::Error (exit 1)
// naming it otherwise, never silently searched without it. Every command taking the
// option calls this before any work; search_dirs() does too.
void check_models_dir(const Args& a);

// The documented model search path (--models-dir, $MOBILENET_MODELS, source and working
// trees) and the models discovery finds on it; `problems` gets one line per bad file.
std::vector<std::string> search_dirs(const Args& a);
std::vector<mnv1::ModelEntry> search_path_models(const Args& a, std::vector<std::string>* problems = nullptr);

// $XDG_CACHE_HOME/mobilenet-studio/<sub> (or ~/.cache/mobilenet-studio/<sub>); "" when
// neither variable is set (no caching).
std::string default_cache_dir(const std::string& sub);

// The sweep command (cmd_sweep.cpp).
int cmd_sweep(const std::vector<std::string>& argv);
// The roofline command (cmd_roofline.cpp).
int cmd_roofline(const std::vector<std::string>& argv);

}  // namespace cli
