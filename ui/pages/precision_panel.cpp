#include "precision_panel.hpp"

#include <QAction>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

#include "app/action_manager.hpp"
#include "app/settings_manager.hpp"
#include "controller/inference_controller.hpp"
#include "pages/calibration_dialog.hpp"

namespace studio {

PrecisionPanel::PrecisionPanel(InferenceController& controller, SettingsManager& settings, ActionManager& actions,
                               QWidget* parent)
    : QGroupBox(tr("Precision"), parent), controller_(controller), settings_(settings), actions_(actions) {
    setObjectName(QStringLiteral("precisionPanel"));
    selector_ = new QComboBox(this);
    selector_->setObjectName(QStringLiteral("precisionBox"));
    for (QAction* a : actions_.precision_actions()) {
        selector_->addItem(a->text().remove(QLatin1Char('&')), a->data());
        selector_->setItemData(selector_->count() - 1, a->toolTip(), Qt::ToolTipRole);
    }
    selector_->setToolTip(tr("fp32: float. int8: 8-bit integer (uint8 releases run their own quantization, float "
                             "models once calibrated). auto: the faster of the two, measured here."));
    calibrate_ = new QToolButton(this);
    calibrate_->setDefaultAction(actions_.calibrate_int8());
    running_ = new QLabel(this);
    running_->setObjectName(QStringLiteral("precisionRunning"));
    running_->setWordWrap(true);
    running_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Com&pute"), selector_);
    auto* lay = new QVBoxLayout(this);
    lay->addLayout(form);
    lay->addWidget(running_);
    lay->addWidget(calibrate_, 0, Qt::AlignRight);

    // Selector, actions and controller are one setting; the controller has the last word.
    connect(selector_, &QComboBox::currentIndexChanged, this, [this] { controller_.set_precision(choice()); });
    for (QAction* a : actions_.precision_actions()) {
        connect(a, &QAction::triggered, this,
                [this, a] { controller_.set_precision(static_cast<mnv1::PrecisionChoice>(a->data().toInt())); });
    }
    connect(&controller_, &InferenceController::precisionChanged, this, [this](mnv1::PrecisionChoice c) {
        set_choice(c);
        settings_.set_precision(c);
        running_->setText(tr("Setting up %1…").arg(QString::fromLatin1(mnv1::to_string(c))));
    });
    connect(actions_.calibrate_int8(), &QAction::triggered, this, [this] { show_calibration_dialog(); });
    connect(&controller_, &InferenceController::modelConfigured, this, &PrecisionPanel::on_configured);
    connect(&controller_, &InferenceController::calibrationFinished, this, [this](const CalibrationResult& r) {
        // Calibrating is asking for int8: run it (auto stays auto and measures it).
        if (r.ok && controller_.precision() == mnv1::PrecisionChoice::F32) controller_.set_precision(mnv1::PrecisionChoice::Int8);
    });

    const mnv1::PrecisionChoice saved = settings_.precision();
    set_choice(saved);
    controller_.set_precision(saved);
    running_->setText(tr("Waiting for the model…"));
}

mnv1::PrecisionChoice PrecisionPanel::choice() const {
    return static_cast<mnv1::PrecisionChoice>(selector_->currentData().toInt());
}

void PrecisionPanel::set_choice(mnv1::PrecisionChoice c) {
    const QSignalBlocker block(selector_);
    selector_->setCurrentIndex(selector_->findData(static_cast<int>(c)));
    if (QAction* a = actions_.precision_action(c)) a->setChecked(true);
}

QString PrecisionPanel::running_text() const { return running_->text(); }

CalibrationDialog* PrecisionPanel::show_calibration_dialog() {
    if (!dialog_) dialog_ = new CalibrationDialog(controller_, settings_, window());
    dialog_->show();
    dialog_->raise();
    dialog_->activateWindow();
    return dialog_;
}

void PrecisionPanel::on_configured(const ModelStatus& s) {
    QStringList lines;
    if (s.int8_fallback()) {
        lines << tr("Running: <b>fp32</b>");
        lines << (s.pretrained
                      ? tr("<span style='color:#b00020'><b>int8 not available:</b> these are float weights and they are "
                           "not calibrated yet, so fp32 runs until they are.</span> Calibrate int8… below measures "
                           "activation ranges on a folder of your images.")
                      : tr("<span style='color:#b00020'><b>int8 not available:</b> these random weights are not "
                           "calibrated, so fp32 runs.</span> Calibrate int8… below gives them activation ranges from "
                           "your images, to time the int8 network (its predictions mean nothing either way)."));
    } else if (s.ok) {
        lines << tr("Running: <b>%1</b>").arg(s.precisionDetail.toHtmlEscaped());
        if (!s.autoDecision.isEmpty()) lines << s.autoDecision.toHtmlEscaped();
        if (s.floatWeights && s.int8Source.isEmpty() && !s.int8Release.isEmpty()) {
            lines << tr("<i>int8 runs the uint8 release %1 instead, with its own quantization: no calibration "
                        "needed.</i>")
                         .arg(s.int8Release.toHtmlEscaped());
        } else if (s.floatWeights && s.int8Source.isEmpty()) {
            lines << (s.pretrained ? tr("<i>int8 needs calibration for these float weights.</i>")
                                   : tr("<i>int8 of random weights runs on ranges from synthetic images: it only "
                                        "times the int8 network.</i>"));
        }
    } else {
        lines << tr("<span style='color:#b00020'>No network: %1</span>").arg(s.error.toHtmlEscaped());
    }
    running_->setText(lines.join(QStringLiteral("<br>")));
    // Only float models need calibration (a uint8 release has its own quantization).
    actions_.calibrate_int8()->setEnabled(s.floatWeights);
    const QString model = s.pretrained ? (s.weightsName.isEmpty() ? tr("the current model") : s.weightsName)
                                       : tr("these random weights (for the int8 latency only)");
    actions_.calibrate_int8()->setToolTip(
        s.floatWeights ? tr("Quantize %1 to int8 with activation ranges measured on a folder of images you pick").arg(model)
                       : tr("This uint8 release runs int8 with its own quantization"));
}

}  // namespace studio
