#include "display_format.hpp"

#include <QLocale>
#include <QObject>

#include <cmath>

#include "mobilenet/arch.hpp"

namespace studio {

QString format_alpha(double alpha) { return QString::fromStdString(mnv1::format_alpha(alpha)); }

QString format_exact_count(std::int64_t n) {
    QString digits = QString::number(n < 0 ? -n : n);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, QLatin1Char(','));
    return n < 0 ? QStringLiteral("-") + digits : digits;
}

QString format_count(std::int64_t n) {
    const double v = static_cast<double>(n);
    const double a = std::fabs(v);
    if (a >= 1e9) return QStringLiteral("%1 G").arg(v / 1e9, 0, 'f', 2);
    if (a >= 100e6) return QStringLiteral("%1 M").arg(v / 1e6, 0, 'f', 1);
    if (a >= 1e6) return QStringLiteral("%1 M").arg(v / 1e6, 0, 'f', 2);
    if (a >= 1e3) return QStringLiteral("%1 k").arg(v / 1e3, 0, 'f', 1);
    return QString::number(n);
}

QString format_ms(double ms) {
    if (ms < 1.0) return QStringLiteral("%1 ms").arg(ms, 0, 'f', 2);
    if (ms < 100.0) return QStringLiteral("%1 ms").arg(ms, 0, 'f', 1);
    return QStringLiteral("%1 ms").arg(ms, 0, 'f', 0);
}

QString config_name(double alpha, int resolution) {
    return QStringLiteral("%1-%2").arg(format_alpha(alpha)).arg(resolution);
}

QString format_percent(double probability) {
    return QStringLiteral("%1 %").arg(probability * 100.0, 0, 'f', 1);
}

QString format_threads(int threads) {
    return threads == 1 ? QObject::tr("1 thread") : QObject::tr("%1 threads").arg(threads);
}

QString precision_text(const QString& precision) {
    return precision == QLatin1String("f32") ? QStringLiteral("fp32") : precision;
}

}  // namespace studio
