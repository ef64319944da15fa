"""What training-time augmentation costs next to describing the images.

On EuroSAT RGB training images (64 x 64, ``--per-class`` of each of the 10
classes), times in turn (warmed, median of ``--repeat`` rounds, one thread
each): :class:`~classical.preprocess.RandomAugment` making copies with the
square's symmetries only (exact index operations), with every edit switched
on (symmetry, rotation, crop, colour jitter, blur, noise), and the feature
steps of ``global-svm`` and ``scene-best`` (fitted once beforehand) describing
the original images. Prints copies or images per second and the ratio of
describing an image to making one copy: augmenting by ``n`` copies costs
``n`` times the description, plus ``n / ratio`` for the copies themselves.

Run ``python -m benchmarks.augment_speed [--per-class 40] [--repeat 5]``.
"""

import argparse

import classical
from classical.preprocess import RandomAugment

from ._timing import alternating_medians, markdown_table
from .accuracy.datasets import load_eurosat

EDITS = dict(
    d4=True,
    rotation=15.0,
    crop=0.1,
    brightness=0.2,
    contrast=0.2,
    saturation=0.2,
    noise=0.02,
    blur=1.0,
)


def _feature_steps(name, images, labels):
    """The preset's steps before its classifier, fitted on ``images``."""
    pipeline = classical.make_pipeline(name)[:-1]
    return pipeline.fit(images, labels)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    train, _ = load_eurosat(limit=args.per_class)
    images, labels = train.images, train.labels
    n = len(images)
    augmenters = {
        "RandomAugment(d4=True, n_copies=7)": RandomAugment(
            d4=True, n_copies=7, random_state=0
        ),
        "RandomAugment(all edits, n_copies=1)": RandomAugment(**EDITS, random_state=0),
    }
    describers = {
        name: _feature_steps(name, images, labels)
        for name in ("global-svm", "scene-best")
    }
    work = [
        (
            name,
            augmenter.n_copies * n,
            lambda a=augmenter: a.fit_resample(images, labels),
        )
        for name, augmenter in augmenters.items()
    ]
    work += [
        (f"{name} features (transform)", n, lambda d=describer: d.transform(images))
        for name, describer in describers.items()
    ]
    seconds = alternating_medians([call for _, _, call in work], repeat=args.repeat)
    per_item = {name: s / count for (name, count, _), s in zip(work, seconds)}
    rows = []
    for (name, count, _), s in zip(work, seconds):
        row = {"work": name, "items": count, "seconds": s, "items/s": count / s}
        if name in augmenters:
            for describer in describers:
                row[f"{describer} / copy"] = (
                    per_item[f"{describer} features (transform)"] / per_item[name]
                )
        rows.append(row)
    columns = [
        "work",
        "items",
        "seconds",
        "items/s",
        "global-svm / copy",
        "scene-best / copy",
    ]
    print(
        f"EuroSAT RGB 64 x 64, {n} training images; one thread; median of "
        f"{args.repeat} alternating rounds\n"
    )
    print(markdown_table(rows, columns))


if __name__ == "__main__":
    main()
