#!/usr/bin/env bash
# Installs dependencies (Debian 12, as root), builds, and runs the main job:
# the gradientmap graph on a bundled example, written to temp/gradientmap.png.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
mkdir -p temp
build/imgflo-process gradientmap.png temp/gradientmap.png input=examples/grid-toastybob.jpg \
  color1='#082A31' color2='#FDE7A0'
echo "wrote temp/gradientmap.png"
