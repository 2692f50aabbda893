#!/usr/bin/env bash
# The whole suite, from a fresh clone on a fresh machine: dependencies, the Docker engine and local
# images, the build, type check and lint, then every test (the real-Docker ones included).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
bash scripts/setup.sh
# The images the Kubernetes documentation examples name (test/fixtures/k8s-docs/); test-only.
bash scripts/build-example-images.sh
# Test-only components (registry, Podman, brokers, ...): one script each, see its README.
for script in scripts/test-setup.d/*.sh; do
  [ -e "$script" ] && bash "$script"
done
npm run --silent build
npx eslint --max-warnings=0 .
npx prettier --check --log-level=warn .
node scripts/run-tests.mjs all "$@"
