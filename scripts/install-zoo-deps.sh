#!/usr/bin/env bash
# Installs what the zoo test and benchmark need on top of install-deps.sh:
# PyTorch and torchvision (to export real architectures with random
# weights), the onnx and numpy Python modules (Debian packages, used with
# /usr/bin/python3), and Node.js with npm for ONNX Runtime's reference
# outputs (onnxruntime-node, fetched by tools/zoo/run.sh into build/ort).
# Kept apart so the base install stays small. Idempotent.
set -euo pipefail

PACKAGES=(python3-torch python3-torchvision python3-onnx python3-numpy)
command -v node >/dev/null && command -v npm >/dev/null || PACKAGES+=(nodejs npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-zoo-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-zoo-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
