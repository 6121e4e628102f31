#include "calibration_dialog.hpp"

#include <algorithm>

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLayout>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "app/settings_manager.hpp"
#include "controller/inference_controller.hpp"

namespace studio {

namespace {
// Below this many images the dialog suggests more (TFLite's converter guide asks for about
// 100 to 500 representative samples).
constexpr int kFewCalibrationImages = 100;
}  // namespace

CalibrationDialog::CalibrationDialog(InferenceController& controller, SettingsManager& settings, QWidget* parent)
    : QDialog(parent), controller_(controller), settings_(settings) {
    setWindowTitle(tr("Calibrate int8"));
    auto* intro = new QLabel(tr("Post-training quantization of the current float model: weights per channel, "
                                "activations per tensor, their ranges measured by running fp32 on your images. "
                                "Images like the ones you will classify give the best ranges."),
                             this);
    intro->setWordWrap(true);
    folder_ = new QLineEdit(settings_.calibration_dir(), this);
    folder_->setObjectName(QStringLiteral("calibrationFolder"));
    browse_ = new QPushButton(tr("&Browse…"), this);
    auto* folder_row = new QHBoxLayout;
    folder_row->addWidget(folder_, 1);
    folder_row->addWidget(browse_);
    max_images_ = new QSpinBox(this);
    max_images_->setRange(1, 5000);
    max_images_->setValue(100);
    max_images_->setToolTip(tr("The first this many images of the folder (sorted by path), searched recursively"));
    auto* form = new QFormLayout;
    form->addRow(tr("Images folder:"), folder_row);
    form->addRow(tr("&Use at most:"), max_images_);
    progress_ = new QProgressBar(this);
    progress_->setRange(0, 1);
    progress_->setValue(0);
    message_ = new QLabel(this);
    message_->setObjectName(QStringLiteral("calibrationMessage"));
    message_->setWordWrap(true);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    start_ = buttons->addButton(tr("&Calibrate"), QDialogButtonBox::ActionRole);
    cancel_ = buttons->addButton(tr("C&ancel Calibration"), QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* lay = new QVBoxLayout(this);
    lay->addWidget(intro);
    lay->addLayout(form);
    lay->addWidget(progress_);
    lay->addWidget(message_);
    lay->addStretch();
    lay->addWidget(buttons);

    connect(browse_, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder of Calibration Images"), folder_->text());
        if (!dir.isEmpty()) folder_->setText(dir);
    });
    connect(folder_, &QLineEdit::textChanged, this, [this] { start_->setEnabled(!controller_.calibrating() && !folder_->text().trimmed().isEmpty()); });
    connect(start_, &QPushButton::clicked, this, &CalibrationDialog::start);
    connect(cancel_, &QPushButton::clicked, &controller_, &InferenceController::cancel_calibration);
    connect(&controller_, &InferenceController::calibrationProgress, this, [this](int done, int total) {
        progress_->setRange(0, std::max(1, total));
        progress_->setValue(done);
        message_->setText(tr("Measuring activation ranges: %1 of %2 images…").arg(done).arg(total));
    });
    connect(&controller_, &InferenceController::calibrationFinished, this, &CalibrationDialog::on_finished);
    set_running(controller_.calibrating());
    resize(fontMetrics().height() * 36, sizeHint().height());
}

void CalibrationDialog::set_folder(const QString& folder) { folder_->setText(folder); }
void CalibrationDialog::set_max_images(int images) { max_images_->setValue(images); }
QString CalibrationDialog::message() const { return message_->text(); }

bool CalibrationDialog::start() {
    const QString folder = folder_->text().trimmed();
    if (folder.isEmpty()) {
        message_->setText(tr("Choose a folder of images first."));
        return false;
    }
    if (!controller_.calibrate_int8(folder, max_images_->value())) {
        message_->setText(controller_.calibrating() ? tr("A calibration is already running.")
                                                    : tr("No network yet: wait until the model is loaded."));
        return false;
    }
    progress_->setRange(0, 0);  // busy until the first image is done
    message_->setText(tr("Listing the images of %1…").arg(folder));
    set_running(true);
    return true;
}

void CalibrationDialog::on_finished(const CalibrationResult& r) {
    set_running(false);
    progress_->setRange(0, 1);
    progress_->setValue(r.ok ? 1 : 0);
    QString text;
    if (r.ok) {
        settings_.set_calibration_dir(r.folder);  // offered next time; a folder that failed is not
        text = tr("%1 calibrated on %2 of %3; int8 now runs it.")
                   .arg(r.weightsName, r.images == 1 ? tr("1 image") : tr("%1 images").arg(r.images), r.folder);
        if (r.images < kFewCalibrationImages) {
            // Ranges from a few images miss values the model meets later and clip them.
            text += QLatin1Char('\n') + tr("Few images: ranges measured on about %1 like the ones you will classify "
                                            "usually cost less accuracy. The Evaluate tab measures the change.")
                                             .arg(kFewCalibrationImages);
        }
    } else if (r.cancelled) {
        text = tr("Cancelled: nothing changed.");
    } else {
        text = tr("Calibration failed: %1").arg(r.error);
    }
    if (!r.skipped.isEmpty()) {
        text += QLatin1Char('\n') + tr("%1 file(s) could not be read, e.g. %2").arg(r.skipped.size()).arg(r.skipped.first());
    }
    message_->setText(text);
    // A longer message grows the dialog instead of being cut off at its bottom; it never
    // shrinks (adjustSize() narrowed it and moved the buttons from under the pointer).
    const int wanted = layout()->hasHeightForWidth() ? layout()->totalHeightForWidth(width()) : sizeHint().height();
    resize(width(), std::max(height(), wanted));
}

void CalibrationDialog::set_running(bool running) {
    start_->setEnabled(!running && !folder_->text().trimmed().isEmpty());
    cancel_->setEnabled(running);
    folder_->setEnabled(!running);
    browse_->setEnabled(!running);
    max_images_->setEnabled(!running);
}

}  // namespace studio
