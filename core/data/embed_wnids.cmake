# Turns imagenet_wnids.txt (1000 lines, "nXXXXXXXX" or empty for an unresolved class)
# into a C++ array. Run as: cmake -DIN=... -DOUT=... -P embed_wnids.cmake
file(READ "${IN}" text)
string(REGEX REPLACE "\n$" "" text "${text}")
string(REPLACE "\n" "\",\n    \"" body "${text}")
file(WRITE "${OUT}.tmp"
  "// Generated from core/data/imagenet_wnids.txt by core/data/embed_wnids.cmake. Do not edit.\n"
  "#include \"imagenet_wnid_table.hpp\"\n\n"
  "namespace mnv1::detail {\n"
  "const char* const kImagenetWnids[kImagenetClasses] = {\n    \"${body}\"};\n"
  "}  // namespace mnv1::detail\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
