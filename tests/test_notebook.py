"""The learners' notebook: stored without outputs, and run top to bottom on a tiny setting with nbclient."""

import math
import re
import subprocess
import sys

import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from nbclient import NotebookClient

from model.checkpoint import latest_checkpoint, load_checkpoint

from .helpers import ROOT

NOTEBOOK = ROOT / "notebooks" / "train_a_digit_gan.ipynb"
STEPS, TRAIN_IMAGES = 20, 1280  # one epoch of 64-image batches
# one thread: results are then bit-identical to train_cgan.py --threads 1, and a shared CPU is not oversubscribed
TINY = {"NOTEBOOK_STEPS": str(STEPS), "NOTEBOOK_TRAIN_IMAGES": str(TRAIN_IMAGES), "NOTEBOOK_THREADS": "1",
        "NOTEBOOK_SNAPSHOTS": "2"}
LOSS_LINE = re.compile(r"^step +(\d+)/(\d+) +loss_d (\S+) +loss_g (\S+) +aux_d (\S+) +aux_g (\S+)", re.MULTILINE)


def code_cells(nb) -> list:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def stdout(nb) -> str:
    return "".join(out.text for cell in code_cells(nb) for out in cell.outputs if out.get("name") == "stdout")


@pytest.fixture(scope="module")
def executed(mnist_dir, tmp_path_factory):
    """The notebook run top to bottom in a kernel of this very Python (so of the venv that runs pytest), from
    notebooks/ as a learner would start it; the executed copy stays in memory, never in the repository."""
    jupyter_dir = tmp_path_factory.mktemp("jupyter")
    # a kernelspec of our own comes first on JUPYTER_PATH, so no user-installed "python3" kernel can stand in
    write_kernel_spec(jupyter_dir / "kernels" / "python3")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("JUPYTER_PATH", str(jupyter_dir))
        for name, value in TINY.items():
            env.setenv(name, value)
        env.delenv("NOTEBOOK_WEIGHTS", raising=False)  # the notebook must find weights/ itself
        env.delenv("MPLBACKEND", raising=False)  # figures go inline
        NotebookClient(nb, kernel_name="python3", timeout=300,
                       resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return nb


def test_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    cells = code_cells(nb)
    assert cells
    for cell in cells:  # in Jupyter: Edit > Clear Outputs of All Cells, then save
        assert cell.outputs == [] and cell.execution_count is None, f"outputs stored in: {cell.source[:80]}"
        assert "execution" not in cell.metadata, f"run timings stored in: {cell.source[:80]}"


def test_notebook_runs_top_to_bottom_and_draws_its_figures(executed):
    cells = code_cells(executed)
    assert [cell.execution_count for cell in cells] == list(range(1, len(cells) + 1))
    for cell in cells:
        kinds = [out.output_type for out in cell.outputs]
        assert "error" not in kinds, cell.source[:80]
        assert not [out for out in cell.outputs if out.get("name") == "stderr"], (cell.source[:80], cell.outputs)
        pngs = [out for out in cell.outputs if "image/png" in out.get("data", {})]
        # every figure cell shows exactly one figure: real digits, snapshots, losses, bundled grid, sevens, styles
        assert len(pngs) == cell.source.count("plt.show()"), cell.source[:80]
    assert sum(cell.source.count("plt.show()") for cell in cells) == 6


def test_notebook_prints_finite_losses_and_the_networks_shapes(executed):
    text = stdout(executed)
    assert re.search(r"^G: [\d,]+ parameters$", text, re.MULTILINE)
    assert re.search(r"^D: [\d,]+ parameters$", text, re.MULTILINE)
    assert "G's output: (4, 1, 28, 28)" in text
    assert "D's outputs: 'real?' scores (4,)  'which digit?' scores (4, 10)" in text
    rows = LOSS_LINE.findall(text)
    assert [int(step) for step, *_ in rows] == list(range(2, STEPS + 1, 2))
    assert all(int(total) == STEPS for _, total, *_ in rows)
    assert all(math.isfinite(float(value)) for *_, d, g, aux_d, aux_g in rows for value in (d, g, aux_d, aux_g))


def test_notebook_generates_by_seed_with_the_bundled_weights(executed):
    text = stdout(executed)
    assert f"loaded {ROOT / 'weights'} -" in text  # found from notebooks/ by walking up to the repository root
    assert "shape: (16, 28, 28)  dtype: uint8" in text
    assert "same seed, same pixels: True" in text
    assert "image 3 of seed 42 is the image of seed 45: True" in text


def test_notebook_trains_exactly_like_train_cgan(executed, tmp_path):
    """The notebook's loop is train_cgan.py's: same step functions, data order and noise, so the same losses."""
    subprocess.run([sys.executable, str(ROOT / "train_cgan.py"), "--max-steps", str(STEPS), "--train-subset",
                    str(TRAIN_IMAGES), "--threads", "1", "--no-eval", "--no-progress", "--out-dir", str(tmp_path)],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    history = load_checkpoint(latest_checkpoint(tmp_path / "checkpoints"))["history"]
    script = next(row for row in history if row[0] == STEPS)
    notebook = next(row for row in LOSS_LINE.findall(stdout(executed)) if int(row[0]) == STEPS)
    assert list(notebook[2:]) == [f"{value:.3f}" for value in script[1:]]
