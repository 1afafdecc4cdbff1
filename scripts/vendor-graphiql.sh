#!/usr/bin/env bash
# Refresh the GraphiQL assets served by the development GraphQL page (cms/static/graphiql/),
# from the npm registry: GraphiQL works offline, without a CDN.
# Usage: scripts/vendor-graphiql.sh [graphiql-version] [react-version]
set -euo pipefail
GRAPHIQL="${1:-3.8.3}"
REACT="${2:-18.3.1}"
DEST="$(cd "$(dirname "$0")/.." && pwd)/cms/static/graphiql"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
for pkg in "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT"; do
  npm pack --silent "$pkg" >/dev/null
done
for tgz in *.tgz; do mkdir "${tgz%.tgz}"; tar xzf "$tgz" -C "${tgz%.tgz}" --strip-components=1; done
mkdir -p "$DEST"
cp "graphiql-$GRAPHIQL/graphiql.min.js" "graphiql-$GRAPHIQL/graphiql.min.css" "$DEST/"
cp "react-$REACT/umd/react.production.min.js" "react-dom-$REACT/umd/react-dom.production.min.js" "$DEST/"
{
  echo "GraphiQL $GRAPHIQL and React $REACT (MIT licences below), from the npm registry."
  for lic in "graphiql-$GRAPHIQL/LICENSE" "react-$REACT/LICENSE"; do echo; cat "$lic"; done
} >"$DEST/LICENSES.txt"
echo "GraphiQL $GRAPHIQL, React $REACT -> $DEST"
