// Ground truth of image folders from the three sources (CSV, wnids in file names,
// class subfolders by wnid or label), with unmatched files and non-regular files, on
// the shared ImageNet sample (../shared/images/imagenet-sample).
#include <QtTest>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "mobilenet/errors.hpp"
#include "mobilenet/labeled_folder.hpp"
#include "mobilenet/model_io.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace mnv1;

namespace {

const std::string kSample = "images/imagenet-sample";

std::string sample(const std::string& file) { return test::shared_path(kSample + "/" + file); }

// index_1000 and index_1001 of every row of the sample's ground_truth.csv, by file.
std::map<std::string, std::pair<int, int>> sample_truth(std::map<std::string, std::string>* wnids = nullptr) {
    std::ifstream in(sample("ground_truth.csv"));
    std::string line;
    std::getline(in, line);
    std::map<std::string, std::pair<int, int>> out;
    while (std::getline(in, line)) {
        const auto f = csv_fields(line);  // file,wnid,index_1000,index_1001,label
        out[f[0]] = {std::stoi(f[2]), std::stoi(f[3])};
        if (wnids) (*wnids)[f[0]] = f[1];
    }
    return out;
}

void link_sample(const std::string& file, const fs::path& to) {
    fs::create_directories(to.parent_path());
    fs::create_symlink(sample(file), to);
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

}  // namespace

class LabeledFolderTest : public QObject {
    Q_OBJECT
private slots:
    void init() { MOBILENET_REQUIRE_FILE(sample("ground_truth.csv")); }

    void every_sample_wnid_maps_to_its_class() {
        std::map<std::string, std::string> wnids;
        const auto truth = sample_truth(&wnids);
        QCOMPARE(truth.size(), std::size_t{500});
        for (const auto& [file, index] : truth) {
            QCOMPARE(wnid_class(wnids[file], 1000), index.first);
            QCOMPARE(wnid_class(wnids[file], 1001), index.second);
            QCOMPARE(imagenet_wnids()[static_cast<std::size_t>(index.first)], wnids[file]);
            QCOMPARE(imagenet_class_in(index.first, 1001), index.second);
            QCOMPARE(imagenet_class_in(index.first, 1000), index.first);
            QCOMPARE(imagenet_class_1000(index.second, 1001), index.first);
            QCOMPARE(imagenet_class_1000(index.first, 1000), index.first);
        }
        QCOMPARE(imagenet_class_1000(0, 1001), -1);  // background
        QCOMPARE(imagenet_class_in(-1, 1001), -1);
        QCOMPARE(imagenet_class_in(3, 10), -1);      // not an ImageNet model
        QCOMPARE(imagenet_class_1000(3, 10), -1);
    }

    void csv_source_on_the_shared_folder() {
        const auto truth = sample_truth();
        for (const int classes : {1000, 1001}) {
            const LabeledFolder lf = scan_labeled_folder(test::shared_path(kSample), classes, {});
            QCOMPARE(lf.source, TruthSource::Csv);
            QCOMPARE(lf.source_detail, std::string("ground_truth.csv"));
            QCOMPARE(lf.image_files, 500);
            QCOMPARE(lf.images.size(), std::size_t{500});
            QVERIFY(lf.unmatched.empty());
            for (const auto& img : lf.images) {
                const auto& t = truth.at(img.file);
                QCOMPARE(img.index, classes == 1000 ? t.first : t.second);
            }
        }
    }

    void wnids_in_file_names_with_unmatched_and_a_fifo() {
        QTemporaryDir tmp;
        const fs::path dir = tmp.path().toStdString();
        const auto truth = sample_truth();
        int linked = 0;
        for (auto it = truth.begin(); linked < 5; ++it, ++linked) link_sample(it->first, dir / it->first);
        link_sample("n01440764_tench.JPEG", dir / "holiday.JPG");        // no wnid in the name
        link_sample("n01440764_tench.JPEG", dir / "n00000001_odd.png");  // not an ImageNet class
        std::ofstream(dir / "notes.txt") << "not an image\n";
        // A FIFO named like an image: opening it would block; it must be skipped unopened.
        QCOMPARE(mkfifo((dir / "n01440764_pipe.jpg").c_str(), 0600), 0);

        const LabeledFolder lf = scan_labeled_folder(dir.string(), 1001, {});
        QCOMPARE(lf.source, TruthSource::FileNameWnid);
        QCOMPARE(lf.image_files, 7);
        QCOMPARE(lf.images.size(), std::size_t{5});
        for (const auto& img : lf.images) QCOMPARE(img.index, truth.at(img.file).second);
        QCOMPARE(sorted(lf.unmatched), (std::vector<std::string>{"holiday.JPG", "n00000001_odd.png"}));
    }

    // One file at a time (the Classify page): the folder's CSV first, then the file name's
    // wnid, then a folder named by a wnid; never a folder named by a label.
    void image_label_lookup_per_file() {
        const auto truth = sample_truth();
        for (const int classes : {1000, 1001}) {
            ImageLabelLookup lookup(classes);
            for (const auto& [file, index] : truth) {
                const ImageLabel label = lookup.find(sample(file));
                QCOMPARE(label.index, classes == 1000 ? index.first : index.second);
                QCOMPARE(label.source, std::string("ground_truth.csv"));
            }
        }

        QTemporaryDir tmp;
        const fs::path dir = tmp.path().toStdString();
        const std::string tench = "n01440764_tench.JPEG", shark = "n01484850_great_white_shark.JPEG";
        link_sample(tench, dir / "plain" / tench);                  // no CSV: the name's wnid
        link_sample(tench, dir / "n01484850" / "holiday.jpg");      // folder named by a wnid
        link_sample(tench, dir / "mouse" / "holiday.jpg");          // a label (computer mouse), not a claim
        link_sample(tench, dir / "listed" / tench);                 // the CSV says shark: the CSV wins
        link_sample(shark, dir / "listed" / "unlisted.jpg");        // in a folder with a CSV, not in it
        std::ofstream(dir / "listed" / "ground_truth.csv") << "file,wnid\n" << tench << ",n01484850\n";
        link_sample(tench, dir / "broken" / tench);                 // a CSV that does not parse
        std::ofstream(dir / "broken" / "ground_truth.csv") << "file,index_1000\n" << tench << ",not a number\n";

        ImageLabelLookup lookup(1000);
        const int tench_1000 = wnid_class("n01440764", 1000), shark_1000 = wnid_class("n01484850", 1000);
        const auto check = [&](const fs::path& file, int index, const std::string& source) {
            const ImageLabel label = lookup.find(file.string());
            QCOMPARE(label.index, index);
            QCOMPARE(label.source, source);
        };
        check(dir / "plain" / tench, tench_1000, "wnid in the file name");
        check(dir / "n01484850" / "holiday.jpg", shark_1000, "folder named by wnid");
        check(dir / "mouse" / "holiday.jpg", -1, "");
        check(dir / "listed" / tench, shark_1000, "ground_truth.csv");
        check(dir / "listed" / "unlisted.jpg", -1, "");
        check(dir / "broken" / tench, tench_1000, "wnid in the file name");
        check(dir / "no such folder" / "x.jpg", -1, "");
    }

    void subfolders_by_wnid_and_by_label() {
        const std::string labels_file = test::shared_path("models/labels/imagenet_labels_1001.txt");
        MOBILENET_REQUIRE_FILE(labels_file);
        const auto labels = load_labels(labels_file, 1001);
        QTemporaryDir tmp;
        const fs::path dir = tmp.path().toStdString();
        const std::string tench = "n01440764_tench.JPEG", shark = "n01484850_great_white_shark.JPEG";
        link_sample(tench, dir / "n01440764" / "a.jpeg");                      // wnid folder
        link_sample(shark, dir / "Great_White_Shark" / "b.JPEG");              // first synonym, any case, '_'
        link_sample(shark, dir / "tiger shark, Galeocerdo cuvieri" / "c.png"); // the whole label
        link_sample(tench, dir / "crane" / "d.jpg");                           // two classes: ambiguous
        link_sample(tench, dir / "no such class" / "e.jpg");
        link_sample(tench, dir / "loose.jpg");                                 // no class folder
        QCOMPARE(mkfifo((dir / "n01440764" / "pipe.jpg").c_str(), 0600), 0);

        const LabeledFolder lf = scan_labeled_folder(dir.string(), 1001, labels);
        QCOMPARE(lf.source, TruthSource::Subfolders);
        QCOMPARE(lf.source_detail, std::string("subfolders named by wnid and by label"));
        QCOMPARE(lf.image_files, 6);
        std::map<std::string, int> got;
        for (const auto& img : lf.images) got[img.file] = img.index;
        const std::map<std::string, int> want = {{"n01440764/a.jpeg", 1},
                                                 {"Great_White_Shark/b.JPEG", 3},
                                                 {"tiger shark, Galeocerdo cuvieri/c.png", 4}};
        QCOMPARE(got, want);
        QCOMPARE(sorted(lf.unmatched), (std::vector<std::string>{"crane/d.jpg", "loose.jpg", "no such class/e.jpg"}));

        // Without labels only the wnid folder is known; in the 1000 convention tench is 0.
        const LabeledFolder by_wnid = scan_labeled_folder(dir.string(), 1000, {});
        QCOMPARE(by_wnid.source_detail, std::string("subfolders named by wnid"));
        QCOMPARE(by_wnid.images.size(), std::size_t{1});
        QCOMPARE(by_wnid.images[0].index, 0);
    }

    void explicit_csv_with_wnids_missing_files_and_a_fifo() {
        QTemporaryDir tmp;
        const fs::path dir = tmp.path().toStdString();
        link_sample("n01440764_tench.JPEG", dir / "a.JPEG");
        link_sample("n01484850_great_white_shark.JPEG", dir / "b.JPEG");
        link_sample("n01484850_great_white_shark.JPEG", dir / "unlisted.jpg");
        QCOMPARE(mkfifo((dir / "pipe.jpg").c_str(), 0600), 0);
        const std::string csv = (dir / "truth.csv").string();
        std::ofstream(csv) << "file,wnid\na.JPEG,n01440764\nb.JPEG,n00000001\nmissing.jpg,n01484850\npipe.jpg,n01440764\n";

        const LabeledFolder lf = scan_labeled_folder(dir.string(), 1000, {}, csv);
        QCOMPARE(lf.source, TruthSource::Csv);
        QCOMPARE(lf.source_detail, std::string("truth.csv"));
        QCOMPARE(lf.image_files, 3);
        std::map<std::string, int> got;
        for (const auto& img : lf.images) got[img.file] = img.index;
        // The missing file and the FIFO stay: evaluate() skips, counts and names both
        // (the FIFO refused unopened), rather than the row vanishing unreported.
        QCOMPARE(got, (std::map<std::string, int>{{"a.JPEG", 0}, {"missing.jpg", 2}, {"pipe.jpg", 0}}));
        QCOMPARE(sorted(lf.unmatched), (std::vector<std::string>{"b.JPEG", "unlisted.jpg"}));
        // Counted apart, so "matched" is of the 3 image files here: a.JPEG only.
        QCOMPARE(lf.listed_missing, 2);
        QCOMPARE(static_cast<int>(lf.images.size()) - lf.listed_missing, 1);

        // Found without being named: the only CSV with the needed columns.
        QCOMPARE(scan_labeled_folder(dir.string(), 1000, {}).source, TruthSource::Csv);
    }

    void errors_name_the_folder_or_file() {
        QTemporaryDir tmp;
        const fs::path dir = tmp.path().toStdString();
        try {
            scan_labeled_folder(dir.string(), 1001, {});
            QFAIL("an empty folder has no ground truth");
        } catch (const Error& e) {
            QCOMPARE(e.path(), dir.string());
        }
        link_sample("n01440764_tench.JPEG", dir / "holiday.jpg");
        QVERIFY_THROWS_EXCEPTION(Error, scan_labeled_folder(dir.string(), 1001, {}));
        QVERIFY_THROWS_EXCEPTION(Error, scan_labeled_folder((dir / "nope").string(), 1001, {}));
        const std::string bad = (dir / "bad.csv").string();
        std::ofstream(bad) << "file,index_1001\nholiday.jpg,not-a-number\n";
        try {
            scan_labeled_folder(dir.string(), 1001, {}, bad);
            QFAIL("a malformed CSV must throw");
        } catch (const Error& e) {
            QCOMPARE(e.path(), bad);
            QVERIFY2(std::string(e.what()).find("line 2: bad row") != std::string::npos, e.what());
        }
    }
};

QTEST_GUILESS_MAIN(LabeledFolderTest)
#include "test_labeled_folder.moc"
