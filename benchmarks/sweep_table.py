"""The runs of a folder (benchmarks/sweep.sh's OUT_DIR) as a markdown table, and the mean of each recipe's seeds.

    python -m benchmarks.sweep_table OUT_DIR [--floor METRICS_JSON]

A run is a folder holding generator/training.json and generator/metrics.json. Runs named RECIPE_sN (N a seed) are
one recipe; a recipe with more than one run gets a row of means. Distances are divided by each run's own floor,
or with --floor by the floors of that metrics.json (records measured before the floor changed keep their old one).
"""

import argparse
import json
import re
from pathlib import Path

import numpy as np

COLUMNS = ("| run | steps | training | requested digit (A / B) | Fréchet distance ÷ floor (A / B) | precision (A / B) "
           "| recall (A / B) |")


def load_runs(folder: Path) -> dict[str, tuple[dict, dict]]:
    """name -> (training.json, metrics.json) of every finished run in folder, by name."""
    runs = {}
    for record in sorted(folder.glob("*/generator/metrics.json")):
        generator = record.parent
        runs[generator.parent.name] = (json.loads((generator / "training.json").read_text()),
                                       json.loads(record.read_text()))
    return runs


def figures(metrics: dict, floors: dict | None) -> dict[str, list[float]]:
    """accuracy, distance ÷ floor, precision and recall, as [judge A, judge B]."""
    judges = metrics["judges"]
    floor = {name: (floors or judges)[name]["real_floor_frechet_distance"] for name in judges}
    return {"accuracy": [j["accuracy"] for j in judges.values()],
            "ratio": [j["frechet_distance"] / floor[name] for name, j in judges.items()],
            "precision": [j["precision"] for j in judges.values()], "recall": [j["recall"] for j in judges.values()]}


def row(label: str, steps: str, wall: str, f: dict) -> str:
    """One markdown row of figures f (judge A / judge B in each cell)."""
    pair = lambda values, fmt: " / ".join(format(v, fmt) for v in values)  # noqa: E731
    return (f"| {label} | {steps} | {wall} | {pair(f['accuracy'], '.2%')} | "
            + " / ".join(f"{v:.2f}x" for v in f["ratio"])
            + f" | {pair(f['precision'], '.3f')} | {pair(f['recall'], '.3f')} |")


def table(runs: dict, floors: dict | None = None) -> str:
    """The markdown table: each run, then (after all of them) the mean of each recipe with several seeds."""
    lines = [COLUMNS, "|---|---|---|---|---|---|---|"]
    recipes: dict[str, list[dict]] = {}
    for name, (training, metrics) in runs.items():
        f = figures(metrics, floors)
        recipes.setdefault(re.sub(r"_s\d+$", "", name), []).append(f)
        lines.append(row(name, f"{training['steps']:,}", f"{training['wall_clock_s']} s", f))
    for recipe, seeds in recipes.items():
        if len(seeds) > 1:
            mean = {key: np.mean([s[key] for s in seeds], axis=0).tolist() for key in seeds[0]}
            lines.append(row(f"**{recipe}: mean of {len(seeds)}**", "", "", mean))
    return "\n".join(lines)


def main(argv=None):
    """Print the table of a sweep's folder."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folder", type=Path)
    p.add_argument("--floor", type=Path, help="a metrics.json whose floors every run is divided by")
    args = p.parse_args(argv)
    runs = load_runs(args.folder)
    if not runs:
        raise SystemExit(f"error: no finished run (NAME/generator/metrics.json) in {args.folder}")
    print(table(runs, json.loads(args.floor.read_text())["judges"] if args.floor else None))


if __name__ == "__main__":
    main()
