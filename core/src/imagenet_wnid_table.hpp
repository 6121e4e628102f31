// The embedded wnid table (generated at build time from core/data/imagenet_wnids.txt).
#pragma once

namespace mnv1::detail {

inline constexpr int kImagenetClasses = 1000;
// Class order (index_1000); "" for a class the WordNet derivation left unresolved.
extern const char* const kImagenetWnids[kImagenetClasses];

}  // namespace mnv1::detail
