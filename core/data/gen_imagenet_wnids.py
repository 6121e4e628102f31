#!/usr/bin/env python3
"""Generates imagenet_wnids.txt: ImageNet-1k's 1000 wnids in class order (index_1000).

An ImageNet wnid is "n" + the 8-digit WordNet 3.0 noun synset offset; the 1000-class label
file lists each class's synset lemmas ("tench, Tinca tinca"); class order is the wnids sorted
ascending. So each label is matched to the noun synsets whose lemma list it is, and where a
label fits several synsets (e.g. "crane": the bird and the machine) the one that keeps the
list strictly ascending is taken. Nothing is guessed: a class with no fitting synset is
written as an empty line (the C++ then reports it as unknown) and listed on stderr.

The checked-in imagenet_wnids.txt was made with
  python3 core/data/gen_imagenet_wnids.py --pin ../shared/images/imagenet-sample/ground_truth.csv \
      ../shared/models/labels/imagenet_labels_1000.txt > core/data/imagenet_wnids.txt
WordNet and the order alone resolve 959 classes (all 500 sample wnids they resolve agree with the
sample's ground truth); the sample pins 22 more; 19 odd-index classes stay unresolved.

usage: gen_imagenet_wnids.py [--pin GROUND_TRUTH.csv] LABELS_1000.txt [DATA_NOUN] > imagenet_wnids.txt
  --pin: classes whose wnid a ground-truth CSV (wnid, index_1000) states; they narrow
  their neighbours too. Without it only WordNet and the order decide.
  DATA_NOUN defaults to /usr/share/wordnet/data.noun (Debian package wordnet-base).
"""
import sys


def norm(lemma):
    return lemma.replace("_", " ").strip().lower()


def read_synsets(data_noun):
    """offset -> list of normalized lemmas, for every noun synset."""
    synsets = {}
    with open(data_noun, encoding="latin-1") as f:
        for line in f:
            if line.startswith("  "):  # licence header
                continue
            fields = line.split()
            offset, count = fields[0], int(fields[3], 16)
            synsets[offset] = [norm(fields[4 + 2 * i]) for i in range(count)]
    return synsets


def candidates(label, synsets, by_lemma):
    lemmas = [norm(x) for x in label.split(",")]
    # Exact lemma list first; then synsets holding every lemma of the label (a label may
    # omit or reorder a lemma); then synsets holding its first lemma.
    pool = by_lemma.get(lemmas[0], set())
    for test in (lambda s: synsets[s] == lemmas,
                 lambda s: set(lemmas) <= set(synsets[s])):
        found = sorted(s for s in pool if test(s))
        if found:
            return found
    return sorted(pool)


def ascending_choice(cands):
    """Prunes each class's candidates to those compatible with a strictly ascending list
    (class i's offset above some candidate of class i-1 and below some of class i+1),
    repeated until nothing changes; a class left with exactly one candidate is resolved,
    any other gets None (never a guess)."""
    feasible = [list(c) for c in cands]
    changed = True
    while changed:
        changed = False
        for i in range(1, len(feasible)):
            if feasible[i - 1]:
                kept = [c for c in feasible[i] if c > min(feasible[i - 1])]
                changed |= kept != feasible[i]
                feasible[i] = kept
        for i in range(len(feasible) - 2, -1, -1):
            if feasible[i + 1]:
                kept = [c for c in feasible[i] if c < max(feasible[i + 1])]
                changed |= kept != feasible[i]
                feasible[i] = kept
    return [f[0] if len(f) == 1 else None for f in feasible]


def read_pins(csv_path):
    """index_1000 -> synset offset from a ground-truth CSV (columns wnid, index_1000)."""
    import csv
    with open(csv_path, newline="", encoding="utf-8") as f:
        return {int(r["index_1000"]): r["wnid"][1:] for r in csv.DictReader(f)}


def main():
    args = sys.argv[1:]
    pins = {}
    if len(args) >= 2 and args[0] == "--pin":
        pins = read_pins(args[1])
        args = args[2:]
    if len(args) not in (1, 2):
        sys.exit(__doc__)
    labels = [l.rstrip("\n") for l in open(args[0], encoding="utf-8")]
    if len(labels) != 1000:
        sys.exit(f"{args[0]}: {len(labels)} labels, need 1000")
    synsets = read_synsets(args[1] if len(args) == 2 else "/usr/share/wordnet/data.noun")
    by_lemma = {}
    for off, lemmas in synsets.items():
        for l in lemmas:
            by_lemma.setdefault(l, set()).add(off)
    cands = [candidates(l, synsets, by_lemma) for l in labels]
    for index, offset in pins.items():
        if offset not in cands[index]:
            sys.exit(f"pinned class {index} n{offset} is not a synset of '{labels[index]}'")
        cands[index] = [offset]
    chosen = ascending_choice(cands)
    ambiguous = 0
    for i, (label, cs, c) in enumerate(zip(labels, cands, chosen)):
        if c is None:
            print(f"class {i} '{label}': unresolved, candidates "
                  + " ".join("n" + x for x in cs), file=sys.stderr)
        elif len(cs) > 1:
            ambiguous += 1
    for c in chosen:
        print("n" + c if c else "")
    print(f"{sum(c is not None for c in chosen)} of 1000 resolved "
          f"({ambiguous} by order, {len(pins)} pinned)", file=sys.stderr)


if __name__ == "__main__":
    main()
