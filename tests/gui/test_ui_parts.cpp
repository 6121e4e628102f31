// Unit tests of the GUI's building blocks that need no window: the newest-frame-wins
// slot, cv::Mat <-> QImage conversion, the heat map, number formatting, the rate meter.
#include <QtTest>

#include <QImage>

#include <opencv2/imgproc.hpp>

#include <atomic>
#include <thread>

#include "common/display_format.hpp"
#include "worker/image_convert.hpp"
#include "worker/latest_frame_slot.hpp"
#include "controller/rate_meter.hpp"
#include "widgets/channel_grid.hpp"
#include "widgets/results_view.hpp"

class TestUiParts : public QObject {
    Q_OBJECT

private slots:
    // A uint8 output rounds most classes to exactly 0: those rows are summed up in one
    // line, not listed as predictions in class order ("background, tench, ...").
    void resultsHideExactZeroRows() {
        studio::ResultsView view;
        view.resize(400, 300);
        const auto top = [](std::initializer_list<float> ps) {
            std::vector<mnv1::Prediction> v;
            int i = 0;
            for (float p : ps) v.push_back({i, "class " + std::to_string(i), p}), ++i;
            return v;
        };
        view.set_predictions(top({0.5f, 0.2f, 0.1f, 0.05f, 0.01f}));
        QCOMPARE(view.shown_rows(), 5);
        QCOMPARE(view.zero_rows(), 0);
        QVERIFY(view.zero_rows_text().isEmpty());

        view.set_predictions(top({0.98f, 0.0117f, 0.0f, 0.0f, 0.0f}), 4);
        QCOMPARE(view.shown_rows(), 2);
        QCOMPARE(view.zero_rows(), 3);
        QCOMPARE(view.selected_row(), 1);  // clamped to the rows drawn
        QVERIFY(view.zero_rows_text().contains(QStringLiteral("1/256")));
        view.set_selected_row(3);          // not drawn: ignored
        QCOMPARE(view.selected_row(), 1);
        QCOMPARE(view.predictions().size(), std::size_t{5});  // the data stays whole

        view.set_predictions(top({0.0f, 0.0f, 0.0f, 0.0f, 0.0f}));
        QCOMPARE(view.shown_rows(), 1);  // the top class is always drawn
        view.clear_predictions(QStringLiteral("No network"));
        QCOMPARE(view.shown_rows(), 0);
        QCOMPARE(view.zero_rows(), 0);
    }

    // The class an image is labelled with: a check mark on its row in the top 5, or a row
    // of its own after them (selectable, by click and by key) when it ranks lower.
    void resultsMarkTheLabelledClass() {
        studio::ResultsView view;
        view.resize(400, 400);
        std::vector<mnv1::Prediction> top;
        for (int i = 0; i < 5; ++i) top.push_back({i, "class " + std::to_string(i), 0.5f / static_cast<float>(i + 1)});
        view.set_predictions(top, 0);
        const int plain_height = view.sizeHint().height();
        QVERIFY(view.labelled_text().isEmpty());

        view.set_predictions(top, 0, {2, 3, QStringLiteral("ground_truth.csv")});
        QCOMPARE(view.labelled().row, 2);
        QVERIFY(view.labelled_text().startsWith(QStringLiteral("✓")));
        QVERIFY(view.labelled_text().contains(QStringLiteral("ground_truth.csv")));
        QVERIFY(view.sizeHint().height() > plain_height);  // the caption line

        top.push_back({700, "class 700", 0.001f});  // ranks 6th: a sixth row all the same
        view.set_predictions(top, 0, {5, 6, QStringLiteral("wnid in the file name"), true});
        QCOMPARE(view.shown_rows(), 5);
        top.back().probability = 0.0004f;  // ranks 37th
        view.set_predictions(top, 0, {5, 37, QStringLiteral("wnid in the file name"), true});
        QCOMPARE(view.shown_rows(), 5);
        QCOMPARE(view.zero_rows(), 0);
        QVERIFY(view.labelled_text().contains(QStringLiteral("wnid in the file name")));
        const int extra_height = view.sizeHint().height();
        QVERIFY(extra_height > plain_height + view.fontMetrics().height() * 2);
        view.resize(400, extra_height);
        QSignalSpy picked(&view, &studio::ResultsView::rowSelected);
        QTest::mouseClick(&view, Qt::LeftButton, Qt::NoModifier, QPoint(200, extra_height - view.fontMetrics().height()));
        QCOMPARE(view.selected_row(), 5);
        QCOMPARE(picked.size(), 1);
        QCOMPARE(picked.front().front().toInt(), 5);
        view.setFocus();
        QTest::keyClick(&view, Qt::Key_Up);
        QCOMPARE(view.selected_row(), 4);
        QTest::keyClick(&view, Qt::Key_Down);
        QCOMPARE(view.selected_row(), 5);
        QTest::keyClick(&view, Qt::Key_Down);  // the last row: stays
        QCOMPARE(view.selected_row(), 5);

        // int8: the labelled class among the classes summed up as 0 %: said in the caption.
        std::vector<mnv1::Prediction> zeros = {{3, "class 3", 0.98f}, {4, "class 4", 0.0117f}, {0, "class 0", 0.0f},
                                               {1, "class 1", 0.0f}, {2, "class 2", 0.0f}};
        view.set_predictions(zeros, 0, {3, 4, QStringLiteral("ground_truth.csv")});
        QCOMPARE(view.shown_rows(), 2);
        QVERIFY(view.labelled_text().contains(QStringLiteral("0 %")));
        view.clear_predictions(QStringLiteral("Classifying…"));
        QCOMPARE(view.labelled().row, -1);
        QCOMPARE(view.sizeHint().height(), plain_height);
    }

    void slotKeepsOnlyTheNewestFrame() {
        studio::LatestFrameSlot slot;
        QVERIFY(!slot.take());
        auto frame = [](quint64 i) {
            studio::Frame f;
            f.index = i;
            f.bgr = cv::Mat(2, 2, CV_8UC3, cv::Scalar::all(static_cast<double>(i)));
            return f;
        };
        QVERIFY(slot.put(frame(1)));    // empty -> the consumer must be woken
        QVERIFY(!slot.put(frame(2)));   // a wake-up is already pending: no second one
        QVERIFY(!slot.put(frame(3)));
        QCOMPARE(slot.dropped(), quint64{2});
        auto got = slot.take();
        QVERIFY(got);
        QCOMPARE(got->index, quint64{3});
        QVERIFY(!slot.take());          // taken: nothing left
        QVERIFY(slot.put(frame(4)));    // empty again -> wake
        slot.clear();
        QVERIFY(!slot.has_frame());
        QCOMPARE(slot.delivered(), quint64{1});
    }

    void slotProducerOutrunsConsumerWithoutGrowth() {
        // A fast producer and a slow consumer: the consumer only ever sees increasing
        // indices, and every frame is either delivered or counted as dropped.
        studio::LatestFrameSlot slot;
        std::atomic<bool> done{false};
        constexpr quint64 kFrames = 2000;
        std::thread producer([&] {
            for (quint64 i = 1; i <= kFrames; ++i) {
                studio::Frame f;
                f.index = i;
                slot.put(std::move(f));
            }
            done = true;
        });
        quint64 last = 0, taken = 0;
        while (!done || slot.has_frame()) {
            if (auto f = slot.take()) {
                QVERIFY(f->index > last);
                last = f->index;
                ++taken;
            }
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        producer.join();
        QCOMPARE(last, kFrames);  // the newest frame always gets through
        QCOMPARE(taken + slot.dropped(), kFrames);
    }

    void slotWaitUntilEmpty() {
        studio::LatestFrameSlot slot;
        QVERIFY(slot.wait_until_empty(std::chrono::milliseconds(1)));
        slot.put(studio::Frame{});
        QVERIFY(!slot.wait_until_empty(std::chrono::milliseconds(20)));
        std::thread consumer([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(30));
            slot.take();
        });
        QVERIFY(slot.wait_until_empty(std::chrono::milliseconds(5000)));
        consumer.join();
    }

    void matToQImageAndBack() {
        cv::Mat bgr(3, 4, CV_8UC3, cv::Scalar(10, 20, 30));  // B, G, R
        bgr.at<cv::Vec3b>(1, 2) = cv::Vec3b(200, 100, 50);
        const QImage img = studio::mat_to_qimage(bgr);
        QCOMPARE(img.size(), QSize(4, 3));
        QCOMPARE(img.pixelColor(0, 0), QColor(30, 20, 10));
        QCOMPARE(img.pixelColor(2, 1), QColor(50, 100, 200));
        const cv::Mat back = studio::qimage_to_mat(img);
        QCOMPARE(back.type(), CV_8UC3);
        QCOMPARE(cv::norm(back, bgr, cv::NORM_INF), 0.0);

        // Gray, BGRA, ARGB QImage with alpha, null / empty.
        cv::Mat gray(2, 2, CV_8UC1, cv::Scalar(77));
        QCOMPARE(studio::mat_to_qimage(gray).pixelColor(1, 1), QColor(77, 77, 77));
        QImage argb(2, 2, QImage::Format_ARGB32);
        argb.fill(QColor(1, 2, 3, 128));
        const cv::Mat from_argb = studio::qimage_to_mat(argb);
        QCOMPARE(from_argb.channels(), 3);
        QVERIFY(studio::mat_to_qimage(cv::Mat()).isNull());
        QVERIFY(studio::qimage_to_mat(QImage()).empty());
    }

    void thumbnailKeepsAspectAndNeverUpscales() {
        cv::Mat big(300, 600, CV_8UC3, cv::Scalar::all(0));
        QCOMPARE(studio::thumbnail(big, 100).size(), QSize(100, 50));
        cv::Mat small(20, 10, CV_8UC3, cv::Scalar::all(0));
        QCOMPARE(studio::thumbnail(small, 100).size(), QSize(10, 20));
    }

    void heatmapIsJetOverTheNormalizedMap() {
        cv::Mat cam = cv::Mat::zeros(7, 7, CV_32F);
        cam.at<float>(3, 3) = 5.0f;  // one hot spot
        cam -= 2.0f;                 // any range: min-max normalized
        const QImage heat = studio::activation_heatmap(cam, QSize(70, 70));
        QCOMPARE(heat.size(), QSize(70, 70));
        const QColor hot = heat.pixelColor(35, 35);
        const QColor cold = heat.pixelColor(2, 2);
        QVERIFY(hot.red() > 200 && hot.blue() < 80);   // JET: red at the peak
        QVERIFY(cold.blue() > 100 && cold.red() < 50); // blue far from it
        QVERIFY(hot.alpha() > cold.alpha());           // and more opaque where the class is
        QVERIFY(studio::activation_heatmap(cv::Mat(), QSize(10, 10)).isNull());
        const QImage flat = studio::activation_heatmap(cv::Mat::zeros(7, 7, CV_32F), QSize(7, 7));
        QVERIFY(!flat.isNull());
    }

    void formatting() {
        QCOMPARE(studio::format_alpha(1.0), QStringLiteral("1.0"));
        QCOMPARE(studio::format_alpha(0.25), QStringLiteral("0.25"));
        QCOMPARE(studio::format_alpha(0.35), QStringLiteral("0.35"));
        QCOMPARE(studio::format_count(568'740'352), QStringLiteral("568.7 M"));
        QCOMPARE(studio::format_count(4'209'088), QStringLiteral("4.21 M"));
        QCOMPARE(studio::format_count(12'345), QStringLiteral("12.3 k"));
        QCOMPARE(studio::format_ms(8.61), QStringLiteral("8.6 ms"));
        QCOMPARE(studio::format_ms(0.42), QStringLiteral("0.42 ms"));
        QCOMPARE(studio::config_name(0.5, 160), QStringLiteral("0.5-160"));
        QCOMPARE(studio::format_percent(0.8671), QStringLiteral("86.7 %"));
    }

    // A colour bar's caption too wide for it (a constant channel says its value) takes a
    // second line and the legend grows, instead of being cut off; a short one stays on one.
    void legendCaptionWraps() {
        studio::ColorLegend legend;
        legend.setFixedWidth(260);
        legend.set_caption(QStringLiteral("channel 7: 0.25"));
        legend.show();
        QVERIFY(QTest::qWaitForWindowExposed(&legend));
        QCOMPARE(legend.caption_lines(), 1);
        const int one_line = legend.sizeHint().height();
        legend.set_caption(QStringLiteral("channel 123: -0.000123 everywhere (nothing to scale) in this layer"));
        QCOMPARE(legend.caption_lines(), 2);
        QCOMPARE(legend.sizeHint().height(), one_line + legend.fontMetrics().height());
    }

    void rateMeter() {
        studio::RateMeter m(std::chrono::milliseconds(1000));
        const auto t0 = studio::RateMeter::Clock::now();
        QCOMPARE(m.rate(t0), 0.0);
        for (int i = 0; i < 11; ++i) m.tick(t0 + std::chrono::milliseconds(i * 50));  // 20 per second
        QVERIFY(std::fabs(m.rate(t0 + std::chrono::milliseconds(500)) - 20.0) < 1e-6);
        QCOMPARE(m.rate(t0 + std::chrono::milliseconds(5000)), 0.0);  // window passed
        QCOMPARE(m.total(), 11LL);
    }
};

QTEST_MAIN(TestUiParts)
#include "test_ui_parts.moc"
