#!/usr/bin/env bash
# Seed the fuzzers' working corpora (fuzz/corpus/<target>/, not committed) from the golden
# fixtures, the benchmark manifest and, when present, the small files of ../shared/corpus.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=..
CORPUS=${RELMAN_CORPUS:-$ROOT/../shared/corpus}
for t in reader noop_edit image_edit fast_reader; do
  mkdir -p corpus/$t
  find $ROOT/tests/fixtures/manifest -name input.yaml | while read -r f; do
    cp "$f" "corpus/$t/fixture-$(echo "$f" | md5sum | cut -c1-12)"
  done
  cp $ROOT/benches/compare/deployment-2k.yaml corpus/$t/deployment-2k
  if [ -d "$CORPUS" ]; then
    find "$CORPUS" \( -name '*.yaml' -o -name '*.yml' \) -size -4k | while read -r f; do
      cp "$f" "corpus/$t/corpus-$(echo "$f" | md5sum | cut -c1-12)"
    done
  fi
done
# The fast reader: every YAML fixture (the bad-input catalogue and the config files included).
find $ROOT/tests/fixtures \( -name '*.yaml' -o -name '*.yml' \) | while read -r f; do
  cp "$f" "corpus/fast_reader/fixture-$(echo "$f" | md5sum | cut -c1-12)"
done
# Image references: every string value of the image fixtures, one per file.
mkdir -p corpus/image_ref
python3 - "$ROOT/tests/fixtures/image" corpus/image_ref <<'PY'
import hashlib, json, pathlib, sys
def strings(v):
    if isinstance(v, str): yield v
    elif isinstance(v, list):
        for x in v: yield from strings(x)
    elif isinstance(v, dict):
        for x in v.values(): yield from strings(x)
out = pathlib.Path(sys.argv[2])
for p in pathlib.Path(sys.argv[1]).glob("*.json"):
    for s in set(strings(json.loads(p.read_text()))):
        (out / hashlib.md5(s.encode()).hexdigest()[:12]).write_text(s)
PY
for t in reader noop_edit image_edit fast_reader image_ref; do echo "$t: $(ls corpus/$t | wc -l) seeds"; done
