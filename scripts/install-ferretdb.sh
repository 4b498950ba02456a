#!/usr/bin/env bash
# Build FerretDB (a MongoDB-protocol server on PostgreSQL or SQLite) into ./bin once, from the Go module proxy.
# `go install .../cmd/ferretdb@v1.24.2` builds, but the binary panics at start because the
# module lacks the generated build/version/version.txt; so we download the same module,
# write that file (what upstream's `task gen-version` does) and build it.
# Our patches, applied in order (docs/local-database.md):
# - scripts/ferretdb-in-pushdown.patch lets PostgreSQL use an index for `$in` (FerretDB 1.x
#   pushes down only plain equality, so `{_id: {$in: [...]}}` read the whole table), on
#   `_id` as equalities on its btree (a long disjunction was planned as a full scan);
# - scripts/ferretdb-atomic-updates.patch makes an update atomic per document (FerretDB 1.24
#   reads, updates in Go and writes back, so two updates in flight could lose one);
# - scripts/ferretdb-sort-pushdown.patch answers a page (top-level string equalities, a sort by
#   one field, a limit) with ORDER BY and LIMIT in PostgreSQL when that cannot differ from
#   FerretDB's sort in Go (FerretDB 1.24 reads and sorts every matching document for a page);
# - scripts/ferretdb-release-before-write.patch lets go of a query's connection before an update
#   or a findAndModify's delete writes (holding it while asking for another deadlocked FerretDB
#   when a createIndexes or a new collection took the registry's lock at the same moment);
# - scripts/ferretdb-range-pushdown.patch lets PostgreSQL select the documents of a range of
#   dates (`{due: {$lte: now}}`), and answers an empty `$in` with nothing: for either FerretDB
#   1.24 read and decoded the whole collection;
# - scripts/ferretdb-debug-only-tracking.patch tracks iterators and cursors for leaks in debug
#   builds only (a stack trace, a lock and a finalizer per iterator, on every query).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${FERRETDB_VERSION:-v1.24.2}"
BIN="$PWD/bin/ferretdb"
PATCHES=("$PWD/scripts/ferretdb-in-pushdown.patch" "$PWD/scripts/ferretdb-atomic-updates.patch"
  "$PWD/scripts/ferretdb-sort-pushdown.patch" "$PWD/scripts/ferretdb-release-before-write.patch"
  "$PWD/scripts/ferretdb-range-pushdown.patch" "$PWD/scripts/ferretdb-debug-only-tracking.patch")
STAMP="$BIN.build"
BUILD="$VERSION $(cat "${PATCHES[@]}" | sha256sum | cut -c1-16)"
if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$BUILD" ]; then
  exit 0
fi
command -v go >/dev/null || { echo "Go is required to build FerretDB: apt-get install golang-go" >&2; exit 1; }
echo "building FerretDB $VERSION once (a few minutes)..."
MODULE="github.com/FerretDB/FerretDB@$VERSION"
SRC_CACHE=$(go mod download -json "$MODULE" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
WORK="$PWD/var/build/ferretdb-$VERSION"
rm -rf "$WORK" && mkdir -p "$WORK" "$PWD/bin"
cp -r "$SRC_CACHE"/. "$WORK" && chmod -R u+w "$WORK"
echo "$VERSION" > "$WORK/build/version/version.txt"
echo "postgresql" > "$WORK/build/version/package.txt"
# the ceiling keeps git from taking the project's own repository for the one to patch
for patch in "${PATCHES[@]}"; do
  (cd "$WORK" && GIT_CEILING_DIRECTORIES="$(dirname "$WORK")" git apply "$patch")
done
(cd "$WORK" && CGO_ENABLED=0 go build -trimpath -ldflags=-checklinkname=0 -o "$BIN" ./cmd/ferretdb)
rm -rf "$WORK"
echo "$BUILD" > "$STAMP"
# sed, not head: head may exit before FerretDB has written all, and its SIGPIPE would fail the script
"$BIN" --version | sed -n 1p
