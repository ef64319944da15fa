"""The ``classical`` command: train, evaluate and apply classifiers from the shell.

Exit status: 0 on success, 1 when the work fails (``classical: error: ...`` on
standard error; the traceback only with ``--debug``), 2 on a usage error.
``predict`` fails only when none of its inputs could be classified.

Warnings raised while a command runs (unreadable files skipped, a model that
did not converge, ...) are printed once each as ``classical: warning: ...``
lines on standard error, with the option that acts on them, never as Python
warnings with a source line.

Decisions: ``evaluate`` and ``predict`` take ``--reject THRESHOLD`` (answer
``unknown`` below a confidence: the top class probability, or a
:class:`~classical.classifiers.RejectOption`'s own confidence), ``evaluate``
draws the risk-coverage curve (``--risk-coverage``). ``train --labels``
makes a multi-label model (label sets from a CSV) and ``train --hierarchy``
a :class:`~classical.classifiers.HierarchicalClassifier` that falls back to
a parent class; ``evaluate`` and ``predict`` recognise both kinds of model.

Data: ``inspect`` checks a folder of images before training (duplicates,
label conflicts, leakage into ``--against`` another folder, blurry, badly
exposed, unreadable and tiny images, class balance) and writes a Markdown
report with contact sheets, JSON and the list of files a clean copy keeps;
it never deletes or moves a file, and its findings are a report, not a
failure (exit status 0).
"""

import csv
import json
import sys
import warnings
from pathlib import Path
from typing import NamedTuple

import click
from tqdm import tqdm

DEFAULT_OUTPUT = "classical-output"
#: Images read, described and classified at a time by ``predict`` and ``evaluate``.
DEFAULT_BATCH_SIZE = 256
#: The answer of an image whose confidence is below ``--reject``.
_UNKNOWN = "unknown"
#: Files or groups of each finding ``inspect`` prints (its reports list them all).
_LISTED = 10

_ON_ERROR = click.option(
    "--on-error", type=click.Choice(["warn", "raise", "ignore"]), default="warn",
    show_default=True,
    help="Unreadable image files: skip them with a warning, stop with an error, "
         "or skip them silently.")


class _Context:
    def __init__(self, quiet, debug, n_jobs):
        self.quiet = quiet
        self.debug = debug
        self.n_jobs = n_jobs

    def say(self, message=""):
        if not self.quiet:
            click.echo(message)

    def progress(self, total, desc):
        """One bar for a stage of the command, counting images."""
        return tqdm(total=total, desc=desc, unit="image", disable=self.quiet,
                    mininterval=0.5, file=sys.stderr)


def _print_error_stream(message):
    """Print on standard error without breaking a progress bar being drawn."""
    tqdm.write(message, file=sys.stderr)


class _Failure(click.ClickException):
    """The command failed: printed as ``classical: error: ...``, exit status 1."""

    def show(self, file=None):
        _print_error_stream(f"classical: error: {self.format_message()}")


def _unreadable_files(failures, outcome):
    files = "file" if len(failures) == 1 else "files"
    lines = "".join(f"\n  {path}: {reason}" for path, reason in failures)
    return f"{len(failures)} image {files} could not be read{outcome}:{lines}"


def _them(items):
    return "it" if len(items) == 1 else "them"


def _warning_text(message):
    """The command-line wording of a warning raised by the library or its peers."""
    from .datasets import ImageLoadWarning

    if isinstance(message, ImageLoadWarning):
        was = " and was skipped" if len(message.failures) == 1 else " and were skipped"
        return (_unreadable_files(message.failures, was)
                + "\nUse --on-error ignore to skip such files silently, or "
                  "--on-error raise to stop on them.")
    if type(message) is UserWarning:
        return str(message)
    return f"{type(message).__name__}: {message}"


def _error_text(error):
    """The command-line wording of an exception that ends a command."""
    from .datasets import ImageLoadError

    if isinstance(error, ImageLoadError) and error.failures:
        return (_unreadable_files(error.failures, "")
                + f"\nFix or remove {_them(error.failures)}, or use --on-error "
                  f"warn to skip {_them(error.failures)}.")
    return str(error)


class _WarningPrinter:
    """A ``warnings.showwarning`` that prints each distinct warning once."""

    def __init__(self):
        self.shown = set()

    def __call__(self, message, category, filename, lineno, file=None, line=None):
        text = _warning_text(message)
        if text not in self.shown:
            self.shown.add(text)
            _print_error_stream(f"classical: warning: {text}")


class _Group(click.Group):
    """Runs each command with its warnings and failures worded for the shell."""

    def invoke(self, ctx):
        with warnings.catch_warnings():
            warnings.showwarning = _WarningPrinter()
            try:
                return super().invoke(ctx)
            except (click.ClickException, click.exceptions.Exit,
                    click.exceptions.Abort, BrokenPipeError):
                raise  # click words these; it ends quietly when a pipe closes
            except Exception as error:
                if ctx.params.get("debug"):
                    raise
                raise _Failure(_error_text(error)) from error


def _is_ours(estimator):
    return type(estimator).__module__.startswith("classical.")


def _configure(ctx, model, *, progress):
    """Threads for the library's steps; their own bars only when ``progress``.

    With ``progress``, only the outermost of the library's steps draw a bar:
    a step inside another (the extractor inside a local-feature encoder) would
    draw a new bar for every batch of the outer one.
    """
    from .presets import set_library_params

    set_library_params(model, n_jobs=ctx.n_jobs, verbose=False)
    if progress and not ctx.quiet:
        params = model.get_params(deep=True)
        steps = [f"{key}__" for key, value in params.items()
                 if _is_ours(value) and f"{key}__verbose" in params]
        if _is_ours(model) and "verbose" in params:
            steps.append("")
        model.set_params(**{
            f"{step}verbose": True for step in steps
            if not any(step != outer and step.startswith(outer) for outer in steps)})
    return model


def _batches(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


class _Decisions(NamedTuple):
    """A batch's answers, aligned on its images.

    ``answers`` are what the command reports: the model's classes, with
    ``unknown`` below the threshold (or, for a hierarchical model, the node it
    fell back to); ``predicted`` are the classes before rejection or fallback
    (for a multi-label model, both are the indicator rows). ``proba`` and
    ``confidence`` are None when they were not asked for.
    """

    answers: object
    predicted: object
    proba: object
    confidence: object


def _free_label(classes):
    """``'unknown'``, or the first ``'unknown-<k>'`` that is not a class."""
    label, k = _UNKNOWN, 1
    while label in classes:
        k += 1
        label = f"{_UNKNOWN}-{k}"
    if label != _UNKNOWN:
        warnings.warn(f"'{_UNKNOWN}' is a class of the model, so images below the "
                      f"threshold are answered {label!r}.", UserWarning, stacklevel=2)
    return label


class _BatchPredictor:
    """Classifies batches of images with a fitted model, describing each batch once.

    Parameters
    ----------
    model : estimator
        A fitted classifier taking images, usually a pipeline whose last step
        is the classifier (possibly a multi-label, hierarchical or
        reject-option one).
    probabilities : bool
        Also give class probabilities (label probabilities of a multi-label
        model) when the classifier has ``predict_proba``.
    reject : float in [0, 1] or None, default=None
        Answer ``unknown`` where the confidence is below it. A
        :class:`~classical.classifiers.RejectOption` rejects by its own
        confidence, at its own threshold when ``reject`` is None.
    confidence : bool, default=False
        Also give each image's confidence (implied by ``reject``).

    Attributes
    ----------
    classifier : estimator
        The step that decides: the pipeline's last step, or ``model``.
    classes : list or None
        Names of the probability columns; None without probabilities.
    unknown : label or None
        The answer of a rejected image (None when the model cannot reject).
    multilabel, hierarchical : bool
        Whether the classifier is a MultiLabelClassifier or a
        HierarchicalClassifier.
    label_names : list
        The label of each column of a multi-label model's answers.
    """

    def __init__(self, model, *, probabilities, reject=None, confidence=False):
        from sklearn.pipeline import Pipeline

        from .classifiers import (
            HierarchicalClassifier,
            MultiLabelClassifier,
            RejectOption,
        )
        from .utils._pipeline import feature_steps

        # samplers (an imbalanced-learn pipeline's resample step) act in fit only
        self._steps = feature_steps(model)
        self.classifier = model.steps[-1][1] if isinstance(model, Pipeline) else model
        classifier = self.classifier
        self.multilabel = isinstance(classifier, MultiLabelClassifier)
        self.hierarchical = isinstance(classifier, HierarchicalClassifier)
        self.label_names = list(getattr(model, "class_names_", None)
                                or map(str, classifier.classes_))
        self._own_confidence = isinstance(classifier, RejectOption)
        self._confidence = confidence or reject is not None
        self._check_confidence(reject)
        self.reject = classifier.threshold if self._own_confidence and reject is None \
            else reject
        classes = classifier.classes_.tolist()
        if self._own_confidence or self.hierarchical:
            self.unknown = classifier.unknown_label
        else:
            self.unknown = None if reject is None else _free_label(classes)
        self.classes = None
        if probabilities and hasattr(classifier, "predict_proba"):
            self.classes = self.label_names if self.multilabel else classes

    def _check_confidence(self, reject):
        if self.multilabel and self._confidence:
            raise ValueError(
                "--reject and --risk-coverage need a single-label model; this one "
                "is multi-label, and each of its labels already has its own "
                "probability threshold (set when it was trained).")
        if self.hierarchical and reject is not None:
            raise ValueError(
                "--reject does not apply to a hierarchical model: it already "
                "falls back to a parent class, or answers "
                f"{self.classifier.unknown_label!r}, below its own threshold "
                f"({self.classifier.threshold}). Train it with another "
                "--threshold instead.")
        if self._confidence and not self._own_confidence and not hasattr(
                self.classifier, "predict_proba"):
            raise ValueError(
                "--reject and --risk-coverage need a confidence, and "
                f"{type(self.classifier).__name__} gives no class probabilities "
                "(predict_proba). Wrap the classifier in classical.classifiers."
                "RejectOption, which calibrates it, or use a preset with "
                "probabilities (e.g. global-svm, color-rf), and train again.")

    def __call__(self, images):
        """Return the :class:`_Decisions` of a batch of images."""
        import numpy as np

        from .utils._pipeline import transform_features

        features = transform_features(self._steps, images)
        classifier, proba, confidence = self.classifier, None, None
        if self._own_confidence:
            # its classes and confidences from one pass (predict and confidence
            # would each compute them)
            predicted, confidence = classifier.predict_with_confidence(features)
        elif self.hierarchical or (self._confidence and not self.multilabel):
            proba = classifier.predict_proba(features)
            predicted = classifier.classes_.take(np.argmax(proba, axis=1))
            confidence = proba.max(axis=1) if self._confidence else None
        else:
            predicted = classifier.predict(features)
        if self.classes is not None and proba is None:
            proba = classifier.predict_proba(features)
        if self.hierarchical:
            answers = classifier.predict(features)
        elif self.reject is None:
            answers = predicted
        else:
            answers = predicted.astype(object)
            answers[confidence < self.reject] = self.unknown
        return _Decisions(answers, predicted, proba, confidence)

    def label_text(self, answer):
        """How one image's answer is written in the label column."""
        if self.multilabel:
            return ";".join(name for name, on in zip(self.label_names, answer) if on)
        return answer

    def classify(self, images):
        """Return ``(label, probabilities, confidence, error)`` for each image.

        An image the model rejects with a ``ValueError`` (too small for a
        descriptor, ...) gets the error instead of a label; the others of its
        batch are classified.
        """
        try:
            decisions = self(images)
        except ValueError as error:
            if len(images) == 1:
                return [(None, None, None, f"{type(error).__name__}: {error}")]
            return [result for image in images for result in self.classify([image])]
        n = len(images)
        proba = [None] * n if decisions.proba is None else decisions.proba
        confidence = [None] * n if decisions.confidence is None \
            else decisions.confidence
        return [(self.label_text(answer), p, c, "")
                for answer, p, c in zip(decisions.answers, proba, confidence)]


def _decide_all(ctx, predictor, images):
    """The :class:`_Decisions` of loaded images, in batches under one progress bar."""
    import numpy as np

    parts = []
    with ctx.progress(len(images), "Predicting") as bar:
        for batch in _batches(images, DEFAULT_BATCH_SIZE):
            parts.append(predictor(batch))
            bar.update(len(batch))
    return _Decisions(*(None if field[0] is None else np.concatenate(field)
                        for field in zip(*parts)))


class _HierarchyResult:
    """The flat report of the most probable leaves and the hierarchy report of
    the answers, printed and written as one report."""

    def __init__(self, flat, hierarchy, threshold):
        self.flat, self.hierarchy, self.threshold = flat, hierarchy, threshold

    def to_markdown(self):
        return (f"# Most probable class (no fallback)\n\n{self.flat.to_markdown()}\n"
                f"# Hierarchical answers (fallback below {self.threshold})\n\n"
                f"{self.hierarchy.to_markdown()}")

    def to_json(self):
        return json.dumps({**self.flat.to_dict(),
                           "hierarchy": self.hierarchy.as_dict()}, indent=2)

    def save_confusion(self, path):
        return self.flat.save_confusion(path)


def _report_labels(classes, dataset_classes, answers, unknown):
    """The model's classes, then the data's other classes and other answers,
    then ``unknown``: the rows and columns of the report."""
    known = dict.fromkeys([*classes, *dataset_classes])
    extra = [a for a in dict.fromkeys(answers.tolist()) if a not in known
             and a != unknown]
    return [*known, *extra, *([] if unknown is None else [unknown])]


def _model_indicator(dataset, names):
    """The dataset's indicator matrix with columns in the model's label order."""
    import numpy as np

    missing = [name for name in dataset.label_names if name not in names]
    if missing:
        raise ValueError(
            f"The labels CSV has label(s) {missing} that the model was not trained "
            f"on (its labels: {names}). Remove them from the CSV, or train a model "
            "that knows them.")
    Y = np.zeros((len(dataset), len(names)), dtype=np.int64)
    Y[:, [names.index(name) for name in dataset.label_names]] = dataset.Y
    return Y


def _assess(ctx, predictor, dataset, *, risk_coverage=None):
    """Classify a labelled dataset and return its report.

    A multi-label model gives a MultiLabelReport, a hierarchical one a
    _HierarchyResult, any other a Report (with the rejection figures when the
    model can answer unknown). ``risk_coverage`` is a PNG path for the curve.
    """
    from . import evaluate
    from .evaluation import evaluate_hierarchy, evaluate_multilabel

    if predictor.multilabel:
        Y_true = _model_indicator(dataset, predictor.label_names)
        Y_pred = _decide_all(ctx, predictor, dataset.images).answers
        return evaluate_multilabel(Y_true, Y_pred, label_names=predictor.label_names)
    decisions = _decide_all(ctx, predictor, dataset.images)
    classes = predictor.classifier.classes_.tolist()
    if risk_coverage is not None:
        _save_risk_coverage(ctx, risk_coverage, dataset.labels, decisions)
    if predictor.hierarchical:
        flat = evaluate(dataset.labels, decisions.predicted,
                        labels=_report_labels(classes, dataset.class_names,
                                              decisions.predicted, None))
        tree = predictor.classifier
        return _HierarchyResult(flat, evaluate_hierarchy(
            dataset.labels, decisions.answers, tree.hierarchy_,
            unknown_label=tree.unknown_label), tree.threshold)
    return evaluate(dataset.labels, decisions.answers,
                    labels=_report_labels(classes, dataset.class_names,
                                          decisions.answers, predictor.unknown),
                    unknown_label=predictor.unknown)


def _save_risk_coverage(ctx, path, y_true, decisions):
    """Draw the risk-coverage curve of the answers before rejection to ``path``."""
    from matplotlib.figure import Figure

    from .evaluation import plot_risk_coverage

    figure = Figure(figsize=(5.0, 4.0), layout="constrained")
    plot_risk_coverage(y_true, decisions.predicted, decisions.confidence,
                       ax=figure.add_subplot())
    figure.savefig(path, dpi=150)
    ctx.say(f"Risk-coverage curve written to {path}")


def _split(dataset, test_size, seed):
    """Training and held-out parts: stratified by class for one label per
    image, random for label sets (which rarely repeat)."""
    import numpy as np
    from sklearn.model_selection import train_test_split

    from .datasets import MultiLabelDataset

    if test_size == 0:
        return dataset, None
    if not isinstance(dataset, MultiLabelDataset):
        return dataset.split(test_size=test_size, random_state=seed)
    train, test = train_test_split(np.arange(len(dataset)), test_size=test_size,
                                   random_state=seed)
    return dataset.subset(train), dataset.subset(test)


def _fit_and_report(ctx, pipeline, dataset, *, test_size, seed):
    """Fit on a held-out split, print the held-out report, return (model, report).

    A multi-label dataset is fitted on its indicator matrix and the label
    names are kept in the model's ``class_names_``.
    """
    from .datasets import MultiLabelDataset

    multilabel = isinstance(dataset, MultiLabelDataset)
    train, test = _split(dataset, test_size, seed)
    if multilabel:
        ctx.say(f"Training on {len(train)} images with {len(dataset.label_names)} "
                "labels...")
        _configure(ctx, pipeline, progress=True).fit(train.images, train.Y)
        pipeline.class_names_ = list(dataset.label_names)
    else:
        ctx.say(f"Training on {len(train)} images of {len(dataset.class_names)} "
                "classes...")
        _configure(ctx, pipeline, progress=True).fit(train.images, train.labels)
    if test is None:
        return pipeline, None
    ctx.say(f"Evaluating on {len(test)} held-out images...")
    report = _assess(ctx, _BatchPredictor(_configure(ctx, pipeline, progress=False),
                                          probabilities=False), test)
    ctx.say(report.to_markdown())
    return pipeline, report


def _write_report(ctx, report, *, markdown=None, json_path=None, confusion=None):
    if markdown is not None:
        Path(markdown).write_text(report.to_markdown())
        ctx.say(f"Report written to {markdown}")
    if json_path is not None:
        Path(json_path).write_text(report.to_json())
        ctx.say(f"JSON report written to {json_path}")
    if confusion is not None:
        report.save_confusion(confusion)
        ctx.say(f"Confusion matrix written to {confusion}")


def _save_model(ctx, model, path, pipeline_name):
    from . import save

    save(model, path, metadata={"pipeline": pipeline_name})
    ctx.say(f"Model written to {path}")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="classical-vision", prog_name="classical")
@click.option("--quiet", "-q", is_flag=True,
              help="Print nothing but results, warnings and errors (no progress "
                   "bars).")
@click.option("--debug", is_flag=True, help="Show the full traceback on failure.")
@click.option("--n-jobs", "-j", default=-1, show_default=True,
              help="Threads for reading images and extracting features (-1: all "
                   "cores).")
@click.pass_context
def cli(click_ctx, quiet, debug, n_jobs):
    """Classical image classification: descriptors, encoders and classifiers."""
    click_ctx.obj = _Context(quiet, debug, n_jobs)


@cli.command()
@click.option("--output", "-o", default=DEFAULT_OUTPUT, show_default=True,
              type=click.Path(file_okay=False), help="Folder for the results.")
@click.option("--pipeline", "pipeline_name", default="global-svm", show_default=True,
              help="Preset to train (see `classical pipelines`).")
@click.option("--seed", default=0, show_default=True, help="Seed of the split.")
@click.pass_obj
def demo(ctx, output, pipeline_name, seed):
    """Train and evaluate a preset on the bundled EuroSAT sample.

    Writes the model, the report (Markdown and JSON) and a confusion-matrix
    PNG to OUTPUT.
    """
    from . import make_pipeline
    from .datasets import load_sample

    dataset = load_sample("eurosat")
    ctx.say(f"Bundled sample: EuroSAT RGB, {len(dataset)} images "
            "(Helber et al. 2019, MIT licence).")
    pipeline = make_pipeline(pipeline_name)
    model, report = _fit_and_report(ctx, pipeline, dataset, test_size=0.2, seed=seed)
    folder = Path(output)
    folder.mkdir(parents=True, exist_ok=True)
    _save_model(ctx, model, folder / "model.skops", pipeline_name)
    _write_report(ctx, report, markdown=folder / "report.md",
                  json_path=folder / "report.json",
                  confusion=folder / "confusion.png")


def _read_hierarchy(path):
    """The dict parent -> children of a JSON file, checked as a tree."""
    from .evaluation import ClassHierarchy

    try:
        tree = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"--hierarchy {path}: not a readable JSON file ({error}). "
                         'Write an object from each parent to the list of its '
                         'children, e.g. {"Vegetation": ["Forest", "Pasture"]}.') \
            from None
    ClassHierarchy(tree)  # a clear error for a dict that is not a tree
    return tree


def _hierarchical(pipeline, tree, threshold):
    """The preset with its classifier step wrapped in a HierarchicalClassifier
    (the features are computed once, before the tree is walked)."""
    from .classifiers import HierarchicalClassifier

    step, classifier = pipeline.steps[-1]
    options = {} if threshold is None else {"threshold": threshold}
    pipeline.steps[-1] = (step, HierarchicalClassifier(classifier, tree, **options))
    return pipeline


@cli.command()
@click.argument("data_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--pipeline", "pipeline_name", required=True,
              help="Preset to train (see `classical pipelines`).")
@click.option("--model", "model_path", required=True, type=click.Path(dir_okay=False),
              help="Where to write the trained model.")
@click.option("--test-size", default=0.2, show_default=True,
              type=click.FloatRange(0.0, 1.0, max_open=True),
              help="Held-out fraction for the report; 0 trains on everything. "
                   "Stratified by class; with --labels, a random split.")
@click.option("--seed", default=0, show_default=True, help="Seed of the split.")
@click.option("--size", type=int, default=None,
              help="Resize every image to SIZE x SIZE on load.")
@click.option("--labels", "labels_csv", type=click.Path(exists=True, dir_okay=False),
              metavar="LABELS_CSV",
              help="Multi-label: a CSV with the columns image,labels (labels "
                   "joined by ';'; image a file stem or a path under DATA_DIR). "
                   "The preset is made with multilabel=True.")
@click.option("--hierarchy", "hierarchy_path",
              type=click.Path(exists=True, dir_okay=False), metavar="TREE.json",
              help="A JSON object from each parent class to the list of its "
                   "children (the leaves are DATA_DIR's classes): the model falls "
                   "back to the parent, or 'unknown', when a class is unsure.")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0),
              help="With --hierarchy: the probability a class (or a parent, its "
                   "leaves' sum) needs to be answered.  [default: 0.7]")
@click.option("--class-weight", type=click.Choice(["balanced"]),
              help="Weigh each class inversely to its share of the training "
                   "images in the preset's classifier (rare classes count as "
                   "much as common ones); k-NN and rule presets take --resample.")
@click.option("--resample", type=click.Choice(["over", "under", "smote"]),
              help="Balance the classes of the training features before the "
                   "classifier, in training only: repeat rare-class images "
                   "(over), drop common-class ones (under) or synthesise new "
                   "rare-class features (smote).")
@click.option("--augment", type=click.Choice(["d4", "flips"]),
              help="Train on edited copies of each image too: its eight "
                   "orientations of the square (d4: 8 times the training set) or "
                   "its four flips; for images with no 'up', such as aerial "
                   "scenes and textures.")
@click.option("--tta", type=click.Choice(["d4", "flips"]),
              help="Test-time augmentation: average the class probabilities over "
                   "each image's eight orientations (d4) or four flips when "
                   "predicting (8 or 4 times slower).")
@_ON_ERROR
@click.pass_obj
def train(ctx, data_dir, pipeline_name, model_path, test_size, seed, size, labels_csv,
          hierarchy_path, threshold, class_weight, resample, augment, tta, on_error):
    """Train a preset on DATA_DIR (one sub-folder per class) and save it.

    With --labels, DATA_DIR holds images with several labels each, listed in
    LABELS_CSV. With --hierarchy, the classes are the leaves of a class tree.
    """
    from . import make_pipeline
    from .datasets import load_folder, load_multilabel

    if hierarchy_path is not None and labels_csv is not None:
        raise click.UsageError("--hierarchy and --labels cannot be combined: a class "
                               "tree needs one class per image.")
    if tta is not None and hierarchy_path is not None:
        raise click.UsageError("--tta and --hierarchy cannot be combined: the "
                               "hierarchy wraps the preset's classifier step.")
    if threshold is not None and hierarchy_path is None:
        raise click.UsageError("--threshold is the fallback threshold of --hierarchy;"
                               " give --hierarchy TREE.json too.")
    pipeline = make_pipeline(pipeline_name, multilabel=labels_csv is not None,
                             class_weight=class_weight, resample=resample,
                             augment=augment, tta=tta)
    options = {"size": size, "on_error": on_error, "n_jobs": ctx.n_jobs,
               "verbose": not ctx.quiet}
    if labels_csv is not None:
        dataset = load_multilabel(data_dir, labels_csv, **options)
    else:
        dataset = load_folder(data_dir, **options)
    if hierarchy_path is not None:
        from .evaluation import ClassHierarchy

        tree = _read_hierarchy(hierarchy_path)
        ClassHierarchy(tree).check_known(dataset.class_names, f"DATA_DIR {data_dir}",
                                         leaves_only=True)
        pipeline = _hierarchical(pipeline, tree, threshold)
    model, _ = _fit_and_report(ctx, pipeline, dataset, test_size=test_size, seed=seed)
    _save_model(ctx, model, model_path, pipeline_name)


@cli.command(name="evaluate")
@click.argument("model_path", type=click.Path(exists=True, dir_okay=False))
@click.argument("data_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--report", "report_path", type=click.Path(dir_okay=False),
              help="Write the report here (.json for JSON, Markdown otherwise).")
@click.option("--confusion", type=click.Path(dir_okay=False),
              help="Write a confusion-matrix PNG here.")
@click.option("--reject", type=click.FloatRange(0.0, 1.0), metavar="THRESHOLD",
              help="Answer 'unknown' where the confidence is below THRESHOLD (in "
                   "[0, 1]): the top class probability, or, for a model saved as "
                   "a classical.classifiers.RejectOption, its own confidence() "
                   "with THRESHOLD in place of its threshold. The report gains "
                   "coverage, accuracy on the answered images and the unknown "
                   "rate per class.")
@click.option("--risk-coverage", type=click.Path(dir_okay=False), metavar="PNG",
              help="Write the risk-coverage curve (error rate among the answered "
                   "images against their share, for every threshold) here.")
@click.option("--labels", "labels_csv", type=click.Path(exists=True, dir_okay=False),
              metavar="LABELS_CSV",
              help="For a multi-label model: the CSV of the images' label sets "
                   "(columns image,labels, as for train --labels).")
@_ON_ERROR
@click.pass_obj
def evaluate_command(ctx, model_path, data_dir, report_path, confusion, reject,
                     risk_coverage, labels_csv, on_error):
    """Evaluate a saved MODEL on the labelled images in DATA_DIR.

    Prints the report: for a multi-label model (with --labels) the
    subset accuracy, Hamming loss and averaged and per-label scores; for a
    hierarchical model the report of its most probable classes, then how
    often and to which level it fell back, with accuracy per level and
    hierarchical precision, recall and F1. A RejectOption model is assessed
    at its own threshold unless --reject gives another, with the rejection
    figures.
    """
    from . import load
    from .datasets import load_folder, load_multilabel

    predictor = _BatchPredictor(_configure(ctx, load(model_path), progress=False),
                                probabilities=False, reject=reject,
                                confidence=risk_coverage is not None)
    if predictor.multilabel != (labels_csv is not None):
        raise ValueError(
            "MODEL is multi-label: give the images' label sets with --labels "
            "LABELS_CSV." if predictor.multilabel else
            "--labels is for multi-label models; MODEL answers one class per "
            "image, read from DATA_DIR's sub-folders. Leave --labels out.")
    if predictor.multilabel and confusion is not None:
        raise ValueError("--confusion needs a single-label model; a multi-label "
                         "report has a table per label instead. Leave it out.")
    options = {"on_error": on_error, "n_jobs": ctx.n_jobs, "verbose": not ctx.quiet}
    dataset = (load_multilabel(data_dir, labels_csv, **options) if predictor.multilabel
               else load_folder(data_dir, **options))
    report = _assess(ctx, predictor, dataset, risk_coverage=risk_coverage)
    click.echo(report.to_markdown())
    is_json = report_path is not None and report_path.lower().endswith(".json")
    _write_report(ctx, report, markdown=None if is_json else report_path,
                  json_path=report_path if is_json else None, confusion=confusion)


def _read(path):
    """Return ``(image, "")``, or ``(None, reason)`` when ``path`` cannot be read."""
    from .datasets import ImageLoadError, read_image

    try:
        return read_image(path), ""
    except ImageLoadError as error:
        return None, error.failures[0][1]


def _predict_rows(predictor, paths, n_jobs, *, with_confidence):
    """Read, classify and format one batch of files: one CSV row per path."""
    from .parallel import map_items

    read = list(map_items(_read, paths, n_jobs=n_jobs))
    images = [image for image, _ in read if image is not None]
    results = iter(predictor.classify(images) if images else ())
    n_columns = 0 if predictor.classes is None else len(predictor.classes)
    rows = []
    for path, (image, reason) in zip(paths, read):
        label, probabilities, confidence, error = (
            (None, None, None, reason) if image is None else next(results))
        rows.append([
            path, "" if label is None else label,
            *([""] * n_columns if probabilities is None
              else [f"{p:.4f}" for p in probabilities]),
            *([("" if confidence is None else f"{confidence:.4f}")]
              if with_confidence else []),
            error])
    return rows


@cli.command()
@click.argument("model_path", type=click.Path(exists=True, dir_okay=False))
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the CSV here instead of printing it.")
@click.option("--batch-size", default=DEFAULT_BATCH_SIZE, show_default=True,
              type=click.IntRange(min=1),
              help="Images read and classified at a time; memory grows with it.")
@click.option("--reject", type=click.FloatRange(0.0, 1.0), metavar="THRESHOLD",
              help="Label 'unknown' the files whose confidence is below THRESHOLD "
                   "(in [0, 1]), and add a confidence column: the top class "
                   "probability, or, for a model saved as a classical.classifiers."
                   "RejectOption, its own confidence() with THRESHOLD in place of "
                   "its threshold.")
@click.pass_obj
def predict(ctx, model_path, paths, output, batch_size, reject):
    """Classify image files (folders expand) with a saved MODEL.

    Prints, or writes to a CSV, one row per file in the order given (a
    folder's images sorted by name): path, label, the probability of each
    class (p_<class> columns, when the model gives them), confidence (with
    --reject) and error, which is empty when the file was classified and
    says why otherwise. A multi-label model's label is its label set joined
    by ';' (p_<label> columns are each label's probability); a hierarchical
    model's may be a parent class or 'unknown'. Files are read and
    classified BATCH_SIZE at a time, each batch's rows written before the
    next is read. The exit status is 1 only when no file could be classified.
    """
    from . import load
    from .datasets import list_image_files

    files = list_image_files(paths)
    predictor = _BatchPredictor(_configure(ctx, load(model_path), progress=False),
                                probabilities=True, reject=reject)
    header = ["path", "label"]
    if predictor.classes is not None:
        header += [f"p_{name}" for name in predictor.classes]
    if reject is not None:
        header.append("confidence")
    n_failed = 0
    handle = open(output, "w", newline="") if output else sys.stdout
    try:
        writer = csv.writer(handle)
        writer.writerow([*header, "error"])
        handle.flush()
        with ctx.progress(len(files), "Predicting") as bar:
            for batch in _batches(files, batch_size):
                rows = _predict_rows(predictor, batch, ctx.n_jobs,
                                     with_confidence=reject is not None)
                writer.writerows(rows)
                handle.flush()
                n_failed += sum(1 for row in rows if row[-1])
                bar.update(len(batch))
    finally:
        if output:
            handle.close()
    where = f" of {output}" if output else ""
    if n_failed == len(files):
        raise _Failure(f"none of the {len(files)} files could be classified; the "
                       f"error column{where} gives the reason for each.")
    if n_failed:
        _print_error_stream(
            f"classical: warning: {n_failed} of {len(files)} files could not be "
            f"classified; the error column{where} gives the reason for each.")
    if output:
        ctx.say(f"Predictions for {len(files)} files written to {output}")


# ------------------------------------------------------------------ rasters
def _number_list(kind):
    """A click callback reading comma-separated numbers of type ``kind``."""
    def parse(click_ctx, param, value):
        if value is None:
            return None
        try:
            return [kind(part) for part in value.split(",")]
        except ValueError:
            raise click.BadParameter(
                f"expected comma-separated {kind.__name__} values such as "
                f"{'1,2,3' if kind is int else '0,10000'}; got {value!r}.") from None
    return parse


def _parse_scale(click_ctx, param, value):
    if value is None or value == "percentile":
        return value
    bounds = _number_list(float)(click_ctx, param, value)
    if len(bounds) != 2:
        raise click.BadParameter(
            f"expected 'percentile' or LOW,HIGH such as 0,10000; got {value!r}.")
    return tuple(bounds)


@cli.command(name="train-raster")
@click.argument("image", type=click.Path(exists=True, dir_okay=False))
@click.argument("labels", type=click.Path(exists=True, dir_okay=False))
@click.option("--pipeline", "pipeline_name", default="pixel-rf", show_default=True,
              help="Pixel preset to train (pixel-mlc, pixel-svm, pixel-rf, "
                   "pixel-texture-rf; see `classical pipelines`).")
@click.option("--out", "model_path", required=True, type=click.Path(dir_okay=False),
              help="Where to write the trained model.")
@click.option("--attribute", default="id", show_default=True,
              help="The class field when LABELS is a vector file (shapefile, "
                   "GeoJSON, GeoPackage, ...).")
@click.option("--class-names",
              help="Comma-separated names of the class ids 1..K, e.g. "
                   "forest,water,herbaceous; kept in the model and its maps.")
@click.option("--max-per-class", type=click.IntRange(min=1),
              help="Most training pixels per class (stratified random sample).")
@click.option("--balance", is_flag=True,
              help="As many training pixels from every class (those of the "
                   "smallest, or --max-per-class if lower).")
@click.option("--bands", callback=_number_list(int),
              help="1-based bands of IMAGE to learn from, in that order, e.g. "
                   "1,2,3,4,5,6,7 to leave out a mask band; classify-raster "
                   "reads the same bands.")
@click.option("--sensor", help="Read band roles for spectral indices with this "
                               "sensor's band numbers: sentinel2, landsat8, landsat7.")
@click.option("--block-size", type=click.IntRange(min=1),
              help="Side of the square blocks read at once (default 512).")
@click.option("--seed", default=0, show_default=True,
              help="Seed of the pixel sample and the model.")
@click.pass_obj
def train_raster(ctx, image, labels, pipeline_name, model_path, attribute, class_names,
                 max_per_class, balance, bands, sensor, block_size, seed):
    """Train a pixel preset on the labelled pixels of IMAGE and save it.

    LABELS is a label raster on IMAGE's grid (0 = unlabelled) or a vector
    file of training polygons or points, rasterised onto the grid.
    """
    from . import make_pipeline
    from .geo import fit_raster

    pipeline = _configure(ctx, make_pipeline(pipeline_name), progress=False)
    ctx.say(f"Training {pipeline_name} on the labelled pixels of {image}...")
    if class_names is not None:
        class_names = class_names.split(",")
    model = fit_raster(pipeline, image, labels, attribute=attribute,
                       class_names=class_names,
                       max_per_class=max_per_class, balance=balance, bands=bands,
                       sensor=sensor,
                       block_size=block_size, random_state=seed,
                       verbose=not ctx.quiet)
    _save_model(ctx, model, model_path, pipeline_name)


@cli.command(name="classify-raster")
@click.argument("model_path", type=click.Path(exists=True, dir_okay=False))
@click.argument("source")
@click.argument("destination", type=click.Path(dir_okay=False))
@click.option("--tile", "tile_size", type=click.IntRange(min=1),
              help="Classify tiles of TILE x TILE pixels with an image model "
                   "(tile mode); without it, every pixel is classified.")
@click.option("--stride", type=click.IntRange(min=1),
              help="Tile mode: pixels between tile origins (default: --tile).")
@click.option("--probabilities", is_flag=True,
              help="Also write the class probabilities to <stem>_proba.tif.")
@click.option("--confidence", is_flag=True,
              help="Also write the top class probability to <stem>_confidence.tif.")
@click.option("--reject", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              help="Give the reject value to pixels (tiles) whose top class "
                   "probability is below this.")
@click.option("--block-size", type=click.IntRange(min=1),
              help="Side of the square blocks read and classified at once "
                   "(default 512); memory grows with it, the map does not change.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Run the blocks on this Dask scheduler's workers "
                   "(e.g. tcp://10.0.0.5:8786).")
@click.option("--bands", callback=_number_list(int),
              help="1-based source bands given to the model, in its order, "
                   "e.g. 3,2,1.")
@click.option("--scale", callback=_parse_scale,
              help="Tile mode: map source values to 8 bits with 'percentile' "
                   "(2nd-98th) or LOW,HIGH.")
@click.option("--tiles-out", type=click.Path(dir_okay=False),
              help="Tile mode: list the classified tiles in this GeoJSON or CSV file.")
@click.option("--tile-classes",
              help="Tile mode: list only the tiles of these classes (comma-separated "
                   "names or labels), e.g. Forest,River.")
@click.pass_obj
def classify_raster_command(ctx, model_path, source, destination, tile_size, stride,
                            probabilities, confidence, reject, block_size, scheduler,
                            bands, scale, tiles_out, tile_classes):
    """Classify the raster SOURCE with a saved MODEL into the class map DESTINATION.

    SOURCE is any raster GDAL reads: a file, or a URL or /vsi path of a
    cloud-optimised GeoTIFF. DESTINATION is a tiled, compressed GeoTIFF with
    SOURCE's CRS and transform: values 1..K are the model's classes (names in
    the tag class_names), 0 is nodata and 255 (65535) the reject value.
    """
    from . import load
    from .geo import classify_raster

    model = _configure(ctx, load(model_path), progress=False)
    if tile_classes is not None:
        tile_classes = _classes_named(model, tile_classes.split(","))
    path = classify_raster(
        model, source, destination, mode="pixel" if tile_size is None else "tile",
        tile_size=tile_size, stride=stride, block_size=block_size,
        probabilities=probabilities, confidence=confidence, reject=reject,
        bands=bands, scale=scale, tiles_out=tiles_out, tile_classes=tile_classes,
        n_jobs=ctx.n_jobs, client=scheduler,
        class_names=getattr(model, "class_names_", None), verbose=not ctx.quiet)
    ctx.say(f"Class map written to {path}")
    for kind, flag in (("proba", probabilities), ("confidence", confidence)):
        if flag:
            ctx.say(f"{kind.capitalize()} map written to "
                    f"{path.with_name(f'{path.stem}_{kind}.tif')}")
    if tiles_out:
        ctx.say(f"Tile list written to {tiles_out}")


@cli.command()
@click.argument("map_path", metavar="MAP", type=click.Path(exists=True, dir_okay=False))
@click.argument("reference", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "json_path", type=click.Path(dir_okay=False),
              help="Also write the assessment as JSON here.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False),
              help="Also write the Markdown report here.")
@click.option("--label", default="label", show_default=True,
              help="Points: the column or property holding the reference class.")
@click.option("--attribute", default="id", show_default=True,
              help="Polygons: the field holding the reference class.")
@click.pass_obj
def assess(ctx, map_path, reference, json_path, report_path, label, attribute):
    """Assess the class MAP against REFERENCE samples, with area estimates.

    REFERENCE is a GeoJSON or CSV of labelled points (as sample-points
    writes them, once labelled), or a label raster on MAP's grid or a vector
    file of labelled polygons. Prints the error matrix, overall accuracy,
    kappa, producer's and user's accuracies, and the class areas with 95%
    confidence intervals (Olofsson et al. 2014).
    """
    from .geo import assess_map

    result = assess_map(map_path, reference, label=label, attribute=attribute)
    click.echo(result.to_markdown())
    _write_report(ctx, result, markdown=report_path, json_path=json_path)


def _classes_named(model, tokens):
    """The ``classes_`` values that ``tokens`` (class names or labels) stand for."""
    names = getattr(model, "class_names_", None) or [str(c) for c in model.classes_]
    by_text = {str(label): label for label in model.classes_.tolist()}
    by_text.update(zip(names, model.classes_.tolist()))
    unknown = [token for token in tokens if token not in by_text]
    if unknown:
        raise click.BadParameter(
            f"{', '.join(unknown)} name no class of the model; its classes are "
            f"{', '.join(names)}.", param_hint="--tile-classes")
    return [by_text[token] for token in tokens]


def _parse_counts(click_ctx, param, value):
    """``N`` (every class) or ``CLASS=N,CLASS=N`` (those classes)."""
    try:
        if "=" not in value:
            count = int(value)
            if count < 1:
                raise ValueError
            return count
        pairs = [part.rsplit("=", 1) for part in value.split(",")]
        counts = {name.strip(): int(number) for name, number in pairs}
        if any(n < 1 for n in counts.values()):
            raise ValueError
        return counts
    except ValueError:
        raise click.BadParameter(
            f"expected a number of points per class (e.g. 50) or CLASS=N pairs "
            f"(e.g. forest=100,water=50), every N >= 1; got {value!r}.") from None


@cli.command(name="sample-points")
@click.argument("map_path", metavar="MAP", type=click.Path(exists=True, dir_okay=False))
@click.option("--per-class", required=True, callback=_parse_counts,
              help="Points drawn at random in each class of the map: one number "
                   "for every class, or CLASS=N pairs (e.g. forest=100,water=50; "
                   "classes left out get none).")
@click.option("--out", "output", required=True, type=click.Path(dir_okay=False),
              help="The points file: .geojson, .json or .csv.")
@click.option("--seed", default=0, show_default=True, help="Seed of the draw.")
@click.pass_obj
def sample_points_command(ctx, map_path, per_class, output, seed):
    """Draw a stratified random sample of reference points from the class MAP.

    Nodata and rejected pixels are never drawn. Fill in each point's label
    column, then run `classical assess MAP POINTS`.
    """
    from .geo import sample_points

    path = sample_points(map_path, per_class, output, random_state=seed)
    ctx.say(f"Reference points written to {path}; fill in their label, then run "
            f"classical assess {map_path} {path}")


@cli.command(name="inspect")
@click.argument("data_dir", type=click.Path())
@click.option("--against", "other_dir", type=click.Path(), metavar="OTHER_DIR",
              help="Also find the images of DATA_DIR that are in OTHER_DIR (the "
                   "same or nearly the same image): train/test leakage.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False),
              metavar="REPORT.md",
              help="Write the Markdown report here, with a PNG contact sheet of "
                   "each finding beside it (REPORT_duplicates.png, ...).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False),
              help="Write the findings as JSON here.")
@click.option("--write-clean", "clean_path", type=click.Path(dir_okay=False),
              metavar="LIST",
              help="Write the files a clean copy keeps, one per line: all but "
                   "the unreadable files, every duplicate but the first (sorted) "
                   "of its group and every member of a label conflict.")
@click.pass_obj
def inspect_command(ctx, data_dir, other_dir, report_path, json_path, clean_path):
    """Check the images in DATA_DIR (one sub-folder per class) before training.

    Finds exact and near duplicates, the same image under two classes,
    images also in OTHER_DIR, blurry (for their class), nearly constant or
    badly exposed, unreadable and far too small images, and counts each
    class. Prints the summary and the findings; never deletes or moves a
    file. Paths are written as DATA_DIR is given (relative if it is).
    """
    from .datasets import (
        inspect,
        inspect_markdown,
        kept_paths,
        save_inspect_json,
        save_inspect_report,
    )

    report = inspect(data_dir, against=other_dir, n_jobs=ctx.n_jobs,
                     verbose=not ctx.quiet)
    title = f"Inspection of {data_dir}" + (f" against {other_dir}" if other_dir else "")
    click.echo(inspect_markdown(report, title=title, max_listed=_LISTED))
    if report_path is not None:
        sheets = len(save_inspect_report(report, report_path, title=title)) - 1
        ctx.say(f"Report written to {report_path} with {sheets} contact "
                f"sheet{'s' * (sheets != 1)}")
    if json_path is not None:
        save_inspect_json(report, json_path)
        ctx.say(f"JSON report written to {json_path}")
    if clean_path is not None:
        kept = kept_paths(report)
        Path(clean_path).parent.mkdir(parents=True, exist_ok=True)
        Path(clean_path).write_text("".join(f"{path}\n" for path in kept),
                                    encoding="utf-8")
        ctx.say(f"{len(kept):,} files to keep written to {clean_path}")


@cli.command()
def pipelines():
    """List the preset pipelines."""
    from . import list_pipelines

    for name, description in list_pipelines().items():
        click.echo(f"{name:18s} {description}")


def main(argv=None):
    """Run the command line; return the exit status instead of raising."""
    try:
        status = cli.main(args=argv, prog_name="classical", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.ClickException as error:
        error.show()
        return error.exit_code
    return status if isinstance(status, int) else 0


if __name__ == "__main__":
    sys.exit(main())
