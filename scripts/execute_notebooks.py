"""Execute notebooks in fresh kernels through real Jupyter (nbclient) and optionally export HTML.

usage: execute_notebooks.py --kernel NAME --cwd DIR --out DIR [--html DIR] [--timeout S] NB...

Fails (exit 1) when a cell errors or writes to stderr: tslab reports an error as a stderr
stream (its `ename` is empty) and then skips the queued cells, so stderr is the signal.
"""
import argparse
import json
import os
import sys
import time

import nbformat
from nbclient import NotebookClient


def problems(nb):
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("execution_count") is None:
            found.append(f"cell {i} did not run")
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"cell {i}: error {out.get('ename')}: {out.get('evalue')}")
            elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                found.append(f"cell {i} wrote to stderr:\n{out.get('text', '')[:2000]}")
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--cwd", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--html")
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("notebooks", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    exporter = None
    if args.html:
        from nbconvert import HTMLExporter
        os.makedirs(args.html, exist_ok=True)
        exporter = HTMLExporter(template_name="lab")
    failed = False
    for path in args.notebooks:
        name = os.path.basename(path)
        nb = nbformat.read(path, as_version=4)
        start = time.time()
        client = NotebookClient(nb, timeout=args.timeout, kernel_name=args.kernel, allow_errors=True,
                                resources={"metadata": {"path": args.cwd}})
        try:
            client.execute()
        except Exception as err:  # timeouts, dead kernels
            nb.metadata["soundcheck_execution_error"] = f"{type(err).__name__}: {err}"
        found = problems(nb)
        if "soundcheck_execution_error" in nb.metadata:
            found.insert(0, nb.metadata["soundcheck_execution_error"])
        nb.metadata["soundcheck_execution_seconds"] = round(time.time() - start, 1)
        nbformat.write(nb, os.path.join(args.out, name))
        if exporter is not None:
            body, _ = exporter.from_notebook_node(nb)
            with open(os.path.join(args.html, name[:-6] + ".html"), "w", encoding="utf-8") as f:
                f.write(body)
        status = "FAILED" if found else "ok"
        print(f"{name}: {status} in {time.time() - start:.1f} s", flush=True)
        for p in found:
            print(f"  {p}", file=sys.stderr, flush=True)
        failed = failed or bool(found)
        if found:
            break  # later notebooks need this one's output
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
