// Number and name formatting shared by the widgets ("569.4 M", "α 0.5", "8.6 ms").
// Pure functions: any thread.
#pragma once

#include <QString>

#include <cstdint>

namespace studio {

// Shortest decimal form with at least one decimal: 1 -> "1.0", 0.25 -> "0.25", 0.35 -> "0.35".
QString format_alpha(double alpha);
// Counts with an SI suffix: 569'000'000 -> "569.0 M", 4'200'000 -> "4.20 M", 12'345 -> "12.3 k".
QString format_count(std::int64_t n);
// Exact counts with thousands separators, the same on every locale: 231211008 -> "231,211,008".
QString format_exact_count(std::int64_t n);
// A network's precision as the app names it: "f32" (the core's word) -> "fp32"; others as given.
QString precision_text(const QString& precision);

// Milliseconds with precision that suits the magnitude: 0.42 -> "0.42 ms", 8.61 -> "8.6 ms".
QString format_ms(double ms);
// "0.5-160": the usual MobileNet configuration name.
QString config_name(double alpha, int resolution);
// Probability in percent, one decimal: 0.8671 -> "86.7 %".
QString format_percent(double probability);
// A thread count with its noun in the right number: 1 -> "1 thread", 4 -> "4 threads".
// Every count of threads shown goes through this, so none reads "1 threads".
QString format_threads(int threads);

}  // namespace studio
