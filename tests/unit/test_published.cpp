// The project's copy of the published figures (resources/reference) through the core
// parser: row counts, a few values quoted from the paper and the TF-slim table, errors.
#include <QtTest>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "mobilenet/errors.hpp"
#include "mobilenet/published.hpp"

using namespace mnv1;

namespace {

std::string read_resource(const std::string& name) {
    const std::string path = std::string(MOBILENET_SOURCE_DIR) + "/resources/reference/" + name;
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

class TestPublished : public QObject {
    Q_OBJECT
private slots:
    void mobilenetRows();
    void paperValues();
    void otherModels();
    void errors();
};

void TestPublished::mobilenetRows() {
    const auto points = parse_published_mobilenet(read_resource("mobilenet_v1_published.csv"), "published");
    const auto count = [&](PublishedSource s, PublishedPrecision p) {
        return std::count_if(points.begin(), points.end(),
                             [&](const PublishedPoint& x) { return x.source == s && x.precision == p; });
    };
    QCOMPARE(points.size(), std::size_t(40));
    QCOMPARE(count(PublishedSource::Slim, PublishedPrecision::Float), 16);
    QCOMPARE(count(PublishedSource::Slim, PublishedPrecision::Uint8), 16);
    QCOMPARE(count(PublishedSource::Paper, PublishedPrecision::Float), 8);
}

void TestPublished::paperValues() {
    const auto points = parse_published_mobilenet(read_resource("mobilenet_v1_published.csv"), "published");
    const auto find = [&](PublishedSource s, double alpha, int res, PublishedPrecision p) {
        return std::find_if(points.begin(), points.end(), [&](const PublishedPoint& x) {
            return x.source == s && x.alpha == alpha && x.resolution == res && x.precision == p;
        });
    };
    const auto paper = find(PublishedSource::Paper, 1.0, 224, PublishedPrecision::Float);
    QVERIFY(paper != points.end());
    QCOMPARE(paper->million_macs, 569.0);
    QCOMPARE(paper->million_params, 4.2);
    QCOMPARE(paper->top1, 70.6);
    QVERIFY(!paper->top5);  // the paper gives top-1 only
    const auto slim_q = find(PublishedSource::Slim, 0.25, 128, PublishedPrecision::Uint8);
    QVERIFY(slim_q != points.end());
    QCOMPARE(slim_q->million_macs, 14.0);
    QCOMPARE(slim_q->top1, 39.9);
    QCOMPARE(slim_q->top5.value_or(0), 65.8);
    QCOMPARE(find(PublishedSource::Paper, 0.5, 160, PublishedPrecision::Float)->top1, 60.2);
}

void TestPublished::otherModels() {
    const auto models = parse_published_models(read_resource("other_models_published.csv"), "other");
    QCOMPARE(models.size(), std::size_t(4));
    QCOMPARE(models[0].name, std::string("GoogleNet"));
    QCOMPARE(models[0].million_macs, 1550.0);
    const auto vgg = std::find_if(models.begin(), models.end(), [](const PublishedModel& m) { return m.name == "VGG16"; });
    QVERIFY(vgg != models.end());
    QCOMPARE(vgg->million_params, 138.0);
    QCOMPARE(vgg->top1, 71.5);
}

void TestPublished::errors() {
    QVERIFY_THROWS_EXCEPTION(Error, parse_published_mobilenet("paper,1.0,224,float,569\n", "short"));
    QVERIFY_THROWS_EXCEPTION(Error, parse_published_mobilenet("book,1.0,224,float,569,4.2,70.6,\n", "src"));
    QVERIFY_THROWS_EXCEPTION(Error, parse_published_mobilenet("paper,1.0,224,int4,569,4.2,70.6,\n", "prec"));
    QVERIFY_THROWS_EXCEPTION(Error, parse_published_models("AlexNet,lots,60,57.2\n", "num"));
    try {
        parse_published_models("# header\nAlexNet,720,60\n", "other.csv");
        QFAIL("no error");
    } catch (const Error& e) {
        QCOMPARE(QString(e.what()), QString("other.csv: line 2: expected 4 fields, found 3"));
    }
    QVERIFY(parse_published_mobilenet("# only comments\n\n", "empty").empty());
}

QTEST_GUILESS_MAIN(TestPublished)
#include "test_published.moc"
