#!/usr/bin/env bash
# Check and time the GPU paths (AMP bf16/fp16, channels-last, torch.compile, airbench94,
# ResNet-18 eager vs compiled, 2-GPU DDP) on a CUDA machine, in at most 8 minutes.
# Usage: bench/gpu/run.sh [--smoke]     (CIFAR10_DIR=... to train airbench94 to 94 %)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec timeout --signal=INT 480 python bench/gpu/gpu_checks.py "$@"
