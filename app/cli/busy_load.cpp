#include "busy_load.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace cli {

namespace {

[[noreturn]] void spin_until_killed(pid_t parent) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(0);  // the parent died before prctl took effect
    volatile unsigned long long n = 0;
    for (;;) n = n + 1;
}

}  // namespace

BusyLoad::BusyLoad(int processes) {
    const pid_t self = getpid();
    for (int i = 0; i < processes; ++i) {
        const pid_t pid = fork();
        if (pid == 0) spin_until_killed(self);  // child: only this thread exists; no OpenMP, no allocation
        if (pid < 0) {
            const std::string why = std::strerror(errno);
            stop();
            throw std::runtime_error("cannot start a busy loop: " + why);
        }
        pids_.push_back(pid);
    }
    if (processes > 0) usleep(200 * 1000);  // let the scheduler spread them before timing starts
}

BusyLoad::~BusyLoad() { stop(); }

void BusyLoad::stop() {
    for (const pid_t pid : pids_) kill(pid, SIGKILL);
    for (const pid_t pid : pids_) waitpid(pid, nullptr, 0);
    pids_.clear();
}

}  // namespace cli
