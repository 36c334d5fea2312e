#!/bin/bash
# Installs a framerpc build tree into a scratch prefix, then configures,
# builds and runs tests/codegen/out_of_tree against it: proves that
# find_package(framerpc) + framerpc_generate() work for an outside project.
#
# Usage: out_of_tree_test.sh <framerpc build dir> <out_of_tree source dir>
#                            <scratch dir> [extra cmake args...]
set -euo pipefail

build_dir=$1
project_dir=$2
scratch=$3
shift 3

rm -rf "${scratch}"
mkdir -p "${scratch}"
echo "== installing ${build_dir} into ${scratch}/prefix"
cmake --install "${build_dir}" --prefix "${scratch}/prefix" >"${scratch}/install.log" ||
  { cat "${scratch}/install.log"; exit 1; }
echo "== configuring ${project_dir}"
cmake -S "${project_dir}" -B "${scratch}/build" -G Ninja \
  -DCMAKE_PREFIX_PATH="${scratch}/prefix" "$@"
echo "== building"
cmake --build "${scratch}/build" -j2
echo "== running"
"${scratch}/build/greeter_app"
