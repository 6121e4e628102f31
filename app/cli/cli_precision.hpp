// The precision options shared by classify, eval and bench: --precision fp32|int8|auto,
// --calibrate DIR and --calibration-images N (post-training int8 of a float model).
// Errors: UsageError (exit 2) for bad or missing options, mnv1::Error /
// std::runtime_error (exit 1) for images that cannot be read.
#pragma once

#include <memory>
#include <string>

#include "args.hpp"
#include "mobilenet/network.hpp"
#include "mobilenet/quantize.hpp"

namespace cli {

// The option names, for Args' value flag sets.
inline constexpr const char* kPrecisionFlags[] = {"--precision", "--calibrate", "--calibration-images"};

// --precision fp32|int8|auto (default fp32).
mnv1::PrecisionChoice precision_choice_from(const Args& a);

// What a command runs: the weights per precision and the precision chosen.
struct PrecisionPlan {
    std::shared_ptr<const mnv1::ModelWeights> f32;   // the model as loaded
    std::shared_ptr<const mnv1::ModelWeights> int8;  // null: no int8 form (float model, no --calibrate)
    bool calibrated = false;                         // int8 came from --calibrate
    mnv1::CalibratedModel calibration;               // when calibrated
    std::string calibration_dir;
    mnv1::Precision precision = mnv1::Precision::F32;
    std::optional<mnv1::PrecisionDecision> decision; // --precision auto
    const std::shared_ptr<const mnv1::ModelWeights>& weights() const {
        return precision == mnv1::Precision::Int8 ? int8 : f32;
    }
};

// Resolves the user's choice for `model` at `cfg` (resolution, batch, threads):
//  - int8 of a uint8 release runs the release; of a float model it needs --calibrate DIR
//    (UsageError naming the flag otherwise), which calibrates at cfg.resolution on up to
//    --calibration-images N (default 100) images of DIR;
//  - auto times both precisions (choose_precision) when an int8 form exists, else fp32;
//  - --calibrate on a uint8 model, or without --precision int8|auto, is a UsageError.
// `log` (may be null) gets one line per step (calibration, the auto decision).
PrecisionPlan plan_precision(mnv1::Runtime& rt, const Args& a, std::shared_ptr<const mnv1::ModelWeights> model,
                             const mnv1::NetworkConfig& cfg, std::ostream* log);

}  // namespace cli
