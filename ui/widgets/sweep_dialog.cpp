#include "sweep_dialog.hpp"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QJsonArray>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QThread>

#include <algorithm>
#include <stdexcept>

#include "common/display_format.hpp"
#include "mobilenet/arch.hpp"

namespace studio {

namespace {

QStringList list_items(const QString& text) {
    return text.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts);
}

bool valid_alpha(double a) { return a > 0 && a <= mnv1::kMaxAlpha; }
bool valid_resolution(int r) { return r >= mnv1::kMinResolution && r <= mnv1::kMaxResolution; }
bool has_precision(const mnv1::SweepConfig& c, mnv1::Precision p) {
    return std::find(c.precisions.begin(), c.precisions.end(), p) != c.precisions.end();
}

}  // namespace

SweepDialog::SweepDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Run Sweep"));
    const mnv1::SweepConfig defaults;
    auto* form = new QFormLayout;
    QStringList alphas, resolutions;
    for (double a : defaults.alphas) alphas << QString::number(a, 'g', 3);
    for (int r : defaults.resolutions) resolutions << QString::number(r);
    alphas_ = new QLineEdit(alphas.join(QStringLiteral(", ")), this);
    alphas_->setToolTip(tr("Width multipliers, comma separated, each in (0, 1.5]"));
    resolutions_ = new QLineEdit(resolutions.join(QStringLiteral(", ")), this);
    resolutions_->setToolTip(tr("Input sizes in pixels, comma separated, each in [32, 1024]"));
    threads_ = new QSpinBox(this);
    threads_->setRange(1, std::max(1, QThread::idealThreadCount()));
    threads_->setValue(defaults.threads);
    form->addRow(tr("&α values:"), alphas_);
    form->addRow(tr("&Resolutions (px):"), resolutions_);
    form->addRow(tr("&Threads:"), threads_);

    // Precision is a dimension of the grid: each point at each checked precision.
    fp32_ = new QCheckBox(tr("fp&32"), this);
    fp32_->setObjectName(QStringLiteral("sweepFp32"));
    fp32_->setChecked(true);
    int8_ = new QCheckBox(tr("&int8"), this);
    int8_->setObjectName(QStringLiteral("sweepInt8"));
    int8_->setToolTip(tr("int8 runs the α's uint8 release when there is one; a float model is calibrated on the "
                         "folder below; without either, random weights calibrated on synthetic images (latency only)"));
    auto* precision_row = new QHBoxLayout;
    precision_row->addWidget(fp32_);
    precision_row->addWidget(int8_);
    precision_row->addStretch();
    form->addRow(tr("Precisions:"), precision_row);
    calibration_ = new QLineEdit(this);
    calibration_->setObjectName(QStringLiteral("sweepCalibrationDir"));
    calibration_->setPlaceholderText(tr("optional: images to calibrate int8 of float models on"));
    calibration_->setEnabled(false);
    auto* calibration_browse = new QPushButton(tr("B&rowse…"), this);
    calibration_browse->setEnabled(false);
    auto* calibration_row = new QHBoxLayout;
    calibration_row->addWidget(calibration_, 1);
    calibration_row->addWidget(calibration_browse);
    form->addRow(tr("Calibration images:"), calibration_row);
    connect(int8_, &QCheckBox::toggled, calibration_, &QWidget::setEnabled);
    connect(int8_, &QCheckBox::toggled, calibration_browse, &QWidget::setEnabled);
    connect(calibration_browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Calibration Images Folder"), calibration_->text());
        if (!dir.isEmpty()) calibration_->setText(dir);
    });

    accuracy_ = new QCheckBox(tr("&Accuracy on a labelled folder:"), this);
    accuracy_->setToolTip(tr("Top-1 / top-5 for every α with released weights (ground truth from a CSV, "
                             "wnids in file names, or class subfolders)"));
    images_ = new QLineEdit(this);
    images_->setEnabled(false);
    auto* browse = new QPushButton(tr("&Browse…"), this);
    browse->setEnabled(false);
    auto* folder_row = new QHBoxLayout;
    folder_row->addWidget(images_, 1);
    folder_row->addWidget(browse);
    form->addRow(accuracy_, folder_row);
    connect(accuracy_, &QCheckBox::toggled, images_, &QWidget::setEnabled);
    connect(accuracy_, &QCheckBox::toggled, browse, &QWidget::setEnabled);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Labelled Images Folder"), images_->text());
        if (!dir.isEmpty()) images_->setText(dir);
    });

    problem_ = new QLabel(this);
    problem_->setStyleSheet(QStringLiteral("color: #b00020"));
    auto* note = new QLabel(tr("Each point is timed after a warm-up; live video pauses while the sweep runs. "
                               "Points finished before are taken from the cache."),
                            this);
    note->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Run"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* lay = new QVBoxLayout(this);
    lay->addLayout(form);
    lay->addWidget(note);
    lay->addWidget(problem_);
    lay->addWidget(buttons);

    const auto check = [this, buttons] {
        validate();
        buttons->button(QDialogButtonBox::Ok)->setEnabled(problem_->text().isEmpty());
    };
    connect(alphas_, &QLineEdit::textChanged, this, check);
    connect(resolutions_, &QLineEdit::textChanged, this, check);
    connect(accuracy_, &QCheckBox::toggled, this, check);
    connect(images_, &QLineEdit::textChanged, this, check);
    connect(fp32_, &QCheckBox::toggled, this, check);
    connect(int8_, &QCheckBox::toggled, this, check);
}

void SweepDialog::set_threads(int threads) { threads_->setValue(threads); }

void SweepDialog::set_config(const mnv1::SweepConfig& c) {
    QStringList alphas, resolutions;
    for (double a : c.alphas) alphas << format_alpha(a);
    for (int r : c.resolutions) resolutions << QString::number(r);
    alphas_->setText(alphas.join(QStringLiteral(", ")));
    resolutions_->setText(resolutions.join(QStringLiteral(", ")));
    set_threads(c.threads);
    set_precisions(has_precision(c, mnv1::Precision::F32), has_precision(c, mnv1::Precision::Int8));
    if (!c.calibration_dir.empty()) set_calibration_dir(QString::fromStdString(c.calibration_dir));
    set_images_dir(QString::fromStdString(c.images_dir));
}

QJsonObject SweepDialog::grid_json(const mnv1::SweepConfig& c) {
    QJsonArray alphas, resolutions;
    for (double a : c.alphas) alphas.append(a);
    for (int r : c.resolutions) resolutions.append(r);
    return {{"alphas", alphas},
            {"resolutions", resolutions},
            {"threads", c.threads},
            {"fp32", has_precision(c, mnv1::Precision::F32)},
            {"int8", has_precision(c, mnv1::Precision::Int8)},
            {"calibration_dir", QString::fromStdString(c.calibration_dir)},
            {"images_dir", QString::fromStdString(c.images_dir)}};
}

mnv1::SweepConfig SweepDialog::grid_from_json(const QJsonObject& o) {
    mnv1::SweepConfig c;
    std::vector<double> alphas;
    std::vector<int> resolutions;
    for (const QJsonValue& v : o.value("alphas").toArray()) {
        if (valid_alpha(v.toDouble())) alphas.push_back(v.toDouble());
    }
    for (const QJsonValue& v : o.value("resolutions").toArray()) {
        if (valid_resolution(v.toInt())) resolutions.push_back(v.toInt());
    }
    if (!alphas.empty()) c.alphas = alphas;
    if (!resolutions.empty()) c.resolutions = resolutions;
    c.threads = std::max(1, o.value("threads").toInt(c.threads));
    c.precisions.clear();
    if (o.value("fp32").toBool(true)) c.precisions.push_back(mnv1::Precision::F32);
    if (o.value("int8").toBool()) c.precisions.push_back(mnv1::Precision::Int8);
    if (c.precisions.empty()) c.precisions.push_back(mnv1::Precision::F32);
    c.calibration_dir = o.value("calibration_dir").toString().toStdString();
    c.images_dir = o.value("images_dir").toString().toStdString();
    return c;
}

void SweepDialog::set_precisions(bool fp32, bool int8) {
    fp32_->setChecked(fp32);
    int8_->setChecked(int8);
}

void SweepDialog::set_calibration_dir(const QString& dir) { calibration_->setText(dir); }

void SweepDialog::set_images_dir(const QString& dir) {
    images_->setText(dir);
    accuracy_->setChecked(!dir.isEmpty());
}

std::vector<double> SweepDialog::parse_alphas(const QString& text) {
    std::vector<double> out;
    for (const QString& item : list_items(text)) {
        bool ok = false;
        const double a = item.toDouble(&ok);
        if (!ok || !valid_alpha(a)) throw std::invalid_argument(tr("α '%1' is not in (0, %2]").arg(item).arg(mnv1::kMaxAlpha).toStdString());
        out.push_back(a);
    }
    if (out.empty()) throw std::invalid_argument(tr("no α given").toStdString());
    return out;
}

std::vector<int> SweepDialog::parse_resolutions(const QString& text) {
    std::vector<int> out;
    for (const QString& item : list_items(text)) {
        bool ok = false;
        const int r = item.toInt(&ok);
        if (!ok || !valid_resolution(r)) {
            throw std::invalid_argument(
                tr("resolution '%1' is not in [%2, %3]").arg(item).arg(mnv1::kMinResolution).arg(mnv1::kMaxResolution).toStdString());
        }
        out.push_back(r);
    }
    if (out.empty()) throw std::invalid_argument(tr("no resolution given").toStdString());
    return out;
}

mnv1::SweepConfig SweepDialog::config() const {
    mnv1::SweepConfig c;
    c.alphas = parse_alphas(alphas_->text());
    c.resolutions = parse_resolutions(resolutions_->text());
    c.threads = threads_->value();
    c.precisions.clear();
    if (fp32_->isChecked()) c.precisions.push_back(mnv1::Precision::F32);
    if (int8_->isChecked()) c.precisions.push_back(mnv1::Precision::Int8);
    if (c.precisions.empty()) throw std::invalid_argument(tr("check at least one precision").toStdString());
    if (int8_->isChecked()) c.calibration_dir = calibration_->text().trimmed().toStdString();
    if (accuracy_->isChecked()) {
        if (images_->text().trimmed().isEmpty()) throw std::invalid_argument(tr("choose the labelled folder").toStdString());
        c.images_dir = images_->text().trimmed().toStdString();
    }
    return c;
}

void SweepDialog::validate() {
    try {
        (void)config();
        problem_->clear();
    } catch (const std::invalid_argument& e) {
        problem_->setText(QString::fromStdString(e.what()));
    }
}

}  // namespace studio
