"""The ``classical`` command: train, evaluate and apply classifiers from the shell.

Exit status: 0 on success, 1 when the work fails (one line on standard error;
the traceback only with ``--debug``), 2 on a usage error.
"""

import csv
import sys
from pathlib import Path

import click

DEFAULT_OUTPUT = "classical-output"


class _Context:
    def __init__(self, quiet, debug, n_jobs):
        self.quiet = quiet
        self.debug = debug
        self.n_jobs = n_jobs

    def say(self, message=""):
        if not self.quiet:
            click.echo(message)


def _configure(ctx, pipeline):
    """Progress bars and threads for the library's own steps."""
    from .presets import set_library_params

    return set_library_params(pipeline, verbose=not ctx.quiet, n_jobs=ctx.n_jobs)


def _fit_and_report(ctx, pipeline, dataset, *, test_size, seed):
    """Fit on a stratified split, print the held-out report, return (model, report)."""
    from . import evaluate

    if test_size > 0:
        train, test = dataset.split(test_size=test_size, random_state=seed)
    else:
        train, test = dataset, None
    ctx.say(f"Training on {len(train)} images of {len(dataset.class_names)} classes...")
    pipeline.fit(train.images, train.labels)
    if test is None:
        return pipeline, None
    ctx.say(f"Evaluating on {len(test)} held-out images...")
    report = evaluate(test.labels, pipeline.predict(test.images),
                      labels=dataset.class_names)
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="classical-vision", prog_name="classical")
@click.option("--quiet", "-q", is_flag=True,
              help="Print nothing but errors and results.")
@click.option("--debug", is_flag=True, help="Show the full traceback on failure.")
@click.option("--n-jobs", "-j", default=-1, show_default=True,
              help="Threads for feature extraction (-1: all cores).")
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
    pipeline = _configure(ctx, make_pipeline(pipeline_name))
    model, report = _fit_and_report(ctx, pipeline, dataset, test_size=0.2, seed=seed)
    folder = Path(output)
    folder.mkdir(parents=True, exist_ok=True)
    _save_model(ctx, model, folder / "model.skops", pipeline_name)
    _write_report(ctx, report, markdown=folder / "report.md",
                  json_path=folder / "report.json",
                  confusion=folder / "confusion.png")


@cli.command()
@click.argument("data_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--pipeline", "pipeline_name", required=True,
              help="Preset to train (see `classical pipelines`).")
@click.option("--model", "model_path", required=True, type=click.Path(dir_okay=False),
              help="Where to write the trained model.")
@click.option("--test-size", default=0.2, show_default=True,
              type=click.FloatRange(0.0, 1.0, max_open=True),
              help="Held-out fraction for the report; 0 trains on everything.")
@click.option("--seed", default=0, show_default=True, help="Seed of the split.")
@click.option("--size", type=int, default=None,
              help="Resize every image to SIZE x SIZE on load.")
@click.pass_obj
def train(ctx, data_dir, pipeline_name, model_path, test_size, seed, size):
    """Train a preset on DATA_DIR (one sub-folder per class) and save it."""
    from . import make_pipeline
    from .datasets import load_folder

    pipeline = _configure(ctx, make_pipeline(pipeline_name))
    dataset = load_folder(data_dir, size=size, verbose=not ctx.quiet)
    model, _ = _fit_and_report(ctx, pipeline, dataset, test_size=test_size, seed=seed)
    _save_model(ctx, model, model_path, pipeline_name)


@cli.command(name="evaluate")
@click.argument("model_path", type=click.Path(exists=True, dir_okay=False))
@click.argument("data_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--report", "report_path", type=click.Path(dir_okay=False),
              help="Write the report here (.json for JSON, Markdown otherwise).")
@click.option("--confusion", type=click.Path(dir_okay=False),
              help="Write a confusion-matrix PNG here.")
@click.pass_obj
def evaluate_command(ctx, model_path, data_dir, report_path, confusion):
    """Evaluate a saved MODEL on the labelled images in DATA_DIR."""
    from . import evaluate, load
    from .datasets import load_folder

    model = _configure(ctx, load(model_path))
    dataset = load_folder(data_dir, verbose=not ctx.quiet)
    report = evaluate(dataset.labels, model.predict(dataset.images))
    click.echo(report.to_markdown())
    is_json = report_path is not None and report_path.lower().endswith(".json")
    _write_report(ctx, report, markdown=None if is_json else report_path,
                  json_path=report_path if is_json else None, confusion=confusion)


@cli.command()
@click.argument("model_path", type=click.Path(exists=True, dir_okay=False))
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write a CSV here instead of printing it.")
@click.pass_obj
def predict(ctx, model_path, paths, output):
    """Classify image files (folders expand) with a saved MODEL.

    Prints, or writes to a CSV, one row per file: path, label and the
    probability of each class when the model gives them.
    """
    from . import load
    from .datasets import load_images

    model = _configure(ctx, load(model_path))
    loaded = load_images(paths, verbose=not ctx.quiet)
    if len(loaded.images) == 0:
        raise click.ClickException("none of the given files could be read as an image")
    labels = model.predict(loaded.images)
    header = ["path", "label"]
    probabilities = None
    if hasattr(model, "predict_proba"):
        try:
            probabilities = model.predict_proba(loaded.images)
        except AttributeError:  # e.g. SVC without probability=True
            probabilities = None
    if probabilities is not None:
        header += [f"p_{name}" for name in model.classes_]
    handle = open(output, "w", newline="") if output else sys.stdout
    try:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row, (path, label) in enumerate(zip(loaded.paths, labels)):
            values = [] if probabilities is None else [
                f"{p:.4f}" for p in probabilities[row]]
            writer.writerow([path, label, *values])
    finally:
        if output:
            handle.close()
    if output:
        ctx.say(f"Predictions for {len(labels)} files written to {output}")


@cli.command()
def pipelines():
    """List the preset pipelines."""
    from . import list_pipelines

    for name, description in list_pipelines().items():
        click.echo(f"{name:18s} {description}")


def main(argv=None):
    """Run the command line; return the exit status instead of raising."""
    debug = "--debug" in (sys.argv[1:] if argv is None else argv)
    try:
        cli.main(args=argv, prog_name="classical", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.UsageError as error:
        error.show()
        return 2
    except click.ClickException as error:
        error.show()
        return 1
    except Exception as error:  # one line, unless the user asked for the traceback
        if debug:
            raise
        click.echo(f"error: {error}", err=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
