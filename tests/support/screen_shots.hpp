// For GUI tests: with MOBILENET_SHOTS_DIR set (a run under xvfb-run to look at the views),
// save_screen(NAME) saves the whole screen there as NAME.png; otherwise it does nothing.
#pragma once

#include <QGuiApplication>
#include <QScreen>
#include <QtTest>

namespace mnv1::test {

inline void save_screen(const char* name) {
    const QString dir = qEnvironmentVariable("MOBILENET_SHOTS_DIR");
    if (dir.isEmpty()) return;
    QTest::qWait(300);  // let the last repaint land
    QGuiApplication::primaryScreen()->grabWindow(0).save(QStringLiteral("%1/%2.png").arg(dir, QLatin1String(name)));
}

}  // namespace mnv1::test
