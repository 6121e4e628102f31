// The threading policy (mobilenet/threading.hpp): the thread-count rule, the load it
// reads (another process's busy loop is a runnable task elsewhere), and AdaptiveExecution running the picked count.
#include <QtTest>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "mobilenet/threading.hpp"
#include "mobilenet/weights.hpp"

class TestThreading : public QObject {
    Q_OBJECT

private slots:
    void ruleOnTwoCores() {
        QCOMPARE(mnv1::threads_for_load(0, 2), 2);  // quiet: every core
        QCOMPARE(mnv1::threads_for_load(1, 2), 1);  // one core busy: the free one, no barrier waits
        QCOMPARE(mnv1::threads_for_load(2, 2), 2);  // both busy: a fair share of each
        QCOMPARE(mnv1::threads_for_load(5, 2), 2);
    }

    void ruleOnOtherMachines() {
        QCOMPARE(mnv1::threads_for_load(0, 1), 1);
        QCOMPARE(mnv1::threads_for_load(3, 1), 1);
        QCOMPARE(mnv1::threads_for_load(0, 8), 8);
        QCOMPARE(mnv1::threads_for_load(1, 8), 7);   // the free cores
        QCOMPARE(mnv1::threads_for_load(3, 8), 5);
        QCOMPARE(mnv1::threads_for_load(8, 8), 8);   // all busy: half of every core
        QCOMPARE(mnv1::threads_for_load(-1, 0), 1);  // nonsense in, one thread out
    }

    void busyProcessIsCounted() {
        if (mnv1::other_runnable_tasks() < 0) QSKIP("no /proc/stat here");
        // Another process's busy loop is always runnable, so every sample counts it.
        const pid_t child = fork();
        if (child == 0) {
            for (;;) asm volatile("");  // spins until killed
        }
        QVERIFY(child > 0);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        int busy_seen = 0;
        for (int i = 0; i < 20; ++i) {
            if (mnv1::other_runnable_tasks() >= 1) ++busy_seen;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        kill(child, SIGKILL);
        waitpid(child, nullptr, 0);
        QCOMPARE(busy_seen, 20);
    }

    void policyReportsItsChoice() {
        mnv1::ThreadPolicy policy(2);
        const mnv1::ThreadChoice& c = policy.choose();
        QVERIFY(c.threads >= 1 && c.threads <= 2);
        QCOMPARE(c.cores, 2);
        if (c.measured) {
            QCOMPARE(c.threads, mnv1::threads_for_load(c.others, 2));
            QVERIFY(c.others_runnable >= 0);
        }
        QVERIFY(!c.reason().empty());
    }

    void adaptiveExecutionRunsThePickedCount() {
        mnv1::Runtime rt;
        mnv1::ArchConfig arch;
        arch.alpha = 0.25;
        arch.resolution = 96;
        const auto weights = mnv1::random_weights(arch);
        mnv1::NetworkConfig cfg;
        cfg.resolution = 96;
        mnv1::AdaptiveExecution exec(rt, weights, cfg, {}, 2);
        mnv1::ExecutionContext& ctx = exec.select();
        QCOMPARE(ctx.network().threads(), exec.last_choice().threads);
        std::fill(ctx.input(), ctx.input() + ctx.input_floats(), 0.5f);
        for (int i = 0; i < 5; ++i) {
            mnv1::ExecutionContext& c = exec.select();
            QCOMPARE(c.network().threads(), exec.last_choice().threads);
            QCOMPARE(c.input()[0], 0.5f);  // the input follows whichever context runs
            c.forward();
        }

        // The app's worker: one policy for its life, borrowed by each configuration's
        // execution; a thread count set by the user is fixed (no sampling, one context).
        mnv1::ThreadPolicy policy(2);
        cfg.threads = 1;
        mnv1::AdaptiveExecution fixed(rt, weights, cfg, policy);
        mnv1::ExecutionContext* first = &fixed.select();
        for (int i = 0; i < 3; ++i) {
            mnv1::ExecutionContext& c = fixed.select();
            QCOMPARE(c.network().threads(), 1);
            QCOMPARE(&c, first);
        }
        cfg.threads = 0;
        mnv1::AdaptiveExecution shared(rt, weights, cfg, policy);
        const int ran = shared.select().network().threads();  // before reading the choice it made
        QCOMPARE(ran, policy.last().threads);
        QCOMPARE(&shared.last_choice(), &policy.last());
    }

    void waitPolicyIsDescribed() {
        const mnv1::WaitPolicy w = mnv1::wait_policy();
        QVERIFY(!w.setting.empty());
        // Tests run with OMP_WAIT_POLICY=PASSIVE in their environment (tests/CMakeLists.txt).
        if (qEnvironmentVariableIsSet("OMP_WAIT_POLICY")) QCOMPARE(w.source, std::string("environment"));
    }
};

QTEST_GUILESS_MAIN(TestThreading)
#include "test_threading.moc"
