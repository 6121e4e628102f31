// Writing output files so that nothing is lost: a reader, a kill, an abort or a write
// error midway leaves the old file (or none) in place, never a truncated one.
// Used for every file the project writes (CLI outputs, the on-disk caches).
// Any thread may call these; two writers of the same path at once end with one
// writer's whole file.
#pragma once

#include <string>
#include <string_view>

namespace mnv1 {

// Writes `bytes` to `path`.
//  - A regular file (or no file yet): written to a temporary file in the same folder
//    and renamed over `path` on success only (the old file's permission bits kept).
//    A symbolic link is followed: the file it points to is replaced, the link stays.
//  - An existing device, FIFO or socket (/dev/null, /dev/stdout, a pipe): there is no
//    file to replace, so the bytes are written to it directly (a FIFO blocks until it
//    has a reader, as for any writer); every write is checked all the same.
// Throws mnv1::Error naming `path` and the reason ("No space left on device", "is a
// directory", ...); then the temporary file is removed again.
void write_file_atomically(const std::string& path, std::string_view bytes);

// Whether write_file_atomically(path, ...) can be expected to succeed, checked before
// a long computation whose result goes there: throws mnv1::Error naming `path` when it
// is a directory, its folder does not exist or is not writable, or it is a device or
// FIFO that cannot be opened for writing. Opens nothing that could block.
void check_output_path(const std::string& path);

}  // namespace mnv1
