#include "tradeoff_model.hpp"

#include <QFile>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

#include "common/display_format.hpp"
#include "mobilenet/errors.hpp"

// resources.qrc is compiled into this static library, where nothing references its
// initializer unless asked: register it before reading (repeating it is harmless).
static void register_studio_resources() { Q_INIT_RESOURCE(resources); }

namespace studio {

QString layer_name(PointLayer layer) {
    switch (layer) {
    case PointLayer::Paper: return QObject::tr("paper");
    case PointLayer::Slim: return QObject::tr("TF-slim");
    case PointLayer::Measured: return QObject::tr("measured");
    }
    return {};
}

QString TradeoffPoint::label() const { return is_mobilenet() ? config_name(alpha, resolution) : model; }

TradeoffModel::TradeoffModel(QObject* parent) : QAbstractTableModel(parent) {}

namespace {

std::string read_resource(const QString& path) {
    register_studio_resources();
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) throw mnv1::Error(path.toStdString(), "cannot open the resource");
    return f.readAll().toStdString();
}

bool same_measurement(const TradeoffPoint& a, const TradeoffPoint& b) {
    return a.layer == PointLayer::Measured && b.layer == PointLayer::Measured && std::fabs(a.alpha - b.alpha) < 1e-6 &&
           a.resolution == b.resolution && a.precision == b.precision && a.threads == b.threads && a.origin == b.origin;
}

}  // namespace

std::vector<mnv1::PublishedPoint> TradeoffModel::shipped_mobilenet() {
    const QString path = QStringLiteral(":/reference/mobilenet_v1_published.csv");
    return mnv1::parse_published_mobilenet(read_resource(path), path.toStdString());
}

std::vector<mnv1::PublishedModel> TradeoffModel::shipped_models() {
    const QString path = QStringLiteral(":/reference/other_models_published.csv");
    return mnv1::parse_published_models(read_resource(path), path.toStdString());
}

void TradeoffModel::set_published(const std::vector<mnv1::PublishedPoint>& mobilenet,
                                  const std::vector<mnv1::PublishedModel>& others) {
    beginResetModel();
    std::erase_if(points_, [](const TradeoffPoint& p) { return p.layer != PointLayer::Measured; });
    for (const mnv1::PublishedPoint& m : mobilenet) {
        TradeoffPoint p;
        p.layer = m.source == mnv1::PublishedSource::Paper ? PointLayer::Paper : PointLayer::Slim;
        p.model = QStringLiteral("MobileNet v1");
        p.alpha = m.alpha;
        p.resolution = m.resolution;
        p.precision = QString::fromLatin1(mnv1::to_string(m.precision));
        p.million_macs = m.million_macs;
        p.million_params = m.million_params;
        p.top1 = m.top1;
        p.top5 = m.top5;
        p.origin = p.layer == PointLayer::Paper ? tr("MobileNet paper, Tables 6-8") : tr("TF-slim release table");
        points_.push_back(p);
    }
    for (const mnv1::PublishedModel& m : others) {
        TradeoffPoint p;
        p.layer = PointLayer::Paper;
        p.model = QString::fromStdString(m.name);
        p.precision = QStringLiteral("float");
        p.million_macs = m.million_macs;
        p.million_params = m.million_params;
        p.top1 = m.top1;
        p.origin = tr("MobileNet paper, Tables 8-9");
        points_.push_back(p);
    }
    endResetModel();
}

int TradeoffModel::add_measured(const TradeoffPoint& point) {
    const auto same = std::find_if(points_.begin(), points_.end(),
                                   [&](const TradeoffPoint& p) { return same_measurement(p, point); });
    if (same != points_.end()) {
        *same = point;
        const int row = static_cast<int>(same - points_.begin());
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return row;
    }
    const int row = rowCount();
    beginInsertRows({}, row, row);
    points_.push_back(point);
    endInsertRows();
    return row;
}

void TradeoffModel::clear_measured() {
    beginResetModel();
    std::erase_if(points_, [](const TradeoffPoint& p) { return p.layer == PointLayer::Measured; });
    endResetModel();
}

int TradeoffModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(points_.size());
}
int TradeoffModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant TradeoffModel::value(const TradeoffPoint& p, int column) const {
    const auto opt = [](const std::optional<double>& v) { return v ? QVariant(*v) : QVariant(); };
    switch (column) {
    case Layer: return layer_name(p.layer);
    case Model: return p.model;
    case Alpha: return p.is_mobilenet() ? QVariant(p.alpha) : QVariant();
    case Resolution: return p.is_mobilenet() ? QVariant(p.resolution) : QVariant();
    case Precision: return p.precision;
    case MultAdds: return p.million_macs;
    case Params: return p.million_params;
    case Top1: return opt(p.top1);
    case Top5: return opt(p.top5);
    case LatencyMs: return opt(p.latency_ms);
    case LatencyP10Ms: return p.latency_p10_ms > 0 ? QVariant(p.latency_p10_ms) : QVariant();
    case LatencyP90Ms: return p.latency_p90_ms > 0 ? QVariant(p.latency_p90_ms) : QVariant();
    case Threads: return p.threads > 0 ? QVariant(p.threads) : QVariant();
    case Images: return p.images > 0 ? QVariant(p.images) : QVariant();
    case Weights: return p.weights;
    case NativeResolution: return p.native_resolution > 0 ? QVariant(p.native_resolution) : QVariant();
    default: return {};
    }
}

QVariant TradeoffModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const TradeoffPoint& p = point(index.row());
    if (role == LayerRole) return static_cast<int>(p.layer);
    const QVariant v = value(p, index.column());
    if (role == ValueRole) return v;
    if (role != Qt::DisplayRole) return {};
    switch (index.column()) {
    case Alpha: return v.isValid() ? format_alpha(p.alpha) : QString();
    case MultAdds:
    case Params: return QString::number(v.toDouble(), 'g', 4) + QStringLiteral(" M");
    case Top1:
    case Top5: return v.isValid() ? QString::number(v.toDouble(), 'f', 1) + QStringLiteral(" %") : QString();
    case LatencyMs:
    case LatencyP10Ms:
    case LatencyP90Ms: return v.isValid() ? format_ms(v.toDouble()) : QString();
    default: return v;
    }
}

QVariant TradeoffModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    static const char* const names[ColumnCount] = {
        "Layer", "Model", "α", "Resolution", "Precision", "Mult-adds", "Parameters", "Top-1", "Top-5",
        "Latency (median)", "Latency p10", "Latency p90", "Threads", "Images", "Weights", "Native resolution"};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

QJsonArray TradeoffModel::measured_json() const {
    QJsonArray rows;
    for (const TradeoffPoint& p : points_) {
        if (p.layer != PointLayer::Measured) continue;
        QJsonObject o{{"model", p.model}, {"alpha", p.alpha}, {"resolution", p.resolution}, {"precision", p.precision},
                      {"million_macs", p.million_macs}, {"million_params", p.million_params},
                      {"latency_p10_ms", p.latency_p10_ms}, {"latency_p90_ms", p.latency_p90_ms}, {"runs", p.runs},
                      {"threads", p.threads}, {"batch", p.batch}, {"weights", p.weights},
                      {"native_resolution", p.native_resolution}, {"images", p.images}, {"origin", p.origin},
                      {"from_cache", p.from_cache}};
        if (p.top1) o.insert("top1", *p.top1);
        if (p.top5) o.insert("top5", *p.top5);
        if (p.latency_ms) o.insert("latency_ms", *p.latency_ms);
        rows.append(o);
    }
    return rows;
}

int TradeoffModel::restore_measured(const QJsonArray& rows) {
    int restored = 0;
    for (const QJsonValue& v : rows) {
        const QJsonObject o = v.toObject();
        TradeoffPoint p;
        p.layer = PointLayer::Measured;
        p.model = o.value("model").toString();
        p.alpha = o.value("alpha").toDouble();
        p.resolution = o.value("resolution").toInt();
        p.precision = o.value("precision").toString();
        p.million_macs = o.value("million_macs").toDouble();
        p.million_params = o.value("million_params").toDouble();
        // A hand-edited or damaged entry is dropped rather than drawn somewhere wrong.
        const bool valid = p.alpha > 0 && p.alpha <= 2 && p.resolution > 0 && p.million_macs > 0 && !p.precision.isEmpty();
        if (!valid) continue;
        auto optional_of = [&](const char* key) {
            return o.contains(key) && o.value(key).isDouble() ? std::optional<double>(o.value(key).toDouble()) : std::nullopt;
        };
        p.top1 = optional_of("top1");
        p.top5 = optional_of("top5");
        p.latency_ms = optional_of("latency_ms");
        p.latency_p10_ms = o.value("latency_p10_ms").toDouble();
        p.latency_p90_ms = o.value("latency_p90_ms").toDouble();
        p.runs = o.value("runs").toInt();
        p.threads = o.value("threads").toInt();
        p.batch = std::max(1, o.value("batch").toInt(1));
        p.weights = o.value("weights").toString();
        p.native_resolution = o.value("native_resolution").toInt();
        p.images = o.value("images").toInt();
        p.origin = o.value("origin").toString();
        p.from_cache = o.value("from_cache").toBool();
        p.earlier_session = true;
        add_measured(p);
        ++restored;
    }
    return restored;
}

}  // namespace studio
