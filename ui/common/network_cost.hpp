// The cost of a configuration as the app shows it: the one place where the Tune panel and
// the Layers page get their layer table and totals (mnv1::layer_table + mnv1::summarize),
// so both show the same figures for the same α, resolution and class count.
//
// The paper counts 1000 classes; the TF-slim / TFLite release has 1001 (index 0 is a
// background class), which adds one classifier row of weights and mult-adds. Where the
// network in use has another class count, class_count_note() says so with the difference.
// Pure functions: any thread.
#pragma once

#include <QString>

#include "mobilenet/arch.hpp"

namespace studio {

inline constexpr int kPaperClasses = 1000;

// The architecture whose cost is shown; num_classes <= 0 (not known yet) means the paper's 1000.
mnv1::ArchConfig cost_architecture(double alpha, int resolution, int num_classes);

// "" for the paper's 1000 classes; otherwise, e.g. for α 1.0:
// "1001 classes (TF-slim background class): +1,024 params, +1,024 mult-adds vs the paper's 1000".
QString class_count_note(const mnv1::ArchConfig& cfg);

}  // namespace studio
