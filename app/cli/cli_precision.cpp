#include "cli_precision.hpp"

#include <ostream>

#include "cli_common.hpp"

namespace cli {

mnv1::PrecisionChoice precision_choice_from(const Args& a) {
    const std::string p = a.str("--precision", "fp32");
    const auto c = mnv1::parse_precision_choice(p);
    if (!c) throw UsageError("option '--precision' must be 'fp32', 'int8' or 'auto', got '" + p + "'");
    return *c;
}

PrecisionPlan plan_precision(mnv1::Runtime& rt, const Args& a, std::shared_ptr<const mnv1::ModelWeights> model,
                             const mnv1::NetworkConfig& cfg, std::ostream* log) {
    const mnv1::PrecisionChoice choice = precision_choice_from(a);
    PrecisionPlan plan;
    plan.f32 = std::move(model);
    const bool released_int8 = mnv1::can_run_int8(*plan.f32);
    if (a.has("--calibration-images") && !a.has("--calibrate")) {
        throw UsageError("--calibration-images needs --calibrate DIR");
    }
    if (a.has("--calibrate")) {
        if (choice == mnv1::PrecisionChoice::F32) throw UsageError("--calibrate is for --precision int8 or auto");
        if (released_int8) {
            throw UsageError("--calibrate is for float models; " + plan.f32->description +
                             " already carries its own uint8 quantization");
        }
    }
    if (choice == mnv1::PrecisionChoice::F32) return plan;

    if (released_int8) {
        plan.int8 = plan.f32;
    } else if (a.has("--calibrate")) {
        mnv1::CalibrationOptions opt;
        opt.max_images = a.integer("--calibration-images", 100, 1, 1000000);
        opt.resolution = cfg.resolution;
        opt.threads = cfg.threads;
        opt.crop = crop_from(a);
        plan.calibration_dir = a.str("--calibrate");
        const auto files = mnv1::calibration_images(plan.calibration_dir);
        if (files.empty()) throw std::runtime_error(plan.calibration_dir + ": no images to calibrate on");
        plan.calibration = mnv1::calibrate_int8(rt, plan.f32, files, opt);
        plan.int8 = plan.calibration.weights;
        plan.calibrated = true;
        if (log) {
            *log << "calibrated int8 on " << plan.calibration.images << " images of " << plan.calibration_dir
                 << " at " << cfg.resolution << " px";
            if (!plan.calibration.skipped.empty()) *log << " (" << plan.calibration.skipped.size() << " unreadable)";
            *log << "\n";
        }
    }

    auto decision = mnv1::resolve_precision(rt, choice, plan.f32, plan.int8, cfg);
    if (!decision) {
        throw UsageError(plan.f32->description +
                         " is a float model: --precision int8 needs --calibrate DIR (images to calibrate its "
                         "activation ranges on, e.g. a folder of photos not used for evaluation)");
    }
    plan.precision = decision->precision;
    if (choice == mnv1::PrecisionChoice::Auto) {
        if (!plan.int8) decision->reason = "fp32: a float model has no int8 form without --calibrate DIR";
        plan.decision = decision;
        if (log) *log << "precision auto -> " << decision->reason << "\n";
    }
    return plan;
}

}  // namespace cli
