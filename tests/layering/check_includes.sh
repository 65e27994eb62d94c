#!/usr/bin/env bash
# Keeps docs/design.md's dependency table true: every `#include "part/..."`
# in src/<part>/ must name the part itself or a part the table allows.
#
#   tests/layering/check_includes.sh SRC_DIR DESIGN_MD
#
# The table is the block between the lines "<!-- layering:begin -->" and
# "<!-- layering:end -->" in DESIGN_MD, one line per part: "part: dep, dep".
# A folder of SRC_DIR missing from the table is an error too (a new part must
# be placed). Prints each offending file:line; exits 1 when there is one.
set -euo pipefail

src=${1:?usage: check_includes.sh SRC_DIR DESIGN_MD}
design=${2:?usage: check_includes.sh SRC_DIR DESIGN_MD}

declare -A allowed
table=$(sed -n '/<!-- layering:begin -->/,/<!-- layering:end -->/p' "$design" |
        grep -E '^ *[a-z_]+:' || true)
if [[ -z $table ]]; then
  echo "$design: no layering table between <!-- layering:begin --> and <!-- layering:end -->" >&2
  exit 1
fi
while IFS= read -r line; do
  part=$(sed -E 's/^ *([a-z_]+):.*/\1/' <<<"$line")
  deps=$(sed -E 's/^ *[a-z_]+:(.*)/\1/; s/[(].*[)]//; s/,/ /g' <<<"$line")
  allowed[$part]=" $part $(xargs <<<"$deps") "
done <<<"$table"

status=0
for dir in "$src"/*/; do
  part=$(basename "$dir")
  if [[ -z ${allowed[$part]+x} ]]; then
    echo "$dir: part \"$part\" is not in the layering table of $design"
    status=1
    continue
  fi
  # file:line:#include "other/..."
  while IFS=: read -r file line text; do
    target=$(sed -E 's/^[^"]*"([a-z_]+)\/.*/\1/' <<<"$text")
    [[ -d $src/$target ]] || continue  # not a part (e.g. a library's own folder)
    if [[ ${allowed[$part]} != *" $target "* ]]; then
      echo "$file:$line: $part may not include $target/ (allowed:${allowed[$part]})"
      status=1
    fi
  done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"[a-z_]+/' "$dir" || true)
done
[[ $status -eq 0 ]] && echo "layering ok: $(ls -d "$src"/*/ | wc -l) parts"
exit $status
