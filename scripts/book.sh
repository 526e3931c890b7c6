#!/usr/bin/env bash
# Builds or serves the book in book/ with pinned versions of mdBook and mdbook-linkcheck2,
# installing them with `cargo install --locked` when they are missing (a few minutes, once).
#
#   scripts/book.sh build    check every {{#include}}, build the HTML into book/book/html/
#                            and check every link; exits non-zero on any problem (CI uses this)
#   scripts/book.sh serve    serve the book at http://localhost:3000, rebuilding on every save;
#                            extra arguments go to `mdbook serve` (e.g. -p 3001)
#
# Why the include check: mdBook 0.5 only logs an error for an {{#include}} whose file is
# missing, and silently includes nothing for an anchor that does not exist, and its exit
# status is 0 either way. A chapter whose listing vanished must fail the build, so this script
# checks every include itself and also fails on any ERROR line mdBook prints.
set -euo pipefail

MDBOOK_VERSION=0.5.4
LINKCHECK_VERSION=0.13.0

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# Installs `$1` at version `$2` unless that exact version is already on the PATH.
ensure_tool() {
  local tool=$1 version=$2
  if command -v "$tool" >/dev/null 2>&1 &&
    "$tool" --version 2>/dev/null | grep -qE "(^|[ v])${version//./\\.}\$"; then
    return 0
  fi
  echo "installing $tool $version with cargo (a few minutes, once)..."
  cargo install "$tool" --locked --version "$version"
}

# Checks every {{#include FILE[:ANCHOR]}} of book/src: the file exists and, for a named
# anchor, both its ANCHOR and ANCHOR_END lines are there with something between them.
# An include written as \{{#include ...}} is text shown to the reader, not an include.
check_includes() {
  local problems=0 page spec file anchor path
  while IFS= read -r page; do
    while IFS= read -r spec; do
      spec=${spec#*\{\{#}
      spec=${spec#include }
      spec=${spec#rustdoc_include }
      spec=${spec%\}\}}
      spec=${spec## }
      spec=${spec%% }
      file=${spec%%:*}
      anchor=""
      [[ "$spec" == *:* ]] && anchor=${spec#*:}
      path="$(dirname "$page")/$file"
      if [[ ! -f "$path" ]]; then
        echo "error: $page includes $file, which does not exist" >&2
        problems=$((problems + 1))
        continue
      fi
      # Line ranges (`file.rs:10:20`, `file.rs::5`) need no anchor.
      if [[ -z "$anchor" || "$anchor" =~ ^[0-9:]*$ ]]; then
        continue
      fi
      local lines
      lines=$(awk -v name="$anchor" '
        function is_marker(line, kind,    rest) {
          if (index(line, kind ":") == 0) return 0
          rest = substr(line, index(line, kind ":") + length(kind) + 1)
          sub(/^[ \t]*/, "", rest)
          return substr(rest, 1, length(name)) == name &&
            substr(rest, length(name) + 1, 1) !~ /[A-Za-z0-9_-]/
        }
        is_marker($0, "ANCHOR_END") { if (open) { ended = 1; open = 0 }; next }
        is_marker($0, "ANCHOR") { open = 1; started = 1; next }
        open && $0 !~ /ANCHOR(_END)?:/ { body++ }
        END {
          if (!started) print "missing";
          else if (!ended) print "unclosed";
          else print body + 0
        }' "$path")
      case "$lines" in
        missing)
          echo "error: $page includes $file:$anchor, but $file has no 'ANCHOR: $anchor'" >&2
          problems=$((problems + 1)) ;;
        unclosed)
          echo "error: $page includes $file:$anchor, but $file has no 'ANCHOR_END: $anchor'" >&2
          problems=$((problems + 1)) ;;
        0)
          echo "error: $page includes $file:$anchor, and that anchor fences nothing" >&2
          problems=$((problems + 1)) ;;
      esac
    done < <(grep -oE '(^|[^\\])\{\{#(include|rustdoc_include) [^}]+\}\}' "$page" || true)
  done < <(find book/src -name '*.md' | sort)
  if ((problems > 0)); then
    echo "error: $problems broken include(s) in book/src" >&2
    return 1
  fi
  echo "every {{#include}} in book/src resolves"
}

# Checks every link to a heading (`page.html#heading`, `#heading`) in the built HTML: the
# page must have an element with that id. linkcheck2 checks that linked files exist, not
# the headings inside them, and a renamed heading should not leave a dead link behind.
check_fragments() {
  local html=book/book/html problems=0 page href target fragment
  while IFS= read -r page; do
    while IFS= read -r href; do
      href=${href#href=\"}
      href=${href%\"}
      target=${href%%#*}
      fragment=${href#*#}
      [[ -z "$target" ]] && target=$(basename "$page")
      if [[ ! -f "$html/$target" ]] || ! grep -qF "id=\"$fragment\"" "$html/$target"; then
        echo "error: $(basename "$page") links to $href, which has no such heading" >&2
        problems=$((problems + 1))
      fi
    done < <(grep -oE 'href="([A-Za-z0-9_.-]+\.html)?#[^"]+"' "$page" || true)
  done < <(find "$html" -maxdepth 1 -name '*.html' ! -name print.html ! -name toc.html | sort)
  if ((problems > 0)); then
    echo "error: $problems link(s) to missing headings" >&2
    return 1
  fi
  echo "every link to a heading resolves"
}

build() {
  ensure_tool mdbook "$MDBOOK_VERSION"
  ensure_tool mdbook-linkcheck2 "$LINKCHECK_VERSION"
  check_includes
  local log status=0
  log=$(mktemp)
  # linkcheck2 runs as a backend of this build (book.toml) and fails it on a broken link.
  NO_COLOR=1 mdbook build book 2>&1 | tee "$log" || status=$?
  if ((status != 0)); then
    rm -f "$log"
    echo "error: mdbook build failed (exit status $status)" >&2
    return 1
  fi
  # mdBook logs a missing include file as an ERROR and still exits 0.
  if sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -qE '(^|[[:space:]])ERROR[[:space:]]'; then
    rm -f "$log"
    echo "error: mdbook reported errors (see above)" >&2
    return 1
  fi
  rm -f "$log"
  check_fragments
  echo "book built: book/book/html/index.html"
}

serve() {
  ensure_tool mdbook "$MDBOOK_VERSION"
  check_includes || echo "(serving anyway; fix the includes above)" >&2
  exec mdbook serve book "$@"
}

case "${1:-build}" in
  build) build ;;
  serve) shift; serve "$@" ;;
  *)
    echo "usage: scripts/book.sh [build|serve [MDBOOK SERVE ARGS...]]" >&2
    exit 2 ;;
esac
