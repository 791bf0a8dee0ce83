#!/usr/bin/env bash
# usage: scripts/jupyterlab-venv.sh <dir>
# Make a Python virtual environment with JupyterLab at <dir> (from Debian's /usr/bin/python3),
# installing from the package index pip is configured with: $SOUNDCHECK_PIP_INDEX, else pip's
# index-url, else the first extra-index-url of `pip config list` (on our build machines a local
# wheel index; the public index is unreachable there), else PyPI.
set -euo pipefail
dir="${1:?usage: scripts/jupyterlab-venv.sh <dir>}"
python="${SOUNDCHECK_PYTHON:-/usr/bin/python3}"
if [ ! -x "$dir/bin/python" ]; then
  "$python" -m venv "$dir"
fi
pip="$dir/bin/pip"
index="${SOUNDCHECK_PIP_INDEX:-}"
if [ -z "$index" ]; then
  index="$("$pip" config get global.index-url 2>/dev/null || true)"
fi
if [ -z "$index" ]; then
  index="$("$pip" config get global.extra-index-url 2>/dev/null | awk '{print $1}' || true)"
fi
args=(install --quiet --disable-pip-version-check jupyterlab)
if [ -n "$index" ]; then
  args+=(--index-url "$index")
fi
"$pip" "${args[@]}" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
"$dir/bin/python" -c "import jupyterlab; print('JupyterLab', jupyterlab.__version__, 'in $dir')"
